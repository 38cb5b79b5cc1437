"""serialise: student return values become plain data; untrusted frames cannot fool the parent."""

import io
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from dlkit.grading.serialise import FrameError, Opaque, dump_frame, encode, read_frames, roundtrip


class Always:
    shape, ndim, dtype = (3,), 1, np.dtype("float32")

    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class SneakyTuple(tuple):
    def __iter__(self):
        return iter(("fake",))


class SneakyFloat(float):
    def __float__(self):
        return 42.0


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(hnp.floating_dtypes(sizes=(32, 64)) | hnp.integer_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3)))
def test_arrays_roundtrip_exactly(arr):
    back = roundtrip(arr)
    assert type(back) is np.ndarray and back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


def test_plain_values_keep_their_types():
    value = (np.float32(1.5), 2, 2.5, "minimum", None, True, [1, 2], {"momentum": 0.9})
    back = roundtrip(value)
    assert back == value and [type(v) for v in back] == [type(v) for v in value]


def test_hostile_objects_become_plain_data_or_markers():
    assert roundtrip(Always()) == Opaque("Always object")
    liar = roundtrip(np.zeros(3).view(Liar))
    assert type(liar) is np.ndarray and not (liar == np.ones(3)).any()
    assert roundtrip(SneakyTuple((1, 2))) == (1, 2)
    assert roundtrip(SneakyFloat(0.5)) == 0.5 and type(roundtrip(SneakyFloat(0.5))) is float
    assert roundtrip(np.array([Always()], dtype=object)) == Opaque("array of dtype object")


def test_frames_roundtrip_and_reject_garbage():
    tree, arrays = encode((np.arange(3.0), "x"))
    data = dump_frame({"index": 0, "tree": tree}, arrays) + dump_frame({"index": 1, "error": "E: x"}, [])
    frames = read_frames(data)
    assert [h["index"] for h, _ in frames] == [0, 1]
    with pytest.raises(FrameError):
        read_frames(data + b"\x00\x00\x00\x05{bad")
    with pytest.raises(FrameError) as info:
        read_frames(data + b"garbage!")
    assert len(info.value.frames) == 2  # what came before the garbage is kept


def _npy_frame(blob):
    header = b'{"index": 0, "tree": {"t": "array", "i": 0}, "sizes": [%d]}' % len(blob)
    return struct.pack(">I", len(header)) + header + blob


def test_npy_header_claiming_a_huge_array_is_rejected_without_allocating():
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False,
                                               "shape": (10**12,)})
    with pytest.raises(FrameError, match="does not match"):
        read_frames(_npy_frame(buf.getvalue() + b"\x00" * 16))


def test_pickled_object_arrays_are_rejected():
    buf = io.BytesIO()
    np.save(buf, np.array([1, "a"], dtype=object), allow_pickle=True)
    with pytest.raises(FrameError, match="not numeric"):
        read_frames(_npy_frame(buf.getvalue()))
