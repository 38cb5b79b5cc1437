"""Every derivative and gradient of the numerics against central differences in float64.

One list per concept (ACTIVATIONS, LOSSES, REGULARIZERS) drives both a parametrized check
on fixed inputs and a Hypothesis property on drawn shapes and values, so nothing can be
covered by one and forgotten by the other. The coverage tests at the end fail as soon as
dlkit gains a derivative, a gradient, a Loss class or an option (from_logits,
label_smoothing) that its list does not exercise.
"""

import inspect
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import activations as A
from dlkit import losses as L
from dlkit import regularizers as R
from gradcheck import (
    assert_close_gradient,
    check_gradient,
    numerical_derivative,
    numerical_gradient,
)

# ======================================================================= activations

# (id, function, derivative, kwargs, kinks): every elementwise activation and option.
Activation = namedtuple("Activation", "id fn derivative kwargs kinks")
ACTIVATIONS = [
    Activation("relu", A.relu, A.relu_derivative, {}, (0.0,)),
    Activation("leaky_relu", A.relu, A.relu_derivative, {"negative_slope": 0.1}, (0.0,)),
    Activation("relu6", A.relu, A.relu_derivative, {"max_value": 6.0}, (0.0, 6.0)),
    Activation("relu_threshold", A.relu, A.relu_derivative, {"threshold": 1.5}, (1.5,)),
    Activation(
        "relu_all_options", A.relu, A.relu_derivative,
        {"negative_slope": 0.3, "max_value": 2.5, "threshold": -1.0}, (-1.0, 0.0, 2.5),
    ),
    Activation("tanh", A.tanh, A.tanh_derivative, {}, ()),
    Activation("sigmoid", A.sigmoid, A.sigmoid_derivative, {}, ()),
    Activation("elu", A.elu, A.elu_derivative, {}, (0.0,)),
    Activation("elu_alpha", A.elu, A.elu_derivative, {"alpha": 0.4}, (0.0,)),
    Activation("selu", A.selu, A.selu_derivative, {}, (0.0,)),
    Activation("hard_sigmoid", A.hard_sigmoid, A.hard_sigmoid_derivative, {}, (-3.0, 3.0)),
    Activation("softplus", A.softplus, A.softplus_derivative, {}, ()),
    Activation("softsign", A.softsign, A.softsign_derivative, {}, (0.0,)),
    Activation("exponential", A.exponential, A.exponential_derivative, {}, ()),
    Activation("linear", A.linear, A.linear_derivative, {}, ()),
]


