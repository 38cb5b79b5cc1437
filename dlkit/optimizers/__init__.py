"""Optimizers with Keras 3 names, defaults and update rules, and the deck's own forms.

==========  =======================================  ==============================
method      Keras (class / pure function)            deck form (for the lessons)
==========  =======================================  ==============================
momentum    ``SGD`` / ``sgd_step``                   ``DeckMomentum`` /
                                                     ``deck_momentum_step``
Adagrad     ``Adagrad`` / ``adagrad_step``           ``DeckAdagrad``
RMSProp     ``RMSprop`` / ``rmsprop_step``           ``DeckRMSProp``
Adam        ``Adam`` / ``adam_step``                 ``DeckAdam``
==========  =======================================  ==============================

Each module states both formulas and their exact relation. Classes update NumPy
arrays in place (``opt.apply_gradients([(grad, var), ...])``, ``opt.iterations``
counts steps); the pure functions return new arrays. A class and its function run
the same in-place kernel, so each formula exists once.
"""

from dlkit._registry import lookup
from dlkit.optimizers.adagrad import Adagrad, DeckAdagrad, adagrad_step
from dlkit.optimizers.adam import Adam, DeckAdam, adam_step
from dlkit.optimizers.base import Optimizer
from dlkit.optimizers.rmsprop import DeckRMSProp, RMSprop, rmsprop_step
from dlkit.optimizers.sgd import (
    SGD,
    DeckMomentum,
    deck_momentum_step,
    momentum_deck_to_keras,
    sgd_step,
)

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam",
    "DeckMomentum", "DeckAdagrad", "DeckRMSProp", "DeckAdam",
    "sgd_step", "deck_momentum_step", "adagrad_step", "rmsprop_step", "adam_step",
    "momentum_deck_to_keras", "keras_equivalent", "get", "ALL",
]

ALL = {
    "sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam,
    "SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam,
}


def get(identifier):
    """An optimizer from a name ("sgd", "adam", "Adam", ...) with Keras defaults, or as given.

    Unknown names raise ValueError listing the valid ones.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    return lookup("optimizer", identifier, ALL)()


def keras_equivalent(deck_optimizer):
    """A fresh Keras-form optimizer taking the same steps as ``deck_optimizer``.

    Exact for ``DeckMomentum`` (``SGD(learning_rate=η(1-β), momentum=β)``); for the
    deck's Adagrad, RMSProp and (correctly bias-corrected) Adam only when epsilon=0,
    otherwise ValueError explains why no Keras setting matches.
    """
    if not hasattr(deck_optimizer, "keras_equivalent"):
        raise TypeError(
            "keras_equivalent expects a deck optimizer (DeckMomentum, DeckAdagrad, "
            f"DeckRMSProp, DeckAdam), got {deck_optimizer!r}."
        )
    return deck_optimizer.keras_equivalent()
