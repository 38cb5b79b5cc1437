"""Figures for the lessons: small plotting helpers named after the concept they show.

Conventions (every function follows them, so lessons and widgets can combine them):

- Each function draws on a new :class:`matplotlib.figure.Figure` (never pyplot), so
  nothing pops up, no global figure list grows and no ``plt.close`` is needed; it
  returns that Figure. As a notebook cell's last expression, a Figure is shown once
  by the inline backend (its text form, ``<Figure size ... with N Axes>``, is what
  nbval compares; nbval skips the PNG itself).
- Functions that draw a single panel accept ``ax=`` to draw into an existing Axes
  instead (they then return ``ax.figure``), so several pictures can share a figure.
- Only lines that carry information have labels; helper lines (the x-axis at 0,
  tangent guides, network edges) get labels starting with "_", which matplotlib
  keeps out of legends. Tests count the labelled lines.
- Nothing here computes the lesson's mathematics: callers pass functions from
  dlkit (activations, losses, ...) or arrays computed with them.

Only this module and :mod:`dlkit.widgets` draw with matplotlib (dlkit.datasets merely
reads matplotlib's sample files); the core of dlkit never imports either.
"""

import io
import math

import numpy as np
from matplotlib.figure import Figure

DEFAULT_FIGSIZE = (6.4, 4.0)
PANEL_SIZE = (3.2, 2.4)  # one small multiple in a grid


# ------------------------------------------------------------------ building blocks
def new_figure(nrows=1, ncols=1, figsize=None, sharex=False, **subplot_kw):
    """A fresh (Figure, axes) pair, ``axes`` squeezed as by ``plt.subplots``: one Axes
    for 1x1, a 1-D array for one row or column, else a 2-D array.

    ``figsize`` defaults to DEFAULT_FIGSIZE for one panel and PANEL_SIZE per panel
    for a grid.
    """
    if figsize is None:
        figsize = DEFAULT_FIGSIZE if nrows * ncols == 1 else (
            PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows)
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, sharex=sharex, subplot_kw=subplot_kw or None)


def _axes(ax, figsize=None):
    """The Axes to draw on: ``ax`` itself, or the single Axes of a new figure."""
    if ax is not None:
        return ax
    return new_figure(figsize=figsize)[1]


def _grid(n, ncols):
    """A figure with room for ``n`` panels, ``ncols`` per row; unused panels hidden."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(nrows, ncols)
    flat = np.atleast_1d(axes).ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _zero_line(ax):
    """A thin x-axis at y = 0 (label "_zero", so it stays out of the legend)."""
    ax.axhline(0.0, color="0.6", linewidth=0.8, label="_zero")


def _finish(ax, title=None, xlabel=None, ylabel=None, legend=True):
    """Title, axis labels and (if any line is labelled) a legend; returns the Figure."""
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if legend and any(not h.get_label().startswith("_") for h in ax.get_lines()):
        ax.legend(fontsize="small")
    return ax.figure


def _evaluate(curve, x):
    """A curve is either an array of y values or a callable evaluated at ``x``."""
    y = curve(x) if callable(curve) else curve
    return np.broadcast_to(np.asarray(y, dtype=float), np.shape(x))


def figure_to_png(fig, dpi=80):
    """The PNG bytes of ``fig`` (Agg). Used by dlkit.widgets to show figures in Output."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# ------------------------------------------------------------------ curves and functions
def plot_curves(x, curves, *, ax=None, title=None, xlabel="x", ylabel=None, zero_line=True):
    """One labelled line per entry of ``curves`` (mapping label -> array or callable of x)."""
    x = np.asarray(x, dtype=float)
    ax = _axes(ax)
    if zero_line:
        _zero_line(ax)
    for label, curve in curves.items():
        ax.plot(x, _evaluate(curve, x), label=label)
    return _finish(ax, title, xlabel, ylabel)


