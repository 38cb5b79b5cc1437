"""Reading notebooks (check calls, student cells), copy detection and dynamic-code screening."""

import inspect
import sys
import textwrap

import nbformat

from dlkit.grading import copydetect, notebook, screen
from dlkit.optimizers import adam


def test_check_calls_are_read_from_test_cell_sources():
    src = textwrap.dedent('''
        from dlkit.grading import check
        check("03-activations:softmax", softmax)
        import dlkit.grading as g
        g.check("08-adaptive:adam_step", solutions.adam_step, hidden=True)
        check(name_in_a_variable, softmax)
        ''')
    calls = notebook.check_calls(src)
    assert [(c.exercise_id, c.expr, c.hidden) for c in calls] == [
        ("03-activations:softmax", "softmax", False), ("08-adaptive:adam_step", "solutions.adam_step", True)]
    assert notebook.check_calls("this is not python (") == []


def _cell(source, **meta):
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta} if meta else {})


def test_student_cells_are_everything_but_test_cells():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("import numpy as np", grade=False, locked=True, solution=False, grade_id="setup"),
        _cell("def f(): pass", grade=False, solution=True, grade_id="answer"),
        _cell("check('x:y', f)", grade=True, solution=False, grade_id="test"),
        _cell("helper = 1"),  # added by the student
    ])
    assert notebook.student_cells(nb) == ["import numpy as np", "def f(): pass", "helper = 1"]
    assert notebook.editable_cells(nb) == ["def f(): pass", "helper = 1"]


def test_copied_dlkit_code_is_detected_even_renamed():
    kernel = inspect.getsource(adam._adam_update).replace("scratch", "tmp").replace("step", "delta")
    assert copydetect.copied_functions([kernel]) == {"_adam_update": "dlkit.optimizers.adam._adam_update"}
    with_docstring = 'def softmax(x, axis=-1):\n    """' + inspect.getdoc(
        sys.modules["dlkit.activations"].softmax) + '"""\n    return x\n'
    assert "softmax" in copydetect.copied_functions([with_docstring])


def test_short_honest_solutions_are_not_copies():
    honest = textwrap.dedent('''
        def softmax(x, axis=-1):
            e = np.exp(x - np.max(x, axis=axis, keepdims=True))
            return e / np.sum(e, axis=axis, keepdims=True)

        def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
            m = beta_1 * m + (1 - beta_1) * g
            v = beta_2 * v + (1 - beta_2) * g ** 2
            m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
            return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v
        ''')
    assert copydetect.copied_functions([honest]) == {}


def test_taint_follows_calls_to_copied_helpers():
    sources = ["def a(): return b()\ndef b(): return c()\ndef c(): pass\ndef d(): pass"]
    assert copydetect.tainted({"a", "d"}, {"c": "dlkit.x.c"}, sources) == {"a"}


def test_screen_flags_dynamic_code_but_not_plotting_magics():
    assert screen.screen(["%matplotlib inline\nimport numpy as np\ndef f(x):\n    return x"]) == []
    found = screen.screen(["exec(open('x').read())", "import importlib", "import sys\nsys.modules['a'] = 1",
                           "f.__globals__", "%run other.py"])
    assert [f.split(" in ")[0] for f in found] == [
        "exec()", "import importlib", "sys.modules", "access to .__globals__", "a %magic other than %matplotlib"]
    assert found[0].endswith("in cell 1, line 1")
