"""End to end: release -> students fetch, work and submit -> autograde -> feedback -> export.

Runs in a temporary copy of the course (jupyter_config.py + two assignments of
solutions/), so the repository's course/ stays clean. The instructor side is the real
`dlkit-course` command; the students use nbgrader's exchange (fetch, submit) as the
JupyterLab Assignment List does. Students:

  ada      every answer right, written answers filled in
  bob      submits the blank release
  eve      two catalogued mistakes (softmax without the max shift, MAPE without x100),
           and she deleted the hinge test cell (nbgrader puts it back)
  mallory  a notebook that is not JSON (03) and one that kills its kernel (04)

Expected scores come from the points in the source notebooks (sum over the exercises a
student answered correctly), not from nbgrader; written answers await manual grading
and count 0 until then.
"""

import csv
import html
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from dlkit.grading import cli
from dlkit.grading import get as get_exercise

REPO = pathlib.Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("03-activations", "04-losses")
STUDENTS = ("ada", "bob", "eve", "mallory")

SOFTMAX_WITHOUT_SHIFT = '''
def softmax(x, axis=-1):
    e = np.exp(as_float(x))
    return e / e.sum(axis=axis, keepdims=True)
'''
MAPE_WITHOUT_100 = '''
def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = prepare(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), EPSILON), axis=-1)
'''
WRONG = {("eve", "03-activations"): {"softmax": SOFTMAX_WITHOUT_SHIFT},
         ("eve", "04-losses"): {"mean_absolute_percentage_error": MAPE_WITHOUT_100}}
FIRST_ANSWER = {"03-activations": "relu", "04-losses": "mean_squared_error"}
HINTS = {("eve", "03-activations"): ("03-activations:softmax", "softmax without the max shift"),
         ("eve", "04-losses"): ("04-losses:mean_absolute_percentage_error", "MAPE without x100")}


# ------------------------------------------------------------------ notebooks
def meta(cell):
    return cell.metadata.get("nbgrader", {})


def source_notebook(assignment):
    return nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def points_per_function(assignment):
    """{function: points of its test cell} from the source notebook's metadata."""
    points = {}
    for cell in source_notebook(assignment).cells:
        if meta(cell).get("grade") and not meta(cell).get("solution"):
            function = meta(cell)["grade_id"].removeprefix("test-")
            points[function] = meta(cell)["points"]
    return points


def expected_score(student, assignment):
    if student in ("bob", "mallory"):
        return 0
    wrong = WRONG.get((student, assignment), {})
    return sum(p for function, p in points_per_function(assignment).items() if function not in wrong)


def without_markers(source):
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    return "\n".join(line for line in source.splitlines() if line.strip() not in markers)


def solved_sources(assignment):
    """{answer grade_id: the instructor's answer, as a student would type it}."""
    return {meta(c)["grade_id"]: without_markers(c.source)
            for c in source_notebook(assignment).cells if meta(c).get("solution")}


def work_on(nb, student, assignment):
    """What the student does to the fetched notebook (in place)."""
    if student == "bob":
        return nb
    answers = solved_sources(assignment)
    answers.update(WRONG.get((student, assignment), {}))
    if student == "mallory":  # her first answer kills the kernel
        answers[FIRST_ANSWER[assignment]] = "import os\nos._exit(1)"
    for cell in nb.cells:
        if meta(cell).get("grade_id") in answers:
            cell.source = answers[meta(cell)["grade_id"]]
    if (student, assignment) == ("eve", "04-losses"):
        nb.cells = [c for c in nb.cells if meta(c).get("grade_id") != "test-hinge"]
    return nb


# ------------------------------------------------------------------ the course
def run_course(root, *args):
    """`dlkit-course ...` as an instructor runs it: from the course root, venv not activated."""
    script = pathlib.Path(sys.executable).with_name("dlkit-course")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(script), *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)


