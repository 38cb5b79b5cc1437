"""dlkit.activations: known values, derivatives by central differences, stability, lookups."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import activations as A
from gradcheck import assert_close_gradient, check_gradient, numerical_derivative

# (id, function, derivative, kwargs, kinks): one list drives the derivative checks.
ELEMENTWISE = [
    ("relu", A.relu, A.relu_derivative, {}, (0.0,)),
    ("leaky_relu", A.relu, A.relu_derivative, {"negative_slope": 0.1}, (0.0,)),
    ("relu6", A.relu, A.relu_derivative, {"max_value": 6.0}, (0.0, 6.0)),
    (
        "relu_all_options",
        A.relu,
        A.relu_derivative,
        {"negative_slope": 0.3, "max_value": 2.5, "threshold": -1.0},
        (-1.0, 0.0, 2.5),
    ),
    ("relu_threshold", A.relu, A.relu_derivative, {"threshold": 1.5}, (1.5,)),
    ("tanh", A.tanh, A.tanh_derivative, {}, ()),
    ("sigmoid", A.sigmoid, A.sigmoid_derivative, {}, ()),
    ("elu", A.elu, A.elu_derivative, {}, (0.0,)),
    ("elu_alpha", A.elu, A.elu_derivative, {"alpha": 0.4}, (0.0,)),
    ("selu", A.selu, A.selu_derivative, {}, (0.0,)),
    ("hard_sigmoid", A.hard_sigmoid, A.hard_sigmoid_derivative, {}, (-3.0, 3.0)),
    ("softplus", A.softplus, A.softplus_derivative, {}, ()),
    ("softsign", A.softsign, A.softsign_derivative, {}, (0.0,)),
    ("exponential", A.exponential, A.exponential_derivative, {}, ()),
    ("linear", A.linear, A.linear_derivative, {}, ()),
]
IDS = [case[0] for case in ELEMENTWISE]


def away_from_kinks(x, kinks, gap=1e-3):
    """Shift points within ``gap`` of a kink so central differences stay on one side."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        near = np.abs(x - k) < gap
        x[near] = k + 2 * gap
    return x


def apply(fn, kwargs):
    return lambda v: fn(v, **kwargs)


# --- derivatives -------------------------------------------------------------


@pytest.mark.parametrize("name, fn, dfn, kwargs, kinks", ELEMENTWISE, ids=IDS)
def test_derivative_matches_central_differences(name, fn, dfn, kwargs, kinks):
    x = away_from_kinks(np.linspace(-7, 7, 57), kinks)
    assert_close_gradient(dfn(x, **kwargs), numerical_derivative(apply(fn, kwargs), x), name)


@pytest.mark.parametrize("name, fn, dfn, kwargs, kinks", ELEMENTWISE, ids=IDS)
@settings(max_examples=15, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-20, 20)))
def test_derivative_on_random_inputs(name, fn, dfn, kwargs, kinks, x):
    x = away_from_kinks(x, kinks)
    numeric = numerical_derivative(apply(fn, kwargs), x)
    assert_close_gradient(dfn(x, **kwargs), numeric, name, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, fn, dfn, kwargs, kinks", ELEMENTWISE, ids=IDS)
def test_backward_is_upstream_times_derivative(name, fn, dfn, kwargs, kinks):
    rng = np.random.default_rng(0)
    x = away_from_kinks(rng.uniform(-5, 5, (4, 3)), kinks)
    g = rng.normal(size=(4, 3))
    expected = g * numerical_derivative(apply(fn, kwargs), x)
    assert_close_gradient(A.backward(fn, x, g, **kwargs), expected, name)
    by_name = name if name in A.ALL else fn  # lookups by name and by function agree
    assert_close_gradient(A.backward(by_name, x, g, y=fn(x, **kwargs), **kwargs), expected, name)


def test_derivative_at_kinks_uses_keras_backend_convention():
    assert A.relu_derivative([0.0])[0] == 0.0
    assert A.relu_derivative([0.0], negative_slope=0.2)[0] == pytest.approx(0.2)
    assert A.relu_derivative([6.0], max_value=6.0)[0] == 0.0
    np.testing.assert_array_equal(A.hard_sigmoid_derivative([-3.0, 3.0]), [0.0, 0.0])


# --- softmax -------------------------------------------------------------------


def test_softmax_jacobian_matches_central_differences():
    x = np.array([[0.5, -1.0, 2.0, 0.1], [3.0, 3.0, -2.0, 0.0]])
    jac = A.softmax_derivative(x)
    assert jac.shape == (2, 4, 4)
    for row in range(2):
        for i in range(4):

            def s_i(v, row=row, i=i):
                z = x.copy()
                z[row] = v
                return A.softmax(z)[row, i]

            check_gradient(s_i, lambda v, r=row, k=i: jac[r, k], x[row], f"ds_{i}/dx")


def test_softmax_jacobian_along_axis_0_has_shape_x_plus_n():
    x = np.random.default_rng(1).normal(size=(3, 2))
    jac = A.softmax_derivative(x, axis=0)
    assert jac.shape == (3, 2, 3)
    # column c: J[i, c, j] = s_i (δ_ij - s_j) with s = softmax of that column
    s = A.softmax(x, axis=0)
    for c in range(2):
        expected = np.diag(s[:, c]) - np.outer(s[:, c], s[:, c])
        np.testing.assert_allclose(jac[:, c, :], expected, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    x=hnp.arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)), elements=st.floats(-30, 30)
    ),
    g=st.integers(0, 2**32 - 1),
)
def test_softmax_backward_is_the_vector_jacobian_product(x, g):
    upstream = np.random.default_rng(g).normal(size=x.shape)
    check_gradient(
        lambda v: np.sum(upstream * A.softmax(v)),
        lambda v: A.backward("softmax", v, upstream),
        x,
        "softmax VJP",
        atol=1e-6,
    )
    via_jacobian = np.einsum("...i,...ij->...j", upstream, A.softmax_derivative(x))
    np.testing.assert_allclose(
        A.backward(A.softmax, x, upstream, y=A.softmax(x)), via_jacobian, atol=1e-12
    )


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


def test_backward_rejects_mismatched_upstream():
    with pytest.raises(ValueError, match=r"\(4,\).*\(4, 1\)"):
        A.backward("relu", np.zeros(4), np.zeros((4, 1)))


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="numeric"):
        A.relu(["a", "b"])
