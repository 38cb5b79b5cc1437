"""Metrics: Keras 3 semantics on values worked out by hand."""

import numpy as np
import pytest

from dlkit import metrics


def test_accuracy_is_exact_equality_per_sample():
    y_true = [[1.0, 2.0], [3.0, 4.0]]
    y_pred = [[1.0, 2.5], [3.0, 4.0]]
    np.testing.assert_allclose(metrics.accuracy(y_true, y_pred), [0.5, 1.0])


def test_accuracy_does_not_round_probabilities():
    """Plain accuracy on probabilities is almost always 0: why compile resolves it."""
    assert metrics.accuracy([[1.0]], [[0.99]])[0] == 0.0


def test_binary_accuracy_thresholds_predictions():
    y_true = [[1.0], [0.0], [1.0], [0.0]]
    y_pred = [[0.7], [0.2], [0.4], [0.5]]  # > 0.5: 1, 0, 0, 0  -> hits 1, 1, 0, 1
    np.testing.assert_allclose(metrics.binary_accuracy(y_true, y_pred), [1, 1, 0, 1])
    np.testing.assert_allclose(metrics.binary_accuracy(y_true, y_pred, threshold=0.3), [1, 1, 1, 0])


def test_categorical_accuracy_compares_argmax():
    y_true = [[0, 1, 0], [1, 0, 0]]
    y_pred = [[0.1, 0.8, 0.1], [0.2, 0.7, 0.1]]
    np.testing.assert_allclose(metrics.categorical_accuracy(y_true, y_pred), [1, 0])


@pytest.mark.parametrize("labels", [[1, 0], [[1], [0]], [1.0, 0.0]])
def test_sparse_categorical_accuracy_takes_n_or_n_by_1_labels(labels):
    y_pred = [[0.1, 0.8, 0.1], [0.2, 0.7, 0.1]]
    np.testing.assert_allclose(metrics.sparse_categorical_accuracy(labels, y_pred), [1, 0])


def test_regression_metrics_are_per_sample_means():
    y_true, y_pred = [[1.0, 2.0], [0.0, 0.0]], [[2.0, 4.0], [0.0, -1.0]]
    np.testing.assert_allclose(metrics.mse(y_true, y_pred), [(1 + 4) / 2, 1 / 2])
    np.testing.assert_allclose(metrics.mae(y_true, y_pred), [(1 + 2) / 2, 1 / 2])


def test_results_are_float32():
    assert metrics.binary_accuracy([[1.0]], [[0.9]]).dtype == np.float32
    assert metrics.sparse_categorical_accuracy([0], [[0.9, 0.1]]).dtype == np.float32


@pytest.mark.parametrize(
    "name, fn",
    [("mse", metrics.mse), ("mean_absolute_error", metrics.mae), ("acc", metrics.accuracy),
     ("binary_accuracy", metrics.binary_accuracy),
     ("sparse_categorical_accuracy", metrics.sparse_categorical_accuracy)],
)
def test_get_by_name(name, fn):
    assert metrics.get(name) is fn


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'.*binary_accuracy"):
        metrics.get("acuracy")


def test_get_returns_callables_unchanged():
    def my_metric(y_true, y_pred):
        return y_pred

    assert metrics.get(my_metric) is my_metric
    assert metrics.name_of(my_metric) == "my_metric" and metrics.name_of("acc") == "acc"


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, expected",
    [
        ((8, 1), (8, 1), metrics.binary_accuracy),        # one sigmoid unit
        ((8,), (8, 1), metrics.binary_accuracy),
        ((8,), (8, 3), metrics.sparse_categorical_accuracy),   # integer labels
        ((8, 1), (8, 3), metrics.sparse_categorical_accuracy),
        ((8, 3), (8, 3), metrics.categorical_accuracy),        # one-hot labels
    ],
)
def test_compile_accuracy_resolves_like_keras(y_true_shape, y_pred_shape, expected):
    for name in ("accuracy", "acc", "Accuracy"):
        assert metrics.resolve(name, y_true_shape, y_pred_shape) is expected


def test_resolve_leaves_other_metrics_alone():
    assert metrics.resolve("mae", (8, 1), (8, 1)) is metrics.mae


def test_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match="same shape"):
        metrics.binary_accuracy([1.0, 0.0], [[0.9], [0.1]])
    with pytest.raises(ValueError, match=r"sparse labels must have shape \(2,\)"):
        metrics.sparse_categorical_accuracy([[0, 1], [1, 0]], [[0.9, 0.1], [0.1, 0.9]])
