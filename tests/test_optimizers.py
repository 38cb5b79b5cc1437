"""dlkit.optimizers against straightforward scalar re-implementations of the formulas.

The references below are written from keras-numerics.md §4 (Keras) and the deck's
slides (Deck*), element by element in Python floats (float64): no NumPy, no shared code.
Keras parity fixtures (real Keras outputs) live in another test module.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from dlkit import optimizers
from dlkit.optimizers import (
    SGD, Adagrad, Adam, DeckAdagrad, DeckAdam, DeckMomentum, DeckRMSProp, RMSprop,
)


# ---------------------------------------------------------------- scalar references
def ref_sgd(w, grads, learning_rate=0.01, momentum=0.0, nesterov=False):
    w, m = list(w), [0.0] * len(w)
    for g in grads:
        for i in range(len(w)):
            m[i] = momentum * m[i] - learning_rate * g[i]
            w[i] += momentum * m[i] - learning_rate * g[i] if nesterov else m[i]
    return w


def ref_adagrad(w, grads, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    w, acc = list(w), [initial_accumulator_value] * len(w)
    for g in grads:
        for i in range(len(w)):
            acc[i] += g[i] ** 2
            w[i] -= learning_rate * g[i] / math.sqrt(acc[i] + epsilon)
    return w


def ref_rmsprop(w, grads, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                centered=False):
    n = len(w)
    w, v, avg, mom = list(w), [0.0] * n, [0.0] * n, [0.0] * n
    for g in grads:
        for i in range(n):
            v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
            if centered:
                avg[i] = rho * avg[i] + (1 - rho) * g[i]
                den = v[i] - avg[i] ** 2 + epsilon
            else:
                den = v[i] + epsilon
            inc = learning_rate * g[i] / math.sqrt(den)
            if momentum > 0:
                mom[i] = momentum * mom[i] + inc
                w[i] -= mom[i]
            else:
                w[i] -= inc
    return w


def ref_adam(w, grads, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
             amsgrad=False):
    n = len(w)
    w, m, v, v_hat = list(w), [0.0] * n, [0.0] * n, [0.0] * n
    for t, g in enumerate(grads, start=1):
        alpha = learning_rate * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        for i in range(n):
            m[i] += (g[i] - m[i]) * (1 - beta_1)
            v[i] += (g[i] ** 2 - v[i]) * (1 - beta_2)
            v_hat[i] = max(v_hat[i], v[i])
            w[i] -= alpha * m[i] / (math.sqrt(v_hat[i] if amsgrad else v[i]) + epsilon)
    return w


def ref_deck_momentum(w, grads, learning_rate=0.1, beta=0.9):
    w, vel = list(w), [0.0] * len(w)
    for g in grads:
        for i in range(len(w)):
            vel[i] = beta * vel[i] + (1 - beta) * g[i]
            w[i] -= learning_rate * vel[i]
    return w


def ref_deck_adagrad(w, grads, learning_rate=0.001, epsilon=1e-7):
    w, total = list(w), [0.0] * len(w)
    for g in grads:
        for i in range(len(w)):
            total[i] += g[i] ** 2
            w[i] -= learning_rate / (epsilon + math.sqrt(total[i])) * g[i]
    return w


def ref_deck_rmsprop(w, grads, learning_rate=0.001, beta=0.9, epsilon=1e-7):
    w, w_ave = list(w), [0.0] * len(w)
    for g in grads:
        for i in range(len(w)):
            w_ave[i] = beta * w_ave[i] + (1 - beta) * g[i] ** 2
            w[i] -= learning_rate / (epsilon + math.sqrt(w_ave[i])) * g[i]
    return w


def ref_deck_adam(w, grads, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                  bias_correction="deck"):
    n = len(w)
    w, vel, w_ave = list(w), [0.0] * n, [0.0] * n
    for t, g in enumerate(grads, start=1):
        power = t if bias_correction == "correct" else 1
        for i in range(n):
            vel[i] = beta_1 * vel[i] + (1 - beta_1) * g[i]
            w_ave[i] = beta_2 * w_ave[i] + (1 - beta_2) * g[i] ** 2
            v_hat = vel[i] / (1 - beta_1 ** power)
            w_hat = w_ave[i] / (1 - beta_2 ** power)
            w[i] -= learning_rate * v_hat / (epsilon + math.sqrt(w_hat))
    return w


CASES = [
    (SGD, ref_sgd, {}),
    (SGD, ref_sgd, dict(learning_rate=0.05, momentum=0.9)),
    (SGD, ref_sgd, dict(learning_rate=0.05, momentum=0.5, nesterov=True)),
    (Adagrad, ref_adagrad, {}),
    (Adagrad, ref_adagrad, dict(learning_rate=0.1, initial_accumulator_value=0.5, epsilon=1e-3)),
    (RMSprop, ref_rmsprop, {}),
    (RMSprop, ref_rmsprop, dict(learning_rate=0.01, rho=0.8, momentum=0.7)),
    (RMSprop, ref_rmsprop, dict(learning_rate=0.01, centered=True, epsilon=1e-3)),
    (RMSprop, ref_rmsprop, dict(momentum=0.3, centered=True, epsilon=1e-2)),
    (Adam, ref_adam, {}),
    (Adam, ref_adam, dict(learning_rate=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-4)),
    (Adam, ref_adam, dict(amsgrad=True)),
    (DeckMomentum, ref_deck_momentum, {}),
    (DeckMomentum, ref_deck_momentum, dict(learning_rate=0.3, beta=0.5)),
    (DeckAdagrad, ref_deck_adagrad, {}),
    (DeckAdagrad, ref_deck_adagrad, dict(learning_rate=0.1, epsilon=1e-2)),
    (DeckRMSProp, ref_deck_rmsprop, {}),
    (DeckRMSProp, ref_deck_rmsprop, dict(learning_rate=0.01, beta=0.7, epsilon=1e-2)),
    (DeckAdam, ref_deck_adam, {}),
    (DeckAdam, ref_deck_adam, dict(bias_correction="correct")),
    (DeckAdam, ref_deck_adam, dict(learning_rate=0.01, epsilon=1e-3, bias_correction="correct")),
]
CASE_IDS = [f"{cls.__name__}-{kw}" for cls, _, kw in CASES]
FACTORIES = [lambda cls=cls, kw=kw: cls(**kw) for cls, _, kw in CASES]


def random_run(seed=0, size=5, steps=7):
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-2, 2, size)
    grads = rng.normal(0, 1.5, (steps, size))
    grads[2, 0] = 0.0  # a zero gradient on the way
    return w0, grads


def run_class(optimizer, w0, grads, dtype=np.float64):
    w = np.array(w0, dtype=dtype)
    for g in grads:
        optimizer.apply_gradients([(g.astype(dtype), w)])
    return w


# ---------------------------------------------------------------- update rules
@pytest.mark.parametrize("cls, reference, kwargs", CASES, ids=CASE_IDS)
def test_update_rule_matches_scalar_reference_float64(cls, reference, kwargs):
    w0, grads = random_run()
    got = run_class(cls(**kwargs), w0, grads)
    assert_allclose(got, reference(w0.tolist(), grads.tolist(), **kwargs), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cls, reference, kwargs", CASES, ids=CASE_IDS)
def test_update_rule_in_float32_stays_close_to_float64_reference(cls, reference, kwargs):
    w0, grads = random_run(seed=1)
    got = run_class(cls(**kwargs), w0, grads, np.float32)
    assert got.dtype == np.float32
    assert_allclose(got, reference(w0.tolist(), grads.tolist(), **kwargs), rtol=2e-6, atol=2e-6)


def test_float32_step_is_computed_in_float32():
    # w - float32(lr)·g rounded once per operation, as Keras does in float32.
    rng = np.random.default_rng(2)
    w = rng.normal(size=1000).astype(np.float32)
    g = rng.normal(size=1000).astype(np.float32)
    expected = w - g * np.float32(0.01)
    SGD().apply_gradients([(g, w)])
    assert_array_equal(w, expected)


FUNCTIONAL = [
    ("sgd", lambda w, g, s, t: optimizers.sgd_step(w, g, s[0], 0.05, 0.9),
     lambda w0, gs: ref_sgd(w0, gs, 0.05, 0.9), 1, 0.0),
    ("sgd-nesterov",
     lambda w, g, s, t: optimizers.sgd_step(w, g, s[0], 0.05, 0.5, nesterov=True),
     lambda w0, gs: ref_sgd(w0, gs, 0.05, 0.5, nesterov=True), 1, 0.0),
    ("deck_momentum", lambda w, g, s, t: optimizers.deck_momentum_step(w, g, s[0], 0.3, 0.5),
     lambda w0, gs: ref_deck_momentum(w0, gs, 0.3, 0.5), 1, 0.0),
    ("adagrad", lambda w, g, s, t: optimizers.adagrad_step(w, g, s[0], 0.1, 1e-3),
     lambda w0, gs: ref_adagrad(w0, gs, 0.1, 0.1, 1e-3), 1, 0.1),
    ("rmsprop", lambda w, g, s, t: optimizers.rmsprop_step(w, g, s[0], 0.01, 0.8, 1e-3),
     lambda w0, gs: ref_rmsprop(w0, gs, 0.01, 0.8, epsilon=1e-3), 1, 0.0),
    ("adam", lambda w, g, s, t: optimizers.adam_step(w, g, s[0], s[1], t, 0.02, 0.8, 0.99, 1e-4),
     lambda w0, gs: ref_adam(w0, gs, 0.02, 0.8, 0.99, 1e-4), 2, 0.0),
]


@pytest.mark.parametrize("name, step, reference, n_states, initial", FUNCTIONAL,
                         ids=[f[0] for f in FUNCTIONAL])
def test_functional_forms_match_reference_and_are_pure(name, step, reference, n_states, initial):
    w0, grads = random_run(seed=3)
    w = w0.copy()
    states = [np.full_like(w0, initial) for _ in range(n_states)]
    for t, g in enumerate(grads, start=1):
        before = [w.copy(), g.copy()] + [s.copy() for s in states]
        out = step(w, g, states, t)
        for original, kept in zip([w, g] + states, before):
            assert_array_equal(original, kept)  # inputs untouched
        w, *states = out
    assert_allclose(w, reference(w0.tolist(), grads.tolist()), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cls, step, extra", [
    (SGD, optimizers.sgd_step, ()), (Adagrad, optimizers.adagrad_step, ()),
    (RMSprop, optimizers.rmsprop_step, ()), (Adam, optimizers.adam_step, ("t",)),
    (DeckMomentum, optimizers.deck_momentum_step, ()),
])
def test_functional_defaults_match_the_class(cls, step, extra):
    class_defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    for name, p in inspect.signature(step).parameters.items():
        if p.default is not inspect.Parameter.empty:
            assert class_defaults[name] == p.default, name


def test_functional_step_equals_class_step_bitwise():
    w0, grads = random_run(seed=4)
    w32 = w0.astype(np.float32)
    opt = Adam(learning_rate=0.01)
    w, m, v = w32.copy(), np.zeros_like(w32), np.zeros_like(w32)
    for t, g in enumerate(grads.astype(np.float32), start=1):
        opt.apply_gradients([(g, w32)])
        w, m, v = optimizers.adam_step(w, g, m, v, t, learning_rate=0.01)
        assert w.dtype == np.float32
        assert_array_equal(w, w32)


def test_keras_defaults():
    expected = {
        SGD: dict(learning_rate=0.01, momentum=0.0, nesterov=False),
        Adagrad: dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
        RMSprop: dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
        Adam: dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
        DeckMomentum: dict(learning_rate=0.1, beta=0.9),
    }
    for cls, defaults in expected.items():
        config = cls().get_config()
        assert {k: config[k] for k in defaults} == defaults, cls.__name__


def test_adagrad_accumulator_starts_at_initial_value_others_at_zero():
    w = np.zeros(3)
    opt = Adagrad()
    opt.build([w])
    assert_array_equal(opt.slots(w)["accumulator"], [0.1, 0.1, 0.1])
    adam = Adam(amsgrad=True)
    adam.build([w])
    assert set(adam.slots(w)) == {"momentum", "velocity", "velocity_hat"}
    assert all(not s.any() for s in adam.slots(w).values())
    plain = SGD()
    plain.build([w])
    assert plain.slots(w) == {}  # like Keras: no momentum slot without momentum


def test_iterations_count_steps_and_two_variables_are_independent():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=3), rng.normal(size=(2, 2))
    a1, b1 = a.copy(), b.copy()
    joint, alone_a, alone_b = Adam(0.1), Adam(0.1), Adam(0.1)
    for _ in range(4):
        ga, gb = rng.normal(size=3), rng.normal(size=(2, 2))
        assert joint.apply_gradients([(ga, a), (gb, b)]) == joint.iterations
        alone_a.apply_gradients([(ga, a1)])
        alone_b.apply_gradients([(gb, b1)])
    assert joint.iterations == 4
    assert_array_equal(a, a1)
    assert_array_equal(b, b1)


# ---------------------------------------------------------------- properties
ALL_FACTORIES = [SGD, Adagrad, RMSprop, Adam, DeckMomentum, DeckAdagrad, DeckRMSProp, DeckAdam,
                 lambda: SGD(momentum=0.9), lambda: RMSprop(momentum=0.5, centered=True)]
values = arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10))


@settings(max_examples=25, deadline=None)
@given(w0=values, factory=st.sampled_from(ALL_FACTORIES))
def test_first_step_with_zero_gradient_leaves_w_unchanged(w0, factory):
    w = w0.copy()
    factory().apply_gradients([(np.zeros_like(w), w)])
    assert_array_equal(w, w0)


@settings(max_examples=25, deadline=None)
@given(w0=values, data=st.data())
def test_sgd_without_momentum_ignores_history_on_zero_gradient(w0, data):
    opt = SGD(learning_rate=0.1)
    w = w0.copy()
    opt.apply_gradients([(data.draw(arrays(np.float64, w.shape, elements=st.floats(-5, 5))), w)])
    after = w.copy()
    opt.apply_gradients([(np.zeros_like(w), w)])
    assert_array_equal(w, after)


def test_momentum_keeps_moving_on_zero_gradient():
    w = np.array([1.0])
    opt = SGD(learning_rate=0.1, momentum=0.9)
    opt.apply_gradients([(np.array([1.0]), w)])  # m = -0.1, w = 0.9
    opt.apply_gradients([(np.array([0.0]), w)])  # m = -0.09, w = 0.81
    assert_allclose(w, [0.81], rtol=1e-15)


@settings(max_examples=25, deadline=None)
@given(g=arrays(np.float64, st.integers(1, 6),
                elements=st.floats(0.01, 10) | st.floats(-10, -0.01)),
       factory=st.sampled_from(ALL_FACTORIES))
def test_first_step_goes_downhill(g, factory):
    w = np.zeros_like(g)
    factory().apply_gradients([(g, w)])
    assert (np.sign(w) == -np.sign(g)).all()


@settings(max_examples=25, deadline=None)
@given(g=arrays(np.float64, st.integers(1, 6),
                elements=st.floats(0.01, 100) | st.floats(-100, -0.01)))
def test_adam_first_step_has_size_learning_rate(g):
    # alpha·m/sqrt(v) = lr·sqrt(1-β2)/(1-β1) · (1-β1)g / (sqrt(1-β2)|g|) = lr·sign(g)
    w = np.zeros_like(g)
    Adam(learning_rate=0.01).apply_gradients([(g, w)])
    assert_allclose(np.abs(w), 0.01, rtol=1e-3)


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(1e-3, 1e3))
def test_adam_without_epsilon_ignores_gradient_scale(scale):
    w0, grads = random_run(seed=6)
    plain = run_class(Adam(0.01, epsilon=0.0), w0, grads + 0.1)
    scaled = run_class(Adam(0.01, epsilon=0.0), w0, (grads + 0.1) * scale)
    assert_allclose(scaled, plain, rtol=1e-10)


# ---------------------------------------------------------------- deck <-> Keras
def test_deck_momentum_is_keras_sgd_with_scaled_learning_rate():
    rng = np.random.default_rng(7)
    eta, beta = 0.1, 0.9
    grads = rng.normal(size=(300, 4))
    w0 = rng.normal(size=4)
    deck = run_class(DeckMomentum(eta, beta), w0, grads)
    keras = run_class(SGD(learning_rate=eta * (1 - beta), momentum=beta), w0, grads)
    assert_allclose(deck, keras, rtol=1e-10, atol=1e-12)
    # the deck's numbers: η = 0.1, β = 0.9 is Keras SGD(0.01, momentum=0.9)
    assert_allclose(run_class(SGD(0.01, momentum=0.9), w0, grads), deck, rtol=1e-10, atol=1e-12)


def test_deck_momentum_and_keras_follow_the_same_path_on_a_quadratic():
    a = np.array([[3.0, 1.0], [1.0, 2.0]])  # loss ½wᵀAw, gradient Aw
    deck_opt = DeckMomentum(0.2, 0.8)
    keras_opt = optimizers.keras_equivalent(deck_opt)
    assert isinstance(keras_opt, SGD) and keras_opt.momentum == 0.8
    assert keras_opt.learning_rate == pytest.approx(0.2 * 0.2)
    w_deck, w_keras = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    for _ in range(100):
        deck_opt.apply_gradients([(a @ w_deck, w_deck)])
        keras_opt.apply_gradients([(a @ w_keras, w_keras)])
        assert_allclose(w_deck, w_keras, rtol=1e-9, atol=1e-12)


def test_momentum_deck_to_keras():
    args = optimizers.momentum_deck_to_keras(0.1, 0.9)
    assert args["momentum"] == 0.9
    assert args["learning_rate"] == pytest.approx(0.01, rel=1e-12)


def test_unit_impulse_recovers_the_decks_unrolled_coefficients():
    # One gradient of 1, then zeros: V after k more steps is (1-β)·β^k, which is the
    # weight the deck's unrolled formula gives to a gradient k steps old.
    eta = 0.1
    opt, w = DeckMomentum(learning_rate=eta, beta=0.9), np.zeros(1)
    velocities = []
    for k in range(4):
        before = w.copy()
        opt.apply_gradients([(np.array([1.0 if k == 0 else 0.0]), w)])
        velocities.append(float((before - w)[0] / eta))
        assert velocities[-1] == pytest.approx(opt.slots(w)["velocity"][0])
    assert_allclose(velocities, [0.1, 0.09, 0.081, 0.0729], rtol=1e-12)
    assert velocities[3] / velocities[0] == pytest.approx(0.729)  # the weight of V_{i-3}


def test_unrolled_velocity_is_the_weighted_sum_of_past_gradients():
    g = [0.5, -1.0, 2.0, 0.25]
    _, v = optimizers.deck_momentum_step(0.0, g[0], 0.0)
    for gi in g[1:]:
        _, v = optimizers.deck_momentum_step(0.0, gi, v)
    # V_3 = 0.1·g3 + 0.09·g2 + 0.081·g1 + 0.0729·g0   (β = 0.9)
    assert float(v) == pytest.approx(0.1 * g[3] + 0.09 * g[2] + 0.081 * g[1] + 0.0729 * g[0])


def test_deck_adam_correct_is_keras_adam_when_epsilon_is_zero():
    w0, grads = random_run(seed=8, steps=40)
    deck = run_class(DeckAdam(0.01, bias_correction="correct", epsilon=0.0), w0, grads + 0.05)
    keras = run_class(Adam(0.01, epsilon=0.0), w0, grads + 0.05)
    assert_allclose(deck, keras, rtol=1e-12)
    equivalent = optimizers.keras_equivalent(DeckAdam(0.01, bias_correction="correct", epsilon=0))
    assert run_class(equivalent, w0, grads + 0.05).tolist() == keras.tolist()


def test_deck_adam_correct_is_keras_adam_with_epsilon_hat():
    # ε outside sqrt(w_ave/(1-β2^t)) is Keras's ε·sqrt(1-β2^t) outside sqrt(v).
    eps, beta_2 = 1e-2, 0.999
    w0, grads = random_run(seed=9, steps=20)
    deck = run_class(DeckAdam(0.01, epsilon=eps, bias_correction="correct"), w0, grads)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        w, m, v = optimizers.adam_step(w, g, m, v, t, 0.01, epsilon=eps * math.sqrt(1 - beta_2**t))
    assert_allclose(deck, w, rtol=1e-12)
    plain = run_class(Adam(0.01, epsilon=eps), w0, grads)
    assert np.abs(plain - deck).max() > 1e-4  # a constant ε is not the same


def test_deck_bias_correction_is_off_by_the_derived_factor():
    b1, b2 = 0.9, 0.999
    rng = np.random.default_rng(10)
    deck_opt = DeckAdam(0.01, b1, b2, epsilon=0.0, bias_correction="deck")
    right_opt = DeckAdam(0.01, b1, b2, epsilon=0.0, bias_correction="correct")
    w_deck, w_right = np.zeros(3), np.zeros(3)
    for t in range(1, 31):
        g = rng.normal(size=3)
        step_deck, step_right = w_deck.copy(), w_right.copy()
        deck_opt.apply_gradients([(g, w_deck)])
        right_opt.apply_gradients([(g, w_right)])
        factor = (1 - b1**t) / (1 - b1) * math.sqrt((1 - b2) / (1 - b2**t))
        assert_allclose(w_deck - step_deck, factor * (w_right - step_right), rtol=1e-10)
        if t == 1:
            assert factor == pytest.approx(1.0)
    assert factor == pytest.approx(1.761, abs=1e-3)  # t = 30: the deck steps 1.76× too far


def test_deck_rmsprop_and_adagrad_are_keras_when_epsilon_is_zero():
    w0, grads = random_run(seed=11)
    grads[2, 0] = 0.5  # avoid 0/0 in a first step
    assert_allclose(run_class(DeckRMSProp(0.01, 0.8, 0.0), w0, grads),
                    run_class(RMSprop(0.01, rho=0.8, epsilon=0.0), w0, grads), rtol=1e-12)
    assert_allclose(run_class(DeckAdagrad(0.1, 0.0), w0, grads),
                    run_class(Adagrad(0.1, initial_accumulator_value=0.0, epsilon=0.0), w0,
                              grads), rtol=1e-12)
    for deck in (DeckRMSProp(0.01, 0.8, 0.0), DeckAdagrad(0.1, 0.0)):
        keras = optimizers.keras_equivalent(deck)
        assert_allclose(run_class(keras, w0, grads), run_class(deck, w0, grads), rtol=1e-12)


@pytest.mark.parametrize("deck", [DeckAdagrad(), DeckRMSProp(), DeckAdam(),
                                  DeckAdam(bias_correction="correct")])
def test_no_keras_equivalent_with_epsilon_or_the_decks_bias_correction(deck):
    with pytest.raises(ValueError, match="epsilon=0"):
        optimizers.keras_equivalent(deck)


def test_keras_equivalent_needs_a_deck_optimizer():
    with pytest.raises(TypeError, match="deck optimizer"):
        optimizers.keras_equivalent(SGD())


# ---------------------------------------------------------------- in place, dtypes
@pytest.mark.parametrize("factory", FACTORIES, ids=CASE_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_in_place_and_keeps_dtype(factory, dtype):
    opt = factory()
    w = np.linspace(-1, 1, 6, dtype=dtype).reshape(2, 3)
    view, before = w, w.copy()
    for _ in range(2):
        assert opt.apply_gradients([(np.full((2, 3), 0.5), w)]) == opt.iterations
    assert w is view and w.dtype == dtype and not np.array_equal(w, before)
    assert all(s.dtype == dtype for s in opt.slots(w).values())


def test_float64_gradient_on_float32_variable_keeps_float32():
    w = np.ones(3, dtype=np.float32)
    Adam().apply_gradients([(np.ones(3, dtype=np.float64), w)])
    assert w.dtype == np.float32


def test_list_gradient_is_read_in_the_variables_dtype():
    w = np.zeros(2)
    SGD(learning_rate=1.0).apply_gradients([([0.1, 0.2], w)])
    assert w.tolist() == [-0.1, -0.2]  # not via float32


def test_functional_forms_follow_floatx_for_python_numbers():
    w, m = optimizers.sgd_step(2.0, 1.0, 0.0, momentum=0.9)
    assert w.dtype == m.dtype == np.float32
    w, m, v = optimizers.adam_step(np.float64(2.0), 1.0, 0.0, 0.0, 1)
    assert w.dtype == m.dtype == v.dtype == np.float64


def test_slots_of_an_unknown_array():
    opt = SGD(momentum=0.5)
    opt.apply_gradients([(np.ones(2), np.zeros(2))])
    with pytest.raises(KeyError, match="no state"):
        opt.slots(np.zeros(2))


def test_works_on_a_view_of_a_flat_buffer():
    flat = np.zeros(6)
    kernel = flat[:4].reshape(2, 2)
    SGD(0.5).apply_gradients([(np.ones((2, 2)), kernel)])
    assert_array_equal(flat, [-0.5] * 4 + [0, 0])


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("factory", FACTORIES[:: 3], ids=CASE_IDS[:: 3])
@pytest.mark.parametrize("bad, error, match", [
    (np.array([1.0, np.nan, 0.0]), ValueError, "finite"),
    (np.array([1.0, np.inf, 0.0]), ValueError, "finite"),
    (np.ones(4), ValueError, "same shape"),
    (np.ones((3, 1)), ValueError, "same shape"),
    (None, TypeError, "None"),
])
def test_bad_gradient_raises_and_changes_nothing(factory, bad, error, match):
    opt = factory()
    w = np.array([0.5, -1.0, 2.0])
    opt.apply_gradients([(np.array([1.0, 2.0, 3.0]), w)])
    w_before, slots_before = w.copy(), opt.slots(w)
    other = np.zeros(2)
    with pytest.raises(error, match=match):
        opt.apply_gradients([(bad, w)])
    with pytest.raises(error, match=match):  # a good pair first is not applied either
        factory().apply_gradients([(np.ones(2), other), (bad, w)])
    assert_array_equal(other, 0.0)
    assert_array_equal(w, w_before)
    assert opt.iterations == 1
    for name, value in opt.slots(w).items():
        assert_array_equal(value, slots_before[name])


@pytest.mark.parametrize("var, match", [
    (np.array([1, 2, 3]), "floating-point array"),
    ([1.0, 2.0, 3.0], "NumPy array"),
])
def test_variable_must_be_a_float_array(var, match):
    with pytest.raises(TypeError, match=match):
        SGD().apply_gradients([(np.ones(3), var)])


def test_read_only_and_duplicate_variables_are_refused():
    w = np.zeros(3)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        SGD().apply_gradients([(np.ones(3), w)])
    v = np.zeros(3)
    with pytest.raises(ValueError, match="same array"):
        SGD().apply_gradients([(np.ones(3), v), (np.ones(3), v)])


def test_later_calls_must_pass_the_same_variables():
    w = np.zeros(3)
    opt = SGD(momentum=0.9)
    opt.apply_gradients([(np.ones(3), w)])
    with pytest.raises(ValueError, match="same array objects"):
        opt.apply_gradients([(np.ones(3), w - 0.1)])  # rebinding makes a new array
    with pytest.raises(ValueError, match="same array objects"):
        opt.apply_gradients([(np.ones(3), w), (np.ones(2), np.zeros(2))])
    w.shape = (3, 1)
    with pytest.raises(ValueError, match="changed shape"):
        opt.apply_gradients([(np.ones((3, 1)), w)])


def test_grads_and_vars_must_be_pairs():
    w = np.zeros(3)
    with pytest.raises(TypeError, match=r"\[\(grad, var\)\]"):
        SGD().apply_gradients((np.ones(3), w))
    with pytest.raises(ValueError, match="no"):
        SGD().apply_gradients([])


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(learning_rate=-0.1), "learning_rate"),
    (lambda: SGD(learning_rate=float("nan")), "learning_rate"),
    (lambda: SGD(learning_rate="0.1"), "learning_rate"),
    (lambda: SGD(momentum=1.5), "momentum"),
    (lambda: RMSprop(rho=-0.1), "rho"),
    (lambda: Adam(beta_1=1.0), "beta_1"),
    (lambda: Adam(epsilon=-1e-7), "epsilon"),
    (lambda: DeckAdam(bias_correction="none"), "bias_correction"),
])
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_adam_step_number_starts_at_one():
    with pytest.raises(ValueError, match="starts at 1"):
        optimizers.adam_step(1.0, 1.0, 0.0, 0.0, 0)


def test_functional_state_shape_is_checked():
    with pytest.raises(ValueError, match="m and w"):
        optimizers.sgd_step(np.zeros(3), np.ones(3), np.zeros(2), momentum=0.9)


# ---------------------------------------------------------------- get
@pytest.mark.parametrize("name, cls", [
    ("sgd", SGD), ("adagrad", Adagrad), ("rmsprop", RMSprop), ("adam", Adam),
    ("SGD", SGD), ("Adagrad", Adagrad), ("RMSprop", RMSprop), ("Adam", Adam),
])
def test_get_by_name_gives_a_fresh_default_instance(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls and opt.get_config() == cls().get_config()
    assert optimizers.get(name) is not opt


def test_get_instance_and_unknown_names():
    opt = Adam(0.5)
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="adam.*rmsprop.*sgd"):
        optimizers.get("nadam")
    with pytest.raises(TypeError):
        optimizers.get(3)


def test_repr_shows_the_hyperparameters():
    assert repr(SGD(momentum=0.9)) == "SGD(learning_rate=0.01, momentum=0.9, nesterov=False)"
