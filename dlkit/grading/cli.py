"""``dlkit-course``: each whole-course nbgrader step in one command.

Run from the course root (the folder with jupyter_config.py), like plain nbgrader::

    dlkit-course release      generate the student version of every assignment in
                              solutions/ and release it to the exchange
    dlkit-course autograde    collect submissions from the exchange, then autograde
                              every submission of every assignment
    dlkit-course feedback     generate (and release to the exchange) the feedback of
                              every autograded submission
    dlkit-course export       write the gradebook to course/grades.csv
    dlkit-course all          the four steps above, in that order

It drives nbgrader's Python API (``NbGraderAPI``) with the course configuration, so
it does exactly what ``nbgrader generate_assignment/autograde/...`` would do, one
call per assignment and student. A failing item (a student's notebook that is not
valid JSON, lost its test cells, crashes the kernel or runs into the cell timeout)
is reported and the batch goes on; the exit status is 1 when anything failed, and
the failures are listed after the summary table.
"""

import argparse
import contextlib
import dataclasses
import logging
import os
import re
import sys

STEPS = ("release", "autograde", "feedback", "export")
COURSE_MARKER = "dlkit-course-config"  # first line of the course's jupyter_config.py

# Failure messages of nbgrader/nbclient -> the status the summary shows (first match wins).
FAILURE_KINDS = (
    ("invalid notebook", ("NotJSONError", "not appear to be JSON", "NBFormatError",
                          "JSONDecodeError", "Notebook does not appear")),
    ("kernel died", ("DeadKernelError", "Kernel died", "kernel died")),
    ("timeout", ("CellTimeoutError", "TimeoutError", "timed out", "Timeout waiting",
                 "ran longer than", "stopped answering")),
    ("missing cells", ("Missing grade cell", "missing grade cell")),
)

ERROR_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b.*:")


@dataclasses.dataclass
class Outcome:
    """What one step did to one assignment (and student): a row of the summary."""

    step: str
    assignment: str
    student: str = ""
    status: str = "ok"
    score: str = ""
    detail: str = ""

    @property
    def failed(self):
        return self.status != "ok"


# --------------------------------------------------------------------- set-up
def _put_environment_on_path():
    """nbgrader runs `alembic` as a subprocess: the interpreter's bin/ must be on PATH
    even when the venv was not activated (e.g. .venv/bin/dlkit-course)."""
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _is_course_root(path):
    config = os.path.join(path, "jupyter_config.py")
    if not os.path.isfile(config):
        return False
    with open(config, encoding="utf-8") as f:
        return COURSE_MARKER in f.read(4096)


def load_course_config():
    """The configuration plain `nbgrader` sees when started here (config paths + cwd).

    The loader installed in <env>/etc/jupyter brings in ./jupyter_config.py; an editable
    install lacks it, so that file is then loaded directly.
    """
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from traitlets.config.loader import PyFileConfigLoader

    app = NbGraderApp()
    app.log.setLevel("ERROR")  # "No nbgrader_config.py file found" is expected here
    app.load_config_file()
    config = app.config
    if not config.CourseDirectory.get("course_id") and _is_course_root(os.getcwd()):
        config.merge(PyFileConfigLoader("jupyter_config.py", path=os.getcwd()).load_config())
    if not config.CourseDirectory.get("course_id"):
        raise SystemExit(
            f"dlkit-course: no course configuration found in {os.getcwd()}. Run it from the "
            "course root, the folder that holds the course's jupyter_config.py."
        )
    return config


def open_api(config):
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=config)
    api.log_level = logging.WARNING  # the log of each call is captured into its result
    return api


