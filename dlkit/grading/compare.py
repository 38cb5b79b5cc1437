"""Compare a student's output with the reference: type, shape, dtype, then values.

Both sides are plain data (see serialise). ``compare(expected, got, tol)`` returns
None when they agree and otherwise a one-line reason such as

    "output[1]: shape (3, 2) expected, got (2, 3)"
    "values differ at 4 of 6 positions; worst at [0, 2]: expected 0.6652, got nan"

Numbers agree when |got - expected| <= atol + rtol·max(|expected|, scale) (NaN
matches NaN, inf matches inf of the same sign). ``scale`` (same structure as
expected, optional) is the size of the quantities an honest computation cancels:
w - step rounds in proportion to |w| + |step|, not to the small difference, so a
tolerance relative to the result alone would fail correct answers on unlucky draws.
No broadcasting: (n,) never equals (n, 1).
"""

from dataclasses import dataclass

import numpy as np

from dlkit.grading.serialise import Opaque


@dataclass(frozen=True)
class Tolerance:
    """How strictly outputs are compared.

    dtype: "exact" (float32 in -> float32 out), "kind" (any float is fine) or "any".
    strict_sequences: a list is not a tuple (for shape(x)); else they are interchangeable.
    rtol/atol: None -> chosen from the expected dtype (float32 looser than float64).
    """

    rtol: float = None
    atol: float = None
    dtype: str = "exact"
    strict_sequences: bool = False


DEFAULT = Tolerance()
_AUTO = {np.dtype(np.float16): (1e-2, 1e-3), np.dtype(np.float32): (1e-4, 1e-6),
         np.dtype(np.float64): (1e-7, 1e-10)}


def compare(expected, got, tol=DEFAULT, path="output", scale=None):
    """None if ``got`` matches ``expected``, else a reason (str) naming where it differs.

    ``scale``: None, or magnitudes with the structure of ``expected`` (None inside it
    where there is none) that widen the relative tolerance, see the module docstring.
    """
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(expected, got, tol, path, scale)
    if isinstance(expected, dict):
        return _compare_dict(expected, got, tol, path, scale)
    if isinstance(expected, str) or expected is None:
        return None if _same_plain(expected, got) else f"{path}: expected {expected!r}, got {_kind(got)}"
    if _is_number(expected):
        return _compare_numeric(expected, got, tol, path, scale)
    raise TypeError(f"cannot compare reference output of type {type(expected).__name__}")


def _same_plain(expected, got):
    return type(got) is type(expected) and got == expected


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, Opaque):
        return f"a {value.description}"
    if isinstance(value, str):
        return repr(value)
    return f"a {type(value).__name__}" + (f" {value!r}" if _is_number(value) else "")


def _is_number(value):
    return isinstance(value, (np.ndarray, np.generic, int, float, bool)) and not (
        isinstance(value, np.ndarray) and value.dtype.kind not in "biufc")


# ---------------------------------------------------------------- containers
def _part(scale, key):
    return None if scale is None else scale[key]


def _compare_sequence(expected, got, tol, path, scale):
    ok_types = (type(expected),) if tol.strict_sequences else (tuple, list)
    if not isinstance(got, ok_types):
        want = type(expected).__name__ if tol.strict_sequences else "tuple"
        return f"{path}: expected a {want} of {len(expected)} values, got {_kind(got)}"
    if len(got) != len(expected):
        return f"{path}: expected {len(expected)} values, got {len(got)}"
    for i, (e, g) in enumerate(zip(expected, got)):
        reason = compare(e, g, tol, f"{path}[{i}]", _part(scale, i))
        if reason:
            return reason
    return None


def _compare_dict(expected, got, tol, path, scale):
    if not isinstance(got, dict):
        return f"{path}: expected a dict with keys {sorted(expected)}, got {_kind(got)}"
    if set(got) != set(expected):
        return f"{path}: expected keys {sorted(map(str, expected))}, got {sorted(map(str, got))}"
    for key in expected:
        reason = compare(expected[key], got[key], tol, f"{path}[{key!r}]", _part(scale, key))
        if reason:
            return reason
    return None


# ---------------------------------------------------------------- numbers
def _compare_numeric(expected, got, tol, path, scale):
    if not _is_number(got):
        return f"{path}: expected {_number_kind(expected)}, got {_kind(got)}"
    e, g = np.asarray(expected), np.asarray(got)
    if e.shape != g.shape:
        return f"{path}: shape {e.shape} expected, got {g.shape}"
    reason = _compare_dtype(expected, got, e, g, tol)
    if reason:
        return f"{path}: {reason}"
    if e.dtype.kind in "biu" and isinstance(expected, (int, np.integer)) and not np.array_equal(e, g):
        return f"{path}: expected {e.tolist()!r}, got {g.tolist()!r}"
    return _compare_values(e, g, tol, path, scale)


def _number_kind(expected):
    if isinstance(expected, np.ndarray):
        return f"a {expected.dtype} array of shape {expected.shape}"
    if isinstance(expected, (bool, int, np.integer)):
        return "an integer"
    return "a number"


def _compare_dtype(expected, got, e, g, tol):
    if isinstance(expected, (bool, np.bool_)) != isinstance(got, (bool, np.bool_)) \
            and e.ndim == 0:
        return f"expected {_number_kind(expected)}, got {_kind(got)}"
    if e.dtype.kind in "iu" and isinstance(expected, (int, np.integer)):
        if g.dtype.kind not in "iu":
            return f"expected an integer, got {_kind(got)}"
        return None
    if tol.dtype == "any" or not isinstance(expected, (np.ndarray, np.generic)):
        return None if g.dtype.kind in "biuf" else f"expected a real number, got {g.dtype}"
    if tol.dtype == "kind":
        return None if g.dtype.kind == e.dtype.kind else f"dtype {e.dtype} expected, got {g.dtype}"
    if g.dtype != e.dtype:
        shown = "a Python float (float64)" if isinstance(got, float) else str(g.dtype)
        return f"dtype {e.dtype} expected, got {shown}"
    return None


def _compare_values(e, g, tol, path, scale):
    rtol, atol = _tolerances(e, tol)
    e64, g64 = e.astype(np.float64), g.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        size = np.abs(e64)
        if scale is not None:
            s = np.broadcast_to(np.abs(np.asarray(scale, dtype=np.float64)), e64.shape)
            size = np.where(np.isfinite(s), np.maximum(size, s), size)
        near = np.abs(g64 - e64) <= atol + rtol * size
        same = (g64 == e64) | (np.isnan(g64) & np.isnan(e64))  # inf, -inf and nan: exactly
        close = np.where(np.isfinite(e64), near, same)
    if close.all():
        return None
    bad = np.argwhere(~close) if e.ndim else np.zeros((1, 0), dtype=int)
    where = tuple(int(i) for i in bad[0])
    count = int((~close).sum())
    at = f" at {list(where)}" if e.ndim else ""
    return (f"{path}: values differ at {count} of {e.size} positions; first{at}: "
            f"expected {_num(e64[where])}, got {_num(g64[where])}")


def _tolerances(e, tol):
    auto = _AUTO.get(e.dtype, _AUTO[np.dtype(np.float64)])
    return (auto[0] if tol.rtol is None else tol.rtol, auto[1] if tol.atol is None else tol.atol)


def _num(x):
    return f"{x:.6g}"
