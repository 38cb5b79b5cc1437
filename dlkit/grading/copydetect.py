"""Detect answers copied from dlkit's own source.

Each function is reduced to a token sequence of its AST with the docstring removed,
local names renamed in order of appearance (v0, v1, ...) and ``numpy``/``np`` unified,
so renaming variables or reformatting changes nothing. A student's function counts
as copied when

  * its docstring is dlkit's docstring of some function (40+ characters, whitespace
    ignored) - nobody writes that by chance; or
  * its tokens match a dlkit function of at least MIN_TOKENS tokens with
    difflib similarity >= THRESHOLD.

Short functions (under MIN_TOKENS) are never judged by tokens: a 3-line softmax has one
natural form, and dlkit's is it. Those are protected by the grader running where dlkit cannot be
imported, not by this module.
"""

import ast
import difflib
import functools
import importlib
import inspect
import pkgutil
import textwrap

from dlkit.grading.notebook import python_source

THRESHOLD = 0.9
# dlkit's softmax and sigmoid have about 70 tokens and one natural form: an honest answer
# matches them. Only longer functions (Adam's kernels, descent loops) are judged by tokens.
MIN_TOKENS = 120
MIN_DOCSTRING = 40
# not library code a student could copy for an exercise (and heavy to import)
SKIPPED_MODULES = ("grading", "plots", "widgets", "_jupyter")


def copied_functions(sources):
    """{student function name: 'dlkit.module.function' it was copied from}."""
    found = {}
    for node in _function_defs(sources):
        origin = _match(node)
        if origin:
            found[node.name] = origin
    return found


def tainted(names, copies, sources):
    """Names in ``names`` that are copies or call one (directly or through other defs)."""
    calls = {node.name: _called_names(node) for node in _function_defs(sources)}
    bad = set(copies)
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in bad and callees & bad:
                bad.add(name)
                changed = True
    return {n for n in names if n in bad}


def _function_defs(sources):
    for source in sources:
        try:
            tree = ast.parse(python_source(source))
        except SyntaxError:
            continue
        yield from (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _called_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _match(node):
    doc = _doc(node)
    tokens = tokenize(node)
    for origin, (ref_doc, ref_tokens) in _library().items():
        if doc and len(ref_doc) >= MIN_DOCSTRING and doc == ref_doc:
            return origin
        if len(ref_tokens) >= MIN_TOKENS and _similar(tokens, ref_tokens):
            return origin
    return None


def _similar(a, b):
    if min(len(a), len(b)) < THRESHOLD * max(len(a), len(b)):
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= THRESHOLD


def _doc(node):
    doc = ast.get_docstring(node)
    return " ".join(doc.split()) if doc else ""


def tokenize(node):
    """Normalised token sequence of a function definition (see the module docstring)."""
    names = {}
    tokens = []
    body = node.body[1:] if _doc(node) else node.body
    for arg in node.args.args + node.args.kwonlyargs:
        names.setdefault(arg.arg, f"v{len(names)}")
    for stmt in body:
        for sub in ast.walk(stmt):
            tokens.append(type(sub).__name__)
            tokens += _leaf(sub, names)
    return tokens


def _leaf(sub, names):
    if isinstance(sub, ast.Name):
        if sub.id in ("np", "numpy"):
            return ["np"]
        if isinstance(sub.ctx, ast.Store) or sub.id in names:
            return [names.setdefault(sub.id, f"v{len(names)}")]
        return [sub.id]
    if isinstance(sub, ast.Attribute):
        return [sub.attr]
    if isinstance(sub, ast.Constant):
        return [repr(sub.value)[:20]]
    if isinstance(sub, ast.keyword):
        return [str(sub.arg)]
    return []


@functools.lru_cache(maxsize=1)
def _library():
    """{'dlkit.module.fn': (docstring, tokens)} for every function of the library modules."""
    table = {}
    for module in _library_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__:
                node = _parse_function(fn)
                if node is not None:
                    table[f"{module.__name__}.{name}"] = (_doc(node), tokenize(node))
    return table


def _library_modules():
    import dlkit
    for info in pkgutil.walk_packages(dlkit.__path__, "dlkit."):
        if info.name.split(".")[1] in SKIPPED_MODULES:
            continue
        try:
            yield importlib.import_module(info.name)
        except Exception:  # a module that fails to import has nothing to compare with
            continue


def _parse_function(fn):
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    return tree.body[0] if tree.body and isinstance(tree.body[0], ast.FunctionDef) else None
