"""Initializers: fans, the deck's limits and stddevs, draw statistics, seeds, dtypes, get()."""

import math
import re
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlkit import config
from dlkit import initializers as I

# Independent of the code: the std of a standard normal truncated to [-a, a] is
# sqrt(1 - 2 a φ(a) / (2 Φ(a) - 1)), with φ the density and Φ the CDF.
_A = 2.0
_PHI = math.exp(-_A * _A / 2) / math.sqrt(2 * math.pi)
_CDF = 0.5 * (1 + math.erf(_A / math.sqrt(2)))
TRUNC_STD = math.sqrt(1 - 2 * _A * _PHI / (2 * _CDF - 1))

SHAPE = (400, 500)  # 200,000 draws; fan_in = 400, fan_out = 500
FAN_IN, FAN_OUT = SHAPE

GLOROT_LIMIT = math.sqrt(6 / (FAN_IN + FAN_OUT))  # the deck's formulas for SHAPE


def _uniform(limit):
    """(std, bound) of U(-limit, limit)."""
    return limit / math.sqrt(3), limit


def _truncated(sigma):
    """(std, bound) of a normal drawn with stddev sigma / 0.8796 and cut at 2 of those."""
    return sigma, 2 * sigma / TRUNC_STD


# (id, initializer, mean, (std, bound of |w - mean|)): every random initializer; None as
# bound means untruncated. All numbers come from the formulas above, not from dlkit.
Stats = namedtuple("Stats", "id make mean spread")


def _variance_scaling(mode, fan, distribution):
    """VarianceScaling(scale=3): var = 3 / fan, std sqrt(var) whatever the distribution."""
    var = 3.0 / fan
    spread = {
        "uniform": _uniform(math.sqrt(3 * var)),
        "truncated_normal": _truncated(math.sqrt(var)),
        "untruncated_normal": (math.sqrt(var), None),
    }[distribution]
    make = lambda: I.VarianceScaling(3.0, mode, distribution, seed=1)  # noqa: E731
    return Stats(f"variance_scaling_{mode}_{distribution}", make, 0.0, spread)


STATS = [
    Stats("glorot_uniform", lambda: I.GlorotUniform(seed=3), 0.0, _uniform(GLOROT_LIMIT)),
    Stats("he_uniform", lambda: I.HeUniform(seed=3), 0.0, _uniform(math.sqrt(6 / FAN_IN))),
    Stats("lecun_uniform", lambda: I.LecunUniform(seed=3), 0.0, _uniform(math.sqrt(3 / FAN_IN))),
    Stats("glorot_normal", lambda: I.GlorotNormal(seed=3), 0.0,
          _truncated(math.sqrt(2 / (FAN_IN + FAN_OUT)))),
    Stats("he_normal", lambda: I.HeNormal(seed=3), 0.0, _truncated(math.sqrt(2 / FAN_IN))),
    Stats("lecun_normal", lambda: I.LecunNormal(seed=3), 0.0, _truncated(math.sqrt(1 / FAN_IN))),
    Stats("random_normal", lambda: I.RandomNormal(mean=0.5, stddev=2.0, seed=0), 0.5, (2.0, None)),
    # TruncatedNormal does NOT correct its stddev: the values' std is 0.88 · stddev
    Stats("truncated_normal", lambda: I.TruncatedNormal(mean=1.0, stddev=0.5, seed=0), 1.0,
          (0.5 * TRUNC_STD, 2 * 0.5)),
    Stats("random_uniform", lambda: I.RandomUniform(minval=-1.0, maxval=3.0, seed=0), 1.0,
          (4 / math.sqrt(12), 2.0)),
] + [
    _variance_scaling(mode, fan, distribution)
    for mode, fan in (("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", (FAN_IN + FAN_OUT) / 2))
    for distribution in ("uniform", "truncated_normal", "untruncated_normal")
]
RANDOM_CLASSES = sorted({c for c in I.ALL.values() if issubclass(c, I.RandomInitializer)},
                        key=lambda c: c.__name__)


def test_keras_truncation_constant_is_the_truncated_normal_std():
    assert TRUNC_STD == pytest.approx(I.TRUNCATION_STD, abs=1e-12)


@pytest.mark.parametrize(
    "shape, fans",
    [((), (1, 1)), ((5,), (5, 5)), ((3, 2), (3, 2)), ((3, 4, 5), (12, 15)),
     ((2, 3, 4, 5), (24, 30)), (7, (7, 7))],
)
def test_compute_fans(shape, fans):
    assert I.compute_fans(shape) == fans


