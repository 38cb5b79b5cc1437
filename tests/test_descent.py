"""dlkit.descent against the deck's printed numbers and independent computations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from gradcheck import numerical_gradient
from dlkit import descent

# ---------------------------------------------------------------- the deck's tables
# Typed from the deck ("Let's solve the gradient descent"): Iteration, W, f(W), f'(W), w_{i+1}
# for f(w) = 2w² + w + 4, w0 = 2.
DECK_TABLE_01 = """
1	2.00000	14.00000	9.00000	1.10000
2	1.10000	7.52000	5.40000	0.56000
3	0.56000	5.18720	3.24000	0.23600
4	0.23600	4.34739	1.94400	0.04160
5	0.04160	4.04506	1.16640	-0.07504
6	-0.07504	3.93622	0.69984	-0.14502
7	-0.14502	3.89704	0.41990	-0.18701
8	-0.18701	3.88293	0.25194	-0.21221
9	-0.21221	3.87786	0.15117	-0.22733
10	-0.22733	3.87603	0.09070	-0.23640
11	-0.23640	3.87537	0.05442	-0.24184
12	-0.24184	3.87513	0.03265	-0.24510
13	-0.24510	3.87505	0.01959	-0.24706
14	-0.24706	3.87502	0.01175	-0.24824
15	-0.24824	3.87501	0.00705	-0.24894
16	-0.24894	3.87500	0.00423	-0.24937
17	-0.24937	3.87500	0.00254	-0.24962
18	-0.24962	3.87500	0.00152	-0.24977
19	-0.24977	3.87500	0.00091	-0.24986
20	-0.24986	3.87500	0.00055	-0.24992
21	-0.24992	3.87500	0.00033	-0.24995
"""
DECK_TABLE_02 = """
1	2.00000	14.00000	9.00000	0.20000
2	0.20000	4.28000	1.80000	-0.16000
3	-0.16000	3.89120	0.36000	-0.23200
4	0.23200	3.87565	0.07200	-0.24640
5	-0.24640	3.87503	0.01440	-0.24928
6	-0.24928	3.87500	0.00288	-0.24986
7	-0.24986	3.87500	0.00058	-0.24997
8	-0.24997	3.87500	0.00012	-0.24999
9	-0.24999	3.87500	0.00002	-0.25000
10	-0.25000	3.87500	0.00000	-0.25000
"""
DECK_TABLE_05 = """
1	2.00000	14.00000	9.00000	-2.50000
2	-2.50000	14.00000	-9.00000	2.00000
3	2.00000	14.00000	9.00000	-2.50000
4	-2.50000	14.00000	-9.00000	2.00000
5	2.00000	14.00000	9.00000	-2.50000
6	-2.50000	14.00000	-9.00000	2.00000
7	2.00000	14.00000	9.00000	-2.50000
8	-2.50000	14.00000	-9.00000	2.00000
9	2.00000	14.00000	9.00000	-2.50000
10	-2.50000	14.00000	-9.00000	2.00000
"""


def deck_rows(text):
    return [line.split("\t") for line in text.strip().splitlines()]


def fix_deck_typo(rows):
    # Row 4 of η = 0.2 prints W = 0.23200; it is row 3's next w, -0.23200.
    assert rows[3][1] == "0.23200" and rows[2][4] == "-0.23200"
    rows[3][1] = "-0.23200"
    return rows


def f(w):
    return 2 * w**2 + w + 4


def df(w):
    return 4 * w + 1


@pytest.mark.parametrize("learning_rate, expected", [
    (0.1, deck_rows(DECK_TABLE_01)),
    (0.2, fix_deck_typo(deck_rows(DECK_TABLE_02))),
    (0.5, deck_rows(DECK_TABLE_05)),
])
@pytest.mark.parametrize("w0", [2.0, np.float64(2.0)], ids=["floatx", "float64"])
def test_gradient_descent_table_reproduces_the_deck(learning_rate, expected, w0):
    table = descent.gradient_descent_table(f, df, w0, learning_rate, len(expected))
    assert len(table) == len(expected)
    got = [[str(r.iteration)] + [f"{v:.5f}".replace("-0.00000", "0.00000")
                                 for v in (r.w, r.f_w, r.df_w, r.next_w)] for r in table]
    assert got == expected
    text = table.to_text()
    for row in expected:
        assert " ".join(row) == " ".join(text.splitlines()[int(row[0])].split())
    assert text.splitlines()[-1] == f"η = {learning_rate}"


def test_table_text_has_the_decks_columns_and_digits():
    table = descent.gradient_descent_table(f, df, np.float64(2.0), 0.1, 2)
    header, first = table.to_text().splitlines()[:2]
    assert header.split()[:4] == ["Iteration", "W", "f(W)", "f'(W)"]
    assert first.split() == ["1", "2.00000", "14.00000", "9.00000", "1.10000"]
    assert table.to_text(digits=2).splitlines()[1].split() == ["1", "2.00", "14.00", "9.00", "1.10"]
    assert repr(table) == table.to_text()
    assert_allclose(table.column("next_w"), [1.1, 0.56])


def test_gradient_descent_iterates():
    # keras-numerics §6: 2, 1.1, 0.56, 0.236, 0.0416, ... -> -0.25 where f = 3.875
    ws = descent.gradient_descent(df, np.float64(2.0), 0.1, 200)
    assert_allclose(ws[:5], [2, 1.1, 0.56, 0.236, 0.0416], rtol=1e-12)
    assert ws[-1] == pytest.approx(-0.25) and f(ws[-1]) == pytest.approx(3.875)
    oscillating = descent.gradient_descent(df, 2, 0.5, 7)
    assert_array_equal(oscillating, [2, -2.5] * 4)  # η = 0.5 never converges: f = 14 forever


def test_gradient_descent_dtypes_and_steps():
    # Python numbers become floatx (float32), float arrays keep their precision
    assert descent.gradient_descent(df, 2.0, 0.1, 3).dtype == np.float32
    assert descent.gradient_descent(df, np.float64(2), 0.1, 3).dtype == np.float64
    assert descent.gradient_descent(df, 2.0, 0.1, 0).tolist() == [2.0]
    with pytest.raises(ValueError, match="steps"):
        descent.gradient_descent(df, 2.0, 0.1, -1)


def test_read_operations():
    assert descent.read_operations(10_000, 21) == 210_000  # the deck's slide
    with pytest.raises(ValueError, match="n_samples"):
        descent.read_operations(-1, 3)
    with pytest.raises(ValueError, match="epochs"):
        descent.read_operations(10, 2.5)


# ---------------------------------------------------------------- EMA
def test_exponential_moving_average_by_hand():
    assert_allclose(descent.exponential_moving_average([1.0, 2.0, 3.0], 0.5), [1, 1.5, 2.25])


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.floats(-100, 100), min_size=1, max_size=12), k=st.floats(0, 1))
def test_exponential_moving_average_closed_form(values, k):
    # EMA_t = (1-k)^t·x_0 + Σ_{j=1..t} k(1-k)^(t-j)·x_j
    expected = [(1 - k) ** t * values[0]
                + sum(k * (1 - k) ** (t - j) * values[j] for j in range(1, t + 1))
                for t in range(len(values))]
    got = descent.exponential_moving_average(np.array(values), k)
    assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_exponential_moving_average_edges():
    x = np.array([3.0, 1.0, 4.0], dtype=np.float32)
    assert_array_equal(descent.exponential_moving_average(x, 1.0), x)
    assert_array_equal(descent.exponential_moving_average(x, 0.0), [3, 3, 3])
    assert descent.exponential_moving_average(x, 0.3).dtype == np.float32
    with pytest.raises(ValueError, match="k must"):
        descent.exponential_moving_average(x, 1.5)
    with pytest.raises(ValueError, match="sequence"):
        descent.exponential_moving_average(3.0, 0.5)


# ---------------------------------------------------------------- derivatives, critical points
QUARTIC = [6, -2, -12, 1, 1]  # y = 6x⁴ - 2x³ - 12x² + x + 1


def test_first_derivative_of_x_squared_plus_ten():
    assert descent.polynomial_derivative([1, 0, 10], -4) == -8
    assert descent.polynomial_derivative([1, 0, 10], 4) == 8
    assert descent.polynomial_derivative([1, 0, 10], 4, order=2) == 2


def test_polynomial_derivative_against_central_differences():
    xs = np.linspace(-1.5, 1.5, 7)
    numeric = [numerical_gradient(lambda x: np.polyval(QUARTIC, x[0]), [x])[0] for x in xs]
    assert_allclose(descent.polynomial_derivative(QUARTIC, xs), numeric, rtol=1e-6, atol=1e-6)
    # the deck's dy/dx = 24x³ - 6x² - 24x + 1 and d²y/dx² = 72x² - 12x - 24
    assert_allclose(descent.polynomial_derivative(QUARTIC, xs),
                    24 * xs**3 - 6 * xs**2 - 24 * xs + 1)
    assert_allclose(descent.polynomial_derivative(QUARTIC, xs, 2), 72 * xs**2 - 12 * xs - 24)


def test_critical_points_of_the_decks_quartic():
    points = descent.critical_points(QUARTIC)
    assert [f"{points[0]:.4f}", f"{points[1]:.5f}", f"{points[2]:.4f}"] == \
        ["-0.9054", "0.04131", "1.1141"]
    assert_allclose(descent.polynomial_derivative(QUARTIC, points.astype(np.float64)), 0,
                    atol=1e-4)
    kinds = [descent.classify_critical_point(QUARTIC, x) for x in points]
    assert kinds == ["minimum", "maximum", "minimum"]


@pytest.mark.parametrize("coefficients, points, kinds", [
    ([1, 0, 10], [0.0], ["minimum"]),  # x² + 10
    ([-1, 0, 0], [0.0], ["maximum"]),  # -x²
    ([1, 0, 0, 0], [0.0, 0.0], ["inflection", "inflection"]),  # x³: f'' = 0
    ([1, -3, 0, 0], [0.0, 2.0], ["maximum", "minimum"]),  # x³ - 3x²: f' = 3x(x-2)
    ([1, 0, 1, 0], [], []),  # x³ + x: f' = 3x² + 1 > 0, no critical point
])
def test_critical_points_and_classification(coefficients, points, kinds):
    got = descent.critical_points(coefficients)
    assert_allclose(got, points, atol=1e-6)
    assert [descent.classify_critical_point(coefficients, x) for x in got] == kinds


def test_critical_points_errors():
    with pytest.raises(ValueError, match="constant"):
        descent.critical_points([5.0])
    with pytest.raises(ValueError, match="rank 1"):
        descent.critical_points([[1, 2], [3, 4]])


def test_newton_step_solves_a_quadratic_in_one_step():
    # f = 2w² + w + 4: f' = 4w + 1, f'' = 4, minimum at -0.25
    assert descent.newton_step(df, lambda w: 4.0, 2.0) == -0.25


@pytest.mark.parametrize("x0, expected", [(-1.5, -0.9054), (0.3, 0.04131), (1.6, 1.1141)])
def test_newton_method_finds_the_quartics_critical_points(x0, expected):
    d1 = lambda x: 24 * x**3 - 6 * x**2 - 24 * x + 1  # noqa: E731  (the deck's derivatives)
    d2 = lambda x: 72 * x**2 - 12 * x - 24  # noqa: E731
    xs = descent.newton_method(d1, d2, np.float64(x0), 8)
    assert len(xs) == 9 and xs[0] == x0
    assert xs[-1] == pytest.approx(expected, abs=5e-5)
    assert abs(d1(xs[-1])) < 1e-9
    assert descent.newton_method(d1, d2, x0, 8)[-1] == pytest.approx(xs[-1], abs=1e-6)  # floatx


def test_newton_step_refuses_zero_curvature():
    with pytest.raises(ValueError, match="undefined"):
        descent.newton_step(lambda x: 3 * x**2, lambda x: 6 * x, 0.0)


# ---------------------------------------------------------------- batch / mini-batch / SGD
def linear_problem(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, 3.0 * x - 2.0


@pytest.mark.parametrize("batch_size, epochs, learning_rate", [
    (64, 300, 0.3),  # batch
    (8, 60, 0.1),  # mini-batch
    (1, 20, 0.05),  # stochastic
])
def test_minibatch_variants_converge(batch_size, epochs, learning_rate):
    x, y = linear_problem()
    w, b, losses = descent.minibatch_gradient_descent(x, y, 0.0, 0.0, learning_rate,
                                                      batch_size, epochs, seed=1)
    assert w == pytest.approx(3.0, abs=1e-3) and b == pytest.approx(-2.0, abs=1e-3)
    assert losses.shape == (epochs,) and losses[-1] < 1e-5 < losses[0]


def test_batch_gradient_descent_matches_numerical_gradient_steps():
    x, y = linear_problem(n=10, seed=2)
    mse = lambda p: np.mean((x * p[0] + p[1] - y) ** 2)  # noqa: E731
    params = np.array([0.5, 0.25])
    expected_losses = []
    for _ in range(3):
        expected_losses.append(mse(params))
        params = params - 0.1 * numerical_gradient(mse, params)
    w, b, losses = descent.minibatch_gradient_descent(x, y, 0.5, 0.25, 0.1, len(x), 3)
    assert_allclose([w, b], params, rtol=1e-7)
    assert_allclose(losses, expected_losses, rtol=1e-8)  # loss before each batch step


def test_stochastic_epoch_loss_is_measured_before_each_update():
    x, y = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    # seed 0 shuffles to some order; with w = b = 0 the first error is -1 whatever it is
    w, b, losses = descent.minibatch_gradient_descent(x, y, 0.0, 0.0, 0.1, 1, 1, seed=0)
    order = next(descent.minibatch_indices(2, 2, np.random.default_rng(0)))
    w_check, b_check, squared = 0.0, 0.0, 0.0
    for i in order:
        e = x[i] * w_check + b_check - y[i]
        squared += e * e
        w_check, b_check = w_check - 0.1 * 2 * x[i] * e, b_check - 0.1 * 2 * e
    assert_allclose([w, b, losses[0]], [w_check, b_check, squared / 2], rtol=1e-12)


def test_minibatch_with_several_features():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(80, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3
    w0 = np.zeros(3)
    w, b, _ = descent.minibatch_gradient_descent(x, y, w0, 0.0, 0.1, 16, 100, seed=0)
    assert_allclose(w, [1.0, -2.0, 0.5], atol=1e-6)
    assert b == pytest.approx(0.3, abs=1e-6)
    assert_array_equal(w0, 0.0)  # w0 not modified


def test_minibatch_is_reproducible_with_a_seed_and_keeps_float32():
    x, y = linear_problem()
    first = descent.minibatch_gradient_descent(x, y, 0.0, 0.0, 0.1, 5, 3, seed=7)
    again = descent.minibatch_gradient_descent(x, y, 0.0, 0.0, 0.1, 5, 3, seed=7)
    assert_array_equal(first[2], again[2])
    w, b, losses = descent.minibatch_gradient_descent(x.astype(np.float32), y.astype(np.float32),
                                                      0.0, 0.0, 0.1, 5, 3, seed=7)
    assert w.dtype == b.dtype == losses.dtype == np.float32


@pytest.mark.parametrize("n, batch_size", [(10, 10), (10, 3), (10, 1), (10, 25)])
def test_every_epoch_reads_each_sample_once(n, batch_size):
    epochs = 4
    rng = np.random.default_rng(0)
    batches = [b for _ in range(epochs) for b in descent.minibatch_indices(n, batch_size, rng)]
    assert sum(len(b) for b in batches) == descent.read_operations(n, epochs)
    assert len(batches) == epochs * math.ceil(n / batch_size)  # number of updates
    first_epoch = np.concatenate(batches[: math.ceil(n / batch_size)])
    assert sorted(first_epoch.tolist()) == list(range(n))


@pytest.mark.parametrize("kwargs, match", [
    (dict(y=np.zeros((64, 1))), "rank 1"),
    (dict(y=np.zeros(10)), "same number"),
    (dict(w0=np.zeros(2)), "w0 must have shape"),
    (dict(batch_size=0), "batch_size"),
    (dict(epochs=-1), "epochs"),
])
def test_minibatch_errors(kwargs, match):
    x, y = linear_problem()
    args = dict(x=x, y=y, w0=0.0, b0=0.0, learning_rate=0.1, batch_size=8, epochs=1)
    with pytest.raises(ValueError, match=match):
        descent.minibatch_gradient_descent(**{**args, **kwargs})
