# dlkit-course-config
"""Jupyter and nbgrader configuration of the dlkit course.

Jupyter does not read a jupyter_config.py from the working directory by itself.
`pip install` of this project puts a small loader into the environment's
etc/jupyter/ (dlkit/_jupyter/jupyter_config.py) that loads this file whenever a
Jupyter command (jupyter lab, nbgrader ...) runs from the repository root.
The marker on the first line is what that loader looks for.
"""
import os

c = get_config()  # noqa: F821 - provided by traitlets

ROOT = os.path.dirname(os.path.abspath(__file__))

# --- nbgrader: sources in solutions/, everything generated under course/ ---------------
c.CourseDirectory.course_id = "dlkit-deep-learning"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = os.path.join("course", "release")
c.CourseDirectory.submitted_directory = os.path.join("course", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("course", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("course", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "course", "gradebook.db")
# The exchange (release/fetch/submit between instructor and students on one machine).
c.Exchange.root = os.path.join(ROOT, "course", "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)  # nbgrader refuses a missing exchange
# Fetched assignments go under course/ (git-ignored), not next to dlkit/ and solutions/.
c.Exchange.assignment_dir = os.path.join(ROOT, "course", "assignments")
os.makedirs(c.Exchange.assignment_dir, exist_ok=True)
# Graded notebooks are light; a cell that runs longer than this is an infinite loop.
c.ExecutePreprocessor.timeout = 60
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# --- JupyterLab: open on the lessons ------------------------------------------------
c.ServerApp.root_dir = ROOT
c.LabApp.default_url = "/lab/tree/course/notebooks/01-neurons-and-networks.ipynb"
# A course machine or container often runs as root; Jupyter refuses that by default.
c.ServerApp.allow_root = hasattr(os, "geteuid") and os.geteuid() == 0

# --- grading engine -------------------------------------------------------------------
# The grade does not come from the student's kernel (where their code can patch numpy,
# dlkit.grading or the traceback hooks): dlkit.grading.trusted recomputes every check()
# test cell in a jailed process and sets the cell's outcome; the kernel itself runs
# jailed too (dlkit.grading.execute / kernel / jail). See the README section "Grading".
c.Autograde.autograde_preprocessors = [
    "dlkit.grading.execute.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "dlkit.grading.trusted.TrustedGrading",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A deleted or retyped test cell is put back from the gradebook, so it runs (and fails).
c.OverwriteCells.add_missing_cells = True
# Time budgets are CPU seconds, so a loaded grader gives the grades an idle one gives:
# ExecutePreprocessor.timeout above is CPU seconds of the kernel per cell under
# SandboxedExecute; each budget has a wall-clock backstop wall_factor times as long.
c.SandboxedExecute.wall_factor = 10
c.TrustedGrading.wall_factor = 10
# A kernel that does not start is retried (startup timeout doubled each time).
c.SandboxedExecute.start_attempts = 3
# --- end grading engine ---------------------------------------------------------------
