"""dlkit.plots and dlkit.widgets draw what the lessons say they draw (headless, Agg).

Expected values come from the deck or from formulas written out here (x² + 10 has
slope 2x, sigmoid(1) = 1/(1+e^-1), ...), never from the plotting code.
"""

import base64
import math

import matplotlib

matplotlib.use("Agg")  # headless, before anything could pick a GUI backend

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlkit import plots, widgets  # noqa: E402

X = np.linspace(-3.0, 3.0, 61)


def labelled_lines(ax):
    """Lines that carry information (helper lines have labels starting with "_")."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def square_plus_ten(x):
    return np.asarray(x) ** 2 + 10.0


def two_x(x):
    return 2.0 * np.asarray(x)


# ------------------------------------------------------------------ every single-panel plot
SINGLE_PANEL = {
    "curves": lambda ax: plots.plot_curves(X, {"a": np.sin}, ax=ax),
    "function_and_derivative": lambda ax: plots.plot_function_and_derivative(
        square_plus_ten, two_x, X, ax=ax),
    "tangent": lambda ax: plots.plot_tangent(square_plus_ten, two_x, 1.0, X, ax=ax),
    "descent_path": lambda ax: plots.plot_descent_path(square_plus_ten, [2.0, 1.0, 0.5], ax=ax),
    "loss_vs_prediction": lambda ax: plots.plot_loss_vs_prediction(
        {"se": lambda t, p: np.mean((t - p) ** 2, axis=-1)}, 1.0, X, ax=ax),
    "loss_curves": lambda ax: plots.plot_loss_curves({"loss": [3, 2, 1]}, ax=ax),
    "probabilities": lambda ax: plots.plot_probabilities([0.5, 0.5], ax=ax),
    "network": lambda ax: plots.plot_network((2, 1), ax=ax),
    "heatmap": lambda ax: plots.plot_heatmap(np.eye(3), ax=ax),
}


@pytest.mark.parametrize("name", SINGLE_PANEL)
def test_single_panel_plots_return_a_figure_or_draw_into_the_given_axes(name):
    draw = SINGLE_PANEL[name]
    fig = draw(None)
    assert isinstance(fig, Figure)
    host, ax = plots.new_figure()
    assert draw(ax) is host
    assert ax.has_data() or ax.patches or ax.images


# ------------------------------------------------------------------ curves
def test_plot_curves_draws_one_labelled_line_per_curve_with_axis_labels():
    fig = plots.plot_curves(X, {"sin": np.sin, "given": np.cos(X)}, xlabel="z", ylabel="y")
    ax = fig.axes[0]
    lines = labelled_lines(ax)
    assert [line.get_label() for line in lines] == ["sin", "given"]
    np.testing.assert_allclose(lines[0].get_ydata(), np.sin(X))
    assert ax.get_xlabel() == "z" and ax.get_ylabel() == "y"


def test_function_and_derivative_has_f_fprime_and_f_second_and_marks_points():
    fig = plots.plot_function_and_derivative(
        square_plus_ten, two_x, X, name="y", d2f=lambda x: np.full_like(x, 2.0), marks=[0.0, 1.5])
    ax = fig.axes[0]
    assert [line.get_label() for line in labelled_lines(ax)] == ["y(x)", "y'(x)", "y''(x)"]
    np.testing.assert_allclose(labelled_lines(ax)[1].get_ydata(), 2 * X)
    assert [t.get_text() for t in ax.texts] == ["0", "1.5"]


def test_function_and_derivative_split_puts_the_derivatives_in_a_lower_panel():
    fig = plots.plot_function_and_derivative(
        square_plus_ten, two_x, X, d2f=lambda x: np.full_like(x, 2.0), marks=[0.0], split=True)
    upper, lower = fig.axes
    assert [line.get_label() for line in labelled_lines(upper)] == ["f(x)"]
    assert [line.get_label() for line in labelled_lines(lower)] == ["f'(x)", "f''(x)"]
    assert upper.get_shared_x_axes().joined(upper, lower)
    with pytest.raises(ValueError, match="split=True"):
        plots.plot_function_and_derivative(square_plus_ten, two_x, X, split=True, ax=upper)


def test_function_grid_has_one_titled_panel_per_function():
    functions = {"square": (square_plus_ten, two_x), "sin": np.sin, "cos": np.cos}
    fig = plots.plot_function_grid(functions, X, ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == list(functions)
    assert [len(labelled_lines(ax)) for ax in visible] == [2, 1, 1]


@pytest.mark.parametrize("x0, slope", [(-4.0, -8.0), (4.0, 8.0)])  # the deck's x² + 10 slide
def test_tangent_line_has_the_derivative_as_slope(x0, slope):
    fig = plots.plot_tangent(square_plus_ten, two_x, x0, np.linspace(-6, 6, 121))
    tangent = labelled_lines(fig.axes[0])[1]
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(slope)
    assert f"{slope:+.4g}" in tangent.get_label()


def test_descent_path_draws_the_iterates_on_the_curve():
    path = [2.0, 1.1, 0.56, 0.236]  # the deck's first steps on 2w² + w + 4, η = 0.1
    fig = plots.plot_descent_path(lambda w: 2 * np.asarray(w) ** 2 + np.asarray(w) + 4, path)
    steps = [line for line in labelled_lines(fig.axes[0]) if line.get_label() == "steps"][0]
    np.testing.assert_allclose(steps.get_xdata(), path)
    np.testing.assert_allclose(steps.get_ydata()[:2], [14.0, 7.52])


def test_descent_paths_from_a_dict_share_one_curve():
    def f(w):
        return np.asarray(w) ** 2

    fig = plots.plot_descent_path(f, {"from -2": [-2.0, -1.0], "from 3": [3.0, 1.5, 0.75]})
    lines = labelled_lines(fig.axes[0])
    assert [line.get_label() for line in lines] == ["f(w)", "from -2", "from 3"]
    np.testing.assert_allclose(lines[2].get_xdata(), [3.0, 1.5, 0.75])
    assert lines[0].get_xdata().min() < -2 and lines[0].get_xdata().max() > 3


# ------------------------------------------------------------------ losses and training
def test_loss_vs_prediction_evaluates_each_loss_against_the_label():
    def squared(t, p):
        return np.mean((t - p) ** 2, axis=-1)

    def squared_gradient(t, p):  # shaped like y_pred, as dlkit's gradients are
        return 2 * (p - t)

    y_pred = np.linspace(-1, 3, 9)
    fig = plots.plot_loss_vs_prediction({"mse": squared, "grad": squared_gradient}, 1.0, y_pred)
    mse_line, grad_line = labelled_lines(fig.axes[0])
    np.testing.assert_allclose(mse_line.get_ydata(), (y_pred - 1.0) ** 2)
    np.testing.assert_allclose(grad_line.get_ydata(), 2 * (y_pred - 1.0))
    assert fig.axes[0].get_xlabel() == "prediction ŷ"


class FakeHistory:
    history = {"loss": [4.0, 2.0, 1.0], "val_loss": [5.0, 3.0, 2.5]}


@pytest.mark.parametrize("history", [FakeHistory(), FakeHistory.history])
def test_loss_curves_take_a_history_or_a_dict_and_count_epochs_from_one(history):
    ax = plots.plot_loss_curves(history, logy=True).axes[0]
    lines = labelled_lines(ax)
    assert [line.get_label() for line in lines] == ["loss", "val_loss"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "epoch" and ax.get_yscale() == "log"


def test_loss_curves_keys_choose_the_lines():
    ax = plots.plot_loss_curves(FakeHistory(), keys=["val_loss"]).axes[0]
    assert [line.get_label() for line in labelled_lines(ax)] == ["val_loss"]


# ------------------------------------------------------------------ distributions and bars
def test_histograms_one_panel_per_sample_counting_every_value():
    rng = np.random.default_rng(0)
    samples = {"a": rng.normal(size=100), "b": rng.uniform(size=(10, 5))}
    fig = plots.plot_histograms(samples, bins=10, ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b"]
    assert [sum(p.get_height() for p in ax.patches) for ax in visible] == [100, 50]


def test_histograms_overlay_share_one_axes_with_a_legend():
    fig = plots.plot_histograms({"a": [0, 1, 1], "b": [2, 2]}, bins=3, overlay=True)
    assert len(fig.axes) == 1 and len(fig.axes[0].containers) == 2
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]


def test_probabilities_bars_have_the_given_heights_and_labels():
    p = [0.86, 0.11, 0.015, 0.005]  # the deck's softmax slide
    ax = plots.plot_probabilities(p, labels=["a", "b", "c", "d"]).axes[0]
    np.testing.assert_allclose([bar.get_height() for bar in ax.patches], p)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert [t.get_text() for t in ax.texts] == ["0.86", "0.11", "0.015", "0.005"]
    ax = plots.plot_probabilities([0.25, 0.75], value_labels=["¼", "¾"]).axes[0]
    assert [t.get_text() for t in ax.texts] == ["¼", "¾"]


# ------------------------------------------------------------------ networks and tensors
def test_network_has_a_circle_per_unit_and_an_edge_per_weight():
    ax = plots.plot_network((3, 4, 2)).axes[0]
    assert len(ax.patches) == 3 + 4 + 2
    assert len([ln for ln in ax.get_lines() if ln.get_label() == "_edge"]) == 3 * 4 + 4 * 2


def test_heatmap_shows_the_matrix_with_labels_and_a_colour_bar():
    matrix = np.arange(6.0).reshape(2, 3)
    fig = plots.plot_heatmap(matrix, row_labels=["r0", "r1"], col_labels=["a", "b", "c"])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["r0", "r1"]
    assert len(fig.axes) == 2  # the heatmap and its colour bar


def test_image_channels_shows_the_picture_and_each_channel():
    image = np.zeros((3, 4, 5), dtype=np.uint8)
    image[0] = 255  # pure red
    fig = plots.plot_image_channels(image)
    assert [ax.get_title() for ax in fig.axes] == ["shape (3, 4, 5)", "red", "green", "blue"]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array()[0, 0], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="channels, height, width"):
        plots.plot_image_channels(np.zeros((4, 5)))


def test_image_batch_has_one_panel_per_image():
    fig = plots.plot_image_batch(np.zeros((5, 3, 2, 2)), ncols=3)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 5
    with pytest.raises(ValueError, match="N, channels"):
        plots.plot_image_batch(np.zeros((3, 2, 2)))


def test_figure_to_png_gives_png_bytes():
    assert plots.figure_to_png(plots.plot_curves(X, {"x": X})).startswith(b"\x89PNG\r\n\x1a\n")


# ------------------------------------------------------------------ widgets
def shown_png(explorer):
    """The PNG bytes the explorer's Output currently shows (exactly one item)."""
    (item,) = explorer.output.outputs
    return base64.b64decode(item["data"]["image/png"])


