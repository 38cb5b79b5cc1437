"""01-tensors: rank, shape and the (days, 24, features) tensor (dlkit.tensors)."""

import numpy as np

from dlkit.grading.catalogue._inputs import f32, f64, normal
from dlkit.grading.compare import Tolerance
from dlkit.grading.exercise import Case, Exercise, Mistake, register

T = "dlkit.tensors."


def tensor_cases(rng, hidden):
    """The deck's examples: a scalar, a vector, a matrix, images; lists as well as arrays."""
    if not hidden:
        return [Case("the scalar 10", (10,)), Case("the vector [10, 20]", ([10, 20],)),
                Case("a (9, 5) table", (np.zeros((9, 5)),))]
    return [
        Case("a (3, 2) matrix as nested lists", ([[10, 20], [30, 40], [50, 60]],)),
        Case("a (4, 24, 6) tensor", (np.zeros((4, 24, 6), dtype=np.float32),)),
        Case("a batch of images (6, 3, 64, 64)", (np.zeros((6, 3, 64, 64), dtype=np.uint8),)),
        Case("an empty vector", (np.zeros((0,)),)),
        Case("a random (2, 1, 5) tensor", (normal(rng, (2, 1, 5)),)),
    ]


def day_hour_cases(rng, hidden):
    dates = ["2011-01-01"] * 3 + ["2011-01-02"] * 2
    hours = [0, 1, 23, 0, 5]
    values = f64([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]])
    if not hidden:
        return [Case("two days with missing hours", (dates, hours, values))]
    n = 30
    picks = rng.choice(3 * 24, size=n, replace=False)
    days = [f"2012-03-0{1 + p // 24}" for p in picks]
    return [
        Case("records out of order, fill=0", (dates[::-1], hours[::-1], values[::-1]), {"fill": 0.0}),
        Case(f"{n} random records over 3 days, float32", (days, picks % 24, normal(rng, (n, 3)))),
        Case("one complete day", (["2011-02-01"] * 24, list(range(24)), f32(np.arange(24.0)[:, None]))),
    ]


def rank_len(x):
    return len(x) if hasattr(x, "__len__") else 0


def rank_size(x):
    return int(np.size(x))


def shape_as_list(x):
    return list(np.shape(x))


def shape_reversed(x):
    return tuple(reversed(np.shape(x)))


def day_hour_fill_zero(dates, hours, values, fill=np.nan):
    return _day_hour(dates, hours, values, 0.0)


def day_hour_hours_first(dates, hours, values, fill=np.nan):
    return np.swapaxes(_day_hour(dates, hours, values, fill), 0, 1)


def _day_hour(dates, hours, values, fill):
    values = np.asarray(values)
    days, index = np.unique(np.asarray(dates), return_inverse=True)
    out = np.full((len(days), 24, values.shape[1]), fill, dtype=values.dtype)
    out[index, np.asarray(hours)] = values
    return out


register(Exercise("01-tensors:rank", T + "rank", tensor_cases, (
    Mistake("rank as len", rank_len, "len(x) is the size of the FIRST axis; the rank is the number of axes: np.ndim(x)."),
    Mistake("rank as size", rank_size, "np.size(x) counts the elements; the rank counts the axes: np.ndim(x)."),
)))
register(Exercise("01-tensors:shape", T + "shape", tensor_cases, (
    Mistake("shape as a list", shape_as_list, "a shape is a tuple, like np.shape(x) returns: (9, 5), not [9, 5]."),
    Mistake("shape reversed", shape_reversed, "list the axes from the outermost: (rows, columns, ...)."),
), tolerance=Tolerance(strict_sequences=True)))
register(Exercise("01-tensors:day_hour_tensor", T + "day_hour_tensor", day_hour_cases, (
    Mistake("missing hours filled with 0", day_hour_fill_zero,
            "hours without a record must hold the `fill` argument (NaN by default), so a missing "
            "hour cannot pass for 0 rentals."),
    Mistake("hours before days", day_hour_hours_first, "the tensor is (days, 24, features): days first."),
)))
