"""dlkit: a NumPy deep-learning library with a Keras-shaped API.

The submodules are loaded on first use (``dlkit.losses``, ``dlkit.layers``, ...),
so ``import dlkit`` stays light: the core never imports matplotlib, ipywidgets
or the grading machinery.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "config",
    "activations",
    "losses",
    "initializers",
    "regularizers",
    "constraints",
    "neuron",
    "layers",
    "models",
    "optimizers",
    "metrics",
    "callbacks",
    "diagnostics",
    "descent",
    "tensors",
    "datasets",
    "plots",
    "widgets",
    "grading",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"dlkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
