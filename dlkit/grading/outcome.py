"""Calling a function on a case and recording what happened, as plain data.

An :class:`Outcome` is either a value (already reduced to plain data by
serialise.roundtrip, so no student object survives) or the text of the exception it
raised. The same type comes back from the sandbox, so one grading path serves both
the in-kernel check and the trusted grade.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from dlkit.grading.serialise import roundtrip

MAX_ERROR = 300


@dataclass(frozen=True)
class Outcome:
    value: object = None
    error: str = None

    @property
    def ok(self):
        return self.error is None


def call(fn, case, method=None):
    """Outcome of ``fn(*case.args, **case.kwargs)`` (or ``fn.<method>(...)``).

    Floating-point warnings are silenced: an overflow shows up in the values (inf, nan)
    where the comparison and the mistake catalogue see it, not as stderr noise.
    """
    args, kwargs = case.fresh_args()
    try:
        target = getattr(fn, method) if method else fn
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = target(*args, **kwargs)
        return Outcome(value=roundtrip(value))
    except Exception as exc:  # the student's error is the outcome, not a grader crash
        return Outcome(error=error_text(exc))


def error_text(exc):
    """'ValueError: shapes (2,3) and (2,3) not aligned', shortened."""
    try:
        text = f"{type(exc).__name__}: {exc}"
    except Exception:  # an exception whose __str__ fails
        text = type(exc).__name__
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 3] + "..."


def same_outcome(a, b, compare, tolerance):
    """Two outcomes agree: both raised the same kind of exception, or returned matching values."""
    if not a.ok or not b.ok:
        return not a.ok and not b.ok and a.error.split(":")[0] == b.error.split(":")[0]
    return compare(a.value, b.value, tolerance) is None
