"""04-losses: per-sample losses (mean over the last axis, Keras) and two gradients."""

import numpy as np

from dlkit.grading.catalogue._inputs import f32, f64, distributions, labels01, normal, one_hot, probabilities
from dlkit.grading.exercise import Case, Exercise, Mistake, register

L = "dlkit.losses."
EPS = 1e-7


# ---------------------------------------------------------------- cases
def regression_cases(rng, hidden):
    if not hidden:
        return [Case("one sample of 4 values", (f32([1.0, 2.0, 3.0, 4.0]), f32([1.5, 2.0, 2.0, 5.0]))),
                Case("a batch of 3 samples (3, 2), float64",
                     (f64([[1.0, -2.0], [0.5, 4.0], [3.0, 3.0]]), f64([[0.0, -1.0], [0.5, 2.0], [1.0, 4.0]])))]
    return [
        Case("random batch (5, 4)", (normal(rng, (5, 4), 3.0), normal(rng, (5, 4), 3.0))),
        Case("random float64 (2, 3, 4)", (normal(rng, (2, 3, 4), 1.0, np.float64),
                                          normal(rng, (2, 3, 4), 1.0, np.float64))),
        Case("targets with zeros", (f32([[0.0, 2.0, -1.0], [0.0, 0.0, 4.0]]), f32([[0.5, 2.5, -1.0], [0.1, -0.2, 3.0]]))),
        Case("a (4, 1) column of single values", (normal(rng, (4, 1), 2.0), normal(rng, (4, 1), 2.0))),
    ]


def msle_cases(rng, hidden):
    if not hidden:
        return [Case("one sample", (f32([1.0, 2.0, 3.0]), f32([1.5, 2.0, 2.5]))),
                Case("a batch (2, 3), zeros included", (f64([[0.0, 1.0, 9.0], [2.0, 0.0, 4.0]]),
                                                        f64([[0.0, 2.0, 7.0], [2.0, 1.0, 4.5]])))]
    return [
        Case("random positive batch (4, 5)", (np.abs(normal(rng, (4, 5), 5.0)), np.abs(normal(rng, (4, 5), 5.0)))),
        Case("negative predictions (clipped at eps)", (f32([[1.0, 2.0, 0.5]]), f32([[-0.5, 2.0, -3.0]]))),
        Case("zeros in both", (f64([[0.0, 0.0], [3.0, 0.0]]), f64([[0.0, 1.0], [3.0, 0.0]]))),
    ]


def bce_cases(rng, hidden):
    if not hidden:
        return [Case("one sample", (f32([1.0, 0.0, 1.0, 0.0]), f32([0.9, 0.2, 0.6, 0.4]))),
                Case("a batch (2, 3), float64", (f64([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]),
                                                 f64([[0.7, 0.1, 0.3], [0.2, 0.8, 0.55]])))]
    return [
        Case("probabilities exactly 0 and 1", (f32([[1.0, 0.0, 1.0, 0.0]]), f32([[1.0, 0.0, 0.0, 1.0]]))),
        Case("random batch (5, 3)", (labels01(rng, (5, 3)), probabilities(rng, (5, 3)))),
        Case("random float64 (3, 4)", (labels01(rng, (3, 4), np.float64), probabilities(rng, (3, 4), np.float64))),
        Case("soft targets", (f32([[0.25, 0.5, 0.75]]), f32([[0.3, 0.5, 0.9]]))),
    ]


