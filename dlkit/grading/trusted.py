"""The authoritative grade: an nbgrader autograde preprocessor that re-checks outside the kernel.

In stock nbgrader a test cell passes when it raises nothing in the student's own
kernel, where the student's code can patch numpy.testing, replace dlkit.grading,
silence tracebacks or re-seed generators. ``TrustedGrading`` runs after ``Execute``:

1. reads each test cell's source from the gradebook (the instructor's version) and
   finds its ``check("<exercise>", fn, hidden=...)`` calls;
2. draws the hidden cases from a secret seed and runs the student's cells in a fresh
   jailed process (dlkit not importable for from-scratch exercises), which calls the
   functions and returns plain data (dlkit.grading.runner);
3. compares that data with dlkit's reference here, in the grader's process, rejects
   copied dlkit source (copydetect) and dynamic code (screen);
4. rewrites each checked test cell's outputs from that verdict. A test cell whose
   instructor source is nothing but check() calls (and the import of check) is decided
   by the verdict alone: the jailed run already isolates the student's cells (each has
   its own CPU budget, a failing cell does not stop the rest), so what another cell
   did to the kernel (printed 200 MB, crashed it, timed out on a loaded machine)
   costs only that cell's own exercise. A test cell with other code besides check()
   passes only if the verdict passes AND the cell ran without error in the kernel.

Test cells without a readable check() call keep nbgrader's in-kernel result and are
listed in the log as not protected.

Budgets are CPU seconds with a wall-clock backstop ``wall_factor`` times as long, so
the same notebook gets the same grade on an idle and on a loaded machine.
"""

import ast

import secrets
import time
import zlib

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from dlkit.grading import copydetect, jail, runner, screen
from dlkit.grading import exercise as _exercise
from dlkit.grading import notebook as _notebook
from dlkit.grading.assignment_files import assignment_files
from dlkit.grading.verdict import Verdict, evaluate

PASS_TEXT = "Checked by the grader outside your notebook: passed.\n"


class TrustedGrading(NbGraderPreprocessor):
    """Recompute every check() test cell in a jail and set its outcome from that verdict."""

    seed = Integer(None, allow_none=True,
                   help="Seed of the hidden cases (None: a new secret seed per notebook).").tag(config=True)
    deadline = Float(180.0, help="CPU seconds for the jailed run of one notebook.").tag(config=True)
    call_timeout = Float(20.0, help="CPU seconds for one call of a student's function.").tag(config=True)
    cell_timeout = Float(30.0, help="CPU seconds for one cell of the student's code.").tag(config=True)
    wall_factor = Float(10.0, help="Each CPU budget also ends after this many times as many wall "
                                   "seconds (code that sleeps uses no CPU).").tag(config=True)
    cpu_seconds = Integer(300, help="CPU seconds for the jailed run.").tag(config=True)
    memory = Integer(4 << 30, help="Address space of the jailed run, bytes.").tag(config=True)
    processes = Integer(64, help="Processes/threads of the jailed run.").tag(config=True)
    use_bubblewrap = Bool(True, help="Sandbox with bubblewrap where it works.").tag(config=True)

    def preprocess(self, nb, resources):
        start = time.monotonic()
        info = resources["nbgrader"]
        tests = self._test_sources(info["db_url"], info["notebook"], info["assignment"])
        plan = {gid: _notebook.check_calls(src) for gid, src in tests.items()}
        unprotected = sorted(gid for gid, calls in plan.items() if not calls)
        if unprotected:
            self.log.warning("dlkit trusted grading: cells without check(), graded in the kernel "
                             "only: %s", ", ".join(unprotected))
        plan = {gid: calls for gid, calls in plan.items() if calls}
        if not plan:
            return nb, resources
        verdicts = self._verdicts(nb, resources, plan)
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in verdicts and _notebook.is_test_cell(cell):
                _apply(cell, verdicts[gid], kernel_matters=not only_checks(tests[gid]))
        self.log.info("dlkit trusted grading: %s/%s/%s: %d of %d checked cells passed in %.2fs (%s)",
                      info["student"], info["assignment"], info["notebook"],
                      sum(v.passed for v in verdicts.values()), len(verdicts),
                      time.monotonic() - start, jail.describe())
        return nb, resources

    # ------------------------------------------------------------ trusted inputs
    def _test_sources(self, db_url, notebook_id, assignment_id):
        """{grade_id: source} of the notebook's code test cells, from the gradebook."""
        with Gradebook(db_url) as gb:
            try:
                nb = gb.find_notebook(notebook_id, assignment_id)
            except MissingEntry:
                return {}
            solution_ids = {c.name for c in nb.solution_cells}
            return {cell.name: gb.find_source_cell(cell.name, notebook_id, assignment_id).source
                    for cell in nb.grade_cells
                    if cell.cell_type == "code" and cell.name not in solution_ids}

    # ------------------------------------------------------------ the verdicts
    def _verdicts(self, nb, resources, plan):
        seed = self.seed if self.seed is not None else secrets.randbits(63)
        checks = [(gid, call) for gid, calls in plan.items() for call in calls]
        planned = [_plan(call, seed) for _, call in checks]
        editable = _notebook.editable_cells(nb)
        scratch = any(p[0] is not None and p[0].from_scratch for p in planned)
        rejected = self._rejections(editable, checks, scratch)
        worker_calls = [runner.Call(call.expr, case.args, case.kwargs, ex.method)
                        for (_, call), (ex, cases) in zip(checks, planned) if ex for case in cases]
        report = runner.run_calls(_notebook.student_cells(nb), worker_calls, self._jail(resources, scratch),
                                  deadline=self.deadline, call_timeout=self.call_timeout,
                                  cell_timeout=self.cell_timeout, wall_factor=self.wall_factor)
        cpu = "?" if report.cpu_seconds is None else f"{report.cpu_seconds:.2f}"
        self.log.info("dlkit trusted grading: jailed run %s after %.2f s (%s s CPU)",
                      report.killed or "finished", report.seconds, cpu)
        if report.killed or report.stderr.strip():
            self.log.info("dlkit trusted grading: stderr tail: %s", report.stderr[-500:])
        outcomes = iter(report.outcomes)
        per_cell = {}
        for (gid, call), (ex, cases) in zip(checks, planned):
            results = [next(outcomes) for _ in cases] if ex else []
            per_cell.setdefault(gid, []).append(_verdict(call, ex, cases, results, rejected))
        return {gid: _combine(vs) for gid, vs in per_cell.items()}

    def _rejections(self, editable, checks, scratch):
        """{function expr: reason} for copied dlkit code or dynamic code (from-scratch only)."""
        if not scratch:
            return {}
        findings = screen.screen(editable)
        if findings:
            reason = ("your answers use code that builds code at run time (" + "; ".join(findings[:3]) +
                      "), which graded answers may not use. Your instructor can review this.")
            return {call.expr: reason for _, call in checks}
        copies = copydetect.copied_functions(editable)
        names = {call.expr for _, call in checks}
        return {name: f"{name} (or a function it calls) is a copy of dlkit's "
                      f"{sorted(set(copies.values()))[0]}; write your own implementation."
                for name in copydetect.tainted(names, copies, editable)}

    def _jail(self, resources, scratch):
        cwd = resources.get("metadata", {}).get("path") or "/tmp/grader"
        info = resources["nbgrader"]
        files = assignment_files(CourseDirectory(config=self.config), info["assignment"])
        limits = jail.Limits(cpu_seconds=self.cpu_seconds, memory=self.memory, processes=self.processes)
        return jail.Jail(cwd=cwd, limits=limits, allow_dlkit=not scratch, cwd_files=tuple(files),
                         use_bubblewrap=self.use_bubblewrap)


