"""The Loss classes' common machinery, as Keras's ``Loss`` and ``LossFunctionWrapper``.

A Loss computes per-sample losses (one axis, ``self.axis``, reduced away),
weights them and reduces them to one number; ``loss.gradient`` is the
gradient of that number with respect to y_pred, what a model backpropagates:

    L = reduce(w · loss_i)    dL/dŷ = reduction_scale_i · d loss_i / dŷ
"""

import numpy as np

from dlkit._registry import Configurable
from dlkit.losses._inputs import shape_without
from dlkit.losses.reduction import (
    broadcast_weights,
    reduce_values,
    reduction_scale,
    standardize_reduction,
)


class Loss(Configurable):
    """Base class: reduces per-sample losses to one number, as Keras's ``Loss``.

    Subclasses define ``call(y_true, y_pred)`` (the per-sample losses, with the
    axis ``self.axis`` reduced) and ``call_gradient(y_true, y_pred)`` (their
    gradient w.r.t. y_pred). ``loss(y_true, y_pred, sample_weight)`` weights and
    reduces them; ``loss.gradient(...)`` is the gradient of that number.
    """

    axis = -1
    _fused_activation = None

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        self.name = name or type(self).__name__
        self.reduction = standardize_reduction(reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def call_gradient(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call_gradient(y_true, y_pred)."
        )

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Reduced loss: Σ w·loss / (number of per-sample losses), Σ w·loss, or w·loss."""
        values = np.asarray(self.call(y_true, y_pred))
        weights = broadcast_weights(sample_weight, values.shape, values.dtype)
        return reduce_values(values if weights is None else values * weights, self.reduction)

    def gradient(self, y_true, y_pred, sample_weight=None):
        """d(reduced loss)/d(y_pred), shaped like y_pred.

        With reduction None/"none" the loss is not one number: this is then the
        gradient of Σ w·loss, i.e. each sample's own (weighted) gradient.
        """
        return self._reduce_gradient(self.call_gradient(y_true, y_pred), sample_weight)

    def _reduce_gradient(self, grad, sample_weight):
        """Chain rule through the reduction: each sample's gradient times its scale."""
        grad = np.asarray(grad)
        values_shape = shape_without(grad.shape, self.axis)
        weights = broadcast_weights(sample_weight, values_shape, grad.dtype)
        scale = reduction_scale(values_shape, weights, self.reduction, grad.dtype)
        return grad * np.expand_dims(scale, self.axis)

    @property
    def logits_activation(self):
        """Name of the activation ("sigmoid"/"softmax") whose output this loss can
        fuse with (see :meth:`logits_gradient`), or None."""
        return None if getattr(self, "from_logits", False) else self._fused_activation

    def logits_gradient(self, y_true, logits, sample_weight=None):
        """d(reduced loss)/d(logits) when y_pred = logits_activation(logits).

        Fused form (σ(z) - y or softmax(z) - y, over the batch size): what a model
        with a sigmoid/softmax output layer backpropagates instead of chaining
        the clipped dL/dŷ through the activation.
        """
        raise TypeError(f"{self.name} has no fused activation + loss gradient.")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function ``fn`` and its ``gradient`` function.

    ``kwargs`` are the function's own options (from_logits, axis, ...): they are
    passed to both functions and kept as attributes (``loss.from_logits``), as
    on Keras's classes. Without ``gradient`` the loss can be evaluated but not
    trained on.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, gradient=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self.gradient_fn = gradient
        self._fn_kwargs = kwargs
        for option, value in kwargs.items():
            setattr(self, option, value)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def call_gradient(self, y_true, y_pred):
        return self._gradient_fn()(y_true, y_pred, **self._fn_kwargs)

    def logits_gradient(self, y_true, logits, sample_weight=None):
        if self._fused_activation is None:
            return super().logits_gradient(y_true, logits, sample_weight)
        kwargs = dict(self._fn_kwargs, from_logits=True)
        return self._reduce_gradient(self._gradient_fn()(y_true, logits, **kwargs), sample_weight)

    def _gradient_fn(self):
        if self.gradient_fn is None:
            raise NotImplementedError(
                f"Loss {self.name!r} has no gradient: pass gradient=<function of "
                "(y_true, y_pred)> to LossFunctionWrapper."
            )
        return self.gradient_fn

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
