"""dlkit.losses: hand-derived values, reductions, fused gradients, dtypes, errors, lookups."""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import activations
from dlkit import losses as L
from gradcheck import check_gradient

# Every gradient (per-sample, reduced, fused with the output activation) is checked
# against central differences, from one list, in test_gradients.py.

# --- Loss classes: reductions and sample weights on hand examples -----------------


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


def valid_inputs(fn):
    """(y_true, y_pred) any loss accepts: 0/1 labels (hinge maps them to ±1) and
    probabilities; integer class labels for the sparse crossentropy."""
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    p = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    return (np.array([1, 0]), p) if fn is L.sparse_categorical_crossentropy else (y, p)


PER_SAMPLE = sorted({f for f in L.ALL.values() if not isinstance(f, type)},
                    key=lambda f: f.__name__)


@pytest.mark.parametrize("fn", PER_SAMPLE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_floating_dtype_is_preserved(fn, dtype):
    y, p = valid_inputs(fn)
    p = p.astype(dtype)  # y_true (float64 or int) takes y_pred's dtype
    assert fn(y, p).dtype == dtype
    assert L.get_gradient(fn)(y, p).dtype == dtype
    loss = L.get_loss_object(fn)
    assert np.asarray(loss(y, p)).dtype == dtype and loss.gradient(y, p).dtype == dtype


def test_integer_inputs_become_float32():
    assert L.mse([[1, 2]], [[2, 2]]).dtype == np.float32
    assert L.mse_gradient([[1, 2]], [[2, 2]]).dtype == np.float32
    assert L.sparse_categorical_crossentropy([0], [[1, 3]]).dtype == np.float32


# --- bad input (shapes, labels, NaN, non-numeric arrays for every loss: test_checks.py) ---


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: L.MeanSquaredError(reduction="mean"),
         "Invalid reduction 'mean': expected one of 'sum_over_batch_size', 'sum', 'none' or None."),
        (lambda: L.CategoricalCrossentropy(label_smoothing=1.5),
         "label_smoothing must be in [0, 1], got 1.5."),
        (lambda: L.binary_crossentropy([[1.0]], [[0.5]], label_smoothing=-0.1),
         "label_smoothing must be in [0, 1], got -0.1."),
        (lambda: L.categorical_crossentropy([[1.0, 0.0]], [[0.0, 0.0]]),
         "y_pred must not have a row that sums to 0 (it is divided by its sum); got 1 such "
         "row(s). Pass from_logits=True for logits."),
        (lambda: L.mse(1.0, 2.0),
         "y_pred must have at least one axis (the per-sample loss reduces the last axis), got "
         "the scalar 2.0. Wrap it in a list: [value]."),
    ],
    ids=["reduction", "label_smoothing_class", "label_smoothing_function", "zero_row", "scalar"],
)
def test_argument_errors_say_what_was_expected_and_what_came(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        call()


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
