"""Dense layers: forward by hand, backward by central differences (float64), Keras's API."""

import inspect

import numpy as np
import pytest

from dlkit import activations, constraints, initializers, regularizers
from dlkit.layers import Dense, Input, dense_backward, dense_forward
from gradcheck import assert_close_gradient, numerical_gradient

ACTIVATIONS = sorted(activations.ALL)


def _dense(units, n_in, seed=0, **kwargs):
    layer = Dense(units, kernel_initializer=initializers.RandomNormal(stddev=0.5, seed=seed),
                  bias_initializer=initializers.RandomNormal(stddev=0.5, seed=seed + 1), **kwargs)
    layer.build((None, n_in))
    return layer


# ------------------------------------------------------------------ functional forms
def test_dense_forward_by_hand():
    x = [[1.0, 2.0], [0.0, -1.0]]
    kernel = [[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]]
    bias = [0.5, 0.0, -1.0]
    # row 0: [1-2, 2, 2+1] + b = [-0.5, 2, 2]; row 1: [1, -1, -0.5] + b = [1.5, -1, -1.5]
    np.testing.assert_allclose(dense_forward(x, kernel, bias), [[-0.5, 2, 2], [1.5, -1, -1.5]])


def test_dense_forward_without_bias():
    np.testing.assert_allclose(dense_forward([[1.0, 2.0]], [[1.0], [1.0]], None), [[3.0]])


def test_dense_backward_by_hand():
    x = np.array([[1.0, 2.0]])
    kernel = np.array([[1.0, 3.0], [2.0, 4.0]])
    g = np.array([[1.0, -1.0]])
    grad_x, grad_kernel, grad_bias = dense_backward(x, kernel, g)
    np.testing.assert_allclose(grad_x, [[1 - 3, 2 - 4]])          # g @ kernel^T
    np.testing.assert_allclose(grad_kernel, [[1, -1], [2, -2]])   # x^T @ g
    np.testing.assert_allclose(grad_bias, [1, -1])                # Σ over the batch


def test_dense_backward_matches_central_differences():
    rng = np.random.default_rng(0)
    x, kernel, bias = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    r = rng.normal(size=(4, 2))  # L = Σ z ⊙ r, so dL/dz = r

    def loss(x_, k_, b_):
        return np.sum(dense_forward(x_, k_, b_) * r)

    grad_x, grad_kernel, grad_bias = dense_backward(x, kernel, r)
    assert_close_gradient(grad_x, numerical_gradient(lambda v: loss(v, kernel, bias), x), "x")
    assert_close_gradient(grad_kernel, numerical_gradient(lambda v: loss(x, v, bias), kernel),
                          "kernel")
    assert_close_gradient(grad_bias, numerical_gradient(lambda v: loss(x, kernel, v), bias), "bias")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dense_forward([[1.0, 2.0]], [[1.0, 2.0]], None), "x has 2 features"),
        (lambda: dense_forward([[1.0]], [[1.0, 2.0]], [1.0]), r"bias must have shape \(2,\)"),
        (lambda: dense_forward([[1.0]], [1.0], None), "kernel must have rank 2"),
        (lambda: dense_backward([[1.0]], [[1.0, 2.0]], [[1.0]]), r"grad_z must have the shape"),
    ],
)
def test_functional_forms_explain_bad_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ Dense: Keras API
def test_dense_signature_is_keras():
    params = inspect.signature(Dense).parameters
    expected = {
        "units": inspect.Parameter.empty, "activation": None, "use_bias": True,
        "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros",
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None,
    }
    assert list(params)[: len(expected)] == list(expected)
    assert {k: params[k].default for k in expected} == expected


def test_builds_from_first_input_with_keras_shapes():
    layer = Dense(3)
    assert not layer.built
    out = layer(np.ones((5, 4)))
    assert layer.built and out.shape == (5, 3)
    assert layer.kernel.shape == (4, 3) and layer.bias.shape == (3,)
    assert [w.shape for w in layer.get_weights()] == [(4, 3), (3,)]
    assert layer.count_params() == 4 * 3 + 3


def test_use_bias_false_has_only_a_kernel():
    layer = Dense(2, use_bias=False)
    layer.build((None, 3))
    assert [w.shape for w in layer.weights] == [(3, 2)]
    assert layer.count_params() == 6


def test_float32_by_default_even_for_float64_inputs():
    layer = Dense(2)
    out = layer(np.ones((1, 3), dtype=np.float64))
    assert layer.kernel.dtype == np.float32 and out.dtype == np.float32


def test_initializers_are_used():
    layer = Dense(2, kernel_initializer="ones", bias_initializer=initializers.Constant(0.5))
    out = layer(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(out, [[6.5, 6.5]])


def test_default_kernel_is_glorot_uniform_within_its_limit():
    layer = Dense(50)
    layer.build((None, 30))
    limit = np.sqrt(6 / (30 + 50))
    assert np.abs(layer.kernel).max() <= limit and np.abs(layer.kernel).max() > 0.8 * limit
    assert np.all(layer.bias == 0)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_is_activation_of_affine(name, float64):
    layer = _dense(3, 4, activation=name)
    x = np.random.default_rng(1).normal(size=(5, 4))
    expected = activations.get(name)(x @ layer.kernel + layer.bias)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12)


