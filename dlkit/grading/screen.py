"""Static screening of answer code for constructs that hide what a function does.

The trusted grade runs the student's code where dlkit cannot be imported, and detects
copied source (copydetect). What remains is code that builds code at run time: an
exec of an encoded copy of the reference, importlib tricks, reaching into
``__globals__``. No answer to these exercises needs them, so their use is reported
and the notebook's checked exercises get no points (the instructor can regrade).

``screen(sources)`` -> list of findings like "exec() in cell 3, line 2".
"""

import ast

from dlkit.grading.notebook import python_source

DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "breakpoint"}
DYNAMIC_MODULES = {"importlib", "marshal", "ctypes", "imp", "runpy", "zipimport", "codeop",
                   "pickle", "dill", "cloudpickle", "types", "gc", "inspect"}
DUNDER_ATTRIBUTES = {"__code__", "__globals__", "__builtins__", "__subclasses__", "__import__",
                     "__loader__", "__dict__", "__closure__", "f_globals", "f_locals", "f_back"}
SHELL_METHODS = {"run_cell", "run_cell_magic", "system", "getoutput", "ex", "ev", "run_code",
                 "safe_execfile", "push"}
ALLOWED_MAGICS = {"matplotlib", "config"}


def screen(sources):
    """Findings (str) for every dynamic-code construct in the given cell sources."""
    findings = []
    for index, source in enumerate(sources, start=1):
        try:
            tree = _AllowedMagics().visit(ast.parse(python_source(source)))
        except SyntaxError:
            continue  # a cell that does not parse defines nothing the grader can call
        findings += [f"{what} in cell {index}, line {line}" for what, line in _visit(tree)]
    return findings


def _visit(tree):
    for node in ast.walk(tree):
        found = _finding(node)
        if found:
            yield found, getattr(node, "lineno", "?")


def _finding(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        bad = [n for n in names if n.split(".")[0] in DYNAMIC_MODULES]
        return f"import {bad[0]}" if bad else None
    if isinstance(node, ast.Name) and node.id in DYNAMIC_CALLS | {"__builtins__", "globals", "vars"}:
        return f"{node.id}()" if node.id in DYNAMIC_CALLS else node.id
    if isinstance(node, ast.Attribute):
        return _attribute_finding(node)
    return None


def _attribute_finding(node):
    if node.attr in DUNDER_ATTRIBUTES:
        return f"access to .{node.attr}"
    if node.attr in SHELL_METHODS:
        return f"get_ipython().{node.attr}"
    if node.attr == "run_line_magic":
        return "a %magic other than %matplotlib"  # allowed ones were removed before
    if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
        return "sys.modules"
    return None


def _allowed_magic(call):
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and first.value in ALLOWED_MAGICS


class _AllowedMagics(ast.NodeTransformer):
    """Drops ``get_ipython().run_line_magic('matplotlib', ...)`` before screening."""

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "run_line_magic" and _allowed_magic(node):
            return ast.Constant(None)
        return self.generic_visit(node)