def plot_function_and_derivative(f, df, x, *, name="f", d2f=None, marks=(), split=False,
                                 ax=None, title=None, xlabel="x"):
    """f(x) and its derivative f'(x) (and f''(x) if ``d2f`` is given).

    Lines are labelled "name(x)", "name'(x)" and "name''(x)". ``marks``: x positions
    (e.g. critical points, where f'(x) = 0) marked on f with a dot and their x value.
    ``split=True`` draws f on top and the derivatives in a panel below with the same
    x axis (use it when f' or f'' dwarfs f); marks then also get a dotted vertical line
    in the lower panel. ``ax`` is only accepted without ``split``.
    """
    x = np.asarray(x, dtype=float)
    derivatives = {f"{name}'(x)": df}
    if d2f is not None:
        derivatives[f"{name}''(x)"] = d2f
    if split:
        if ax is not None:
            raise ValueError("split=True draws its own two panels; do not pass ax.")
        fig, (ax, lower) = new_figure(2, 1, figsize=(6.4, 5.6), sharex=True)
        plot_curves(x, derivatives, ax=lower, xlabel=xlabel)
        for x0 in marks:
            lower.axvline(x0, color="black", linestyle=":", linewidth=0.8, label="_mark")
        plot_curves(x, {f"{name}(x)": f}, ax=ax, title=title, xlabel=None)
    else:
        fig = plot_curves(x, {f"{name}(x)": f, **derivatives}, ax=ax, title=title, xlabel=xlabel)
        ax = ax if ax is not None else fig.axes[0]
    for x0 in marks:
        y0 = float(_evaluate(f, np.asarray([x0], dtype=float))[0])
        ax.plot([x0], [y0], "o", color="black", label="_mark")
        ax.annotate(f"{x0:.4g}", (x0, y0), textcoords="offset points", xytext=(4, -12),
                    fontsize="small")
    return fig


def plot_function_grid(functions, x, *, ncols=4, xlabel="x"):
    """Small multiples: one panel per entry of ``functions``, titled with its name.

    ``functions`` maps a name to ``f`` or to ``(f, df)``; with a derivative the panel
    shows both (lines "f" and "f'"), as in :func:`plot_function_and_derivative`.
    """
    fig, axes = _grid(len(functions), ncols)
    for ax, (name, fns) in zip(axes, functions.items()):
        f, df = fns if isinstance(fns, tuple) else (fns, None)
        curves = {"f": f} if df is None else {"f": f, "f'": df}
        plot_curves(x, curves, ax=ax, title=name, xlabel=xlabel)
    return fig


def plot_tangent(f, df, x0, x, *, name="f", ax=None, title=None, half_width=None):
    """f(x) with its tangent line at each point of ``x0`` (a number or a list).

    The tangent at x0 is y = f(x0) + f'(x0)·(x - x0); its legend entry gives the slope
    "slope f'(x0) = ...": negative means f falls to the right, positive that it rises.
    ``half_width`` sets how far each tangent is drawn (default: a fifth of the x range).
    """
    x = np.asarray(x, dtype=float)
    points = np.atleast_1d(np.asarray(x0, dtype=float))
    fig = plot_curves(x, {f"{name}(x)": f}, ax=ax, title=title)
    ax = ax if ax is not None else fig.axes[0]
    half = half_width if half_width is not None else (x.max() - x.min()) / 5
    for p in points:
        y0 = float(_evaluate(f, np.asarray([p]))[0])
        slope = float(_evaluate(df, np.asarray([p]))[0])
        xs = np.array([p - half, p + half])
        ax.plot(xs, y0 + slope * (xs - p), "--", label=f"slope {name}'({p:g}) = {slope:+.4g}")
        ax.plot([p], [y0], "o", color="black", label="_point")
    return _finish(ax)


def plot_descent_path(f, path, x=None, *, ax=None, title=None, name="f", xlabel="w"):
    """The iterates w_0, w_1, ... of a 1-D descent drawn on the curve f.

    ``path`` is the array of iterates (e.g. from dlkit.descent.gradient_descent), or a
    dict label -> array to compare several runs on one curve. Lines: the curve
    "f(w)" and one path per run ("steps" for a single array), its points joined in
    order; each path's start and end are annotated. ``x`` defaults to a range
    around the paths.
    """
    paths = dict(path) if isinstance(path, dict) else {"steps": path}
    paths = {label: np.asarray(p, dtype=float) for label, p in paths.items()}
    if x is None:
        every = np.concatenate(list(paths.values()))
        pad = 0.25 * (every.max() - every.min()) + 0.5
        x = np.linspace(every.min() - pad, every.max() + pad, 300)
    fig = plot_curves(x, {f"{name}({xlabel})": f}, ax=ax, title=title, xlabel=xlabel,
                      zero_line=False)
    ax = ax if ax is not None else fig.axes[0]
    for label, p in paths.items():
        y = _evaluate(f, p)
        ax.plot(p, y, "o-", markersize=4, linewidth=1, label=label)
        ax.annotate("start", (p[0], y[0]), textcoords="offset points", xytext=(5, 5))
        ax.annotate(f"end {p[-1]:.4g}", (p[-1], y[-1]), textcoords="offset points",
                    xytext=(5, -14))
    return _finish(ax)


