"""A throw-away nbgrader course for the hostile suite, driven through the real CLI.

Commands run from the repository root, so the course's jupyter_config.py is loaded
(its grading block installs the jail and the trusted grade); only the course
locations are pointed at a temporary folder, and the timeouts are shortened so the
endless-loop and fork-bomb students cost seconds, not minutes.
"""

import hashlib
import os
import subprocess
import sys

import nbformat

from hostile.assignment import ASSIGNMENT, ANSWERS, source_notebook

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAST = ["--ExecutePreprocessor.timeout=10", "--SandboxedExecute.probe_timeout=5",
        "--TrustedGrading.cell_timeout=8", "--TrustedGrading.call_timeout=8",
        "--TrustedGrading.deadline=60"]


def paths(root):
    return {
        "course_root": root,
        "db": os.path.join(root, "gradebook.db"),
        "source_nb": os.path.join(root, "source", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"),
        "release_nb": os.path.join(root, "course", "release", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"),
        "other_nb": submitted_path(root, "a_honest"),
    }


def submitted_path(root, student):
    return os.path.join(root, "course", "submitted", student, ASSIGNMENT, f"{ASSIGNMENT}.ipynb")


def nbgrader(root, *args):
    """Run ``nbgrader <args>`` from the repository root against the course in ``root``."""
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    cmd = [os.path.join(bindir, "nbgrader"), *args, f"--CourseDirectory.root={root}",
           "--CourseDirectory.source_directory=source",
           f"--CourseDirectory.db_url=sqlite:///{os.path.join(root, 'gradebook.db')}"]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)


def build(root):
    """Write the source assignment and release it (creates the gradebook)."""
    p = paths(root)
    os.makedirs(os.path.dirname(p["source_nb"]), exist_ok=True)
    nbformat.write(source_notebook(), p["source_nb"])
    result = nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    if result.returncode != 0:
        raise RuntimeError(f"generate_assignment failed:\n{result.stdout}\n{result.stderr}")


def submit(root, sub):
    """Write one student's submission from the released notebook."""
    target = submitted_path(root, sub.student)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    for name, text in sub.files.items():
        path = os.path.join(os.path.dirname(target), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    if sub.missing:
        return
    if sub.notebook_text is not None:
        with open(target, "w", encoding="utf-8") as f:
            f.write(sub.notebook_text)
        return
    nbformat.write(_answered(root, sub), target)


def _answered(root, sub):
    nb = nbformat.read(paths(root)["release_nb"], as_version=4)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        fn = gid[: -len("_answer")] if gid.endswith("_answer") else None
        if fn in ANSWERS:
            cell.source = sub.answers.get(fn, ANSWERS[fn])
    for source in sub.extra_cells:
        nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    if sub.edit:
        sub.edit(nb)
    return nb


def scores(root):
    """{student: {grade_id: score}} from the gradebook (opened read-only)."""
    from nbgrader.api import Gradebook
    out = {}
    with Gradebook(f"sqlite:///{os.path.join(root, 'gradebook.db')}") as gb:
        for student in gb.students:
            try:
                submission = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:
                continue
            out[student.id] = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
    return out


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
