"""Initializers: fans, the deck's limits and stddevs, draw statistics, seeds, dtypes, get()."""

import math

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

# name -> (distribution, the deck's sigma or limit for SHAPE)
NAMED = {
    "glorot_uniform": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN)),
    "lecun_uniform": ("uniform", math.sqrt(3 / FAN_IN)),
    "glorot_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "he_normal": ("normal", math.sqrt(2 / FAN_IN)),
    "lecun_normal": ("normal", math.sqrt(1 / FAN_IN)),
}


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


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_initializer_statistics(name):
    distribution, spread = NAMED[name]
    x = I.get(name).__class__(seed=3)(SHAPE, dtype="float64")
    if distribution == "uniform":
        assert np.abs(x).max() <= spread and np.abs(x).max() > 0.999 * spread
        _assert_moments(x, spread / math.sqrt(3))
    else:  # truncated: final std is the deck's sigma, bound is 2 drawn stddevs
        bound = 2 * spread / TRUNC_STD
        assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound
        _assert_moments(x, spread)


def test_truncated_normal_does_not_correct_stddev():
    x = I.TruncatedNormal(mean=1.0, stddev=0.5, seed=0)(SHAPE, dtype="float64")
    assert np.all(np.abs(x - 1.0) <= 2 * 0.5)
    _assert_moments(x, 0.5 * TRUNC_STD, mean=1.0)


def test_random_normal_and_uniform_statistics():
    x = I.RandomNormal(mean=0.5, stddev=2.0, seed=0)(SHAPE, dtype="float64")
    _assert_moments(x, 2.0, mean=0.5)
    u = I.RandomUniform(minval=-1.0, maxval=3.0, seed=0)(SHAPE, dtype="float64")
    assert u.min() >= -1.0 and u.max() < 3.0
    _assert_moments(u, 4 / math.sqrt(12), mean=1.0)


def test_defaults_are_keras_defaults():
    assert (I.RandomNormal().mean, I.RandomNormal().stddev) == (0.0, 0.05)
    assert (I.TruncatedNormal().mean, I.TruncatedNormal().stddev) == (0.0, 0.05)
    assert (I.RandomUniform().minval, I.RandomUniform().maxval) == (-0.05, 0.05)
    vs = I.VarianceScaling()
    assert (vs.scale, vs.mode, vs.distribution) == (1.0, "fan_in", "truncated_normal")
    assert I.Constant().value == 0.0


@pytest.mark.parametrize(
    "mode, fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", (FAN_IN + FAN_OUT) / 2)]
)
def test_variance_scaling_modes_and_distributions(mode, fan):
    var = 3.0 / fan
    uniform = I.VarianceScaling(3.0, mode, "uniform", seed=1)(SHAPE, "float64")
    _assert_moments(uniform, math.sqrt(var))
    assert np.abs(uniform).max() <= math.sqrt(3 * var)
    plain = I.VarianceScaling(3.0, mode, "untruncated_normal", seed=1)(SHAPE, "float64")
    _assert_moments(plain, math.sqrt(var))
    assert np.abs(plain).max() > 2 * math.sqrt(var) / TRUNC_STD  # tails are not cut
    truncated = I.VarianceScaling(3.0, mode, "truncated_normal", seed=1)(SHAPE, "float64")
    _assert_moments(truncated, math.sqrt(var))


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
    assert np.abs(x).max() <= np.float32(NAMED["glorot_uniform"][1])
    t = I.TruncatedNormal(stddev=1.0, seed=5)(SHAPE)
    assert np.abs(t).max() <= np.float32(2.0)


@pytest.mark.parametrize("cls", [I.RandomNormal, I.RandomUniform, I.TruncatedNormal,
                                 I.VarianceScaling, I.GlorotNormal, I.HeUniform, I.LecunNormal])
def test_seed_reproducibility(cls):
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
    "make",
    [lambda: I.RandomNormal(stddev=0), lambda: I.RandomNormal(stddev=-1),
     lambda: I.TruncatedNormal(stddev=0), lambda: I.RandomUniform(minval=1, maxval=1),
     lambda: I.RandomUniform(minval=2, maxval=1), lambda: I.VarianceScaling(scale=0),
     lambda: I.VarianceScaling(mode="fan_sum"), lambda: I.VarianceScaling(distribution="gamma"),
     lambda: I.RandomNormal(seed=-1), lambda: I.RandomNormal(seed="a"),
     lambda: I.RandomNormal(mean=float("nan")), lambda: I.Constant([1, 2])],
)
def test_bad_arguments_raise(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("shape", [(-1, 2), (2.5,), ("a",), (True, 2), None])
def test_bad_shapes_raise(shape):
    with pytest.raises(ValueError, match="shape"):
        I.GlorotUniform(seed=0)(shape)
    with pytest.raises(ValueError, match="shape"):
        I.compute_fans(shape)


def test_random_initializer_rejects_integer_dtype():
    with pytest.raises(ValueError, match="floating"):
        I.RandomUniform(seed=0)((2,), dtype="int32")


@pytest.mark.parametrize(
    "name, cls",
    [("he_normal", I.HeNormal), ("HeNormal", I.HeNormal), ("glorot_uniform", I.GlorotUniform),
     ("lecun_uniform", I.LecunUniform), ("zeros", I.Zeros), ("Constant", I.Constant),
     ("truncated_normal", I.TruncatedNormal), ("variance_scaling", I.VarianceScaling),
     ("uniform", I.RandomUniform), ("normal", I.RandomNormal)],
)
def test_get_by_name(name, cls):
    assert type(I.get(name)) is cls


def test_get_other_identifiers():
    assert I.get(None) is None
    init = I.HeUniform(seed=1)
    assert I.get(init) is init
    assert type(I.get(I.LecunNormal)) is I.LecunNormal
    with pytest.raises(ValueError, match="he_normal"):
        I.get("he_normall")
    with pytest.raises(TypeError):
        I.get(3)


def test_repr_names_the_settings():
    assert repr(I.RandomUniform(minval=-1, maxval=1, seed=2)) == (
        "RandomUniform(minval=-1.0, maxval=1.0, seed=2)"
    )
    assert repr(I.HeNormal(seed=1234)) == "HeNormal(seed=1234)"
