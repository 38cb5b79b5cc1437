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
# Graded notebooks are light; a cell that runs longer than this is an infinite loop.
c.ExecutePreprocessor.timeout = 60
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# --- JupyterLab: open on the lessons ------------------------------------------------
c.ServerApp.root_dir = ROOT
c.LabApp.default_url = "/lab/tree/course/notebooks/01-neurons-and-networks.ipynb"
# A course machine or container often runs as root; Jupyter refuses that by default.
c.ServerApp.allow_root = hasattr(os, "geteuid") and os.geteuid() == 0
