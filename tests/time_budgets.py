"""A time limit for tests that guard against hangs and blow-ups, which a loaded machine cannot
trip: the limit is on this process's CPU time (what a runaway loop burns, and what other jobs on a
shared 2-core runner do not stretch), with a wall-clock backstop ten times longer for a block
that waits instead of computing (a read from a FIFO)."""

from __future__ import annotations

import contextlib
import signal


class Hang(BaseException):
    """Raised when a budget runs out; a BaseException so that the per-file ``except Exception``
    guard in lint.py cannot swallow it and turn a hang into a VL000."""


@contextlib.contextmanager
def time_budget(cpu_seconds: float, wall_seconds: float | None = None):
    """Raise Hang if the block uses more than ``cpu_seconds`` of CPU time, or runs longer than
    ``wall_seconds`` of wall time (default ten times the CPU budget, at least two minutes)."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        yield
        return
    wall = wall_seconds if wall_seconds is not None else max(120.0, 10 * cpu_seconds)

    def on_cpu(signum, frame):
        raise Hang(f"used more than {cpu_seconds:g} s of CPU time")

    def on_wall(signum, frame):
        raise Hang(f"did not finish within {wall:g} s of wall time")

    old_prof = signal.signal(signal.SIGPROF, on_cpu)
    old_alarm = signal.signal(signal.SIGALRM, on_wall)
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    signal.setitimer(signal.ITIMER_REAL, wall)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old_prof)
        signal.signal(signal.SIGALRM, old_alarm)
