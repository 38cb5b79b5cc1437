"""Sequential: gradients by central differences, Keras's training semantics, errors, output.

Expected values come from an independent float64 reference (plain NumPy forward
pass + dlkit.losses / regularizers) or from hand-written gradient-descent loops.
"""

import math
import subprocess
import sys

import numpy as np
import pytest

from dlkit import activations, callbacks, constraints, initializers, losses, metrics
from dlkit import optimizers, regularizers
from dlkit.layers import Dense, Input
from dlkit.models import Sequential
from gradcheck import assert_close_gradient, numerical_gradient


def seeded(seed):
    return initializers.RandomNormal(stddev=0.5, seed=seed)


def dense(units, seed=0, **kwargs):
    kwargs.setdefault("bias_initializer", seeded(seed + 100))
    return Dense(units, kernel_initializer=seeded(seed), **kwargs)


def regression_data(n=50, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    y = x @ rng.normal(size=(features, 1)) + 0.1 * rng.normal(size=(n, 1))
    return x, y


# ------------------------------------------------------------------ independent reference
def reference_loss(model, weights, x, y, loss):
    """Float64 loss of ``model``'s architecture with ``weights``, computed without models.py:
    forward with NumPy, mean of the per-sample loss, plus every penalty."""
    a, total, i = x, 0.0, 0
    for layer in model.layers:
        kernel = weights[i]
        bias = weights[i + 1] if layer.use_bias else 0.0
        i += 2 if layer.use_bias else 1
        a = layer.activation(a @ kernel + bias)
        if layer.kernel_regularizer:
            total += layer.kernel_regularizer(kernel)
        if layer.use_bias and layer.bias_regularizer:
            total += layer.bias_regularizer(bias)
        if layer.activity_regularizer:
            total += layer.activity_regularizer(a) / len(a)
    return total + np.mean(losses.get(loss)(y, a))


def check_model_gradients(model, x, y, loss):
    model.compile(optimizer="sgd", loss=loss)
    loss_value, grads, grad_x = model.loss_and_gradients(x, y)
    weights = model.get_weights()
    assert loss_value == pytest.approx(reference_loss(model, weights, x, y, loss), rel=1e-12)
    for i, w in enumerate(weights):
        def f(v, i=i):
            return reference_loss(model, weights[:i] + [v] + weights[i + 1:], x, y, loss)
        assert_close_gradient(grads[i], numerical_gradient(f, w), f"weights[{i}]")
    f_x = lambda v: reference_loss(model, weights, v, y, loss)  # noqa: E731
    assert_close_gradient(grad_x, numerical_gradient(f_x, x), "input x")


RNG = np.random.default_rng(7)
X = RNG.normal(size=(6, 4))
ONE_HOT = np.eye(3)[[0, 2, 1, 1, 0, 2]]
SPARSE = np.array([0, 2, 1, 1, 0, 2])
BINARY = np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0]])
TARGETS = RNG.normal(size=(6, 2))

