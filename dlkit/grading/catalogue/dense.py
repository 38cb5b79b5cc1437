"""02-dense: one neuron, and a Dense layer's forward and backward pass."""

import numpy as np

from dlkit.grading.catalogue._inputs import f32, f64, normal
from dlkit.grading.exercise import Case, Exercise, Mistake, register


def neuron_cases(rng, hidden):
    if not hidden:
        return [Case("one sample, sigmoid", (f32([1.0, 2.0]), f32([0.5, -0.25]), 0.1)),
                Case("a batch of 3, relu", (f64([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]), f64([0.5, -0.25]), 0.0),
                     {"activation": "relu"})]
    return [
        Case("random batch (5, 4), tanh", (normal(rng, (5, 4)), normal(rng, (4,)), 0.3), {"activation": "tanh"}),
        Case("random sample (6,), default sigmoid", (normal(rng, (6,), 2.0, np.float64),
                                                      normal(rng, (6,), 1.0, np.float64), -0.5)),
        Case("linear activation", (normal(rng, (3, 2)), normal(rng, (2,)), 1.5), {"activation": "linear"}),
    ]


def dense_cases(rng, hidden, backward):
    def args(batch, n_in, units, dtype=np.float32):
        x, kernel = normal(rng, (batch, n_in), 1.0, dtype), normal(rng, (n_in, units), 0.5, dtype)
        last = normal(rng, (batch, units), 1.0, dtype) if backward else normal(rng, (units,), 0.5, dtype)
        return x, kernel, last
    if not hidden:
        return [Case("batch of 2, 3 inputs, 2 units", args(2, 3, 2)),
                Case("one sample, 4 inputs, 3 units, float64", args(1, 4, 3, np.float64))]
    return [Case("square kernel (3, 3)", args(4, 3, 3)),
            Case("batch of 5, 2 inputs, 6 units", args(5, 2, 6)),
            Case("float64, a square (4, 4) kernel and batch 4", args(4, 4, 4, np.float64)),
            Case("a single unit", args(3, 5, 1))]


def dense_forward_cases(rng, hidden):
    return dense_cases(rng, hidden, backward=False)


def dense_backward_cases(rng, hidden):
    return dense_cases(rng, hidden, backward=True)


def _activation(name):
    return {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0),
            "tanh": np.tanh, "linear": lambda z: z}[name]


def neuron_without_activation(x, w, b, activation="sigmoid"):
    return np.asarray(x) @ np.asarray(w) + b


def neuron_without_bias(x, w, b, activation="sigmoid"):
    return _activation(activation)(np.asarray(x) @ np.asarray(w))


def dense_forward_without_bias(x, kernel, bias):
    return np.asarray(x) @ np.asarray(kernel)


def dense_forward_transposed(x, kernel, bias):
    return np.asarray(x) @ np.asarray(kernel).T + np.asarray(bias)


def dense_backward_missing_transpose(x, kernel, grad_z):
    x, kernel, grad_z = np.asarray(x), np.asarray(kernel), np.asarray(grad_z)
    return grad_z @ kernel, x.T @ grad_z, grad_z.sum(axis=0)


def dense_backward_kernel_transposed(x, kernel, grad_z):
    x, kernel, grad_z = np.asarray(x), np.asarray(kernel), np.asarray(grad_z)
    return grad_z @ kernel.T, grad_z.T @ x, grad_z.sum(axis=0)


def dense_backward_bias_mean(x, kernel, grad_z):
    x, kernel, grad_z = np.asarray(x), np.asarray(kernel), np.asarray(grad_z)
    return grad_z @ kernel.T, x.T @ grad_z, grad_z.mean(axis=0)


register(Exercise("02-dense:neuron", "dlkit.neuron.neuron", neuron_cases, (
    Mistake("neuron without activation", neuron_without_activation,
            "apply the activation to the weighted sum: Φ(x·w + b)."),
    Mistake("neuron without bias", neuron_without_bias, "add the bias b to the weighted sum before the activation."),
)))
register(Exercise("02-dense:dense_forward", "dlkit.layers.dense_forward", dense_forward_cases, (
    Mistake("Dense forward without bias", dense_forward_without_bias, "add the bias: z = x @ kernel + bias."),
    Mistake("Dense forward with the kernel transposed", dense_forward_transposed,
            "the kernel is (inputs, units): z = x @ kernel, no transpose."),
)))
register(Exercise("02-dense:dense_backward", "dlkit.layers.dense_backward", dense_backward_cases, (
    Mistake("Dense backward missing transpose", dense_backward_missing_transpose,
            "grad_x = grad_z @ kernel.T: the gradient flows back through the TRANSPOSED kernel "
            "(shapes: (batch, units) @ (units, inputs))."),
    Mistake("Dense backward kernel gradient transposed", dense_backward_kernel_transposed,
            "grad_kernel = x.T @ grad_z has the kernel's shape (inputs, units); grad_z.T @ x is its transpose."),
    Mistake("Dense backward bias mean", dense_backward_bias_mean,
            "the bias is added to every sample, so its gradient SUMS grad_z over the batch (axis 0), not the mean."),
)))
