"""A small nbgrader source assignment that uses the real checkers: softmax, adam_step, MSE.

Three exercises (8 points) are enough to show that an attack zeroes the exercise it
touches and leaves the others alone; building it here keeps the hostile suite
independent of the course's own assignments and fast to autograde.
"""

import nbformat

ASSIGNMENT = "hostile"

SETUP = "import math\nimport numpy as np"
ANSWERS = {
    "softmax": '''def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)''',
    "adam_step": '''def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    alpha = learning_rate * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v''',
    "mean_squared_error": '''def mean_squared_error(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2, axis=-1)''',
}
EXERCISE_IDS = {"softmax": "03-activations:softmax", "adam_step": "08-adaptive:adam_step",
                "mean_squared_error": "04-losses:mean_squared_error"}
# test cell grade_id -> (function, points)
TESTS = {"test_softmax": ("softmax", 1), "test_softmax_hidden": ("softmax", 2),
         "test_adam_step": ("adam_step", 1), "test_adam_step_hidden": ("adam_step", 2),
         "test_mean_squared_error": ("mean_squared_error", 1),
         "test_mean_squared_error_hidden": ("mean_squared_error", 1)}
POINTS = {fn: sum(p for f, p in TESTS.values() if f == fn) for fn in ANSWERS}


def _meta(grade_id, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    """The instructor version: solutions between BEGIN/END SOLUTION, hidden tests marked."""
    cells = [nbformat.v4.new_markdown_cell("# Hostile-suite assignment"),
             nbformat.v4.new_code_cell(SETUP, metadata=_meta("setup", locked=True))]
    for fn, answer in ANSWERS.items():
        cells.append(nbformat.v4.new_code_cell(
            f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION", metadata=_meta(f"{fn}_answer", solution=True)))
        exercise = EXERCISE_IDS[fn]
        cells.append(nbformat.v4.new_code_cell(
            f'from dlkit.grading import check\ncheck("{exercise}", {fn})',
            metadata=_meta(f"test_{fn}", grade=True, locked=True, points=TESTS[f"test_{fn}"][1])))
        cells.append(nbformat.v4.new_code_cell(
            f'### BEGIN HIDDEN TESTS\ncheck("{exercise}", {fn}, hidden=True)\n### END HIDDEN TESTS',
            metadata=_meta(f"test_{fn}_hidden", grade=True, locked=True,
                           points=TESTS[f"test_{fn}_hidden"][1])))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb
