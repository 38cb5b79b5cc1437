"""nbgrader's Execute step, contained: jailed kernel, bounded outputs, no points after a crash.

``SandboxedExecute`` replaces ``Execute`` in ``Autograde.autograde_preprocessors``:

* the kernel runs under dlkit.grading.kernel.SandboxedKernelManager (jail);
* each cell keeps at most ``output_limit`` bytes of output (a print loop cannot
  exhaust the grader's memory; nbgrader's LimitOutput only trims afterwards);
* when the kernel dies, or stops answering after a timed-out cell, or the notebook
  runs past ``notebook_deadline``, every remaining code cell gets an error output:
  tests that did not run count as failed, never as passed, and the rest of the batch
  goes on (stock nbclient would abort the notebook).
"""

import json
import time

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from dlkit.grading.kernel import SandboxedKernelManager


class SandboxedExecute(Execute):
    """Execute with a jailed kernel and fault containment (see the module docstring)."""

    output_limit = Integer(1 << 20, help="Bytes of output kept per cell.").tag(config=True)
    notebook_deadline = Float(900.0, help="Seconds for the whole notebook.").tag(config=True)
    probe_timeout = Float(10.0, help="Seconds a kernel has to answer after a timeout.").tag(config=True)
    # nbgrader's default (True) turns a slow trickle of output after an interrupted cell
    # into an exception that fails the whole notebook: an endless loop would cost every test.
    raise_on_iopub_timeout = Bool(False).tag(config=True)

    def __init__(self, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None
        self._output_bytes = {}
        self._started = time.monotonic()
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if hasattr(self.km, "lock_sockets"):
            self.km.lock_sockets()
        return kc

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() - self._started > self.notebook_deadline:
            self._stop(f"the notebook ran longer than {self.notebook_deadline:.0f} s")
        if self._stopped:
            cell.outputs = [_not_run(self._stopped)]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = "the kernel died (crash, memory or CPU limit, or os._exit)"
            cell.outputs = [_not_run(self._stopped)]
            return cell, resources
        except CellTimeoutError:
            cell.outputs = [_not_run("it timed out")]
            if not self._responsive():
                self._stop("the kernel stopped answering after a cell timed out")
            return cell, resources
        if _timed_out(cell) and not self._responsive():
            self._stop("the kernel stopped answering after a cell timed out")
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's outputs until they reach ``output_limit`` bytes, then one note."""
        used = self._output_bytes.get(cell_index, 0)
        if used > self.output_limit:
            return None
        size = len(json.dumps(msg.get("content", {}), default=str))
        self._output_bytes[cell_index] = used + size
        if used + size > self.output_limit:
            note = nbformat.v4.new_output("stream", name="stdout",
                                          text=f"\n... output truncated by the grader ({self.output_limit} bytes)\n")
            outs.append(note)
            return note
        return super().output(outs, msg, display_id, cell_index)

    # ------------------------------------------------------------ kernel health
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


def _timed_out(cell):
    return any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError"
               for o in cell.get("outputs", []))


def _not_run(reason):
    text = f"This cell did not run: {reason}."
    return nbformat.v4.new_output("error", ename="CellNotRun", evalue=text, traceback=[text])
