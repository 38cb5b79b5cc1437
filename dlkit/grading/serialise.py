"""Turn a function's return value into plain data, and back, without trusting it.

A student's function may return anything: an array, a tuple of arrays, a str, or an
object whose ``__eq__`` is always true or that imitates an array. Grading must only
ever compare plain data, so every return value goes through

    encode(value) -> (tree, arrays)     tree: JSON-able description, arrays: list of ndarray
    decode(tree, arrays) -> value        rebuilt from plain types only

and, between processes, ``dump_frame``/``read_frame`` (a JSON header plus ``.npy``
payloads read with ``allow_pickle=False``, sizes checked before anything is allocated).
Unknown objects become :class:`Opaque` markers ("got a Foo object"), never live objects.

This module imports only the standard library and NumPy: the sandboxed worker loads it
from a copy, where dlkit itself is not importable.
"""

import io
import json
import struct

import numpy as np

MAX_DEPTH = 16
MAX_LEAVES = 10_000
MAX_STR = 2_000
MAX_HEADER_BYTES = 1 << 20
MAX_ARRAY_BYTES = 64 << 20
_NUMERIC_KINDS = "biufc"


class Opaque:
    """Stands for a returned value that is not plain data (its type name only)."""

    def __init__(self, description):
        self.description = str(description)[:200]

    def __repr__(self):
        return f"<{self.description}>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.description == self.description

    __hash__ = None


class FrameError(ValueError):
    """A result frame from the sandbox is malformed or too large."""


# ------------------------------------------------------------------------- encode
def encode(value):
    """(tree, arrays) for ``value``; never calls the value's own methods.

    Containers and scalars are read through the base types' C methods
    (``tuple.__getitem__``, ``float.__float__``, ...) so a subclass that overrides
    ``__iter__`` or ``__float__`` cannot change what is recorded.
    """
    arrays = []
    state = {"leaves": 0}
    return _encode(value, arrays, state, 0), arrays


def _encode(value, arrays, state, depth):
    state["leaves"] += 1
    if depth > MAX_DEPTH or state["leaves"] > MAX_LEAVES:
        return {"t": "opaque", "d": "structure too deep or too large"}
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": value}
    if issubclass(kind, np.ndarray) or issubclass(kind, np.generic):
        return _encode_numpy(value, kind, arrays)
    if issubclass(kind, int):
        return {"t": "int", "v": int.__index__(value)}
    if issubclass(kind, float):
        return {"t": "float", "v": float.__float__(value)}
    if issubclass(kind, str):
        return {"t": "str", "v": str.__str__(value)[:MAX_STR]}
    if issubclass(kind, (tuple, list)):
        base = tuple if issubclass(kind, tuple) else list
        items = [base.__getitem__(value, i) for i in range(base.__len__(value))]
        return {"t": base.__name__, "items": [_encode(v, arrays, state, depth + 1) for v in items]}
    if issubclass(kind, dict):
        pairs = list(dict.items(value))
        return {"t": "dict", "items": [[_encode(k, arrays, state, depth + 1),
                                        _encode(v, arrays, state, depth + 1)] for k, v in pairs]}
    return {"t": "opaque", "d": f"{_type_name(kind)} object"}


def _encode_numpy(value, kind, arrays):
    if issubclass(kind, np.ndarray):
        arr = np.ndarray.view(value, np.ndarray)
    else:
        arr = np.asarray(value)
    if arr.dtype.kind not in _NUMERIC_KINDS or arr.dtype.fields is not None:
        return {"t": "opaque", "d": f"array of dtype {arr.dtype}"}
    if arr.nbytes > MAX_ARRAY_BYTES:
        return {"t": "opaque", "d": f"array of {arr.nbytes} bytes (too large)"}
    arrays.append(np.array(arr, copy=True, order="C"))
    return {"t": "array" if issubclass(kind, np.ndarray) else "scalar", "i": len(arrays) - 1}


def _type_name(kind):
    name = type.__dict__["__name__"].__get__(kind)  # a metaclass cannot fake it
    return name[:80]


# ------------------------------------------------------------------------- decode
def decode(tree, arrays):
    """Rebuild a value from ``encode``'s output using plain Python/NumPy types only."""
    return _decode(tree, arrays, 0)


