"""Interactive explorers for the lessons: ipywidgets controls above a figure.

The building block is :class:`Explorer`: a set of controls and a ``draw(**values)``
function that returns a matplotlib Figure (usually one of :mod:`dlkit.plots`) — or
any other object, shown by its HTML or text form (a table, a string). When a control
changes, the explorer calls ``draw`` again and shows the new result.
:func:`explore` builds one from interact-style abbreviations, so a lesson writes::

    explore(lambda x0=1.0: plots.plot_tangent(f, df, x0, x), x0=(-3.0, 3.0, 0.1))

Why not ``ipywidgets.interact``: its figures are printed into an Output widget
through the kernel's output stream, which nbclient and nbval route differently
(the cell's stored outputs would change between a run and its check). An Explorer
puts the figure's PNG into ``output.outputs`` directly, so the same thing happens in
JupyterLab, under nbconvert/nbval and in plain Python (tests), and its text form
``Name(control=value, ...)`` is stable and readable.

Static output: ``explorer.result`` (alias ``explorer.figure``) is what is currently
shown. A lesson shows the explorer, then ``explorer.figure`` in the next cell, so a
reader without a kernel (and nbval) still sees the default state.

The lesson explorers below (activation, loss, tangent, neuron) are thin: each only
chooses controls and a draw function. Only this module and dlkit.plots import
matplotlib; only this module imports ipywidgets.
"""

import base64
import inspect

import ipywidgets
import numpy as np
from matplotlib.figure import Figure

from dlkit import (activations, descent, diagnostics, initializers, layers, losses, models, neuron,
                   optimizers, plots)


class Explorer(ipywidgets.VBox):
    """Controls stacked above an Output that shows ``draw(**values)``.

    Parameters: ``draw`` returns a matplotlib Figure for keyword arguments named like
    the controls (or any object with an HTML or text form); ``controls`` maps names
    to ipywidgets value widgets; ``name`` is used in the text form. Attributes:
    ``controls`` (dict), ``output`` (ipywidgets.Output), ``result`` (what ``draw``
    returned last; ``figure`` is the same), ``values`` (dict).
    """

    def __init__(self, draw, controls, *, name="Explorer"):
        self._draw = draw
        self._name = name
        self.controls = dict(controls)
        self.output = ipywidgets.Output()
        self.result = None
        super().__init__(children=[*self.controls.values(), self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    @property
    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def figure(self):
        """What ``draw`` returned last (a Figure for the plotting explorers)."""
        return self.result

    def redraw(self):
        """Call ``draw`` with the current values and show the result (replacing the last)."""
        self.result = self._draw(**self.values)
        self.output.outputs = (_display_item(self.result),)
        return self.result

    def _on_change(self, change):
        self.redraw()

    def __repr__(self):
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.values.items())
        return f"{self._name}({args})"


def _short(value):
    """Floats rounded for display (slider steps like 0.30000000000000004)."""
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def _display_item(result):
    """An Output-widget display item: a Figure as PNG, anything else as its HTML
    (``_repr_html_``) and text form (a str as it is); always with text/plain."""
    data = {"text/plain": result if isinstance(result, str) else repr(result)}
    if isinstance(result, Figure):
        data["image/png"] = base64.b64encode(plots.figure_to_png(result)).decode("ascii")
    elif hasattr(result, "_repr_html_"):
        data["text/html"] = result._repr_html_()
    return {"output_type": "display_data", "metadata": {}, "data": data}


def explore(draw, *, name=None, **controls):
    """An :class:`Explorer` whose controls come from interact-style abbreviations.

    Each keyword is a control for the parameter of ``draw`` with that name: a
    ``(min, max, step)`` tuple gives a slider, a list or dict a dropdown, a bool a
    checkbox, a widget is used as it is. The start value is ``draw``'s default for
    that parameter (as with ipywidgets.interact). Sliders redraw on release.
    """
    defaults = {k: p.default for k, p in inspect.signature(draw).parameters.items()}
    widgets = {}
    for key, abbrev in controls.items():
        default = defaults.get(key, inspect.Parameter.empty)
        widget = ipywidgets.interactive.widget_from_abbrev(abbrev, default)
        if widget is None:
            raise ValueError(f"Cannot make a control for {key}={abbrev!r}: expected a "
                             "(min, max, step) tuple, a list, a bool or a widget.")
        widget.description = widget.description or key
        if hasattr(widget, "continuous_update"):
            widget.continuous_update = False
        widgets[key] = widget
    default_name = getattr(draw, "__name__", "<lambda>")
    return Explorer(draw, widgets, name=name or ("Explorer" if default_name == "<lambda>" else default_name))


# ------------------------------------------------------------------ lesson explorers
ACTIVATION_RANGE = np.linspace(-5.0, 5.0, 401)


def activation_curve(name):
    """(f, f') of activation ``name`` as elementwise functions of x, for plotting.

    Softmax acts on a vector, so it is shown through the slice x -> softmax([x, 0])[0]
    (which equals sigmoid(x)) and its derivative, the Jacobian's [0, 0] entry.
    """
    if name != "softmax":
        return activations.get(name), activations.derivative(name)

    def logits(x):
        return np.stack([np.asarray(x, dtype=float), np.zeros(np.shape(x))], axis=-1)

    return (lambda x: activations.softmax(logits(x))[..., 0],
            lambda x: activations.softmax_derivative(logits(x))[..., 0, 0])


def draw_activation(activation="relu", x0=1.0, x=ACTIVATION_RANGE):
    """One activation and its derivative with the point x0 marked; the title gives
    f(x0) and f'(x0)."""
    f, df = activation_curve(activation)
    at = np.asarray([x0], dtype=float)
    fx, slope = float(f(at)[0]), float(df(at)[0])
    label = "softmax([x, 0])[0]" if activation == "softmax" else activation
    title = f"{label}: f({x0:g}) = {fx:.4g}, f'({x0:g}) = {slope:.4g}"
    return plots.plot_function_and_derivative(f, df, x, name="f", marks=[x0], title=title)


def activation_explorer(activation="relu", x0=1.0):
    """Choose any of the eleven activations and move x0 along the curve.

    Controls: ``activation`` (dropdown of dlkit.activations.ALL) and ``x0`` (slider,
    -5..5). Shows f and f' with the point (x0, f(x0)) marked.
    """
    def draw(activation=activation, x0=x0):
        return draw_activation(activation, x0)

    return explore(draw, name="ActivationExplorer", activation=list(activations.ALL),
                   x0=(-5.0, 5.0, 0.1))


# Losses that act on one number per sample (classification losses over one-hot
# vectors, categorical and sparse, are left to the lesson's tables).
SCALAR_LOSSES = ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "binary_crossentropy", "hinge",
                 "squared_hinge")