# ------------------------------------------------------------------ losses and training
def plot_loss_vs_prediction(losses, y_true, y_pred, *, ax=None, title=None):
    """How each loss grows as one prediction moves away from the label ``y_true``.

    ``losses`` maps a name to a per-sample loss function ``loss(y_true, y_pred)``
    (Keras semantics: mean over the last axis), e.g. ``dlkit.losses.mse``, or any
    function of (y_true, y_pred) such as a loss's gradient. Each is evaluated on
    samples with one value each, y_true against every ``y_pred``.
    """
    y_pred = np.asarray(y_pred, dtype=float)
    targets = np.full((y_pred.size, 1), y_true, dtype=float)
    # one-value samples: a per-sample loss gives (n,), a gradient (n, 1); both -> y_pred's shape
    curves = {name: np.reshape(fn(targets, y_pred.reshape(-1, 1)), y_pred.shape)
              for name, fn in losses.items()}
    title = title if title is not None else f"loss for one sample, y_true = {y_true:g}"
    return plot_curves(y_pred, curves, ax=ax, title=title, xlabel="prediction ŷ",
                       ylabel="loss")


def plot_loss_curves(history, *, keys=None, ax=None, title="training", logy=False):
    """Training curves: one line per metric in ``history``, against the epoch.

    ``history`` is a History object (its ``.history`` dict, as returned by
    ``Sequential.fit``) or a dict ``{"loss": [...], "val_loss": [...], ...}``.
    ``keys`` chooses and orders the lines (default: all).
    """
    logs = getattr(history, "history", history)
    keys = list(logs) if keys is None else list(keys)
    ax = _axes(ax)
    for key in keys:
        values = np.asarray(logs[key], dtype=float)
        ax.plot(np.arange(1, values.size + 1), values, label=key)
    if logy:
        ax.set_yscale("log")
    return _finish(ax, title, "epoch", "value")


# ------------------------------------------------------------------ distributions and bars
def plot_histograms(samples, *, bins=40, ncols=4, range=None, overlay=False, ax=None):
    """Histograms of arrays: one panel per entry of ``samples`` (label -> array),
    or all on one Axes with ``overlay=True``. ``range`` (lo, hi) fixes a common
    x range so panels compare; values are flattened.
    """
    if overlay:
        ax = _axes(ax)
        for label, values in samples.items():
            ax.hist(np.ravel(values), bins=bins, range=range, alpha=0.5, label=label)
        ax.legend(fontsize="small")
        return _finish(ax, None, "value", "count", legend=False)
    fig, axes = _grid(len(samples), ncols)
    for ax, (label, values) in zip(axes, samples.items()):
        ax.hist(np.ravel(values), bins=bins, range=range)
        ax.set_title(label, fontsize="medium")
    return fig


def plot_probabilities(probabilities, labels=None, *, value_labels=None, ax=None,
                       title="probabilities"):
    """A bar per class with its probability printed on top (e.g. a softmax output).

    ``value_labels`` replaces the printed values (default: 3 significant digits).
    """
    p = np.ravel(np.asarray(probabilities, dtype=float))
    labels = [str(i) for i in np.arange(p.size)] if labels is None else list(labels)
    ax = _axes(ax)
    bars = ax.bar(labels, p, color="tab:blue")
    texts = [f"{v:.3g}" for v in p] if value_labels is None else list(value_labels)
    ax.bar_label(bars, labels=texts, fontsize="small")
    ax.set_ylim(0, max(1.0, p.max() * 1.1))
    return _finish(ax, title, "class", "probability", legend=False)


