"""nbgrader's JupyterLab extensions in a real browser, on a temporary copy of the course.

The copy holds jupyter_config.py and two source assignments: one released (through the
Formgrader's own API, what its Generate and Release buttons post), one left a draft.
JupyterLab starts from that folder with nothing but a port and a token, as `jupyter lab`
from the README does, so the course's configuration comes from the loader the install
puts into <env>/etc/jupyter. Instructor and student are one local user, as on a laptop.

  instructor  the Formgrader lists the course's assignments; the Create Assignment
              panel shows the nbgrader metadata of a source notebook
  student     the Assignment List offers the release, Fetch downloads it, and the
              notebook toolbar's Validate reports every graded cell of the blank
              release as failing (the tests raise NotImplementedError)

Chromium and the browser helpers are those of test_browser.py; one screenshot per step
goes to tests/artifacts/browser-nbgrader-*.png.
"""

import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import urllib.request
from urllib.parse import urlparse

import nbformat
import pytest

from test_browser import CHROMIUM_ARGS, _free_port, _wait_for_server
from test_browser import chromium_path  # noqa: F401 - a fixture: skips without chromium

REPO = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
RELEASED, DRAFT = "03-activations", "04-losses"
NBGRADER_COMMANDS = ("nbgrader:open-assignment-list", "nbgrader:open-course-list",
                     "nbgrader:open-formgrader", "nbgrader:open-create-assignment")
