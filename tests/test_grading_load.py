"""The same grade on any machine and under load; what one cell does costs only that cell.

Budgets are CPU seconds (the kernel's and the jailed worker's process trees) with a
wall-clock backstop for code that sleeps, so a loaded grader (a deadline night, load
20 on 2 cores) gives the grades an idle one gives. The unit tests drive the kernel
(SandboxedExecute) and the worker (run_calls) directly; the load test grades one
small batch through the real ``nbgrader autograde`` idle and again with CPU burners
on the grader's own core, with budgets that a wall clock under that load would break.
"""

import multiprocessing
import os
import re
import signal
import sys
import time

import nbformat
import pytest

from dlkit.grading import cputime
from dlkit.grading.execute import SandboxedExecute
from dlkit.grading.jail import Jail, Limits
from dlkit.grading.runner import Call, run_calls

sys.path.insert(0, os.path.dirname(__file__))
from hostile import course  # noqa: E402
from hostile.assignment import ANSWERS, ASSIGNMENT, POINTS, TESTS  # noqa: E402

HUGE_PRINT = 'for _i in range(200_000):\n    print("x" * 1000)'  # ~200 MB, as tests/hostile's huge_output
ONE_HUGE_MESSAGE = 'import sys\nsys.stdout.write("y" * (48 << 20))\nsys.stdout.flush()'  # > kernel.MAX_MESSAGE


def run_notebook(sources, tmp_path, **traits):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "work").mkdir(exist_ok=True)
    SandboxedExecute(**traits).preprocess(nb, {"metadata": {"path": str(tmp_path / "work")}})
    return nb.cells


def texts(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def errors(cell):
    return [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]


# ------------------------------------------------------------------ one cell, its own cost
def test_a_cell_printing_hundreds_of_megabytes_costs_only_itself(tmp_path):
    cells = run_notebook(["x = 41", HUGE_PRINT, "x += 1", "print(x)", ONE_HUGE_MESSAGE, "print('after', x)"],
                         tmp_path, timeout=30, probe_timeout=5, output_limit=1 << 20)
    assert [c.execution_count for c in cells] == [1, 2, 3, 4, 5, 6]
    assert texts(cells[3]) == "42\n" and texts(cells[5]) == "after 42\n"
    for huge in (cells[1], cells[4]):
        assert not errors(huge)
        assert len(texts(huge)) < (1 << 20) + 1000  # capped (or lost), never 200 MB
        assert "grader" in texts(huge)  # and the student is told why


def test_cpu_budget_not_wall_time_decides_a_cell(tmp_path):
    start = time.monotonic()
    cells = run_notebook(["import time\ntime.sleep(3)\nprint('slept')",  # 3 s wall, ~0 CPU: within budget
                          "while True:\n    pass",                          # CPU: interrupted at 1 s
                          "print('next')",
                          "import time\ntime.sleep(600)",                    # wall backstop: 1 s x 5
                          "print('last')"],
                         tmp_path, timeout=1, wall_factor=5, probe_timeout=5)
    assert texts(cells[0]) == "slept\n" and not errors(cells[0])
    assert errors(cells[1]) == ["CellTimeoutError"]
    assert texts(cells[2]) == "next\n"
    assert "CellTimeoutError" in errors(cells[3])
    assert texts(cells[4]) == "last\n"
    assert time.monotonic() - start < 60


def test_worker_budgets_cpu_per_cell_and_call_with_a_wall_backstop(tmp_path):
    cells = ["import time\ntime.sleep(2)\nslept = True",   # 2 s on the clock, no CPU: runs to the end
             "while True:\n    pass",                      # 1 s CPU: this cell only
             "import time\ntime.sleep(600)",               # sleeps: ended by the 4 s wall backstop
             "def f(x):\n    return x + 1 if slept else None",
             "def nap(x):\n    time.sleep(1.5)\n    return x"]
    calls = [Call("f", (1,), {}), Call("nap", (2,), {})]
    jail = Jail(cwd=str(tmp_path / "work"), limits=Limits(cpu_seconds=60, memory=2 << 30, processes=32))
    start = time.monotonic()
    report = run_calls(cells, calls, jail, deadline=30, cell_timeout=1, call_timeout=1, wall_factor=4)
    assert [o.value for o in report.outcomes] == [2, 2], report.stderr
    assert "cell 2: _CallTimeout" in report.stderr and "cell 3: _CallTimeout" in report.stderr
    assert "cell 1:" not in report.stderr
    assert report.cpu_seconds is not None and report.cpu_seconds < report.seconds
    assert time.monotonic() - start < 30


def test_cpu_seconds_of_a_process_tree_include_its_children():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a child that burns CPU in a grandchild, then reports
        os.close(read)
        grandchild = os.fork()
        end = time.process_time() + 0.6
        while time.process_time() < end:
            pass
        if grandchild:
            os.waitpid(grandchild, 0)
            os.write(write, b"x")
            time.sleep(5)
        os._exit(0)
    os.close(write)
    try:
        os.read(read, 1)
        used = cputime.tree_seconds(pid)
        assert 1.0 <= used < 2.5  # 0.6 s each in child and (reaped) grandchild, counted once
        assert cputime.tree_seconds(os.getpid()) >= used
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)


