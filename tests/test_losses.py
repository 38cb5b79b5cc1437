"""dlkit.losses: hand-derived values, gradients by central differences, reductions, errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import activations
from dlkit import losses as L
from gradcheck import check_gradient

SHAPE = (4, 3)


# --- input generators: float64, away from kinks and clip boundaries -----------


def signs(rng, shape=SHAPE):
    return rng.choice([-1.0, 1.0], size=shape)


def regression(rng):
    return rng.normal(size=SHAPE), rng.normal(size=SHAPE)


def off_target(rng):
    """Predictions at least 0.1 from the target (|y - ŷ| has a kink at 0)."""
    y = rng.normal(size=SHAPE)
    return y, y + signs(rng) * rng.uniform(0.1, 1.0, SHAPE)


def percentages(rng):
    y = signs(rng) * rng.uniform(0.5, 2.0, SHAPE)
    return y, y + signs(rng) * rng.uniform(0.1, 1.0, SHAPE)


def positive(rng):
    return rng.uniform(0.0, 3.0, SHAPE), rng.uniform(0.1, 3.0, SHAPE)


def probabilities(rng):
    return rng.uniform(0, 1, SHAPE), rng.uniform(0.05, 0.95, SHAPE)


def binary_logits(rng):
    return rng.integers(0, 2, SHAPE).astype(float), 3 * rng.normal(size=SHAPE)


def one_hot(rng, shape=SHAPE):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def unnormalized(rng):
    """Positive scores that do not sum to 1: Keras divides them by their sum."""
    return one_hot(rng), rng.uniform(0.1, 2.0, SHAPE)


def soft_labels(rng):
    y = rng.uniform(0, 1, SHAPE)
    return y / y.sum(axis=-1, keepdims=True), rng.uniform(0.1, 2.0, SHAPE)


def logits(rng):
    return one_hot(rng), 2 * rng.normal(size=SHAPE)


def sparse(rng):
    return rng.integers(0, SHAPE[-1], SHAPE[0]), rng.uniform(0.1, 2.0, SHAPE)


def sparse_column(rng):
    y, p = sparse(rng)
    return y[:, None], p


def margins(rng, labels):
    """ŷ with y·ŷ = 1 ± δ, δ ∈ [0.1, 1]: each hinge term clearly on or off."""
    sign = np.where(labels > 0, 1.0, -1.0)
    return labels, sign * (1.0 + signs(rng) * rng.uniform(0.1, 1.0, SHAPE))


def hinge_pm1(rng):
    return margins(rng, signs(rng))


def hinge_01(rng):
    return margins(rng, (signs(rng) > 0).astype(float))


def categorical_margins(rng):
    """One-hot y and ŷ with no ties in max((1-y)ŷ) and the hinge away from its kink."""
    while True:
        y, p = one_hot(rng), rng.normal(size=SHAPE)
        active = np.max((1 - y) * p, axis=-1) - np.sum(y * p, axis=-1) + 1
        if np.min(np.abs(active)) > 0.05:
            return y, p


# (id, function, gradient, kwargs, inputs): one list drives every gradient check.
CASES = [
    ("mse", L.mean_squared_error, L.mean_squared_error_gradient, {}, regression),
    ("mae", L.mean_absolute_error, L.mean_absolute_error_gradient, {}, off_target),
    (
        "mape",
        L.mean_absolute_percentage_error,
        L.mean_absolute_percentage_error_gradient,
        {},
        percentages,
    ),
    (
        "msle",
        L.mean_squared_logarithmic_error,
        L.mean_squared_logarithmic_error_gradient,
        {},
        positive,
    ),
    ("l1_norm", L.l1_norm, L.l1_norm_gradient, {}, off_target),
    ("l2_norm", L.l2_norm, L.l2_norm_gradient, {}, regression),
    ("bce", L.binary_crossentropy, L.binary_crossentropy_gradient, {}, probabilities),
    (
        "bce_smoothing",
        L.binary_crossentropy,
        L.binary_crossentropy_gradient,
        {"label_smoothing": 0.2},
        probabilities,
    ),
    (
        "bce_axis0",
        L.binary_crossentropy,
        L.binary_crossentropy_gradient,
        {"axis": 0},
        probabilities,
    ),
    (
        "bce_logits",
        L.binary_crossentropy,
        L.binary_crossentropy_gradient,
        {"from_logits": True},
        binary_logits,
    ),
    ("cce", L.categorical_crossentropy, L.categorical_crossentropy_gradient, {}, unnormalized),
    (
        "cce_soft_labels",
        L.categorical_crossentropy,
        L.categorical_crossentropy_gradient,
        {},
        soft_labels,
    ),
    (
        "cce_smoothing",
        L.categorical_crossentropy,
        L.categorical_crossentropy_gradient,
        {"label_smoothing": 0.1},
        unnormalized,
    ),
    (
        "cce_axis0",
        L.categorical_crossentropy,
        L.categorical_crossentropy_gradient,
        {"axis": 0},
        soft_labels,
    ),
    (
        "cce_logits",
        L.categorical_crossentropy,
        L.categorical_crossentropy_gradient,
        {"from_logits": True},
        logits,
    ),
    (
        "cce_logits_smoothing",
        L.categorical_crossentropy,
        L.categorical_crossentropy_gradient,
        {"from_logits": True, "label_smoothing": 0.3},
        logits,
    ),
    (
        "sparse",
        L.sparse_categorical_crossentropy,
        L.sparse_categorical_crossentropy_gradient,
        {},
        sparse,
    ),
    (
        "sparse_column",
        L.sparse_categorical_crossentropy,
        L.sparse_categorical_crossentropy_gradient,
        {},
        sparse_column,
    ),
    (
        "sparse_logits",
        L.sparse_categorical_crossentropy,
        L.sparse_categorical_crossentropy_gradient,
        {"from_logits": True},
        sparse,
    ),
    ("hinge", L.hinge, L.hinge_gradient, {}, hinge_pm1),
    ("hinge_01_labels", L.hinge, L.hinge_gradient, {}, hinge_01),
    ("squared_hinge", L.squared_hinge, L.squared_hinge_gradient, {}, hinge_pm1),
    ("squared_hinge_01_labels", L.squared_hinge, L.squared_hinge_gradient, {}, hinge_01),
    (
        "categorical_hinge",
        L.categorical_hinge,
        L.categorical_hinge_gradient,
        {},
        categorical_margins,
    ),
]
IDS = [case[0] for case in CASES]


def check_per_sample_gradient(name, fn, grad, kwargs, y, p):
    # Samples are independent, so the gradient of Σ_samples loss is each sample's gradient.
    check_gradient(
        lambda v: np.sum(fn(y, v, **kwargs)), lambda v: grad(y, v, **kwargs), p, name, atol=1e-6
    )


@pytest.mark.parametrize("name, fn, grad, kwargs, inputs", CASES, ids=IDS)
def test_gradient_matches_central_differences(name, fn, grad, kwargs, inputs):
    y, p = inputs(np.random.default_rng(0))
    check_per_sample_gradient(name, fn, grad, kwargs, y, p)


@pytest.mark.parametrize("name, fn, grad, kwargs, inputs", CASES, ids=IDS)
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_gradient_on_random_inputs(name, fn, grad, kwargs, inputs, seed):
    y, p = inputs(np.random.default_rng(seed))
    check_per_sample_gradient(name, fn, grad, kwargs, y, p)


@pytest.mark.parametrize("name, fn, grad, kwargs, inputs", CASES, ids=IDS)
def test_gradient_has_y_pred_shape_and_loss_drops_the_axis(name, fn, grad, kwargs, inputs):
    y, p = inputs(np.random.default_rng(1))
    assert grad(y, p, **kwargs).shape == p.shape
    axis = kwargs.get("axis", -1)
    assert fn(y, p, **kwargs).shape == tuple(np.delete(p.shape, axis))


# --- Loss classes: reductions, sample weights, gradients of the reduced loss -----

CLASSES = [
    (L.MeanSquaredError, {}, regression),
    (L.MeanAbsolutePercentageError, {}, percentages),
    (L.BinaryCrossentropy, {"label_smoothing": 0.1}, probabilities),
    (L.CategoricalCrossentropy, {"axis": 0}, soft_labels),
    (L.SparseCategoricalCrossentropy, {"from_logits": True}, sparse),
    (L.CategoricalHinge, {}, categorical_margins),
    (L.L1Norm, {}, off_target),
    (L.L2Norm, {}, regression),
]
WEIGHTS = [None, 2.5, "per_sample", "column"]


def sample_weight(kind, n):
    rng = np.random.default_rng(7)
    return {"per_sample": rng.uniform(0, 2, n), "column": rng.uniform(0, 2, (n, 1))}.get(kind, kind)


@pytest.mark.parametrize("cls, kwargs, inputs", CLASSES, ids=[c[0].__name__ for c in CLASSES])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
@pytest.mark.parametrize("weights", WEIGHTS)
def test_loss_gradient_is_gradient_of_reduced_loss(cls, kwargs, inputs, reduction, weights):
    loss = cls(reduction=reduction, **kwargs)
    y, p = inputs(np.random.default_rng(3))
    w = sample_weight(weights, 3 if kwargs.get("axis") == 0 else 4)

    def total(v):  # with no reduction the gradient is that of the sum
        return np.sum(loss(y, v, sample_weight=w))

    check_gradient(
        total, lambda v: loss.gradient(y, v, sample_weight=w), p, cls.__name__, atol=1e-6
    )


def test_reductions_of_a_hand_example():
    y, p = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]  # per sample: (0+1)/2, (4+9)/2
    np.testing.assert_allclose(L.mean_squared_error(y, p), [0.5, 6.5])
    assert L.MeanSquaredError()(y, p) == pytest.approx(3.5)
    assert L.MeanSquaredError(reduction="sum")(y, p) == pytest.approx(7.0)
    np.testing.assert_allclose(L.MeanSquaredError(reduction=None)(y, p), [0.5, 6.5])
    np.testing.assert_allclose(L.MeanSquaredError(reduction="none")(y, p), [0.5, 6.5])
    # Keras divides by the batch size, not by the sum of the weights
    assert L.MeanSquaredError()(y, p, sample_weight=[1.0, 0.0]) == pytest.approx(0.25)
    assert L.MeanSquaredError()(y, p, sample_weight=[[2.0], [1.0]]) == pytest.approx(3.75)
    # d/dŷ of mean over batch of mean((y-ŷ)²): (ŷ - y)·2/2 per sample, / 2 samples
    np.testing.assert_allclose(L.MeanSquaredError().gradient(y, p), [[0.0, -0.5], [-1.0, -1.5]])


def test_deck_norms_sum_over_the_samples():
    y, p = [[1.0], [2.0], [3.0]], [[2.0], [2.0], [1.0]]
    assert L.L1Norm()(y, p) == pytest.approx(1 + 0 + 2)
    assert L.L2Norm()(y, p) == pytest.approx(1 + 0 + 4)
    assert L.L1Norm().reduction == "sum" and L.L2Norm().reduction == "sum"
    np.testing.assert_allclose(L.l1_norm([[1, 2, 3]], [[2, 2, 1]]), [3.0])
    np.testing.assert_allclose(L.l2_norm([[1, 2, 3]], [[2, 2, 1]]), [5.0])


def test_one_sample_gives_a_scalar_that_is_not_divided():
    # Keras returns a 0-d loss as it is; 1-D inputs are ONE sample of 3 outputs.
    assert L.MeanSquaredError()([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]) == pytest.approx(5 / 3)
    np.testing.assert_allclose(
        L.MeanSquaredError().gradient([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]), [0, -2 / 3, -4 / 3]
    )


# --- hand-derived values ---------------------------------------------------------


def test_regression_values():
    assert L.mae([[1.0, -2.0]], [[2.0, 2.0]])[0] == pytest.approx(2.5)
    assert L.mape([[2.0, 4.0]], [[1.0, 5.0]])[0] == pytest.approx(100 * (0.5 + 0.25) / 2)
    # y = 0: |y| is replaced by eps = 1e-7
    assert L.mape([[0.0]], [[1.0]])[0] == pytest.approx(1e9, rel=1e-6)
    # MSLE clips ŷ at eps: log(1 + 1e-7) - log(e) ≈ -1
    assert L.msle([[math.e - 1]], [[-5.0]])[0] == pytest.approx(
        (math.log1p(1e-7) - 1) ** 2, rel=1e-6
    )


def test_binary_crossentropy_values():
    assert L.binary_crossentropy([[1.0, 0.0]], [[0.8, 0.4]])[0] == pytest.approx(
        -(math.log(0.8) + math.log(0.6)) / 2
    )
    # smoothing: y = 1 -> 1·0.8 + 0.5·0.2 = 0.9
    expected = -(0.9 * math.log(0.8) + 0.1 * math.log(0.2))
    assert L.binary_crossentropy([[1.0]], [[0.8]], label_smoothing=0.2)[0] == pytest.approx(
        expected
    )
    assert L.binary_crossentropy([[1.0]], [[0.0]], from_logits=True)[0] == pytest.approx(
        math.log(2)
    )
    np.testing.assert_allclose(
        L.binary_crossentropy([[0.0], [1.0]], [[100.0], [-1e4]], from_logits=True), [100.0, 1e4]
    )


def test_crossentropy_of_exact_zero_and_one_is_finite_as_in_keras():
    # float64: p clipped to [1e-7, 1 - 1e-7] -> -log(1e-7) either way
    p64 = np.array([[0.0, 1.0]])
    np.testing.assert_allclose(
        L.binary_crossentropy(np.array([[1.0, 0.0]]), p64), [-math.log(1e-7)], rtol=1e-6
    )
    # float32 (also lists: they become floatx): 1 - 1e-7 rounds to 0.99999988, so for
    # ŷ = 1 the clipped 1 - p is 2**-23 (Keras gives the same); ŷ = 0 gives -log(1e-7).
    assert L.binary_crossentropy([[0.0]], [[1.0]])[0] == pytest.approx(23 * math.log(2), rel=1e-6)
    assert L.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])[0] == pytest.approx(
        (-math.log(1e-7) + 23 * math.log(2)) / 2, rel=1e-6
    )
    assert L.categorical_crossentropy([[0, 1, 0]], [[1, 0, 0]])[0] == pytest.approx(
        -math.log(1e-7), rel=1e-6
    )


def test_categorical_crossentropy_values():
    assert L.categorical_crossentropy([[0, 1, 0]], [[0.1, 0.6, 0.3]])[0] == pytest.approx(
        -math.log(0.6)
    )
    # scores are divided by their sum first: [1, 6, 3] / 10
    assert L.categorical_crossentropy([[0, 1, 0]], [[1.0, 6.0, 3.0]])[0] == pytest.approx(
        -math.log(0.6)
    )
    # smoothing 0.3 over 3 classes: [0, 1, 0] -> [0.1, 0.8, 0.1]
    expected = -(0.1 * math.log(0.2) + 0.8 * math.log(0.5) + 0.1 * math.log(0.3))
    value = L.categorical_crossentropy([[0.0, 1.0, 0.0]], [[0.2, 0.5, 0.3]], label_smoothing=0.3)[0]
    assert value == pytest.approx(expected)
    # logits log[1, 2, 3] -> probabilities [1/6, 2/6, 3/6]
    z = np.log([[1.0, 2.0, 3.0]])
    assert L.categorical_crossentropy([[0, 0, 1]], z, from_logits=True)[0] == pytest.approx(
        math.log(2)
    )


def test_sparse_labels_match_one_hot():
    p = [[0.1, 0.6, 0.3], [0.7, 0.2, 0.1]]
    expected = [-math.log(0.6), -math.log(0.1)]
    np.testing.assert_allclose(L.sparse_categorical_crossentropy([1, 2], p), expected, rtol=1e-6)
    np.testing.assert_allclose(
        L.sparse_categorical_crossentropy([[1], [2]], p), expected, rtol=1e-6
    )
    np.testing.assert_allclose(
        L.sparse_categorical_crossentropy([1.0, 2.0], p), expected, rtol=1e-6
    )
    np.testing.assert_allclose(
        L.sparse_categorical_crossentropy_gradient([1, 2], p),
        L.categorical_crossentropy_gradient([[0, 1, 0], [0, 0, 1]], p),
    )


def test_hinge_maps_01_labels_only_when_every_label_is_0_or_1():
    # [0, 1] -> [-1, 1]: max(1 + 0.3, 0), max(1 - 0.4, 0)
    assert L.hinge([[0.0, 1.0]], [[0.3, 0.4]])[0] == pytest.approx((1.3 + 0.6) / 2)
    assert L.hinge([[-1.0, 1.0]], [[0.3, 0.4]])[0] == pytest.approx((1.3 + 0.6) / 2)
    assert L.squared_hinge([[0.0, 1.0]], [[0.3, 0.4]])[0] == pytest.approx((1.3**2 + 0.6**2) / 2)
    # 0.5 is not a 0/1 label: nothing is mapped, max(1 - 0, 0), max(1 - 0.5·0.4, 0)
    assert L.hinge([[0.0, 0.5]], [[0.3, 0.4]])[0] == pytest.approx((1.0 + 0.8) / 2)
    # the check covers the whole batch: one row with a 2 stops the mapping for all
    np.testing.assert_allclose(
        L.hinge([[0.0, 1.0], [2.0, 1.0]], [[0.3, 0.4], [0.0, 0.0]]), [(1.0 + 0.6) / 2, 1.0]
    )


def test_categorical_hinge_values_and_tied_maximum():
    # pos = 0.5, neg = max(0.2, 0, 0.7) = 0.7 -> 0.7 - 0.5 + 1
    assert L.categorical_hinge([[0, 1, 0]], [[0.2, 0.5, 0.7]])[0] == pytest.approx(1.2)
    # tie between the two wrong classes: autodiff of max shares the gradient
    np.testing.assert_allclose(
        L.categorical_hinge_gradient([[0, 0, 1]], [[0.5, 0.5, 0.2]]), [[0.5, 0.5, -1.0]]
    )
    # inactive hinge (neg - pos + 1 = 0): zero gradient
    np.testing.assert_array_equal(
        L.categorical_hinge_gradient([[0, 0, 1]], [[0.0, 0.0, 1.0]]), [[0.0, 0.0, 0.0]]
    )


def test_gradient_is_zero_where_the_probability_is_clipped():
    np.testing.assert_array_equal(
        L.binary_crossentropy_gradient([[1.0, 0.0]], [[0.0, 1.0]]), [[0.0, 0.0]]
    )
    np.testing.assert_array_equal(
        L.mean_squared_logarithmic_error_gradient([[1.0]], [[-2.0]]), [[0.0]]
    )
    g = L.categorical_crossentropy_gradient([[1.0, 0.0]], [[0.0, 1.0]])
    np.testing.assert_array_equal(g, [[0.0, 0.0]])


# --- fused softmax / sigmoid + crossentropy ------------------------------------


def test_fused_softmax_gradient_is_softmax_minus_labels():
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    z = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]])
    expected = activations.softmax(z) - y
    np.testing.assert_allclose(L.softmax_crossentropy_gradient(y, z), expected, rtol=1e-12)
    cce = L.CategoricalCrossentropy()
    assert cce.logits_activation == "softmax"
    np.testing.assert_allclose(cce.logits_gradient(y, z), expected / 2, rtol=1e-12)
    # away from the clip it equals the chain rule through the softmax Jacobian
    chained = activations.backward("softmax", z, cce.gradient(y, activations.softmax(z)))
    np.testing.assert_allclose(cce.logits_gradient(y, z), chained, rtol=1e-9)
    sparse = L.SparseCategoricalCrossentropy()
    np.testing.assert_allclose(sparse.logits_gradient([1, 0], z), expected / 2, rtol=1e-12)


def test_fused_gradient_survives_a_saturated_softmax():
    y, z = np.array([[1.0, 0.0]]), np.array([[-50.0, 50.0]])
    cce = L.CategoricalCrossentropy()
    chained = activations.backward("softmax", z, cce.gradient(y, activations.softmax(z)))
    np.testing.assert_allclose(chained, 0.0, atol=1e-12)  # the clip kills it
    np.testing.assert_allclose(cce.logits_gradient(y, z), [[-1.0, 1.0]], atol=1e-12)


def test_fused_sigmoid_gradient_and_logits_activation():
    y, z = np.array([[1.0, 0.0]]), np.array([[0.3, -2.0]])
    bce = L.BinaryCrossentropy()
    assert bce.logits_activation == "sigmoid"
    np.testing.assert_allclose(
        bce.logits_gradient(y, z), (activations.sigmoid(z) - y) / 2, rtol=1e-12
    )
    assert L.BinaryCrossentropy(from_logits=True).logits_activation is None
    assert L.MeanSquaredError().logits_activation is None
    with pytest.raises(TypeError, match="no fused"):
        L.MeanSquaredError().logits_gradient(y, z)


# --- properties --------------------------------------------------------------------

finite = st.floats(-1e3, 1e3)


@settings(max_examples=20, deadline=None)
@given(
    yp=hnp.arrays(np.float64, st.tuples(st.just(2), st.integers(1, 4)), elements=finite).flatmap(
        lambda y: st.tuples(st.just(y), hnp.arrays(np.float64, y.shape, elements=finite))
    )
)
def test_regression_and_hinge_losses_are_nonnegative(yp):
    y, p = yp
    for fn in (
        L.mse,
        L.mae,
        L.mape,
        L.msle,
        L.l1_norm,
        L.l2_norm,
        L.hinge,
        L.squared_hinge,
        L.categorical_hinge,
    ):
        value = fn(y, p)
        assert np.all(np.isfinite(value)) and np.all(value >= 0), fn.__name__


@settings(max_examples=20, deadline=None)
@given(
    p=hnp.arrays(np.float32, (3, 4), elements=st.floats(0, 1, width=32)),
    z=hnp.arrays(np.float32, (3, 4), elements=st.floats(-1e4, 1e4, width=32)),
    labels=hnp.arrays(np.int64, 3, elements=st.integers(0, 3)),
)
def test_crossentropy_is_finite_nonnegative_and_silent_in_float32(p, z, labels):
    y = np.eye(4, dtype=np.float32)[labels]
    scores = p + np.float32(1e-3)  # a row of exact zeros cannot be normalised
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [
            L.binary_crossentropy(y, p),
            L.binary_crossentropy(y, z, from_logits=True),
            L.categorical_crossentropy(y, scores),
            L.categorical_crossentropy(y, z, from_logits=True),
            L.sparse_categorical_crossentropy(labels, z, from_logits=True),
        ]
        grads = [
            L.categorical_crossentropy_gradient(y, z, from_logits=True),
            L.binary_crossentropy_gradient(y, p),
        ]
    for v in values + grads:
        assert v.dtype == np.float32 and np.all(np.isfinite(v))
    for v in values:
        assert np.all(v >= 0)


# --- dtypes ---------------------------------------------------------------------------

DTYPE_CASES = [
    case
    for case in CASES
    if case[0]
    in (
        "mse",
        "mape",
        "msle",
        "bce",
        "cce_logits",
        "sparse",
        "hinge",
        "categorical_hinge",
        "l1_norm",
    )
]


@pytest.mark.parametrize(
    "name, fn, grad, kwargs, inputs", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_floating_dtype_is_preserved(name, fn, grad, kwargs, inputs, dtype):
    y, p = inputs(np.random.default_rng(2))
    p = p.astype(dtype)
    y = y if name.startswith("sparse") else y.astype(np.float64)  # y_true takes y_pred's dtype
    assert fn(y, p, **kwargs).dtype == dtype
    assert grad(y, p, **kwargs).dtype == dtype
    assert np.asarray(L.get_loss_object(fn)(y, p)).dtype == dtype


def test_integer_inputs_become_float32():
    assert L.mse([[1, 2]], [[2, 2]]).dtype == np.float32
    assert L.mse_gradient([[1, 2]], [[2, 2]]).dtype == np.float32
    assert L.sparse_categorical_crossentropy([0], [[1, 3]]).dtype == np.float32


# --- bad input ----------------------------------------------------------------------


def test_shape_mismatch_is_never_broadcast():
    with pytest.raises(ValueError, match=r"y_true with shape \(4,\).*y_pred with shape \(4, 1\)"):
        L.mse(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        L.MeanSquaredError().gradient(np.zeros((4, 1)), np.zeros(4))


def test_sparse_label_errors_name_the_label_and_the_range():
    p = np.full((3, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"label 3 at index \(1,\).*0 to 2"):
        L.sparse_categorical_crossentropy([0, 3, 1], p)
    with pytest.raises(ValueError, match=r"label -1 .*0 to 2"):
        L.sparse_categorical_crossentropy_gradient([0, -1, 1], p)
    with pytest.raises(ValueError, match=r"integer class labels, got 1\.5"):
        L.sparse_categorical_crossentropy([0, 1.5, 1], p)
    with pytest.raises(
        ValueError, match=r"shape \(3,\) or \(3, 1\).*got y_true with shape \(3, 2\)"
    ):
        L.sparse_categorical_crossentropy(np.zeros((3, 2)), p)


def test_non_numeric_and_non_finite_inputs():
    with pytest.raises(TypeError, match="y_pred must be a numeric array"):
        L.mse([[1.0]], [["a"]])
    with pytest.raises(TypeError, match="y_true must be a numeric array"):
        L.sparse_categorical_crossentropy(["cat"], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="y_pred must be finite"):
        L.binary_crossentropy([[1.0]], [[np.nan]])
    with pytest.raises(ValueError, match="y_true must be finite"):
        L.hinge([[np.inf]], [[1.0]])
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        L.MeanSquaredError()([[1.0]], [[1.0]], sample_weight=[np.nan])


def test_other_argument_errors():
    with pytest.raises(ValueError, match="reduction 'mean'.*sum_over_batch_size"):
        L.MeanSquaredError(reduction="mean")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        L.CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(
        ValueError, match=r"sample_weight .*shape \(2,\).*got sample_weight with shape \(3,\)"
    ):
        L.MeanSquaredError()(np.zeros((2, 2)), np.zeros((2, 2)), sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sums to 0"):
        L.categorical_crossentropy([[1.0, 0.0]], [[0.0, 0.0]])
    with pytest.raises(ValueError, match="at least one axis"):
        L.mse(1.0, 2.0)


# --- lookups ---------------------------------------------------------------------------


def test_get_follows_keras():
    assert L.get("mse") is L.mean_squared_error
    assert L.get("MAPE") is L.mean_absolute_percentage_error
    assert L.get("categorical_crossentropy") is L.categorical_crossentropy
    assert isinstance(L.get("MeanSquaredError"), L.MeanSquaredError)
    assert L.get(None) is None
    assert L.get(L.hinge) is L.hinge
    with pytest.raises(ValueError, match="Unknown loss 'msee'.*categorical_crossentropy.*mse"):
        L.get("msee")


def test_get_gradient():
    assert L.get_gradient("mse") is L.mean_squared_error_gradient
    assert L.get_gradient(L.l2_norm) is L.l2_norm_gradient
    with pytest.raises(ValueError, match="No gradient"):
        L.get_gradient(lambda y, p: p)


def test_get_loss_object_for_compile():
    mse = L.get_loss_object("mse")
    assert isinstance(mse, L.MeanSquaredError) and mse.reduction == "sum_over_batch_size"
    assert isinstance(L.get_loss_object("CategoricalCrossentropy"), L.CategoricalCrossentropy)
    assert isinstance(L.get_loss_object(L.hinge), L.Hinge)
    assert isinstance(L.get_loss_object(L.L1Norm), L.L1Norm)
    bce = L.BinaryCrossentropy(from_logits=True)
    assert L.get_loss_object(bce) is bce
    with pytest.raises(ValueError, match="LossFunctionWrapper"):
        L.get_loss_object(lambda y, p: p)
    with pytest.raises(ValueError, match="Unknown loss 'nope'"):
        L.get_loss_object("nope")


def test_loss_function_wrapper_for_a_custom_loss():
    def quartic(y_true, y_pred, scale=1.0):
        return scale * np.mean((np.asarray(y_pred) - y_true) ** 4, axis=-1)

    def quartic_gradient(y_true, y_pred, scale=1.0):
        return scale * 4 * (np.asarray(y_pred) - y_true) ** 3 / np.shape(y_pred)[-1]

    loss = L.LossFunctionWrapper(quartic, gradient=quartic_gradient, scale=2.0)
    y, p = np.zeros((3, 2)), np.random.default_rng(4).normal(size=(3, 2))
    assert loss.name == "quartic"
    check_gradient(lambda v: loss(y, v), lambda v: loss.gradient(y, v), p, "quartic")
    with pytest.raises(NotImplementedError, match="gradient="):
        L.LossFunctionWrapper(quartic).gradient(y, p)
