"""Adagrad: a per-weight learning rate that shrinks with the sum of squared gradients.

Keras (``Adagrad``, ``adagrad_step``), accumulator starting at 0.1::

    acc = acc + g²;   w = w - lr·g / sqrt(acc + ε)

The deck (``DeckAdagrad``), sum starting at 0::

    η_i = η / (ε + sqrt(Σ g²));   w = w - η_i·g

The differences are where ε sits (outside the root in the deck, inside in Keras) and
the start of the sum (0 vs ``initial_accumulator_value`` = 0.1). With ε = 0 the deck's
form is exactly ``Adagrad(initial_accumulator_value=0, epsilon=0)``; otherwise the two
differ most in the first steps, while the accumulated sum is still small.
"""

import numpy as np

from dlkit.optimizers.base import Optimizer, check_hyperparameter, pure_step_inputs


def _adagrad_update(w, g, acc, learning_rate, epsilon, scratch):
    """In place: acc += g²;  w -= lr·g / sqrt(acc + ε)."""
    dt = w.dtype.type
    square = np.multiply(g, g, out=scratch[0])
    np.add(acc, square, out=acc)
    root = np.add(acc, dt(epsilon), out=scratch[0])
    np.sqrt(root, out=root)
    step = np.multiply(g, dt(learning_rate), out=scratch[1])
    np.divide(step, root, out=step)
    np.subtract(w, step, out=w)


def _deck_adagrad_update(w, g, acc, learning_rate, epsilon, scratch):
    """In place: acc += g²;  w -= η / (ε + sqrt(acc)) · g."""
    dt = w.dtype.type
    square = np.multiply(g, g, out=scratch[0])
    np.add(acc, square, out=acc)
    rate = np.sqrt(acc, out=scratch[0])
    np.add(rate, dt(epsilon), out=rate)
    np.divide(dt(learning_rate), rate, out=rate)  # the deck's per-weight η_i
    np.multiply(rate, g, out=rate)
    np.subtract(w, rate, out=w)


def adagrad_step(w, g, acc, learning_rate=0.001, epsilon=1e-7):
    """One Keras Adagrad step as a pure function; returns new ``(w, acc)``.

        acc = acc + g²;   w = w - learning_rate·g / sqrt(acc + epsilon)

    (Keras starts ``acc`` at ``initial_accumulator_value`` = 0.1, not 0.)
    """
    w, g, (acc,), scratch = pure_step_inputs(w, g, acc, names=("acc",))
    _adagrad_update(w, g, acc, learning_rate, epsilon, scratch)
    return w, acc


class Adagrad(Optimizer):
    """Keras 3 Adagrad: ``acc += g²; w -= lr·g / sqrt(acc + ε)``, acc starts at 0.1."""

    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="adagrad"):
        super().__init__(learning_rate, name)
        self.initial_accumulator_value = check_hyperparameter(
            initial_accumulator_value, "initial_accumulator_value")
        self.epsilon = check_hyperparameter(epsilon, "epsilon")

    def _make_slots(self, var):
        return {"accumulator": np.full_like(var, self.initial_accumulator_value)}

    def _update(self, grad, var, slots, scratch):
        _adagrad_update(var, grad, slots["accumulator"], self.learning_rate, self.epsilon,
                        scratch)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class DeckAdagrad(Optimizer):
    """The deck's Adagrad: ``w -= η / (ε + sqrt(Σg²)) · g``, the sum starting at 0.

    Keras's ``Adagrad`` differs in two places: its sum starts at 0.1 and its ε sits
    inside the square root. Only with ε = 0 are they the same method:
    ``Adagrad(initial_accumulator_value=0, epsilon=0)`` (``keras_equivalent``). A zero
    first gradient then gives 0/0 in both, which is why real code keeps an ε.
    """

    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, epsilon=1e-7, name="deck_adagrad"):
        super().__init__(learning_rate, name)
        self.epsilon = check_hyperparameter(epsilon, "epsilon")

    def _update(self, grad, var, slots, scratch):
        _deck_adagrad_update(var, grad, slots["accumulator"], self.learning_rate, self.epsilon,
                             scratch)

    def keras_equivalent(self):
        """``Adagrad(learning_rate, initial_accumulator_value=0, epsilon=0)`` when ε = 0."""
        if self.epsilon != 0:
            raise ValueError(
                "DeckAdagrad has an exact Keras equivalent only for epsilon=0: the deck adds "
                "ε outside the root (η/(ε + sqrt(Σg²))), Keras inside (sqrt(acc + ε)), and "
                f"Keras starts acc at 0.1. Got epsilon={self.epsilon!r}."
            )
        return Adagrad(self.learning_rate, initial_accumulator_value=0.0, epsilon=0.0)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
