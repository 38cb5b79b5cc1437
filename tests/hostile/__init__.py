"""Synthetic hostile submissions graded through the real nbgrader pipeline (see test_hostile.py)."""
