"""Reading a submitted notebook: the student's code, and the checks of each test cell.

Test cells are nbgrader grade cells that are not solution cells; their source is taken
from the gradebook (the instructor's version, hidden tests included), never from the
submission. Everything else that is code (answer cells, read-only cells, cells the
student added) is the student's program, run in that order.
"""

import ast
from dataclasses import dataclass

from IPython.core.inputtransformer2 import TransformerManager


@dataclass(frozen=True)
class CheckCall:
    """``check("<exercise>", <expr>, hidden=...)`` as written in a test cell."""

    exercise_id: str
    expr: str
    hidden: bool


def is_test_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_locked(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("locked", False) and not meta.get("solution", False)


def student_cells(nb):
    """Sources of every code cell that is not a test cell, in notebook order."""
    return [_text(cell.get("source", "")) for cell in nb.cells
            if cell.get("cell_type") == "code" and not is_test_cell(cell)]


def editable_cells(nb):
    """Sources of the code cells the student could change (not locked by nbgrader)."""
    return [_text(cell.get("source", "")) for cell in nb.cells
            if cell.get("cell_type") == "code" and not is_test_cell(cell) and not is_locked(cell)]


def _text(source):
    return "".join(source) if isinstance(source, list) else str(source)


def python_source(source):
    """Cell source with IPython syntax (magics, !shell) turned into plain Python calls."""
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # a cell IPython cannot even transform: parse it as it is
        return source


def check_calls(source):
    """The check(...) calls of a test cell, or [] when there are none we can read.

    Only calls with a literal exercise id and a literal (or absent) ``hidden`` count.
    """
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        call = _as_check(node, source)
        if call:
            calls.append(call)
    return [c for _, c in sorted(calls, key=lambda c: c[0])]


def _as_check(node, source):
    if not isinstance(node, ast.Call) or _name(node.func) != "check" or len(node.args) < 2:
        return None
    exercise = node.args[0]
    if not (isinstance(exercise, ast.Constant) and isinstance(exercise.value, str)):
        return None
    hidden = _hidden_flag(node)
    if hidden is None:
        return None
    expr = ast.unparse(node.args[1])
    return (node.lineno, node.col_offset), CheckCall(exercise.value, expr, hidden)


def _name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _hidden_flag(node):
    if len(node.args) > 2:
        value = node.args[2]
    else:
        value = next((k.value for k in node.keywords if k.arg == "hidden"), ast.Constant(False))
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, bool) else None
