"""Tensors as the deck defines them: an n-dimensional array of one base type.

    rank  = number of dimensions (0 scalar, 1 vector, 2 matrix, 3+ tensor)
    shape = the length along each dimension, e.g. (3, 2) for 3 rows of 2

and the deck's example tensors, built from real data:

    car_tensor()    (9, 5)          9 cars x (wheel-base, length, engine-size, horsepower, price)
    bike_tensor()   (4, 24, 6)      4 days x 24 hours x (hr, holiday, weekday, hum, windspeed, cnt)
    image_tensor()  (3, 64, 64)     RGB channels x height x width (channels first)
    image_batch()   (6, 3, 64, 64)  6 images of that kind
"""

import numpy as np

from dlkit import config, datasets
from dlkit._checks import as_array, as_float_array

HOURS = 24
IMAGE_SIZE = 64


# ---------------------------------------------------------------- rank and shape
def rank(x):
    """The number of dimensions of x: 0 for 10, 1 for [10, 20], 2 for [[10, 20], [30, 40]]."""
    return as_array(x).ndim


def shape(x):
    """The length of x along each dimension: () for 10, (2,) for [10, 20], (3, 2) for
    [[10, 20], [30, 40], [50, 60]]. len(shape(x)) == rank(x)."""
    return as_array(x).shape


def deck_examples():
    """The deck's "Tensor – Dimensions/Shapes" examples by name, as new int arrays.

    scalar 10: shape (); vector [10, 20]: (2,); matrix [[10, 20], [30, 40], [50, 60]]:
    (3, 2); tensor: three such matrices, (3, 3, 2). The deck writes only the first
    of the three; the other two continue its counting (70, 80, ... 180).
    """
    return {
        "scalar": np.array(10),
        "vector": np.array([10, 20]),
        "matrix": np.array([[10, 20], [30, 40], [50, 60]]),
        "tensor": np.arange(10, 190, 10).reshape(3, 3, 2),
    }


# ---------------------------------------------------------------- (days, 24, features)
def _check_hours(hours, n):
    hours = as_float_array(hours, "hours", dtype=np.float64)
    if hours.shape != (n,):
        raise ValueError(f"hours must have shape ({n},) like dates, got shape {hours.shape}.")
    bad = (hours != np.round(hours)) | (hours < 0) | (hours >= HOURS)  # NaN is bad too
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"hours must be whole numbers 0..23, got {hours[i]:g} at index {i}.")
    return hours.astype(np.int64)


def day_hour_tensor(dates, hours, values, fill=np.nan, return_mask=False):
    """Arrange hourly records as a (days, 24, features) tensor.

    ``dates`` (n,) day labels (e.g. "2011-01-01"; days are sorted, so ISO dates
    come out in time order), ``hours`` (n,) whole numbers 0..23, ``values``
    (n, features). Record i goes to [day of dates[i], hours[i], :].

    Hours without a record are filled explicitly with ``fill`` in every feature
    (NaN by default, so a missing hour cannot pass for a real one; fill=0 says
    "no rentals"). Days without any record do not appear. A repeated
    (date, hour) raises ValueError. With ``return_mask=True`` also returns the
    (days, 24) bool array that is True where a record existed.
    """
    dates = np.asarray(dates)
    values = as_float_array(values, "values")
    if dates.ndim != 1 or values.ndim != 2 or len(values) != len(dates):
        raise ValueError(
            f"Expected dates of shape (n,) and values of shape (n, features), got dates "
            f"{dates.shape} and values {values.shape}."
        )
    hours = _check_hours(hours, len(dates))
    days, day_index = np.unique(dates, return_inverse=True)
    present = np.zeros((len(days), HOURS), dtype=int)
    np.add.at(present, (day_index, hours), 1)
    if (present > 1).any():
        d, h = np.argwhere(present > 1)[0]
        raise ValueError(f"More than one record for {days[d]} hour {h}.")
    tensor = np.full((len(days), HOURS, values.shape[1]), fill, dtype=values.dtype)
    tensor[day_index, hours] = values
    return (tensor, present == 1) if return_mask else tensor


def bike_tensor(n_days=4, features=datasets.BIKE_FEATURES, fill=np.nan):
    """The deck's (4, 24, 6) demand tensor: the first ``n_days`` days of the bike
    data, 24 hours each, features hr, holiday, weekday, hum, windspeed, cnt.

    2011-01-02 has 23 records and 2011-01-03 has 22; their missing hours hold
    ``fill`` (NaN by default), see :func:`day_hour_tensor`.
    """
    table = datasets.load_bike_sharing(("dteday", "hr", *features))
    first_days = np.unique(table["dteday"])[:n_days]
    keep = np.isin(table["dteday"], first_days)
    values = np.column_stack([table[f][keep] for f in features]).astype(config.floatx())
    return day_hour_tensor(table["dteday"][keep], table["hr"][keep], values, fill=fill)


def car_tensor():
    """The deck's (9, 5) car tensor (see :func:`dlkit.datasets.car_table`)."""
    return datasets.car_table()


# ---------------------------------------------------------------- images
def _downsample(square, size=IMAGE_SIZE):
    """(s, s, 3) uint8 -> (3, size, size) uint8: the mean of each (s/size)² pixel block,
    rounded, channels moved first (channels-first, as on the slide)."""
    block = square.shape[0] // size
    blocks = square[: block * size, : block * size].reshape(size, block, size, block, 3)
    means = blocks.mean(axis=(1, 3))
    return np.rint(means).astype(np.uint8).transpose(2, 0, 1)


def image_tensor():
    """The deck's (3, 64, 64) image: Grace Hopper's photo (600 x 512) centre-cropped
    to 512 x 512 (rows 44..555) and shrunk 8x by averaging 8 x 8 pixel blocks."""
    photo = datasets.grace_hopper()
    top = (photo.shape[0] - photo.shape[1]) // 2
    return _downsample(photo[top : top + photo.shape[1]])


def image_batch():
    """The deck's (6, 3, 64, 64) batch: six 256 x 256 tiles of the photo (3 rows at
    top = 0, 172, 344 by 2 columns at left = 0, 256), each averaged 4 x 4 to 64 x 64.
    Tiles are in reading order (top-left first)."""
    photo = datasets.grace_hopper()
    side = 256
    tops = np.linspace(0, photo.shape[0] - side, 3).astype(int)
    lefts = (0, photo.shape[1] - side)
    tiles = [photo[t : t + side, l : l + side] for t in tops for l in lefts]
    return np.stack([_downsample(tile) for tile in tiles])
