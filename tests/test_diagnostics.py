"""Vanishing / exploding gradients: the deck's "too low / too high weights for all"."""

import numpy as np
import pytest

from dlkit import activations, initializers
from dlkit.diagnostics import (EXPLODING_ABOVE, VANISHING_BELOW, activation_statistics,
                               diagnose, gradient_norms, saturated_fraction)
from dlkit.layers import Dense, Input
from dlkit.models import Sequential

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 16))
Y = RNG.normal(size=(64, 1))


def stack(activation, stddev=None, initializer=None, depth=8):
    """depth hidden layers of 16 units and one linear output, MSE."""
    def init(seed):
        return initializer or initializers.RandomNormal(stddev=stddev, seed=seed)

    layers = [Dense(16, activation=activation, kernel_initializer=init(i)) for i in range(depth)]
    model = Sequential([Input((16,)), *layers, Dense(1, kernel_initializer=init(99))])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize(
    "activation, stddev, initializer, expected",
    [
        ("relu", 0.05, None, "vanishing"),      # too low weights for all
        ("relu", 1.0, None, "exploding"),       # too high weights for all
        ("linear", 1.0, None, "exploding"),
        ("sigmoid", 0.1, None, "vanishing"),    # slopes <= 0.25 times small weights
        ("sigmoid", None, "glorot_uniform", "vanishing"),  # 8 sigmoids are too deep
        ("relu", None, "he_normal", "healthy"),  # He's initializer is made for relu
        ("tanh", None, "glorot_uniform", "healthy"),
    ],
)
def test_deep_stacks_are_diagnosed(activation, stddev, initializer, expected):
    assert diagnose(gradient_norms(stack(activation, stddev, initializer), X, Y)) == expected


def test_error_signal_of_the_output_layer_by_hand():
    """Linear output, MSE: δ_L = dL/dŷ = 2 (ŷ - y) / n."""
    model = stack("tanh", 0.3, depth=2)
    residual = model.predict(X, verbose=0).astype(np.float64) - Y
    assert gradient_norms(model, X, Y)[-1] == pytest.approx(
        np.linalg.norm(2 * residual / len(Y)), rel=1e-4)


def test_kernel_norms_agree_with_the_model_backward_pass():
    model = stack("relu", 1.0, depth=3)
    _, grads, _ = model.loss_and_gradients(X, Y)
    by_model = [np.linalg.norm(g) for g in grads[0::2]]
    np.testing.assert_allclose(gradient_norms(model, X, Y, wrt="kernel"), by_model, rtol=1e-3)


def test_kernel_norms_stay_balanced_where_the_error_signal_explodes():
    model = stack("relu", 1.0)
    kernel = gradient_norms(model, X, Y, wrt="kernel")
    assert diagnose(gradient_norms(model, X, Y)) == "exploding"
    assert diagnose(kernel) == "healthy"


def test_gradient_norms_change_no_weight():
    model = stack("tanh", 0.5, depth=2)
    before = model.get_weights()
    gradient_norms(model, X, Y)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_gradient_norms_rejects_unknown_wrt():
    with pytest.raises(ValueError, match="wrt must be"):
        gradient_norms(stack("tanh", 0.5, depth=1), X, Y, wrt="bias")


# ------------------------------------------------------------------ diagnose thresholds
@pytest.mark.parametrize(
    "norms, expected",
    [
        ([1e-4, 1.0], "vanishing"),
        ([VANISHING_BELOW * 0.99, 1.0], "vanishing"),
        ([VANISHING_BELOW, 1.0], "healthy"),   # the thresholds themselves are healthy
        ([1.0, 0.5, 2.0], "healthy"),
        ([EXPLODING_ABOVE, 1.0], "healthy"),
        ([EXPLODING_ABOVE * 1.01, 1.0], "exploding"),
        ([float("inf"), 1.0], "exploding"),
        ([float("nan"), 1.0], "exploding"),
        ([1.0, 0.0], "exploding"),
        ([0.0, 0.0], "vanishing"),
        ({"dense": 1e-5, "dense_1": 0.3, "dense_2": 1.0}, "vanishing"),  # dict: in its order
    ],
)
def test_diagnose_compares_first_and_last_layer(norms, expected):
    assert diagnose(norms) == expected


def test_diagnose_thresholds_can_be_changed():
    assert diagnose([0.05, 1.0]) == "healthy"
    assert diagnose([0.05, 1.0], vanishing_below=0.1) == "vanishing"
    assert diagnose([20.0, 1.0], exploding_above=10.0) == "exploding"


@pytest.mark.parametrize("norms, message", [([1.0], "at least 2 layers"),
                                            ([1.0, -1.0], "cannot be negative")])
def test_diagnose_rejects_bad_norms(norms, message):
    with pytest.raises(ValueError, match=message):
        diagnose(norms)


# ------------------------------------------------------------------ activation statistics
def test_statistics_match_a_numpy_forward_pass():
    model = stack("tanh", 0.5, depth=2)
    a, expected = X, []
    for layer in model.layers:
        a = layer.activation(a @ layer.kernel.astype(np.float64) + layer.bias)
        expected.append((layer.name, a.mean(), a.std()))
    stats = activation_statistics(model, X)
    for s, (name, mean, std) in zip(stats, expected):
        assert s["layer"] == name
        assert s["mean"] == pytest.approx(mean, abs=1e-5)
        assert s["std"] == pytest.approx(std, rel=1e-4)


def test_dead_relus_are_all_saturated():
    model = Sequential([Input((16,)), Dense(8, activation="relu",
                                            bias_initializer=initializers.Constant(-100.0))])
    (s,) = activation_statistics(model, X)
    assert s["saturated"] == 1.0 and s["mean"] == 0.0 and s["std"] == 0.0


def test_large_weights_saturate_sigmoids():
    huge = initializers.RandomNormal(stddev=100.0, seed=0)
    model = Sequential([Input((16,)), Dense(8, activation="sigmoid", kernel_initializer=huge)])
    assert activation_statistics(model, X)[0]["saturated"] > 0.9


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("sigmoid", [0.0, 4.0, 7.0, -7.0], 0.5),   # σ'(7) = 0.0009 < 1% of 0.25 = 0.0025
        ("tanh", [0.0, 2.0, 3.0], 1 / 3),           # tanh'(3) = 0.0099 < 0.01
        ("relu", [-1.0, 0.0, 2.0], 2 / 3),          # no slope at z <= 0
        ("linear", [-100.0, 100.0], 0.0),
    ],
)
def test_saturation_is_a_slope_below_one_percent_of_its_peak(name, z, expected):
    assert saturated_fraction(activations.get(name), np.array(z)) == pytest.approx(expected)
