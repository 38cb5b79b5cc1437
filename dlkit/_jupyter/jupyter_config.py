# Installed by dlkit into <environment>/etc/jupyter/jupyter_config.py.
#
# Jupyter applications (jupyter lab, nbgrader, ...) read jupyter_config.py only from
# their config path, never from the working directory. This loader makes a course's own
# jupyter_config.py take effect when a Jupyter command runs in the course root or in a
# folder below it (nbgrader's assignment list reloads its config from inside the
# folder where fetched assignments land): it loads the nearest jupyter_config.py that
# declares itself with the marker below.
import os


def _course_config(start):
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, "jupyter_config.py")
        if os.path.isfile(candidate) and os.path.abspath(candidate) != os.path.abspath(__file__):
            with open(candidate, encoding="utf-8") as f:
                if "dlkit-course-config" in f.read(4096):
                    return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


_found = _course_config(os.getcwd())
if _found:
    load_subconfig(_found)  # noqa: F821 - provided by traitlets to config files
