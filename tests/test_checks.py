"""Bad input, everywhere: the shared checks, and every entry point of the numerics using them.

Each error must say what was expected and what came. The lists below are built from the
modules' own tables (ALL, the loss functions), so a new function is checked without
anyone remembering to add it.
"""

import re

import numpy as np
import pytest

from dlkit import _checks, _registry
from dlkit import activations as A
from dlkit import constraints as C
from dlkit import initializers as I
from dlkit import losses as L
from dlkit import regularizers as R
from dlkit import tensors as T

# ====================================================================== the checks themselves


@pytest.mark.parametrize(
    "value, dtype",
    [(np.array([1.0], np.float32), np.float32), (np.array([1.0]), np.float64),
     (np.float64(2.0), np.float64), ([1.0, 2.0], np.float32), (3, np.float32),
     (np.array([1, 2]), np.float32), (np.array([True]), np.float32), (2.5, np.float32)],
    ids=repr,
)
def test_as_float_array_keeps_floats_and_makes_the_rest_floatx(value, dtype):
    assert _checks.as_float_array(value).dtype == dtype


def test_as_float_array_casts_to_an_explicit_dtype():
    assert _checks.as_float_array(np.float32([1]), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "value, error, message",
    [
        (None, TypeError, "w must be a numeric array, got None."),
        (["a", "b"], TypeError, "w must be a numeric array, got dtype <U1 (for example 'a')."),
        (np.array([1, None]), TypeError,
         "w must be a numeric array, got dtype object (for example 1)."),
        ([1 + 2j], TypeError, "w must be real-valued, got dtype complex128."),
        ([[1, 2], [3]], ValueError,
         "w is not a tensor: its nested lists have different lengths, but every row of a "
         "tensor must have the same length."),
    ],
    ids=["None", "strings", "objects", "complex", "ragged"],
)
def test_as_float_array_says_what_was_expected_and_what_came(value, error, message):
    with pytest.raises(error, match=re.escape(message)):
        _checks.as_float_array(value, "w")


def test_check_finite_names_the_first_bad_entry_and_counts_them():
    x = np.array([[1.0, 2.0], [np.nan, np.inf]])
    message = "y must be finite, but y[1, 0] is nan (2 non-finite values in all)."
    with pytest.raises(ValueError, match=re.escape(message)):
        _checks.check_finite(x, "y")
    with pytest.raises(ValueError, match=re.escape("s must be finite, but s is -inf")):
        _checks.check_finite(np.float64(-np.inf), "s")
    _checks.check_finite(np.array([1, 2]), "ints")  # integers cannot be NaN


def test_check_same_shape_never_broadcasts_and_says_how_to_fix_it():
    with pytest.raises(ValueError, match=re.escape(
        "a and b must have the same shape, got a with shape (4,) and b with shape (4, 1) "
        "(reshape one of them; dlkit never broadcasts (n,) against (n, 1))."
    )):
        _checks.check_same_shape(np.zeros(4), np.zeros((4, 1)), "a", "b")
    with pytest.raises(ValueError, match=r"shape \(2, 3\) and b with shape \(3,\)\.$"):
        _checks.check_same_shape(np.zeros((2, 3)), np.zeros(3), "a", "b")  # no reshape hint
    _checks.check_same_shape(np.zeros((2, 3)), np.ones((2, 3)))


def test_check_rank():
    _checks.check_rank(np.zeros((2, 3)), (1, 2), "x")
    with raises_exactly(ValueError, "x must have rank 2, got shape (3,) (rank 1)."):
        _checks.check_rank(np.zeros(3), 2, "x")


def test_lookup_lists_every_valid_name_sorted():
    table = {"b": 1, "a": 2}
    assert _registry.lookup("thing", "a", table) == 2
    with pytest.raises(ValueError, match=re.escape("Unknown thing 'c'. Valid names: a, b.")):
        _registry.lookup("thing", "c", table)
    with pytest.raises(TypeError, match=re.escape(
        "Could not interpret thing identifier 3: expected a name (str), a callable or None, "
        "got int."
    )):
        _registry.lookup("thing", 3, table)


