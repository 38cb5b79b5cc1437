"""09-initializers: fans, limits and standard deviations (dlkit.initializers).

Shapes are chosen with fan_in != fan_out, so a formula that uses the wrong fan
cannot pass by accident.
"""

import math

from dlkit.grading.exercise import Case, Exercise, Mistake, register
# The wrong variants start from the right fans: the grader's process has the reference.
from dlkit.initializers import compute_fans as _fans

I = "dlkit.initializers."
TRUNCATION = 0.87962566103423978  # std of a unit normal truncated at ±2


def shape_cases(rng, hidden):
    if not hidden:
        return [Case("a Dense kernel (3, 4)", ((3, 4),)), Case("a Dense kernel (100, 10)", ((100, 10),))]
    n_in, n_out = (int(v) for v in rng.integers(2, 300, size=2))
    return [
        Case("a vector (7,)", ((7,),)),
        Case("a convolution kernel (3, 3, 16, 32)", ((3, 3, 16, 32),)),
        Case(f"a random Dense kernel ({n_in}, {n_out + n_in})", ((n_in, n_out + n_in),)),
        Case("a (784, 128) kernel", ((784, 128),)),
    ]


def fans_swapped(shape):
    fan_in, fan_out = _fans(shape)
    return fan_out, fan_in


def fans_without_receptive_field(shape):
    return (shape[-2], shape[-1]) if len(shape) >= 2 else _fans(shape)


def glorot_fan_in_only(shape):
    return math.sqrt(6 / _fans(shape)[0])


def glorot_without_sqrt(shape):
    return 6 / sum(_fans(shape))


def glorot_normal_instead(shape):
    return math.sqrt(2 / sum(_fans(shape)))


def he_without_truncation(shape):
    return math.sqrt(2 / _fans(shape)[0])


def he_fan_avg(shape):
    return math.sqrt(2 / (sum(_fans(shape)) / 2)) / TRUNCATION


def he_multiplies_truncation(shape):
    return math.sqrt(2 / _fans(shape)[0]) * TRUNCATION


register(Exercise("09-initializers:compute_fans", I + "compute_fans", shape_cases, (
    Mistake("fans swapped", fans_swapped, "a Dense kernel is (inputs, units): fan_in = shape[-2], fan_out = shape[-1]."),
    Mistake("fans without the receptive field", fans_without_receptive_field,
            "for rank >= 3 (convolutions) multiply both fans by the receptive field prod(shape[:-2])."),
)))
register(Exercise("09-initializers:glorot_uniform_limit", I + "glorot_uniform_limit", shape_cases, (
    Mistake("Glorot with fan_in only", glorot_fan_in_only,
            "Glorot averages both fans: limit = sqrt(6 / (fan_in + fan_out)); sqrt(6 / fan_in) is He's."),
    Mistake("Glorot limit without the square root", glorot_without_sqrt, "limit = SQRT(6 / (fan_in + fan_out))."),
    Mistake("Glorot normal's sigma instead of the limit", glorot_normal_instead,
            "sqrt(2 / (fan_in + fan_out)) is glorot_normal's sigma; the uniform LIMIT is sqrt(6 / (fan_in + fan_out))."),
)))
register(Exercise("09-initializers:he_normal_stddev", I + "he_normal_stddev", shape_cases, (
    Mistake("He normal without the truncation factor", he_without_truncation,
            "Keras draws from a normal truncated at ±2σ, which shrinks the spread to 0.8796σ; "
            "it divides by 0.87962566103423978 to make up for it: sqrt(2 / fan_in) / 0.8796..."),
    Mistake("He normal with fan_avg", he_fan_avg, "He uses fan_in only: sqrt(2 / fan_in) / 0.8796..."),
    Mistake("He normal multiplied by the truncation factor", he_multiplies_truncation,
            "DIVIDE by 0.87962566103423978 (the truncation shrinks the spread, so the stddev drawn with is larger)."),
)))


# ---------------------------------------------------------------- diagnose (dlkit.diagnostics)
def norm_cases(rng, hidden):
    """Per-layer gradient norms, first layer first; ratios far from the 1e-2 / 1e2 bounds."""
    if not hidden:
        return [Case("first layer 10,000x smaller", ([1e-5, 1e-2, 0.1],)),
                Case("similar norms", ([0.8, 1.1, 1.0],))]
    scale = float(rng.uniform(0.5, 5.0))
    return [
        Case("first layer 10,000x larger", ([1e4 * scale, 10.0, scale],)),
        Case("an infinite norm", ([float("inf"), 1.0],)),
        Case("small but equal norms", ([1e-3 * scale, 1e-3 * scale, 1e-3 * scale],)),
        Case("large but equal norms", ([1e3, 1e3],)),
        Case("no gradient at all", ([0.0, 0.0, 0.0],)),
        Case("a dict of layer norms, vanishing", ({"dense": 1e-6, "dense_1": 1e-3, "dense_2": 0.5},)),
    ]


def _norms(grad_norms):
    return [float(n) for n in (grad_norms.values() if isinstance(grad_norms, dict) else grad_norms)]


def diagnose_reversed(grad_norms):
    norms = _norms(grad_norms)
    ratio = norms[-1] / norms[0] if norms[0] else math.inf
    return "vanishing" if ratio < 1e-2 else "exploding" if ratio > 1e2 or math.isnan(ratio) else "healthy"


def diagnose_absolute(grad_norms):
    first = _norms(grad_norms)[0]
    return "vanishing" if first < 1e-2 else "exploding" if first > 1e2 else "healthy"


register(Exercise("09-initializers:diagnose", "dlkit.diagnostics.diagnose", norm_cases, (
    Mistake("diagnose with the ratio reversed", diagnose_reversed,
            "compare the FIRST layer with the last: ratio = norms[0] / norms[-1]; a tiny ratio "
            "means the first layers barely learn (vanishing)."),
    Mistake("diagnose from one absolute norm", diagnose_absolute,
            "the size of one norm depends on the loss and the data; what matters is how the "
            "gradient shrinks or grows from the last layer to the first: norms[0] / norms[-1]."),
)))
