"""Offline data: the deck's car table, the bike records, splits, matplotlib sample data."""

import csv
import gzip
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from dlkit import config
from dlkit import datasets as D

# Typed from the deck's "Tensor – Examples" slide:
# wheelbase, length, enginesize, horsepower, price
DECK_CAR_TABLE = [
    [88.6, 168.8, 130, 111, 13495],
    [88.6, 168.8, 130, 111, 16500],
    [94.5, 171.2, 152, 154, 16500],
    [99.8, 176.6, 109, 102, 13950],
    [99.4, 176.6, 136, 115, 17450],
    [99.8, 177.3, 136, 110, 15250],
    [105.8, 192.7, 136, 110, 17710],
    [105.8, 192.7, 136, 110, 18920],
    [105.8, 192.7, 131, 140, 23875],
]


def _raw_rows(filename):
    """The shipped CSV read with nothing but gzip + csv (an independent path)."""
    with gzip.open(os.path.join(D.DATA_DIR, filename), "rt", newline="") as f:
        return list(csv.DictReader(f))


def test_car_table_is_the_decks_table():
    table = D.car_table()
    assert table.shape == (9, 5) and table.dtype == np.float32
    np.testing.assert_array_equal(table, np.array(DECK_CAR_TABLE, dtype=np.float32))


def test_automobile_has_205_cars_and_26_columns():
    cars = D.load_automobile()
    assert len(cars) == 26
    assert list(cars)[:3] == ["symboling", "normalized-losses", "make"]
    assert list(cars)[-1] == "price"
    assert {len(col) for col in cars.values()} == {205}


def test_automobile_missing_values():
    cars = D.load_automobile()
    assert np.isnan(cars["price"]).sum() == 4
    assert np.isnan(cars["horsepower"]).sum() == 2
    assert (cars["num-of-doors"] == "?").sum() == 2  # text columns keep '?'
    raw = _raw_rows("automobile.csv.gz")
    expected = [float("nan") if r["price"] == "?" else float(r["price"]) for r in raw]
    np.testing.assert_array_equal(cars["price"], np.array(expected, dtype=np.float32))


def test_automobile_column_types():
    cars = D.load_automobile(["make", "engine-size", "bore"])
    assert list(cars) == ["make", "engine-size", "bore"]
    assert cars["make"][0] == "alfa-romero"
    assert cars["engine-size"].dtype == np.int64
    assert cars["bore"].dtype == np.float32


def test_floatx_is_read_at_call_time():
    config.set_floatx("float64")
    try:
        assert D.load_automobile(["price"])["price"].dtype == np.float64
        assert D.car_table().dtype == np.float64
    finally:
        config.set_floatx("float32")


def test_loaded_arrays_are_the_callers_own():
    D.load_automobile(["price"])["price"][:] = -1
    assert D.load_automobile(["price"])["price"][0] == 13495


def test_unknown_columns_raise():
    with pytest.raises(ValueError, match="Valid columns"):
        D.load_automobile(["prize"])
    with pytest.raises(TypeError):
        D.load_bike_sharing("cnt")


def test_bike_sharing_records():
    bikes = D.load_bike_sharing()
    assert len(bikes) == 17 and len(bikes["cnt"]) == 17_379
    np.testing.assert_array_equal(bikes["cnt"][:4], [16, 40, 32, 13])
    np.testing.assert_array_equal(bikes["hr"][:4], [0, 1, 2, 3])
    assert bikes["dteday"][0] == "2011-01-01" and bikes["dteday"][-1] == "2012-12-31"
    np.testing.assert_allclose(bikes["hum"][:4], [0.81, 0.8, 0.8, 0.75], rtol=1e-6)


def test_bike_sharing_days_with_missing_hours():
    per_day = Counter(D.load_bike_sharing(["dteday"])["dteday"])
    assert len(per_day) == 731
    assert per_day["2011-01-02"] == 23 and per_day["2011-01-03"] == 22
    assert sum(n != 24 for n in per_day.values()) == 76


def test_car_price_dataset_drops_incomplete_rows():
    x_train, y_train, x_test, y_test = D.car_price_dataset()
    assert x_train.shape[1] == 4 and y_train.shape[1] == 1 and y_test.shape[1] == 1
    assert len(x_train) + len(x_test) == 205 - 6  # 4 without price, 2 without horsepower
    assert len(x_test) == round(0.2 * 199)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.float32 and not np.isnan(a).any()
    raw = _raw_rows("automobile.csv.gz")
    cols = ["wheel-base", "length", "engine-size", "horsepower", "price"]
    complete = sorted(
        tuple(float(r[c]) for c in cols) for r in raw if "?" not in [r[c] for c in cols]
    )
    got = np.vstack([np.hstack([x_train, y_train]), np.hstack([x_test, y_test])])
    np.testing.assert_allclose(sorted(map(tuple, got)), complete, rtol=1e-6)


def test_splits_are_seeded():
    first, again = D.car_price_dataset(seed=1), D.car_price_dataset(seed=1)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], D.car_price_dataset(seed=2)[3])


def test_car_price_dataset_other_features_and_bad_fraction():
    x_train, _, x_test, _ = D.car_price_dataset(features=["curb-weight"], test_fraction=0.5)
    assert x_train.shape[1] == 1 and len(x_train) + len(x_test) == 201
    with pytest.raises(ValueError, match="test_fraction"):
        D.car_price_dataset(test_fraction=1.0)
    with pytest.raises(ValueError, match="text"):
        D.car_price_dataset(features=["make"])


def test_bike_demand_dataset():
    x_train, y_train, x_test, y_test = D.bike_demand_dataset()
    assert x_train.shape[1] == 5 and y_train.shape[1] == 1
    assert len(x_train) + len(x_test) == 17_379 and len(x_test) == round(0.2 * 17_379)
    total = sum(int(r["cnt"]) for r in _raw_rows("bike_sharing_hour.csv.gz"))
    assert y_train.sum(dtype=np.float64) + y_test.sum(dtype=np.float64) == total


def test_grace_hopper():
    photo = D.grace_hopper()
    assert photo.shape == (600, 512, 3) and photo.dtype == np.uint8


def test_close_prices_run_oldest_first():
    prices = D.close_prices()
    assert prices.shape == (65,) and prices.dtype == np.float32
    # msft.csv's last line is 19-Jun-03 (Close 26.07), its first 19-Sep-03 (Close 29.96)
    assert prices[0] == np.float32(26.07) and prices[-1] == np.float32(29.96)
    with pytest.raises(ValueError, match="msft"):
        D.close_prices("aapl")


def test_shipped_data_and_attribution():
    readme = open(os.path.join(D.DATA_DIR, "README.md"), encoding="utf-8").read()
    for needle in ("CC BY 4.0", "10.24432/C5B01C", "10.24432/C5W894", "Schlimmer", "Fanaee-T"):
        assert needle in readme


def test_importing_datasets_does_not_import_matplotlib():
    code = "import sys, dlkit.datasets, dlkit.tensors; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