def _decode(tree, arrays, depth):
    if depth > MAX_DEPTH or not isinstance(tree, dict):
        raise FrameError("malformed result tree")
    t = tree.get("t")
    if t == "none":
        return None
    if t in ("bool", "int", "float", "str"):
        return _plain(t, tree.get("v"))
    if t in ("array", "scalar"):
        arr = _array_at(arrays, tree.get("i"))
        return arr if t == "array" else arr[()]
    if t in ("tuple", "list"):
        items = [_decode(v, arrays, depth + 1) for v in _list(tree.get("items"))]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        out = {}
        for pair in _list(tree.get("items")):
            if not isinstance(pair, list) or len(pair) != 2:
                raise FrameError("malformed dict item")
            key = _decode(pair[0], arrays, depth + 1)
            out[key if isinstance(key, (str, int, float, bool, type(None))) else repr(key)] = \
                _decode(pair[1], arrays, depth + 1)
        return out
    if t == "opaque":
        return Opaque(tree.get("d", "object"))
    raise FrameError(f"unknown tree node {str(t)[:40]!r}")


def _plain(t, v):
    kinds = {"bool": bool, "int": int, "float": (float, int), "str": str}
    if not isinstance(v, kinds[t]) or (t == "int" and isinstance(v, bool)):
        raise FrameError(f"malformed {t} leaf")
    return float(v) if t == "float" else v


def _list(v):
    if not isinstance(v, list):
        raise FrameError("malformed container")
    return v


def _array_at(arrays, i):
    if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(arrays):
        raise FrameError("array index out of range")
    return arrays[i]


def roundtrip(value):
    """``decode(*encode(value))``: the plain-data view of a value, in one process."""
    tree, arrays = encode(value)
    return decode(tree, arrays)


# ------------------------------------------------------------------------- frames
# A frame: 4-byte big-endian header length, UTF-8 JSON header {"index", "tree" | "error",
# "sizes": [...]}, then one .npy blob per size.
def dump_frame(header, arrays):
    """Bytes of one result frame (``header`` must be JSON-able)."""
    blobs = []
    for arr in arrays:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        blobs.append(buf.getvalue())
    header = dict(header, sizes=[len(b) for b in blobs])
    raw = json.dumps(header).encode("utf-8")
    return struct.pack(">I", len(raw)) + raw + b"".join(blobs)


def read_frames(data, max_array_bytes=MAX_ARRAY_BYTES):
    """Parse concatenated frames from untrusted bytes -> list of (header, arrays).

    Stops at the first malformed frame (raising FrameError): whatever came before it
    is kept by the caller through the partial list attached to the error.
    """
    frames, pos = [], 0
    while pos < len(data):
        try:
            header, arrays, pos = _read_frame(data, pos, max_array_bytes)
        except FrameError as err:
            err.frames = frames
            raise
        frames.append((header, arrays))
    return frames


def _read_frame(data, pos, max_array_bytes):
    if pos + 4 > len(data):
        raise FrameError("truncated frame")
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    if length > MAX_HEADER_BYTES or pos + 4 + length > len(data):
        raise FrameError("frame header too large or truncated")
    try:
        header = json.loads(data[pos + 4:pos + 4 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FrameError("frame header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("sizes"), list):
        raise FrameError("frame header is not an object with sizes")
    pos += 4 + length
    arrays = []
    for size in header["sizes"]:
        if not isinstance(size, int) or size < 0 or size > max_array_bytes + 4096 \
                or pos + size > len(data):
            raise FrameError("array payload too large or truncated")
        arrays.append(_load_npy(data[pos:pos + size]))
        pos += size
    return header, arrays, pos


def _load_npy(blob):
    """An ndarray from untrusted .npy bytes: header checked against the payload first."""
    buf = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(buf)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = read_header(buf)
    except (ValueError, SyntaxError, TypeError, OverflowError):
        raise FrameError("invalid .npy header") from None
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None:
        raise FrameError(f"array dtype {dtype} is not numeric")
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize != len(blob) - buf.tell():
        raise FrameError("array payload does not match its header")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=buf.tell()).copy()
    return flat.reshape(shape, order="F" if fortran else "C")
