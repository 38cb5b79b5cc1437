"""Grading for the course's assignments: checkers, the mistake catalogue, the trusted grade.

Assignment test cells call ``check("<assignment>:<function>", fn)``; see
:mod:`dlkit.grading.check`. ``nbgrader autograde`` recomputes every checked cell
outside the student's kernel (:mod:`dlkit.grading.trusted`), so the grade does not
depend on anything the student's code can reach.
"""

from dlkit.grading.check import check
from dlkit.grading.exercise import all_exercises, get

__all__ = ["check", "get", "all_exercises"]
