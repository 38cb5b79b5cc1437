"""10-capstone: a model must predict car prices on held-out data with a small enough error.

``check("10-capstone:model", model)`` calls ``model.predict(x_test)`` on the raw
(unscaled) held-out features of ``dlkit.datasets.car_price_dataset()`` (default
features and split) and passes when the mean absolute error is at most TARGET_MAE
dollars. The model may use dlkit (it is the point of the capstone); any object
with a ``predict`` method works, so scaling can live inside it.
"""

import numpy as np

from dlkit.grading.exercise import Case, Exercise, register
from dlkit.grading.verdict import Verdict

TARGET_MAE = 2500.0  # dollars; predicting the training mean gives about 4,850


def _split():
    from dlkit.datasets import car_price_dataset
    return car_price_dataset()


def capstone_cases(rng, hidden):
    _, _, x_test, _ = _split()
    return [Case(f"the {len(x_test)} held-out cars of car_price_dataset()", (x_test,))]


def judge(exercise, cases, outcomes, hidden):
    """Pass when MAE(model.predict(x_test), y_test) <= TARGET_MAE."""
    y_test = _split()[3].reshape(-1).astype(np.float64)
    got = outcomes[0]
    if not got.ok:
        return Verdict(False, f"model.predict(x_test) raised {got.error}")
    pred = got.value
    if not isinstance(pred, np.ndarray) or pred.dtype.kind not in "iuf" or pred.size != y_test.size:
        return Verdict(False, f"model.predict(x_test) must return {y_test.size} numbers (shape "
                              f"({y_test.size}, 1)), got {getattr(pred, 'shape', type(pred).__name__)}.")
    mae = float(np.mean(np.abs(pred.reshape(-1).astype(np.float64) - y_test)))
    if not mae <= TARGET_MAE:
        return Verdict(False, f"the mean absolute error on the held-out cars is {mae:,.0f} dollars; "
                              f"the target is {TARGET_MAE:,.0f}. Hint: standardize the inputs (and "
                              "the prices) before training, and train longer or with more units.")
    return Verdict(True)


register(Exercise("10-capstone:model", "dlkit.datasets.car_price_dataset", capstone_cases,
                  from_scratch=False, method="predict", judge=judge))
