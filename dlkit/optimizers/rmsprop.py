"""RMSProp: divide by a moving average of squared gradients instead of their sum.

Keras (``RMSprop``, ``rmsprop_step``)::

    v = ρ·v + (1-ρ)·g²
    inc = lr·g / sqrt(v + ε)        (centered: sqrt(v - ḡ² + ε), ḡ = ρ·ḡ + (1-ρ)·g)
    w = w - inc                     (momentum μ: mom = μ·mom + inc; w = w - mom)

The deck (``DeckRMSProp``)::

    w_ave = β·w_ave + (1-β)·g²;   w = w - η / (ε + sqrt(w_ave)) · g

Same moving average (β = ρ, both start at 0, neither corrects the bias). The only
difference is ε outside the root (deck) or inside (Keras), so with ε = 0 the deck's
form is exactly ``RMSprop(learning_rate=η, rho=β, epsilon=0)``.
"""

import numpy as np

from dlkit.optimizers.base import Optimizer, check_hyperparameter, pure_step_inputs


def _mean_square_update(v, g, rho, scratch):
    """In place: v = ρ·v + (1-ρ)·g² (Keras's velocity, the deck's w_ave)."""
    dt = v.dtype.type
    np.multiply(v, dt(rho), out=v)
    square = np.multiply(g, g, out=scratch[0])
    np.multiply(square, dt(1 - rho), out=square)
    np.add(v, square, out=v)


def _rmsprop_update(w, g, v, learning_rate, rho, epsilon, scratch,
                    momentum=0.0, mom=None, average=None):
    """In place: Keras's RMSprop step (``mom``/``average`` None: no momentum / not centered)."""
    dt = w.dtype.type
    _mean_square_update(v, g, rho, scratch)
    if average is None:
        den = np.add(v, dt(epsilon), out=scratch[0])
    else:
        np.multiply(average, dt(rho), out=average)
        new = np.multiply(g, dt(1 - rho), out=scratch[0])
        np.add(average, new, out=average)
        # v - ḡ² estimates the variance of g rather than its second moment.
        den = np.multiply(average, average, out=scratch[0])
        np.subtract(v, den, out=den)
        np.add(den, dt(epsilon), out=den)
    np.sqrt(den, out=den)
    inc = np.multiply(g, dt(learning_rate), out=scratch[1])
    np.divide(inc, den, out=inc)
    if mom is not None:
        np.multiply(mom, dt(momentum), out=mom)
        np.add(mom, inc, out=mom)
        inc = mom
    np.subtract(w, inc, out=w)


def _deck_rmsprop_update(w, g, v, learning_rate, beta, epsilon, scratch):
    """In place: w_ave = β·w_ave + (1-β)·g²;  w -= η / (ε + sqrt(w_ave)) · g."""
    dt = w.dtype.type
    _mean_square_update(v, g, beta, scratch)
    rate = np.sqrt(v, out=scratch[0])
    np.add(rate, dt(epsilon), out=rate)
    np.divide(dt(learning_rate), rate, out=rate)
    np.multiply(rate, g, out=rate)
    np.subtract(w, rate, out=w)


def rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """One Keras RMSprop step (no momentum, not centered) as a pure function -> ``(w, v)``.

        v = rho·v + (1-rho)·g²;   w = w - learning_rate·g / sqrt(v + epsilon)
    """
    w, g, (v,), scratch = pure_step_inputs(w, g, v, names=("v",))
    _rmsprop_update(w, g, v, learning_rate, rho, epsilon, scratch)
    return w, v


class RMSprop(Optimizer):
    """Keras 3 RMSprop: ``v = ρv + (1-ρ)g²; w -= lr·g / sqrt(v + ε)``.

    ``centered`` divides by sqrt(v - ḡ² + ε) with ḡ the moving average of g;
    ``momentum`` μ > 0 accumulates the increments: mom = μ·mom + inc; w -= mom.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name="rmsprop"):
        super().__init__(learning_rate, name)
        self.rho = check_hyperparameter(rho, "rho", 0.0, 1.0)
        self.momentum = check_hyperparameter(momentum, "momentum", 0.0, 1.0)
        self.epsilon = check_hyperparameter(epsilon, "epsilon")
        self.centered = bool(centered)

    @property
    def _slot_names(self):
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        return tuple(names)

    def _update(self, grad, var, slots, scratch):
        _rmsprop_update(var, grad, slots["velocity"], self.learning_rate, self.rho,
                        self.epsilon, scratch, self.momentum, slots.get("momentum"),
                        slots.get("average_gradient"))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class DeckRMSProp(Optimizer):
    """The deck's RMSProp: ``w_ave = β·w_ave + (1-β)·g²; w -= η / (ε + sqrt(w_ave)) · g``.

    Keras's ``RMSprop`` puts ε inside the root: lr·g / sqrt(v + ε). With ε = 0 both
    are the same method, ``RMSprop(learning_rate=η, rho=β, epsilon=0)``
    (``keras_equivalent``). ("w_ave" is the deck's name; it averages squared
    gradients, not weights.)
    """

    _slot_names = ("w_ave",)

    def __init__(self, learning_rate=0.001, beta=0.9, epsilon=1e-7, name="deck_rmsprop"):
        super().__init__(learning_rate, name)
        self.beta = check_hyperparameter(beta, "beta", 0.0, 1.0)
        self.epsilon = check_hyperparameter(epsilon, "epsilon")

    def _update(self, grad, var, slots, scratch):
        _deck_rmsprop_update(var, grad, slots["w_ave"], self.learning_rate, self.beta,
                             self.epsilon, scratch)

    def keras_equivalent(self):
        """``RMSprop(learning_rate=η, rho=β, epsilon=0)`` when ε = 0."""
        if self.epsilon != 0:
            raise ValueError(
                "DeckRMSProp has an exact Keras equivalent only for epsilon=0: the deck adds ε "
                "outside the root (η/(ε + sqrt(w_ave))), Keras inside (sqrt(v + ε)). "
                f"Got epsilon={self.epsilon!r}."
            )
        return RMSprop(self.learning_rate, rho=self.beta, epsilon=0.0)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "epsilon": self.epsilon}
