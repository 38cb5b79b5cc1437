"""Gradient descent as the deck teaches it.

    w_{i+1} = w_i - η·f'(w_i)

- 1-D iterations and the deck's tables (``gradient_descent``, ``gradient_descent_table``);
- derivatives of polynomials, critical points and the second-derivative test
  (``polynomial_derivative``, ``critical_points``, ``classify_critical_point``) and
  Newton's method on f' (``newton_step``, ``newton_method``);
- the exponential moving average behind momentum (``exponential_moving_average``);
- batch / mini-batch / stochastic loops for linear regression
  (``minibatch_gradient_descent``) and what they read (``read_operations``).

Polynomials are coefficient lists, highest power first, as for ``numpy.polyval``:
y = x² + 10 is ``[1, 0, 10]``.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from dlkit._checks import as_float_array, check_rank


def _check_count(value, name, minimum=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _iterate(step, x0, steps, name):
    """[x0, step(x0), step(step(x0)), ...] with ``steps`` steps, in x0's dtype."""
    steps = _check_count(steps, "steps")
    x = as_float_array(x0, name)
    xs = np.empty((steps + 1,) + x.shape, dtype=x.dtype)
    xs[0] = x
    for i in range(steps):
        xs[i + 1] = step(xs[i])
    return xs


def gradient_descent(df, w0, learning_rate, steps):
    """Iterates of w_{i+1} = w_i - learning_rate·df(w_i): an array of steps + 1 values.

    ``df`` is the derivative (gradient) of the function being minimised.
    """
    return _iterate(lambda w: w - learning_rate * df(w), w0, steps, "w0")


@dataclass(frozen=True)
class DescentRow:
    """One row of the deck's table: iteration, W, f(W), f'(W), w_{i+1} = W - η·f'(W)."""

    iteration: int
    w: float
    f_w: float
    df_w: float
    next_w: float


def _fixed(value, digits):
    text = f"{value:.{digits}f}"
    # The deck prints 0.00000 for a tiny negative number, not -0.00000.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


class DescentTable:
    """The rows of ``gradient_descent_table``; prints like the deck's table."""

    header = ("Iteration", "W", "f(W)", "f'(W)", "w - η·f'(W)")

    def __init__(self, rows, learning_rate):
        self.rows = list(rows)
        self.learning_rate = learning_rate

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self):
        return iter(self.rows)

    def column(self, name):
        """One column as an array: "iteration", "w", "f_w", "df_w" or "next_w"."""
        return np.array([getattr(row, name) for row in self.rows])

    def to_text(self, digits=5):
        """The table as aligned text with ``digits`` decimals, then η as the deck shows it."""
        cells = [self.header] + [
            (str(r.iteration),) + tuple(_fixed(v, digits) for v in (r.w, r.f_w, r.df_w, r.next_w))
            for r in self.rows
        ]
        widths = [max(len(row[j]) for row in cells) for j in range(len(self.header))]
        lines = ["  ".join(c.rjust(wd) for c, wd in zip(row, widths)) for row in cells]
        return "\n".join(lines + [f"η = {self.learning_rate}"])

    def __repr__(self):
        return self.to_text()


def gradient_descent_table(f, df, w0, learning_rate, steps):
    """The deck's table: one row (i, w_i, f(w_i), f'(w_i), w_{i+1}) per step, i from 1.

    For f(w) = 2w² + w + 4, w0 = 2 this reproduces the deck's tables for η = 0.1
    (21 rows), 0.2 and 0.5 (10 rows each).
    """
    ws = gradient_descent(df, w0, learning_rate, steps)
    rows = [DescentRow(i + 1, ws[i], f(ws[i]), df(ws[i]), ws[i + 1]) for i in range(steps)]
    return DescentTable(rows, learning_rate)


def read_operations(n_samples, epochs):
    """Samples read by gradient descent: n_samples·epochs (10,000 × 21 = 210,000).

    The same for batch, mini-batch and stochastic descent: each epoch reads every
    sample once; only the number of weight updates per epoch differs
    (1, ceil(n / batch_size) or n).
    """
    return _check_count(n_samples, "n_samples") * _check_count(epochs, "epochs")


def exponential_moving_average(values, k):
    """EMA_t = k·x_t + (1-k)·EMA_{t-1}, EMA_0 = x_0, along the first axis.

    The deck's EMA = k·Price(today) + (1-k)·EMA(yesterday); momentum's velocity is the
    same average of the gradients with k = 1-β.
    """
    values = as_float_array(values, "values")
    if np.ndim(values) < 1:
        raise ValueError(f"values must be a sequence (rank >= 1), got shape {np.shape(values)}.")
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not 0 <= k <= 1:
        raise ValueError(f"k must be a number in [0, 1], got {k!r}.")
    ema = np.empty_like(values)
    for t in range(len(values)):
        ema[t] = values[0] if t == 0 else k * values[t] + (1 - k) * ema[t - 1]
    return ema


def _coefficients(coefficients):
    c = as_float_array(coefficients, "coefficients")
    check_rank(c, 1, "coefficients")
    if c.size == 0:
        raise ValueError("coefficients must not be empty.")
    return c


def polynomial_derivative(coefficients, x, order=1):
    """d^order y/dx^order at x for the polynomial ``coefficients`` (highest power first).

    y = x² + 10: ``polynomial_derivative([1, 0, 10], -4)`` = 2·(-4) = -8, at 4 it is +8.
    """
    c = _coefficients(coefficients)
    x = as_float_array(x, "x")
    value = np.polyval(np.polyder(c.astype(np.float64), _check_count(order, "order")),
                       x.astype(np.float64))
    return np.asarray(value, dtype=x.dtype)[()]  # [()] turns a 0-d result into a scalar