def test_explore_builds_controls_from_abbreviations_with_the_draw_defaults():
    calls = []

    def draw(a=0.5, kind="sin"):
        calls.append((a, kind))
        return plots.plot_curves(X, {kind: getattr(np, kind)(a * X)})

    explorer = widgets.explore(draw, name="Demo", a=(0.0, 2.0, 0.25), kind=["sin", "cos"])
    assert explorer.values == {"a": 0.5, "kind": "sin"}
    assert repr(explorer) == "Demo(a=0.5, kind='sin')"
    assert calls == [(0.5, "sin")]
    assert explorer.controls["a"].max == 2.0 and explorer.controls["a"].continuous_update is False
    assert list(explorer.controls["kind"].options) == ["sin", "cos"]
    assert shown_png(explorer).startswith(b"\x89PNG")


def test_changing_a_control_redraws_and_replaces_the_output():
    def draw(a=1.0):
        return plots.plot_curves(X, {"line": a * X}, title=f"a = {a}")

    explorer = widgets.explore(draw, a=(0.0, 3.0, 0.5))
    first_png, first_fig = shown_png(explorer), explorer.figure
    explorer.controls["a"].value = 2.5
    assert explorer.figure is not first_fig
    assert explorer.figure.axes[0].get_title() == "a = 2.5"
    assert len(explorer.output.outputs) == 1 and shown_png(explorer) != first_png


