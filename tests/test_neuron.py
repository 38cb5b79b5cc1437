"""One artificial neuron: α = Σ x_i w_i + b, output Φ(α) (the deck's first slides)."""

import math

import numpy as np
import pytest

from dlkit.layers import Dense
from dlkit.neuron import Neuron, neuron, weighted_sum

X = [1.0, 2.0, 3.0]
W = [0.5, -1.0, 2.0]
B = 0.5
ALPHA = 1.0 * 0.5 + 2.0 * -1.0 + 3.0 * 2.0 + 0.5  # = 5.0, by hand


def test_weighted_sum_by_hand():
    assert float(weighted_sum(X, W, B)) == pytest.approx(ALPHA)


def test_neuron_default_activation_is_sigmoid():
    assert float(neuron(X, W, B)) == pytest.approx(1 / (1 + math.exp(-ALPHA)), rel=1e-6)


@pytest.mark.parametrize(
    "activation, expected",
    [("linear", ALPHA), ("relu", ALPHA), ("tanh", math.tanh(ALPHA)), (None, ALPHA)],
)
def test_neuron_other_activations(activation, expected):
    assert float(neuron(X, W, B, activation=activation)) == pytest.approx(expected, rel=1e-6)


def test_negative_sum_through_relu_is_zero():
    assert float(neuron([1.0, 1.0], [-1.0, -1.0], 0.5, activation="relu")) == 0.0


def test_batch_gives_one_output_per_sample():
    x = np.array([X, [0.0, 0.0, 0.0]])
    out = weighted_sum(x, W, B)
    assert out.shape == (2,)
    np.testing.assert_allclose(out, [ALPHA, B])


def test_float32_by_default():
    assert np.asarray(neuron(X, W, B)).dtype == np.float32


def test_neuron_class_matches_function():
    n = Neuron(W, bias=B, activation="tanh")
    assert float(n(X)) == pytest.approx(float(neuron(X, W, B, "tanh")))
    assert float(n.weighted_sum(X)) == pytest.approx(ALPHA)
    assert "tanh" in repr(n)


def test_a_dense_unit_is_a_neuron():
    """Dense(1) with kernel w[:, None] and bias [b] computes the same neuron."""
    layer = Dense(1, activation="sigmoid")
    layer.build((None, 3))
    layer.set_weights([np.array(W)[:, None], np.array([B])])
    assert float(layer(np.array([X]))[0, 0]) == pytest.approx(float(neuron(X, W, B)), rel=1e-6)


@pytest.mark.parametrize(
    "x, w, b, message",
    [
        ([1.0, 2.0], [1.0, 2.0, 3.0], 0.0, "x has 2 inputs"),
        ([1.0, 2.0], [[1.0, 2.0]], 0.0, "w must have rank 1"),
        ([1.0, 2.0], [1.0, 2.0], [0.0, 1.0], "b must be a single number"),
        ([[[1.0]]], [1.0], 0.0, "x must have rank 1 or 2"),
    ],
)
def test_bad_shapes_are_explained(x, w, b, message):
    with pytest.raises(ValueError, match=message):
        weighted_sum(x, w, b)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names"):
        neuron(X, W, B, activation="sigmoidd")


def test_python_bias_takes_the_precision_of_x_and_w():
    # 1·0.3 + 2·(-0.5) + 0.3 = -0.4 exactly in float64 arithmetic of the same terms
    x, w = np.array([1.0, 2.0]), np.array([0.3, -0.5])
    got = weighted_sum(x, w, 0.3)
    assert got.dtype == np.float64
    assert got == x[0] * w[0] + x[1] * w[1] + 0.3
