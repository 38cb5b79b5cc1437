"""A lesson in a real browser: JupyterLab on loopback, driven in headless Chromium.

Playwright's own browser download is not available offline, so Playwright drives
Debian's ``chromium`` through its executable path (.ci/run installs it). The test
runs every cell of a lesson in the browser and checks that no cell raised, that a
plot image and a widget rendered, and keeps a screenshot under tests/artifacts/.
"""

import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
LESSON = "05-activations.ipynb"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium reaches for Google's services at start-up; this machine has no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url, proc, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout} s")


@pytest.fixture(scope="module")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run should have installed it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab from the project's own install, on 127.0.0.1, serving a copy of the lesson."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(REPO / "course" / "notebooks" / LESSON, root / LESSON)
    port, token = _free_port(), secrets.token_hex(16)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               JUPYTER_CONFIG_DIR=str(root / ".jupyter"), JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        # No news or update checks: this machine has no network.
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(f"{base}/api/status?token={token}", proc)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# Runs every cell through JupyterLab's own command and reports what the notebook model holds.
RUN_ALL = """
async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const cell of cells) {
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return {
    codeCells: cells.length,
    executed: cells.filter(c => c.model.executionCount !== null).length,
    errors: errors,
  };
}
"""


def test_lesson_runs_in_browser(lab, chromium_path):
    from playwright.sync_api import sync_playwright

    base, token = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
            page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext",
                                   timeout=60_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            result = page.evaluate(RUN_ALL)
            # Rendering follows execution; wait for a plot and a widget to reach the DOM.
            page.wait_for_selector(".jp-OutputArea-output img", timeout=30_000)
            page.wait_for_selector(".jp-OutputArea-output .jupyter-widgets.widget-slider, "
                                   ".jp-OutputArea-output .widget-slider", timeout=30_000)
            # The screenshot shows the explorer (its controls and its picture).
            page.locator(".jp-OutputArea-output .jupyter-widgets").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "browser-lesson.png"), full_page=False)
            images = page.locator(".jp-OutputArea-output img").count()
            widgets = page.locator(".jp-OutputArea-output .jupyter-widgets").count()
            broken = page.locator("text=Error displaying widget").count()
        finally:
            browser.close()

    assert result["errors"] == [], f"cells raised in the browser: {result['errors']}"
    assert result["codeCells"] > 0 and result["executed"] == result["codeCells"], result
    assert images >= 1, "no plot image rendered"
    assert widgets >= 1 and broken == 0, f"widgets rendered: {widgets}, broken: {broken}"
    assert (ARTIFACTS / "browser-lesson.png").stat().st_size > 10_000