CASES = {
    "relu-tanh-softmax / sparse CE (fused)": (
        lambda: [dense(5, 1, activation="relu"), dense(4, 2, activation="tanh"),
                 dense(3, 3, activation="softmax")], SPARSE, "sparse_categorical_crossentropy"),
    "elu-softmax / categorical CE (fused)": (
        lambda: [dense(4, 4, activation="elu"), dense(3, 5, activation="softmax")],
        ONE_HOT, "categorical_crossentropy"),
    "sigmoid-linear / MSE": (
        lambda: [dense(4, 6, activation="sigmoid"), dense(2, 7)], TARGETS, "mse"),
    "softplus-sigmoid / binary CE": (
        lambda: [dense(3, 8, activation="softplus"), dense(1, 9, activation="sigmoid")],
        BINARY, "binary_crossentropy"),
    "softsign-softmax / MSE (softmax not fused)": (
        lambda: [dense(4, 10, activation="softsign"), dense(2, 11, activation="softmax")],
        np.abs(TARGETS), "mse"),
    "selu-hard_sigmoid-linear / MAE": (
        lambda: [dense(4, 12, activation="selu"), dense(3, 13, activation="hard_sigmoid"),
                 dense(2, 14, use_bias=False)], TARGETS, "mae"),
    "regularizers everywhere / categorical CE": (
        lambda: [dense(4, 15, activation="tanh", kernel_regularizer=regularizers.L2(0.1),
                       bias_regularizer=regularizers.L1(0.05),
                       activity_regularizer=regularizers.L1L2(0.01, 0.02)),
                 dense(3, 16, activation="softmax", kernel_regularizer="l1")],
        ONE_HOT, "categorical_crossentropy"),
    "activity penalty on the softmax output (not fused)": (
        lambda: [dense(4, 17, activation="relu"),
                 dense(3, 18, activation="softmax", activity_regularizer=regularizers.L2(0.1))],
        SPARSE, "sparse_categorical_crossentropy"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_model_gradients_match_central_differences(case, float64):
    build_layers, y, loss = CASES[case]
    model = Sequential(build_layers())
    model.build((None, 4))
    check_model_gradients(model, X, y, loss)


def test_loss_and_gradients_changes_nothing():
    model = Sequential([dense(3, activation="relu"), dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = regression_data(10)
    model.build((None, 3))
    before = model.get_weights()
    model.loss_and_gradients(x, y)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ training semantics
def linear_model(units=1, lr=0.1, features=3, **dense_kwargs):
    model = Sequential([Input((features,)), dense(units, **dense_kwargs)])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def manual_sgd(w, b, x, y, lr, batch_size, epochs):
    """Hand-written mini-batch gradient descent on MSE for y ≈ x @ w + b (float64).

    Returns the final (w, b) and each epoch's batch losses weighted by batch size.
    """
    history = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            r = xb @ w + b - yb
            total += np.mean(r ** 2) * len(xb)
            w = w - lr * 2 * xb.T @ r / r.size
            b = b - lr * 2 * r.sum(axis=0) / r.size
        history.append(total / len(x))
    return w, b, history


@pytest.mark.parametrize("batch_size, epochs", [(50, 3), (1, 1), (16, 2)],
                         ids=["batch GD", "stochastic", "mini-batch"])
def test_sgd_matches_hand_written_gradient_descent(batch_size, epochs, float64):
    x, y = regression_data(50)
    model = linear_model(lr=0.05)
    w0, b0 = model.get_weights()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    w, b, losses_by_epoch = manual_sgd(w0, b0, x, y, 0.05, batch_size, epochs)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-10)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-10)
    np.testing.assert_allclose(history.history["loss"], losses_by_epoch, rtol=1e-10)
    assert model.optimizer.iterations == epochs * math.ceil(50 / batch_size)


def test_history_loss_is_the_batch_size_weighted_mean():
    """Batches of 32, 32, 32 and 4 samples; the last batch's errors are large."""
    x, y = regression_data(100)
    y[-4:] += 50.0
    model = linear_model(lr=0.0)  # weights stay put, so each batch loss is known
    w, b = [v.astype(np.float64) for v in model.get_weights()]
    batch_losses = [np.mean((x[s:s + 32] @ w + b - y[s:s + 32]) ** 2) for s in (0, 32, 64, 96)]
    weighted = np.dot(batch_losses, [32, 32, 32, 4]) / 100
    loss = model.fit(x, y, batch_size=32, shuffle=False, verbose=0).history["loss"][0]
    assert loss == pytest.approx(weighted, rel=1e-5)
    assert abs(loss - np.mean(batch_losses)) > 1.0  # the unweighted mean would be wrong


def test_penalties_are_part_of_the_loss():
    """loss = MSE + 0.1 Σw² (as is) + 0.01 Σ|y| / batch size, per batch (Keras 3)."""
    x, y = regression_data(50)
    model = linear_model(units=1, lr=0.0, kernel_regularizer=regularizers.L2(0.1),
                         activity_regularizer=regularizers.L1(0.01))
    w, b = [v.astype(np.float64) for v in model.get_weights()]
    expected = 0.0
    for s, n in ((0, 32), (32, 18)):
        out = x[s:s + n] @ w + b
        expected += n * (np.mean((out - y[s:s + n]) ** 2) + 0.1 * np.sum(w ** 2)
                         + 0.01 * np.sum(np.abs(out)) / n)
    history = model.fit(x, y, batch_size=32, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected / 50, rel=1e-5)
    assert model.evaluate(x, y, batch_size=32, verbose=0) == pytest.approx(expected / 50, rel=1e-5)


def test_constraints_are_applied_after_the_step(float64):
    x, y = regression_data(20)
    model = linear_model(units=2, lr=0.1, kernel_constraint=constraints.NonNeg())
    model.set_weights([np.array([[-1.0, 0.5], [0.2, -0.3], [1.0, 1.0]]), np.zeros(2)])
    w0, b0 = model.get_weights()
    y2 = np.hstack([y, -y])
    model.fit(x, y2, batch_size=20, epochs=1, shuffle=False, verbose=0)
    w1, _, _ = manual_sgd(w0, b0, x, y2, 0.1, 20, 1)
    np.testing.assert_allclose(model.get_weights()[0], np.maximum(w1, 0.0), rtol=1e-10)
    # applied before the step instead, the result would differ:
    w_before, _, _ = manual_sgd(np.maximum(w0, 0), b0, x, y2, 0.1, 20, 1)
    assert not np.allclose(np.maximum(w1, 0.0), w_before)


def test_weights_are_views_of_one_buffer_that_the_optimizer_updates():
    model = Sequential([Input((3,)), dense(4, activation="relu"), dense(1)])
    model.compile(optimizer="adam", loss="mse")
    kernel = model.layers[0].kernel
    model.fit(*regression_data(20), epochs=1, verbose=0)
    assert model.layers[0].kernel is kernel  # the arrays were updated in place
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    assert model.layers[0].kernel is kernel and np.all(kernel == 0)
    np.testing.assert_array_equal(model.predict(np.ones((2, 3)), verbose=0), 0.0)


def test_metrics_are_weighted_means_and_accuracy_resolves():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 3)), (rng.random((40, 1)) > 0.5).astype(float)
    model = Sequential([Input((3,)), dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(0.0), loss="binary_crossentropy", metrics=["accuracy"])
    w, b = model.get_weights()
    p = activations.sigmoid(x @ w + b)
    history = model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    assert history.history["accuracy"][0] == pytest.approx(np.mean((p > 0.5) == y))


def test_sparse_accuracy_in_history():
    rng = np.random.default_rng(4)
    x, labels = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    model = Sequential([Input((4,)), dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(0.0), loss="sparse_categorical_crossentropy",
                  metrics=["acc", "sparse_categorical_accuracy"])
    w, b = model.get_weights()
    expected = np.mean(np.argmax(x @ w + b, axis=1) == labels)
    logs = model.fit(x, labels, batch_size=8, shuffle=False, verbose=0).history
    assert logs["acc"][0] == pytest.approx(expected)
    assert logs["sparse_categorical_accuracy"][0] == pytest.approx(expected)


def test_validation_split_holds_out_the_last_samples():
    x, y = regression_data(50)
    model = linear_model(lr=0.01)
    history = model.fit(x, y, batch_size=32, epochs=1, validation_split=0.2, seed=0, verbose=0)
    assert history.params["steps"] == 2  # 40 training samples: batches of 32 and 8
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[40:], y[40:], verbose=0), rel=1e-6)
    assert list(history.history) == ["loss", "val_loss"]


