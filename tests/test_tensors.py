"""Rank and shape on the deck's examples; the (9,5), (4,24,6), (3,64,64), (6,3,64,64) tensors."""

import csv
import gzip
import os
import re

import numpy as np
import pytest

from dlkit import datasets
from dlkit import tensors as T

# The deck's "Tensor – Shapes" slide, typed out
DECK_SHAPES = [
    (10, 0, ()),
    ([10, 20], 1, (2,)),
    ([[10, 20], [30, 40], [50, 60]], 2, (3, 2)),
    ([[[10, 20], [30, 40], [50, 60]]] * 3, 3, (3, 3, 2)),
]


@pytest.mark.parametrize("x, rank, shape", DECK_SHAPES)
def test_rank_and_shape_of_the_decks_examples(x, rank, shape):
    assert T.rank(x) == rank
    assert T.shape(x) == shape
    assert T.rank(np.asarray(x)) == rank


def test_deck_examples():
    ex = T.deck_examples()
    assert [T.shape(ex[k]) for k in ("scalar", "vector", "matrix", "tensor")] == [
        (), (2,), (3, 2), (3, 3, 2)
    ]
    np.testing.assert_array_equal(ex["tensor"][0], [[10, 20], [30, 40], [50, 60]])
    ex["vector"][0] = 99  # a fresh copy each call
    assert T.deck_examples()["vector"][0] == 10


def test_ragged_lists_are_not_tensors():
    with pytest.raises(ValueError, match="same length"):
        T.shape([[10, 20], [30]])


# Hand-made records: day B has all of hours 0 and 2 only; day A comes later in the
# input but sorts first.
DATES = ["2011-01-02", "2011-01-02", "2011-01-01", "2011-01-01"]
HOURS = [0, 2, 23, 0]
VALUES = [[1, 10], [2, 20], [3, 30], [4, 40]]  # ints become floatx


def test_day_hour_tensor_places_records_and_fills_nan():
    tensor, mask = T.day_hour_tensor(DATES, HOURS, VALUES, return_mask=True)
    assert tensor.shape == (2, 24, 2) and tensor.dtype == np.float32
    np.testing.assert_array_equal(tensor[0, 0], [4, 40])  # 2011-01-01 hour 0
    np.testing.assert_array_equal(tensor[0, 23], [3, 30])
    np.testing.assert_array_equal(tensor[1, 2], [2, 20])
    assert mask.sum() == 4 and mask[1, 2] and not mask[1, 1]
    assert np.isnan(tensor[~mask]).all() and not np.isnan(tensor[mask]).any()


def test_day_hour_tensor_fill_value_and_dtype():
    tensor = T.day_hour_tensor(DATES, HOURS, np.array(VALUES, dtype=np.float64), fill=0)
    assert tensor.dtype == np.float64  # floating input keeps its dtype
    assert tensor.sum() == sum(map(sum, VALUES))


@pytest.mark.parametrize(
    "hours, values, message",
    [
        ([0, 2, 24, 0], VALUES, "hours must be whole numbers 0..23, got 24 at index 2."),
        ([0, 2, 1.5, 0], VALUES, "hours must be whole numbers 0..23, got 1.5 at index 2."),
        ([0, 2, float("nan"), 0], VALUES, "hours must be whole numbers 0..23, got nan at index 2."),
        ([0, 0, 23, 0], VALUES, "More than one record for 2011-01-02 hour 0."),
        (HOURS, VALUES[:3], "Expected dates of shape (n,) and values of shape (n, features), "
                            "got dates (4,) and values (3, 2)."),
        (HOURS[:3], VALUES, "hours must have shape (4,) like dates, got shape (3,)."),
        (HOURS, [1, 2, 3, 4], "Expected dates of shape (n,) and values of shape (n, features), "
                              "got dates (4,) and values (4,)."),
    ],
    ids=["hour_24", "fractional_hour", "nan_hour", "repeated", "short_values", "short_hours",
         "values_1d"],
)
def test_day_hour_tensor_says_what_was_expected_and_what_came(hours, values, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        T.day_hour_tensor(DATES, hours, values)


def _first_days_raw(n_days):
    """The first days' records read with gzip + csv only."""
    with gzip.open(os.path.join(datasets.DATA_DIR, "bike_sharing_hour.csv.gz"), "rt") as f:
        rows = list(csv.DictReader(f))
    days = sorted({r["dteday"] for r in rows})[:n_days]
    return [r for r in rows if r["dteday"] in days]


def test_bike_tensor_is_the_decks_4_24_6():
    tensor = T.bike_tensor()
    assert tensor.shape == (4, 24, 6) and tensor.dtype == np.float32
    # hour, holiday, weekday, humidity, windspeed, demand: the deck's first rows
    np.testing.assert_allclose(
        tensor[0, :4],
        [[0, 0, 6, 0.81, 0, 16], [1, 0, 6, 0.8, 0, 40],
         [2, 0, 6, 0.8, 0, 32], [3, 0, 6, 0.75, 0, 13]],
        rtol=1e-6,
    )


def test_bike_tensor_missing_hours_are_nan():
    tensor = T.bike_tensor()
    missing = np.argwhere(np.isnan(tensor).all(axis=2))
    # 2011-01-02 lacks hour 5, 2011-01-03 hours 2 and 3, 2011-01-04 hour 3
    np.testing.assert_array_equal(missing, [[1, 5], [2, 2], [2, 3], [3, 3]])
    assert np.isnan(tensor).sum() == 4 * 6
    hours = tensor[:, :, 0]
    present = ~np.isnan(hours)
    np.testing.assert_array_equal(hours[present], np.nonzero(present)[1])  # slot = hour


def test_bike_tensor_zero_fill_keeps_every_rental():
    tensor = T.bike_tensor(fill=0)
    assert not np.isnan(tensor).any()
    assert tensor[:, :, 5].sum() == sum(int(r["cnt"]) for r in _first_days_raw(4))


def test_car_tensor():
    np.testing.assert_array_equal(T.car_tensor(), datasets.car_table())
    assert T.shape(T.car_tensor()) == (9, 5) and T.rank(T.car_tensor()) == 2


def test_image_tensor():
    image = T.image_tensor()
    assert image.shape == (3, 64, 64) and image.dtype == np.uint8
    photo = datasets.grace_hopper().astype(float)
    # centre crop starts at row (600 - 512) / 2 = 44; each pixel is an 8 x 8 block mean
    for c in range(3):
        assert image[c, 0, 0] == round(photo[44:52, 0:8, c].mean())
        assert image[c, 63, 63] == round(photo[548:556, 504:512, c].mean())


def test_image_batch():
    batch = T.image_batch()
    assert batch.shape == (6, 3, 64, 64) and batch.dtype == np.uint8
    assert T.rank(batch) == 4
    photo = datasets.grace_hopper().astype(float)
    # tile 0 is the top-left 256 x 256, tile 5 the bottom-right; 4 x 4 block means
    for c in range(3):
        assert batch[0, c, 0, 0] == round(photo[0:4, 0:4, c].mean())
        assert batch[5, c, 63, 63] == round(photo[596:600, 508:512, c].mean())
    assert len({b.tobytes() for b in batch}) == 6  # six different images