def test_nd_inputs_apply_to_the_last_axis(float64):
    layer = _dense(2, 3, activation="tanh")
    x = np.random.default_rng(2).normal(size=(4, 5, 3))
    out = layer(x)
    assert out.shape == (4, 5, 2)
    np.testing.assert_allclose(out, np.tanh(x @ layer.kernel + layer.bias))


# ------------------------------------------------------------------ Dense backward
def _check_layer_gradients(layer, x, r, total_loss):
    """layer.backward(r) against central differences of total_loss(x, kernel, bias)."""
    layer(x)
    grad_x = layer.backward(r)
    kernel, bias = layer.kernel.copy(), layer.bias.copy()
    assert_close_gradient(grad_x, numerical_gradient(lambda v: total_loss(v, kernel, bias), x), "x")
    assert_close_gradient(layer.kernel_grad,
                          numerical_gradient(lambda v: total_loss(x, v, bias), kernel), "kernel")
    assert_close_gradient(layer.bias_grad,
                          numerical_gradient(lambda v: total_loss(x, kernel, v), bias), "bias")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backward_matches_central_differences(name, float64):
    layer = _dense(3, 4, activation=name)
    rng = np.random.default_rng(3)
    x, r = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))  # L = Σ y ⊙ r
    fn = activations.get(name)
    _check_layer_gradients(layer, x, r, lambda x_, k, b: np.sum(fn(x_ @ k + b) * r))


def test_backward_includes_every_penalty(float64):
    """Total loss = Σ y⊙r + L2(kernel) + L1(bias) + L1L2(y) / batch size (Keras)."""
    kreg, breg, areg = regularizers.L2(0.1), regularizers.L1(0.05), regularizers.L1L2(0.01, 0.02)
    layer = _dense(3, 4, activation="sigmoid", kernel_regularizer=kreg, bias_regularizer=breg,
                   activity_regularizer=areg)
    rng = np.random.default_rng(4)
    x, r = rng.normal(size=(6, 4)), rng.normal(size=(6, 3))

    def total(x_, k, b):
        y = activations.sigmoid(x_ @ k + b)
        return np.sum(y * r) + kreg(k) + breg(b) + areg(y) / len(x_)

    _check_layer_gradients(layer, x, r, total)
    assert layer.losses == pytest.approx(
        [kreg(layer.kernel), breg(layer.bias), areg(layer(x)) / 6])


def test_backward_does_not_modify_its_argument():
    layer = _dense(2, 3, activation="relu")
    layer(np.ones((2, 3)))
    g = np.ones((2, 2), dtype=np.float32)
    layer.backward(g)
    assert np.all(g == 1)


def test_backward_before_forward_is_explained():
    layer = _dense(2, 3)
    with pytest.raises(RuntimeError, match="call the layer on a batch before backward"):
        layer.backward(np.ones((1, 2)))


def test_backward_with_wrong_shape_is_explained():
    layer = _dense(2, 3)
    layer(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(4, 2\)"):
        layer.backward(np.ones((4, 3)))


# ------------------------------------------------------------------ weights, constraints, errors
def test_set_weights_copies_into_the_same_arrays():
    layer = _dense(2, 3)
    kernel = layer.kernel
    layer.set_weights([np.ones((3, 2)), np.zeros(2)])
    assert layer.kernel is kernel and np.all(kernel == 1)


def test_set_weights_checks_count_and_shapes():
    layer = _dense(2, 3)
    with pytest.raises(ValueError, match="has 2 weight arrays, but 1 were given"):
        layer.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(3, 2\), got \(2, 3\)"):
        layer.set_weights([np.ones((2, 3)), np.zeros(2)])


def test_apply_constraints_projects_in_place():
    layer = _dense(4, 3, kernel_constraint=constraints.NonNeg(),
                   bias_constraint=constraints.MaxNorm(1.0))
    kernel = layer.kernel
    layer.set_weights([-np.ones((3, 4)), 3 * np.ones(4)])
    layer.apply_constraints()
    assert layer.kernel is kernel and np.all(kernel == 0)
    assert np.linalg.norm(layer.bias) == pytest.approx(1.0, rel=1e-5)


def test_input_width_mismatch_names_layer_expected_and_got():
    layer = Dense(2, name="hidden")
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"'hidden'.*\(batch, 3\).*got shape \(2, 4\)"):
        layer(np.ones((2, 4)))


def test_rank_1_input_is_explained():
    with pytest.raises(ValueError, match=r"rank >= 2.*reshape\(1, -1\)"):
        Dense(2)(np.ones(3))


@pytest.mark.parametrize("units", [0, -1, 2.5, True, "3"])
def test_units_must_be_a_positive_int(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Dense(units)


def test_unknown_names_are_explained():
    with pytest.raises(ValueError, match="Unknown activation 'rellu'"):
        Dense(2, activation="rellu")
    with pytest.raises(ValueError, match="Valid names"):
        Dense(2, kernel_regularizer="l3")


def test_default_names_count_up_like_keras():
    a, b = Dense(1), Dense(1)
    assert a.name.startswith("dense") and b.name != a.name
    assert Dense(1, name="out").name == "out"


def test_input_adds_the_batch_axis():
    assert Input((4,)).shape == (None, 4)
    assert Input(3).shape == (None, 3)
    with pytest.raises(ValueError, match="positive ints"):
        Input((0,))