def test_validation_data_overrides_the_split():
    x, y = regression_data(50)
    xv, yv = regression_data(10, seed=1)
    model = linear_model(lr=0.01)
    model.compile(optimizer=optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_data=(xv, yv), validation_split=0.5, verbose=0)
    assert history.params["steps"] == 2
    assert [history.history[k][0] for k in ("val_loss", "val_mae")] == pytest.approx(
        model.evaluate(xv, yv, verbose=0), rel=1e-6)


def test_shuffling_is_seeded():
    x, y = regression_data(64)

    def trained(**kwargs):
        model = linear_model(lr=0.05)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, **kwargs)
        return model.get_weights()[0]

    np.testing.assert_array_equal(trained(seed=1), trained(seed=1))
    assert not np.allclose(trained(seed=1), trained(seed=2))
    assert not np.allclose(trained(seed=1), trained(shuffle=False))


def test_frozen_layer_is_not_updated():
    model = Sequential([Input((3,)), dense(4, activation="tanh"), dense(1)])
    model.layers[0].trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.fit(*regression_data(20), verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    assert not np.allclose(before[2], after[2])


# ------------------------------------------------------------------ evaluate / predict
def test_predict_matches_numpy_and_ignores_batch_size():
    model = Sequential([Input((4,)), dense(3, activation="relu"), dense(2, activation="softmax")])
    x = np.random.default_rng(5).normal(size=(23, 4))
    k1, b1, k2, b2 = model.get_weights()
    expected = activations.softmax(np.maximum(x @ k1 + b1, 0) @ k2 + b2)
    out = model.predict(x, batch_size=5, verbose=0)
    assert out.shape == (23, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_array_equal(out, model.predict(x, batch_size=23, verbose=0))
    np.testing.assert_allclose(model(x), out, rtol=1e-6)


def test_evaluate_returns_like_keras():
    x, y = regression_data(20)
    model = linear_model()
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "mae": mae}
    w, b = model.get_weights()
    assert mae == pytest.approx(np.mean(np.abs(x @ w + b - y)), rel=1e-5)


def test_one_dimensional_targets_fit_a_single_unit():
    x, y = regression_data(20)
    model = linear_model()
    assert model.evaluate(x, y[:, 0], verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


# ------------------------------------------------------------------ weights, files, summary
def test_get_set_weights_round_trip_in_keras_order():
    model = Sequential([Input((4,)), dense(3), dense(2, use_bias=False)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(4, 3), (3,), (3, 2)]
    new = [np.full(s, i + 1.0) for i, s in enumerate(shapes)]
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"has 3 weight arrays, but 2 were given"):
        model.set_weights(new[:2])


def test_save_and_load_weights(tmp_path):
    model = Sequential([Input((4,)), dense(3, 1, activation="relu"), dense(2, 2)])
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    other = Sequential([Input((4,)), dense(3, 3, activation="relu"), dense(2, 4)])
    other.load_weights(path)
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_weight_files_are_checked(tmp_path):
    model = Sequential([Input((4,)), dense(3)])
    with pytest.raises(ValueError, match=r"must end in '\.weights\.npz'"):
        model.save_weights(tmp_path / "model.npz")
    model.save_weights(tmp_path / "a.weights.npz")
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(4, 5\), got \(4, 3\)"):
        Sequential([Input((4,)), dense(5)]).load_weights(tmp_path / "a.weights.npz")
    with pytest.raises(ValueError, match="architectures differ"):
        Sequential([Input((4,)), dense(3), dense(1)]).load_weights(tmp_path / "a.weights.npz")
    with pytest.raises(ValueError, match=r"load_weights\(\) needs a built model"):
        Sequential([dense(3)]).load_weights(tmp_path / "a.weights.npz")


def test_summary_counts_parameters(capsys):
    model = Sequential([Input((784,)), Dense(256, activation="relu", name="hidden"),
                        Dense(10, activation="softmax", name="out")], name="mlp")
    model.summary()
    text = capsys.readouterr().out
    hidden, out = 784 * 256 + 256, 256 * 10 + 10
    assert 'Model: "mlp"' in text
    assert "hidden (Dense)" in text and "(None, 256)" in text and f"{hidden:,}" in text
    assert "out (Dense)" in text and "(None, 10)" in text and f"{out:,}" in text
    total = hidden + out
    assert f"Total params: {total:,} ({total * 4 / 1024:.2f} KB)" in text
    assert f"Trainable params: {total:,}" in text and "Non-trainable params: 0 (0.00 B)" in text
    assert model.count_params() == total
    model.summary()
    assert capsys.readouterr().out == text  # deterministic: no addresses, no timings


def test_summary_of_an_unbuilt_model():
    lines = []
    Sequential([Dense(3, name="first")]).summary(print_fn=lines.append)
    assert "first (Dense)" in lines[0] and "0 (unbuilt)" in lines[0] and "?" in lines[0]


def test_legacy_input_shape_argument_builds_the_model():
    model = Sequential([Dense(2, input_shape=(5,)), Dense(1)])
    model.build()
    assert model.count_params() == 5 * 2 + 2 + 2 * 1 + 1


# ------------------------------------------------------------------ errors
def compiled(loss="mse", units=1):
    model = Sequential([Input((3,)), dense(units, activation="softmax" if units > 1 else None)])
    model.compile(optimizer="sgd", loss=loss)
    return model


X3 = np.ones((10, 3))
SPARSE_CE = "sparse_categorical_crossentropy"


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: Sequential([Input((3,)), Dense(1)]).fit(X3, np.ones(10)), ValueError,
         r"must call compile\(\) before fit\(\)"),
        (lambda: Sequential([Input((3,)), Dense(1)]).evaluate(X3, np.ones(10)), ValueError,
         r"compile\(\) before evaluate\(\)"),
        (lambda: compiled().fit(X3, verbose=0), ValueError, "y is missing"),
        (lambda: compiled().fit(X3, np.ones(9), verbose=0), ValueError,
         "same number of samples, got 10 in x and 9 in y"),
        (lambda: compiled().fit(np.ones((10, 4)), np.ones(10), verbose=0), ValueError,
         r"Input of layer 'dense.*' is incompatible.*\(batch, 3\).*got shape \(10, 4\)"),
        (lambda: compiled(SPARSE_CE, 3).fit(X3, np.arange(10) % 4, verbose=0),
         ValueError, "label 3 at index 3.*3 units: valid labels are 0 to 2"),
        (lambda: compiled(SPARSE_CE, 3).fit(X3, np.full(10, 0.5), verbose=0),
         ValueError, "integer class labels, got 0.5"),
        (lambda: compiled(SPARSE_CE, 3).fit(X3, np.eye(3)[np.zeros(10, int)], verbose=0),
         ValueError, "One-hot labels go with loss='categorical_crossentropy'"),
        (lambda: compiled("categorical_crossentropy", 3).fit(X3, np.ones((10, 4)), verbose=0),
         ValueError, r"shape \(samples, 3\).*got shape \(10, 4\).*one column per unit"),
        (lambda: compiled("categorical_crossentropy", 3).fit(X3, np.zeros(10), verbose=0),
         ValueError, "sparse_categorical_crossentropy"),
        (lambda: compiled().fit(np.ones(10), np.ones(10), verbose=0), ValueError,
         r"x must be 2-D.*reshape\(1, -1\)"),
        (lambda: compiled().fit(np.full((10, 3), np.nan), np.ones(10), verbose=0), ValueError,
         "x must be finite"),
        (lambda: compiled().fit(X3, np.ones(10), batch_size=0), ValueError,
         "batch_size must be an integer >= 1"),
        (lambda: compiled().fit(X3, np.ones(10), validation_split=1.0), ValueError,
         r"validation_split must be in \[0, 1\)"),
        (lambda: compiled().fit(X3[:1], np.ones(1), validation_split=0.5), ValueError,
         "not sufficient to split"),
        (lambda: compiled().fit(X3, np.ones(10), verbose=3), ValueError, "verbose must be"),
        (lambda: Sequential().build((None, 3)), ValueError, "no layers"),
        (lambda: Sequential([Dense(1)]).predict(np.ones(3)), ValueError, "x must be 2-D"),
        (lambda: Sequential([Dense(1), Input((3,))]), ValueError, "Input.*must be the first"),
        (lambda: Sequential(["dense"]), TypeError, "expects a dlkit layer"),
        (lambda: Sequential([Dense(1)]).compile(loss="mse", metrics=["acuracy"]), ValueError,
         "Unknown metric 'acuracy'"),
    ],
)
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_compile_without_loss_fails_at_fit():
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="without a loss"):
        model.fit(X3, np.ones(10), verbose=0)


