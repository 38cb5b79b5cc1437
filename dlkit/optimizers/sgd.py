"""Gradient descent with momentum: Keras's SGD and the deck's velocity form.

Keras (``SGD``, ``sgd_step``)::

    m = μ·m - lr·g;   w = w + m            (nesterov: w = w + μ·m - lr·g, with the new m)
    momentum = 0:     w = w - lr·g

The deck (``DeckMomentum``, ``deck_momentum_step``)::

    V = β·V + (1-β)·g;   w = w - η·V

Unrolled, V_i = (1-β)·(g_i + β·g_{i-1} + β²·g_{i-2} + ...): the deck's coefficients
0.1, 0.09, 0.081, ... (and 0.729 on V_{i-3}) are (1-β)·β^k and β³ for β = 0.9.
The two forms are the same method: with m = -η·V, the deck's step is Keras's with
momentum μ = β and learning_rate lr = η·(1-β). So the deck's η = 0.1, β = 0.9 is
``SGD(learning_rate=0.01, momentum=0.9)`` (``momentum_deck_to_keras``).
"""

import numpy as np

from dlkit.optimizers.base import Optimizer, check_hyperparameter, pure_step_inputs


def _sgd_update(w, g, m, learning_rate, momentum, nesterov, scratch):
    """In place, in w's dtype: Keras's SGD step (m is None: no momentum slot)."""
    dt = w.dtype.type
    lr_g = np.multiply(g, dt(learning_rate), out=scratch[0])
    if m is None:
        np.subtract(w, lr_g, out=w)
        return
    mu = dt(momentum)
    np.multiply(m, mu, out=m)
    np.subtract(m, lr_g, out=m)
    if nesterov:
        # Look ahead: take the step the *next* velocity would take from here.
        step = np.multiply(m, mu, out=scratch[1])
        np.subtract(step, lr_g, out=step)
        np.add(w, step, out=w)
    else:
        np.add(w, m, out=w)


def _deck_momentum_update(w, g, v, learning_rate, beta, scratch):
    """In place: V = β·V + (1-β)·g;  w -= η·V."""
    dt = w.dtype.type
    np.multiply(v, dt(beta), out=v)
    new = np.multiply(g, dt(1 - beta), out=scratch[0])
    np.add(v, new, out=v)
    step = np.multiply(v, dt(learning_rate), out=scratch[0])
    np.subtract(w, step, out=w)


def sgd_step(w, g, m, learning_rate=0.01, momentum=0.0, nesterov=False):
    """One Keras SGD step as a pure function; returns new ``(w, m)``.

        m = momentum·m - learning_rate·g
        w = w + m                         (nesterov: w + momentum·m - learning_rate·g)

    With momentum = 0 this is plain gradient descent w - learning_rate·g (and m = -lr·g).
    """
    w, g, (m,), scratch = pure_step_inputs(w, g, m, names=("m",))
    _sgd_update(w, g, m, learning_rate, momentum, nesterov, scratch)
    return w, m


def deck_momentum_step(w, g, v, learning_rate=0.1, beta=0.9):
    """One step of the deck's momentum as a pure function; returns new ``(w, v)``.

        V = beta·V + (1-beta)·g;   w = w - learning_rate·V
    """
    w, g, (v,), scratch = pure_step_inputs(w, g, v, names=("v",))
    _deck_momentum_update(w, g, v, learning_rate, beta, scratch)
    return w, v


def momentum_deck_to_keras(learning_rate, beta):
    """Keras SGD arguments equivalent to the deck's momentum(η, β): lr = η·(1-β), μ = β.

    Derivation: put m = -η·V into V = β·V + (1-β)·g, w -= η·V and get
    m = β·m - η(1-β)·g, w += m, which is Keras's update.
    """
    return {"learning_rate": learning_rate * (1 - beta), "momentum": beta}


class SGD(Optimizer):
    """Keras 3 SGD: ``m = μ·m - lr·g; w += m`` (nesterov: ``w += μ·m - lr·g``).

    Without momentum (the default) there is no state and the step is ``w -= lr·g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD"):
        super().__init__(learning_rate, name)
        self.momentum = check_hyperparameter(momentum, "momentum", 0.0, 1.0)
        self.nesterov = bool(nesterov)

    @property
    def _slot_names(self):
        # Like Keras: a momentum slot only when momentum is used.
        return ("momentum",) if self.momentum != 0 else ()

    def _update(self, grad, var, slots, scratch):
        m = slots.get("momentum")
        _sgd_update(var, grad, m, self.learning_rate, self.momentum, self.nesterov, scratch)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class DeckMomentum(Optimizer):
    """The deck's SGD with momentum: ``V = β·V + (1-β)·g; w -= η·V`` (V starts at 0).

    Exactly Keras's ``SGD(learning_rate=η·(1-β), momentum=β)`` (see
    ``keras_equivalent``): the deck's η = 0.1, β = 0.9 is SGD(0.01, momentum=0.9).
    The deck scales the gradient by (1-β) inside V, Keras folds it into lr.
    """

    _slot_names = ("velocity",)

    def __init__(self, learning_rate=0.1, beta=0.9, name="deck_momentum"):
        super().__init__(learning_rate, name)
        self.beta = check_hyperparameter(beta, "beta", 0.0, 1.0)

    def _update(self, grad, var, slots, scratch):
        _deck_momentum_update(var, grad, slots["velocity"], self.learning_rate, self.beta, scratch)

    def keras_equivalent(self):
        """A fresh ``SGD`` taking the same steps, up to rounding (state is not copied)."""
        return SGD(**momentum_deck_to_keras(self.learning_rate, self.beta))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}
