"""Name lookups in the style of Keras's ``get(identifier)`` functions."""


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
