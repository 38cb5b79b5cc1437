"""Layers: the Layer base class, Input and Dense (Keras 3 names and defaults).

A Dense layer is ``units`` neurons that all see the same inputs:

    z = x @ kernel + bias        kernel (inputs, units), bias (units,)
    y = activation(z)

and backpropagation (chain rule) runs the same steps in reverse. Given
g = dL/dz for a batch x of shape (batch, inputs):

    dL/dkernel = x^T @ g         dL/dbias = Σ_batch g         dL/dx = g @ kernel^T

A layer builds itself (creates its weights) from the first input it sees.
``layer(x)`` runs forward and keeps what backward needs; ``layer.backward(dL/dy)``
stores the weight gradients in ``kernel_grad`` / ``bias_grad`` and returns dL/dx.
The gradients are those of the total loss Keras minimises, so they include
the layer's own penalties (kernel/bias regularizers, activity regularizer / batch).
"""

import functools
import re

import numpy as np

from dlkit import _kernels, activations, config, constraints, initializers, regularizers
from dlkit._checks import as_float_array, check_rank

_NAME_COUNTS = {}


def unique_name(prefix):
    """Keras-style default names: "dense", then "dense_1", "dense_2", ..."""
    count = _NAME_COUNTS.get(prefix, 0)
    _NAME_COUNTS[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def _snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --------------------------------------------------------------- functional forms
@functools.lru_cache(maxsize=32)
def ones(n, dtype):
    """A cached, read-only vector of n ones: v @ ones sums rows with one BLAS call."""
    vector = np.ones(n, dtype)
    vector.flags.writeable = False
    return vector


def _affine(x, kernel, bias, out=None):
    """z = x @ kernel + bias, written into ``out`` when given (no temporaries)."""
    z = np.matmul(x, kernel, out=out)
    if bias is not None:
        np.add(z, bias, out=z)
    return z


def _affine_backward(x, kernel, grad_z, grads=(None, None, None), need_grad_x=True):
    """(dL/dx, dL/dkernel, dL/dbias) of z = x @ kernel + bias, given g = dL/dz.

    Leading axes of x beyond the batch are folded into it. ``grads`` are optional
    output arrays (grad_x, grad_kernel, grad_bias); grad_bias None skips the bias.
    """
    out_x, out_kernel, out_bias = grads
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    g2 = grad_z if grad_z.ndim == 2 else grad_z.reshape(-1, grad_z.shape[-1])
    grad_kernel = np.matmul(x2.T, g2, out=out_kernel)
    # Σ_batch g as ones @ g: a BLAS matrix-vector product beats a reduction over axis 0.
    grad_bias = np.matmul(ones(len(g2), g2.dtype), g2, out=out_bias)
    grad_x = np.matmul(grad_z, kernel.T, out=out_x) if need_grad_x else None
    return grad_x, grad_kernel, grad_bias


def _check_dense_args(x, kernel, bias):
    x, kernel = as_float_array(x, "x"), as_float_array(kernel, "kernel")
    check_rank(kernel, 2, "kernel")
    if x.ndim < 1 or x.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"x has {x.shape[-1] if x.ndim else 0} features (shape {x.shape}) but the kernel "
            f"expects {kernel.shape[0]} (shape {kernel.shape} = (inputs, units))."
        )
    if bias is not None:
        bias = as_float_array(bias, "bias")
        if bias.shape != (kernel.shape[1],):
            raise ValueError(
                f"bias must have shape ({kernel.shape[1]},), one per unit, got {bias.shape}."
            )
    return x, kernel, bias


def dense_forward(x, kernel, bias):
    """Pre-activation of a Dense layer: z = x @ kernel + bias (bias may be None).

    x (batch, inputs), kernel (inputs, units), bias (units,) -> z (batch, units).
    """
    x, kernel, bias = _check_dense_args(x, kernel, bias)
    return _affine(x, kernel, bias)


