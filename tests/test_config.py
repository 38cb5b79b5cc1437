"""dlkit.config: floatx (float32 by default, float64 on request) and epsilon, as in keras.config."""

import math
import re

import numpy as np
import pytest

from dlkit import activations, config, constraints, initializers, losses, regularizers
from dlkit._checks import as_float_array


@pytest.fixture
def restore_config():
    """Whatever a test sets, the next test starts from float32 and 1e-7."""
    yield
    config.set_floatx("float32")
    config.set_epsilon(1e-7)


def test_keras_defaults():
    assert config.floatx() == "float32"
    assert config.epsilon() == 1e-7


# Entry points of every numerics module, each given ints or a list (never a float array).
NON_FLOAT_CALLS = {
    "as_float_array": lambda: as_float_array([1, 2]),
    "scalar": lambda: as_float_array(3),
    "bools": lambda: as_float_array(np.array([True, False])),
    "activation": lambda: activations.relu([1, -2]),
    "derivative": lambda: activations.sigmoid_derivative(np.arange(3)),
    "loss": lambda: losses.mse([[1, 2]], [[2, 2]]),
    "loss_gradient": lambda: losses.mse_gradient([[1, 2]], [[2, 2]]),
    "loss_class": lambda: np.asarray(losses.MeanSquaredError()([[1]], [[3]])),
    "initializer": lambda: initializers.GlorotUniform(seed=0)((2, 2)),
    "constant_initializer": lambda: initializers.Zeros()((2,)),
    "regularizer": lambda: regularizers.L2()([1, 2]),
    "constraint": lambda: constraints.NonNeg()([[1, -1]]),
}


@pytest.mark.parametrize("call", NON_FLOAT_CALLS.values(), ids=NON_FLOAT_CALLS.keys())
@pytest.mark.parametrize("floatx", ["float32", "float64", "float16"])
def test_ints_lists_and_scalars_become_floatx(restore_config, call, floatx):
    config.set_floatx(floatx)
    assert config.floatx() == floatx
    assert call().dtype == np.dtype(floatx)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_arrays_keep_their_dtype_whatever_floatx(restore_config, dtype):
    x = np.array([[0.5, -1.0]], dtype=dtype)
    for floatx in ("float32", "float64"):
        config.set_floatx(floatx)
        assert activations.tanh(x).dtype == dtype
        assert losses.binary_crossentropy(x > 0, x.clip(0.1, 0.9)).dtype == dtype


def test_set_floatx_accepts_numpy_types(restore_config):
    config.set_floatx(np.float64)
    assert config.floatx() == "float64"
    config.set_floatx(np.dtype("float32"))
    assert config.floatx() == "float32"


@pytest.mark.parametrize("value", ["int32", "float128", "double", "", None, 5, np.int64, "Float32"],
                         ids=repr)
def test_invalid_floatx_raises_and_changes_nothing(restore_config, value):
    message = f"Unknown floatx {value!r}: expected one of float16, float32, float64."
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        config.set_floatx(value)
    assert config.floatx() == "float32"


def test_epsilon_is_the_clip_of_the_losses(restore_config):
    config.set_epsilon(1e-3)
    assert config.epsilon() == 1e-3
    # p = 0 is clipped to eps: -log(1e-3)
    assert losses.binary_crossentropy([[1.0]], [[0.0]])[0] == pytest.approx(-math.log(1e-3))
    # y = 0 in MAPE is replaced by eps: 100 · 1 / 1e-3
    assert losses.mape([[0.0]], [[1.0]])[0] == pytest.approx(1e5, rel=1e-6)


@pytest.mark.parametrize("value", [0, -1e-7, math.nan, math.inf, "1e-7", True, None], ids=repr)
def test_invalid_epsilon_raises_and_changes_nothing(restore_config, value):
    message = f"epsilon must be a finite number > 0, got {value!r}."
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        config.set_epsilon(value)
    assert config.epsilon() == 1e-7