def _prediction_range(loss):
    """A useful range of predictions: probabilities for cross entropy, a score range
    around the margin for hinge losses, a range around the label otherwise."""
    if loss == "binary_crossentropy":
        return np.linspace(0.001, 0.999, 300)
    if "hinge" in loss:
        return np.linspace(-3.0, 3.0, 301)
    return np.linspace(-1.0, 3.0, 401)


def draw_loss(loss="mean_squared_error", y_true=1.0):
    """One loss and its gradient d loss / d ŷ against the prediction ŷ, for one
    sample with label ``y_true``."""
    y_pred = _prediction_range(loss)
    gradient = getattr(losses, f"{loss}_gradient")
    curves = {"loss": getattr(losses, loss), "d loss / d ŷ": gradient}
    return plots.plot_loss_vs_prediction(curves, y_true, y_pred,
                                         title=f"{loss}, y_true = {y_true:g}")


def loss_explorer(loss="mean_squared_error", y_true=1.0):
    """Choose a loss and move the label: the curve of the loss over the prediction
    and its gradient. Controls: ``loss`` (SCALAR_LOSSES) and ``y_true`` (0..2)."""
    def draw(loss=loss, y_true=y_true):
        return draw_loss(loss, y_true)

    return explore(draw, name="LossExplorer", loss=list(SCALAR_LOSSES), y_true=(0.0, 2.0, 0.1))


def tangent_explorer(f, df, x, *, x0=0.0, d2f=None, name="f"):
    """Move a point x0 along f and watch the tangent's slope f'(x0) (and, with
    ``d2f``, the curvature f''(x0): positive = curving up, a minimum if f'(x0) = 0).
    Control: ``x0`` (slider over the range of ``x``)."""
    x = np.asarray(x, dtype=float)
    step = float(x[-1] - x[0]) / 100

    def draw(x0=x0):
        fig = plots.plot_tangent(f, df, x0, x, name=name)
        if d2f is not None:
            curvature = float(np.asarray(d2f(np.asarray([x0])))[0])
            bend = "curving up" if curvature > 0 else "curving down" if curvature < 0 else "flat"
            fig.axes[0].set_title(f"{name}''({x0:.3g}) = {curvature:+.4g} ({bend})")
        return fig

    return explore(draw, name="TangentExplorer", x0=(float(x[0]), float(x[-1]), step))


