"""Run a student's notebook code in the jail and collect the outcomes of grader calls.

``run_calls(cells, calls, jail)`` -> list of Outcome, one per call, in order. The
worker (``_worker.py``) executes the cells and answers each call with a data frame
on its stdout; this side reads at most ``max_output`` bytes until the worker's
process tree has used ``deadline`` CPU seconds (or ``wall_factor`` times as many
seconds have passed on the clock: a loaded machine slows the clock, not the CPU
budget), then kills the whole process tree. A call without a valid frame (time
limit, memory limit, crash, garbage on the pipe) becomes an error outcome: it can
only lose points, never earn them.
"""

import os
import pickle
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from dlkit.grading import cputime
from dlkit.grading import jail as _jail
from dlkit.grading import serialise
from dlkit.grading.outcome import Outcome

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL_FILES = ("_worker.py", "serialise.py")
TOOL_DIR = "/opt/dlkit-grader"  # where the worker's files appear inside bubblewrap
NOT_REACHED = ("the grader's run of your notebook stopped before this check "
               "(time or memory limit, a crash, or the process exited)")


@dataclass(frozen=True)
class Call:
    """One grader call: evaluate ``expr`` in the student's namespace, call it (or .method)."""

    expr: str
    args: tuple
    kwargs: dict
    method: str = None


@dataclass
class RunReport:
    outcomes: list
    seconds: float
    stderr: str
    killed: str = ""
    cpu_seconds: float = None  # of the worker's process tree (None: not measurable here)


class _Budget:
    """CPU seconds of a process tree, with a wall-clock backstop."""

    def __init__(self, cpu, wall):
        self.cpu, self.wall, self.cpu_used = cpu, wall, None
        self.start = time.monotonic()

    def exceeded(self, pid):
        """'' while within budget, else why not."""
        used = cputime.tree_seconds(pid)
        if used is not None:
            self.cpu_used = used
        if self.cpu_used is not None and self.cpu_used > self.cpu:
            return "time limit"  # the CPU budget
        if time.monotonic() - self.start > (self.wall if self.cpu_used is not None else self.cpu):
            return "time limit"  # the wall backstop (the budget itself where CPU is unknown)
        return ""


def run_calls(cells, calls, jail, deadline=120.0, call_timeout=20.0, cell_timeout=30.0,
              max_output=256 << 20, wall_factor=10.0):
    """Outcomes of ``calls`` after running ``cells`` (str sources) in ``jail``.

    ``deadline``, ``cell_timeout`` and ``call_timeout`` are CPU seconds; each has a
    wall-clock backstop ``wall_factor`` times as long (for code that sleeps).
    """
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dlkit-grader-") as tools:
        script = _install_tools(tools)
        payload = pickle.dumps({
            "cells": list(cells), "calls": [vars(c) for c in calls],
            "call_timeout": call_timeout, "cell_timeout": cell_timeout, "wall_factor": wall_factor,
            "block_dlkit": not jail.allow_dlkit, "reap": jail.sandboxed,
        })
        if jail.sandboxed:
            jail.mounts = tuple(jail.mounts) + tuple(
                (os.path.join(tools, name), f"{TOOL_DIR}/{name}") for name in TOOL_FILES)
            cmd, env = jail.wrap([sys.executable, "-I", f"{TOOL_DIR}/_worker.py"]), None
        else:
            cmd, env = jail.wrap([sys.executable, "-I", script]), jail.environment()
        budget = _Budget(deadline, deadline * max(1.0, wall_factor))
        out, err, killed = _communicate(cmd, env, payload, jail, budget, max_output)
    outcomes = _outcomes(out, len(calls))
    return RunReport(outcomes, time.monotonic() - start, err.decode("utf-8", "replace")[-4000:], killed,
                     budget.cpu_used)


def _install_tools(directory):
    """Copies of the worker files, readable by the unprivileged uid."""
    os.chmod(directory, 0o755)
    for name in TOOL_FILES:
        shutil.copy(os.path.join(HERE, name), os.path.join(directory, name))
        os.chmod(os.path.join(directory, name), 0o644)
    return os.path.join(directory, "_worker.py")


def _communicate(cmd, env, payload, jail, budget, max_output):
    """(stdout, stderr, why it was killed or '') with bounded memory and time."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    feeder = threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True)
    feeder.start()
    buffers = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    caps = {proc.stdout: max_output, proc.stderr: 64 << 10}
    killed = _pump(proc, buffers, caps, budget)
    _kill_tree(proc, jail)
    feeder.join(timeout=5)
    return bytes(buffers[proc.stdout]), bytes(buffers[proc.stderr]), killed


def _feed(pipe, payload):
    try:
        pipe.write(payload)
        pipe.close()
    except (BrokenPipeError, OSError):
        pass  # the worker died before reading everything: its outcomes show it


def _pump(proc, buffers, caps, budget):
    selector = selectors.DefaultSelector()
    for pipe in buffers:
        selector.register(pipe, selectors.EVENT_READ)
    open_pipes, checked = len(buffers), 0.0
    while open_pipes:
        if time.monotonic() - checked > 0.25:  # reading /proc costs ~1 ms
            checked = time.monotonic()
            why = budget.exceeded(proc.pid)
            if why:
                return why
        for key, _ in selector.select(timeout=0.25):
            chunk = os.read(key.fileobj.fileno(), 1 << 16)
            if not chunk:
                selector.unregister(key.fileobj)
                open_pipes -= 1
                continue
            buf = buffers[key.fileobj]
            buf += chunk[: max(0, caps[key.fileobj] - len(buf))]
            if key.fileobj is proc.stdout and len(buf) >= caps[key.fileobj]:
                return "output limit"
    return ""


def _kill_tree(proc, jail):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    if not jail.sandboxed:
        _jail.kill_uid(jail.uid)  # without a pid namespace, escaped children remain
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    for pipe in (proc.stdout, proc.stderr):
        pipe.close()


def _outcomes(data, count):
    try:
        frames = serialise.read_frames(data)
    except serialise.FrameError as err:
        frames = err.frames
    outcomes = [None] * count
    for header, arrays in frames:
        index = header.get("index")
        if isinstance(index, int) and 0 <= index < count and outcomes[index] is None:
            outcomes[index] = _outcome(header, arrays)
    return [o if o is not None else Outcome(error=f"RuntimeError: {NOT_REACHED}") for o in outcomes]


def _outcome(header, arrays):
    if "error" in header:
        return Outcome(error=str(header["error"])[:300])
    try:
        return Outcome(value=serialise.decode(header.get("tree"), arrays))
    except (serialise.FrameError, RecursionError) as exc:
        return Outcome(error=f"RuntimeError: unreadable result ({exc})")