class Table:
    def __init__(self, n):
        self.n = n

    def __repr__(self):
        return f"Table({self.n})"

    def _repr_html_(self):
        return f"<table><tr><td>{self.n}</td></tr></table>"


def test_an_explorer_can_show_text_and_html_results_instead_of_figures():
    text = widgets.explore(lambda n=2: "n = " * n, n=(1, 5, 1))
    assert repr(text) == "Explorer(n=2)"
    assert text.output.outputs[0]["data"] == {"text/plain": "n = n = "}
    table = widgets.explore(lambda n=2: Table(n), n=(1, 5, 1))
    table.controls["n"].value = 4
    assert table.result.n == 4 and table.figure is table.result
    assert table.output.outputs[0]["data"] == {"text/plain": "Table(4)",
                                               "text/html": "<table><tr><td>4</td></tr></table>"}


def test_explore_rejects_an_abbreviation_it_cannot_turn_into_a_control():
    with pytest.raises(ValueError, match="Cannot make a control for a="):
        widgets.explore(lambda a=None: plots.plot_curves(X, {}), a=None)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_activation_explorer_offers_all_eleven_activations_and_reports_f_and_slope():
    explorer = widgets.activation_explorer()
    assert explorer.values == {"activation": "relu", "x0": 1.0}
    assert len(explorer.controls["activation"].options) == 11
    assert explorer.figure.axes[0].get_title() == "relu: f(1) = 1, f'(1) = 1"
    explorer.controls["activation"].value = "sigmoid"
    s = sigmoid(1.0)
    assert explorer.figure.axes[0].get_title() == f"sigmoid: f(1) = {s:.4g}, f'(1) = {s * (1 - s):.4g}"


