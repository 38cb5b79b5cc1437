"""compare(): type, shape, dtype, then values, with readable reasons and no broadcasting."""

import numpy as np
import pytest

from dlkit.grading.compare import Tolerance, compare
from dlkit.grading.serialise import Opaque

F32 = np.float32


def test_equal_arrays_and_tolerances():
    a = np.array([1.0, 2.0, 3.0], dtype=F32)
    assert compare(a, a.copy()) is None
    assert compare(a, a * (1 + 5e-5)) is None  # float32: rtol 1e-4
    assert "values differ" in compare(a, a * 1.01)
    b = a.astype(np.float64)
    assert compare(b, b * (1 + 5e-5)) is not None  # float64 is held to 1e-7


def test_no_broadcasting_between_n_and_n_by_1():
    reason = compare(np.zeros(3, F32), np.zeros((3, 1), F32))
    assert reason == "output: shape (3,) expected, got (3, 1)"


def test_dtype_is_part_of_the_answer():
    assert compare(np.zeros(2, F32), np.zeros(2)) == "output: dtype float32 expected, got float64"
    assert compare(np.zeros(2, F32), np.zeros(2), Tolerance(dtype="kind")) is None
    assert "bool" in compare(np.zeros(2, F32), np.zeros(2, dtype=bool))


def test_nan_and_inf_match_only_themselves():
    e = np.array([np.nan, np.inf, -np.inf, 1.0])
    assert compare(e, e.copy()) is None
    assert "expected inf, got nan" in compare(np.array([np.inf]), np.array([np.nan]))
    assert "first at [1]" in compare(e, np.array([np.nan, -np.inf, -np.inf, 1.0]))


def test_containers():
    t = (np.ones(2, F32), np.zeros(1, F32))
    assert compare(t, [t[0], t[1]]) is None  # a list is fine for several outputs ...
    assert "expected a tuple of 2 values, got a list" in compare((3, 2), [3, 2], Tolerance(strict_sequences=True))
    assert compare(t, (t[0],)) == "output: expected 2 values, got 1"
    assert compare(t, (t[0], t[1] + 1)).startswith("output[1]: values differ")
    d = {"learning_rate": 0.01, "momentum": 0.9}
    assert compare(d, dict(d)) is None
    assert "expected keys" in compare(d, {"lr": 0.01, "momentum": 0.9})
    assert "output['momentum']" in compare(d, {"learning_rate": 0.01, "momentum": 0.1})


def test_scalars_strings_and_integers():
    assert compare("minimum", "minimum") is None
    assert compare("minimum", "maximum") == "output: expected 'minimum', got 'maximum'"
    assert compare(3, np.int64(3)) is None
    assert "expected an integer" in compare(3, 3.0)
    assert compare(0.5, np.float64(0.5)) is None
    assert "expected 2" in compare(2, 3) or "values differ" in compare(2, 3)


@pytest.mark.parametrize("got", [Opaque("Always object"), "0.5", None, [0.5]])
def test_non_numbers_never_pass_for_numbers(got):
    assert compare(np.float32(0.5), got) is not None


def test_scale_sets_the_tolerance_where_an_honest_computation_cancels():
    w, step = np.float32(1.7), np.float32(1.69)
    expected = np.array([w - step], F32)  # 0.01: two large numbers nearly cancel
    got = expected + np.float32(2e-5)  # 1e-5 of the step, as float32 rounding of the step gives
    assert "values differ" in compare(expected, got)  # relative to 0.01 alone: too strict
    assert compare(expected, got, scale=np.array([abs(w) + abs(step)])) is None
    assert "values differ" in compare(expected, expected + np.float32(1e-3), scale=np.array([3.4]))
    # inside a tuple, per output; None leaves an output on its own size
    pair = (expected, np.array([0.01], F32))
    assert compare(pair, (got, pair[1]), scale=(np.array([3.4]), None)) is None
    assert compare(pair, (pair[0], pair[1] + np.float32(2e-5)), scale=(np.array([3.4]), None)) is not None


def test_scale_never_makes_inf_or_nan_match_a_number():
    e = np.array([np.inf, np.nan, 1.0])
    assert compare(e, e.copy(), scale=np.full(3, np.inf)) is None
    assert "expected inf, got 1e+300" in compare(e, np.array([1e300, np.nan, 1.0]), scale=np.full(3, 1e300))
    assert compare(e, np.array([np.inf, 0.0, 1.0]), scale=np.full(3, 1e300)) is not None
    assert compare(e, np.array([np.inf, np.nan, 5.0]), scale=np.array([0.0, 0.0, np.inf])) is not None
