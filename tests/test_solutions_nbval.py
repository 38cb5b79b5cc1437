"""The instructor versions in solutions/ run clean under nbval.

They are nbgrader sources, committed without outputs, so there is nothing to compare:
``--nbval-lax`` runs every cell and fails on any error. A separate pytest process,
because the main run compares the lessons with ``--nbval`` (strict) instead.
"""

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_instructor_versions_run_clean_under_nbval():
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "--nbval-lax", "--nbval-current-env", "solutions"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout, result.stdout[-2000:]
