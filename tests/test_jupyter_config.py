"""The repository's jupyter_config.py really takes effect.

Jupyter never reads a jupyter_config.py from the working directory. The install puts
a loader into <environment>/etc/jupyter/ that loads the course's file when a Jupyter
command runs from the course root. These tests prove each link of that chain:
the loader is installed, it picks the right file, and plain `nbgrader` / `jupyter lab`
started from the root (no flags) see the course's settings.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
LOADER_SOURCE = REPO / "dlkit" / "_jupyter" / "jupyter_config.py"
INSTALLED_LOADER = pathlib.Path(sys.prefix) / "etc" / "jupyter" / "jupyter_config.py"

# Prints what nbgrader's and JupyterLab's apps load from their config files, exactly as
# `nbgrader ...` and `jupyter lab` do at start-up (load_config_file, no command-line flags).
DUMP_CONFIG = """
import json
from nbgrader.apps.nbgraderapp import NbGraderApp
from nbgrader.coursedir import CourseDirectory
from jupyterlab.labapp import LabApp

nbgrader_app = NbGraderApp()
nbgrader_app.load_config_file()
coursedir = CourseDirectory(config=nbgrader_app.config)
lab_app = LabApp()
lab_app.load_config_file()
print(json.dumps({
    "course_id": coursedir.course_id,
    "root": coursedir.root,
    "source_directory": coursedir.source_directory,
    "release_directory": coursedir.release_directory,
    "submitted_directory": coursedir.submitted_directory,
    "autograded_directory": coursedir.autograded_directory,
    "feedback_directory": coursedir.feedback_directory,
    "db_url": coursedir.db_url,
    "exchange_root": nbgrader_app.config.Exchange.root,
    "root_dir": lab_app.config.ServerApp.root_dir,
    "default_url": lab_app.config.LabApp.default_url,
}))
"""


def _env():
    """The environment of an activated venv: nbgrader runs `alembic` from PATH."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def _run(args, cwd):
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{args} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _run_loader(cwd, monkeypatch):
    """Execute the loader as traitlets would; return the files it asked to load."""
    loaded = []
    monkeypatch.chdir(cwd)
    code = compile(LOADER_SOURCE.read_text(encoding="utf-8"), str(INSTALLED_LOADER), "exec")
    exec(code, {"load_subconfig": loaded.append, "__file__": str(INSTALLED_LOADER)})
    return loaded


@pytest.fixture(scope="module")
def config_seen_from_root():
    proc = _run([sys.executable, "-c", DUMP_CONFIG], cwd=REPO)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_loader_is_installed_in_the_environment():
    assert INSTALLED_LOADER.is_file(), f"pip install should put the loader at {INSTALLED_LOADER}"
    assert INSTALLED_LOADER.read_text(encoding="utf-8") == LOADER_SOURCE.read_text(encoding="utf-8")


def test_loader_loads_the_course_config_from_the_root(monkeypatch):
    assert _run_loader(REPO, monkeypatch) == [str(REPO / "jupyter_config.py")]


def test_loader_finds_the_course_config_from_a_folder_below_the_root(tmp_path, monkeypatch):
    # nbgrader's assignment list reloads its config from inside the assignments folder.
    (tmp_path / "jupyter_config.py").write_text("# dlkit-course-config\n", encoding="utf-8")
    below = tmp_path / "course" / "assignments"
    below.mkdir(parents=True)
    assert _run_loader(below, monkeypatch) == [str(tmp_path / "jupyter_config.py")]


def test_loader_ignores_other_directories(tmp_path, monkeypatch):
    assert _run_loader(tmp_path, monkeypatch) == []
    # Someone else's jupyter_config.py (no course marker) is not ours to load.
    (tmp_path / "jupyter_config.py").write_text("c = get_config()\n", encoding="utf-8")
    assert _run_loader(tmp_path, monkeypatch) == []


def test_nbgrader_sees_the_course(config_seen_from_root):
    seen = config_seen_from_root
    assert seen["course_id"] == "dlkit-deep-learning"
    assert pathlib.Path(seen["root"]) == REPO
    assert seen["source_directory"] == "solutions"
    for kind in ("release", "submitted", "autograded", "feedback"):
        assert pathlib.Path(seen[f"{kind}_directory"]) == pathlib.Path("course", kind)
    assert seen["db_url"] == "sqlite:///" + str(REPO / "course" / "gradebook.db")
    assert pathlib.Path(seen["exchange_root"]) == REPO / "course" / "exchange"


def test_jupyterlab_sees_the_course(config_seen_from_root):
    assert pathlib.Path(config_seen_from_root["root_dir"]) == REPO
    assert config_seen_from_root["default_url"].startswith("/lab/tree/course/notebooks/")


@pytest.mark.slow  # creating a gradebook runs alembic migrations in a subprocess (~20 s)
def test_plain_nbgrader_command_creates_the_gradebook_under_course(tmp_path):
    # A copy of the course config, so the repository's own course/ stays untouched.
    shutil.copy(REPO / "jupyter_config.py", tmp_path / "jupyter_config.py")
    listing = _run(["nbgrader", "db", "student", "list"], cwd=tmp_path)
    assert "0 students" in listing.stdout
    assert (tmp_path / "course" / "gradebook.db").is_file()
    assert (tmp_path / "course" / "exchange").is_dir()


def test_nbgrader_extensions_are_enabled_in_jupyterlab():
    # What `jupyter server extension list` and `jupyter labextension list` report,
    # read from the same config and data paths (those commands take ~10 s each).
    from jupyter_core.paths import jupyter_config_path, jupyter_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyterlab_server.config import get_page_config

    server = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    for name in ("formgrader", "validate_assignment", "assignment_list", "course_list"):
        assert server.get(f"nbgrader.server_extensions.{name}") is True, name
    labextensions = jupyter_path("labextensions")
    federated = {e["name"] for e in get_page_config(labextensions)["federated_extensions"]}
    assert "@jupyter/nbgrader" in federated
    disabled = get_page_config(labextensions).get("disabledExtensions") or []
    if isinstance(disabled, dict):  # {name: True} in some jupyterlab_server versions
        disabled = [name for name, off in disabled.items() if off]
    assert not [name for name in disabled if name.startswith("@jupyter/nbgrader")]