def away_from_kinks(x, kinks, gap=1e-3):
    """Move points within ``gap`` of a kink so the central difference stays on one side."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        x[np.abs(x - k) < gap] = k + 2 * gap
    return x


def check_activation(case, x, upstream):
    """f'(x) and backward(f, x, g) = g·f'(x), with and without the forward output y."""
    x = away_from_kinks(x, case.kinks)
    numeric = numerical_derivative(lambda v: case.fn(v, **case.kwargs), x)
    assert_close_gradient(case.derivative(x, **case.kwargs), numeric, case.id, atol=1e-6)
    by_name = case.id if case.id in A.ALL else case.fn  # lookups by name and by function agree
    y = case.fn(x, **case.kwargs)
    for given_y in (None, y):
        got = A.backward(by_name, x, upstream, y=given_y, **case.kwargs)
        assert_close_gradient(got, upstream * numeric, f"backward {case.id}", atol=1e-6)


@pytest.mark.parametrize("case", ACTIVATIONS, ids=lambda c: c.id)
def test_activation_derivative_on_a_grid(case):
    x = np.linspace(-7, 7, 57).reshape(3, 19)
    check_activation(case, x, np.random.default_rng(0).normal(size=x.shape))


@pytest.mark.parametrize("case", ACTIVATIONS, ids=lambda c: c.id)
@settings(max_examples=10, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=5), elements=st.floats(-20, 20)),
    seed=st.integers(0, 2**32 - 1),
)
def test_activation_derivative_on_drawn_inputs(case, x, seed):
    check_activation(case, x, np.random.default_rng(seed).normal(size=x.shape))


def numerical_jacobian(f, x):
    """J[..., i, j] = d f(x)[..., i] / d x[..., j] for a function acting on the last axis."""
    out = f(x)
    jac = np.zeros(out.shape + (x.shape[-1],))
    for index in np.ndindex(out.shape):
        row = index[:-1]
        jac[index] = numerical_gradient(lambda v, i=index: f(v)[i], x)[row]
    return jac


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_jacobian(axis):
    x = np.array([[0.5, -1.0, 2.0, 0.1], [3.0, 3.0, -2.0, 0.0], [1.0, -0.5, 0.2, 0.3]])
    moved = np.moveaxis(x, axis, -1)  # the numeric Jacobian runs along the last axis
    numeric = numerical_jacobian(lambda v: A.softmax(v, axis=-1), moved)
    jacobian = A.softmax_derivative(x, axis=axis)
    assert jacobian.shape == x.shape + (x.shape[axis],)
    # i sits where the softmax axis was and j is last: move i next to j to compare
    analytic = np.moveaxis(jacobian, axis % x.ndim, -2)
    assert_close_gradient(analytic, numeric, f"softmax Jacobian, axis={axis}")


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
                 elements=st.floats(-30, 30)),
    seed=st.integers(0, 2**32 - 1),
    axis=st.sampled_from([-1, 0]),
)
def test_softmax_backward_is_the_vector_jacobian_product(x, seed, axis):
    upstream = np.random.default_rng(seed).normal(size=x.shape)
    check_gradient(
        lambda v: np.sum(upstream * A.softmax(v, axis=axis)),
        lambda v: A.backward("softmax", v, upstream, axis=axis),
        x, f"softmax VJP, axis={axis}", atol=1e-6,
    )
    if axis == -1:  # the same product through the explicit Jacobian
        via_jacobian = np.einsum("...i,...ij->...j", upstream, A.softmax_derivative(x))
        np.testing.assert_allclose(A.backward(A.softmax, x, upstream, y=A.softmax(x)),
                                   via_jacobian, atol=1e-12)


# ======================================================================= losses
# Input generators: (rng, shape) -> float64 (y_true, y_pred), away from kinks and clips.


def signs(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape)


def regression(rng, shape):
    return rng.normal(size=shape), rng.normal(size=shape)


def off_target(rng, shape):
    """Predictions at least 0.1 from the target (|y - ŷ| has a kink at 0)."""
    y = rng.normal(size=shape)
    return y, y + signs(rng, shape) * rng.uniform(0.1, 1.0, shape)


def percentages(rng, shape):
    y = signs(rng, shape) * rng.uniform(0.5, 2.0, shape)
    return y, y + signs(rng, shape) * rng.uniform(0.1, 1.0, shape)


def positive(rng, shape):
    return rng.uniform(0.0, 3.0, shape), rng.uniform(0.1, 3.0, shape)


def probabilities(rng, shape):
    return rng.uniform(0, 1, shape), rng.uniform(0.05, 0.95, shape)


def binary_logits(rng, shape):
    return rng.integers(0, 2, shape).astype(float), 3 * rng.normal(size=shape)


def one_hot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def unnormalized(rng, shape):
    """Positive scores that do not sum to 1: Keras divides them by their sum."""
    return one_hot(rng, shape), rng.uniform(0.1, 2.0, shape)


def soft_labels(rng, shape):
    y = rng.uniform(0, 1, shape)
    return y / y.sum(axis=-1, keepdims=True), rng.uniform(0.1, 2.0, shape)


def logits(rng, shape):
    return one_hot(rng, shape), 2 * rng.normal(size=shape)


def sparse(rng, shape):
    return rng.integers(0, shape[-1], shape[:-1]), rng.uniform(0.1, 2.0, shape)


def sparse_column(rng, shape):
    y, p = sparse(rng, shape)
    return y[..., None], p


def sparse_logits(rng, shape):
    return rng.integers(0, shape[-1], shape[:-1]), 2 * rng.normal(size=shape)


def margins(rng, labels):
    """ŷ with y·ŷ = 1 ± δ, δ ∈ [0.1, 1]: each hinge term clearly on or off."""
    sign = np.where(labels > 0, 1.0, -1.0)
    return labels, sign * (1.0 + signs(rng, labels.shape) * rng.uniform(0.1, 1.0, labels.shape))


def hinge_pm1(rng, shape):
    return margins(rng, signs(rng, shape))


def hinge_01(rng, shape):
    return margins(rng, (signs(rng, shape) > 0).astype(float))


def categorical_margins(rng, shape):
    """One-hot y and ŷ with no ties in max((1-y)ŷ) and the hinge away from its kink."""
    while True:
        y, p = one_hot(rng, shape), rng.normal(size=shape)
        active = np.max((1 - y) * p, axis=-1) - np.sum(y * p, axis=-1) + 1
        if np.min(np.abs(active)) > 0.05:
            return y, p


class LossCase(namedtuple("LossCase", "id fn kwargs inputs")):
    """A per-sample loss with options (kwargs) and an input generator. Its gradient and
    Loss class come from dlkit's own lookups: a wrong pairing fails the checks."""

    @property
    def grad(self):
        return L.get_gradient(self.fn)

    @property
    def cls(self):
        return type(L.get_loss_object(self.fn))