def dense_backward(x, kernel, grad_z):
    """Gradients of z = x @ kernel + bias given grad_z = dL/dz:

        grad_x = grad_z @ kernel^T       (batch, inputs)
        grad_kernel = x^T @ grad_z       (inputs, units)
        grad_bias = Σ_batch grad_z       (units,)
    """
    x, kernel, _ = _check_dense_args(x, kernel, None)
    grad_z = as_float_array(grad_z, "grad_z")
    if grad_z.shape != x.shape[:-1] + (kernel.shape[1],):
        raise ValueError(
            f"grad_z must have the shape of z = x @ kernel, {x.shape[:-1] + (kernel.shape[1],)}, "
            f"got {grad_z.shape}."
        )
    return _affine_backward(x, kernel, grad_z)


# --------------------------------------------------------------- in-place activations
# Training runs the activation in the pre-activation buffer itself (no new array
# per batch). forward(z, scratch) -> (y, saved) and backward(saved, grad) -> dL/dz
# work for activations whose derivative needs no z: relu keeps its 0/1 slope, tanh
# and softmax their output. The other activations keep z and use activations.backward.
# The formulas are dlkit._kernels', the ones dlkit.activations computes with.
def _buffer(scratch, like):
    """A reusable array shaped like ``like`` from the layer's scratch dict."""
    key = (like.shape, like.dtype)
    if key not in scratch:
        scratch[key] = np.empty_like(like)
    return scratch[key]


def _relu_forward(z, scratch):
    # The slope relu'(z) = [z > 0] (as 0.0/1.0 in z's dtype: grad * slope is then a plain
    # float product) is all backward needs, so z itself is overwritten.
    slope = _kernels.relu_slope(z, out=_buffer(scratch, z))
    return _kernels.relu(z, out=z), slope


def _relu_backward(slope, grad):
    return np.multiply(grad, slope, out=grad)


def _tanh_forward(z, scratch):
    y = _kernels.tanh(z, out=z)
    return y, y


def _tanh_backward(y, grad):
    return _kernels.tanh_backward(y, grad, out=grad)


def _softmax_forward(z, scratch):
    y = _kernels.softmax(z, out=z)
    return y, y


def _softmax_backward(y, grad):
    return _kernels.softmax_backward(y, grad, out=grad)


def _linear_forward(z, scratch):
    return z, None


def _linear_backward(saved, grad):
    return grad


_IN_PLACE = {
    activations.relu: (_relu_forward, _relu_backward),
    activations.tanh: (_tanh_forward, _tanh_backward),
    activations.softmax: (_softmax_forward, _softmax_backward),
    activations.linear: (_linear_forward, _linear_backward),
}


# --------------------------------------------------------------- layers
class Input:
    """The shape of one sample, for the first position of a Sequential model.

    ``Input(shape=(4,))`` says "each sample has 4 features"; ``.shape`` adds the
    batch axis, (None, 4), as Keras's ``keras.Input`` does.
    """

    def __init__(self, shape, batch_size=None, name=None):
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not shape or any(not isinstance(d, (int, np.integer)) or d <= 0 for d in shape):
            raise ValueError(f"Input shape must be a tuple of positive ints, got {shape!r}.")
        self.shape = (batch_size,) + tuple(int(d) for d in shape)
        self.name = name or unique_name("input_layer")

    def __repr__(self):
        return f"Input(shape={self.shape[1:]}, name={self.name!r})"


