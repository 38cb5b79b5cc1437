"""Adam: momentum (a moving average of g) divided by RMSProp's root (of g²).

Keras (``Adam``, ``adam_step``), t = 1, 2, ... the step number::

    m = m + (g - m)·(1-β1);   v = v + (g² - v)·(1-β2)
    alpha = lr·sqrt(1-β2^t) / (1-β1^t)
    w = w - alpha·m / (sqrt(v) + ε)            (amsgrad: v̂ = max(v̂, v) instead of v)

The deck (``DeckAdam``)::

    V = β1·V + (1-β1)·g;   w_ave = β2·w_ave + (1-β2)·g²
    v̂ = V / (1-β1);   ŵ = w_ave / (1-β2)            <- the deck: power t missing
    w = w - η·v̂ / (ε + sqrt(ŵ))

The averages start at 0, so early on they are too small by the factor 1-β^t; the
bias correction divides that factor out. The deck writes 1-β instead of 1-β^t,
which is right only at t = 1. ``bias_correction="correct"`` uses 1-β^t and is then
Keras's Adam up to where ε sits: multiplying out,

    η·(V/(1-β1^t)) / (ε + sqrt(w_ave/(1-β2^t))) = alpha·V / (sqrt(w_ave) + ε·sqrt(1-β2^t)),

so it equals Keras with ε_keras = ε·sqrt(1-β2^t) ("epsilon hat"), and exactly Keras
when ε = 0. Against the correct form, with ε = 0 the deck's step is scaled by

    deck / correct = (1-β1^t)/(1-β1) · sqrt((1-β2)/(1-β2^t)),

which for β1 = 0.9, β2 = 0.999 is 1 at t = 1, 1.34 at t = 2, 2.08 at its peak
(t = 12), back to 1 near t = 100, 0.40 at t = 1000, and tends to
sqrt(1-β2)/(1-β1) ≈ 0.316: the deck's steps are wrong by up to a factor of 3.
"""

import numpy as np

from dlkit.optimizers.base import Optimizer, check_hyperparameter, pure_step_inputs

BIAS_CORRECTIONS = ("deck", "correct")


def _moment_updates(m, v, g, beta_1, beta_2, scratch):
    """In place, in Keras's form: m += (g - m)(1-β1);  v += (g² - v)(1-β2)."""
    dt = m.dtype.type
    change = np.subtract(g, m, out=scratch[0])
    np.multiply(change, dt(1 - beta_1), out=change)
    np.add(m, change, out=m)
    change = np.multiply(g, g, out=scratch[0])
    np.subtract(change, v, out=change)
    np.multiply(change, dt(1 - beta_2), out=change)
    np.add(v, change, out=v)


def _adam_update(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, scratch, v_hat=None):
    """In place: Keras's Adam step number t (``v_hat`` given: amsgrad)."""
    dt = w.dtype.type
    one, step_number = dt(1), dt(t)
    alpha = (dt(learning_rate) * np.sqrt(one - dt(beta_2) ** step_number)
             / (one - dt(beta_1) ** step_number))
    _moment_updates(m, v, g, beta_1, beta_2, scratch)
    if v_hat is not None:
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    den = np.sqrt(v, out=scratch[0])
    np.add(den, dt(epsilon), out=den)
    step = np.multiply(m, alpha, out=scratch[1])
    np.divide(step, den, out=step)
    np.subtract(w, step, out=w)


def _deck_adam_update(w, g, m, v, power, learning_rate, beta_1, beta_2, epsilon, scratch):
    """In place: the deck's Adam with bias correction 1-β^power (power = t or 1)."""
    dt = w.dtype.type
    one, p = dt(1), dt(power)
    _moment_updates(m, v, g, beta_1, beta_2, scratch)
    den = np.divide(v, one - dt(beta_2) ** p, out=scratch[0])
    np.sqrt(den, out=den)
    np.add(den, dt(epsilon), out=den)
    step = np.divide(m, one - dt(beta_1) ** p, out=scratch[1])
    np.multiply(step, dt(learning_rate), out=step)
    np.divide(step, den, out=step)
    np.subtract(w, step, out=w)


def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Keras's Adam step number ``t`` (t = 1 on the first step) as a pure function.

        m = m + (g - m)·(1-beta_1);   v = v + (g² - v)·(1-beta_2)
        w = w - learning_rate·sqrt(1-beta_2^t)/(1-beta_1^t) · m / (sqrt(v) + epsilon)

    Returns new ``(w, m, v)``.
    """
    _check_step_number(t)
    w, g, (m, v), scratch = pure_step_inputs(w, g, m, v, names=("m", "v"))
    _adam_update(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, scratch)
    return w, m, v


def _check_step_number(t):
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(
            f"t is the step number and starts at 1 (1-beta^0 = 0 would divide by zero), "
            f"got {t!r}."
        )


class Adam(Optimizer):
    """Keras 3 Adam, see the module docstring: step t = ``iterations + 1``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="adam"):
        super().__init__(learning_rate, name)
        self.beta_1 = check_hyperparameter(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = check_hyperparameter(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = check_hyperparameter(epsilon, "epsilon")
        self.amsgrad = bool(amsgrad)

    @property
    def _slot_names(self):
        return ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def _update(self, grad, var, slots, scratch):
        _adam_update(var, grad, slots["momentum"], slots["velocity"], self.iterations + 1,
                     self.learning_rate, self.beta_1, self.beta_2, self.epsilon, scratch,
                     slots.get("velocity_hat"))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class DeckAdam(Optimizer):
    """The deck's Adam: ``w -= η·v̂ / (ε + sqrt(ŵ))``, v̂ = V/(1-β1^p), ŵ = w_ave/(1-β2^p).

    ``bias_correction="deck"`` (the default: the slide as written) uses p = 1, the
    deck's mistake; ``"correct"`` uses p = t, the step number. The correct form equals
    Keras's ``Adam`` with ε replaced by ε·sqrt(1-β2^t), so exactly Keras when ε = 0
    (``keras_equivalent``). The module docstring derives the deck/correct step ratio.
    """

    _slot_names = ("velocity", "w_ave")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 bias_correction="deck", name="deck_adam"):
        super().__init__(learning_rate, name)
        self.beta_1 = check_hyperparameter(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = check_hyperparameter(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = check_hyperparameter(epsilon, "epsilon")
        if bias_correction not in BIAS_CORRECTIONS:
            raise ValueError(
                f"bias_correction must be 'deck' (divide by 1-β, as the slide) or 'correct' "
                f"(divide by 1-β^t), got {bias_correction!r}."
            )
        self.bias_correction = bias_correction

    def _update(self, grad, var, slots, scratch):
        power = self.iterations + 1 if self.bias_correction == "correct" else 1
        _deck_adam_update(var, grad, slots["velocity"], slots["w_ave"], power,
                          self.learning_rate, self.beta_1, self.beta_2, self.epsilon, scratch)

    def keras_equivalent(self):
        """``Adam(learning_rate, beta_1, beta_2, epsilon=0)`` for the correct form with ε = 0."""
        if self.bias_correction != "correct" or self.epsilon != 0:
            raise ValueError(
                "DeckAdam has an exact Keras equivalent only with bias_correction='correct' "
                "and epsilon=0: the deck's 1-β (no power t) matches no Keras setting, and its "
                "ε outside sqrt(ŵ) is Keras's ε·sqrt(1-β2^t), which changes with t. Got "
                f"bias_correction={self.bias_correction!r}, epsilon={self.epsilon!r}."
            )
        return Adam(self.learning_rate, self.beta_1, self.beta_2, epsilon=0.0)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "bias_correction": self.bias_correction}
