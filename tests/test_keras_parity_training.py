"""dlkit against real Keras 3: optimizer steps and Sequential training.

Expected numbers: tests/fixtures/keras/{optimizers,training}.json, written by Keras 3 (torch
backend, float32) with tests/fixtures/generate_keras_fixtures.py.

Tolerances.
- Optimizer steps (5 updates of the same variables): rtol 1e-5, atol 1e-6, as for the other
  numerics; the Keras numbers agree with the float64 formulas to 5e-7.
- Training (3-5 epochs of 3 mini-batches, the last one partial): rtol 5e-5, atol 5e-6. Keras
  run in float64 on the same cases differs from its float32 run by at most 6e-7, so this is
  ~10x the float32 rounding drift (room for another BLAS summing in another order); a real
  slip is far larger (batches of 5 instead of 4, i.e. no partial batch, moves the losses
  and weights by >= 4e-2 in every case).
"""

import functools

import numpy as np
import pytest

import dlkit
from keras_fixtures import assert_allclose, cases, params

STEP_RTOL, STEP_ATOL = 1e-5, 1e-6
FIT_RTOL, FIT_ATOL = 5e-5, 5e-6


# --------------------------------------------------------------------------- optimizers

@pytest.mark.parametrize("case", params("optimizers"))
def test_optimizer_steps_match_keras(case):
    """Two variables (a matrix and a vector) updated together; compare after every step."""
    optimizer = getattr(dlkit.optimizers, case["cls"])(**case["config"])
    variables = [w.copy() for w in case["initial"]]
    for step, (grads, expected) in enumerate(zip(case["grads"], case["steps"]), start=1):
        optimizer.apply_gradients([(g.copy(), v) for g, v in zip(grads, variables)])
        for k, (var, want) in enumerate(zip(variables, expected)):
            assert var.dtype == np.float32, f"{case['id']}: variable became {var.dtype}"
            assert_allclose(var, want, STEP_RTOL, STEP_ATOL, f"{case['id']} step {step} var {k}")
    assert int(optimizer.iterations) == case["iterations"]


# --------------------------------------------------------------------------- training

def _build(module, spec):
    """A regularizer / constraint from its fixture spec [class name, config]."""
    return None if spec is None else getattr(module, spec[0])(**spec[1])


def _model(case):
    layers = [dlkit.layers.Input(shape=(case["x"].shape[1],))]
    for spec in case["layers"]:
        layers.append(dlkit.layers.Dense(
            spec["units"], activation=spec["activation"],
            kernel_regularizer=_build(dlkit.regularizers, spec.get("kernel_regularizer")),
            kernel_constraint=_build(dlkit.constraints, spec.get("kernel_constraint"))))
    model = dlkit.models.Sequential(layers)
    optimizer = _build(dlkit.optimizers, case["optimizer"])
    model.compile(optimizer=optimizer, loss=case["loss"], metrics=[case["metric"]])
    model.set_weights([w.copy() for w in case["initial_weights"]])
    return model


@functools.cache
def _trained(case_id):
    """(model, history) after the fixture's fit; one fit per case, shared by the tests."""
    (case,) = cases("training", lambda c: c["id"] == case_id)
    model = _model(case)
    history = model.fit(case["x"], case["y"], batch_size=case["batch_size"],
                        epochs=case["epochs"], shuffle=False, verbose=0)
    return model, history


def _fit_close(actual, expected, what):
    assert_allclose(actual, expected, FIT_RTOL, FIT_ATOL, what)


@pytest.mark.parametrize("case", params("training"))
def test_fit_history_matches_keras(case):
    """Per-epoch loss (incl. weight penalties, weighted by batch size) and metric."""
    _, history = _trained(case["id"])
    for key in ("loss", case["metric"]):
        assert key in history.history, f"{case['id']}: history has {sorted(history.history)}"
        _fit_close(history.history[key], case["history"][key], f"{case['id']} history[{key!r}]")


@pytest.mark.parametrize("case", params("training"))
def test_fit_final_weights_match_keras(case):
    model, _ = _trained(case["id"])
    weights = model.get_weights()
    assert len(weights) == len(case["final_weights"]), f"{case['id']}: get_weights() order"
    for i, (got, want) in enumerate(zip(weights, case["final_weights"])):
        _fit_close(got, want, f"{case['id']} weight {i}")


@pytest.mark.parametrize("case", params("training"))
def test_evaluate_matches_keras(case):
    """evaluate() returns [loss, metric] like Keras with one compiled metric."""
    model, _ = _trained(case["id"])
    got = model.evaluate(case["x"], case["y"], batch_size=case["batch_size"], verbose=0)
    expected = [case["evaluate"]["loss"], case["evaluate"][case["metric"]]]
    _fit_close(np.ravel(got), np.ravel(expected), f"{case['id']} evaluate")


@pytest.mark.parametrize("case", params("training"))
def test_predict_matches_keras(case):
    model, _ = _trained(case["id"])
    got = model.predict(case["x"], batch_size=case["batch_size"], verbose=0)
    _fit_close(got, case["predict"], f"{case['id']} predict")
