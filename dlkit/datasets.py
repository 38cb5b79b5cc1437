"""Offline data for the course: the deck's car, bike and image examples.

Shipped with dlkit (``dlkit/data``, CC BY 4.0, see its README for attribution):
    automobile.csv.gz         UCI Automobile, 205 cars x 26 columns
    bike_sharing_hour.csv.gz  UCI Bike Sharing (hour.csv), 17,379 hourly records
Read from matplotlib's own sample data (matplotlib is imported only inside the
functions that need it):
    grace_hopper.jpg          a (600, 512, 3) uint8 photo
    msft.csv                  65 daily Microsoft prices (2003)

Tables load as a dict ``{column name: 1-D array}`` in file order:
    integer columns without missing values   -> int64
    other numeric columns                    -> floatx(), '?' (missing) -> NaN
    text columns                             -> str, '?' kept as '?'
Nothing is downloaded; no pandas.
"""

import csv
import functools
import gzip
import math
import os

import numpy as np

from dlkit import config

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
MISSING = "?"
CAR_TABLE_COLUMNS = ("wheel-base", "length", "engine-size", "horsepower", "price")
BIKE_FEATURES = ("hr", "holiday", "weekday", "hum", "windspeed", "cnt")


# ---------------------------------------------------------------- CSV tables
def _parse_column(texts):
    """Strings -> int64 (whole numbers, none missing), float64 (NaN for '?') or str."""
    try:
        numbers = np.array([math.nan if t == MISSING else float(t) for t in texts])
    except ValueError:
        return np.array(texts, dtype=str)
    if not np.isnan(numbers).any() and np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers


@functools.lru_cache(maxsize=None)
def _parsed_table(filename):
    """{column: array} of a gzip CSV in DATA_DIR, parsed once (callers get copies)."""
    with gzip.open(os.path.join(DATA_DIR, filename), "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = zip(*(row for row in reader if row))
        return {name: _parse_column(texts) for name, texts in zip(header, columns)}


def _fresh_copy(column):
    """A copy the caller may modify; float columns in floatx(), read at call time."""
    return column.astype(config.floatx() if column.dtype == np.float64 else column.dtype)


def _load_table(filename, columns):
    table = _parsed_table(filename)
    wanted = tuple(table) if columns is None else _check_columns(columns, tuple(table))
    return {name: _fresh_copy(table[name]) for name in wanted}


def _check_columns(columns, header):
    if isinstance(columns, str):
        raise TypeError(f"columns must be a list of column names, got the string {columns!r}.")
    unknown = [c for c in columns if c not in header]
    if unknown:
        raise ValueError(f"Unknown column(s) {unknown}. Valid columns: {', '.join(header)}.")
    return tuple(columns)


def load_automobile(columns=None):
    """UCI Automobile as ``{column: array}`` (205 rows; '?' -> NaN in numeric columns).

    ``price`` is missing (NaN) for 4 cars and ``horsepower`` for 2; text columns
    such as ``num-of-doors`` keep '?'. ``columns`` selects and orders columns.
    """
    return _load_table("automobile.csv.gz", columns)


def load_bike_sharing(columns=None):
    """UCI Bike Sharing hour.csv as ``{column: array}`` (17,379 hourly records).

    ``dteday`` is a str array ("2011-01-01"), ``hr`` 0..23, ``cnt`` the demand.
    Some hours have no record (76 of 731 days have fewer than 24); see
    ``dlkit.tensors.day_hour_tensor`` for filling them.
    """
    return _load_table("bike_sharing_hour.csv.gz", columns)


def _stack(table, columns):
    """Columns of a loaded table side by side as an (n, len(columns)) floatx array."""
    text = [c for c in columns if table[c].dtype.kind == "U"]
    if text:
        raise ValueError(f"Column(s) {text} hold text, not numbers; choose numeric columns.")
    return np.column_stack([table[c] for c in columns]).astype(config.floatx())


def car_table():
    """The deck's (9, 5) car tensor: the first nine cars' wheel-base, length,
    engine-size, horsepower and price (no missing values among them)."""
    return _stack(load_automobile(CAR_TABLE_COLUMNS), CAR_TABLE_COLUMNS)[:9]


# ---------------------------------------------------------------- train / test splits
def _split(x, y, test_fraction, seed):
    """Shuffle rows with ``default_rng(seed)`` and hold out round(test_fraction · n) of them."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction!r}.")
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = max(1, round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def _regression_split(table, features, target, test_fraction, seed):
    """Complete rows of (features, target) -> (x_train, y_train, x_test, y_test)."""
    data = _stack(table, (*features, target))
    complete = data[~np.isnan(data).any(axis=1)]  # rows with a '?' cannot be used
    x, y = complete[:, :-1], complete[:, -1:]
    return _split(x, y, test_fraction, seed)


def car_price_dataset(features=CAR_TABLE_COLUMNS[:-1], test_fraction=0.2, seed=0):
    """Predict ``price`` from ``features`` (default: the deck's four car columns).

    Rows with a missing value ('?') in a feature or the price are dropped (6 of
    205 with the default features: 4 without price, 2 without horsepower),
    then the rows are shuffled with ``seed`` and split. Returns
    ``(x_train, y_train, x_test, y_test)``, x of shape (n, len(features)) and
    y of shape (n, 1), floatx, unscaled: standardize x (and y) before training.
    """
    table = load_automobile((*features, "price"))
    return _regression_split(table, tuple(features), "price", test_fraction, seed)


def bike_demand_dataset(features=BIKE_FEATURES[:-1], test_fraction=0.2, seed=0):
    """Predict the hourly demand ``cnt`` from ``features`` (default: the deck's
    hr, holiday, weekday, hum, windspeed). Same split and shapes as
    :func:`car_price_dataset`; the bike data has no missing values."""
    table = load_bike_sharing((*features, "cnt"))
    return _regression_split(table, tuple(features), "cnt", test_fraction, seed)


# ---------------------------------------------------------------- matplotlib sample data
def _sample_data_path(name):
    import matplotlib.cbook  # lazy: matplotlib is heavy and only these loaders need it

    return matplotlib.cbook.get_sample_data(name, asfileobj=False)


@functools.lru_cache(maxsize=None)
def _grace_hopper_pixels():
    import matplotlib.image  # reads the JPEG through Pillow

    return np.asarray(matplotlib.image.imread(_sample_data_path("grace_hopper.jpg")))


def grace_hopper():
    """The (600, 512, 3) uint8 RGB photo of Grace Hopper from matplotlib's sample data."""
    return _grace_hopper_pixels().copy()  # decoded once; the caller gets its own copy


_PRICE_FILES = {"msft": "msft.csv"}


def close_prices(name="msft"):
    """Daily Close prices, oldest first, as a 1-D floatx array.

    "msft": Microsoft, 65 trading days 2003-06-19 .. 2003-09-19 (matplotlib's
    msft.csv, which lists the newest day first; we reverse it so an
    exponential moving average runs forward in time).
    """
    if name not in _PRICE_FILES:
        raise ValueError(f"Unknown price series {name!r}. Valid names: {', '.join(_PRICE_FILES)}.")
    with open(_sample_data_path(_PRICE_FILES[name]), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r["Close"]) for r in reversed(rows)], dtype=config.floatx())
