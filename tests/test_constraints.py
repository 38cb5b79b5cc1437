"""Constraints on hand-made kernels: columns of norm 5 and 1 (3-4-5 and 0.6-0.8)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlkit import constraints as C

# column 0 has norm 5, column 1 has norm 1 (one norm per output unit)
W = np.array([[3.0, 0.6], [4.0, 0.8]])


@pytest.mark.parametrize(
    "constraint, expected",
    [
        (C.MaxNorm(2), [[1.2, 0.6], [1.6, 0.8]]),  # 5 -> 2, 1 stays
        (C.MaxNorm(10), W),
        (C.UnitNorm(), [[0.6, 0.6], [0.8, 0.8]]),
        (C.MinMaxNorm(2.0, 3.0), [[1.8, 1.2], [2.4, 1.6]]),  # 5 -> 3, 1 -> 2
        # rate 0.5: halfway, 5 -> 4 and 1 -> 1.5
        (C.MinMaxNorm(2.0, 3.0, rate=0.5), [[2.4, 0.9], [3.2, 1.2]]),
        (C.MinMaxNorm(2.0, 3.0, rate=0.0), W),
        (C.NonNeg(), W),
    ],
    ids=repr,
)
def test_hand_made_kernel(constraint, expected):
    np.testing.assert_allclose(constraint(W), expected, rtol=1e-6)


def test_a_column_of_norm_4_becomes_norm_2():
    w = np.array([[0.0, 1.0], [4.0, 0.0]])
    out = C.MaxNorm(max_value=2)(w)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(out[:, 0], [0.0, 2.0], rtol=1e-6)


def test_eps_is_in_the_denominator():
    # Keras: w * desired / (1e-7 + n), so a unit column shrinks by 1 / (1 + 1e-7)
    out = C.UnitNorm()(np.array([[1.0]]))
    assert out[0, 0] == 1.0 / (1.0 + 1e-7)


def test_axis_1_normalises_rows():
    out = C.UnitNorm(axis=1)(W.T)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.6, 0.8]], rtol=1e-6)


def test_nonneg():
    w = np.array([[-1.0, 2.0], [0.5, -0.1]])
    np.testing.assert_array_equal(C.NonNeg()(w), [[0.0, 2.0], [0.5, 0.0]])


def test_zero_columns_stay_zero():
    w = np.zeros((3, 2))
    for c in (C.MaxNorm(), C.UnitNorm(), C.MinMaxNorm(1.0, 2.0)):
        np.testing.assert_array_equal(c(w), w)


def test_bias_vector_uses_its_single_norm():
    np.testing.assert_allclose(C.MaxNorm(1.0)([3.0, 4.0]), [0.6, 0.8], rtol=1e-6)


ALL = [C.MaxNorm(), C.NonNeg(), C.UnitNorm(), C.MinMaxNorm(0.5, 1.5, rate=0.7)]


@pytest.mark.parametrize("constraint", ALL, ids=repr)
def test_returns_new_array_and_keeps_dtype(constraint):
    w32 = W.astype(np.float32)
    before = w32.copy()
    out = constraint(w32)
    assert out is not w32 and out.dtype == np.float32
    np.testing.assert_array_equal(w32, before)
    assert constraint(W).dtype == np.float64
    assert constraint([[1, 2], [3, 4]]).dtype == np.float32


_kernels = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
                  elements=st.floats(-100, 100))


@settings(max_examples=50, deadline=None)
@given(w=_kernels, max_value=st.floats(0.1, 10))
def test_maxnorm_bounds_every_column(w, max_value):
    norms = np.linalg.norm(C.MaxNorm(max_value)(w), axis=0)
    assert np.all(norms <= max_value * (1 + 1e-9))


@settings(max_examples=50, deadline=None)
@given(w=_kernels, low=st.floats(0.1, 2), width=st.floats(0, 2))
def test_minmaxnorm_puts_norms_in_range(w, low, width):
    norms = np.linalg.norm(w, axis=0)
    out_norms = np.linalg.norm(C.MinMaxNorm(low, low + width)(w), axis=0)
    # Keras divides by eps + n (eps = 1e-7), so a short column reaches low · n / (eps + n),
    # just under low: 0.99998720 for n = 0.0078125 and low = 1.
    assert np.all(out_norms >= low * norms / (1e-7 + norms) * (1 - 1e-9))
    assert np.all(out_norms <= (low + width) * (1 + 1e-9))


def test_keras_defaults():
    assert (C.MaxNorm().max_value, C.MaxNorm().axis) == (2, 0)
    m = C.MinMaxNorm()
    assert (m.min_value, m.max_value, m.rate, m.axis) == (0.0, 1.0, 1.0, 0)
    assert C.UnitNorm().axis == 0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: C.MaxNorm(-1), "max_value must be a number in [0.0, inf], got -1."),
        (lambda: C.MaxNorm("2"), "max_value must be a number in [0.0, inf], got '2'."),
        (lambda: C.MinMaxNorm(2.0, 1.0), "max_value must be a number in [2.0, inf], got 1.0."),
        (lambda: C.MinMaxNorm(rate=1.5), "rate must be a number in [0.0, 1.0], got 1.5."),
        (lambda: C.MinMaxNorm(rate=-0.1), "rate must be a number in [0.0, 1.0], got -0.1."),
    ],
    ids=["negative", "str", "max_below_min", "rate_above_1", "rate_negative"],
)
def test_bad_arguments_say_what_was_expected_and_what_came(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


@pytest.mark.parametrize(
    "name, cls",
    [("max_norm", C.MaxNorm), ("non_neg", C.NonNeg), ("unit_norm", C.UnitNorm),
     ("min_max_norm", C.MinMaxNorm), ("MaxNorm", C.MaxNorm), ("MinMaxNorm", C.MinMaxNorm)],
)
def test_get_by_name(name, cls):
    assert type(C.get(name)) is cls
