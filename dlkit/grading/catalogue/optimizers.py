"""07-momentum and 08-adaptive: one optimizer step as a pure function (dlkit.optimizers).

Every case uses a learning rate large enough (or weights small enough) that a wrong
step shows up in w beyond float32 rounding, states that are not all zero, and for
Adam step numbers t >= 2 (at t = 1 the deck's missing power of t is invisible).
Tiny gradients and a large ε make the place of ε visible.

Each step returns updated inputs (w - step, the new state), and an honest float
computation of ``old - change`` rounds in proportion to |old| + |change|, not to the
result: Keras computes Adam's bias correction in float32, a student in Python floats,
and where w and the step nearly cancel the two differ by far more than 1e-4 of the
small result. The tolerance is therefore relative to |old| + |change| (``updated``).
"""

import numpy as np

from dlkit.grading.catalogue._inputs import f32, f64, normal
from dlkit.grading.exercise import Case, Exercise, Mistake, register

O = "dlkit.optimizers."


def _state(rng, shape, dtype=np.float32, positive=False):
    s = normal(rng, shape, 0.5, dtype)
    return np.abs(s) if positive else s


# ---------------------------------------------------------------- tolerance
def updated(*positions):
    """scale(case, expected): |old| + |old - new| for each output, old = args[position]."""
    def scale(case, expected):
        olds = [np.asarray(case.args[p], dtype=np.float64) for p in positions]
        return tuple(np.abs(old) + np.abs(old - np.asarray(new, dtype=np.float64))
                     for old, new in zip(olds, expected))
    return scale


# ---------------------------------------------------------------- cases
def momentum_cases(rng, hidden, keras):
    lr, mu = ("learning_rate", "momentum") if keras else ("learning_rate", "beta")
    if not hidden:
        return [
            Case("first step, defaults", (f32([1.0, -2.0, 0.0]), f32([0.5, 0.5, -1.0]), f32([0.0, 0.0, 0.0]))),
            Case("a step with velocity", (f64([0.5, 1.0]), f64([1.0, -2.0]), f64([0.2, -0.3])),
                 {lr: 0.1, mu: 0.8}),
        ]
    cases = [
        Case("random (3, 4) with velocity", (normal(rng, (3, 4)), normal(rng, (3, 4)), _state(rng, (3, 4))),
             {lr: 0.2, mu: 0.9}),
        Case("float64, momentum 0.5", (normal(rng, (5,), 1.0, np.float64), normal(rng, (5,), 1.0, np.float64),
                                        _state(rng, (5,), np.float64)), {lr: 0.05, mu: 0.5}),
        Case("no momentum (0)", (normal(rng, (4,)), normal(rng, (4,)), _state(rng, (4,))), {lr: 0.1, mu: 0.0}),
    ]
    if keras:
        cases.append(Case("nesterov", (normal(rng, (2, 3)), normal(rng, (2, 3)), _state(rng, (2, 3))),
                          {lr: 0.1, mu: 0.9, "nesterov": True}))
    return cases


def deck_momentum_cases(rng, hidden):
    return momentum_cases(rng, hidden, keras=False)


def sgd_cases(rng, hidden):
    return momentum_cases(rng, hidden, keras=True)


def conversion_cases(rng, hidden):
    if not hidden:
        return [Case("the deck's eta = 0.1, beta = 0.9", (0.1, 0.9))]
    return [Case("eta = 0.5, beta = 0.8", (0.5, 0.8)), Case("eta = 0.01, beta = 0.99", (0.01, 0.99)),
            Case("beta = 0 (no momentum)", (0.2, 0.0))]


def accumulator_cases(rng, hidden, rate_name):
    """Adagrad and RMSprop: (w, g, state) with the state a mean square (>= 0)."""
    if not hidden:
        return [
            Case("first step, defaults", (f32([0.0, 1.0, -1.0]), f32([0.1, -0.2, 0.3]), f32([0.0, 0.0, 0.0]))),
            Case("a later step", (f64([0.5, -0.5]), f64([0.3, 0.1]), f64([0.2, 0.05])), {"learning_rate": 0.1}),
        ]
    return [
        Case("random (3, 4) with state", (normal(rng, (3, 4)), normal(rng, (3, 4)), _state(rng, (3, 4), positive=True)),
             {"learning_rate": 0.1}),
        Case("tiny gradients, empty state (epsilon matters)",
             (f32([1.0, -1.0, 0.5, 0.0]), f32([1e-4, -3e-4, 0.0, 2e-4]), f32([0.0, 0.0, 0.0, 0.0])),
             {"learning_rate": 0.1}),
        Case("a large epsilon = 0.1", (f64([1.0, 2.0]), f64([0.5, -0.25]), f64([0.04, 0.01])),
             {"learning_rate": 0.1, "epsilon": 0.1}),
        Case(f"float64 with {rate_name}", (normal(rng, (5,), 1.0, np.float64), normal(rng, (5,), 1.0, np.float64),
                                          _state(rng, (5,), np.float64, positive=True)),
             {"learning_rate": 0.05, **({"rho": 0.5} if rate_name == "rho" else {})}),
    ]