# ------------------------------------------------------------------ networks and tensors
def plot_network(layer_sizes, *, layer_names=None, ax=None, title=None):
    """A fully connected (dense) network: one column of circles per layer, every unit
    joined to every unit of the next layer (the kernel's weights).

    ``layer_sizes`` like (3, 4, 1): 3 inputs, 4 hidden units, 1 output. Each circle
    is a patch (``ax.patches``); each weight an edge line labelled "_edge".
    """
    gap = 2.5  # horizontal distance between layers, in unit-circle spacings
    ax = _axes(ax, figsize=(2.4 * len(layer_sizes) + 1, 3.6))
    names = layer_names or (["input"] + [f"layer {i}" for i in range(1, len(layer_sizes))])
    top = max(layer_sizes)
    # each column is centred on y = 0, units listed top to bottom
    centres = [[(gap * i, (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(layer_sizes)]
    for left, right in zip(centres, centres[1:]):
        for a in left:
            for b in right:
                ax.plot([a[0], b[0]], [a[1], b[1]], color="0.7", linewidth=0.8, label="_edge")
    for i, column in enumerate(centres):
        for centre in column:
            ax.add_patch(_circle(centre, "tab:orange" if i == 0 else "tab:blue"))
        ax.text(gap * i, (top - 1) / 2 + 0.7, names[i], ha="center", fontsize="small")
    ax.set_xlim(-1.2, gap * (len(layer_sizes) - 1) + 1.2)
    ax.set_ylim(-(top - 1) / 2 - 0.6, (top - 1) / 2 + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return _finish(ax, title, legend=False)


def _circle(centre, color):
    from matplotlib.patches import Circle

    return Circle(centre, 0.22, facecolor=color, edgecolor="black", zorder=3)


def plot_heatmap(matrix, *, row_labels=None, col_labels=None, ax=None, title=None,
                 xlabel=None, ylabel=None, cmap="viridis"):
    """A 2-D array as a colour image with a colour bar (rows top to bottom)."""
    matrix = np.asarray(matrix, dtype=float)
    ax = _axes(ax)
    image = ax.imshow(matrix, aspect="auto", cmap=cmap)
    ax.figure.colorbar(image, ax=ax)
    if row_labels is not None:
        ax.set_yticks(np.arange(len(row_labels)), labels=row_labels)
    if col_labels is not None:
        ax.set_xticks(np.arange(len(col_labels)), labels=col_labels)
    return _finish(ax, title, xlabel, ylabel, legend=False)


def plot_image_channels(image, *, channel_names=("red", "green", "blue"), title=None):
    """A channels-first image tensor (3, H, W): the colour picture, then each channel
    as its own grey-level matrix (one panel each). Values in [0, 255] or [0, 1]."""
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"image must have shape (channels, height, width), got {image.shape}.")
    fig, axes = new_figure(1, image.shape[0] + 1, figsize=(2.6 * (image.shape[0] + 1), 2.8))
    axes[0].imshow(_to_unit(np.moveaxis(image, 0, -1)))
    axes[0].set_title(f"shape {image.shape}")
    for ax, channel, label in zip(axes[1:], image, channel_names):
        ax.imshow(_to_unit(channel), cmap="gray", vmin=0, vmax=1)
        ax.set_title(label)
    for ax in axes:
        ax.axis("off")
    if title is not None:
        fig.suptitle(title)
    return fig


def plot_image_batch(batch, *, ncols=3, title=None):
    """A batch of channels-first images (N, 3, H, W), one panel per image."""
    batch = np.asarray(batch)
    if batch.ndim != 4:
        raise ValueError(f"batch must have shape (N, channels, height, width), got {batch.shape}.")
    fig, axes = _grid(batch.shape[0], ncols)
    for i, (ax, image) in enumerate(zip(axes, batch)):
        ax.imshow(_to_unit(np.moveaxis(image, 0, -1)))
        ax.set_title(f"image {i}", fontsize="small")
        ax.axis("off")
    fig.suptitle(title if title is not None else f"batch of shape {batch.shape}")
    return fig


def _to_unit(image):
    """uint8 or [0, 255] floats -> floats in [0, 1] (what imshow expects for RGB)."""
    image = np.asarray(image, dtype=float)
    return image / 255.0 if image.max() > 1.0 else image


# ================================================================== lessons 08-13 (lessons-b)
# Gradient descent, momentum, adaptive rates, deep stacks, initializers, capstone.
# Built on the building blocks above (new_figure, _axes, _finish, plot_descent_path,
# plot_histograms); like them, nothing here computes the lesson's mathematics.
def plot_descent_table(table, f, *, x=None, title=None):
    """A descent table (``dlkit.descent.gradient_descent_table``) as one picture: the
    path w_1, w_2, ... on the curve f (left) and the table as the deck prints it (right).
    """
    fig, axes = new_figure(1, 2, figsize=(11.0, 4.4))
    ax_path, ax_text = axes
    path = np.append(table.column("w"), table[-1].next_w) if len(table) else np.array([])
    plot_descent_path(f, path, x=x, ax=ax_path,
                      title=title if title is not None else f"η = {table.learning_rate:.4g}")
    text = table.to_text()
    ax_text.axis("off")
    ax_text.text(0.0, 1.0, text, family="monospace", va="top", ha="left",
                 fontsize=min(9.0, 260.0 / max(1, text.count("\n") + 1)),
                 transform=ax_text.transAxes)
    return fig


def _grid_values(f, xlim, ylim, n=200):
    """(xs, ys, f on the grid): f takes points w of shape (..., 2), w[..., 0] the x."""
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    return xs, ys, np.asarray(f(np.stack(np.meshgrid(xs, ys), axis=-1)), dtype=float)


def plot_contour_paths(f, paths, *, xlim, ylim, levels=None, ax=None, title=None,
                       xlabel="w₁", ylabel="w₂"):
    """Paths of 2-D optimizations on the contour lines of a loss surface f.

    ``f(w)`` takes points of shape (..., 2) (w[..., 0] and w[..., 1]) and returns the
    loss; ``paths`` maps a label to the iterates, an array of shape (steps + 1, 2). Each
    path is a labelled line (its start a black dot, "_start"). ``levels`` defaults to
    quantiles of f over the box, so a narrow valley gets as many lines as the slopes.
    Points outside ``xlim``/``ylim`` (a diverging path) are simply cut off.
    """
    ax = _axes(ax)
    xs, ys, z = _grid_values(f, xlim, ylim)
    if levels is None:
        levels = np.unique(np.quantile(z, np.linspace(0.0, 1.0, 24)[1:-1] ** 2))
    ax.contour(xs, ys, z, levels=levels, cmap="Greys", linewidths=0.7)
    for label, path in paths.items():
        path = np.asarray(path, dtype=float).reshape(-1, 2)
        ax.plot(path[:, 0], path[:, 1], ".-", markersize=3, linewidth=1.2, label=label)
        ax.plot(path[0, 0], path[0, 1], "o", color="black", label="_start")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return _finish(ax, title, xlabel, ylabel)


def plot_per_layer(values, *, ax=None, title=None, ylabel=None, logy=True):
    """One labelled line per entry of ``values`` (label -> one number per layer),
    against the layer number 1, 2, ...: how a statistic changes with depth.
    Non-positive values are left out of a log scale (matplotlib masks them)."""
    ax = _axes(ax)
    for label, per_layer in values.items():
        per_layer = np.asarray(per_layer, dtype=float)
        ax.plot(np.arange(1, per_layer.size + 1), per_layer, "o-", markersize=3, label=label)
    if logy:
        ax.set_yscale("log")
    return _finish(ax, title, "layer", ylabel)


def plot_initializer_histograms(samples, marks=None, *, bins=50, ncols=4, range=None):
    """:func:`plot_histograms` with reference lines: ``marks[label]`` maps a name
    ("±limit", "±σ", ...) to an x value or a sequence of them, drawn as dashed vertical
    lines in that panel (labelled once, so each panel's legend names them)."""
    fig = plot_histograms(samples, bins=bins, ncols=ncols, range=range)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    colors = ("tab:red", "tab:green", "tab:purple", "tab:orange")
    for ax, label in zip(panels, samples):
        for color, (name, xs) in zip(colors, (marks or {}).get(label, {}).items()):
            for i, x in enumerate(np.atleast_1d(xs)):
                ax.axvline(float(x), color=color, linestyle="--", linewidth=1.0,
                           label=name if i == 0 else "_" + name)
        _finish(ax, xlabel="value")
    return fig


def plot_predictions(y_true, y_pred, *, ax=None, title=None, label="model"):
    """Predicted against true values (one dot per sample, labelled ``label``) with the
    diagonal ŷ = y ("perfect") that a perfect model's dots would lie on."""
    y_true = np.ravel(np.asarray(y_true, dtype=float))
    y_pred = np.ravel(np.asarray(y_pred, dtype=float))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred need the same number of values, got "
                         f"{y_true.size} and {y_pred.size}.")
    ax = _axes(ax)
    lo, hi = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
    ax.plot([lo, hi], [lo, hi], "--", color="0.5", label="perfect")
    ax.scatter(y_true, y_pred, s=12, alpha=0.7, label=label)
    ax.legend(fontsize="small")
    return _finish(ax, title, "true value", "predicted value", legend=False)
