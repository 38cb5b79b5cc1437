"""The nbgrader source assignments in solutions/ are complete, gradable and consistent.

Fast checks read the notebooks: ten assignments, kernelspecs, points on every graded
cell, a written answer per assignment, a visible and a hidden check per exercise of
the contract, answer functions with dlkit's signatures, instructor solutions that the
grader does not mistake for copies of dlkit.

Slow checks run nbgrader itself (in a temporary copy of the course, so the repository's
course/ stays clean): the instructor version passes `nbgrader validate`, and the
student version made by `generate_assignment` fails every test (`validate --invert`).
"""

import ast
import importlib
import inspect
import os
import pathlib
import shutil
import sys

import nbformat
import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"

# The contract's "Graded exercises": assignment -> functions the student writes.
EXERCISES = {
    "01-tensors": ("rank", "shape", "day_hour_tensor"),
    "02-dense": ("neuron", "dense_forward", "dense_backward"),
    "03-activations": ("relu", "sigmoid", "tanh", "softmax", "elu", "hard_sigmoid", "softplus",
                       "softsign", "relu_derivative", "sigmoid_derivative", "tanh_derivative"),
    "04-losses": ("mean_squared_error", "mean_absolute_percentage_error",
                  "mean_squared_logarithmic_error", "binary_crossentropy", "categorical_crossentropy",
                  "hinge", "mean_squared_error_gradient", "binary_crossentropy_gradient"),
    "05-derivatives": ("critical_points", "classify_critical_point"),
    "06-gradient-descent": ("gradient_descent", "minibatch_gradient_descent"),
    "07-momentum": ("exponential_moving_average", "deck_momentum_step", "sgd_step",
                    "momentum_deck_to_keras"),
    "08-adaptive": ("adagrad_step", "rmsprop_step", "adam_step"),
    "09-initializers": ("compute_fans", "glorot_uniform_limit", "he_normal_stddev", "diagnose"),
    "10-capstone": ("model",),
}
# Where the contract puts each assignment's dlkit counterparts (first module that has it).
REFERENCE_MODULES = {
    "01-tensors": ("dlkit.tensors",),
    "02-dense": ("dlkit.neuron", "dlkit.layers"),
    "03-activations": ("dlkit.activations",),
    "04-losses": ("dlkit.losses",),
    "05-derivatives": ("dlkit.descent",),
    "06-gradient-descent": ("dlkit.descent",),
    "07-momentum": ("dlkit.descent", "dlkit.optimizers"),
    "08-adaptive": ("dlkit.optimizers",),
    "09-initializers": ("dlkit.initializers", "dlkit.diagnostics"),
}
ASSIGNMENTS = sorted(EXERCISES)
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def source_path(assignment):
    return SOLUTIONS / assignment / f"{assignment}.ipynb"


def load(assignment):
    return nbformat.read(source_path(assignment), as_version=4)


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def graded_cells(nb):
    return [c for c in nb.cells if meta(c).get("grade")]


def grade_test_cells(nb):
    return [c for c in nb.cells if meta(c).get("grade") and not meta(c).get("solution")]


def answer_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and meta(c).get("solution")]


def answer_functions(nb):
    """{name: ast.FunctionDef} of the functions defined in the answer cells."""
    found = {}
    for cell in answer_cells(nb):
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = node
    return found