@contextlib.contextmanager
def _quiet_output():
    """Send file descriptors 1 and 2 to /dev/null while nbgrader works.

    Kernels started by nbgrader inherit them and print start-up messages there, and the
    gradebook prints SQLAlchemy warnings: noise between the progress lines. Nothing is
    lost: each API call captures its errors and log in its result.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)


def call(method, *args, **kwargs):
    """One NbGraderAPI call, quietly; returns its result dict."""
    with _quiet_output():
        return method(*args, **kwargs)


# --------------------------------------------------------------------- progress
def progress(items, label, stream=None):
    """Yield ``items`` while drawing a plain-text bar: [####......] 3/10 label item.

    On a terminal the bar redraws in place; in a log (CI) each item gets its own line.
    """
    stream = stream or sys.stderr
    items = list(items)
    for done, item in enumerate(items):
        _draw_bar(stream, done, len(items), f"{label} {_describe(item)}")
        yield item
    _draw_bar(stream, len(items), len(items), f"{label} done")


def _describe(item):
    return " / ".join(item) if isinstance(item, tuple) else str(item)


def _draw_bar(stream, done, total, text, width=20):
    filled = width * done // total if total else width
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {text}"
    if stream.isatty():  # redraw in place; keep the finished bar
        stream.write("\r\033[K" + line + ("\n" if done == total else ""))
    else:
        stream.write(line + "\n")
    stream.flush()


# --------------------------------------------------------------------- results
def _first_error_line(text):
    """The most telling line of a traceback or log: the last "SomeError: message" that is
    not nbgrader's generic wrapper, else the last non-empty line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    errors = [line for line in lines if ERROR_LINE.match(line) and "NbGraderException" not in line]
    chosen = errors[-1] if errors else (lines[-1] if lines else "")
    return chosen[:160]


def classify_failure(text):
    """Map nbgrader's error text to a short status ("kernel died", "timeout", ...)."""
    for status, needles in FAILURE_KINDS:
        if any(needle in (text or "") for needle in needles):
            return status
    return "failed"


def outcome_of(step, result, assignment, student=""):
    """An Outcome from an NbGraderAPI result dict {success, error?, log?}."""
    if result is None:  # the exchange is not available on Windows
        return Outcome(step, assignment, student, "failed", detail="no exchange on this platform")
    if result.get("success"):
        return Outcome(step, assignment, student)
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    return Outcome(step, assignment, student, classify_failure(text),
                   detail=_first_error_line(text))


def format_table(header, rows):
    """Rows of strings as an aligned plain-text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in [header, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def print_summary(outcomes, stream=None):
    stream = stream or sys.stdout
    header = ("step", "assignment", "student", "status", "score", "note")
    rows = [(o.step, o.assignment, o.student or "-", o.status, o.score or "-", o.detail[:70])
            for o in outcomes]
    stream.write(format_table(header, rows) + "\n")


def print_failures(outcomes, stream=None):
    stream = stream or sys.stderr
    failed = [o for o in outcomes if o.failed]
    if failed:
        stream.write(f"\n{len(failed)} failure(s):\n")
        for o in failed:
            who = f"{o.assignment} / {o.student}" if o.student else o.assignment
            stream.write(f"  {o.step} {who}: {o.status}: {o.detail}\n")
    return failed


# --------------------------------------------------------------------- the steps
def _selected(names, wanted):
    return sorted(n for n in names if not wanted or n in wanted)


def release_step(api, options):
    """generate_assignment + release to the exchange, for every source assignment."""
    outcomes = []
    for assignment in progress(_selected(api.get_source_assignments(), options.assignment), "release"):
        result = call(api.generate_assignment, assignment, force=True, create=True)
        if result["success"]:
            result = call(_release_to_exchange, api, assignment)
        outcomes.append(outcome_of("release", result, assignment))
    return outcomes


def _release_to_exchange(api, assignment):
    """NbGraderAPI.release_assignment with force: releasing again replaces the old copy."""
    from nbgrader.utils import capture_log, temp_attrs

    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = api.exchange.ReleaseAssignment(
            coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        app.force = True
        return capture_log(app)


def _collect(api, options):
    """Pull new submissions from the exchange into course/submitted/."""
    outcomes = []
    for assignment in _selected(api.get_released_assignments(), options.assignment):
        outcome = outcome_of("collect", call(api.collect, assignment, update=True), assignment)
        if outcome.failed:  # a successful collect is not worth a row of its own
            outcomes.append(outcome)
    return outcomes


def _submissions(api, options):
    assignments = _selected(api.get_source_assignments(), options.assignment)
    return [(a, s) for a in assignments
            for s in _selected(api.get_submitted_students(a), options.student)]


def autograde_step(api, options):
    """Collect from the exchange, then autograde every (assignment, student) submitted."""
    outcomes = _collect(api, options)
    for assignment, student in progress(_submissions(api, options), "autograde"):
        result = call(api.autograde, assignment, student, force=True, create=True)
        outcome = outcome_of("autograde", result, assignment, student)
        if not outcome.failed:
            outcome = _inspect_autograded(api, outcome)
        outcomes.append(outcome)
    return outcomes


def _inspect_autograded(api, outcome):
    """Score from the gradebook, plus what a clean run can still hide: a cell that hit
    the timeout, or cells the student deleted."""
    problems, notes = _problems_in_submission(api, outcome.assignment, outcome.student)
    if problems:
        outcome.status, outcome.detail = problems[0]
    outcome.detail = "; ".join(filter(None, [outcome.detail, *notes]))
    outcome.score = _score(api, outcome.assignment, outcome.student)
    return outcome


def _problems_in_submission(api, assignment, student):
    """([(status, detail)] that make the item a failure, [notes]) for one submission."""
    import nbformat

    problems, notes = [], []
    for notebook, cell_ids in _gradebook_cell_ids(api, assignment).items():
        submitted = _notebook_path(api, api.coursedir.submitted_directory,
                                   assignment, student, notebook)
        if not os.path.isfile(submitted):
            problems.append(("missing notebook", f"{notebook}.ipynb was not submitted"))
            continue
        present = _cell_ids(nbformat.read(submitted, as_version=4))
        problem, note = _deleted_cells(notebook, cell_ids, present, _restores_missing_cells(api))
        problems += problem
        notes += note
        graded = _notebook_path(api, api.coursedir.autograded_directory, assignment, student, notebook)
        problems += [(classify_failure(why), f"{notebook}: {why}")
                     for why in _unfinished_cells(nbformat.read(graded, as_version=4))]
    return problems, notes


def _deleted_cells(notebook, cell_ids, present, restored):
    """([problem], [note]) for cells missing from a submission.

    Deleted test cells are a failure only when nbgrader leaves them out of the grade
    (OverwriteCells.add_missing_cells off). When it puts them back they are a note, like
    deleted answer cells, whose tests then fail and score 0 as they should.
    """
    test_ids, answer_ids = cell_ids
    lost_tests, lost_answers = sorted(test_ids - present), sorted(answer_ids - present)
    if lost_tests and not restored:
        return [("missing cells", f"{notebook}: deleted test cells {', '.join(lost_tests)}")], []
    if not (lost_tests or lost_answers):
        return [], []
    restored_note = " (test cells restored from the gradebook)" if lost_tests else ""
    return [], [f"{notebook}: deleted cells {', '.join(lost_tests + lost_answers)}{restored_note}"]


def _restores_missing_cells(api):
    from nbgrader.preprocessors import OverwriteCells

    return OverwriteCells(config=api.config).add_missing_cells


def _notebook_path(api, directory, assignment, student, notebook):
    folder = api.coursedir.format_path(directory, student, assignment)
    return os.path.join(folder, notebook + ".ipynb")


def _gradebook_cell_ids(api, assignment):
    """{notebook name: (ids of its graded cells, ids of its other answer cells)}."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url) as gb:
        notebooks = gb.find_assignment(assignment).notebooks
        return {nb.name: ({c.name for c in nb.grade_cells},
                          {c.name for c in nb.solution_cells} - {c.name for c in nb.grade_cells})
                for nb in notebooks}


def _cell_ids(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}


def _unfinished_cells(nb):
    """Why cells of an autograded notebook did not finish: a cell that hit the timeout,
    or the first cell the grader did not run after the kernel died or stopped
    (dlkit.grading.execute writes "CellNotRun" into every remaining cell)."""
    reasons = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = cell.metadata.get("nbgrader", {}).get("grade_id", "a cell")
            if out.get("ename") == "CellTimeoutError":
                reasons.append(f"{name} timed out")
            elif out.get("ename") == "CellNotRun":
                return reasons + [out.get("evalue", "")]
    return reasons


def _score(api, assignment, student):
    """'7 / 12' from the gradebook, with '+ manual' while written answers await grading."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(api.coursedir.db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return ""
        text = f"{submission.score:g} / {submission.max_score:g}"
        return text + (" + manual" if submission.needs_manual_grade else "")


def feedback_step(api, options):
    """generate_feedback for every autograded submission, then release it to the exchange
    (where students fetch it from the Assignment List)."""
    outcomes = []
    pairs = [(a, s) for a in _selected(api.get_source_assignments(), options.assignment)
             for s in _selected(api.get_autograded_students(a), options.student)]
    for assignment, student in progress(pairs, "feedback"):
        result = call(api.generate_feedback, assignment, student, force=True)
        outcome = outcome_of("feedback", result, assignment, student)
        if not outcome.failed:
            outcome = _release_feedback(api, outcome)
        outcomes.append(outcome)
    return outcomes


def _release_feedback(api, outcome):
    """Release to the exchange, which needs the submission's timestamp.txt (written by
    `nbgrader collect`); a submission copied into course/submitted by hand has none."""
    folder = api.coursedir.format_path(api.coursedir.feedback_directory, outcome.student,
                                       outcome.assignment)
    if not api.exchange_is_functional or not os.path.isfile(os.path.join(folder, "timestamp.txt")):
        outcome.detail = "generated; not released (no timestamp.txt: not collected from the exchange)"
        return outcome
    result = call(api.release_feedback, outcome.assignment, outcome.student)
    return outcome_of("feedback", result, outcome.assignment, outcome.student)


def export_step(api, options):
    """The gradebook as CSV (nbgrader's CsvExportPlugin), by default course/grades.csv."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    to = options.to or os.path.join(api.coursedir.root, "course", "grades.csv")
    plugin = CsvExportPlugin(parent=api, to=to)
    try:
        with Gradebook(api.coursedir.db_url) as gb:
            plugin.export(gb)
    except Exception as error:  # noqa: BLE001 - reported in the summary, exit status 1
        return [Outcome("export", "*", status="failed", detail=f"{type(error).__name__}: {error}")]
    return [Outcome("export", "*", detail=f"wrote {os.path.relpath(to)}")]


STEP_FUNCTIONS = {
    "release": release_step,
    "autograde": autograde_step,
    "feedback": feedback_step,
    "export": export_step,
}


# --------------------------------------------------------------------- entry point
def parse_args(argv=None):
    usage = "\n\n".join(__doc__.split("\n\n")[:3])  # the title and the list of steps
    parser = argparse.ArgumentParser(
        prog="dlkit-course", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=usage.replace("``", "").replace("::", ":"))
    parser.add_argument("step", choices=(*STEPS, "all"), help="what to do for the whole course")
    parser.add_argument("-a", "--assignment", action="append", default=[],
                        help="only this assignment (repeatable); default: all")
    parser.add_argument("-s", "--student", action="append", default=[],
                        help="only this student (repeatable); default: all")
    parser.add_argument("--to", default="", help="export: CSV path (default course/grades.csv)")
    return parser.parse_args(argv)


def run(steps, options):
    """Run the steps in order; returns every Outcome."""
    _put_environment_on_path()
    api = open_api(load_course_config())
    outcomes = []
    for step in steps:
        outcomes += STEP_FUNCTIONS[step](api, options)
    return outcomes


def main(argv=None):
    options = parse_args(argv)
    steps = STEPS if options.step == "all" else (options.step,)
    outcomes = run(steps, options)
    print_summary(outcomes)
    return 1 if print_failures(outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
