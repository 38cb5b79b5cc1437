"""Central-difference gradient checks in float64, shared by every test module.

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h

with h scaled to |x_i| so the truncation (O(h²)) and rounding (O(ε/h)) errors
balance. Failure messages name the worst element, the analytic and the numeric value.
"""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """Gradient of the scalar function ``f`` at ``x`` (float64) by central differences."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        step = h * max(1.0, abs(x[i]))
        orig = x[i]
        x[i] = orig + step
        f_plus = float(f(x))
        x[i] = orig - step
        f_minus = float(f(x))
        x[i] = orig
        grad[i] = (f_plus - f_minus) / (2 * step)
    return grad


def numerical_derivative(f, x, h=1e-6):
    """Elementwise derivative of an elementwise function ``f`` (float64)."""
    x = np.asarray(x, dtype=np.float64)
    step = h * np.maximum(1.0, np.abs(x))
    return (f(x + step) - f(x - step)) / (2 * step)


def assert_close_gradient(analytic, numeric, name="", rtol=1e-5, atol=1e-7):
    """Assert analytic ≈ numeric elementwise, reporting the worst offender."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    assert analytic.shape == numeric.shape, (
        f"{name}: analytic gradient has shape {analytic.shape}, numeric {numeric.shape}"
    )
    err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if (err > 0).any():
        i = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"{name}: gradient mismatch at index {i}: analytic {analytic[i]!r}, "
            f"central difference {numeric[i]!r} ({int((err > 0).sum())} of {err.size} elements off)"
        )


def check_gradient(f, grad_fn, x, name="", h=1e-6, rtol=1e-5, atol=1e-7):
    """Check ``grad_fn(x)`` against central differences of the scalar ``f`` at ``x``."""
    x = np.asarray(x, dtype=np.float64)
    assert_close_gradient(grad_fn(x), numerical_gradient(f, x, h), name, rtol, atol)