def adagrad_cases(rng, hidden):
    return accumulator_cases(rng, hidden, "learning_rate")


def rmsprop_cases(rng, hidden):
    return accumulator_cases(rng, hidden, "rho")


def adam_cases(rng, hidden):
    if not hidden:
        return [
            Case("first step t=1, defaults", (f32([0.0, 1.0]), f32([0.1, -0.2]), f32([0.0, 0.0]), f32([0.0, 0.0]), 1)),
            Case("step t=3 with state", (f64([0.5, -0.5]), f64([0.3, 0.1]), f64([0.1, -0.05]), f64([0.02, 0.01]), 3),
                 {"learning_rate": 0.1}),
        ]
    m_v = lambda shape, dtype=np.float32: (_state(rng, shape, dtype), _state(rng, shape, dtype, positive=True) ** 2)
    return [
        Case("step t=2", (normal(rng, (3, 4)), normal(rng, (3, 4)), *m_v((3, 4)), 2), {"learning_rate": 0.1}),
        Case("step t=10, float64", (normal(rng, (5,), 1.0, np.float64), normal(rng, (5,), 1.0, np.float64),
                                    *m_v((5,), np.float64), 10), {"learning_rate": 0.05}),
        Case("step t=100, other betas", (normal(rng, (4,)), normal(rng, (4,)), *m_v((4,)), 100),
             {"learning_rate": 0.1, "beta_1": 0.8, "beta_2": 0.99}),
        Case("tiny gradients at t=5 (epsilon matters)",
             (f64([1.0, -1.0, 0.5]), f64([1e-6, -2e-6, 0.0]), f64([0.0, 0.0, 0.0]), f64([0.0, 0.0, 0.0]), 5),
             {"learning_rate": 0.1}),
        Case("a large epsilon = 0.1 at t=4", (f32([1.0, 2.0]), f32([0.5, -0.25]), f32([0.1, 0.2]), f32([0.04, 0.01]), 4),
             {"learning_rate": 0.1, "epsilon": 0.1}),
    ]


def ema_cases(rng, hidden):
    if not hidden:
        return [Case("five prices, k = 0.5", (f32([10.0, 11.0, 12.0, 11.0, 13.0]), 0.5)),
                Case("float64, k = 0.1", (f64([1.0, 2.0, 3.0, 4.0]), 0.1))]
    return [
        Case("random walk of 20 prices, k = 0.2", (np.cumsum(normal(rng, (20,))).astype(np.float32) + 50, 0.2)),
        Case("k = 1 (no memory)", (normal(rng, (6,), 1.0, np.float64), 1.0)),
        Case("k = 0 (stays at the first value)", (normal(rng, (5,)), 0.0)),
        Case("several series as columns (8, 3)", (normal(rng, (8, 3)), 0.3)),
    ]


# ---------------------------------------------------------------- wrong variants
def deck_momentum_in_keras_form(w, g, v, learning_rate=0.1, beta=0.9):
    v = beta * np.asarray(v) - learning_rate * np.asarray(g)
    return np.asarray(w) + v, v


def deck_momentum_without_one_minus_beta(w, g, v, learning_rate=0.1, beta=0.9):
    v = beta * np.asarray(v) + np.asarray(g)
    return np.asarray(w) - learning_rate * v, v


def deck_momentum_old_velocity(w, g, v, learning_rate=0.1, beta=0.9):
    w = np.asarray(w) - learning_rate * np.asarray(v)
    return w, beta * np.asarray(v) + (1 - beta) * np.asarray(g)


def sgd_in_deck_form(w, g, m, learning_rate=0.01, momentum=0.0, nesterov=False):
    m = momentum * np.asarray(m) + (1 - momentum) * np.asarray(g)
    return np.asarray(w) - learning_rate * m, m


def sgd_positive_velocity(w, g, m, learning_rate=0.01, momentum=0.0, nesterov=False):
    m = momentum * np.asarray(m) + learning_rate * np.asarray(g)
    step = momentum * m + learning_rate * np.asarray(g) if nesterov else m
    return np.asarray(w) - step, m