def test_activation_explorer_shows_softmax_through_its_sigmoid_slice():
    explorer = widgets.activation_explorer(activation="softmax", x0=-2.0)
    f, slope = labelled_lines(explorer.figure.axes[0])
    expected = 1.0 / (1.0 + np.exp(-widgets.ACTIVATION_RANGE))  # softmax([x, 0])[0] = sigmoid(x)
    np.testing.assert_allclose(f.get_ydata(), expected, rtol=1e-5)
    np.testing.assert_allclose(slope.get_ydata(), expected * (1 - expected), atol=1e-6)


def test_loss_explorer_draws_every_scalar_loss_and_its_gradient():
    explorer = widgets.loss_explorer()
    assert explorer.values == {"loss": "mean_squared_error", "y_true": 1.0}
    loss, gradient = labelled_lines(explorer.figure.axes[0])
    y_pred = loss.get_xdata()
    np.testing.assert_allclose(loss.get_ydata(), (y_pred - 1.0) ** 2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gradient.get_ydata(), 2 * (y_pred - 1.0), rtol=1e-5, atol=1e-6)
    explorer.controls["loss"].value = "hinge"
    assert explorer.figure.axes[0].get_title() == "hinge, y_true = 1"


@pytest.mark.parametrize("name", widgets.SCALAR_LOSSES)
def test_draw_loss_gives_finite_curves_for_every_loss_the_explorer_offers(name):
    ax = widgets.draw_loss(name, y_true=1.0).axes[0]
    assert ax.get_title().startswith(name)
    assert all(np.isfinite(line.get_ydata()).all() for line in labelled_lines(ax))


def test_tangent_explorer_moves_the_tangent_with_the_slider():
    explorer = widgets.tangent_explorer(square_plus_ten, two_x, np.linspace(-5, 5, 101), x0=-4.0,
                                        d2f=lambda x: np.full_like(x, 2.0))
    assert explorer.values == {"x0": -4.0}
    assert (explorer.controls["x0"].min, explorer.controls["x0"].max) == (-5.0, 5.0)
    assert "-8" in labelled_lines(explorer.figure.axes[0])[1].get_label()
    explorer.controls["x0"].value = 4.0
    assert "+8" in labelled_lines(explorer.figure.axes[0])[1].get_label()
    assert "curving up" in explorer.figure.axes[0].get_title()


def test_neuron_explorer_reports_the_weighted_sum_and_output():
    explorer = widgets.neuron_explorer(x=(1.0, 2.0), w=(0.5, -0.25), b=0.1)
    assert explorer.values == {"w1": 0.5, "w2": -0.25, "b": 0.1, "activation": "sigmoid"}
    assert "softmax" not in explorer.controls["activation"].options
    # z = 1·0.5 + 2·(-0.25) + 0.1 = 0.1
    assert explorer.figure.axes[0].get_title().endswith(f"= 0.1;  output = {sigmoid(0.1):.3g}")
    explorer.controls["w1"].value = 1.0  # z = 0.6
    assert explorer.figure.axes[0].get_title().endswith(f"= 0.6;  output = {sigmoid(0.6):.3g}")
    explorer.controls["activation"].value = "relu"
    assert explorer.figure.axes[0].get_title().endswith("output = 0.6")
