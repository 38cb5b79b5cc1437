"""Regularizers: penalties on hand-computed weights, gradients by central differences, get()."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gradcheck import check_gradient
from dlkit import regularizers as R

W = [[1.0, -2.0], [3.0, 0.0]]  # Σ|w| = 6, Σw² = 14

REGULARIZERS = [R.L1(0.01), R.L2(0.01), R.L1L2(0.1, 0.2), R.L1L2(l1=0.3), R.L1L2(l2=0.05)]


@pytest.mark.parametrize(
    "reg, expected",
    [(R.L1(), 0.01 * 6), (R.L2(), 0.01 * 14), (R.L1(0.5), 3.0), (R.L2(0.5), 7.0),
     (R.L1L2(0.1, 0.2), 0.1 * 6 + 0.2 * 14), (R.L1L2(), 0.0)],
    ids=repr,
)
def test_penalty_values(reg, expected):
    assert float(reg(W)) == pytest.approx(expected, rel=1e-6)


def test_keras_defaults():
    assert R.L1().l1 == 0.01 and R.L2().l2 == 0.01
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)


def test_l2_has_no_half():
    assert float(R.L2(1.0)([3.0])) == 9.0


def test_hand_computed_gradients():
    np.testing.assert_allclose(R.L1(0.5).gradient(W), [[0.5, -0.5], [0.5, 0.0]])
    np.testing.assert_allclose(R.L2(0.5).gradient(W), [[1.0, -2.0], [3.0, 0.0]])


def test_l1_subgradient_is_zero_at_zero():
    np.testing.assert_array_equal(R.L1(1.0).gradient([0.0, -0.0]), [0.0, 0.0])


# Keep |w| away from 0, where |w| has no derivative for central differences to find.
_weights = arrays(
    np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)),
    elements=st.floats(1e-3, 10).flatmap(lambda v: st.sampled_from([v, -v])),
)


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
@settings(max_examples=25, deadline=None)
@given(w=_weights)
def test_gradient_matches_central_differences(reg, w):
    check_gradient(reg, reg.gradient, w, name=repr(reg))


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_dtypes(reg):
    w32 = np.array(W, dtype=np.float32)
    assert reg(w32).dtype == np.float32 and reg.gradient(w32).dtype == np.float32
    w64 = np.array(W, dtype=np.float64)
    assert reg(w64).dtype == np.float64 and reg.gradient(w64).dtype == np.float64
    assert reg([[1, 2]]).dtype == np.float32  # ints and lists become floatx
    assert np.ndim(reg(W)) == 0
    assert reg.gradient(W).shape == (2, 2)


@pytest.mark.parametrize(
    "make",
    [lambda: R.L1(-0.1), lambda: R.L2(float("nan")), lambda: R.L1L2(l2=float("inf")),
     lambda: R.L1("0.1"), lambda: R.L2(True)],
)
def test_bad_factors_raise(make):
    with pytest.raises(ValueError, match="non-negative"):
        make()


def test_non_numeric_weights_raise():
    with pytest.raises(TypeError):
        R.L1()(["a", "b"])


@pytest.mark.parametrize(
    "name, cls",
    [("l1", R.L1), ("l2", R.L2), ("l1_l2", R.L1L2), ("L1", R.L1), ("L2", R.L2), ("L1L2", R.L1L2)],
)
def test_get_by_name(name, cls):
    assert type(R.get(name)) is cls


def test_get_other_identifiers():
    assert R.get(None) is None
    reg = R.L2(0.3)
    assert R.get(reg) is reg
    assert type(R.get(R.L1)) is R.L1
    with pytest.raises(ValueError, match="l1_l2"):
        R.get("l3")
