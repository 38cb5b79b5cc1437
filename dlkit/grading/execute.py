"""nbgrader's Execute step, contained: jailed kernel, bounded outputs, no points after a crash.

``SandboxedExecute`` replaces ``Execute`` in ``Autograde.autograde_preprocessors``:

* the kernel runs under dlkit.grading.kernel.SandboxedKernelManager (jail);
* ``timeout`` is CPU seconds of the kernel's process tree per cell, not wall seconds:
  a loaded grader (load 20 on 2 cores) runs the same cell ten times longer on the
  clock. A cell over its CPU budget is interrupted (and the kernel stopped if it does
  not react); a cell that sleeps meets nbclient's wall-clock timeout, set to
  ``wall_factor`` times the CPU budget;
* each cell keeps at most ``output_limit`` characters of output (a print loop cannot
  exhaust the grader's memory; nbgrader's LimitOutput only trims afterwards). A single
  IOPub message above kernel.MAX_MESSAGE makes ZeroMQ drop the connection for good, so
  after a cell whose output did not end normally the IOPub channel is reconnected:
  what one cell printed costs only that cell;
* a kernel that does not start is retried ``start_attempts`` times with a doubled
  startup timeout; if it never starts, the notebook fails loudly (nbgrader reports the
  submission as not graded), it is never scored as wrong;
* when the kernel dies, or stops answering after a timed-out cell, or the notebook
  runs past ``notebook_deadline``, every remaining code cell gets an error output:
  tests that did not run count as failed, never as passed, and the rest of the batch
  goes on (stock nbclient would abort the notebook).
"""

import asyncio
import time

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from dlkit.grading import cputime
from dlkit.grading.kernel import SandboxedKernelManager


class KernelStartError(RuntimeError):
    """The kernel did not start after every attempt: grade this notebook again later."""


