"""dlkit against real Keras 3: activations, losses, regularizers, constraints, initializers.

The expected numbers come from tests/fixtures/keras/*.json, written by Keras 3 (torch
backend, float32) with tests/fixtures/generate_keras_fixtures.py; derivatives and gradients
there are Keras's autodiff, so dlkit's analytic derivatives are checked against Keras too.

Tolerance rtol=1e-5, atol=1e-6: about 80 float32 ulps, room for a different but equally
accurate formula (log1p vs log, expm1, a stable log-softmax) and nothing more.
"""

import numpy as np
import pytest

import dlkit
from keras_fixtures import assert_allclose, cases, params

RTOL, ATOL = 1e-5, 1e-6
REDUCTIONS = ("sum_over_batch_size", "sum")


def _elementwise(case):
    return case["name"] != "softmax"


def _check(actual, expected, what):
    assert_allclose(actual, expected, RTOL, ATOL, what)
    dtype = np.asarray(actual).dtype
    if np.ndim(expected) > 0:  # scalars may come back as Python floats
        assert dtype == np.float32, f"{what}: float32 in, {dtype} out"


# --------------------------------------------------------------------------- activations

@pytest.mark.parametrize("case", params("activations"))
def test_activation_values(case):
    fn = getattr(dlkit.activations, case["name"])
    _check(fn(case["x"], **case["kwargs"]), case["y"], case["id"])


@pytest.mark.parametrize("case", params("activations", _elementwise))
def test_activation_derivative_matches_keras_autodiff(case):
    """Away from kinks (where autodiff just picks one side) d/dx must equal Keras's."""
    derivative = getattr(dlkit.activations, f"{case['name']}_derivative")
    smooth = ~np.isin(case["x"], np.float32(case["kinks"]))
    got = np.asarray(derivative(case["x"], **case["kwargs"]))
    _check(got[smooth], case["dydx"][smooth], case["id"])


@pytest.mark.parametrize("case", params("activations", lambda c: not _elementwise(c)))
def test_softmax_backward_matches_keras_vjp(case):
    axis = case["kwargs"]["axis"]
    extra = {} if axis == -1 else {"axis": axis}  # the contract's backward() is axis=-1
    got = dlkit.activations.backward("softmax", case["x"], case["upstream"], **extra)
    _check(got, case["vjp"], case["id"])


@pytest.mark.parametrize("case", params("activations", lambda c: "jacobian" in c))
def test_softmax_jacobian_matches_keras(case):
    _check(dlkit.activations.softmax_derivative(case["x"]), case["jacobian"], case["id"])


# --------------------------------------------------------------------------- losses

def _reduction_params(where=None):
    return [pytest.param(case, reduction, id=f"{case['id']}-{reduction}")
            for case in cases("losses", where) for reduction in REDUCTIONS]


@pytest.mark.parametrize("case", params("losses"))
def test_loss_per_sample(case):
    fn = getattr(dlkit.losses, case["fn"])
    _check(fn(case["y_true"], case["y_pred"], **case["kwargs"]), case["per_sample"], case["id"])


@pytest.mark.parametrize("case", params("losses"))
def test_loss_per_sample_gradient_matches_keras_autodiff(case):
    gradient = getattr(dlkit.losses, f"{case['fn']}_gradient")
    got = gradient(case["y_true"], case["y_pred"], **case["kwargs"])
    _check(got, case["per_sample_grad"], case["id"])


def _loss_object(case, reduction):
    return getattr(dlkit.losses, case["cls"])(reduction=reduction, **case["kwargs"])


@pytest.mark.parametrize(("case", "reduction"), _reduction_params())
def test_loss_class_reduced_value(case, reduction):
    loss = _loss_object(case, reduction)
    _check(loss(case["y_true"], case["y_pred"]), case["reduced"][reduction]["value"],
           f"{case['id']} ({reduction})")


@pytest.mark.parametrize(("case", "reduction"), _reduction_params())
def test_loss_class_gradient_matches_keras_autodiff(case, reduction):
    loss = _loss_object(case, reduction)
    _check(loss.gradient(case["y_true"], case["y_pred"]), case["reduced"][reduction]["grad"],
           f"{case['id']} ({reduction})")


@pytest.mark.parametrize(("case", "reduction"), _reduction_params(lambda c: "sample_weight" in c))
def test_loss_class_sample_weight(case, reduction):
    """Keras divides the weighted sum by the number of values, not by the sum of weights."""
    loss = _loss_object(case, reduction)
    got = loss(case["y_true"], case["y_pred"], sample_weight=case["sample_weight"])
    _check(got, case["reduced"][reduction]["weighted_value"], f"{case['id']} ({reduction})")


# --------------------------------------------------------------------------- regularizers

@pytest.mark.parametrize("case", params("regularizers"))
def test_regularizer_value(case):
    reg = getattr(dlkit.regularizers, case["cls"])(**case["config"])
    _check(reg(case["w"]), case["value"], case["id"])


@pytest.mark.parametrize("case", params("regularizers"))
def test_regularizer_gradient_matches_keras_autodiff(case):
    reg = getattr(dlkit.regularizers, case["cls"])(**case["config"])
    _check(reg.gradient(case["w"]), case["grad"], case["id"])


# --------------------------------------------------------------------------- constraints

@pytest.mark.parametrize("case", params("constraints"))
def test_constraint(case):
    constraint = getattr(dlkit.constraints, case["cls"])(**case["config"])
    w = case["w"].copy()
    _check(constraint(w), case["out"], case["id"])
    np.testing.assert_array_equal(w, case["w"], err_msg="a constraint returns a new array")


# --------------------------------------------------------------------------- initializers

def _pooled_draws(case):
    cls = getattr(dlkit.initializers, case["cls"])
    shape = tuple(case["shape"])
    draws = [cls(seed=seed, **case["config"])(shape) for seed in range(case["draws"])]
    assert all(d.shape == shape and d.dtype == np.float32 for d in draws), case["id"]
    return np.concatenate([d.ravel() for d in draws]).astype(np.float64)


@pytest.mark.parametrize("case", params("initializers"))
def test_initializer_distribution_matches_keras(case):
    """Same pooled size as Keras's draw (>= 50 000 values): the std estimates scatter by
    ~0.5 %, so 3 % passes any correct fan/scale and fails a wrong one (fan_in for fan_avg on
    the 300x200 kernel is 9 % off, a missing truncation correction 12 %).
    """
    values = _pooled_draws(case)
    std = values.std()
    assert std == pytest.approx(case["std"], rel=0.03), f"{case['id']}: std"
    assert abs(values.mean() - case["mean"]) < 0.03 * case["std"], f"{case['id']}: mean"
    if case["bounded"]:
        _check_bound(case, np.abs(values - case["centre"]))


def _check_bound(case, deviations):
    """Uniform limit / truncation at 2 stddev. The 99.9 % quantile sits within 0.5 % of the
    bound and is compared with Keras's; the maximum must not pass it by more than 1 %.
    (Keras's own maximum is no bound: its torch backend leaves ~4e-6 of a truncated normal
    draw beyond 2 stddev, see the generator.)
    """
    q999 = np.quantile(deviations, 0.999)
    assert q999 == pytest.approx(case["q999_abs_dev"], rel=0.02), f"{case['id']}: 99.9 % quantile"
    assert deviations.max() <= 1.01 * case["q999_abs_dev"], f"{case['id']}: values past the bound"