def sgd_ignores_nesterov(w, g, m, learning_rate=0.01, momentum=0.0, nesterov=False):
    m = momentum * np.asarray(m) - learning_rate * np.asarray(g)
    return np.asarray(w) + m, m


def conversion_keeps_rate(learning_rate, beta):
    return {"learning_rate": learning_rate, "momentum": beta}


def conversion_one_minus_beta(learning_rate, beta):
    return {"learning_rate": learning_rate * (1 - beta), "momentum": 1 - beta}


def _adagrad(w, g, acc, learning_rate, epsilon, form):
    w, g, acc = np.asarray(w), np.asarray(g), np.asarray(acc)
    new_acc = acc + g * g
    den = {"outside": np.sqrt(new_acc) + epsilon, "missing": np.sqrt(new_acc),
           "old": np.sqrt(acc + epsilon)}[form]
    return w - learning_rate * g / den, new_acc


def adagrad_eps_outside(w, g, acc, learning_rate=0.001, epsilon=1e-7):
    return _adagrad(w, g, acc, learning_rate, epsilon, "outside")


def adagrad_eps_missing(w, g, acc, learning_rate=0.001, epsilon=1e-7):
    return _adagrad(w, g, acc, learning_rate, epsilon, "missing")


def adagrad_old_accumulator(w, g, acc, learning_rate=0.001, epsilon=1e-7):
    return _adagrad(w, g, acc, learning_rate, epsilon, "old")


def adagrad_not_squared(w, g, acc, learning_rate=0.001, epsilon=1e-7):
    w, g, acc = np.asarray(w), np.asarray(g), np.asarray(acc)
    acc = acc + g
    return w - learning_rate * g / np.sqrt(acc + epsilon), acc


def _rmsprop(w, g, v, learning_rate, rho, epsilon, form):
    w, g, v = np.asarray(w), np.asarray(g), np.asarray(v)
    v = {"swapped": (1 - rho) * v + rho * g * g, "no_one_minus": rho * v + g * g}.get(form, rho * v + (1 - rho) * g * g)
    den = {"outside": np.sqrt(v) + epsilon, "missing": np.sqrt(v)}.get(form, np.sqrt(v + epsilon))
    return w - learning_rate * g / den, v