@given(st.lists(st.integers(1, 6), min_size=3, max_size=5))
def test_fans_share_the_receptive_field(shape):
    fan_in, fan_out = I.compute_fans(shape)
    assert fan_in * shape[-1] == fan_out * shape[-2]
    assert fan_in == math.prod(shape[:-1])


def test_functional_limits_and_stddevs_match_the_deck():
    shape = (3, 2)
    assert I.glorot_uniform_limit(shape) == pytest.approx(math.sqrt(6 / 5))
    assert I.he_uniform_limit(shape) == pytest.approx(math.sqrt(6 / 3))
    assert I.lecun_uniform_limit(shape) == pytest.approx(math.sqrt(3 / 3))
    # the stddev Keras draws with, before truncation shrinks it back to the deck's sigma
    assert I.glorot_normal_stddev(shape) * TRUNC_STD == pytest.approx(math.sqrt(2 / 5))
    assert I.he_normal_stddev(shape) * TRUNC_STD == pytest.approx(math.sqrt(2 / 3))
    assert I.lecun_normal_stddev(shape) * TRUNC_STD == pytest.approx(math.sqrt(1 / 3))


def test_fans_below_one_count_as_one():
    # Keras divides by max(1, fan): an empty kernel must not divide by zero
    assert I.he_uniform_limit((0, 3)) == pytest.approx(math.sqrt(6))


def _assert_moments(x, std, mean=0.0):
    n = x.size
    assert abs(x.mean(dtype=np.float64) - mean) < 5 * std / math.sqrt(n)
    assert x.std(dtype=np.float64) == pytest.approx(std, rel=0.015)


@pytest.mark.parametrize("case", STATS, ids=lambda c: c.id)
def test_draw_statistics_agree_with_the_formulas(case):
    x = case.make()(SHAPE, dtype="float64")  # 200,000 draws
    std, bound = case.spread
    _assert_moments(x, std, case.mean)
    deviation = np.abs(x - case.mean).max()
    if bound is None:  # an untruncated normal's tails pass where a truncated one stops
        assert deviation > 2 * std / TRUNC_STD
    else:  # the bound holds, and so many draws come close to it
        assert 0.99 * bound < deviation <= bound


def test_every_random_initializer_has_its_statistics_checked():
    checked = {type(case.make()) for case in STATS}
    assert set(RANDOM_CLASSES) <= checked
    modes_and_distributions = {(case.make().mode, case.make().distribution) for case in STATS
                               if type(case.make()) is I.VarianceScaling}
    assert len(modes_and_distributions) == 9


def test_defaults_are_keras_defaults():
    assert (I.RandomNormal().mean, I.RandomNormal().stddev) == (0.0, 0.05)
    assert (I.TruncatedNormal().mean, I.TruncatedNormal().stddev) == (0.0, 0.05)
    assert (I.RandomUniform().minval, I.RandomUniform().maxval) == (-0.05, 0.05)
    vs = I.VarianceScaling()
    assert (vs.scale, vs.mode, vs.distribution) == (1.0, "fan_in", "truncated_normal")
    assert I.Constant().value == 0.0


def test_normal_is_keras_alias_for_truncated_normal():
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert I.VarianceScaling(distribution="Uniform").distribution == "uniform"


@pytest.mark.parametrize(
    "init",
    [I.Zeros(), I.Ones(), I.Constant(2.5), I.RandomNormal(seed=0), I.RandomUniform(seed=0),
     I.TruncatedNormal(seed=0), I.GlorotUniform(seed=0), I.HeNormal(seed=0)],
    ids=repr,
)
def test_dtype_and_shape(init):
    assert init((3, 4)).dtype == np.float32
    assert init((3, 4), dtype="float64").dtype == np.float64
    assert init((2, 3, 4)).shape == (2, 3, 4)
    assert init(()).shape == ()
    config.set_floatx("float64")
    try:
        assert init((3,)).dtype == np.float64
    finally:
        config.set_floatx("float32")


