import os
import sys

import pytest
from hypothesis import settings

# Property tests draw the same examples on every machine and every run: a CI result never
# depends on which random example one run happened to find (nor on a local .hypothesis
# database). Set HYPOTHESIS_PROFILE=explore to search with fresh random examples.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))

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