def test_configurable_repr_rebuilds_the_call():
    assert repr(C.MaxNorm(3, axis=1)) == "MaxNorm(max_value=3.0, axis=1)"
    assert repr(R.L1L2(l1=0.5)) == "L1L2(l1=0.5, l2=0.0)"
    assert repr(L.MeanSquaredError()) == (
        "MeanSquaredError(name='mean_squared_error', reduction='sum_over_batch_size')"
    )


# ====================================================================== every get()

# (lookup, its table of valid names, the kind named in the message)
LOOKUPS = [
    pytest.param(get, table, kind, id=f"{get.__module__}.{get.__name__}")
    for get, table, kind in [
        (A.get, A.ALL, "activation"),
        (A.derivative, A.ALL, "activation"),
        (L.get, L.ALL, "loss"),
        (L.get_loss_object, L.ALL, "loss"),
        (L.get_gradient, L.ALL, "loss"),
        (I.get, I.ALL, "initializer"),
        (R.get, R.ALL, "regularizer"),
        (C.get, C.ALL, "constraint"),
    ]
]


@pytest.mark.parametrize("get, table, kind", LOOKUPS)
def test_unknown_name_lists_the_valid_names(get, table, kind):
    with pytest.raises(ValueError) as info:
        get("no_such_name")
    message = str(info.value)
    assert message.startswith(f"Unknown {kind} 'no_such_name'. Valid names: ")
    listed = message.split("Valid names: ")[1].rstrip(".").split(", ")
    assert listed == sorted(table)


@pytest.mark.parametrize("get, table, kind", LOOKUPS)
def test_a_non_name_says_what_came(get, table, kind):
    with pytest.raises((TypeError, ValueError), match=r"3\.5"):
        get(3.5)


@pytest.mark.parametrize(
    "get, cls, instance",
    [(I.get, I.LecunNormal, I.HeUniform(seed=1)), (R.get, R.L1, R.L2(0.3)),
     (C.get, C.NonNeg, C.MaxNorm(3))],
    ids=["initializers", "regularizers", "constraints"],
)
def test_object_gets_take_none_instances_classes_and_callables(get, cls, instance):
    assert get(None) is None
    assert get(instance) is instance
    assert type(get(cls)) is cls

    def custom(w):
        return w

    assert get(custom) is custom


# ====================================================================== every array entry point

# Every function of the numerics that takes an array, as pytest params named after it.
ACTIVATION_CALLS = [
    pytest.param(fn, id=fn.__name__)
    for name in A.ALL for fn in (A.ALL[name], A.derivative(name))
]
LOSS_FUNCTIONS = sorted({f for f in L.ALL.values() if not isinstance(f, type)},
                        key=lambda f: f.__name__)
SPARSE = (L.sparse_categorical_crossentropy, L.sparse_categorical_crossentropy_gradient)
LOSS_CALLS = [
    pytest.param(fn, id=fn.__name__) for f in LOSS_FUNCTIONS for fn in (f, L.get_gradient(f))
]
WEIGHT_OBJECTS = sorted({cls for cls in R.ALL.values()} | {cls for cls in C.ALL.values()},
                        key=lambda cls: cls.__name__)
WEIGHT_CALLS = [pytest.param(cls(), id=cls.__name__) for cls in WEIGHT_OBJECTS] + [
    pytest.param(cls().gradient, id=f"{cls.__name__}.gradient")
    for cls in WEIGHT_OBJECTS if hasattr(cls, "gradient")
]

NON_NUMERIC = np.array([["a", "b"]])
NON_NUMERIC_MESSAGE = "{} must be a numeric array, got dtype <U1 (for example 'a')."


def raises_exactly(error, message):
    return pytest.raises(error, match="^" + re.escape(message) + "$")


@pytest.mark.parametrize("fn", ACTIVATION_CALLS)
def test_activations_reject_non_numeric_arrays(fn):
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("x")):
        fn(NON_NUMERIC)


@pytest.mark.parametrize("fn", WEIGHT_CALLS)
def test_regularizers_and_constraints_reject_non_numeric_weights(fn):
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("w")):
        fn(NON_NUMERIC)


def test_backward_and_tensors_name_the_bad_argument():
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("upstream")):
        A.backward("relu", np.zeros((1, 2)), NON_NUMERIC)
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("values")):
        T.day_hour_tensor(["d", "d"], [0, 1], np.array([["a"], ["b"]]))
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("hours")):
        T.day_hour_tensor(["d", "d"], ["a", "b"], [[1.0], [2.0]])