def draw_neuron(x, w, b, activation="sigmoid"):
    """The activation curve with the neuron's point (z, f(z)) marked, where
    z = Σ x_i w_i + b; the title spells out the weighted sum."""
    z = float(neuron.weighted_sum(x, w, b))
    out = float(neuron.neuron(x, w, b, activation=activation))
    f, _ = activation_curve(activation)
    terms = " + ".join(f"{xi:g}·{_signed(wi)}" for xi, wi in zip(x, w))
    fig = plots.plot_curves(np.linspace(-6, 6, 241), {f"{activation}(z)": f}, xlabel="z")
    ax = fig.axes[0]
    ax.plot([z], [out], "o", color="black", label="_neuron")
    ax.set_title(f"z = {terms} + {_signed(b)} = {z:.3g};  output = {out:.3g}", fontsize="medium")
    return fig


def _signed(value):
    """A number for a formula: negatives in parentheses, as in 2·(-0.25)."""
    return f"({value:.3g})" if value < 0 else f"{value:.3g}"


def neuron_explorer(x=(1.0, 2.0), w=(0.5, -0.25), b=0.1, activation="sigmoid"):
    """One neuron with fixed inputs ``x``: sliders for each weight and the bias, a
    dropdown for the activation. Controls: w1..wn, b (-2..2), activation (every
    activation but softmax, which on a single neuron's output is always 1)."""
    x = tuple(float(v) for v in x)
    names = [f"w{i + 1}" for i in range(len(x))]
    controls = {n: ipywidgets.FloatSlider(value=float(v), min=-2.0, max=2.0, step=0.05,
                                          description=n, continuous_update=False)
                for n, v in zip(names, w)}
    controls["b"] = ipywidgets.FloatSlider(value=float(b), min=-2.0, max=2.0, step=0.05,
                                           description="b", continuous_update=False)
    options = [name for name in activations.ALL if name != "softmax"]
    controls["activation"] = ipywidgets.Dropdown(options=options,
                                                 value=activation, description="activation")

    def draw(b, activation, **weights):
        return draw_neuron(x, [weights[n] for n in names], b, activation)

    return Explorer(draw, controls, name="NeuronExplorer")


# ================================================================== lessons 08-13 (lessons-b)
# A learning-rate slider over the descent table, an optimizer race, an initializer x depth
# explorer. Each is an Explorer (above) around a draw function from dlkit.plots.


def descent_explorer(f, df, *, w0=2.0, learning_rate=0.1, steps=10, x=None):
    """The deck's gradient-descent table for any learning rate: the path on f and the
    table w_{i+1} = w_i - η·f'(w_i). Controls: ``learning_rate`` (0.01..0.6) and
    ``steps`` (1..30)."""
    def draw(learning_rate=learning_rate, steps=steps):
        table = descent.gradient_descent_table(f, df, w0, learning_rate, steps)
        return plots.plot_descent_table(table, f, x=x)

    return explore(draw, name="DescentExplorer", learning_rate=(0.01, 0.6, 0.01),
                   steps=(1, 30, 1))


# The contestants of the race, each built for a learning rate: Keras's forms, plus the
# deck's Adam with its missing power t (lesson 10).
RACE_OPTIMIZERS = {
    "SGD": lambda lr: optimizers.SGD(lr),
    "SGD, momentum 0.9": lambda lr: optimizers.SGD(lr, momentum=0.9),
    "Adagrad": lambda lr: optimizers.Adagrad(lr),
    "RMSprop": lambda lr: optimizers.RMSprop(lr),
    "Adam": lambda lr: optimizers.Adam(lr),
    "Adam, deck's 1-β": lambda lr: optimizers.DeckAdam(lr, bias_correction="deck"),
}


def _optimizer_path(optimizer, gradient, w0, steps, bound):
    """Iterates of ``optimizer`` from w0 (float64); stops once a coordinate leaves
    ±bound, so a diverging run ends before it overflows."""
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        optimizer.apply_gradients([(gradient(w), w)])
        path.append(w.copy())
        if not np.all(np.abs(w) <= bound):
            break
    return np.array(path)


def draw_race(f, gradient, w0, names, learning_rate, steps, *, xlim, ylim):
    """Every optimizer in ``names`` (keys of RACE_OPTIMIZERS) from w0 on the surface f,
    all with the same learning rate; the legend gives each one's final loss."""
    bound = 1e3 * max(map(abs, (*xlim, *ylim)))
    paths = {}
    for name in names:
        path = _optimizer_path(RACE_OPTIMIZERS[name](learning_rate), gradient, w0, steps, bound)
        end = float(f(path[-1]))
        paths[f"{name}: {'diverged' if len(path) <= steps else f'loss {end:.3g}'}"] = path
    return plots.plot_contour_paths(f, paths, xlim=xlim, ylim=ylim,
                                    title=f"learning rate {learning_rate:.3g}, {steps} steps")


