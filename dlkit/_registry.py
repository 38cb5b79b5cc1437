"""Name lookups and configs in the style of Keras's ``get(identifier)`` and ``get_config()``."""


def lookup(kind, identifier, table):
    """Return ``table[identifier]``; unknown names raise ValueError listing the valid ones.

    ``kind`` names what is looked up ("activation", "loss", ...) for the message.
    """
    if not isinstance(identifier, str):
        raise TypeError(
            f"Could not interpret {kind} identifier {identifier!r}: expected a name (str), "
            f"a callable or None, got {type(identifier).__name__}."
        )
    try:
        return table[identifier]
    except KeyError:
        valid = ", ".join(sorted(table))
        raise ValueError(f"Unknown {kind} {identifier!r}. Valid names: {valid}.") from None


def get_instance(kind, identifier, table, base):
    """Keras's ``get`` for objects built from a class (initializers, regularizers, ...).

    A name gives a new default instance of ``table[name]``, a subclass of
    ``base`` is instantiated, any other callable (an instance, a function of
    your own) is returned as it is, None gives None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if callable(identifier):
        return identifier
    return lookup(kind, identifier, table)()  # a str, or a TypeError naming what came


class Configurable:
    """``get_config()`` (the constructor arguments, as in Keras) and a repr built from it,
    so ``MaxNorm(max_value=2.0, axis=0)`` prints as the call that rebuilds it."""

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