def test_nan_loss_stops_training_with_the_weights_from_before_the_batch():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 3)), 100 * rng.normal(size=(64, 1))
    model = linear_model(lr=1e30)  # batch 1 is finite but throws the weights to ~1e32
    with pytest.raises(FloatingPointError, match=r"loss is inf at epoch 1/1, batch 2/4.*before"):
        model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    after_one_batch = linear_model(lr=1e30)
    after_one_batch.fit(x[:16], y[:16], batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), after_one_batch.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 1


def test_non_finite_output_on_the_first_batch_leaves_weights_untouched():
    model = linear_model(lr=0.1)
    model.set_weights([np.full((3, 1), 3e38), np.zeros(1)])
    before = model.get_weights()
    with pytest.raises(FloatingPointError, match="epoch 1/2, batch 1/1"):
        model.fit(X3, np.ones(10), batch_size=10, epochs=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ progress output
def fit_output(capsys, verbose):
    x, y = regression_data(40)
    model = linear_model()
    model.fit(x, y, batch_size=16, epochs=2, verbose=verbose, shuffle=False)
    return capsys.readouterr().out


def test_verbose_2_prints_one_line_per_epoch(capsys):
    lines = fit_output(capsys, 2).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 1/2 - loss: ") and lines[1].startswith("Epoch 2/2 - loss: ")


def test_verbose_1_prints_the_finished_bar_when_not_a_terminal(capsys):
    text = fit_output(capsys, "auto")
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("3/3 [==============================] - loss: ")
    assert "\r" not in text and "ms" not in text and "ETA" not in text


def test_progress_is_deterministic_and_silent_at_0(capsys):
    assert fit_output(capsys, 1) == fit_output(capsys, 1)
    assert fit_output(capsys, 0) == ""


def test_evaluate_and_predict_print_one_line(capsys):
    x, y = regression_data(40)
    model = linear_model()
    model.evaluate(x, y)
    model.predict(x, batch_size=16)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2/2 [====") and " - loss: " in lines[0]
    assert lines[1] == "3/3 [==============================]"


def test_notebook_progress_is_a_widget_with_fixed_text(capsys, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(callbacks, "_in_jupyter_kernel", lambda: True)
    bar = callbacks.progress(1, epochs=3, steps=10)
    assert isinstance(bar, callbacks.WidgetBar)
    shown = capsys.readouterr().out  # what a notebook would save as text/plain
    assert shown.strip() == "HBox(children=(IntProgress(value=0, max=10), Label(value='')))"
    bar.on_epoch_begin(0)
    bar.on_batch_end(10, lambda: {"loss": 0.5})
    bar.on_epoch_end(0, {"loss": 0.25})
    assert bar.progress.value == 10 and bar.label.value == "Epoch 1/3 - loss: 0.2500"


def test_notebook_without_ipywidgets_falls_back_to_text(monkeypatch):
    monkeypatch.setattr(callbacks, "_in_jupyter_kernel", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    assert isinstance(callbacks.progress(1, epochs=1, steps=1), callbacks.TextBar)


def test_training_imports_no_display_stack():
    code = (
        "import sys, numpy as np\n"
        "from dlkit.models import Sequential\nfrom dlkit.layers import Dense\n"
        "m = Sequential([Dense(1)]); m.compile(loss='mse')\n"
        "m.fit(np.ones((4, 2)), np.ones(4), verbose=1)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in "
        "('ipywidgets', 'matplotlib', 'IPython')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_history_records_epochs_and_params():
    x, y = regression_data(20)
    model = linear_model()
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 1}
    assert model.history is history and history.model is model


def test_compile_accepts_objects():
    x, y = regression_data(20)
    model = Sequential([Input((3,)), dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.01), loss=losses.MeanSquaredError(),
                  metrics=[metrics.mae])
    history = model.fit(x, y, verbose=0)
    assert list(history.history) == ["loss", "mean_absolute_error"]


def test_terminal_bar_is_redrawn_in_place():
    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    term = Terminal()
    bar = callbacks.progress(1, epochs=1, steps=4, stream=term)
    bar.on_epoch_begin(0)
    for step in (1, 2, 3, 4):
        bar.on_batch_end(step, lambda: {"loss": 1.0})
    bar.on_epoch_end(0, {"loss": 0.5})
    filled = "=" * 6 + ">"  # 1/4 of 30 characters: 7
    assert term.text.startswith(f"Epoch 1/1\n\r1/4 [{filled}{'.' * 23}] - loss: 1.0000\r2/4")
    assert term.text.endswith("\r4/4 [==============================] - loss: 0.5000\n")