# ------------------------------------------------------------------ a batch, idle and loaded
SLOW_HONEST = "_acc = 0\nfor _i in range(3_000_000):\n    _acc += _i % 7"  # ~0.3-0.6 s CPU, honest work
BUDGET = 2  # CPU seconds per cell (kernel and worker) in this test; idle cells use well under
BURNERS = 8  # busy processes on the grader's core: the grader gets about 1/9 of it


def _burn():
    while True:
        pass


def _submit(root, student, extra_cells=()):
    nb = nbformat.read(course.paths(root)["release_nb"], as_version=4)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if gid.endswith("_answer"):
            cell.source = ANSWERS[gid[: -len("_answer")]]
    for source in extra_cells:
        nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    target = course.submitted_path(root, student)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    nbformat.write(nb, target)


def _grade(root):
    args = [f"--ExecutePreprocessor.timeout={BUDGET}", "--SandboxedExecute.probe_timeout=30",
            f"--TrustedGrading.cell_timeout={BUDGET}", f"--TrustedGrading.call_timeout={BUDGET}",
            "--TrustedGrading.deadline=20"]
    start = time.monotonic()
    result = course.nbgrader(root, "autograde", ASSIGNMENT, "--force", *args)
    return course.scores(root), result.stdout + result.stderr, time.monotonic() - start


def _per_student(scores):
    return {student: {fn: sum(cells.get(g) or 0 for g, (f, _) in TESTS.items() if f == fn) for fn in POINTS}
            for student, cells in scores.items()}


@pytest.fixture(scope="module")
def idle_and_loaded(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("load-course"))
    course.build(root)
    _submit(root, "honest")
    _submit(root, "slow_honest", extra_cells=(SLOW_HONEST,))
    _submit(root, "huge_output", extra_cells=(HUGE_PRINT,))
    core = min(os.sched_getaffinity(0))
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})  # the grader and everything it starts share one core...
    try:
        idle = _grade(root)
        burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(BURNERS)]
        for burner in burners:  # ...with the burners (affinity is inherited)
            burner.start()
        try:
            loaded = _grade(root)
        finally:
            for burner in burners:
                burner.kill()
                burner.join(timeout=10)
    finally:
        os.sched_setaffinity(0, mine)
    return idle, loaded


def _cell_times(log):
    """[(cpu, wall)] of each notebook's slowest kernel cell, from SandboxedExecute's log."""
    return [(float(c), float(w)) for c, w in
            re.findall(r"dlkit: slowest kernel cell \d+ used ([0-9.]+) s CPU in ([0-9.]+) s", log)]


@pytest.mark.slow
def test_a_loaded_grader_gives_the_idle_grades(idle_and_loaded):
    (idle, idle_log, idle_seconds), (loaded, loaded_log, loaded_seconds) = idle_and_loaded
    full = {fn: float(points) for fn, points in POINTS.items()}
    expected = {"honest": full, "slow_honest": full, "huge_output": full}
    assert _per_student(idle) == expected, idle_log[-3000:]
    assert _per_student(loaded) == expected, loaded_log[-3000:]
    # The load was real: some cell took longer on the clock than its CPU budget (a wall-clock
    # budget would have failed it) while using less CPU than the budget.
    slow = [(cpu, wall) for cpu, wall in _cell_times(loaded_log) if cpu < BUDGET < wall]
    assert slow, (_cell_times(loaded_log), loaded_seconds)
    print(f"\nidle batch {idle_seconds:.0f} s, loaded {loaded_seconds:.0f} s; slowest loaded cells "
          f"(cpu, wall): {sorted(slow, key=lambda t: -t[1])[:3]}")


# ------------------------------------------------------------------ a kernel that does not start
def _failing_starts(monkeypatch, failures):
    """Make the first ``failures`` kernel starts fail the way a slow start does in nbclient."""
    from nbclient.client import NotebookClient
    real = NotebookClient.async_start_new_kernel_client
    count = {"calls": 0}

    async def start(self):
        count["calls"] += 1
        if count["calls"] <= failures:
            self.kc = self.km.client()
            await self._async_cleanup_kernel()  # what nbclient does when wait_for_ready times out
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return await real(self)

    monkeypatch.setattr(NotebookClient, "async_start_new_kernel_client", start)
    return count


def test_a_kernel_that_fails_to_start_is_retried(tmp_path, monkeypatch):
    count = _failing_starts(monkeypatch, failures=1)
    cells = run_notebook(["print(6 * 7)"], tmp_path, start_attempts=3)
    assert texts(cells[0]) == "42\n" and count["calls"] == 2


def test_a_kernel_that_never_starts_fails_the_notebook_loudly(tmp_path, monkeypatch):
    from dlkit.grading.execute import KernelStartError
    count = _failing_starts(monkeypatch, failures=99)
    with pytest.raises(KernelStartError, match="autograde this submission again"):
        run_notebook(["print(1)"], tmp_path, start_attempts=2)
    assert count["calls"] == 2