def rmsprop_eps_outside(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return _rmsprop(w, g, v, learning_rate, rho, epsilon, "outside")


def rmsprop_eps_missing(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return _rmsprop(w, g, v, learning_rate, rho, epsilon, "missing")


def rmsprop_rho_swapped(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return _rmsprop(w, g, v, learning_rate, rho, epsilon, "swapped")


def rmsprop_without_one_minus_rho(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return _rmsprop(w, g, v, learning_rate, rho, epsilon, "no_one_minus")


def _adam(w, g, m, v, t, lr, b1, b2, eps, form):
    w, g, m, v = (np.asarray(a) for a in (w, g, m, v))
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    p = 1 if form == "deck" else t
    m_hat, v_hat = m / (1 - b1 ** p), v / (1 - b2 ** p)
    step = {"deck": lr * m_hat / (np.sqrt(v_hat) + eps),
            "textbook": lr * m_hat / (np.sqrt(v_hat) + eps),
            "inside": lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / np.sqrt(v + eps),
            "missing": lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / np.sqrt(v),
            "uncorrected": lr * m / (np.sqrt(v) + eps)}[form]
    return w - step, m, v


def adam_without_power_t(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, "deck")


def adam_textbook_epsilon(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, "textbook")


def adam_eps_inside(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, "inside")


def adam_eps_missing(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, "missing")


def adam_without_correction(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return _adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, "uncorrected")


def ema_weights_swapped(values, k):
    x = np.asarray(values)
    out = np.empty_like(x)
    for t in range(len(x)):
        out[t] = x[0] if t == 0 else (1 - k) * x[t] + k * out[t - 1]
    return out


def ema_starts_at_zero(values, k):
    x = np.asarray(values)
    out, prev = np.empty_like(x), np.zeros_like(x[0])
    for t in range(len(x)):
        out[t] = prev = k * x[t] + (1 - k) * prev
    return out


# ---------------------------------------------------------------- the exercises
EPS_OUTSIDE = ("ε sits INSIDE the square root in Keras: lr·g / sqrt(state + ε). The deck's "
               "η / (ε + sqrt(state)) puts it outside; the two differ when the state is tiny.")
EPS_MISSING = "add ε: without it a zero state divides by zero (0/0 = nan)."

register(Exercise("07-momentum:deck_momentum_step", O + "deck_momentum_step", deck_momentum_cases, (
    Mistake("deck momentum in the Keras form", deck_momentum_in_keras_form,
            "that is Keras's form (m = βm - η·g; w += m). The deck's form is "
            "V = β·V + (1 - β)·g, then w = w - η·V."),
    Mistake("deck momentum without (1 - beta)", deck_momentum_without_one_minus_beta,
            "the deck weighs the new gradient by (1 - β): V = β·V + (1 - β)·g."),
    Mistake("deck momentum steps with the old velocity", deck_momentum_old_velocity,
            "update the velocity FIRST, then step with the new one: w = w - η·V_new."),
), scale=updated(0, 2)))
register(Exercise("07-momentum:sgd_step", O + "sgd_step", sgd_cases, (
    Mistake("Keras SGD in the deck form", sgd_in_deck_form,
            "that is the deck's form (V = βV + (1 - β)g; w -= ηV). Keras stores "
            "m = momentum·m - learning_rate·g and adds it: w = w + m."),
    Mistake("Keras SGD with a positive velocity", sgd_positive_velocity,
            "Keras's velocity carries the minus sign: m = momentum·m - learning_rate·g, "
            "then w = w + m (your w may be right, but m must be returned in Keras's sign)."),
    Mistake("Keras SGD ignores nesterov", sgd_ignores_nesterov,
            "with nesterov=True the step looks ahead: w = w + momentum·m_new - learning_rate·g."),
), scale=updated(0, 2)))
register(Exercise("07-momentum:momentum_deck_to_keras", O + "momentum_deck_to_keras", conversion_cases, (
    Mistake("conversion keeps the learning rate", conversion_keeps_rate,
            "with m = -η·V the deck's step becomes Keras's with learning_rate = η·(1 - β), not η."),
    Mistake("conversion momentum = 1 - beta", conversion_one_minus_beta,
            "Keras's momentum is β itself (the weight of the old velocity)."),
)))
register(Exercise("07-momentum:exponential_moving_average", "dlkit.descent.exponential_moving_average",
                  ema_cases, (
    Mistake("EMA weights swapped", ema_weights_swapped,
            "EMA_t = k·x_t + (1 - k)·EMA_(t-1): k weighs TODAY's value."),
    Mistake("EMA starts at 0", ema_starts_at_zero,
            "start the average at the first value, EMA_0 = x_0, not at 0."),
)))
register(Exercise("08-adaptive:adagrad_step", O + "adagrad_step", adagrad_cases, (
    Mistake("Adagrad ε outside the root", adagrad_eps_outside, EPS_OUTSIDE),
    Mistake("Adagrad without ε", adagrad_eps_missing, EPS_MISSING),
    Mistake("Adagrad with the old accumulator", adagrad_old_accumulator,
            "add g² to the accumulator FIRST, then divide by sqrt(acc + ε) with the new acc."),
    Mistake("Adagrad accumulates g", adagrad_not_squared, "the accumulator sums SQUARED gradients: acc + g²."),
), scale=updated(0, 2)))
register(Exercise("08-adaptive:rmsprop_step", O + "rmsprop_step", rmsprop_cases, (
    Mistake("RMSProp ε outside the root", rmsprop_eps_outside, EPS_OUTSIDE),
    Mistake("RMSProp without ε", rmsprop_eps_missing, EPS_MISSING),
    Mistake("RMSProp rho swapped", rmsprop_rho_swapped,
            "rho weighs the OLD average: v = rho·v + (1 - rho)·g²."),
    Mistake("RMSProp without (1 - rho)", rmsprop_without_one_minus_rho,
            "the new g² is weighted by (1 - rho): v = rho·v + (1 - rho)·g²."),
), scale=updated(0, 2)))
register(Exercise("08-adaptive:adam_step", O + "adam_step", adam_cases, (
    Mistake("Adam without the power of t", adam_without_power_t,
            "the deck writes the bias correction as 1 - β, but it is 1 - β^t (t = the step "
            "number): m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t). At t = 1 both agree."),
    Mistake("Adam with the textbook ε", adam_textbook_epsilon,
            "Keras adds ε to sqrt(v) BEFORE the bias correction: "
            "w -= lr·sqrt(1 - β2^t)/(1 - β1^t)·m / (sqrt(v) + ε); adding ε to sqrt(v̂) differs "
            "when v is tiny."),
    Mistake("Adam ε inside the root", adam_eps_inside,
            "in Adam ε goes OUTSIDE the root: m / (sqrt(v) + ε)."),
    Mistake("Adam without ε", adam_eps_missing, EPS_MISSING),
    Mistake("Adam without bias correction", adam_without_correction,
            "divide by the bias corrections: lr·sqrt(1 - β2^t)/(1 - β1^t)·m / (sqrt(v) + ε)."),
), scale=updated(0, 2, 3)))
