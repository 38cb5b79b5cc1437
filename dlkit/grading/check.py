"""``check(exercise_id, fn, hidden=False)``: the one call in every assignment test cell.

    from dlkit.grading import check
    check("03-activations:softmax", softmax)

runs ``softmax`` on the exercise's cases in the student's own kernel and raises an
AssertionError naming the failing input and, when it recognises one, the mistake.
That is feedback, not the grade: code in the same kernel can tamper with anything
here. The grade comes from dlkit.grading.trusted, which repeats the check outside
the kernel during ``nbgrader autograde``.
"""

from dlkit.grading import exercise as _exercise
from dlkit.grading import outcome as _outcome
from dlkit.grading.verdict import evaluate


def check(exercise_id, fn, hidden=False):
    """Return None if ``fn`` matches the reference on every case; else raise AssertionError."""
    ex = _exercise.get(exercise_id)
    _refuse_reference(ex, fn)
    cases = ex.cases(hidden=hidden)
    outcomes = [_outcome.call(fn, case, ex.method) for case in cases]
    verdict = evaluate(ex, cases, outcomes, hidden=hidden)
    if not verdict.passed:
        raise AssertionError(verdict.message) from None


def _refuse_reference(ex, fn):
    module = getattr(fn, "__module__", None)
    from_library = isinstance(module, str) and module.split(".")[0] == "dlkit" \
        and not module.startswith("dlkit.grading")
    if ex.from_scratch and from_library:
        raise AssertionError(
            f"{ex.function_name} is dlkit's own {module}.{getattr(fn, '__name__', '?')}: "
            "this exercise asks you to write it yourself with NumPy. The grade runs your "
            "code where dlkit cannot be imported."
        )
