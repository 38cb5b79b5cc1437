"""A kernel manager that starts the autograde kernel inside the jail.

nbgrader's autograde runs every submitted notebook in a fresh kernel. This manager
wraps the kernel's command line with dlkit.grading.jail: no network (bubblewrap's own
network namespace), a read-only view of the system and Python, the notebook's folder
as a size-limited scratch copy, an unprivileged uid when we are root, rlimits.

The kernel talks to nbgrader over ZeroMQ. A kernel without network cannot reach TCP
on the host's loopback, so under bubblewrap the sockets are Unix sockets (transport
"ipc") in a private directory bound into the jail; once the kernel has bound them that
directory is handed back to root, so the student's code cannot fill it.
"""

import os
import shutil
import tempfile

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer

from dlkit.grading import jail as _jail

MAX_MESSAGE = 32 << 20  # a bigger iopub message is dropped by ZeroMQ instead of filling memory


class SandboxedKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernel runs in a :class:`dlkit.grading.jail.Jail`."""

    cpu_seconds = Integer(900, help="CPU seconds for the whole notebook.").tag(config=True)
    memory = Integer(4 << 30, help="Address space of the kernel, bytes.").tag(config=True)
    processes = Integer(128, help="Processes/threads of the kernel.").tag(config=True)
    use_bubblewrap = Bool(True, help="Sandbox with bubblewrap where it works.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._private = tempfile.mkdtemp(prefix="dlkit-kernel-")
        self._cwd = os.getcwd()
        self.connection_file = os.path.join(self._private, "connection.json")
        if self.jail().sandboxed:
            self.transport = "ipc"
            self.ip = os.path.join(self._private, "k")
            _give(self._private, self.jail().uid, 0o700)

    def jail(self):
        limits = _jail.Limits(cpu_seconds=self.cpu_seconds, memory=self.memory, processes=self.processes)
        return _jail.Jail(cwd=self._cwd, limits=limits, allow_dlkit=True,
                          cwd_files=tuple(_folder_entries(self._cwd)), writable=(self._private,),
                          use_bubblewrap=self.use_bubblewrap)

    async def _async_start_kernel(self, **kw):
        self._cwd = os.path.abspath(kw.get("cwd") or os.getcwd())
        return await super()._async_start_kernel(**kw)

    start_kernel = _async_start_kernel

    def format_kernel_cmd(self, extra_arguments=None):
        return self.jail().wrap(super().format_kernel_cmd(extra_arguments))

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        _give(self.connection_file, self.jail().uid, 0o600)

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        return kc

    async def _async_interrupt_kernel(self):
        # SIGINT to the process group would reach bwrap first, which dies of it and takes
        # the kernel along; ask the kernel to interrupt itself instead.
        if self.has_kernel and self.jail().sandboxed:
            self.kernel_spec.interrupt_mode = "message"
        await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel

    def lock_sockets(self):
        """After the kernel is ready: its socket directory goes back to root (read-only to it)."""
        if os.geteuid() == 0 and self.jail().sandboxed:
            _give(self._private, 0, 0o755)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._private, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


def _give(path, uid, mode):
    """chown to the jail's uid (when we are root and drop to one) and chmod."""
    if uid is not None and os.geteuid() == 0:
        os.chown(path, uid, uid)
    os.chmod(path, mode)


def _folder_entries(folder, max_bytes=64 << 20):
    """The notebook folder's entries, shown read-only in the kernel's working directory."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    entries = []
    for name in names:
        path = os.path.join(folder, name)
        if os.path.islink(path) or (os.path.isfile(path) and os.path.getsize(path) > max_bytes):
            continue  # a symlink could point anywhere on the host; huge files are not needed
        entries.append(path)
    return entries
