"""03-activations: the activation functions and three derivatives (dlkit.activations)."""

import numpy as np

from dlkit.grading.catalogue._inputs import f32, f64, normal
from dlkit.grading.exercise import Case, Exercise, Mistake, register

A = "dlkit.activations."


# ---------------------------------------------------------------- cases
def elementwise_cases(rng, hidden):
    """Elementwise functions: values around 0 (0 itself included), both float dtypes."""
    if not hidden:
        return [Case("values around 0, zero included", (f32([-2.0, -0.5, 0.0, 0.5, 2.0]),)),
                Case("a (2, 3) float64 matrix", (f64([[-1.5, 0.25, 3.0], [0.0, -4.0, 1.0]]),))]
    return [
        Case("large magnitudes, |x| up to 1000", (f32([-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0]),)),
        Case("exact zeros", (f32([[0.0, 0.0], [0.0, 1e-3]]),)),
        Case("random float32 (4, 5)", (normal(rng, (4, 5), 3.0),)),
        Case("random float64 rank-3 (2, 3, 4)", (normal(rng, (2, 3, 4), 2.0, np.float64),)),
    ]


def elu_cases(rng, hidden):
    cases = elementwise_cases(rng, hidden)
    if hidden:
        cases.append(Case("alpha = 0.5", (normal(rng, (3, 4), 2.0),), {"alpha": 0.5}))
        cases.append(Case("alpha = 2.0, float64", (f64([-3.0, -1.0, 0.0, 2.0]),), {"alpha": 2.0}))
    return cases