def cce_cases(rng, hidden):
    if not hidden:
        return [Case("one one-hot sample", (f32([0.0, 1.0, 0.0]), f32([0.2, 0.7, 0.1]))),
                Case("a batch (2, 3), float64", (f64([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                                                 f64([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])))]
    return [
        Case("random one-hot batch (5, 4)", (one_hot(rng, 5, 4), distributions(rng, 5, 4))),
        Case("a probability of exactly 0 for the true class", (f32([[1.0, 0.0, 0.0]]), f32([[0.0, 0.5, 0.5]]))),
        Case("predictions that do not sum to 1", (f64([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
                                                  f64([[1.0, 2.0, 1.0], [0.3, 0.3, 0.4]]))),
        Case("soft labels", (f32([[0.1, 0.8, 0.1]]), f32([[0.2, 0.6, 0.2]]))),
    ]


def hinge_cases(rng, hidden):
    if not hidden:
        return [Case("labels -1 and 1", (f32([1.0, -1.0, 1.0, -1.0]), f32([0.3, -2.0, 1.5, 0.4]))),
                Case("labels 0 and 1 (mapped to -1 and 1)", (f64([[1.0, 0.0], [0.0, 1.0]]), f64([[0.8, -0.5], [0.2, 2.0]])))]
    labels = labels01(rng, (4, 3))
    return [
        Case("random 0/1 labels (4, 3)", (labels, normal(rng, (4, 3)))),
        Case("random -1/1 labels (4, 3), float64", ((2.0 * labels - 1.0).astype(np.float64),
                                                    normal(rng, (4, 3), 1.0, np.float64))),
        Case("margins beyond 1 give 0", (f32([[1.0, -1.0, 1.0]]), f32([[3.0, -2.0, 1.0]]))),
    ]


def bce_gradient_cases(rng, hidden):
    cases = bce_cases(rng, hidden)
    return [c for c in cases if "exactly 0 and 1" not in c.label] + (
        [Case("probabilities near the clip (1e-3 and 0.999)", (f32([[1.0, 0.0]]), f32([[1e-3, 0.999]])))]
        if hidden else [])


# ---------------------------------------------------------------- wrong variants
def _a(*xs):
    return [np.asarray(x) for x in xs]


def mse_sum(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.sum((y - p) ** 2, axis=-1)


def mse_mean_everything(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean((y - p) ** 2)


def mse_not_squared(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean(y - p, axis=-1)


def mape_without_100(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)), axis=-1)


def mape_divides_by_zero(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return 100 * np.mean(np.abs((y - p) / y), axis=-1)


def mape_divides_by_prediction(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return 100 * np.mean(np.abs((y - p) / np.maximum(np.abs(p), EPS)), axis=-1)


def msle_without_plus_one(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean((np.log(np.maximum(p, EPS)) - np.log(np.maximum(y, EPS))) ** 2, axis=-1)


def msle_without_clip(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean((np.log1p(p) - np.log1p(y)) ** 2, axis=-1)


def bce_without_clip(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)


def _bce_terms(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    p = np.clip(p, EPS, 1 - EPS)
    return y * np.log(p) + (1 - y) * np.log(1 - p)


def bce_sum(y_true, y_pred):
    return -np.sum(_bce_terms(y_true, y_pred), axis=-1)


def bce_sign(y_true, y_pred):
    return np.mean(_bce_terms(y_true, y_pred), axis=-1)


def cce_without_clip(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return -np.sum(y * np.log(p / np.sum(p, axis=-1, keepdims=True)), axis=-1)


def cce_without_normalising(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return -np.sum(y * np.log(np.clip(p, EPS, 1 - EPS)), axis=-1)


def cce_mean(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    q = np.clip(p / np.sum(p, axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.mean(y * np.log(q), axis=-1)


def hinge_without_mapping(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return np.mean(np.maximum(1 - y * p, 0), axis=-1)


def hinge_without_max(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    y = 2 * y - 1 if np.all((y == 0) | (y == 1)) else y
    return np.mean(1 - y * p, axis=-1)


def mse_gradient_sum(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return 2 * (p - y)


def mse_gradient_sign(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return 2 * (y - p) / p.shape[-1]


def mse_gradient_without_two(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return (p - y) / p.shape[-1]


def mse_gradient_over_all(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return 2 * (p - y) / p.size


def bce_gradient_sum(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    q = np.clip(p, EPS, 1 - EPS)
    return np.where((p >= EPS) & (p <= 1 - EPS), (q - y) / (q * (1 - q)), 0)


def bce_gradient_sign(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    q = np.clip(p, EPS, 1 - EPS)
    return np.where((p >= EPS) & (p <= 1 - EPS), (y - q) / (q * (1 - q)) / p.shape[-1], 0)


def bce_gradient_of_logits(y_true, y_pred):
    y, p = _a(y_true, y_pred)
    return (p - y) / p.shape[-1]


# ---------------------------------------------------------------- the exercises
REDUCTION_HINTS = (
    Mistake("sum instead of mean", mse_sum,
            "Keras losses take the MEAN over the last axis, not the sum: np.mean(..., axis=-1)."),
    Mistake("mean over everything", mse_mean_everything,
            "a per-sample loss keeps one value per sample: average over the last axis only "
            "(axis=-1), not over the whole batch."),
)


def _loss(name, cases, mistakes):
    return register(Exercise(f"04-losses:{name}", L + name, cases, tuple(mistakes)))


_loss("mean_squared_error", regression_cases, REDUCTION_HINTS + (
    Mistake("MSE without the square", mse_not_squared, "square the errors: mean((y - ŷ)²)."),
))
_loss("mean_absolute_percentage_error", regression_cases, (
    Mistake("MAPE without x100", mape_without_100,
            "MAPE is a percentage: multiply the mean relative error by 100."),
    Mistake("MAPE divides by zero", mape_divides_by_zero,
            "where y = 0 you divided by zero; Keras divides by max(|y|, ε) with ε = 1e-7."),
    Mistake("MAPE relative to the prediction", mape_divides_by_prediction,
            "the error is relative to the TRUE value: |(y - ŷ) / y|, not / ŷ."),
))
_loss("mean_squared_logarithmic_error", msle_cases, (
    Mistake("MSLE without the +1", msle_without_plus_one,
            "MSLE compares log(ŷ + 1) with log(y + 1); the +1 keeps log(0) finite."),
    Mistake("MSLE without clipping", msle_without_clip,
            "Keras clips ŷ and y at ε (max(·, 1e-7)) before log(· + 1), so negative "
            "predictions count as 0."),
))
_loss("binary_crossentropy", bce_cases, (
    Mistake("BCE without clipping", bce_without_clip,
            "log(0) = -inf: clip the predictions to [ε, 1 - ε] with ε = 1e-7 before the logs."),
    Mistake("BCE sum instead of mean", bce_sum,
            "binary cross-entropy is the MEAN over the last axis, not the sum."),
    Mistake("BCE sign", bce_sign,
            "the loss is MINUS the mean of y·log p + (1 - y)·log(1 - p); yours is negative."),
))
_loss("categorical_crossentropy", cce_cases, (
    Mistake("CCE without clipping", cce_without_clip,
            "a probability of 0 gives log(0) = -inf: clip to [ε, 1 - ε] (ε = 1e-7)."),
    Mistake("CCE without normalising", cce_without_normalising,
            "Keras first rescales each row of predictions to sum to 1: ŷ / sum(ŷ, axis=-1)."),
    Mistake("CCE mean instead of sum", cce_mean,
            "categorical cross-entropy SUMS -y·log p over the classes (last axis); it is not a mean."),
))
_loss("hinge", hinge_cases, (
    Mistake("hinge without the 0/1 mapping", hinge_without_mapping,
            "when every label is 0 or 1, Keras maps them to -1 and 1 first (y ← 2y - 1)."),
    Mistake("hinge without max(., 0)", hinge_without_max,
            "hinge is mean(max(1 - y·ŷ, 0)): margins beyond 1 contribute 0, never a negative value."),
))
_loss("mean_squared_error_gradient", regression_cases, (
    Mistake("MSE gradient of the sum", mse_gradient_sum,
            "the loss is a MEAN over the last axis, so its gradient has a 1/n: 2(ŷ - y)/n."),
    Mistake("MSE gradient sign", mse_gradient_sign,
            "d/dŷ (y - ŷ)² = 2(ŷ - y): the sign is (ŷ - y), not (y - ŷ)."),
    Mistake("MSE gradient without the 2", mse_gradient_without_two,
            "the derivative of a square brings a factor 2: 2(ŷ - y)/n."),
    Mistake("MSE gradient over all elements", mse_gradient_over_all,
            "n is the size of the LAST axis (the per-sample mean), not the whole array's size."),
))
_loss("binary_crossentropy_gradient", bce_gradient_cases, (
    Mistake("BCE gradient of the sum", bce_gradient_sum,
            "the loss is a MEAN over the last axis: divide (p - y)/(p(1 - p)) by n."),
    Mistake("BCE gradient sign", bce_gradient_sign,
            "the gradient is (p - y)/(n·p(1 - p)): positive when the prediction is too high."),
    Mistake("BCE gradient of the logits", bce_gradient_of_logits,
            "(p - y)/n is the gradient with respect to the LOGIT z; with respect to the "
            "probability ŷ divide by p(1 - p) as well."),
))