# ---------------------------------------------------------------- helpers
def _plan(call, seed):
    """(exercise, cases) for one check call; (None, []) for an unknown exercise id."""
    try:
        ex = _exercise.get(call.exercise_id)
    except ValueError:
        return None, []
    case_seed = (seed ^ zlib.crc32(call.exercise_id.encode())) if call.hidden else None
    return ex, ex.cases(hidden=call.hidden, seed=case_seed)


def _verdict(call, ex, cases, results, rejected):
    if ex is None:
        return Verdict(False, f"the test cell names an unknown exercise {call.exercise_id!r} "
                              "(ask your instructor).")
    if call.expr in rejected:
        return Verdict(False, f"{ex.function_name}: {rejected[call.expr]}")
    return evaluate(ex, cases, results, hidden=call.hidden)


def _combine(verdicts):
    failed = [v for v in verdicts if not v.passed]
    if not failed:
        return Verdict(True)
    return Verdict(False, "\n\n".join(v.message for v in failed))


def only_checks(source):
    """Is this test cell nothing but check() calls (and imports of check)?

    Such a cell has nothing left to run in the kernel once its checks are repeated in
    the jail, so its outcome is the trusted verdict alone.
    """
    try:
        tree = ast.parse(_notebook.python_source(source))
    except SyntaxError:
        return False
    calls = _notebook.check_calls(source)
    statements = [node for node in tree.body if not _imports_check(node)]
    return bool(calls) and len(statements) == len(calls) and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and _notebook.check_calls(ast.unparse(node)) for node in statements)


def _imports_check(node):
    return (isinstance(node, ast.ImportFrom) and node.module == "dlkit.grading"
            and [alias.name for alias in node.names] == ["check"] and node.names[0].asname is None)


def _apply(cell, verdict, kernel_matters=True):
    """Set the test cell's outputs from the trusted verdict (and, if it matters, the kernel's errors)."""
    kernel_errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    ran = cell.get("execution_count") is not None
    if not verdict.passed:
        cell.outputs = [_error("AssertionError", verdict.message)]
    elif not kernel_matters:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=PASS_TEXT)]
    elif kernel_errors:
        cell.outputs = kernel_errors[:1]
    elif not ran:
        cell.outputs = [_error("RuntimeError", "this test cell did not run in the notebook "
                                               "(the kernel died or stopped before it)")]
    else:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=PASS_TEXT)]


def _error(name, message):
    return nbformat.v4.new_output("error", ename=name, evalue=message,
                                  traceback=[f"{name}: {message}"])
