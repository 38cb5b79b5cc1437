"""The plots and explorers of lessons 08-13 draw what the lessons say they draw (headless, Agg).

Expected values come from the deck (its descent tables, the ±limit of glorot_uniform), from
formulas written out here (a ravine's stability limit 2/25, sqrt(6/(fan_in+fan_out))) or from
what a picture must contain (one point per layer), never from the plotting code itself.
"""

import math

import matplotlib

matplotlib.use("Agg")  # headless, before anything could pick a GUI backend

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlkit import descent, plots, widgets  # noqa: E402


def labelled_lines(ax):
    """Lines that carry information (helper lines have labels starting with "_")."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def deck_f(w):
    return 2 * np.asarray(w) ** 2 + np.asarray(w) + 4


def deck_df(w):
    return 4 * np.asarray(w) + 1


def ravine(w):  # L = (w1² + 25 w2²) / 2: stable plain descent needs η < 2/25
    w = np.asarray(w, dtype=float)
    return 0.5 * (w[..., 0] ** 2 + 25.0 * w[..., 1] ** 2)


def ravine_gradient(w):
    return np.stack([w[..., 0], 25.0 * w[..., 1]], axis=-1)


BOX = {"xlim": (-4.5, 1.5), "ylim": (-1.6, 1.6)}
START = (-4.0, 1.0)


# ------------------------------------------------------------------ descent tables
def test_descent_table_draws_the_path_and_prints_the_table():
    table = descent.gradient_descent_table(deck_f, deck_df, 2.0, 0.1, 3)
    fig = plots.plot_descent_table(table, deck_f)
    path_ax, text_ax = fig.axes
    (steps,) = [line for line in labelled_lines(path_ax) if line.get_label() == "steps"]
    np.testing.assert_allclose(steps.get_xdata(), [2.0, 1.1, 0.56, 0.236], rtol=1e-6)  # the deck
    text = text_ax.texts[0].get_text()
    assert "1.10000" in text and "0.23600" in text and "η = 0.1" in text
    assert path_ax.get_title() == "η = 0.1"


def test_descent_explorer_redraws_the_table_for_the_new_learning_rate():
    explorer = widgets.descent_explorer(deck_f, deck_df, learning_rate=0.1, steps=10)
    assert repr(explorer) == "DescentExplorer(learning_rate=0.1, steps=10)"
    assert explorer.controls["learning_rate"].max == pytest.approx(0.6)
    explorer.controls["learning_rate"].value = 0.5  # the deck's third table: 2, -2.5, 2, ...
    (steps,) = [line for line in labelled_lines(explorer.figure.axes[0]) if line.get_label() == "steps"]
    np.testing.assert_allclose(steps.get_xdata(), [2.0, -2.5] * 5 + [2.0])
    assert "η = 0.5" in explorer.figure.axes[1].texts[0].get_text()


# ------------------------------------------------------------------ contour paths and the race
def test_contour_paths_draw_the_surface_and_each_path_from_its_start():
    path = np.array([[-4.0, 1.0], [-2.0, 0.5], [0.0, 0.0]])
    fig = plots.plot_contour_paths(ravine, {"run": path}, **BOX, title="t")
    ax = fig.axes[0]
    assert ax.collections, "no contour lines"
    (line,) = labelled_lines(ax)
    assert line.get_label() == "run"
    np.testing.assert_array_equal(np.column_stack([line.get_xdata(), line.get_ydata()]), path)
    assert ax.get_xlim() == BOX["xlim"] and ax.get_ylim() == BOX["ylim"]
    starts = [ln for ln in ax.get_lines() if ln.get_label() == "_start"]
    assert [(ln.get_xdata()[0], ln.get_ydata()[0]) for ln in starts] == [(-4.0, 1.0)]


def race_labels(fig):
    return [line.get_label() for line in labelled_lines(fig.axes[0])]


def test_race_sgd_diverges_above_two_over_the_steepest_curvature_and_adam_does_not():
    fig = widgets.draw_race(ravine, ravine_gradient, START, ["SGD", "Adam"], 0.1, 60, **BOX)
    sgd, adam = race_labels(fig)
    assert sgd == "SGD: diverged"  # 0.1 > 2/25
    assert adam.startswith("Adam: loss ") and float(adam.split()[-1]) < 0.1 * ravine(np.array(START))
    below = widgets.draw_race(ravine, ravine_gradient, START, ["SGD"], 0.07, 60, **BOX)
    assert race_labels(below)[0].startswith("SGD: loss")  # 0.07 < 2/25: converges


def test_race_paths_start_at_w0_and_take_one_point_per_step():
    fig = widgets.draw_race(ravine, ravine_gradient, START, ["RMSprop"], 0.05, 20, **BOX)
    (line,) = labelled_lines(fig.axes[0])
    assert len(line.get_xdata()) == 21
    assert (line.get_xdata()[0], line.get_ydata()[0]) == START


@pytest.mark.parametrize("name", widgets.RACE_OPTIMIZERS)
def test_every_race_optimizer_uses_the_learning_rate_it_is_given(name):
    assert widgets.RACE_OPTIMIZERS[name](0.123).learning_rate == pytest.approx(0.123)


def test_race_explorer_controls_choose_the_runners():
    explorer = widgets.race_explorer(ravine, ravine_gradient, START, **BOX,
                                     names=("SGD", "Adam"), learning_rate=0.05, steps=30)
    assert explorer.values == {"names": ("SGD", "Adam"), "learning_rate": pytest.approx(0.05),
                               "steps": 30}
    assert len(labelled_lines(explorer.figure.axes[0])) == 2
    explorer.controls["names"].value = ("Adagrad",)
    assert race_labels(explorer.figure)[0].startswith("Adagrad: ")


# ------------------------------------------------------------------ per-layer statistics
def test_per_layer_plot_numbers_layers_from_one_on_a_log_scale():
    ax = plots.plot_per_layer({"a": [1.0, 0.1, 0.01], "b": [1.0, 1.0, 1.0]}).axes[0]
    a, b = labelled_lines(ax)
    np.testing.assert_array_equal(a.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(a.get_ydata(), [1.0, 0.1, 0.01])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "layer" and b.get_label() == "b"


def test_deep_stack_has_depth_hidden_layers_and_one_output_with_the_chosen_kernels():
    model = widgets.deep_stack("RandomNormal(stddev=1.0)", depth=4, activation="relu", width=50)
    assert [layer.units for layer in model.layers] == [50, 50, 50, 50, 1]
    assert model.layers[0].kernel.std() == pytest.approx(1.0, rel=0.1)  # N(0, 1)
    again = widgets.deep_stack("RandomNormal(stddev=1.0)", depth=4, activation="relu", width=50)
    np.testing.assert_array_equal(model.get_weights()[0], again.get_weights()[0])  # seeded


SMALL_BATCH = np.random.default_rng(1).normal(size=(32, 64)).astype(np.float32)
SMALL_TARGETS = np.random.default_rng(2).normal(size=(32, 1)).astype(np.float32)


# The deck's "high weights for all": sums with std sqrt(64) = 8 saturate tanh, and each layer
# multiplies the gradient on its way back by about 8·mean(tanh') > 2: > 100 over 8 layers.
# "Too low weights for all": sigmoid' <= 0.25 times weights ~0.01·8 shrink it 50x per layer.
@pytest.mark.parametrize("initializer, activation, verdict", [
    ("RandomNormal(stddev=1.0)", "tanh", "exploding"),
    ("RandomNormal(stddev=0.01)", "sigmoid", "vanishing"),
    ("glorot_uniform", "tanh", "healthy"),
])
def test_draw_depth_shows_three_panels_per_layer_with_the_verdict(initializer, activation, verdict):
    fig = widgets.draw_depth(SMALL_BATCH, SMALL_TARGETS, (initializer,), depth=8, activation=activation)
    std_ax, saturated_ax, grad_ax = fig.axes
    (line,) = labelled_lines(grad_ax)
    assert line.get_label() == f"{initializer}: {verdict}"
    for ax in fig.axes:
        assert len(labelled_lines(ax)[0].get_xdata()) == 9  # 8 hidden layers and the output
    assert all(0.0 <= v <= 1.0 for v in labelled_lines(saturated_ax)[0].get_ydata())


def test_high_weights_saturate_tanh_units_in_the_plot():
    fig = widgets.draw_depth(SMALL_BATCH, SMALL_TARGETS, ("RandomNormal(stddev=1.0)",), depth=3)
    saturated = labelled_lines(fig.axes[1])[0].get_ydata()
    assert saturated[0] > 0.5  # sums with std sqrt(64) = 8: most tanh units are flat


def test_depth_explorer_redraws_for_another_depth():
    explorer = widgets.depth_explorer(SMALL_BATCH, SMALL_TARGETS, depth=3)
    assert repr(explorer) == "DepthExplorer(initializer='glorot_uniform', depth=3, activation='tanh')"
    explorer.controls["depth"].value = 5
    assert len(labelled_lines(explorer.figure.axes[2])[0].get_xdata()) == 6


# ------------------------------------------------------------------ initializers and predictions
def test_initializer_histograms_mark_the_limits_in_their_panel():
    limit = math.sqrt(6 / (256 + 128))  # glorot_uniform for a (256, 128) kernel
    values = np.random.default_rng(0).uniform(-limit, limit, (256, 128))
    fig = plots.plot_initializer_histograms(
        {"glorot_uniform": values, "other": values}, {"glorot_uniform": {"±limit": (-limit, limit)}},
        bins=20)
    marked, other = [ax for ax in fig.axes if ax.get_visible()]
    lines = [ln for ln in marked.get_lines() if "limit" in ln.get_label()]
    assert sorted(ln.get_xdata()[0] for ln in lines) == pytest.approx([-limit, limit])
    assert [t.get_text() for t in marked.get_legend().get_texts()] == ["±limit"]
    assert not other.get_lines()
    assert sum(p.get_height() for p in marked.patches) == values.size


def test_predictions_plot_the_samples_against_the_diagonal():
    y_true, y_pred = np.array([[1.0], [2.0], [3.0]]), np.array([[1.5], [2.0], [2.0]])
    ax = plots.plot_predictions(y_true, y_pred, label="model").axes[0]
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), [[1.0, 1.5], [2.0, 2.0], [3.0, 2.0]])
    (diagonal,) = labelled_lines(ax)
    assert diagonal.get_label() == "perfect"
    np.testing.assert_array_equal(diagonal.get_xdata(), diagonal.get_ydata())
    with pytest.raises(ValueError, match="same number of values"):
        plots.plot_predictions([1.0, 2.0], [1.0])


@pytest.mark.parametrize("draw", [
    lambda ax: plots.plot_contour_paths(ravine, {"p": [START]}, **BOX, ax=ax),
    lambda ax: plots.plot_per_layer({"a": [1.0, 2.0]}, ax=ax),
    lambda ax: plots.plot_predictions([1.0, 2.0], [1.0, 2.5], ax=ax),
])
def test_single_panel_plots_draw_into_a_given_axes(draw):
    assert isinstance(draw(None), Figure)
    host, ax = plots.new_figure()
    assert draw(ax) is host