def exchange(kind, root, config, assignment, student, workspace):
    """A student's exchange call (what the Assignment List's Fetch / Submit buttons do)."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit

    app_class = {"fetch": ExchangeFetchAssignment, "submit": ExchangeSubmit}[kind]
    coursedir = CourseDirectory(config=config, assignment_id=assignment, student_id=student)
    app = app_class(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    app.assignment_dir = str(workspace)
    app.start()


def submit_all(root):
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_config.py", path=str(root)).load_config()
    config.Exchange.cache = str(root / "student-cache")
    for student in STUDENTS:
        workspace = root / "students" / student
        workspace.mkdir(parents=True)
        for assignment in ASSIGNMENTS:
            exchange("fetch", root, config, assignment, student, workspace)
            path = workspace / assignment / f"{assignment}.ipynb"
            if (student, assignment) == ("mallory", "03-activations"):
                path.write_text('{"cells": [', encoding="utf-8")  # a notebook that is not JSON
            else:
                nb = nbformat.read(path, as_version=4)
                nbformat.write(work_on(nb, student, assignment), path)
            exchange("submit", root, config, assignment, student, workspace)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "jupyter_config.py", root / "jupyter_config.py")
    for assignment in ASSIGNMENTS:
        shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    release = run_course(root, "release")
    assert release.returncode == 0, release.stdout + release.stderr
    submit_all(root)
    graded = run_course(root, "all")
    return {"root": root, "release": release, "all": graded}


def grades(root):
    with open(root / "course" / "grades.csv", newline="", encoding="utf-8") as f:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(f)}


def summary_rows(stdout):
    """[{column: text}] of the summary table, cut at the header's column starts."""
    lines = stdout.splitlines()
    header = lines[0]
    names = header.split()
    starts = [header.index(name) for name in names] + [None]
    return [{name: line[a:b].strip() for name, a, b in zip(names, starts, starts[1:])}
            for line in lines[2:] if line.strip()]


def summary_row(stdout, step, assignment, student):
    return next(row for row in summary_rows(stdout)
                if (row["step"], row["assignment"], row["student"]) == (step, assignment, student))


def status(stdout, step, assignment, student):
    return summary_row(stdout, step, assignment, student)["status"]


# ------------------------------------------------------------------ the proof
@pytest.mark.slow
def test_release_puts_every_assignment_in_the_exchange(course):
    outbound = course["root"] / "course" / "exchange" / "dlkit-deep-learning" / "outbound"
    assert sorted(p.name for p in outbound.iterdir()) == list(ASSIGNMENTS)
    assert "release  03-activations" in course["release"].stdout


@pytest.mark.slow
def test_exact_scores_per_student(course):
    table = grades(course["root"])
    for assignment in ASSIGNMENTS:
        for student in STUDENTS:
            row = table[(assignment, student)]
            assert float(row["score"]) == expected_score(student, assignment), (assignment, student)
        cells = source_notebook(assignment).cells
        total = sum(meta(c)["points"] for c in cells if meta(c).get("grade"))
        assert float(table[(assignment, "ada")]["max_score"]) == total
    assert expected_score("ada", "03-activations") > expected_score("eve", "03-activations") > 0


@pytest.mark.slow
def test_broken_notebooks_are_reported_and_the_batch_goes_on(course):
    result = course["all"]
    assert result.returncode == 1, "a failure must make the command fail"
    assert status(result.stdout, "autograde", "03-activations", "mallory") == "invalid notebook"
    assert status(result.stdout, "autograde", "04-losses", "mallory") == "kernel died"
    failures = result.stderr[result.stderr.index("failure(s):"):]
    assert "03-activations / mallory: invalid notebook" in failures
    assert "04-losses / mallory: kernel died" in failures
    assert failures.count("mallory") == 2 and "ada" not in failures and "eve" not in failures
    for assignment in ASSIGNMENTS:
        for student in ("ada", "bob", "eve"):
            assert status(result.stdout, "autograde", assignment, student) == "ok"
            assert status(result.stdout, "feedback", assignment, student) == "ok"


@pytest.mark.slow
def test_deleted_test_cell_is_put_back_and_reported(course):
    eve = summary_row(course["all"].stdout, "autograde", "04-losses", "eve")
    assert eve["status"] == "ok" and "deleted cells test-hinge" in eve["note"]