LOSSES = [
    LossCase("mse", L.mean_squared_error, {}, regression),
    LossCase("mae", L.mean_absolute_error, {}, off_target),
    LossCase("mape", L.mean_absolute_percentage_error, {}, percentages),
    LossCase("msle", L.mean_squared_logarithmic_error, {}, positive),
    LossCase("l1_norm", L.l1_norm, {}, off_target),
    LossCase("l2_norm", L.l2_norm, {}, regression),
    LossCase("bce", L.binary_crossentropy, {}, probabilities),
    LossCase("bce_smoothing", L.binary_crossentropy, {"label_smoothing": 0.2}, probabilities),
    LossCase("bce_axis0", L.binary_crossentropy, {"axis": 0}, probabilities),
    LossCase("bce_logits", L.binary_crossentropy, {"from_logits": True}, binary_logits),
    LossCase("bce_logits_smoothing", L.binary_crossentropy,
             {"from_logits": True, "label_smoothing": 0.3}, binary_logits),
    LossCase("cce", L.categorical_crossentropy, {}, unnormalized),
    LossCase("cce_soft_labels", L.categorical_crossentropy, {}, soft_labels),
    LossCase("cce_smoothing", L.categorical_crossentropy, {"label_smoothing": 0.1}, unnormalized),
    LossCase("cce_axis0", L.categorical_crossentropy, {"axis": 0}, soft_labels),
    LossCase("cce_logits", L.categorical_crossentropy, {"from_logits": True}, logits),
    LossCase("cce_logits_smoothing", L.categorical_crossentropy,
             {"from_logits": True, "label_smoothing": 0.3}, logits),
    LossCase("sparse", L.sparse_categorical_crossentropy, {}, sparse),
    LossCase("sparse_column", L.sparse_categorical_crossentropy, {}, sparse_column),
    LossCase("sparse_logits", L.sparse_categorical_crossentropy, {"from_logits": True},
             sparse_logits),
    LossCase("hinge", L.hinge, {}, hinge_pm1),
    LossCase("hinge_01_labels", L.hinge, {}, hinge_01),
    LossCase("squared_hinge", L.squared_hinge, {}, hinge_pm1),
    LossCase("squared_hinge_01_labels", L.squared_hinge, {}, hinge_01),
    LossCase("categorical_hinge", L.categorical_hinge, {}, categorical_margins),
]
REDUCTIONS = ["sum_over_batch_size", "sum", None]
WEIGHT_KINDS = [None, "scalar", "per_loss", "per_sample", "column"]


def sample_weight(kind, values_shape, rng):
    """A sample_weight of each accepted form for per-sample losses of ``values_shape``."""
    if kind in (None, "scalar"):
        return None if kind is None else 2.5
    shape = {"per_loss": values_shape, "per_sample": values_shape[:1],
             "column": values_shape + (1,)}[kind]
    return rng.uniform(0.0, 2.0, shape)


def check_per_sample_gradient(case, y, p):
    # Samples are independent, so the gradient of Σ_samples loss is each sample's gradient.
    check_gradient(lambda v: np.sum(case.fn(y, v, **case.kwargs)),
                   lambda v: case.grad(y, v, **case.kwargs), p, case.id, atol=1e-6)


def check_reduced_gradient(case, y, p, reduction, weights):
    # With no reduction the loss is an array; its "gradient" is that of the sum.
    loss = case.cls(reduction=reduction, **case.kwargs)
    check_gradient(lambda v: np.sum(loss(y, v, sample_weight=weights)),
                   lambda v: loss.gradient(y, v, sample_weight=weights),
                   p, f"{case.id} {reduction} weights={weights!r}", atol=1e-6)


def values_shape(case, y, p):
    return np.shape(case.fn(y, p, **case.kwargs))


@pytest.mark.parametrize("case", LOSSES, ids=lambda c: c.id)
def test_per_sample_gradient(case):
    y, p = case.inputs(np.random.default_rng(0), (4, 3))
    check_per_sample_gradient(case, y, p)
    assert case.grad(y, p, **case.kwargs).shape == p.shape


@pytest.mark.parametrize("case", LOSSES, ids=lambda c: c.id)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_reduced_gradient(case, reduction):
    rng = np.random.default_rng(1)
    y, p = case.inputs(rng, (4, 3))
    weights = sample_weight("per_loss", values_shape(case, y, p), rng)
    check_reduced_gradient(case, y, p, reduction, weights)


@pytest.mark.parametrize("case", LOSSES, ids=lambda c: c.id)
@settings(max_examples=6, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
    seed=st.integers(0, 2**32 - 1),
    reduction=st.sampled_from(REDUCTIONS),
    weights=st.sampled_from(WEIGHT_KINDS),
)
def test_gradients_on_drawn_inputs(case, shape, seed, reduction, weights):
    rng = np.random.default_rng(seed)
    y, p = case.inputs(rng, shape)
    check_per_sample_gradient(case, y, p)
    w = sample_weight(weights, values_shape(case, y, p), rng)
    check_reduced_gradient(case, y, p, reduction, w)


