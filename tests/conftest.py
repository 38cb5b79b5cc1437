import os
import sys

import pytest

# tests/ holds shared helpers (gradcheck, keras_fixtures); dlkit itself comes from the install.
sys.path.insert(0, os.path.dirname(__file__))

# Notebooks under tests/ are inputs (synthetic submissions), never lessons for nbval to run.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]


@pytest.fixture
def float64():
    """dlkit's floatx set to float64 for one test (gradient checks), then restored."""
    from dlkit import config

    old = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(old)
