"""From outcomes to a verdict: compare with the reference, name the mistake, word it.

``evaluate(exercise, cases, outcomes)`` is the single grading rule, used by the check
in the student's kernel and by the trusted grade outside it. The reference and the
catalogued wrong variants always run here, in the grading process, on the same cases.
"""

import functools
from dataclasses import dataclass

from dlkit.grading import outcome as _outcome
from dlkit.grading.compare import compare
from dlkit.grading.describe import describe, describe_call


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    mistake: str = None


def reference_outcomes(exercise, cases):
    """The reference's outcome on every case; a reference that raises is a catalogue bug."""
    fn = exercise.reference_function()
    results = [_outcome.call(fn, case) for case in cases]
    for case, result in zip(cases, results):
        if not result.ok:
            raise RuntimeError(f"reference {exercise.reference} fails on {case.label!r}: {result.error}")
    return results


def evaluate(exercise, cases, outcomes, hidden=False, expected=None):
    """Verdict for the student's ``outcomes`` (one per case, in order)."""
    if exercise.judge:
        return exercise.judge(exercise, cases, outcomes, hidden)
    expected = expected or reference_outcomes(exercise, cases)
    for i, (case, want, got) in enumerate(zip(cases, expected, outcomes)):
        reason = _failure(want, got, exercise.tolerance, _scale(exercise, case, want))
        if reason:
            mistake = match_mistake(exercise, cases, outcomes, expected)
            text = failure_message(exercise, cases, i, got, want, reason, hidden, mistake)
            return Verdict(False, text, mistake.name if mistake else None)
    return Verdict(True)


def _failure(want, got, tolerance, scale=None):
    if not got.ok:
        return f"it raised {got.error}"
    return compare(want.value, got.value, tolerance, scale=scale)


def _scale(exercise, case, want):
    return exercise.error_scale(case, want.value) if want.ok else None


def _comparer(exercise, case, want):
    """compare() with the tolerance of this case (for outcome.same_outcome)."""
    return functools.partial(compare, scale=_scale(exercise, case, want))


def match_mistake(exercise, cases, outcomes, expected):
    """The first catalogued variant that behaves exactly like the student on every case.

    A variant that agrees with the reference on every case cannot be told apart here,
    so it never matches (the catalogue test makes sure each variant is caught by the
    hidden cases).
    """
    comparers = [_comparer(exercise, case, e) for case, e in zip(cases, expected)]
    for mistake in exercise.mistakes:
        variant = [_outcome.call(mistake.variant, case, exercise.method) for case in cases]
        distinct = any(not _outcome.same_outcome(v, e, cmp, exercise.tolerance)
                       for v, e, cmp in zip(variant, expected, comparers))
        if distinct and all(_outcome.same_outcome(v, s, cmp, exercise.tolerance)
                            for v, s, cmp in zip(variant, outcomes, comparers)):
            return mistake
    return None


def failure_message(exercise, cases, index, got, want, reason, hidden, mistake):
    """The feedback text: which input failed, expected vs got, and the hint if any."""
    case = cases[index]
    which = "hidden" if hidden else "visible"
    lines = [
        f"{exercise.function_name} is not correct yet ({which} test {index + 1} of "
        f"{len(cases)}: {case.label}).",
        f"  call:     {describe_call(exercise.function_name, case.args, case.kwargs)}",
        f"  expected: {describe(want.value)}",
        f"  got:      {describe(got.value) if got.ok else 'an exception, ' + got.error}",
        f"  problem:  {reason}",
    ]
    if mistake:
        lines.append(f"Hint: {mistake.hint}")
    return "\n".join(lines)