class Layer:
    """Base class. Subclasses define build(input_shape), forward(x), backward(grad_out)
    and compute_output_shape(input_shape); weights are created with add_weight."""

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None):
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.trainable = trainable
        self.built = False
        self.dtype = None
        self._weight_names = []
        # Keras's legacy way to give a Sequential model its input shape.
        self._input_shape_arg = (input_dim,) if input_dim is not None else input_shape

    # -- weights
    def add_weight(self, name, shape, initializer):
        """Create weight ``name`` (an attribute) and its gradient ``name + '_grad'``."""
        value = np.asarray(initializers.get(initializer)(shape, dtype=self.dtype), self.dtype)
        setattr(self, name, value)
        setattr(self, name + "_grad", np.zeros_like(value))
        self._weight_names.append(name)
        return value

    @property
    def weights(self):
        """The weight arrays themselves (not copies), in Keras order."""
        return [getattr(self, n) for n in self._weight_names]

    @property
    def trainable_weights(self):
        return self.weights if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [] if self.trainable else self.weights

    @property
    def gradients(self):
        """dL/dweight for each weight, from the last backward pass."""
        return [getattr(self, n + "_grad") for n in self._weight_names]

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy new values into the existing arrays (a model keeps views of them)."""
        copy_weights_into(self.weights, weights, f"layer {self.name!r}")

    def bind(self, params, grads):
        """Move weights and gradients into the given flat buffers (they become views).

        ``params`` and ``grads`` are 1-D slices of count_params() elements each; the
        model calls this so all weights live in one buffer and one optimizer call
        updates them all.
        """
        offset = 0
        for name, value in zip(self._weight_names, self.weights):
            size = value.size
            view = params[offset : offset + size].reshape(value.shape)
            view[...] = value
            setattr(self, name, view)
            setattr(self, name + "_grad", grads[offset : offset + size].reshape(value.shape))
            offset += size

    # -- running
    def build(self, input_shape):
        self.dtype = np.dtype(config.floatx())
        self.built = True

    def __call__(self, x):
        """Forward pass on x (builds the layer first if needed); returns a new array."""
        x = as_float_array(x, f"input of layer {self.name!r}")
        if not self.built:
            self.build(x.shape)
        self.check_input_shape(x.shape)
        return self.forward(x.astype(self.dtype, copy=False))

    def check_input_shape(self, shape):
        """Raise ValueError when inputs of ``shape`` do not fit this (built) layer."""

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, x, out=None):
        """Output for x (``out``: an optional buffer to write it into)."""
        raise NotImplementedError

    def backward(self, grad_out):
        """dL/dx from dL/dy (a new array); stores the weight gradients."""
        raise NotImplementedError

    def backward_into(self, grad, grad_x=None, need_grad_x=True, from_preactivation=False):
        """backward for the model's buffers: may overwrite ``grad``, writes into ``grad_x``."""
        raise NotImplementedError

    def apply_constraints(self):
        """Project the weights onto their constraints (after an optimizer step)."""

    @property
    def losses(self):
        """Penalties this layer adds to the loss (from the last forward pass)."""
        return []

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def copy_weights_into(targets, values, what):
    """Check count and shapes, then copy ``values`` into the arrays ``targets``."""
    values = list(values)
    if len(values) != len(targets):
        raise ValueError(
            f"{what} has {len(targets)} weight arrays, but {len(values)} were given."
        )
    for i, (target, value) in enumerate(zip(targets, values)):
        value = as_float_array(value, f"weights[{i}]")
        if value.shape != target.shape:
            raise ValueError(
                f"{what}: weights[{i}] must have shape {target.shape}, got {value.shape}."
            )
    for target, value in zip(targets, values):
        np.copyto(target, value, casting="unsafe")


