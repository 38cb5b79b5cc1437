"""Regularizers: penalties and gradients on hand-computed weights, dtypes, errors, get()."""

import re

import numpy as np
import pytest

from dlkit import regularizers as R

W = [[1.0, -2.0], [3.0, 0.0]]  # Σ|w| = 6, Σw² = 14

EVERY_CLASS = sorted(set(R.ALL.values()), key=lambda cls: cls.__name__)


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


# The gradients are checked against central differences in test_gradients.py.


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=lambda cls: cls.__name__)
def test_dtypes(cls):
    reg = cls()
    w32 = np.array(W, dtype=np.float32)
    assert reg(w32).dtype == np.float32 and reg.gradient(w32).dtype == np.float32
    w64 = np.array(W, dtype=np.float64)
    assert reg(w64).dtype == np.float64 and reg.gradient(w64).dtype == np.float64
    assert reg([[1, 2]]).dtype == np.float32  # ints and lists become floatx
    assert np.ndim(reg(W)) == 0
    assert reg.gradient(W).shape == (2, 2)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: R.L1(-0.1), "l1 must be a finite non-negative number, got -0.1."),
        (lambda: R.L2(float("nan")), "l2 must be a finite non-negative number, got nan."),
        (lambda: R.L1L2(l2=float("inf")), "l2 must be a finite non-negative number, got inf."),
        (lambda: R.L1("0.1"), "l1 must be a finite non-negative number, got '0.1'."),
        (lambda: R.L2(True), "l2 must be a finite non-negative number, got True."),
    ],
    ids=["negative", "nan", "inf", "str", "bool"],
)
def test_bad_factors_say_what_was_expected_and_what_came(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


@pytest.mark.parametrize(
    "name, cls",
    [("l1", R.L1), ("l2", R.L2), ("l1_l2", R.L1L2), ("L1", R.L1), ("L2", R.L2), ("L1L2", R.L1L2)],
)
def test_get_by_name(name, cls):
    assert type(R.get(name)) is cls
