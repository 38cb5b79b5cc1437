"""05-derivatives and 06-gradient-descent (dlkit.descent).

Polynomials are lists of coefficients, highest power first (like numpy.polyval).
A derivative passed to gradient_descent is a numpy Polynomial: plain NumPy, so the
sandboxed grader can hand it to the student's function without dlkit.
"""

import numpy as np
from numpy.polynomial import Polynomial

from dlkit.grading.catalogue._inputs import f32, f64, normal
from dlkit.grading.compare import Tolerance
from dlkit.grading.exercise import Case, Exercise, Mistake, register

D = "dlkit.descent."
QUARTIC = [6.0, -2.0, -12.0, 1.0, 1.0]  # the deck's second-order slide
ANY_FLOAT = Tolerance(dtype="kind")


# ---------------------------------------------------------------- 05: critical points
def critical_cases(rng, hidden):
    if not hidden:
        return [Case("the deck's quartic 6x⁴ - 2x³ - 12x² + x + 1", (f64(QUARTIC),)),
                Case("x² + 10", (f64([1.0, 0.0, 10.0]),))]
    cubic = np.poly(np.sort(rng.uniform(-3, 3, size=3)))  # roots of the derivative are real
    return [
        Case("x³ - 3x", (f64([1.0, 0.0, -3.0, 0.0]),)),
        Case("x³ + x: no real critical point", (f64([1.0, 0.0, 1.0, 0.0]),)),
        Case("a random cubic", (f64(cubic),)),
        Case("-2x² + 4x - 1", (f64([-2.0, 4.0, -1.0]),)),
    ]


def classify_cases(rng, hidden):
    if not hidden:
        return [Case("x² + 10 at 0", (f64([1.0, 0.0, 10.0]), 0.0)),
                Case("the quartic at 0.04131", (f64(QUARTIC), 0.041313))]
    return [
        Case("the quartic at -0.9054", (f64(QUARTIC), -0.905412)),
        Case("the quartic at 1.1141", (f64(QUARTIC), 1.114099)),
        Case("-x² at 0", (f64([-1.0, 0.0, 0.0]), 0.0)),
        Case("x³ at 0", (f64([1.0, 0.0, 0.0, 0.0]), 0.0)),
    ]


def roots_of_polynomial(coefficients):
    r = np.roots(coefficients)
    return np.sort(r[np.abs(r.imag) < 1e-9].real)


def roots_with_complex(coefficients):
    return np.sort(np.roots(np.polyder(np.asarray(coefficients, dtype=float))).real)


def roots_unsorted(coefficients):
    r = np.roots(np.polyder(np.asarray(coefficients, dtype=float)))
    return r[np.abs(r.imag) < 1e-9].real


def classify_swapped(coefficients, x):
    second = np.polyval(np.polyder(np.asarray(coefficients, dtype=float), 2), x)
    return "inflection" if abs(second) < 1e-9 else ("maximum" if second > 0 else "minimum")


def classify_never_inflection(coefficients, x):
    second = np.polyval(np.polyder(np.asarray(coefficients, dtype=float), 2), x)
    return "minimum" if second >= 0 else "maximum"


# ---------------------------------------------------------------- 06: gradient descent
def deck_derivative():
    """df for the deck's f(w) = 2w² + w + 4: f'(w) = 4w + 1."""
    return Polynomial([1.0, 4.0])


def descent_cases(rng, hidden):
    df = deck_derivative()
    if not hidden:
        return [Case("the deck's table, eta = 0.1", (df, 2.0, 0.1, 5)),
                Case("eta = 0.5 oscillates", (df, 2.0, 0.5, 4))]
    return [
        Case("eta = 0.2, 10 steps", (df, 2.0, 0.2, 10)),
        Case("no steps", (df, 2.0, 0.1, 0)),
        Case("a random quadratic, float64 start", (Polynomial(rng.uniform(0.5, 2.0, size=2)), f64(1.5), 0.05, 8)),
        Case("a vector of starting points", (df, f32([2.0, -1.0, 0.0]), 0.1, 3)),
    ]


def regression_data(rng, n, d=None, dtype=np.float32):
    x = normal(rng, (n,) if d is None else (n, d), 1.0, dtype)
    w = 1.5 if d is None else np.linspace(-1, 1, d)
    y = (x @ w if d else x * w) + 0.5 + normal(rng, (n,), 0.1, dtype)
    return x, y.astype(dtype), (0.0 if d is None else np.zeros(d, dtype))


def minibatch_cases(rng, hidden):
    def case(label, n, d, batch, epochs, seed, dtype=np.float32):
        x, y, w0 = regression_data(rng, n, d, dtype)
        return Case(label, (x, y, w0, 0.0, 0.1, batch, epochs), {"seed": seed})
    if not hidden:
        return [case("batch gradient descent (batch = all 8)", 8, None, 8, 3, 0),
                case("mini-batches of 4, seed 0", 8, None, 4, 2, 0)]
    return [case("stochastic (batch 1), seed 3", 6, None, 1, 2, 3),
            case("2 features, batches of 4 out of 10", 10, 2, 4, 3, 1),
            case("float64, 3 features, batches of 5", 10, 3, 5, 2, 7, np.float64)]


