"""CPU seconds used by a process and everything below it (Linux /proc).

The grader budgets student code in CPU time, not wall time: on a loaded machine (a
deadline night, load 20 on 2 cores) an honest cell takes ten times longer on the
clock but uses the same CPU. ``tree_seconds(pid)`` is

    sum over the live processes p of the tree:  utime + stime + cutime + cstime

(from /proc/<p>/stat, in clock ticks). A child that exited and was waited for is in
its parent's cutime/cstime, so it is counted once; a live process is not yet in
anyone's. Where /proc is not available, ``None``: callers fall back to wall time.
"""

import os

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_seconds(pid):
    """CPU seconds of ``pid`` and its descendants, or None when they cannot be read."""
    table = _process_table()
    if table is None or pid not in table:
        return None
    children = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    ticks, stack = 0, [pid]
    while stack:
        current = stack.pop()
        ticks += table[current][1]
        stack.extend(children.get(current, ()))
    return ticks / _TICK


def _process_table():
    """{pid: (parent pid, utime+stime+cutime+cstime ticks)} of every readable process."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    table = {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        # fields[0] is the state (field 3 of stat); ppid is field 4, utime..cstime 14..17
        table[int(name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    return table