def test_constant_values():
    np.testing.assert_array_equal(I.Zeros()((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(I.Ones()((3,)), [1, 1, 1])
    np.testing.assert_array_equal(I.Constant(7)((2,), dtype="int32"), np.array([7, 7], "int32"))


def test_float32_draws_respect_their_bounds():
    x = I.GlorotUniform(seed=5)(SHAPE)
    assert np.abs(x).max() <= np.float32(GLOROT_LIMIT)
    t = I.TruncatedNormal(stddev=1.0, seed=5)(SHAPE)
    assert np.abs(t).max() <= np.float32(2.0)


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_same_seed_same_values_other_seed_other_values(cls):
    a = cls(seed=1234)((5, 7))
    np.testing.assert_array_equal(a, cls(seed=1234)((5, 7)))  # a fresh instance
    init = cls(seed=1234)
    np.testing.assert_array_equal(init((5, 7)), init((5, 7)))  # repeated calls (Keras 3)
    assert not np.array_equal(a, cls(seed=1235)((5, 7)))


def test_unseeded_instances_repeat_themselves_but_differ_from_each_other():
    init = I.RandomNormal()
    np.testing.assert_array_equal(init((50,)), init((50,)))  # as Keras 3
    assert not np.array_equal(I.RandomNormal()((50,)), I.RandomNormal()((50,)))


def test_generator_seed_gives_a_new_draw_each_call_reproducibly():
    init = I.HeNormal(seed=np.random.default_rng(7))
    first, second = init((20,)), init((20,))
    assert not np.array_equal(first, second)
    again = I.HeNormal(seed=np.random.default_rng(7))
    np.testing.assert_array_equal(again((20,)), first)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: I.RandomNormal(stddev=0), "stddev must be > 0, got 0."),
        (lambda: I.TruncatedNormal(stddev=-1), "stddev must be > 0, got -1."),
        (lambda: I.RandomUniform(minval=2, maxval=1),
         "minval must be < maxval, got minval=2, maxval=1."),
        (lambda: I.VarianceScaling(scale=0), "scale must be > 0, got 0."),
        (lambda: I.VarianceScaling(mode="fan_sum"),
         "Unknown mode 'fan_sum'. Valid modes: fan_in, fan_out, fan_avg."),
        (lambda: I.VarianceScaling(distribution="gamma"),
         "Unknown distribution 'gamma'. Valid distributions: truncated_normal, "
         "untruncated_normal, uniform (and 'normal')."),
        (lambda: I.RandomNormal(seed=-1),
         "seed must be None, a non-negative int or a numpy.random.Generator, got -1."),
        (lambda: I.RandomNormal(seed="a"),
         "seed must be None, a non-negative int or a numpy.random.Generator, got 'a'."),
        (lambda: I.RandomNormal(mean=float("nan")), "mean must be a finite real number, got nan."),
        (lambda: I.Constant([1, 2]), "Constant takes a finite scalar number as value, got [1, 2]."),
        (lambda: I.Constant("a"), "Constant takes a finite scalar number as value, got 'a'."),
        (lambda: I.RandomUniform(seed=0)((2,), dtype="int32"),
         "A random initializer needs a floating dtype, got int32."),
    ],
    ids=["stddev_0", "stddev_negative", "min_above_max", "scale_0", "mode", "distribution",
         "seed_negative", "seed_str", "mean_nan", "constant_array", "constant_str", "int_dtype"],
)
def test_bad_arguments_say_what_was_expected_and_what_came(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


@pytest.mark.parametrize(
    "shape, came",
    [((-1, 2), "(-1, 2) (the entry -1 is not)"), ((2.5,), "(2.5,) (the entry 2.5 is not)"),
     (("a",), "('a',) (the entry 'a' is not)"), ((True, 2), "(True, 2) (the entry True is not)"),
     (None, "None")],
    ids=repr,
)
def test_bad_shapes_say_what_came(shape, came):
    message = f"shape must be a tuple of non-negative ints, got {came}."
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        I.GlorotUniform(seed=0)(shape)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        I.compute_fans(shape)


@pytest.mark.parametrize(
    "name, cls",
    [("he_normal", I.HeNormal), ("HeNormal", I.HeNormal), ("glorot_uniform", I.GlorotUniform),
     ("lecun_uniform", I.LecunUniform), ("zeros", I.Zeros), ("Constant", I.Constant),
     ("truncated_normal", I.TruncatedNormal), ("variance_scaling", I.VarianceScaling),
     ("uniform", I.RandomUniform), ("normal", I.RandomNormal)],
)
def test_get_by_name(name, cls):
    assert type(I.get(name)) is cls


def test_repr_names_the_settings():
    assert repr(I.RandomUniform(minval=-1, maxval=1, seed=2)) == (
        "RandomUniform(minval=-1.0, maxval=1.0, seed=2)"
    )
    assert repr(I.HeNormal(seed=1234)) == "HeNormal(seed=1234)"
