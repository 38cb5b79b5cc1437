import os
import sys

# tests/ holds shared helpers (gradcheck, keras_fixtures); dlkit itself comes from the install.
sys.path.insert(0, os.path.dirname(__file__))

# Notebooks under tests/ are inputs (synthetic submissions), never lessons for nbval to run.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]
