"""What a graded exercise is, and the registry of all of them.

An exercise ``"<assignment>:<function>"`` names a dlkit reference with the same
signature as the student's function, a generator of test cases (visible ones for
feedback while working, hidden ones for the grade) and a catalogue of known wrong
variants, each with a hint in plain words.
"""

import copy
import importlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from dlkit.grading.compare import DEFAULT, Tolerance

# Public seeds for the checks run inside the student's kernel. The authoritative grade
# draws its hidden cases from a secret seed instead (see dlkit.grading.trusted).
VISIBLE_SEED = 20240611
HIDDEN_SEED = 77


@dataclass(frozen=True)
class Case:
    """One call: ``fn(*args, **kwargs)``; ``label`` says what it tests ("zeros in y_true")."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def fresh_args(self):
        """Copies, so a function that modifies its inputs cannot affect the next call."""
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant: same signature as the reference, and what to tell the student."""

    name: str
    variant: Callable
    hint: str


@dataclass(frozen=True)
class Exercise:
    """A function exercise graded against ``reference`` (a dotted path into dlkit).

    ``make_cases(rng, hidden)`` returns the list of :class:`Case`; ``hidden=False`` gives
    the visible cases (fixed), ``hidden=True`` edge cases plus random draws from ``rng``.
    ``from_scratch``: dlkit itself may not be used to solve it (every exercise but the
    capstone). ``method``: None for a function; for an object exercise the method the
    grader calls on it (the capstone calls ``model.predict``). ``judge(exercise, cases,
    outcomes, hidden) -> Verdict`` replaces the comparison with the reference (the
    capstone is judged by its error on held-out data). ``scale(case, expected)``: the
    magnitudes an honest computation of each output cancels (structure of the output;
    see dlkit.grading.compare), None where the result's own size sets the tolerance.
    """

    id: str
    reference: str
    make_cases: Callable
    mistakes: tuple = ()
    tolerance: Tolerance = DEFAULT
    from_scratch: bool = True
    method: str = None
    judge: Callable = None
    scale: Callable = None

    @property
    def function_name(self):
        return self.id.split(":", 1)[1]

    def reference_function(self):
        module, _, name = self.reference.rpartition(".")
        return getattr(importlib.import_module(module), name)

    def error_scale(self, case, expected):
        """Magnitudes that widen the tolerance on this case's outputs (None: none)."""
        return None if self.scale is None else self.scale(case, expected)

    def cases(self, hidden=False, seed=None):
        """The cases of the visible (or hidden) test; ``seed`` overrides the public seed."""
        if seed is None:
            seed = HIDDEN_SEED if hidden else VISIBLE_SEED
        return list(self.make_cases(np.random.default_rng(seed), hidden))


_REGISTRY = {}


def register(exercise):
    """Add an exercise (ids are unique); returns it so modules can keep a name for it."""
    if exercise.id in _REGISTRY:
        raise ValueError(f"exercise {exercise.id!r} is registered twice")
    _REGISTRY[exercise.id] = exercise
    return exercise


def get(exercise_id):
    """The exercise with this id; unknown ids raise ValueError listing the valid ones."""
    _load_catalogue()
    try:
        return _REGISTRY[exercise_id]
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"Unknown exercise {exercise_id!r}. Valid ids: {valid}.") from None


def all_exercises():
    """Every registered exercise, sorted by id."""
    _load_catalogue()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def _load_catalogue():
    importlib.import_module("dlkit.grading.catalogue")
