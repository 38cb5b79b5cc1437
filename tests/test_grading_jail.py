"""The jail on the layout maintainers work with: an editable install outside the venv.

A grader running as root drops student code to uid nobody. bubblewrap creates the
missing ancestors of a bound path with mode 0700, so when dlkit lives in a checkout
that is no Python path (an editable install whose venv lies elsewhere), the student's
kernel could not import dlkit.grading and every student scored 0. These tests build
that layout for real (a copy of dlkit in a checkout, a venv outside it that finds
the copy through a .pth line or through a meta-path finder, as pip install -e does)
and run Python in the jail as the dropped uid.

The last test checks how the hostile suite tells its own jailed processes from those
of another grader running at the same time.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
import time

import pytest

import dlkit
from dlkit.grading.jail import NOBODY, Jail, bubblewrap_works

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or not bubblewrap_works(),
    reason="needs root (the jail drops to uid nobody only as root) and a working bubblewrap")

# What setuptools' editable finder does, reduced: map the top-level package to the checkout.
FINDER = textwrap.dedent('''
    import importlib.util, os, sys
    PACKAGE = {package!r}
    class EditableFinder:
        @classmethod
        def find_spec(cls, name, path=None, target=None):
            if name == "dlkit":
                return importlib.util.spec_from_file_location(
                    name, os.path.join(PACKAGE, "__init__.py"), submodule_search_locations=[PACKAGE])
            return None
    # ahead of the path finder: the dependency folder below may hold an installed dlkit too
    sys.meta_path.insert(0, EditableFinder)
    ''')

# Runs in the venv as the grader would: builds the jail and starts Python in it.
GRADER = textwrap.dedent('''
    import json, subprocess, sys
    import dlkit
    from dlkit.grading.jail import Jail
    probe = ("import os, dlkit.grading; "
             "print(os.getuid(), dlkit.__file__, sorted(os.listdir({checkout!r})))")
    argv = Jail(cwd={work!r}).wrap([sys.executable, "-c", probe])
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    print(json.dumps({{"grader": dlkit.__file__, "rc": run.returncode, "out": run.stdout,
                      "err": run.stderr[-1500:]}}))
    ''')


def editable_layout(tmp_path, style):
    """(venv python, checkout): dlkit copied into a checkout, found from a venv outside it."""
    checkout = tmp_path / "checkout"
    shutil.copytree(os.path.dirname(dlkit.__file__), checkout / "dlkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / "gradebook.db").write_text("the course's grades: never visible in the jail")
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if style == "pth":  # a path line, as setuptools writes for some layouts (and flit, hatch)
        (venv / site / "a_editable_dlkit.pth").write_text(str(checkout) + "\n")
    else:
        (venv / site / "_editable_dlkit_finder.py").write_text(FINDER.format(package=str(checkout / "dlkit")))
        (venv / site / "a_editable_dlkit.pth").write_text("import _editable_dlkit_finder\n")
    # numpy and the rest of dlkit's dependencies, from the environment running this test
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (venv / site / "z_dependencies.pth").write_text("".join(p + "\n" for p in sorted(deps)))
    return python, checkout


@pytest.mark.parametrize("style", ["pth", "finder"])
def test_the_dropped_uid_imports_dlkit_from_an_editable_checkout_outside_the_venv(tmp_path, style):
    python, checkout = editable_layout(tmp_path, style)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    script = GRADER.format(checkout=str(checkout), work=str(tmp_path / "work"))
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    package = str(checkout / "dlkit" / "__init__.py")
    assert result["grader"] == package  # the layout under test, not the installed dlkit
    assert result["rc"] == 0, result["err"]
    uid, imported, listing = result["out"].split(" ", 2)
    assert int(uid) == NOBODY
    assert imported == package
    # only the package is shown, not the rest of the checkout
    assert listing.strip() == "['dlkit']"


def test_the_hostile_suite_counts_only_the_jailed_processes_of_its_own_run(tmp_path):
    """Another grader's jail (same uid nobody) is not ours; ours is found even after cd /."""
    from test_hostile import _processes_of  # the helper test_faults_stayed_inside_the_jail uses

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    runs = {}
    try:
        for name, root, seconds in (("ours", ours, "61"), ("theirs", theirs, "62")):
            work = root / "autograded" / "student"
            work.mkdir(parents=True)
            argv = Jail(cwd=str(work)).wrap(["sh", "-c", f"cd / && exec sleep {seconds}"])
            runs[name] = subprocess.Popen(argv, start_new_session=True)
        sleeping = _wait_for(lambda: {s: _pids(NOBODY, ["sleep", s]) for s in ("61", "62")})
        assert all(sleeping.values()), "the jailed sleeps did not start"
        assert set(_processes_of(NOBODY, str(ours))) == sleeping["61"]
        assert set(_processes_of(NOBODY, str(theirs))) == sleeping["62"]
    finally:
        for run in runs.values():
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=30)


def _pids(uid, cmdline):
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")[:-1]
            if os.stat(f"/proc/{pid}").st_uid == uid and args == cmdline:
                found.add(pid)
        except OSError:
            continue
    return found


def _wait_for(probe, seconds=30):
    """probe() once every value is non-empty (the jails take a moment to start)."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if all(value.values()) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)
