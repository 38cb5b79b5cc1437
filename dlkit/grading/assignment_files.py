"""The instructor's files of an assignment (data, helper modules), never the student's extras.

The jailed grader run sees these, read-only, in its working directory; files that a
student added to the submission are not shown to it, so an extra ``numpy.py`` or a
submitted copy of dlkit cannot change what the grader runs.
"""

import os

SKIP = (".ipynb", ".pyc")


def assignment_files(coursedir, assignment_id):
    """Host paths of the top-level non-notebook entries of the source assignment folder."""
    try:
        source = coursedir.format_path(coursedir.source_directory, ".", assignment_id)
    except Exception:  # no course directory configured: nothing to show
        return []
    if not os.path.isdir(source):
        return []
    return [os.path.join(source, name) for name in sorted(os.listdir(source))
            if not name.startswith(".") and not name.endswith(SKIP) and name != "__pycache__"]
