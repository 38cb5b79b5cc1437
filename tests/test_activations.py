"""dlkit.activations: known values, kinks, stability, dtypes, lookups and errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import activations as A

# Derivatives and backward() are checked against central differences, from one list,
# in test_gradients.py; here: the values at the kinks, which central differences cannot see.


def test_derivative_at_kinks_uses_keras_backend_convention():
    assert A.relu_derivative([0.0])[0] == 0.0
    assert A.relu_derivative([0.0], negative_slope=0.2)[0] == pytest.approx(0.2)
    assert A.relu_derivative([6.0], max_value=6.0)[0] == 0.0
    np.testing.assert_array_equal(A.hard_sigmoid_derivative([-3.0, 3.0]), [0.0, 0.0])


# --- softmax -------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    x=hnp.arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-1e3, 1e3)
    ),
    shift=st.floats(-100, 100),
)
def test_softmax_sums_to_one_and_is_shift_invariant(x, shift):
    s = A.softmax(x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(A.softmax(x + shift), s, atol=1e-12)


def test_softmax_of_the_decks_example():
    # The deck shows probabilities 0.86, 0.11, 0.015, 0.005 (its logits were lost):
    # softmax(log p) must give p back, renormalised.
    p = np.array([0.86, 0.11, 0.015, 0.005])
    np.testing.assert_allclose(A.softmax(np.log(p)), p / p.sum(), rtol=1e-6)


def test_softmax_known_values():
    z = [3.0, 1.0, 0.2]
    denom = math.exp(3.0) + math.exp(1.0) + math.exp(0.2)
    expected = [math.exp(3.0) / denom, math.exp(1.0) / denom, math.exp(0.2) / denom]
    np.testing.assert_allclose(A.softmax(z), expected, rtol=1e-6)
    np.testing.assert_allclose(A.softmax(np.log([1.0, 2.0, 3.0])), [1 / 6, 2 / 6, 3 / 6], rtol=1e-6)
    np.testing.assert_allclose(
        A.softmax([[1.0, 1.0], [2.0, 4.0]], axis=0),
        [[0.2689414, 0.0474259], [0.7310586, 0.9525741]],
        rtol=1e-6,
    )


# --- known values ----------------------------------------------------------------


def test_relu_keras_docstring_examples():
    x = [-10, -5, 0.0, 5, 10]
    np.testing.assert_array_equal(A.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(A.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(A.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(A.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    # slope below the threshold, measured from it: -0.5 * (1 - x)
    np.testing.assert_allclose(
        A.relu([-1.0, 0.5, 3.0], negative_slope=0.5, threshold=1.0), [-1.0, -0.25, 3.0]
    )


def test_hard_sigmoid_is_keras3_not_keras2():
    np.testing.assert_array_equal(
        A.hard_sigmoid([-4.0, -3.0, 0.0, 1.5, 3.0, 4.0]), [0, 0, 0.5, 0.75, 1, 1]
    )
    # Keras 2's 0.2x + 0.5 would give 1.0 at x = 2.5; Keras 3 gives 2.5/6 + 0.5
    assert A.hard_sigmoid(2.5) == pytest.approx(2.5 / 6 + 0.5)


def test_known_values_of_smooth_activations():
    np.testing.assert_allclose(A.sigmoid([0.0, math.log(3.0)]), [0.5, 0.75], rtol=1e-6)
    np.testing.assert_allclose(A.tanh([0.0, math.log(2.0)]), [0.0, 0.6], rtol=1e-6)  # (4-1)/(4+1)
    np.testing.assert_allclose(
        A.softplus([0.0, math.log(3.0)]), [math.log(2.0), math.log(4.0)], rtol=1e-6
    )
    np.testing.assert_allclose(A.softsign([-3.0, 1.0]), [-0.75, 0.5])
    np.testing.assert_allclose(A.elu([-math.log(2.0), 2.0], alpha=2.0), [-1.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(A.exponential([0.0, 1.0]), [1.0, math.e], rtol=1e-6)
    np.testing.assert_array_equal(A.linear([-2.0, 3.0]), [-2.0, 3.0])


def test_selu_uses_keras_constants():
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    np.testing.assert_allclose(
        A.selu(np.array([1.0, -1.0, -60.0])),
        [scale, scale * alpha * (math.exp(-1) - 1), -scale * alpha],
        rtol=1e-15,
    )


# --- stability and dtypes -------------------------------------------------------------

BIG = np.array([-1e4, -100.0, -50.0, 50.0, 100.0, 1e4], dtype=np.float32)


@pytest.mark.parametrize("name", [n for n in A.ALL if n != "exponential"])
def test_no_overflow_or_warning_for_large_inputs_in_float32(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = A.ALL[name](BIG)
        dy = A.derivative(name)(BIG)
    assert y.dtype == np.float32 and np.all(np.isfinite(y)) and np.all(np.isfinite(dy))


def test_sigmoid_saturates_exactly_like_float32():
    y = A.sigmoid(BIG)
    assert y[0] == 0.0 and y[-1] == 1.0 and y[4] == 1.0
    assert 0.0 < y[1] < 1e-40  # e^-100 ≈ 3.7e-44 is a float32 subnormal, not 0
    np.testing.assert_allclose(A.softplus(BIG[3:]), BIG[3:])


def test_exponential_overflows_to_inf_silently_like_keras():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(A.exponential(np.float32(100.0)))


@pytest.mark.parametrize("name", list(A.ALL))
@pytest.mark.parametrize(
    "dtype_in, dtype_out",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float32)],
)
def test_dtype_is_preserved(name, dtype_in, dtype_out):
    x = np.array([[-2, 0, 1], [3, 1, 2]], dtype=dtype_in)
    assert A.ALL[name](x).dtype == dtype_out
    assert A.derivative(name)(x).dtype == dtype_out
    assert A.backward(name, x, np.ones(x.shape, dtype_out)).dtype == dtype_out


def test_lists_and_scalars_become_float32():
    assert A.relu([1, -2]).dtype == np.float32
    assert np.asarray(A.sigmoid(0)).dtype == np.float32


# --- lookups and errors -------------------------------------------------------------------


def test_all_has_the_decks_eleven_activations():
    assert sorted(A.ALL) == sorted(
        [
            "relu",
            "tanh",
            "sigmoid",
            "softmax",
            "elu",
            "selu",
            "hard_sigmoid",
            "softplus",
            "softsign",
            "exponential",
            "linear",
        ]
    )


def test_get():
    assert A.get(None) is A.linear
    assert A.get("softmax") is A.softmax
    assert A.get(np.tanh) is np.tanh
    with pytest.raises(ValueError, match="Unknown activation 'relu7'.*hard_sigmoid.*softmax"):
        A.get("relu7")
    with pytest.raises(TypeError, match="activation identifier 3"):
        A.get(3)


def test_derivative_lookup():
    assert A.derivative("selu") is A.selu_derivative
    assert A.derivative(A.softmax) is A.softmax_derivative
    assert A.derivative(None) is A.linear_derivative
    with pytest.raises(ValueError, match="No derivative known.*relu"):
        A.derivative(np.tanh)
