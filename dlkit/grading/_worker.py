"""Sandboxed worker: run a student's cells, call their functions, print results as frames.

Runs as ``python -I _worker.py`` inside the jail, next to a copy of serialise.py, with
the payload (a pickle written by the grader) on stdin:

    {"cells": [source, ...], "calls": [{"expr", "method", "args", "kwargs"}, ...],
     "cell_timeout": s, "call_timeout": s, "wall_factor": x, "block_dlkit": bool, "reap": bool}

Each cell and each call gets a CPU-time alarm (ITIMER_PROF: this process's user +
system time, all threads), so one endless loop costs that cell or call only and a
loaded machine, where the same work takes longer on the clock, costs nothing. Code
that sleeps uses no CPU; a wall-clock alarm ``wall_factor`` times as long ends it.
With ``reap`` (inside bubblewrap's pid namespace) every process a cell left
behind is killed before the next one runs, which ends a fork bomb.

Everything in this process is untrusted once the first cell has run: the student's
code can change any of it. That is fine: the grader reads only data frames from our
stdout (never objects), compares them in its own process, and the inputs came from a
secret seed. The student's own prints go to /dev/null.
"""

import os
import pickle
import signal
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serialise  # noqa: E402  (the copy beside this file)


class _CallTimeout(BaseException):
    """Raised by the per-call alarm (BaseException, so `except Exception` cannot eat it)."""


class _NoDlkit:
    """Import hook for when the jail could not hide dlkit: refuse to import it."""

    def find_spec(self, name, path=None, target=None):
        if name == "dlkit" or name.startswith("dlkit."):
            raise ModuleNotFoundError(f"No module named {name!r} (not available while grading)")
        return None


class _Shell:
    """Enough of get_ipython() for magics in student cells to run as no-ops."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def main():
    payload = pickle.loads(sys.stdin.buffer.read())
    results = os.fdopen(os.dup(1), "wb")
    _silence_student_output()
    if payload.get("block_dlkit"):
        sys.meta_path.insert(0, _NoDlkit())
        for name in [m for m in sys.modules if m == "dlkit" or m.startswith("dlkit.")]:
            del sys.modules[name]
    factor = payload.get("wall_factor", 10)
    namespace = _run_cells(payload["cells"], payload.get("cell_timeout", 30), factor, payload.get("reap"))
    for index, call in enumerate(payload["calls"]):
        results.write(_result_frame(index, call, namespace, payload.get("call_timeout", 10), factor))
        results.flush()


def _silence_student_output():
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(1, "w", closefd=False)


def _run_cells(cells, timeout, factor, reap):
    """Execute each cell in one namespace, like a kernel; a failing cell does not stop the rest."""
    namespace = {"__name__": "__main__", "__builtins__": __builtins__,
                 "get_ipython": lambda: _Shell(), "display": lambda *a, **k: None}
    sys.modules["__main__"] = main_module = types.ModuleType("__main__")
    main_module.__dict__.update(namespace)
    namespace = main_module.__dict__
    transform = _transformer()
    _handle_alarms()
    for i, source in enumerate(cells):
        _arm(timeout, factor)
        try:
            code = compile(transform(source), f"<cell {i + 1}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: B036 - SystemExit from a cell must not end grading
            print(f"cell {i + 1}: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        finally:
            _arm(0)
        if reap:
            _kill_leftovers()
    return namespace


def _kill_leftovers():
    """SIGKILL every other process in our pid namespace until none is left, and reap them.

    One kill(-1) can miss a child that a dying fork-bomb process was creating, so repeat
    while /proc (the namespace's own) still lists anything but init, us and zombies.
    """
    me = os.getpid()
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        _reap()
        if not _others(me):
            return
        time.sleep(0.02)


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _others(me):
    alive = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in (1, me):
            try:
                with open(f"/proc/{name}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(name)
    return alive


def _transformer():
    """IPython's cell transformer (magics -> get_ipython() calls) if IPython is there."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return lambda source: source
    return TransformerManager().transform_cell


def _result_frame(index, call, namespace, timeout, factor):
    header = {"index": index}
    arrays = []
    _handle_alarms()
    _arm(timeout, factor)
    try:
        target = eval(call["expr"], namespace)
        if call.get("method"):
            target = getattr(target, call["method"])
        value = target(*call["args"], **call["kwargs"])
        header["tree"], arrays = serialise.encode(value)
    except BaseException as exc:  # noqa: B036 - report every failure as this call's outcome
        header["error"] = _error_text(exc)
    finally:
        _arm(0)
    return serialise.dump_frame(header, arrays)


def _handle_alarms():
    signal.signal(signal.SIGPROF, _on_alarm)
    signal.signal(signal.SIGALRM, _on_alarm)


def _arm(cpu_seconds, factor=10):
    """Alarm after ``cpu_seconds`` of CPU or ``factor`` times as many wall seconds,
    then every 0.5 s until disarmed (0).

    Repeating matters: an exception raised inside an at-fork or __del__ handler is
    printed and dropped by Python, so one alarm can be lost; the next one is not.
    """
    cpu = max(0.0, float(cpu_seconds))
    repeat = 0.5 if cpu else 0.0
    signal.setitimer(signal.ITIMER_PROF, cpu, repeat)
    signal.setitimer(signal.ITIMER_REAL, cpu * max(1.0, float(factor)), repeat)


def _on_alarm(signum, frame):
    raise _CallTimeout("the call took too long")


def _error_text(exc):
    if isinstance(exc, _CallTimeout):
        return "TimeoutError: the call did not finish in time"
    try:
        return f"{type(exc).__name__}: {exc}"[:300]
    except BaseException:  # noqa: B036
        return type(exc).__name__


if __name__ == "__main__":
    main()