def _minibatch(x, y, w0, b0, learning_rate, batch_size, epochs, seed, shuffle="each", average=True):
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    feats = x.reshape(n, -1)
    w = np.array(w0, dtype=x.dtype).reshape(-1)
    b = x.dtype.type(b0)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    losses = np.empty(epochs, dtype=x.dtype)
    for epoch in range(epochs):
        if shuffle == "each" and batch_size < n and epoch:
            order = rng.permutation(n)
        idx = np.arange(n) if shuffle == "none" or batch_size >= n else order
        squared = 0.0
        for start in range(0, n, batch_size):
            batch = idx[start:start + batch_size]
            err = feats[batch] @ w + b - y[batch]
            squared += float(err @ err)
            scale = learning_rate * 2 / (len(batch) if average else 1)
            w = w - scale * (feats[batch].T @ err)
            b = b - scale * err.sum()
        losses[epoch] = squared / n
    return w.reshape(np.shape(w0))[()], b, losses


def minibatch_without_shuffle(x, y, w0, b0, learning_rate, batch_size, epochs, seed=None):
    return _minibatch(x, y, w0, b0, learning_rate, batch_size, epochs, seed, shuffle="none")


def minibatch_shuffled_once(x, y, w0, b0, learning_rate, batch_size, epochs, seed=None):
    return _minibatch(x, y, w0, b0, learning_rate, batch_size, epochs, seed, shuffle="once")


def minibatch_summed_gradient(x, y, w0, b0, learning_rate, batch_size, epochs, seed=None):
    return _minibatch(x, y, w0, b0, learning_rate, batch_size, epochs, seed, average=False)


def descent_without_start(df, w0, learning_rate, steps):
    return gradient_descent_variant(df, w0, learning_rate, steps)[1:]


def descent_ascent(df, w0, learning_rate, steps):
    return gradient_descent_variant(df, w0, -learning_rate, steps)


def descent_final_only(df, w0, learning_rate, steps):
    return gradient_descent_variant(df, w0, learning_rate, steps)[-1]


def gradient_descent_variant(df, w0, learning_rate, steps):
    ws = [np.asarray(w0, dtype=np.float64)]
    for _ in range(steps):
        ws.append(ws[-1] - learning_rate * df(ws[-1]))
    return np.array(ws)


register(Exercise("05-derivatives:critical_points", D + "critical_points", critical_cases, (
    Mistake("roots of the polynomial", roots_of_polynomial,
            "critical points are where the SLOPE is 0: the roots of the derivative (np.polyder), "
            "not of the polynomial itself."),
    Mistake("complex roots kept", roots_with_complex,
            "np.roots also returns complex roots; keep only the real ones (imaginary part ~ 0)."),
    Mistake("roots unsorted", roots_unsorted, "return the critical points in ascending order (np.sort)."),
), tolerance=ANY_FLOAT))
register(Exercise("05-derivatives:classify_critical_point", D + "classify_critical_point", classify_cases, (
    Mistake("minimum and maximum swapped", classify_swapped,
            "y'' > 0 means the curve bends UP: a minimum; y'' < 0 a maximum."),
    Mistake("never an inflection", classify_never_inflection,
            "when y'' = 0 the second-derivative test cannot decide: return \"inflection\"."),
)))
register(Exercise("06-gradient-descent:gradient_descent", D + "gradient_descent", descent_cases, (
    Mistake("iterates without the start", descent_without_start,
            "return steps + 1 values: the starting point w0 first, then one value per step."),
    Mistake("gradient ascent", descent_ascent, "descend: w ← w - η·f'(w) (minus the gradient)."),
    Mistake("only the final value", descent_final_only,
            "return the whole sequence of iterates (an array of steps + 1 values), not only the last one."),
), tolerance=ANY_FLOAT))
register(Exercise("06-gradient-descent:minibatch_gradient_descent", D + "minibatch_gradient_descent",
                  minibatch_cases, (
    Mistake("mini-batches without shuffling", minibatch_without_shuffle,
            "shuffle the samples every epoch with rng = np.random.default_rng(seed) and "
            "rng.permutation(n) (one permutation per epoch)."),
    Mistake("shuffled only once", minibatch_shuffled_once,
            "draw a NEW permutation at the start of every epoch, not once for all epochs."),
    Mistake("gradient summed over the batch", minibatch_summed_gradient,
            "the batch loss is a MEAN: divide the gradient by the batch size, "
            "w -= η·(2/|B|)·x_Bᵀe."),
), tolerance=ANY_FLOAT))