@pytest.mark.parametrize("fn", LOSS_CALLS)
def test_losses_reject_non_numeric_arrays(fn):
    y_pred = [[0.5, 0.5]]
    y_true = [1] if fn in SPARSE else [[0.0, 1.0]]
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("y_pred")):
        fn(y_true, NON_NUMERIC)
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("y_true")):
        fn(NON_NUMERIC if fn not in SPARSE else np.array(["a"]), y_pred)


@pytest.mark.parametrize("fn", LOSS_CALLS)
def test_losses_reject_nan_and_inf(fn):
    y_true = [1, 0] if fn in SPARSE else [[0.0, 1.0], [1.0, 0.0]]
    with raises_exactly(ValueError, "y_pred must be finite, but y_pred[1, 0] is nan "
                                    "(1 non-finite values in all)."):
        fn(y_true, [[0.5, 0.5], [np.nan, 0.5]])
    bad_true = [1, np.inf] if fn in SPARSE else [[0.0, 1.0], [np.inf, 0.0]]
    where = "y_true[1]" if fn in SPARSE else "y_true[1, 0]"
    with raises_exactly(ValueError, f"y_true must be finite, but {where} is inf "
                                    "(1 non-finite values in all)."):
        fn(bad_true, [[0.5, 0.5], [0.5, 0.5]])


@pytest.mark.parametrize("fn", [c for c in LOSS_CALLS if c.values[0] not in SPARSE])
def test_losses_never_broadcast_n_against_n_1(fn):
    for a, b in (((4,), (4, 1)), ((4, 1), (4,))):
        with pytest.raises(ValueError, match=re.escape(
            f"y_true and y_pred must have the same shape, got y_true with shape {a} and "
            f"y_pred with shape {b} (reshape one of them"
        )):
            fn(np.ones(a), np.full(b, 0.5))


@pytest.mark.parametrize("fn", SPARSE, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 3, 1], "y_true label 3 at index (1,) is out of range: valid labels are 0 to 2 "
                    "(y_pred has 3 classes)."),
        ([0, 1, -1], "y_true label -1 at index (2,) is out of range: valid labels are 0 to 2 "
                     "(y_pred has 3 classes)."),
        ([0, 1.5, 1], "y_true must hold integer class labels, got 1.5 at index (1,)."),
        (np.zeros((3, 2)), "y_true (integer class labels) must have shape (3,) or (3, 1) for "
                           "y_pred with shape (3, 3), got y_true with shape (3, 2)."),
    ],
    ids=["too_big", "negative", "not_integer", "wrong_shape"],
)
def test_sparse_labels_out_of_range_or_badly_shaped(fn, labels, message):
    with raises_exactly(ValueError, message):
        fn(labels, np.full((3, 3), 1 / 3))


def test_loss_classes_check_their_sample_weight():
    loss = L.MeanSquaredError()
    with raises_exactly(ValueError, "sample_weight must be finite, but sample_weight[0] is nan "
                                    "(1 non-finite values in all)."):
        loss([[1.0]], [[1.0]], sample_weight=[np.nan])
    with raises_exactly(TypeError, NON_NUMERIC_MESSAGE.format("sample_weight")):
        loss([[1.0, 2.0]], [[1.0, 2.0]], sample_weight=np.array(["a"]))
    with raises_exactly(ValueError, "sample_weight must be a scalar or have shape (2,) (one "
                                    "weight per per-sample loss), got sample_weight with "
                                    "shape (3,)."):
        loss(np.zeros((2, 2)), np.zeros((2, 2)), sample_weight=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("name", ["relu", "sigmoid", "softmax"])
def test_backward_rejects_a_mismatched_upstream_or_output(name):
    x = np.zeros(4)
    with raises_exactly(ValueError, "x and upstream must have the same shape, got x with shape "
                                    "(4,) and upstream with shape (4, 1) (reshape one of them; "
                                    "dlkit never broadcasts (n,) against (n, 1))."):
        A.backward(name, x, np.zeros((4, 1)))
    with raises_exactly(ValueError, "x and y must have the same shape, got x with shape (4,) "
                                    "and y with shape (1,)."):
        A.backward(name, x, np.zeros(4), y=np.zeros(1))