def softmax_cases(rng, hidden):
    if not hidden:
        return [Case("one vector of logits", (f32([1.0, 2.0, 3.0]),)),
                Case("rows of a (2, 3) batch", (f32([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]),)),
                Case("columns (axis=0)", (f64([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]]),), {"axis": 0})]
    big = f32([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    return [
        Case("large logits |x| >= 1000, rows", (big,)),
        Case("large logits |x| >= 1000, columns (axis=0)", (big.T.copy(),), {"axis": 0}),
        Case("a square (3, 3) batch, rows", (normal(rng, (3, 3), 2.0),)),
        Case("a square (3, 3) batch, axis=0", (normal(rng, (3, 3), 2.0, np.float64),), {"axis": 0}),
        Case("random (4, 5) float64 with axis=-1", (normal(rng, (4, 5), 3.0, np.float64),), {"axis": -1}),
        Case("rank 3 (2, 3, 4), axis=1", (normal(rng, (2, 3, 4)),), {"axis": 1}),
    ]


# ---------------------------------------------------------------- wrong variants
def _exp_ratio(x, axis):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_without_shift(x, axis=-1):
    return _exp_ratio(np.asarray(x), axis)


def _stable(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_wrong_axis(x, axis=-1):
    x = np.asarray(x)
    last = axis % x.ndim == x.ndim - 1
    return _stable(x, 0 if last else -1)


def softmax_ignores_axis(x, axis=-1):
    return _stable(np.asarray(x), -1)


def softmax_whole_array(x, axis=-1):
    x = np.asarray(x)
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def relu_mask(x):
    return np.asarray(x) > 0


def relu_minimum(x):
    return np.minimum(np.asarray(x), 0)


def sigmoid_sign(x):
    return 1 / (1 + np.exp(np.asarray(x)))


def tanh_naive(x):
    x = np.asarray(x)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def elu_ignores_alpha(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, x, np.expm1(x))


def elu_without_minus_one(x, alpha=1.0):
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * np.exp(x))


def hard_sigmoid_keras2(x):
    return np.clip(0.2 * np.asarray(x) + 0.5, 0, 1)


def hard_sigmoid_unclipped(x):
    return np.asarray(x) / 6 + 0.5


def softplus_naive(x):
    return np.log(1 + np.exp(np.asarray(x)))


def softsign_without_abs(x):
    x = np.asarray(x)
    return x / (1 + x)


def relu_derivative_at_zero_one(x):
    x = np.asarray(x)
    return (x >= 0).astype(x.dtype)


def relu_derivative_bool(x):
    return np.asarray(x) > 0


def sigmoid_derivative_of_x(x):
    x = np.asarray(x)
    return x * (1 - x)


def sigmoid_derivative_is_sigmoid(x):
    x = np.asarray(x)
    return 1 / (1 + np.exp(-x))


def tanh_derivative_unsquared(x):
    return 1 - np.tanh(np.asarray(x))


def tanh_derivative_of_x(x):
    x = np.asarray(x)
    return 1 - x ** 2


# ---------------------------------------------------------------- the exercises
def _activation(name, mistakes=(), cases=elementwise_cases):
    return register(Exercise(f"03-activations:{name}", A + name, cases, tuple(mistakes)))


_activation("relu", [
    Mistake("relu returns the mask", relu_mask,
            "relu returns the values max(x, 0), not the boolean mask x > 0 (that is its derivative)."),
    Mistake("relu keeps the negatives", relu_minimum,
            "relu keeps the positive part: np.maximum(x, 0), not np.minimum."),
])
_activation("sigmoid", [
    Mistake("sigmoid with e^(+x)", sigmoid_sign,
            "sigmoid(x) = 1 / (1 + e^(-x)); with e^(+x) you computed sigmoid(-x)."),
])
_activation("tanh", [
    Mistake("tanh from exponentials overflows", tanh_naive,
            "(e^x - e^-x) / (e^x + e^-x) overflows to inf/inf = nan for |x| of a few hundred; "
            "use np.tanh (or rewrite it with e^(-2|x|), which never overflows)."),
])
register(Exercise("03-activations:softmax", A + "softmax", softmax_cases, (
    Mistake("softmax without the max shift", softmax_without_shift,
            "exp(1000) overflows to inf and inf/inf = nan. Subtract the maximum along the axis "
            "first: e = exp(x - max(x, axis, keepdims=True)); the shift cancels in e / sum(e)."),
    Mistake("softmax over the wrong axis", softmax_wrong_axis,
            "you normalised along the other axis: with axis=-1 each ROW must sum to 1, with "
            "axis=0 each COLUMN. Use the axis argument in max and sum (with keepdims=True)."),
    Mistake("softmax ignores the axis argument", softmax_ignores_axis,
            "your softmax always normalises the last axis; pass the axis argument to max and sum."),
    Mistake("softmax over the whole array", softmax_whole_array,
            "you divided by the sum of the WHOLE array; softmax normalises each slice along "
            "axis: np.sum(e, axis=axis, keepdims=True)."),
)))
_activation("elu", [
    Mistake("elu ignores alpha", elu_ignores_alpha,
            "for x <= 0 elu is alpha·(e^x - 1): multiply by the alpha argument."),
    Mistake("elu without the -1", elu_without_minus_one,
            "for x <= 0 elu is alpha·(e^x - 1), not alpha·e^x (it must be 0 at x = 0)."),
], cases=elu_cases)
_activation("hard_sigmoid", [
    Mistake("hard_sigmoid in the Keras 2 form", hard_sigmoid_keras2,
            "that is Keras 2's clip(0.2x + 0.5, 0, 1); Keras 3 (and dlkit) use "
            "clip(x/6 + 1/2, 0, 1) = relu6(x + 3)/6."),
    Mistake("hard_sigmoid without clipping", hard_sigmoid_unclipped,
            "x/6 + 1/2 must be clipped to [0, 1]: np.clip(x / 6 + 0.5, 0, 1)."),
])
_activation("softplus", [
    Mistake("softplus overflows", softplus_naive,
            "log(1 + e^x) overflows for large x (e^1000 = inf). Use np.logaddexp(0, x), "
            "which equals log(e^0 + e^x) without overflow."),
])
_activation("softsign", [
    Mistake("softsign without the absolute value", softsign_without_abs,
            "softsign(x) = x / (1 + |x|): the denominator uses the absolute value."),
])
_activation("relu_derivative", [
    Mistake("relu'(0) = 1", relu_derivative_at_zero_one,
            "at x = 0 Keras (and dlkit) take relu'(0) = 0: use x > 0, not x >= 0."),
    Mistake("relu derivative as a boolean mask", relu_derivative_bool,
            "x > 0 is a boolean array; return numbers in the input's dtype: (x > 0).astype(x.dtype)."),
])
_activation("sigmoid_derivative", [
    Mistake("sigmoid derivative applied to x", sigmoid_derivative_of_x,
            "the derivative is s·(1 - s) with s = sigmoid(x), not x·(1 - x)."),
    Mistake("sigmoid derivative is sigmoid", sigmoid_derivative_is_sigmoid,
            "you returned sigmoid(x) itself; its derivative is sigmoid(x)·(1 - sigmoid(x))."),
])
_activation("tanh_derivative", [
    Mistake("tanh derivative without the square", tanh_derivative_unsquared,
            "d tanh/dx = 1 - tanh(x)² (squared)."),
    Mistake("tanh derivative applied to x", tanh_derivative_of_x,
            "the derivative is 1 - tanh(x)², not 1 - x²."),
])