FUSED = [case for case in LOSSES if case.cls(**case.kwargs).logits_activation is not None]


@pytest.mark.parametrize("case", FUSED, ids=lambda c: c.id)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fused_logits_gradient(case, reduction):
    """d loss(y, act(z)) / dz, act = sigmoid or softmax (along the loss's axis)."""
    rng = np.random.default_rng(2)
    y, _ = case.inputs(rng, (4, 3))
    z = rng.normal(size=(4, 3))
    loss = case.cls(reduction=reduction, **case.kwargs)
    axis = case.kwargs.get("axis", -1)
    act = A.sigmoid if loss.logits_activation == "sigmoid" else lambda v: A.softmax(v, axis=axis)
    check_gradient(lambda v: np.sum(loss(y, act(v))), lambda v: loss.logits_gradient(y, v),
                   z, f"fused {case.id}", atol=1e-6)


@pytest.mark.parametrize("case", [c for c in FUSED if c.cls is L.CategoricalCrossentropy],
                         ids=lambda c: c.id)
def test_softmax_crossentropy_gradient(case):
    y, _ = case.inputs(np.random.default_rng(3), (4, 3))
    z = np.random.default_rng(4).normal(size=(4, 3))
    kwargs = {k: v for k, v in case.kwargs.items() if k in ("label_smoothing", "axis")}
    axis = kwargs.get("axis", -1)
    check_gradient(
        lambda v: np.sum(L.categorical_crossentropy(y, A.softmax(v, axis=axis), **kwargs)),
        lambda v: L.softmax_crossentropy_gradient(y, v, **kwargs), z, case.id, atol=1e-6,
    )


# ======================================================================= regularizers

REGULARIZERS = [R.L1(), R.L2(), R.L1(0.5), R.L2(0.3), R.L1L2(0.1, 0.2), R.L1L2(l1=0.3),
                R.L1L2(l2=0.05)]

# |w| has no derivative at 0: keep drawn weights at least 1e-3 away from it.
_weights = hnp.arrays(
    np.float64, hnp.array_shapes(max_dims=3, max_side=4),
    elements=st.floats(1e-3, 10).flatmap(lambda v: st.sampled_from([v, -v])),
)


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_regularizer_gradient(reg):
    w = np.array([[1.0, -2.0, 0.3], [3.0, -0.01, 0.5]])
    check_gradient(reg, reg.gradient, w, repr(reg))


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
@settings(max_examples=15, deadline=None)
@given(w=_weights)
def test_regularizer_gradient_on_drawn_weights(reg, w):
    check_gradient(reg, reg.gradient, w, repr(reg))


# ======================================================================= coverage of the lists


def public(module, predicate):
    return {obj for name, obj in vars(module).items()
            if not name.startswith("_") and predicate(obj)}


def named_like(obj, suffix):
    return callable(obj) and getattr(obj, "__name__", "").endswith(suffix)


def test_every_activation_derivative_is_checked():
    checked = {case.derivative for case in ACTIVATIONS} | {A.softmax_derivative}
    derivatives = public(A, lambda f: named_like(f, "_derivative"))
    assert derivatives <= checked, f"not in ACTIVATIONS: {derivatives - checked}"
    assert {A.derivative(name) for name in A.ALL} <= checked


def test_every_loss_gradient_class_and_option_is_checked():
    gradients = public(L, lambda f: named_like(f, "_gradient"))
    gradients.discard(L.get_gradient)  # the lookup, not a gradient
    checked = {case.grad for case in LOSSES} | {L.softmax_crossentropy_gradient}
    assert gradients <= checked, f"not in LOSSES: {gradients - checked}"
    classes = public(L, lambda c: isinstance(c, type) and issubclass(c, L.Loss))
    classes -= {L.Loss, L.LossFunctionWrapper}
    assert classes <= {case.cls for case in LOSSES}, "a Loss class is missing from LOSSES"
    for cls in classes:  # every option a class takes is set in some case
        options = set(inspect.signature(cls).parameters) - {"reduction", "name"}
        used = {option for c in LOSSES if c.cls is cls for option in c.kwargs}
        assert options <= used, f"{cls.__name__}: {options - used} never checked"
    functions = {f for f in L.ALL.values() if not isinstance(f, type)}
    assert functions <= {case.fn for case in LOSSES}, "a loss function is missing from LOSSES"


def test_every_regularizer_is_checked():
    assert set(R.ALL.values()) <= {type(reg) for reg in REGULARIZERS}
