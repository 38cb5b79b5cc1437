"""Command lines that run untrusted code with limits: bubblewrap, a dropped uid, rlimits.

``Jail(...).wrap(cmd)`` returns the argv that runs ``cmd``

    bwrap  (where it works)   no network, own pid/ipc namespaces, a read-only view of
                              only the system, the Python installation and what is
                              listed; a size-limited tmpfs as working directory; dlkit
                              hidden unless ``allow_dlkit``
    setpriv (when root)       an unprivileged uid: RLIMIT_NPROC then counts, and the
                              files of the course (owned by root) are read-only anyway
    prlimit                   CPU seconds, address space, processes, file size, open files

Each layer that is missing degrades the jail and says so once in the log; the trusted
grade does not depend on it (outputs are compared outside), only fault containment does.
"""

import functools
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

log = logging.getLogger("dlkit.grading")

NOBODY = 65534
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
# Environment passed into the jail; everything else (tokens, paths to the course) is dropped.
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
FIXED_ENV = {
    "HOME": "/tmp", "TMPDIR": "/tmp", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.matplotlib",
    "IPYTHONDIR": "/tmp/.ipython", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
    # one BLAS thread: fewer tasks against the process limit, less address space
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one jailed process tree (sizes in bytes)."""

    cpu_seconds: int = 600
    memory: int = 4 << 30
    processes: int = 128
    file_size: int = 64 << 20
    open_files: int = 512
    scratch: int = 256 << 20


@dataclass
class Jail:
    """How to run one untrusted command.

    cwd: working directory inside the jail (a fresh tmpfs of ``limits.scratch`` bytes);
    cwd_files: host paths shown read-only inside cwd under their base names;
    writable: host directories bound read-write at the same path (kernel sockets);
    readable: extra host paths bound read-only at the same path;
    mounts: (host path, jail path) pairs bound read-only (the grader's worker files).
    """

    cwd: str
    limits: Limits = field(default_factory=Limits)
    allow_dlkit: bool = True
    cwd_files: tuple = ()
    writable: tuple = ()
    readable: tuple = ()
    mounts: tuple = ()
    use_bubblewrap: bool = True
    drop_to_uid: int = NOBODY

    # --------------------------------------------------------------- the argv
    def wrap(self, cmd, env=None):
        """The argv running ``cmd`` inside every available layer."""
        argv = []
        if self.sandboxed:
            argv += self._bwrap_args(env or {}) + ["--"]
        uid = self.uid
        if uid is not None:
            argv += [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                     "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]
        if shutil.which("prlimit"):
            argv += self._prlimit_args() + ["--"]
        return argv + list(cmd)

    @property
    def sandboxed(self):
        return self.use_bubblewrap and bubblewrap_works()

    @property
    def uid(self):
        """The uid to run as: an unprivileged one when we are root (None: keep ours)."""
        if os.geteuid() != 0 or self.drop_to_uid is None:
            return None
        if not shutil.which("setpriv"):
            _warn_once("setpriv not found: student code keeps the uid root (no process limit)")
            return None
        if not self.sandboxed and not _python_runs_as(self.drop_to_uid):
            _warn_once(f"uid {self.drop_to_uid} cannot run {sys.executable} (is Python installed "
                       "under a private home?): student code keeps the uid root")
            return None
        return self.drop_to_uid

    def environment(self, env=None):
        """The variables the jailed process sees (used when bubblewrap is not there)."""
        base = {k: v for k, v in (env or os.environ).items() if k in KEEP_ENV}
        return dict(base, **FIXED_ENV)

    def _prlimit_args(self):
        lim = self.limits
        nproc = lim.processes
        if self.uid is None and not self.sandboxed:
            nproc += _tasks_of_uid(os.geteuid())  # the limit counts all of our own tasks
        return [shutil.which("prlimit"), f"--cpu={lim.cpu_seconds}", f"--as={lim.memory}",
                f"--nproc={nproc}", f"--fsize={lim.file_size}", f"--nofile={lim.open_files}",
                "--core=0"]

    def _bwrap_args(self, env):
        lim = self.limits
        args = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grader",
                "--dev", "/dev", "--proc", "/proc",
                "--perms", "1777", "--size", str(lim.scratch), "--tmpfs", "/tmp"]
        for path in SYSTEM_DIRS:
            args += ["--ro-bind-try", path, path]
        binds = _python_paths() + list(self.readable) + [self.cwd] + list(self.writable)
        args += _parent_dirs(binds + [dest for _, dest in self.mounts] + self._dlkit_binds())
        for path in _python_paths() + list(self.readable):
            args += ["--ro-bind-try", path, path]
        for src, dest in self.mounts:
            args += ["--ro-bind", src, dest]
        args += self._dlkit_args()
        args += ["--perms", "1777", "--size", str(lim.scratch), "--tmpfs", self.cwd]
        for src in self.cwd_files:
            args += ["--ro-bind", src, os.path.join(self.cwd, os.path.basename(src))]
        for path in self.writable:
            args += ["--bind", path, path]
        args += ["--chdir", self.cwd, "--clearenv"]
        for key, value in self.environment(env).items():
            args += ["--setenv", key, value]
        return args

    def _dlkit_binds(self):
        """[the dlkit package] when it must be bound on its own, else [].

        An editable install (the repository, or a checkout next to a venv outside it)
        keeps dlkit outside every Python path: only the package itself is shown, never
        the rest of the tree (gradebook, solutions).
        """
        package = _dlkit_dir()
        visible = any(_inside(package, p) for p in _python_paths())
        return [package] if self.allow_dlkit and not visible else []

    def _dlkit_args(self):
        package = _dlkit_dir()
        if self._dlkit_binds():
            return ["--ro-bind", package, package]
        if not self.allow_dlkit and any(_inside(package, p) for p in _python_paths()):
            return ["--tmpfs", package]  # installed into site-packages: mask it
        return []


# ------------------------------------------------------------------- helpers
def _parent_dirs(paths):
    """--dir for every ancestor of the bound paths, traversable by the dropped uid.

    bwrap (0.8) creates the missing ancestors of a bind destination with mode 0700,
    which would hide from uid nobody e.g. a Python installed under /root or the dlkit
    package of an editable install whose venv lies outside the repository.
    """
    ancestors = []
    for path in paths:
        parent = os.path.dirname(os.path.abspath(path))
        chain = []
        while parent not in ("/", "") and parent not in SYSTEM_DIRS:
            chain.append(parent)
            parent = os.path.dirname(parent)
        ancestors += [p for p in reversed(chain) if p not in ancestors]
    args = []
    for path in ancestors:
        args += ["--perms", "0755", "--dir", path]
    return args


def _dlkit_dir():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _inside(path, parent):
    return os.path.commonpath([os.path.abspath(path), os.path.abspath(parent)]) == os.path.abspath(parent)


@functools.lru_cache(maxsize=None)
def _python_paths():
    """Directories the interpreter needs: its prefixes and the other sys.path dirs.

    A sys.path entry inside the tree that holds dlkit (the repository, for an editable
    install) is left out: dlkit itself is bound or masked separately.
    """
    source_tree = os.path.dirname(_dlkit_dir())
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                os.path.dirname(os.path.realpath(sys.executable))}
    others = {p for p in sys.path if p and os.path.isdir(p) and not _inside(p, source_tree)}
    keep = sorted(prefixes | others)
    return [p for p in keep if not any(p != q and _inside(p, q) for q in keep)]


@functools.lru_cache(maxsize=None)
def bubblewrap_works():
    """True if bwrap can create the namespaces we use here (not in every container)."""
    if not shutil.which("bwrap"):
        _warn_once("bubblewrap (bwrap) not found: student code runs without a filesystem "
                   "and network sandbox (apt-get install bubblewrap)")
        return False
    probe = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc",
             "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _warn_once(f"bubblewrap does not run here ({exc}): no filesystem and network sandbox")
        return False
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip()[:200]
        _warn_once(f"bubblewrap cannot create namespaces here ({reason}): no filesystem "
                   "and network sandbox")
        return False
    return True


@functools.lru_cache(maxsize=None)
def _python_runs_as(uid):
    cmd = [shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    if shutil.which("prlimit"):  # exec through prlimit as the dropped uid, like wrap() does
        cmd += [shutil.which("prlimit"), "--core=0", "--"]
    cmd += [sys.executable, "-c", "pass"]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30, cwd="/").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _tasks_of_uid(uid):
    """Number of tasks (threads) this uid runs now: RLIMIT_NPROC counts them all."""
    count = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def kill_uid(uid):
    """SIGKILL every process of ``uid`` (used when student code ran without bwrap)."""
    if uid is None or uid == 0:
        return
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    os.kill(int(pid), 9)
            except OSError:
                pass


_WARNED = set()


def _warn_once(message):
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("dlkit grading jail degraded: %s", message)


def describe():
    """One line for logs and reports: which layers are active here."""
    layers = ["bubblewrap" if bubblewrap_works() else "NO bubblewrap"]
    layers.append(f"uid {NOBODY}" if os.geteuid() == 0 and shutil.which("setpriv") else "own uid")
    layers.append("rlimits" if shutil.which("prlimit") else "NO rlimits")
    return ", ".join(layers)
