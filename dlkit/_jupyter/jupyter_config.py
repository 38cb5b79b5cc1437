# Installed by dlkit into <environment>/etc/jupyter/jupyter_config.py.
#
# Jupyter applications (jupyter lab, nbgrader, ...) read jupyter_config.py only from
# their config path, never from the working directory. This shim makes a course's
# own jupyter_config.py take effect when a Jupyter command runs from the course root:
# it loads ./jupyter_config.py if that file declares itself with the marker below.
import os

_course_config = os.path.join(os.getcwd(), "jupyter_config.py")
if os.path.isfile(_course_config) and os.path.abspath(_course_config) != os.path.abspath(__file__):
    with open(_course_config, encoding="utf-8") as _f:
        _is_course = "dlkit-course-config" in _f.read(4096)
    if _is_course:
        load_subconfig(_course_config)  # noqa: F821 - provided by traitlets to config files