@pytest.mark.slow
def test_feedback_names_the_mistakes(course):
    for (student, assignment), (exercise_id, mistake) in HINTS.items():
        hint = next(m.hint for m in get_exercise(exercise_id).mistakes if m.name == mistake)
        page = course["root"] / "course" / "feedback" / student / assignment / f"{assignment}.html"
        text = " ".join(html.unescape(page.read_text(encoding="utf-8")).split())
        assert " ".join(hint.split()) in text, f"{student}/{assignment}: hint for {mistake!r} missing"
    ada = course["root"] / "course" / "feedback" / "ada" / "03-activations" / "03-activations.html"
    assert "Hint:" not in html.unescape(ada.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_feedback_is_released_to_the_students(course):
    released = course["root"] / "course" / "exchange" / "dlkit-deep-learning" / "feedback"
    # ada, bob, eve x two assignments, and mallory's 04 (graded 0: her kernel died)
    assert len(list(released.glob("*.html"))) == 7


@pytest.mark.slow
def test_written_answers_wait_for_manual_grading(course):
    from nbgrader.api import Gradebook

    db = "sqlite:///" + str(course["root"] / "course" / "gradebook.db")
    with Gradebook(db) as gb:
        assert gb.find_submission("03-activations", "ada").needs_manual_grade
        assert not gb.find_submission("03-activations", "bob").needs_manual_grade  # blank: 0 points


# ------------------------------------------------------------------ the command's parts (fast)
@pytest.mark.parametrize("text, status", [
    ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{'", "invalid notebook"),
    ("nbclient.exceptions.DeadKernelError: Kernel died", "kernel died"),
    ("This cell did not run: the kernel died (crash, memory or CPU limit).", "kernel died"),
    ("nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed", "timeout"),
    ("This cell did not run: the notebook ran longer than 900 s.", "timeout"),
    ("[WARNING] Missing grade cell test-relu encountered, adding to notebook\nKeyError: 'x'",
     "missing cells"),
    ("PermissionError: [Errno 13] Permission denied: 'course/exchange'", "failed"),
])
def test_failures_are_classified(text, status):
    assert cli.classify_failure(text) == status


def test_the_telling_error_line_is_kept():
    log = ("Traceback (most recent call last):\n  ...\n"
           "    nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{'\n"
           "nbgrader.converters.base.NbGraderException: Please see the above traceback")
    outcome = cli.outcome_of("autograde", {"success": False, "log": log}, "03-activations", "mallory")
    assert outcome.failed and outcome.status == "invalid notebook"
    assert outcome.detail == "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: '{'"
    assert not cli.outcome_of("release", {"success": True}, "03-activations").failed


def test_unfinished_cells_name_timeouts_and_the_kernel_stop():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def cell(grade_id, ename, evalue=""):
        out = new_output("error", ename=ename, evalue=evalue, traceback=[])
        return new_code_cell(metadata={"nbgrader": {"grade_id": grade_id}}, outputs=[out])

    died = "This cell did not run: the kernel died."
    nb = new_notebook(cells=[cell("relu", "CellTimeoutError"), cell("test-relu", "AssertionError"),
                             cell("sigmoid", "CellNotRun", died),
                             cell("test-sigmoid", "CellNotRun", died)])
    assert cli._unfinished_cells(nb) == ["relu timed out", died]


def test_deleted_cells_fail_only_when_nbgrader_cannot_put_them_back():
    ids = ({"test-relu", "test-tanh"}, {"relu", "tanh"})
    present = {"relu", "test-relu"}
    assert cli._deleted_cells("nb", ids, present, restored=False) == (
        [("missing cells", "nb: deleted test cells test-tanh")], [])
    assert cli._deleted_cells("nb", ids, present, restored=True) == (
        [], ["nb: deleted cells test-tanh, tanh (test cells restored from the gradebook)"])
    assert cli._deleted_cells("nb", ids, {"relu", "tanh", "test-relu", "test-tanh"}, True) == ([], [])


def test_progress_writes_one_line_per_item_in_a_log():
    import io

    stream = io.StringIO()
    assert list(cli.progress(["a", ("b", "ada")], "autograde", stream)) == ["a", ("b", "ada")]
    assert stream.getvalue().splitlines() == [
        "[....................] 0/2 autograde a",
        "[##########..........] 1/2 autograde b / ada",
        "[####################] 2/2 autograde done",
    ]


def test_summary_table_and_failure_list():
    import io

    outcomes = [cli.Outcome("autograde", "03-activations", "ada", score="13 / 15 + manual"),
                cli.Outcome("autograde", "03-activations", "mallory", "kernel died", detail="boom")]
    table, errors = io.StringIO(), io.StringIO()
    cli.print_summary(outcomes, table)
    failed = cli.print_failures(outcomes, errors)
    lines = table.getvalue().splitlines()
    assert lines[0].split() == ["step", "assignment", "student", "status", "score", "note"]
    assert summary_rows(table.getvalue())[0] == {
        "step": "autograde", "assignment": "03-activations", "student": "ada", "status": "ok",
        "score": "13 / 15 + manual", "note": ""}
    assert len({line.index("03-activations") for line in lines[2:]}) == 1  # aligned columns
    assert failed == outcomes[1:]
    assert "autograde 03-activations / mallory: kernel died: boom" in errors.getvalue()


def test_outside_a_course_the_command_says_where_to_run_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="Run it from the course root"):
        cli.load_course_config()
