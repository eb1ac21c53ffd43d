"""Time one command as fresh processes: median wall time, CPU time and peak RSS.

Every run is a new process (start-up cost is what users feel). Peak RSS comes
from GNU ``/usr/bin/time`` when installed: Linux carries a process's RSS
high-water mark across ``fork``/``exec``, so a child forked straight from this
(Python, possibly large) harness would report the harness's size; one forked by
the tiny ``time`` binary reports its own. Without it, ``os.wait4``'s figure is
used (an upper bound). CPU time (user + system, the command's and its children's)
is reported beside wall time: on a shared machine it is the steadier figure. A
command that fails or times out is recorded as a failure with its last stderr
line, never raised: a part that has not landed yet shows up in the table.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The 1-minute load average before each measured command: the machine is shared,
# so every table says how busy it was (run.header).
LOAD_SAMPLES: list[float] = []


@dataclass
class Result:
    """Median seconds and peak RSS (MB) of the timed runs, or why they failed."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.ok else None

    @property
    def median_cpu(self) -> float | None:
        return statistics.median(self.cpu) if self.ok and self.cpu else None


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path,
             timeout: float) -> tuple[float, float, int, str, float]:
    """(seconds, peak RSS MB, exit status, last stderr line, CPU seconds) of one fresh process."""
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss_file:
        if gnu_time:
            argv = [gnu_time, "-q", "-f", "%M", "-o", rss_file.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        # A timer kills a hung command (its whole group: `time` and the command);
        # wait4 itself blocks without polling jitter.
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        err.seek(0)
        lines = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
        reported = rss_file.read().split()
    rss_kb = int(reported[-1]) if gnu_time and reported and reported[-1].isdigit() else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime  # the child's, with the descendants it waited for
    if elapsed >= timeout:
        return elapsed, rss_kb / 1024, -9, f"timed out after {timeout:.0f} s", cpu
    return elapsed, rss_kb / 1024, proc.returncode, lines[-1].strip() if lines else "", cpu


def measure(argv: Sequence[str], env: dict[str, str], cwd: Path, *, runs: int = 5,
            warmup: int = 1, timeout: float = 600.0,
            setup: Callable[[], None] | None = None, ok_codes: tuple[int, ...] = (0,)) -> Result:
    """Median of *runs* after *warmup* runs; *setup* runs untimed before each (restores state)."""
    result = Result()
    rss = []
    LOAD_SAMPLES.append(os.getloadavg()[0])
    for i in range(warmup + runs):
        if setup is not None:
            setup()
        seconds, peak, code, last, cpu = run_once(argv, env, cwd, timeout)
        if code not in ok_codes:
            result.error = f"exit {code}: {last[:120]}" if last else f"exit {code}"
            return result
        if i >= warmup:
            result.times.append(seconds)
            result.cpu.append(cpu)
            rss.append(peak)
    result.rss_mb = max(rss, default=0.0)
    return result