def critical_points(coefficients):
    """Real roots of the derivative, ascending: where the slope of the polynomial is 0.

    y = 6x⁴ - 2x³ - 12x² + x + 1: dy/dx = 24x³ - 6x² - 24x + 1 = 0 at
    -0.9054, 0.04131 and 1.1141 (the deck's second-order slide).
    """
    c = _coefficients(coefficients)
    slope = np.polyder(c.astype(np.float64))
    if not np.any(slope):
        raise ValueError("A constant polynomial has slope 0 everywhere: every x is critical.")
    roots = np.roots(slope)
    # A double root comes back as a complex pair with an imaginary part ~ sqrt(machine eps).
    real = roots[np.abs(roots.imag) <= 1e-6 * np.maximum(1.0, np.abs(roots))].real
    return np.sort(real).astype(c.dtype)


def classify_critical_point(coefficients, x):
    """Second-derivative test at a critical point x: "minimum" | "maximum" | "inflection".

    y'' > 0: minimum (curving up); y'' < 0: maximum; y'' = 0 the test cannot tell and
    "inflection" is returned (right for x³ at 0, but x⁴ at 0 is a minimum).
    """
    c = _coefficients(coefficients).astype(np.float64)
    second = np.polyder(c, 2)
    value = float(np.polyval(second, float(x)))
    # "zero" relative to the size of the terms that were summed
    scale = float(np.polyval(np.abs(second), abs(float(x))))
    if abs(value) <= 1e-9 * scale or scale == 0:
        return "inflection"
    return "minimum" if value > 0 else "maximum"


def newton_step(df, d2f, x):
    """One Newton step towards a critical point: x - f'(x) / f''(x).

    Newton's method on f' uses the curvature f'' to choose the step: one step lands on
    the minimum of a quadratic, but each step needs the second derivative.
    """
    curvature = d2f(x)
    if np.any(np.asarray(curvature) == 0):
        raise ValueError(f"f''(x) = 0 at x = {x!r}: the Newton step f'(x)/f''(x) is undefined.")
    return x - df(x) / curvature


def newton_method(df, d2f, x0, steps):
    """Iterates of Newton's method on f' from x0: an array of steps + 1 values."""
    return _iterate(lambda x: newton_step(df, d2f, x), x0, steps, "x0")


def minibatch_indices(n_samples, batch_size, rng=None):
    """Yield the index arrays of one epoch's batches (shuffled if ``rng`` is given).

    Every index appears exactly once per epoch; the last batch may be smaller.
    """
    order = np.arange(n_samples) if rng is None else rng.permutation(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start:start + batch_size]


def _regression_inputs(x, y, w0, b0):
    x, y = as_float_array(x, "x"), as_float_array(y, "y")
    check_rank(x, (1, 2), "x")
    check_rank(y, 1, "y")
    if len(y) != len(x) or len(x) == 0:
        raise ValueError(
            f"x and y need the same number (> 0) of samples, got {len(x)} and {len(y)}."
        )
    w = np.array(as_float_array(w0, "w0", dtype=x.dtype))  # a copy: w0 is not modified
    if w.shape != x.shape[1:]:
        raise ValueError(
            f"w0 must have shape {x.shape[1:]} for x of shape {x.shape} (one weight per "
            f"feature), got shape {w.shape}."
        )
    b = as_float_array(b0, "b0", dtype=x.dtype)
    check_rank(b, 0, "b0")
    return x, as_float_array(y, "y", dtype=x.dtype), w, b[()]


def minibatch_gradient_descent(x, y, w0, b0, learning_rate, batch_size, epochs, seed=None):
    """Fit ŷ = x·w + b with MSE by gradient descent on batches; returns (w, b, losses).

    For each batch B (rows of x, shuffled each epoch with ``seed``):
        e = x_B·w + b - y_B,   L = mean(e²)
        w -= η·(2/|B|)·x_Bᵀe,   b -= η·(2/|B|)·Σe
    batch_size = len(x): batch GD (1 step per epoch); 1: stochastic (len(x) steps);
    in between: mini-batch. Every epoch reads each sample once, so the reads total
    ``read_operations(len(x), epochs)`` for any batch size.

    x has shape (n,) with a scalar w0, or (n, d) with w0 of shape (d,); y shape (n,).
    ``losses[e]`` is the mean of e² over the samples of epoch e, each measured with the
    weights in use when its batch was read (Keras's epoch loss), so no extra pass.
    """
    x, y, w, b = _regression_inputs(x, y, w0, b0)
    batch_size = _check_count(batch_size, "batch_size", 1)
    epochs = _check_count(epochs, "epochs")
    n = len(x)
    features = x.reshape(n, -1)
    weights = w.reshape(-1)  # a view: updating it updates w
    # A full batch sums over every sample whatever the order: no shuffling needed.
    rng = np.random.default_rng(seed) if batch_size < n else None
    losses = np.empty(epochs, dtype=x.dtype)
    for epoch in range(epochs):
        squared = 0.0
        for batch in minibatch_indices(n, batch_size, rng):
            xb = features[batch]
            error = xb @ weights + b - y[batch]
            squared += float(error @ error)
            scale = learning_rate * 2 / len(batch)
            weights -= scale * (xb.T @ error)
            b -= scale * error.sum()
        losses[epoch] = squared / n
    return w[()], b, losses
