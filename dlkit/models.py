"""Sequential: a stack of layers, built, compiled, trained and evaluated as in Keras.

    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)])   # steps 1, 2
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])               # step 3
    history = model.fit(x, y, batch_size=32, epochs=10)
    model.evaluate(x_test, y_test)                                              # step 4

Training follows Keras. Per batch: forward; loss = compiled loss + weight
penalties + activity penalties / batch size; backward; one optimizer step;
then the constraints. ``history.history["loss"][e]`` is epoch e's mean of
the batch losses weighted by batch size (the same for metrics).
batch_size=len(x) is batch gradient descent, 1 is stochastic, anything
between is mini-batch.

Speed: all weights live in one buffer of floatx (each layer's kernel and
bias are views into it) and all gradients in another, so an optimizer step
is one ``apply_gradients([(grads, params)])`` call. Activations and
gradients are written into buffers allocated once per batch size. A softmax
output with (sparse) categorical crossentropy backpropagates the fused
dL/dz = (p - y)/n instead of chaining the clipped dL/dp through the softmax.
"""

import math

import numpy as np

from dlkit import _kernels, activations, callbacks, config, losses, optimizers
from dlkit import metrics as metrics_module
from dlkit._checks import as_float_array, check_finite
from dlkit.layers import Input, Layer, copy_weights_into, ones, unique_name

WEIGHTS_SUFFIX = ".weights.npz"


# ----------------------------------------------------------------- loss heads
def _loss_value(loss, y, out):
    """The compiled loss as a float; NaN when the outputs are not finite (which the
    loss would reject with its own error: fit reports it as a NaN loss instead)."""
    if not np.isfinite(out).all():
        return math.nan
    return float(loss(y, out))


class _LossHead:
    """Any compiled loss: value L(y, ŷ) and dL/dŷ; the last layer chains its activation."""

    fused = False

    def __init__(self, loss):
        self.loss = loss

    def value(self, y, out):
        return _loss_value(self.loss, y, out)

    def gradient(self, y, out, into):
        np.copyto(into, self.loss.gradient(y, out))


class _SoftmaxCrossentropyHead:
    """softmax output + categorical or sparse categorical crossentropy.

    Value as Keras: mean over the batch of -Σ_k y_k log clip(p_k / Σp, eps, 1-eps).
    Gradient with respect to the logits z (fused): dL/dz = (p·Σ_k y_k - y) / n,
    which is (p - y)/n for one-hot or integer labels.
    """

    fused = True

    def __init__(self, loss, sparse):
        self.loss = loss
        self.sparse = sparse
        self._row_starts = {}

    def _flat_index(self, p, labels):
        """Positions of p[i, labels[i]] in p.ravel(): cheaper than p[rows, labels]."""
        n, classes = p.shape
        if n not in self._row_starts:
            self._row_starts[n] = np.arange(n) * classes
        return self._row_starts[n] + labels

    def value(self, y, p):
        if not self.sparse:
            return _loss_value(self.loss, y, p)
        picked = p.ravel()[self._flat_index(p, y)]
        picked /= p @ ones(p.shape[1], p.dtype)  # Keras divides by Σp
        _kernels.log_clipped(picked, config.epsilon(), out=picked)
        return -float(np.add.reduce(picked)) / len(p)

    def gradient(self, y, p, into):
        if self.sparse:
            _kernels.sparse_crossentropy_logits_gradient(p, self._flat_index(p, y), out=into)
        else:
            _kernels.crossentropy_logits_gradient(p, y, out=into)
        into *= into.dtype.type(1.0 / len(p))


def _make_head(loss, last_layer):
    """The fused head when the last layer's softmax meets a crossentropy, else the plain one."""
    fusable = (
        getattr(last_layer, "activation", None) is activations.softmax
        and getattr(last_layer, "activity_regularizer", None) is None
        and loss.logits_activation == "softmax"
        and loss.reduction == "sum_over_batch_size"
        and getattr(loss, "label_smoothing", 0.0) == 0.0
        and getattr(loss, "axis", -1) == -1
    )
    if not fusable:
        return _LossHead(loss)
    sparse = isinstance(loss, losses.SparseCategoricalCrossentropy)
    return _SoftmaxCrossentropyHead(loss, sparse=sparse)


