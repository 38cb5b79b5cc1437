"""Weight initializers, with Keras 3's names, defaults and numbers.

An initializer is a callable ``init(shape, dtype=None)`` that returns a new
array of that shape, of ``dtype`` or ``floatx()``; ``seed=`` makes the draws
reproducible (the deck uses seed=1234).

    fans                compute_fans and the deck's formulas (glorot_uniform_limit, ...)
    constant            Zeros, Ones, Constant
    random_initializers RandomNormal, TruncatedNormal, RandomUniform
    variance_scaling    VarianceScaling, GlorotNormal/Uniform, HeNormal/Uniform, LecunNormal/Uniform
    base                Initializer, RandomInitializer (how seeds work)

``get("he_normal")`` (or ``get("HeNormal")``) returns a ``HeNormal`` instance, as in Keras.
"""

from dlkit._registry import get_instance
from dlkit.initializers.base import Initializer, RandomInitializer
from dlkit.initializers.constant import Constant, Ones, Zeros
from dlkit.initializers.fans import (
    TRUNCATION_STD,
    compute_fans,
    glorot_normal_stddev,
    glorot_uniform_limit,
    he_normal_stddev,
    he_uniform_limit,
    lecun_normal_stddev,
    lecun_uniform_limit,
)
from dlkit.initializers.random_initializers import RandomNormal, RandomUniform, TruncatedNormal
from dlkit.initializers.variance_scaling import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
)

_CLASSES = (
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform,
)
_SNAKE_NAMES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_normal": GlorotNormal,
    "glorot_uniform": GlorotUniform, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    # Keras's short aliases
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
}
ALL = {**{cls.__name__: cls for cls in _CLASSES}, **_SNAKE_NAMES}


def get(identifier):
    """Return an initializer instance.

    A name ("he_normal" or "HeNormal") gives a new default instance, a class is
    instantiated, an instance or any callable is returned as it is, None gives None.
    Unknown names raise ValueError listing the valid ones.
    """
    return get_instance("initializer", identifier, ALL, Initializer)
