"""check(): the one-line test-cell API, its messages and what it refuses."""

import numpy as np
import pytest

import dlkit.activations
from dlkit.grading import check


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def naive_softmax(x, axis=-1):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


def test_a_correct_function_passes_silently(capsys):
    assert check("03-activations:softmax", softmax) is None
    assert check("03-activations:softmax", softmax, hidden=True) is None
    assert capsys.readouterr() == ("", "")  # overflow warnings of other code never leak


def test_failure_names_input_expected_got_and_the_mistake():
    with pytest.raises(AssertionError) as info:
        check("03-activations:softmax", naive_softmax, hidden=True)
    text = str(info.value)
    assert "hidden test 1 of" in text and "large logits |x| >= 1000" in text
    assert "call:     softmax(float32 array (2, 3) [[ 1000." in text
    assert "expected: float32 array (2, 3)" in text and "got:      float32 array (2, 3) [[nan" in text
    assert "Hint: exp(1000) overflows" in text


def test_an_exception_in_the_students_code_is_reported_as_the_outcome():
    def broken(x, axis=-1):
        raise ZeroDivisionError("oops")
    with pytest.raises(AssertionError, match="it raised ZeroDivisionError: oops"):
        check("03-activations:softmax", broken)


def test_inputs_are_fresh_copies_for_every_call():
    def mutating(x, axis=-1):
        result = softmax(x, axis)
        x[...] = 0  # would corrupt later cases (and the reference) if inputs were shared
        return result
    check("03-activations:softmax", mutating, hidden=True)


def test_dlkits_own_function_is_refused_for_from_scratch_exercises():
    with pytest.raises(AssertionError, match="write it yourself"):
        check("03-activations:softmax", dlkit.activations.softmax)


def test_unknown_exercise_lists_the_valid_ids():
    with pytest.raises(ValueError, match="03-activations:softmax"):
        check("03-activations:softmaxx", softmax)


def test_capstone_is_judged_by_held_out_error():
    from dlkit.datasets import car_price_dataset
    x_train, y_train, _, _ = car_price_dataset()

    class Linear:
        def __init__(self):
            a = np.c_[x_train, np.ones(len(x_train))].astype(np.float64)
            self.w = np.linalg.lstsq(a, y_train.astype(np.float64), rcond=None)[0]

        def predict(self, x):
            return np.c_[x, np.ones(len(x))] @ self.w

    class Mean:
        def predict(self, x):
            return np.full((len(x), 1), float(y_train.mean()))

    check("10-capstone:model", Linear())
    with pytest.raises(AssertionError, match="mean absolute error on the held-out cars"):
        check("10-capstone:model", Mean())