# ----------------------------------------------------------------- data checks
def _prepare_x(x):
    x = as_float_array(x, "x")
    # One sum instead of an isfinite() mask over all of x: NaN and inf propagate into
    # it, and only a non-finite sum pays for the exact check that names the entry.
    with np.errstate(all="ignore"):
        total = np.add.reduce(x, axis=None)
    if not np.isfinite(total):
        check_finite(x, "x")
    if x.ndim != 2:
        hint = " For one sample use x.reshape(1, -1)." if x.ndim == 1 else ""
        raise ValueError(f"x must be 2-D (samples, features), got shape {x.shape}.{hint}")
    return np.ascontiguousarray(x)  # row slices of a C-ordered x are batches without copies


def _prepare_y(y, loss, units, dtype):
    """y as the loss needs it: integer labels for sparse losses, else the output's shape."""
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return _sparse_labels(y, units)
    y = check_finite(as_float_array(y, "y"), "y")
    if y.ndim == 1 and units == 1:
        y = y.reshape(-1, 1)  # Keras expands (n,) to the output's (n, 1)
    if y.shape[1:] != (units,):
        hint = ""
        if isinstance(loss, losses.CategoricalCrossentropy):
            hint = (" One-hot labels need one column per unit"
                    + ("; for integer labels use loss='sparse_categorical_crossentropy'."
                       if y.ndim == 1 else "."))
        raise ValueError(
            f"y must have shape (samples, {units}) to match the {units} unit(s) of the output "
            f"layer (loss {loss.name!r}), got shape {y.shape}.{hint}"
        )
    return np.ascontiguousarray(y, dtype=dtype)


def _sparse_labels(y, units):
    labels = as_float_array(y, "y", dtype=np.float64)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            "sparse_categorical_crossentropy needs one integer class label per sample, "
            f"shape (samples,) or (samples, 1), got shape {np.shape(y)}. One-hot labels "
            "go with loss='categorical_crossentropy'."
        )
    bad = np.flatnonzero(~np.isfinite(labels) | (labels != np.round(labels)))
    if bad.size:
        raise ValueError(
            f"y must hold integer class labels, got {float(labels[bad[0]])} at index {bad[0]}."
        )
    bad = np.flatnonzero((labels < 0) | (labels >= units))
    if bad.size:
        raise ValueError(
            f"y has label {int(labels[bad[0]])} at index {bad[0]}, but the output layer has "
            f"{units} units: valid labels are 0 to {units - 1}."
        )
    return labels.astype(np.intp)


def _check_same_count(x, y, x_name="x", y_name="y"):
    if len(x) != len(y):
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of samples, got {len(x)} in "
            f"{x_name} and {len(y)} in {y_name}."
        )


def _split_last(x, y, validation_split):
    """Keras: the LAST fraction of the samples (before any shuffling) is held out."""
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}.")
    if validation_split == 0.0:
        return (x, y), None
    split_at = int(math.floor(len(x) * (1.0 - validation_split)))
    if split_at in (0, len(x)):
        raise ValueError(
            f"Training data contains {len(x)} samples, which is not sufficient to split it "
            f"into a validation and training set as specified by "
            f"validation_split={validation_split}."
        )
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def _positive_int(value, name, allow_zero=False):
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


class _RunningMeans:
    """Σ value·batch_size / Σ batch_size per name: Keras's Mean weighted by batch size."""

    def __init__(self):
        self.totals = {}
        self.count = 0

    def update(self, values, n):
        for key, value in values.items():
            self.totals[key] = self.totals.get(key, 0.0) + value * n
        self.count += n

    def result(self):
        return {key: total / self.count for key, total in self.totals.items()}


class _Workspace:
    """Buffers for one batch size n: every layer's output and dL/d(output), dL/dx,
    and room for a shuffled batch of x and y."""

    def __init__(self, layers, n, width, dtype):
        shape, self.outs, self.grads = (n, width), [], []
        for layer in layers:
            shape = layer.compute_output_shape(shape)
            self.outs.append(np.empty(shape, dtype))
            self.grads.append(np.empty(shape, dtype))
        self.grad_x = np.empty((n, width), dtype)
        self.x = np.empty((n, width), dtype)
        self._y = {}

    def y_like(self, y, n):
        key = (y.shape[1:], y.dtype)
        if key not in self._y:
            self._y[key] = np.empty((n,) + y.shape[1:], y.dtype)
        return self._y[key]


def _non_finite(what, value, epoch, epochs, step, steps):
    return FloatingPointError(
        f"Training stopped: the {what} is {value} at epoch {epoch + 1}/{epochs}, batch "
        f"{step + 1}/{steps}. The weights are those from before this batch (it was not "
        "applied). Usual causes: a learning rate too large, unscaled inputs or targets."
    )


# ----------------------------------------------------------------- the model
class Sequential:
    """A linear stack of layers (Keras's ``Sequential``)."""

    def __init__(self, layers=None, name=None):
        self.name = name or unique_name("sequential")
        self._layers = []
        self._input_shape = None
        self.built = False
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.history = None
        self._metric_ids = []
        self._workspaces = {}
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self):
        return list(self._layers)

    def add(self, layer):
        """Append a layer; an ``Input(shape)`` may come first to fix the input width."""
        if isinstance(layer, Input):
            if self._layers or self._input_shape is not None:
                raise ValueError("Input(shape) must be the first thing added to a Sequential.")
            self._input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a dlkit layer (e.g. Dense(4)) or Input(shape), got "
                f"{type(layer).__name__}."
            )
        if not self._layers and self._input_shape is None and layer._input_shape_arg:
            self._input_shape = (None,) + tuple(layer._input_shape_arg)
        self._layers.append(layer)
        self.built = False
        self._workspaces = {}
        if self._input_shape is not None:  # as Keras: with a known input, build right away
            self.build()

    # ------------------------------------------------------------- building
    def build(self, input_shape=None):
        """Create every layer's weights for inputs of shape (batch, features)."""
        shape = tuple(input_shape) if input_shape is not None else self._input_shape
        if shape is None:
            raise ValueError(
                "The model does not know its input width yet: start it with Input(shape=("
                "features,)), call build((None, features)), or call fit/predict on data."
            )
        if not self._layers:
            raise ValueError("The model has no layers: add some first, e.g. model.add(Dense(1)).")
        shape = (None,) + shape if len(shape) == 1 else (None,) + shape[1:]
        self._input_shape = shape
        for layer in self._layers:
            if layer.built:
                layer.check_input_shape(shape)
            else:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self._bind_buffers()
        self.built = True

    def _bind_buffers(self):
        """One parameter buffer and one gradient buffer; layers keep views into them."""
        dtypes = {layer.dtype for layer in self._layers}
        if len(dtypes) != 1:
            raise ValueError(f"All layers must have one dtype, got {sorted(map(str, dtypes))}.")
        self.dtype = dtypes.pop()
        sizes = [layer.count_params() for layer in self._layers]
        self._params = np.empty(sum(sizes), self.dtype)
        self._grads = np.zeros(sum(sizes), self.dtype)
        offsets = np.cumsum([0] + sizes)
        self._slices = []  # each layer's (grads, params) part of the buffers
        for layer, start, stop in zip(self._layers, offsets[:-1], offsets[1:]):
            params, grads = self._params[start:stop], self._grads[start:stop]
            layer.bind(params, grads)
            self._slices.append((grads, params))
        self._workspaces = {}

    def _grads_and_vars(self):
        """What the optimizer updates: the whole buffer, or only the trainable layers' parts.

        The optimizer keeps state per array, so the same array objects are passed each
        time (changing ``trainable`` later needs a new optimizer, as Keras needs a
        new compile).
        """
        if all(layer.trainable for layer in self._layers):
            return [(self._grads, self._params)]
        return [pair for layer, pair in zip(self._layers, self._slices)
                if layer.trainable and pair[1].size]

    def _ensure_built(self, x_shape):
        if not self.built:
            self.build(self._input_shape or (None, x_shape[-1]))
        self._layers[0].check_input_shape(x_shape)

    def _workspace(self, n):
        if n not in self._workspaces:
            if len(self._workspaces) > 8:  # odd batch sizes come and go; keep memory bounded
                self._workspaces.clear()
            width = self._input_shape[-1]
            self._workspaces[n] = _Workspace(self._layers, n, width, self.dtype)
        return self._workspaces[n]

    # ------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics (names or objects, as in Keras)."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get_loss_object(loss)
        ids = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
        ids = [i for i in ids if i is not None]
        for identifier in ids:
            if not (isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")):
                metrics_module.get(identifier)  # unknown names fail now, not in fit
        self._metric_ids = ids
        self.compiled = True

    def _require_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"You must call compile() before {method}(), e.g. "
                "model.compile(optimizer='adam', loss='mse')."
            )
        if self.loss is None:
            raise ValueError(
                f"compile() was called without a loss; {method}() needs one, e.g. loss='mse'."
            )

    # ------------------------------------------------------------- data
    def _prepare(self, x, y, x_name="x", y_name="y"):
        if y is None:
            raise ValueError(f"{y_name} is missing: training and evaluation need targets.")
        x = np.asarray(x) if not isinstance(x, np.ndarray) else x
        _check_same_count(x, y, x_name, y_name)
        x = _prepare_x(x)
        self._ensure_built(x.shape)
        x = x.astype(self.dtype, copy=False)
        units = self._output_shape()[-1]
        return x, _prepare_y(y, self.loss, units, self.dtype)

    def _prepare_inputs(self, x):
        x = _prepare_x(x)
        self._ensure_built(x.shape)
        return x.astype(self.dtype, copy=False)

    def _output_shape(self):
        shape = self._input_shape
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _resolve_metrics(self, y):
        out_shape = self._output_shape()
        return [(metrics_module.name_of(i), metrics_module.resolve(i, y.shape, out_shape))
                for i in self._metric_ids]

    # ------------------------------------------------------------- forward / backward
    def _forward(self, x, ws):
        for layer, out in zip(self._layers, ws.outs):
            x = layer.forward(x, out=out)
        return x

    def _penalty(self):
        """Weight penalties as they are + activity penalties / batch size (Keras 3)."""
        total = 0.0
        for layer in self._penalized:
            total += layer.weight_penalty + layer.activity_penalty
        return total

    def _backward(self, head, y, out, ws, need_grad_x):
        head.gradient(y, out, ws.grads[-1])
        last = len(self._layers) - 1
        for i in range(last, -1, -1):
            grad_x = ws.grads[i - 1] if i > 0 else ws.grad_x
            self._layers[i].backward_into(
                ws.grads[i], grad_x, need_grad_x=i > 0 or need_grad_x,
                from_preactivation=head.fused and i == last,
            )

    def _plan(self):
        """What each batch needs, looked up once per fit: the optimizer's (gradient,
        variable) pairs and the layers with penalties or constraints."""
        self._pairs = self._grads_and_vars()
        self._penalized = [l for l in self._layers if getattr(l, "has_penalties", False)]
        self._constrained = [
            l for l in self._layers
            if getattr(l, "kernel_constraint", None) or getattr(l, "bias_constraint", None)
        ]

    # ------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose="auto",
            validation_split=0.0, validation_data=None, shuffle=True, seed=None):
        """Train for ``epochs`` passes over (x, y); returns a History.

        ``validation_split`` holds out the last fraction of the samples (before
        shuffling); ``validation_data=(x_val, y_val)`` overrides it. ``seed`` fixes the
        shuffling (a dlkit addition: Keras uses its global seed).
        """
        self._require_compiled("fit")
        batch_size = _positive_int(batch_size, "batch_size")
        epochs = _positive_int(epochs, "epochs", allow_zero=True)
        x, y = self._prepare(x, y)
        if validation_data is not None:
            val = self._validation_arrays(validation_data)
        else:
            (x, y), val = _split_last(x, y, validation_split)
        head, fns = _make_head(self.loss, self._layers[-1]), self._resolve_metrics(y)
        steps = math.ceil(len(x) / batch_size)
        history = callbacks.History()
        history.set_model(self)
        history.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})
        reporter = callbacks.progress(verbose, epochs, steps)
        rng = np.random.default_rng(seed)
        self._plan()
        with np.errstate(all="ignore"):  # non-finite values are caught and reported below
            for epoch in range(epochs):
                reporter.on_epoch_begin(epoch)
                order = rng.permutation(len(x)) if shuffle else None
                logs = self._train_epoch(x, y, batch_size, order, head, fns,
                                         (epoch, epochs), reporter)
                if val is not None:
                    val_logs = self._evaluate_arrays(*val, batch_size, head, fns)
                    logs.update({"val_" + key: value for key, value in val_logs.items()})
                reporter.on_epoch_end(epoch, logs)
                history.on_epoch_end(epoch, logs)
        self.history = history
        return history

    def _validation_arrays(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a tuple (x_val, y_val).")
        return self._prepare(*validation_data, x_name="x_val", y_name="y_val")

    def _train_epoch(self, x, y, batch_size, order, head, fns, epoch, reporter):
        means = _RunningMeans()
        n, steps = len(x), math.ceil(len(x) / batch_size)
        for step, start in enumerate(range(0, n, batch_size)):
            stop = min(start + batch_size, n)
            ws = self._workspace(stop - start)
            if order is None:
                xb, yb = x[start:stop], y[start:stop]
            else:
                idx = order[start:stop]
                xb = np.take(x, idx, axis=0, out=ws.x)
                yb = np.take(y, idx, axis=0, out=ws.y_like(y, stop - start))
            loss, out = self._train_step(xb, yb, ws, head, epoch, (step, steps))
            values = {"loss": loss}
            for name, fn in fns:
                values[name] = float(np.mean(fn(yb, out)))
            means.update(values, stop - start)
            reporter.on_batch_end(step + 1, means.result)
        return means.result()

    def _train_step(self, xb, yb, ws, head, epoch, step):
        out = self._forward(xb, ws)
        loss = head.value(yb, out) + self._penalty()
        if not math.isfinite(loss):
            raise _non_finite("loss", loss, *epoch, *step)
        self._backward(head, yb, out, ws, need_grad_x=False)
        try:
            self.optimizer.apply_gradients(self._pairs)
        except ValueError as err:  # the optimizer refuses non-finite gradients before any update
            if np.isfinite(self._grads).all():
                raise
            raise _non_finite("gradient", "not finite", *epoch, *step) from err
        for layer in self._constrained:
            layer.apply_constraints()
        return loss, out

    # ------------------------------------------------------------- evaluate / predict
    def _evaluate_arrays(self, x, y, batch_size, head, fns):
        means = _RunningMeans()
        for start in range(0, len(x), batch_size):
            stop = min(start + batch_size, len(x))
            xb, yb = x[start:stop], y[start:stop]
            out = self._forward(xb, self._workspace(stop - start))
            values = {"loss": head.value(yb, out) + self._penalty()}
            for name, fn in fns:
                values[name] = float(np.mean(fn(yb, out)))
            means.update(values, stop - start)
        return means.result()

    def evaluate(self, x=None, y=None, batch_size=32, verbose="auto", return_dict=False):
        """Loss (with penalties) and metrics on (x, y): a float, or [loss, metric, ...]."""
        self._require_compiled("evaluate")
        batch_size = _positive_int(batch_size, "batch_size")
        x, y = self._prepare(x, y)
        head, fns = _make_head(self.loss, self._layers[-1]), self._resolve_metrics(y)
        self._plan()
        with np.errstate(all="ignore"):
            logs = self._evaluate_arrays(x, y, batch_size, head, fns)
        callbacks.report_done(verbose, math.ceil(len(x) / batch_size), logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=32, verbose="auto"):
        """The model's outputs for x, computed batch by batch."""
        batch_size = _positive_int(batch_size, "batch_size")
        x = self._prepare_inputs(x)
        result = np.empty((len(x),) + self._output_shape()[1:], self.dtype)
        for start in range(0, len(x), batch_size):
            stop = min(start + batch_size, len(x))
            result[start:stop] = self._forward(x[start:stop], self._workspace(stop - start))
        callbacks.report_done(verbose, math.ceil(len(x) / batch_size))
        return result

    def __call__(self, x):
        """Forward pass on x in one go (no batching, no progress): a new array."""
        x = self._prepare_inputs(x)
        for layer in self._layers:
            x = layer.forward(x)
        return x

    def loss_and_gradients(self, x, y):
        """(loss, gradients, dL/dx) for (x, y) as one batch, without changing any weight.

        ``gradients`` are dL/dw in get_weights() order: the exact numbers one fit step
        on this batch would hand to the optimizer.
        """
        self._require_compiled("loss_and_gradients")
        x, y = self._prepare(x, y)
        head, ws = _make_head(self.loss, self._layers[-1]), self._workspace(len(x))
        self._plan()
        with np.errstate(all="ignore"):
            out = self._forward(x, ws)
            loss = head.value(y, out) + self._penalty()
            self._backward(head, y, out, ws, need_grad_x=True)
        grads = [g.copy() for layer in self._layers for g in layer.gradients]
        return loss, grads, ws.grad_x.copy()

    # ------------------------------------------------------------- weights
    @property
    def weights(self):
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        return [w for layer in self._layers for w in layer.trainable_weights]

    def count_params(self):
        return sum(layer.count_params() for layer in self._layers)

    def get_weights(self):
        """Copies of all weights, Keras order: kernel, bias of each layer in turn."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy ``weights`` (get_weights() order and shapes) into the model."""
        self._require_built("set_weights")
        copy_weights_into(self.weights, weights, f"model {self.name!r}")

    def _weight_keys(self):
        return [f"layer_{i}_{name}" for i, layer in enumerate(self._layers)
                for name in layer._weight_names]

    def save_weights(self, filepath):
        """Save all weights to a NumPy ``.weights.npz`` file."""
        filepath = _weights_path(filepath)
        self._require_built("save_weights")
        np.savez(filepath, **dict(zip(self._weight_keys(), self.weights)))

    def load_weights(self, filepath):
        """Load weights saved by save_weights into this (built, same-architecture) model."""
        filepath = _weights_path(filepath)
        self._require_built("load_weights")
        keys = self._weight_keys()
        with np.load(filepath) as data:
            if sorted(data.files) != sorted(keys):
                raise ValueError(
                    f"{filepath} holds weights {sorted(data.files)}, but this model has "
                    f"{sorted(keys)}: the architectures differ."
                )
            copy_weights_into(self.weights, [data[k] for k in keys], f"model {self.name!r}")

    def _require_built(self, method):
        if not self.built:
            try:
                self.build()
            except ValueError:
                raise ValueError(
                    f"{method}() needs a built model: add Input(shape) first, call "
                    "build((None, features)), or fit/predict on data first."
                ) from None

    # ------------------------------------------------------------- summary
    def summary(self, print_fn=None):
        """Print a Keras-style table: each layer's name (type), output shape and
        parameter count, then the totals."""
        (print_fn or print)("\n".join(_summary_lines(self)))


def _weights_path(filepath):
    filepath = str(filepath)
    if not filepath.endswith(WEIGHTS_SUFFIX):
        raise ValueError(
            f"The filename must end in {WEIGHTS_SUFFIX!r} (as Keras's end in '.weights.h5'), "
            f"got {filepath!r}."
        )
    return filepath


def _memory(n_bytes):
    """Keras's readable size: 198.79 KB."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024 or unit == "TB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _summary_rows(model):
    shape = model._input_shape
    rows = []
    for layer in model._layers:
        label = f"{layer.name} ({type(layer).__name__})"
        if layer.built and shape is not None:
            shape = layer.compute_output_shape(shape)
            rows.append((label, str(tuple(shape)).replace(",)", ")"), f"{layer.count_params():,}"))
        else:
            shape = None
            rows.append((label, "?", "0 (unbuilt)"))
    return rows


def _summary_lines(model):
    rows = _summary_rows(model)
    head = ("Layer (type)", "Output Shape", "Param #")
    widths = [max([31, 22, 13][i], *(len(r[i]) for r in rows + [head])) for i in range(3)]

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells, edge):
        name, shape, count = cells
        name, shape, count = name.ljust(widths[0]), shape.ljust(widths[1]), count.rjust(widths[2])
        return f"{edge} {name} {edge} {shape} {edge} {count} {edge}"

    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), row(head, "┃"),
             rule("┡", "╇", "┩", "━")]
    for i, cells in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines.append(row(cells, "│"))
    lines.append(rule("└", "┴", "┘", "─"))
    itemsize = np.dtype(getattr(model, "dtype", None) or config.floatx()).itemsize
    total = sum(l.count_params() for l in model._layers)
    trainable = sum(l.count_params() for l in model._layers if l.trainable)
    for label, count in (("Total", total), ("Trainable", trainable),
                         ("Non-trainable", total - trainable)):
        lines.append(f" {label} params: {count:,} ({_memory(count * itemsize)})")
    return lines