class SandboxedExecute(Execute):
    """Execute with a jailed kernel and fault containment (see the module docstring)."""

    timeout = Integer(30, allow_none=True,
                      help="CPU seconds (the kernel's process tree) one cell may use.").tag(config=True)
    wall_factor = Float(10.0, help="A cell also stops after this many times `timeout` wall seconds "
                                   "(code that sleeps uses no CPU).").tag(config=True)
    output_limit = Integer(1 << 20, help="Characters of output kept per cell.").tag(config=True)
    notebook_deadline = Float(900.0, help="Seconds for the whole notebook.").tag(config=True)
    probe_timeout = Float(10.0, help="Seconds a kernel has to answer after a timeout.").tag(config=True)
    start_attempts = Integer(3, help="Tries to start the kernel, each with twice the "
                                     "startup_timeout of the one before.").tag(config=True)
    # nbgrader's default (True) turns a slow trickle of output after an interrupted cell
    # into an exception that fails the whole notebook: an endless loop would cost every test.
    raise_on_iopub_timeout = Bool(False).tag(config=True)

    def __init__(self, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(**kwargs)
        self.timeout_func = self._wall_timeout

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None
        self._output_used = {}
        self._started = time.monotonic()
        self._idle_seen = None
        self._over_cpu = None
        self._slowest = None  # (wall, cpu, index) of the cell that took longest on the clock
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._slowest:
                wall, cpu, index = self._slowest
                self.log.info("dlkit: slowest kernel cell %d used %s s CPU in %.2f s",
                              index, "?" if cpu is None else f"{cpu:.2f}", wall)

    def _wall_timeout(self, cell):
        """nbclient's (wall-clock) timeout per cell: the backstop behind the CPU budget."""
        return None if not self.timeout or self.timeout < 0 else int(self.timeout * self.wall_factor)

    # ------------------------------------------------------------ kernel start
    async def async_start_new_kernel_client(self):
        kc = await self._start_with_retries()
        if hasattr(self.km, "lock_sockets"):
            self.km.lock_sockets()
        return kc

    async def _start_with_retries(self):
        """Start the kernel client; on failure start a new kernel with a longer timeout."""
        base = self.startup_timeout
        try:
            for attempt in range(1, max(1, self.start_attempts) + 1):
                self.startup_timeout = base * 2 ** (attempt - 1)
                if self.km is None:  # nbclient dropped the manager of the failed attempt
                    self.km = self.create_kernel_manager()
                if not self.km.has_kernel:
                    await self.async_start_new_kernel()
                try:
                    return await super().async_start_new_kernel_client()
                except Exception as exc:  # noqa: BLE001 - a timeout or a kernel that died starting
                    self.log.warning("dlkit: the kernel did not start (attempt %d of %d, %d s): %s",
                                     attempt, self.start_attempts, self.startup_timeout, exc)
                    error = exc
            raise KernelStartError(f"the grading kernel did not start in {self.start_attempts} attempts "
                                   f"(last: {error}); nothing was graded, autograde this "
                                   "submission again") from error
        finally:
            self.startup_timeout = base

    # nbclient binds the sync names to its own coroutines: re-bind them to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # ------------------------------------------------------------ cells
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() - self._started > self.notebook_deadline:
            self._stop(f"the notebook ran longer than {self.notebook_deadline:.0f} s")
        if self._stopped:
            cell.outputs = [_not_run(self._stopped)]
            return cell, resources
        self._over_cpu = None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = ("it used more than its CPU time and did not stop when interrupted"
                             if self._over_cpu else "the kernel died (crash, memory or CPU limit, or os._exit)")
            cell.outputs = [_not_run(self._stopped)]
            return cell, resources
        except CellTimeoutError:
            cell.outputs = [_not_run("it timed out")]
            if not self._responsive():
                self._stop("the kernel stopped answering after a cell timed out")
            return cell, resources
        if self._over_cpu:
            cell.outputs = [o for o in cell.outputs if o.get("ename") != "KeyboardInterrupt"]
            cell.outputs.append(_timeout_error(f"the cell used more than {self.timeout} s of CPU time"))
        if (_timed_out(cell)) and not self._responsive():
            self._stop("the kernel stopped answering after a cell timed out")
        elif self._idle_seen != index and cell.source.strip():
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stderr", text="\n... the grader lost this cell's further output "
                                              "(a message too large or too late)\n"))
            self._reconnect_iopub()
        return cell, resources

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        """nbclient's execute_cell, with a watchdog on the kernel's CPU time."""
        pid = _kernel_pid(self.km)
        cpu, start = cputime.tree_seconds(pid) if pid else None, time.monotonic()
        watchdog = asyncio.ensure_future(self._watch_cpu(pid, cpu))
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            watchdog.cancel()
            self._record(cell_index, pid, cpu, time.monotonic() - start)

    execute_cell = run_sync(async_execute_cell)

    def _record(self, index, pid, cpu_before, wall):
        after = cputime.tree_seconds(pid) if pid and cpu_before is not None else None
        if self._slowest is None or wall > self._slowest[0]:
            self._slowest = (wall, None if after is None else after - cpu_before, index)

    async def _watch_cpu(self, pid, start):
        """Interrupt the cell after ``timeout`` CPU seconds; stop the kernel if that does not help."""
        if start is None or not self.timeout or self.timeout < 0:
            return  # no /proc: nbclient's wall-clock timeout is the only one
        used = 0.0
        while used <= self.timeout:
            await asyncio.sleep(0.2)
            now = cputime.tree_seconds(pid)
            if now is None:
                return  # the kernel is gone; nbclient notices
            used = now - start
        self._over_cpu = used
        self.log.warning("dlkit: a cell used %.1f s of CPU (limit %s s): interrupting it", used, self.timeout)
        await ensure_async(self.km.interrupt_kernel())
        await asyncio.sleep(self.probe_timeout)
        self.log.warning("dlkit: the cell did not stop when interrupted: stopping the kernel")
        await ensure_async(self.km.shutdown_kernel(now=True))

    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") == "status" and msg.get("content", {}).get("execution_state") == "idle":
            self._idle_seen = cell_index
        return super().process_message(msg, cell, cell_index)

    def on_cell_executed(self, **kwargs):
        """The execution count also comes from the (reliable) shell reply, not only from IOPub."""
        super().on_cell_executed(**kwargs)
        cell, content = kwargs["cell"], kwargs["execute_reply"].get("content", {})
        if cell.get("execution_count") is None and isinstance(content.get("execution_count"), int):
            cell["execution_count"] = content["execution_count"]

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's outputs up to ``output_limit`` characters, then one note."""
        used = self._output_used.get(cell_index, 0)
        if used > self.output_limit:
            return None
        content = msg.get("content", {})
        size = _size(content)
        self._output_used[cell_index] = used + size
        if used + size <= self.output_limit:
            return super().output(outs, msg, display_id, cell_index)
        room = self.output_limit - used
        if msg.get("msg_type") == "stream" and isinstance(content.get("text"), str) and room > 0:
            super().output(outs, {**msg, "content": {**content, "text": content["text"][:room]}},
                           display_id, cell_index)
        note = nbformat.v4.new_output("stream", name="stdout",
                                      text=f"\n... output truncated by the grader ({self.output_limit} characters)\n")
        outs.append(note)
        return note

    # ------------------------------------------------------------ kernel health
    def _reconnect_iopub(self):
        """A new IOPub socket, live once it sees the status of a kernel_info request.

        A message above the size limit ends the old socket's connection for good; the
        kernel itself is fine, so later cells must get their outputs again.
        """
        async def reconnect():
            end = time.monotonic() + self.probe_timeout
            while time.monotonic() < end:
                self.kc.iopub_channel.close()
                self.kc._iopub_channel = None  # jupyter_client makes a new socket on next use
                msg_id = self.kc.kernel_info()
                if await self._await_iopub_of(msg_id, min(2.0, max(0.1, end - time.monotonic()))):
                    return True
            return False
        try:
            ok = run_sync(reconnect)()
        except Exception as exc:  # noqa: BLE001 - a closed client: the next cell reports the kernel
            self.log.info("dlkit: reconnecting IOPub: %s", exc)
            ok = False
        self.log.info("dlkit: a cell's output did not end normally; IOPub reconnected: %s", ok)

    async def _await_iopub_of(self, msg_id, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=max(0.05, end - time.monotonic())))
            except Exception:  # queue.Empty: nothing (yet) on the new socket
                return False
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return True
        return False

    def _responsive(self):
        """Does the kernel answer a kernel_info request within probe_timeout seconds?"""
        async def probe():
            msg_id = self.kc.kernel_info()
            end = time.monotonic() + self.probe_timeout
            while time.monotonic() < end:
                try:
                    reply = await self.kc.get_shell_msg(timeout=max(0.1, end - time.monotonic()))
                except Exception:  # queue.Empty or a closed channel
                    return False
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return True
            return False
        try:
            return run_sync(probe)()
        except Exception:
            return False

    def _stop(self, reason):
        self._stopped = reason
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as exc:  # already gone: nothing left to stop
            self.log.info("dlkit: stopping the kernel: %s", exc)
        self.log.warning("dlkit: %s; the remaining cells count as failed", reason)


def _kernel_pid(km):
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def _size(value):
    """Characters in an output message's content (strings counted by length, no JSON dump)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value) + len(value)
    return 8


def _timed_out(cell):
    return any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError"
               for o in cell.get("outputs", []))


def _timeout_error(text):
    return nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=text,
                                  traceback=[f"CellTimeoutError: {text}"])


def _not_run(reason):
    text = f"This cell did not run: {reason}."
    return nbformat.v4.new_output("error", ename="CellNotRun", evalue=text, traceback=[text])