LOAD_TIMEOUT = 60_000  # ms; JupyterLab's first load on 2 busy cores
VALIDATE_TIMEOUT = 90_000  # ms; Validate runs the whole notebook in a fresh kernel

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------ the course
def _course_env(jupyter_dir):
    """The environment of an instructor's shell: the venv's bin/ on PATH (nbgrader runs
    alembic), dlkit from the install, Jupyter's user folders out of the way."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_CONFIG_DIR"] = str(jupyter_dir / "config")
    env["JUPYTER_RUNTIME_DIR"] = str(jupyter_dir / "runtime")
    return env


def _quiet_lab_settings(jupyter_dir):
    """No 'get notified about Jupyter news?' toast over the screenshots (no network here)."""
    folder = jupyter_dir / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True)
    (folder / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))


def _start_lab(root, env, log):
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", token


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _release(base, token, assignment):
    """generate_assignment + release, through the API the Formgrader's buttons post to."""
    for action in ("assign", "release"):
        url = f"{base}/formgrader/api/assignment/{assignment}/{action}"
        request = urllib.request.Request(url, data=b"", method="POST",
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=300) as response:
            result = json.load(response)
        assert result["success"], f"formgrader {action} {assignment}: {result}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started from a course copy; RELEASED is released, DRAFT is not."""
    root = tmp_path_factory.mktemp("course")
    jupyter_dir = tmp_path_factory.mktemp("jupyter")
    shutil.copy(REPO / "jupyter_config.py", root / "jupyter_config.py")
    for assignment in (RELEASED, DRAFT):
        shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    _quiet_lab_settings(jupyter_dir)
    log_path = jupyter_dir / "lab.log"
    log = open(log_path, "w")
    proc, base, token = _start_lab(root, _course_env(jupyter_dir), log)
    try:
        _wait_for_server(f"{base}/api/status?token={token}", proc)
        _release(base, token, RELEASED)
        yield {"root": root, "base": base, "token": token, "log": log_path}
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_path):  # noqa: F811 - the fixture imported above
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, lab, request):
    """JupyterLab in a workspace of the test's own, so no tab of an earlier test comes back.

    (Not /lab?reset: the reset lands after the app is up and closes what the test opened.)
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['base']}/lab/workspaces/{request.node.name}?token={lab['token']}")
    page.wait_for_function("window.jupyterapp !== undefined", timeout=LOAD_TIMEOUT)
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    yield page
    page.close()


# ------------------------------------------------------------------ helpers
def _shot(page, step):
    page.screenshot(path=str(ARTIFACTS / f"browser-nbgrader-{step}.png"))


def _log_tail(lab, lines=40):
    return "\n".join(lab["log"].read_text(errors="replace").splitlines()[-lines:])


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _cell_type_in_panel(cell):
    """The Create Assignment panel's 'Type' of a cell, from nbgrader's documented flags."""
    meta = _nbgrader(cell)
    if meta.get("task"):
        return "task"
    if meta.get("solution"):
        return "manual" if meta.get("grade") else "solution"
    if meta.get("grade"):
        return "tests"
    return "readonly" if meta.get("locked") else ""


def _graded_cells(path):
    """(source, cell type) of every graded cell: what Validate reports while unsolved
    (auto-graded tests fail, an unanswered written answer scores 0 as well)."""
    return [(c.source.strip(), c.cell_type) for c in _cells(path) if _nbgrader(c).get("grade")]


OPEN_NOTEBOOK = """
async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await widget.context.ready;
  return widget.id;
}
"""

# What the Create Assignment panel shows: total points, and each cell's Type and ID.
PANEL_STATE = """
(panel) => {
  const all = (selector) => Array.from(panel.querySelectorAll(selector));
  return {
    total: panel.querySelector('.nbgrader-TotalPointsInput').value,
    types: all('.nbgrader-CellType select').map(s => s.value),
    ids: all('.nbgrader-CellId input').map(i => i.value),
  };
}
"""

# 'listed' once the named assignment is in one of the Assignment List's lists, or the
# text of the list's error box (where nbgrader shows what the exchange reported).
LIST_STATE = """
([list, name]) => {
  const error = document.getElementById(list + '_assignments_list_error');
  if (error && !error.hidden && error.innerText.trim()) return 'error: ' + error.innerText.trim();
  const names = document.querySelectorAll('#' + list + '_assignments_list > .list_item .item_name');
  return Array.from(names).some(n => n.innerText.trim() === name) ? 'listed' : false;
}
"""


def _open_assignment_list(page, lab):
    """Nbgrader > Assignment List. Its first request lists the courses; when that fails
    the lists stay at "Loading, please wait..." and only the server log says why."""
    def courses(response):
        return urlparse(response.url).path.endswith("/courses")

    with page.expect_response(courses, timeout=LOAD_TIMEOUT) as listed:
        page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
    if not listed.value.ok:
        _shot(page, "assignment-list")
        pytest.fail(f"Assignment List: GET /courses answered {listed.value.status}\n"
                    f"--- JupyterLab log ---\n{_log_tail(lab)}")


def _wait_listed(page, lab, list_name, assignment):
    try:
        state = page.wait_for_function(LIST_STATE, arg=[list_name, assignment],
                                       timeout=LOAD_TIMEOUT).json_value()
    except Exception as error:  # a timeout: say what the list showed instead
        state = f"not listed ({type(error).__name__}); the page shows:\n" + page.inner_text(
            "#nbgrader-assignment-list")
    if state != "listed":
        _shot(page, "assignment-list")
        pytest.fail(f"Assignment List, {list_name} assignments: {state}\n"
                    f"--- JupyterLab log ---\n{_log_tail(lab)}")


# ------------------------------------------------------------------ instructor
def test_nbgrader_commands_are_registered(page):
    commands = page.evaluate("() => window.jupyterapp.commands.listCommands()")
    assert set(NBGRADER_COMMANDS) <= set(commands), [c for c in commands if "nbgrader" in c]
    menus = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" in menus


def test_formgrader_lists_the_course_assignments(page, lab):
    page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-formgrader')")
    frame = page.wait_for_selector(".jp-IFrame iframe", timeout=LOAD_TIMEOUT).content_frame()
    frame.wait_for_selector("#main-table td.name", timeout=LOAD_TIMEOUT)
    _shot(page, "formgrader")
    rows = frame.eval_on_selector_all(
        "#main-table tr",
        "rows => rows.map(r => [r.querySelector('td.name').innerText.trim(),"
        "                       r.querySelector('td.status').innerText.trim()])")
    sources = sorted(p.name for p in (lab["root"] / "solutions").iterdir())
    assert sorted(name for name, _ in rows) == sources
    assert dict(rows) == {RELEASED: "released", DRAFT: "draft"}
    assert frame.url.endswith("/formgrader/manage_assignments")
    assert "Manage Assignments" in frame.inner_text("body")


def test_create_assignment_panel_shows_the_source_metadata(page, lab):
    path = f"solutions/{RELEASED}/{RELEASED}.ipynb"
    page.evaluate(OPEN_NOTEBOOK, path)
    command = "nbgrader:open-create-assignment"
    assert page.evaluate(f"() => window.jupyterapp.commands.isEnabled('{command}')")
    page.evaluate(f"() => window.jupyterapp.commands.execute('{command}')")
    panel = page.locator(".nbgrader-CreateAssignmentWidget")
    panel.locator(".nbgrader-CellWidget").first.wait_for(timeout=LOAD_TIMEOUT)
    _shot(page, "create-assignment")
    shown = panel.evaluate(PANEL_STATE)
    cells = _cells(lab["root"] / path)
    assert shown["types"] == [_cell_type_in_panel(c) for c in cells]
    ids = [_nbgrader(c)["grade_id"] for c in cells if _nbgrader(c)]
    assert [i for i in shown["ids"] if i] == ids
    points = sum(_nbgrader(c).get("points") or 0 for c in cells if _nbgrader(c).get("grade"))
    assert float(shown["total"]) == points > 0


# ------------------------------------------------------------------ student
def _fetch_and_open(page, lab, assignment):
    """Fetch from the Assignment List, then open the notebook from its Downloaded entry.
    Returns (widget id, path) of the notebook that opened."""
    _open_assignment_list(page, lab)
    _wait_listed(page, lab, "released", assignment)
    page.locator("#released_assignments_list > .list_item", has_text=assignment) \
        .get_by_role("button", name="Fetch").click()
    _wait_listed(page, lab, "fetched", assignment)
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=assignment)
    fetched.locator("a.assignment-notebooks-link").click()  # unfolds its notebooks
    notebook_link = fetched.locator(".nested_list_item a", has_text=assignment)
    notebook_link.wait_for(timeout=LOAD_TIMEOUT)
    _shot(page, "assignment-list")
    notebook_link.click()
    suffix = f"{assignment}/{assignment}.ipynb"
    page.wait_for_function(
        f"() => {{ const w = window.jupyterapp.shell.currentWidget;"
        f"         return w && w.context && w.context.path.endsWith('{suffix}'); }}",
        timeout=LOAD_TIMEOUT)
    return page.evaluate("() => [window.jupyterapp.shell.currentWidget.id,"
                         "       window.jupyterapp.shell.currentWidget.context.path]")


def _validate(page, widget_id):
    """Press the notebook toolbar's Validate; returns the result dialog's body."""
    page.locator(f"[id='{widget_id}'] .validate-button").click()
    page.wait_for_selector(".jp-Dialog .jp-Dialog-header:has-text('Validation Results')",
                           timeout=VALIDATE_TIMEOUT)
    _shot(page, "validate")
    return page.locator(".jp-Dialog .jp-Dialog-body")


def test_student_fetches_and_validates_the_release(page, lab):
    widget_id, path = _fetch_and_open(page, lab, RELEASED)
    release = lab["root"] / "course" / "release" / RELEASED / f"{RELEASED}.ipynb"
    # What opened is the fetched copy of the student version.
    assert [c.source for c in _cells(lab["root"] / path)] == [c.source for c in _cells(release)]

    body = _validate(page, widget_id)
    text = body.inner_text()
    assert "There was an error running the validate command" not in text, text
    assert "validation-failed" in body.get_attribute("class").split(), text
    pre = body.locator(".jp-RenderedText pre").all_inner_texts()  # source, error, source, ...
    graded = _graded_cells(release)
    assert [source.strip() for source in pre[0::2]] == [source for source, _ in graded]
    test_errors = [error for error, (_, kind) in zip(pre[1::2], graded) if kind == "code"]
    assert test_errors and all("NotImplementedError" in error for error in test_errors), text
