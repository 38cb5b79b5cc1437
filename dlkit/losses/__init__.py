"""Loss functions of the deck with Keras 3 semantics, each beside its gradient.

Per-sample functions (``mean_squared_error(y_true, y_pred)`` ...) reduce only
the LAST axis, as Keras's do: a batch of shape (n, k) gives n losses. Their
``<name>_gradient`` is d(per-sample loss)/d(y_pred), shaped like y_pred.

Loss classes (``MeanSquaredError()`` ...) reduce the per-sample losses to one
number: "sum_over_batch_size" (default) = sum / number of per-sample losses,
"sum", or None/"none" (no reduction). ``loss.gradient(y_true, y_pred)`` is
d(reduced loss)/d(y_pred), what a model backpropagates.

    regression      MSE, MAE, MAPE, MSLE (aliases mse, mae, mape, msle)
    crossentropy    binary, categorical, sparse categorical (from_logits, label_smoothing)
    hinges          hinge, squared hinge, categorical hinge
    deck_norms      the deck's L1-norm and L2-norm (sums, not Keras losses)
    base/reduction  Loss, LossFunctionWrapper and the Keras reductions

Conventions: shapes of y_true and y_pred must match exactly ((n,) against
(n, 1) is an error, never a broadcast); NaN or inf is an error; epsilon =
``config.epsilon()`` (1e-7) clips probabilities, so predictions of exactly 0
or 1 give finite losses, and where a value is clipped its gradient is 0.
"""

from dlkit._registry import lookup
from dlkit.losses.base import Loss, LossFunctionWrapper
from dlkit.losses.crossentropy import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_crossentropy_gradient,
    categorical_crossentropy,
    categorical_crossentropy_gradient,
    softmax_crossentropy_gradient,
    sparse_categorical_crossentropy,
    sparse_categorical_crossentropy_gradient,
)
from dlkit.losses.deck_norms import (
    L1Norm,
    L2Norm,
    l1_norm,
    l1_norm_gradient,
    l2_norm,
    l2_norm_gradient,
)
from dlkit.losses.hinges import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    categorical_hinge_gradient,
    hinge,
    hinge_gradient,
    squared_hinge,
    squared_hinge_gradient,
)
from dlkit.losses.reduction import REDUCTIONS
from dlkit.losses.regression import (
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    mae,
    mae_gradient,
    mape,
    mape_gradient,
    mean_absolute_error,
    mean_absolute_error_gradient,
    mean_absolute_percentage_error,
    mean_absolute_percentage_error_gradient,
    mean_squared_error,
    mean_squared_error_gradient,
    mean_squared_logarithmic_error,
    mean_squared_logarithmic_error_gradient,
    mse,
    mse_gradient,
    msle,
    msle_gradient,
)

# The one table every lookup reads: per-sample function -> (its gradient, its Loss class).
_REGISTRY = {
    mean_squared_error: (mean_squared_error_gradient, MeanSquaredError),
    mean_absolute_error: (mean_absolute_error_gradient, MeanAbsoluteError),
    mean_absolute_percentage_error: (
        mean_absolute_percentage_error_gradient,
        MeanAbsolutePercentageError,
    ),
    mean_squared_logarithmic_error: (
        mean_squared_logarithmic_error_gradient,
        MeanSquaredLogarithmicError,
    ),
    binary_crossentropy: (binary_crossentropy_gradient, BinaryCrossentropy),
    categorical_crossentropy: (categorical_crossentropy_gradient, CategoricalCrossentropy),
    sparse_categorical_crossentropy: (
        sparse_categorical_crossentropy_gradient,
        SparseCategoricalCrossentropy,
    ),
    hinge: (hinge_gradient, Hinge),
    squared_hinge: (squared_hinge_gradient, SquaredHinge),
    categorical_hinge: (categorical_hinge_gradient, CategoricalHinge),
    l1_norm: (l1_norm_gradient, L1Norm),
    l2_norm: (l2_norm_gradient, L2Norm),
}

_ALIASES = {"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape}
_ALIASES.update({"msle": msle, "MSLE": msle})
_FUNCTIONS = {fn.__name__: fn for fn in _REGISTRY} | _ALIASES
_CLASSES = {cls.__name__: cls for _, cls in _REGISTRY.values()}

# Every name ``get`` knows: function names and aliases -> functions, class names -> classes.
ALL = _FUNCTIONS | _CLASSES


def get(identifier):
    """Keras's ``losses.get``: a function name or alias gives the per-sample
    function, a class name gives an instance, a callable is returned as is,
    None gives None. Unknown names raise ValueError listing the valid ones."""
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type):
        return identifier()
    obj = lookup("loss", identifier, ALL)
    return obj() if isinstance(obj, type) else obj


def get_gradient(identifier):
    """The gradient function of a per-sample loss given by name or function."""
    fn = get(identifier)
    if fn not in _REGISTRY:
        valid = ", ".join(sorted(_FUNCTIONS))
        raise ValueError(
            f"No gradient known for loss {identifier!r}: expected a per-sample loss "
            f"function or one of its names ({valid})."
        )
    return _REGISTRY[fn][0]


def get_loss_object(identifier):
    """A Loss instance for ``Model.compile(loss=...)``.

    Accepts a Loss instance (returned as is), a Loss class, a class name
    ("MeanSquaredError"), a function name or alias ("mse") or a dlkit per-sample
    function; the functions map to their class with default arguments.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        identifier = lookup("loss", identifier, ALL)
        if isinstance(identifier, type):
            return identifier()
    if callable(identifier) and identifier in _REGISTRY:
        return _REGISTRY[identifier][1]()
    raise ValueError(
        f"Could not interpret loss {identifier!r}: expected a loss name, a Loss class or "
        "instance, or a dlkit loss function. Wrap a function of your own as "
        "LossFunctionWrapper(fn, gradient=fn_gradient)."
    )
