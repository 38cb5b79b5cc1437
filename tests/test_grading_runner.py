"""The jailed worker: outcomes as plain data, and faults that cost only the faulty code.

Several faults share one jailed run (each run costs about a second). Tests of what
only bubblewrap provides (no network, no view of the host's files, a pid namespace
that ends fork bombs) are skipped where bubblewrap cannot run.
"""

import os
import socket
import tempfile
import textwrap

import numpy as np
import pytest

from dlkit.grading.jail import Jail, Limits, bubblewrap_works
from dlkit.grading.runner import Call, run_calls

needs_bwrap = pytest.mark.skipif(not bubblewrap_works(), reason="bubblewrap cannot run here")
SOFTMAX = textwrap.dedent('''
    import numpy as np
    def softmax(x, axis=-1):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)
    ''')


def jail(tmp_path, **kwargs):
    kwargs.setdefault("limits", Limits(cpu_seconds=60, memory=2 << 30, processes=32))
    return Jail(cwd=str(tmp_path / "work"), **kwargs)


def test_outcomes_are_plain_data_equal_to_a_direct_call(tmp_path):
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    cells = [SOFTMAX, "def pair(a):\n    return a, 'text'\n", "import dlkit\n"]
    calls = [Call("softmax", (x,), {}), Call("pair", (np.int64(3),), {}), Call("missing", (), {})]
    report = run_calls(cells, calls, jail(tmp_path, allow_dlkit=False))
    value = report.outcomes[0].value
    assert type(value) is np.ndarray and value.dtype == np.float32
    np.testing.assert_allclose(value, np.exp(x - 3) / np.exp(x - 3).sum(), rtol=1e-6)
    assert report.outcomes[1].value == (np.int64(3), "text")
    assert report.outcomes[2].error.startswith("NameError")
    assert "No module named 'dlkit'" in report.stderr  # cell 3 could not import dlkit


def test_loops_memory_and_garbage_cost_only_their_own_calls(tmp_path):
    cells = [
        "while True:\n    pass\n",  # a cell that never ends: cut by the cell alarm
        SOFTMAX,
        "def spin(x):\n    while True:\n        pass\n",
        "def hog(x):\n    return bytearray(8 << 30)\n",
        "def scribble(x):\n    import os\n    for fd in range(3, 20):\n"
        "        try:\n            os.write(fd, b'garbage' * 100)\n        except OSError:\n            pass\n    return 1.0\n",
    ]
    x = np.zeros((1, 3), dtype=np.float32)
    calls = [Call("softmax", (x,), {}), Call("spin", (x,), {}), Call("hog", (x,), {}),
             Call("scribble", (x,), {}), Call("softmax", (x,), {})]
    report = run_calls(cells, calls, jail(tmp_path), deadline=60, call_timeout=2, cell_timeout=2)
    first, spin, hog, scribble, last = report.outcomes
    assert first.ok
    assert spin.error.startswith("TimeoutError")
    assert hog.error.startswith("MemoryError")
    # garbage on the results pipe can only destroy the results that follow it
    assert not scribble.ok and not last.ok


@needs_bwrap
def test_no_network_no_host_files_and_fork_bombs_end(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    secret = tempfile.NamedTemporaryFile(dir=tmp_path, delete=False)
    secret.write(b"hidden tests")
    secret.close()
    cells = [textwrap.dedent(f'''
        import os, socket
        def net(x):
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2)
                return "connected"
            except OSError:
                return "no network"
        def peek(x):
            try:
                return open({secret.name!r}).read()
            except OSError:
                return "no file"
        def write(x):
            try:
                open({str(tmp_path / "pwned")!r}, "w").write("x")
                return "wrote"
            except OSError:
                return "denied"
        def bomb():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        bomb()
        '''), "def alive(x):\n    return 'alive'\n"]
    calls = [Call(name, (0,), {}) for name in ("net", "peek", "write", "alive")]
    report = run_calls(cells, calls, jail(tmp_path), deadline=60, cell_timeout=3)
    assert [o.value for o in report.outcomes] == ["no network", "no file", "denied", "alive"]
    with pytest.raises(socket.timeout):
        server.accept()
    assert not os.path.exists(tmp_path / "pwned")


def test_without_bubblewrap_grading_still_works(tmp_path):
    report = run_calls([SOFTMAX], [Call("softmax", (np.zeros(3),), {})], jail(tmp_path, use_bubblewrap=False))
    np.testing.assert_allclose(report.outcomes[0].value, np.full(3, 1 / 3))