class Dense(Layer):
    """Fully connected layer: y = activation(x @ kernel + bias).

    Parameters as in Keras: ``units`` (neurons, the output width), ``activation``
    (name, function or None = linear), ``use_bias``, ``kernel_initializer``,
    ``bias_initializer``, ``kernel_regularizer``, ``bias_regularizer``,
    ``activity_regularizer`` (a penalty on the output y, divided by the batch
    size), ``kernel_constraint`` and ``bias_constraint`` (applied after each
    optimizer step).
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"units must be a positive integer, got {units!r}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.bias = None
        self._cache = None
        self._scratch = {}  # reusable buffers of the in-place activations, by shape

    def build(self, input_shape):
        """Create kernel (inputs, units) and bias (units,) for inputs of ``input_shape``."""
        if len(input_shape) < 2:
            raise ValueError(
                f"Layer {self.name!r} expects inputs of rank >= 2 (batch, features), "
                f"got shape {tuple(input_shape)}. Add the batch axis: x.reshape(1, -1)."
            )
        super().build(input_shape)
        self.input_dim = int(input_shape[-1])
        self.add_weight("kernel", (self.input_dim, self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)

    def check_input_shape(self, shape):
        if len(shape) < 2 or shape[-1] != self.input_dim:
            raise ValueError(
                f"Input of layer {self.name!r} is incompatible with the layer: expected "
                f"shape (batch, {self.input_dim}) ({self.input_dim} features on the last "
                f"axis), got shape {tuple(shape)}."
            )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    # -- forward / backward
    def forward(self, x, out=None):
        """y = activation(x @ kernel + bias); ``out`` is an optional (batch, units) buffer.

        Keeps (x, z, y) for backward. With an in-place activation z is overwritten
        by y; what backward needs of it (relu's 0/1 slope, or y) is kept instead.
        """
        z = _affine(x, self.kernel, self.bias, out=out)
        in_place = _IN_PLACE.get(self.activation)
        if in_place is not None:
            y, saved = in_place[0](z, self._scratch)
            self._cache = (x, None, y, saved)
        else:
            y = self.activation(z)
            self._cache = (x, z, y, None)
        return y

    def backward(self, grad_out):
        """dL/dx from dL/dy; stores kernel_grad and bias_grad (penalties included)."""
        if self._cache is None:
            raise RuntimeError(f"Layer {self.name!r}: call the layer on a batch before backward.")
        y = self._cache[2]
        grad = as_float_array(grad_out, "grad_out").astype(self.dtype, copy=True)
        if grad.shape != y.shape:
            raise ValueError(
                f"Layer {self.name!r}: grad_out must have the output's shape {y.shape}, "
                f"got {grad.shape}."
            )
        return self.backward_into(grad)

    def backward_into(self, grad, grad_x=None, need_grad_x=True, from_preactivation=False):
        """backward, overwriting ``grad`` (dL/dy) and writing dL/dx into ``grad_x``.

        from_preactivation=True: ``grad`` already is dL/dz (the model's fused softmax +
        crossentropy gradient), so the activation step is skipped.
        """
        x, z, y, saved = self._cache
        if not from_preactivation:
            if self.activity_regularizer is not None:
                grad += self.activity_regularizer.gradient(y) / y.shape[0]
            if z is None:  # the forward pass ran in place
                grad = _IN_PLACE[self.activation][1](saved, grad)
            else:
                grad = activations.backward(self.activation, z, grad, y=y)
        grads = (grad_x, self.kernel_grad, self.bias_grad if self.use_bias else None)
        grad_x = _affine_backward(x, self.kernel, grad, grads, need_grad_x)[0]
        self._add_penalty_gradients()
        return grad_x

    # -- penalties and constraints
    def _add_penalty_gradients(self):
        if self.kernel_regularizer is not None:
            self.kernel_grad += self.kernel_regularizer.gradient(self.kernel)
        if self.use_bias and self.bias_regularizer is not None:
            self.bias_grad += self.bias_regularizer.gradient(self.bias)

    def _weight_penalties(self):
        out = []
        if self.kernel_regularizer is not None:
            out.append(float(self.kernel_regularizer(self.kernel)))
        if self.use_bias and self.bias_regularizer is not None:
            out.append(float(self.bias_regularizer(self.bias)))
        return out

    @property
    def weight_penalty(self):
        """kernel_regularizer(kernel) + bias_regularizer(bias), added to the loss as is."""
        return sum(self._weight_penalties())

    @property
    def activity_penalty(self):
        """activity_regularizer(y) / batch size for the last forward pass (Keras 3)."""
        if self.activity_regularizer is None or self._cache is None:
            return 0.0
        y = self._cache[2]
        return float(self.activity_regularizer(y)) / y.shape[0]

    @property
    def has_penalties(self):
        regs = (self.kernel_regularizer, self.bias_regularizer, self.activity_regularizer)
        return any(r is not None for r in regs)

    @property
    def losses(self):
        """Each penalty of this layer as a number: kernel, bias, then activity (Keras order)."""
        active = self.activity_regularizer is not None and self._cache is not None
        return self._weight_penalties() + ([self.activity_penalty] if active else [])

    def apply_constraints(self):
        if self.kernel_constraint is not None:
            self.kernel[...] = self.kernel_constraint(self.kernel)
        if self.use_bias and self.bias_constraint is not None:
            self.bias[...] = self.bias_constraint(self.bias)

    def __repr__(self):
        act = getattr(self.activation, "__name__", "activation")
        return f"<Dense name={self.name!r} units={self.units} activation={act!r}>"