def race_explorer(f, gradient, w0, *, xlim, ylim, names=("SGD", "SGD, momentum 0.9", "Adam"),
                  learning_rate=0.05, steps=50):
    """Optimizers racing on one loss surface f (points of shape (..., 2)) with gradient
    ``gradient``, from w0. Controls: ``names`` (which optimizers race), one shared
    ``learning_rate`` (log slider 0.001..1) and ``steps`` (5..200)."""
    controls = {
        "names": ipywidgets.SelectMultiple(options=list(RACE_OPTIMIZERS), value=tuple(names),
                                           description="optimizers", rows=len(RACE_OPTIMIZERS)),
        "learning_rate": ipywidgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=0,
                                                   step=0.1, description="learning rate",
                                                   continuous_update=False),
        "steps": ipywidgets.IntSlider(value=steps, min=5, max=200, step=5, description="steps",
                                      continuous_update=False),
    }

    def draw(names, learning_rate, steps):
        return draw_race(f, gradient, w0, names, learning_rate, steps, xlim=xlim, ylim=ylim)

    return Explorer(draw, controls, name="RaceExplorer")


# Kernel initializers for the depth explorer: the deck's "high" and "too low" weights for
# all, and three scaled ones. Each is made from a seed, so every layer gets its own draw
# and the figure is the same on every run.
DEPTH_INITIALIZERS = {
    "RandomNormal(stddev=1.0)": lambda seed: initializers.RandomNormal(stddev=1.0, seed=seed),
    "RandomNormal(stddev=0.01)": lambda seed: initializers.RandomNormal(stddev=0.01, seed=seed),
    "glorot_uniform": lambda seed: initializers.GlorotUniform(seed=seed),
    "he_normal": lambda seed: initializers.HeNormal(seed=seed),
    "lecun_normal": lambda seed: initializers.LecunNormal(seed=seed),
}
DEPTH_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def deep_stack(initializer="glorot_uniform", depth=10, activation="tanh", width=64):
    """The network the depth explorer measures: ``depth`` Dense(width, activation) layers
    and a linear Dense(1) output, every kernel from DEPTH_INITIALIZERS[initializer] (layer
    i seeded with i), compiled with the mean squared error (ready for diagnostics)."""
    make = DEPTH_INITIALIZERS[initializer]
    model = models.Sequential([layers.Input((width,))])
    for i in range(depth):
        model.add(layers.Dense(width, activation=activation, kernel_initializer=make(i)))
    model.add(layers.Dense(1, kernel_initializer=make(depth)))
    model.compile(optimizer="sgd", loss="mse")
    return model


def draw_depth(x, y, names=("glorot_uniform",), depth=10, activation="tanh"):
    """Layer-by-layer statistics of :func:`deep_stack` on the batch (x, y), one line per
    initializer in ``names`` (the output layer last): the std of each layer's outputs, the fraction of
    saturated units and the gradient norm ||dL/dkernel||. Each legend entry ends with
    ``dlkit.diagnostics.diagnose`` of that stack's gradient norms."""
    stds, saturated, norms = {}, {}, {}
    for name in names:
        model = deep_stack(name, depth, activation, np.shape(x)[1])
        stats = diagnostics.activation_statistics(model, x)
        grads = diagnostics.gradient_norms(model, x, y)
        label = f"{name}: {diagnostics.diagnose(grads)}"
        stds[label] = [s["std"] for s in stats]
        saturated[label] = [s["saturated"] for s in stats]
        norms[label] = grads
    fig, axes = plots.new_figure(1, 3, figsize=(13.0, 3.6))
    plots.plot_per_layer(stds, ax=axes[0], title=f"{activation}, {depth} layers: std of outputs")
    plots.plot_per_layer(saturated, ax=axes[1], logy=False, title="saturated fraction")
    axes[1].set_ylim(-0.05, 1.05)
    plots.plot_per_layer(norms, ax=axes[2], title="||dL/dkernel||")
    for ax in axes[:2]:  # one legend (with the verdicts) is enough
        ax.get_legend().remove()
    return fig


def depth_explorer(x, y, *, initializer="glorot_uniform", depth=10, activation="tanh"):
    """Initializer x depth: :func:`deep_stack` measured on the batch (x, y) (see
    :func:`draw_depth`). Controls: ``initializer`` (DEPTH_INITIALIZERS), ``depth``
    (2..30) and ``activation`` (sigmoid, tanh, relu)."""
    def draw(initializer=initializer, depth=depth, activation=activation):
        return draw_depth(x, y, (initializer,), depth, activation)

    return explore(draw, name="DepthExplorer", initializer=list(DEPTH_INITIALIZERS),
                   depth=(2, 30, 1), activation=list(DEPTH_ACTIVATIONS))