# ------------------------------------------------------------------ the notebooks as files
def test_solutions_hold_exactly_the_ten_assignments():
    folders = sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders == ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        # generate_assignment releases every file of the folder: nothing but the notebook.
        assert sorted(p.name for p in (SOLUTIONS / assignment).iterdir()) == [f"{assignment}.ipynb"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_valid_with_a_python3_kernelspec(assignment):
    nb = load(assignment)
    nbformat.validate(nb)
    # Without a kernelspec JupyterLab asks for a kernel before the student can start.
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_without_outputs(assignment):
    for cell in load(assignment).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, meta(cell).get("grade_id")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_points(assignment):
    nb = load(assignment)
    assert graded_cells(nb)
    for cell in nb.cells:
        points = meta(cell).get("points")
        if meta(cell).get("grade"):
            assert isinstance(points, (int, float)) and points > 0, meta(cell)["grade_id"]
        else:
            assert points is None, f"{meta(cell).get('grade_id')}: points on a cell that is not graded"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grade_ids_are_unique(assignment):
    ids = [meta(c)["grade_id"] for c in load(assignment).cells if meta(c)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_has_a_manually_graded_written_answer(assignment):
    written = [c for c in load(assignment).cells
               if c.cell_type == "markdown" and meta(c).get("grade") and meta(c).get("solution")]
    assert written, "every assignment asks at least one 'why' in words"
    assert all(meta(c)["points"] > 0 for c in written)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_deleted_graded_cell_can_be_put_back(assignment):
    # OverwriteCells.add_missing_cells re-inserts a deleted graded cell after the source
    # cell before it, which must itself be a graded or answer cell (nbgrader looks it up
    # among those and raises KeyError otherwise). So no locked read-only cell may sit
    # directly before a graded cell.
    source_cells = [c for c in load(assignment).cells if meta(c)]
    for previous, cell in zip(source_cells, source_cells[1:]):
        if meta(cell).get("grade"):
            assert meta(previous).get("grade") or meta(previous).get("solution"), meta(cell)["grade_id"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_cells_mark_the_solution(assignment):
    cells = answer_cells(load(assignment))
    assert cells
    for cell in cells:
        assert not meta(cell).get("grade"), "answer cells are graded by their test cells"
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source


def _split_hidden(source):
    visible, _, rest = source.partition(HIDDEN_BEGIN)
    hidden, end, _ = rest.partition(HIDDEN_END)
    return visible, hidden if end else ""


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_has_a_locked_test_cell_with_visible_and_hidden_checks(assignment):
    tests = grade_test_cells(load(assignment))
    for function in EXERCISES[assignment]:
        call = f'check("{assignment}:{function}", {function}'
        cells = [c for c in tests if call in c.source]
        assert len(cells) == 1, f"one test cell for {function}"
        cell = cells[0]
        assert cell.cell_type == "code" and meta(cell)["locked"]
        assert "from dlkit.grading import check" in cell.source
        visible, hidden = _split_hidden(cell.source)
        assert call + ")" in visible, "a visible check gives feedback while working"
        assert call + ", hidden=True)" in hidden, "hidden checks decide the grade"
    assert len(tests) == len(EXERCISES[assignment]), "no test cell without a contract exercise"


def _reference(assignment, function):
    for name in REFERENCE_MODULES[assignment]:
        module = importlib.import_module(name)
        if hasattr(module, function):
            return getattr(module, function)
    raise AssertionError(f"no dlkit counterpart for {assignment}:{function}")


NO_DEFAULT = "<no default>"


def _default_value(node):
    """A default as written in the answer cell: a literal, or np.nan."""
    if node is None:
        return NO_DEFAULT
    return float("nan") if ast.unparse(node) == "np.nan" else ast.literal_eval(node)


def _parameters(node):
    """[(name, default)] of a FunctionDef's positional parameters."""
    args = node.args.args
    defaults = [None] * (len(args) - len(node.args.defaults)) + node.args.defaults
    return [(a.arg, _default_value(d)) for a, d in zip(args, defaults)]


def _reference_parameters(fn):
    return [(p.name, NO_DEFAULT if p.default is inspect.Parameter.empty else p.default)
            for p in inspect.signature(fn).parameters.values()]


def _same(a, b):
    return a == b or (a != a and b != b)  # nan equals nan here


@pytest.mark.parametrize("assignment", [a for a in ASSIGNMENTS if a in REFERENCE_MODULES])
def test_answer_functions_have_dlkit_signatures(assignment):
    functions = answer_functions(load(assignment))
    for name in EXERCISES[assignment]:
        assert name in functions, f"no answer cell defines {name}"
        ours, theirs = _parameters(functions[name]), _reference_parameters(_reference(assignment, name))
        assert [n for n, _ in ours] == [n for n, _ in theirs], name
        assert all(_same(a, b) for (_, a), (_, b) in zip(ours, theirs)), f"{name}: {ours} != {theirs}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_are_not_taken_for_copies_of_dlkit(assignment):
    # The trusted grader gives no points to answers that copy dlkit's source or build
    # code at run time; the instructor's own answers must pass that screen.
    from dlkit.grading import copydetect, notebook, screen

    editable = notebook.editable_cells(load(assignment))
    assert copydetect.copied_functions(editable) == {}
    assert screen.screen(editable) == []


# The most natural answers to the notebooks' own instructions (as_float first, the
# stable forms the text asks for). A student who writes them is not copying dlkit.
HONEST_ANSWERS = {
    "softmax": """
def softmax(x, axis=-1):
    x = as_float(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
""",
    "sigmoid": """
def sigmoid(x):
    x = as_float(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, z) / (1.0 + z)
""",
}


@pytest.mark.parametrize("function", sorted(HONEST_ANSWERS))
def test_honest_answers_are_not_taken_for_copies(function):
    from dlkit.grading import copydetect

    assert copydetect.copied_functions([HONEST_ANSWERS[function]]) == {}


# ------------------------------------------------------------------ nbgrader itself
@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A temporary copy of the course with every assignment generated (student version)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "jupyter_config.py", root / "jupyter_config.py")
    shutil.copytree(SOLUTIONS, root / "solutions")
    config = PyFileConfigLoader("jupyter_config.py", path=str(root)).load_config()
    with pytest.MonkeyPatch.context() as mp:
        # nbgrader runs `alembic` from PATH to create the gradebook.
        mp.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        mp.chdir(root)
        api = NbGraderAPI(config=config)
        for assignment in sorted(p.name for p in (root / "solutions").iterdir()):
            result = api.generate_assignment(assignment, force=True, create=True)
            assert result["success"], result.get("error") or result.get("log")
        yield {"root": root, "config": config}


def _validate(course, path, invert=False):
    from nbgrader.validator import Validator

    validator = Validator(config=course["config"])
    validator.invert = invert
    # The instructor version must run clean in every cell (no error, no stderr), as
    # nbval would require; the student version only has to fail its tests.
    validator.validate_all = not invert
    return validator.validate(str(path))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_version_passes_nbgrader_validate(course, assignment):
    results = _validate(course, course["root"] / "solutions" / assignment / f"{assignment}.ipynb")
    failed = [f"{f['source'][:60]}...\n{f['raw_error'][-600:]}" for f in results.get("failed", [])]
    assert not failed, "\n\n".join(failed)
    assert results == {}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_fails_every_test(course, assignment):
    release = course["root"] / "course" / "release" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(release, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "hidden=True" not in text
    written = [c for c in nb.cells if c.cell_type == "markdown" and meta(c).get("solution")]
    assert written and all(c.source.strip() == "YOUR ANSWER HERE" for c in written)
    results = _validate(course, release, invert=True)
    passed = [p["source"][:80] for p in results.get("passed", [])]
    assert not passed, f"tests that pass without an answer: {passed}"
    assert "changed" not in results and "type_changed" not in results
