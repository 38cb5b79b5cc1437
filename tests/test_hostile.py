"""Hostile submissions graded by the real pipeline: no unearned point, no lost grade.

One ``nbgrader autograde`` run (from the repository root, with the course's
jupyter_config.py) grades every synthetic submission of tests/hostile/submissions.py
at once. The suite then checks, per attack and fault, the points earned and that the
batch and the gradebook survived, and prints a report (also written to
tests/artifacts/hostile-report.md) with the added grading cost per notebook.
"""

import os
import re
import socket
import sqlite3
import threading
import time

import pytest

from dlkit.grading.jail import bubblewrap_works, describe
from hostile import course
from hostile.assignment import POINTS, TESTS
from hostile.submissions import submissions

pytestmark = pytest.mark.slow
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
needs_bwrap = pytest.mark.skipif(not bubblewrap_works(), reason="bubblewrap cannot run here: no "
                                 "filesystem/network sandbox to test (apt-get install bubblewrap)")


class Listener:
    """A TCP server on the host's loopback that counts connections from student code."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("hostile-course"))
    course.build(root)
    paths = course.paths(root)
    listener = Listener()
    paths["port"] = listener.port
    subs = submissions(paths)
    for sub in subs:
        course.submit(root, sub)
    guarded = {k: course.digest(paths[k]) for k in ("other_nb", "source_nb")}
    start = time.monotonic()
    result = course.nbgrader(root, "autograde", course.ASSIGNMENT, "--force", *course.FAST)
    seconds = time.monotonic() - start
    listener.close()
    yield {"root": root, "paths": paths, "subs": subs, "scores": course.scores(root),
           "log": result.stdout + result.stderr, "seconds": seconds, "guarded": guarded,
           "connections": listener.connections}


def earned(scores, student):
    """{function: points} for one student (0 for a student nbgrader could not grade)."""
    cells = scores.get(student, {})
    out = dict.fromkeys(POINTS, 0.0)
    for grade_id, (fn, _) in TESTS.items():
        out[fn] += cells.get(grade_id) or 0.0
    return out


def test_no_unearned_points(batch):
    problems = []
    for sub in batch["subs"]:
        got = earned(batch["scores"], sub.student)
        for fn, points in got.items():
            if fn in sub.touched and points:
                problems.append(f"{sub.student}: {points} unearned points on {fn}")
            elif fn not in sub.touched and not sub.collateral and points != POINTS[fn]:
                problems.append(f"{sub.student}: {points}/{POINTS[fn]} on untouched {fn}")
    _report(batch)
    assert not problems, "\n".join(problems)


def test_the_batch_survived(batch):
    scores = batch["scores"]
    for honest in ("a_honest", "z_honest"):
        assert earned(scores, honest) == POINTS
    graded = {s.student for s in batch["subs"] if not s.missing and s.notebook_text is None}
    assert graded <= set(scores), f"not graded: {graded - set(scores)}"
    assert "dlkit trusted grading" in batch["log"]  # the course's jupyter_config.py was in force


def test_the_gradebook_is_intact(batch):
    db = batch["paths"]["db"]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for key, digest in batch["guarded"].items():
        assert course.digest(batch["paths"][key]) == digest, f"{key} was modified"


@needs_bwrap
def test_faults_stayed_inside_the_jail(batch):
    root = batch["root"]
    assert batch["connections"] == 0, "student code reached a server on the host's loopback"
    assert not os.path.exists(os.path.join(root, "PWNED"))
    assert not os.path.exists(os.path.join(os.path.dirname(batch["paths"]["other_nb"]), "PWNED"))
    leaks = re.findall(r"LEAKED .*", _autograded_text(root, "read_hidden"))
    assert not leaks, leaks
    assert os.path.getsize(_autograded(root, "huge_output")) < 5 << 20
    assert not _processes_of(65534, root), "jailed processes of this run outlived it"


def _autograded(root, student):
    return os.path.join(root, "course", "autograded", student, course.ASSIGNMENT, f"{course.ASSIGNMENT}.ipynb")


def _autograded_text(root, student):
    with open(_autograded(root, student), encoding="utf-8") as f:
        return f.read()


def _processes_of(uid, root):
    """Pids of ``uid`` started by the run on the course in ``root``, not by another grader.

    Every jailed process of the run lives in a mount namespace that bubblewrap made with
    the notebook's folder (under ``root``) mounted as its working directory. The student
    code cannot unmount it (no capabilities), and leaving the folder or the process tree
    does not change that, while the jails of other graders mount other folders.
    """
    return [p for p in os.listdir("/proc") if p.isdigit() and _owner(p) == uid and _mounts_under(p, root)]


def _mounts_under(pid, root):
    top = os.path.realpath(root) + os.sep
    try:
        with open(f"/proc/{pid}/mountinfo", encoding="utf-8", errors="replace") as f:
            points = [line.split()[4].replace("\\040", " ") for line in f if len(line.split()) > 4]
    except OSError:  # the process ended meanwhile
        return False
    return any((p + os.sep).startswith(top) for p in points)


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _report(batch):
    """Per attack/fault: points earned on the touched functions and the whole notebook."""
    trusted = [float(t) for t in re.findall(r"checked cells passed in ([0-9.]+)s", batch["log"])]
    graded = max(1, len(trusted))
    lines = ["# Hostile-submission report", "",
             f"Jail: {describe()}. One autograde run, {len(batch['subs'])} submissions, "
             f"{batch['seconds']:.0f} s in all ({batch['seconds'] / graded:.1f} s per graded notebook, "
             f"nbgrader start-up included).",
             f"Added cost of the trusted re-check: {sum(trusted) / graded:.2f} s per notebook on average "
             f"(min {min(trusted, default=0):.2f}, max {max(trusted, default=0):.2f}; the maximum is a "
             "notebook whose code ran into the time limits).", "",
             "| student | kind | what | points on touched | notebook points | survived |",
             "|---|---|---|---|---|---|"]
    total = sum(POINTS.values())
    for sub in batch["subs"]:
        got = earned(batch["scores"], sub.student)
        touched = sum(got[f] for f in sub.touched)
        ungradable = sub.missing or sub.notebook_text is not None  # reported by nbgrader as 0
        survived = "yes" if sub.student in batch["scores"] or ungradable else "NO"
        lines.append(f"| {sub.student} | {sub.kind} | {sub.what} | {touched:g} | "
                     f"{sum(got.values()):g}/{total} | {survived} |")
    text = "\n".join(lines) + "\n"
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "hostile-report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print("\n" + text)
