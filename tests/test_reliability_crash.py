"""Killing refcli at any moment never loses or mixes up the library (issue 6).

A library of 3,000 works is changed by `add`, `tag` and `remove`, and each
command is SIGKILLed (or sent SIGINT) at a random moment. After each kill the
library must load and equal the state before the command or the state after
it, never a mix and never empty. Every few rounds a command runs to completion,
which proves the library (and its derived index) still works after the kills,
and that the temp files the killed writers left are gone.

Most kills are aimed at a write in progress: the test waits until the command
holds the lock (its pid is in the lock file) and kills it a moment later; the
rest land at random moments. Whether each kill landed inside the write (the
lock file still held its pid, or its temp file existed, just before the kill)
is counted, and most must have.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

from conftest import read_library
from reliability_util import cli_argv, cli_env, item, write_items

BASE = 3000
KILLS_WANTED = 50
KILL_LOOP_SECONDS = 60


def _state(path: Path) -> dict[str, tuple[str, ...]]:
    """What a command may change, per work: its presence and its tags."""
    items = json.loads(path.read_bytes())  # must always parse
    assert isinstance(items, list) and items, "library empty or not an array"
    return {i["DOI"].lower(): tuple(sorted(i.get("custom", {}).get("tags", []))) for i in items}


def _seed(library: Path) -> None:
    from refcli import store

    store.atomic_write(library, store.dumps([item(500 + n // 1000, n % 1000) for n in range(BASE)]))


class Commands:
    """Random commands with the state they lead to, computed from the state before."""

    def __init__(self, library: Path, tmp: Path, rng: random.Random):
        self.library, self.tmp, self.rng = library, tmp, rng
        self.batch = 0

    def next(self, before: dict[str, tuple[str, ...]]) -> tuple[list[str], dict]:
        keys = {i["DOI"].lower(): i["id"] for i in json.loads(self.library.read_bytes())}
        doi = self.rng.choice(sorted(before))
        kind = self.rng.choice(["add", "tag", "remove"])
        after = dict(before)
        if kind == "add":
            self.batch += 1
            new = [item(2000 + self.batch, n) for n in range(20)]
            path = write_items(self.tmp / f"batch{self.batch}.json", new)
            after.update({i["DOI"].lower(): () for i in new})
            return ["add", str(path)], after
        if kind == "tag":
            tag = f"k{self.rng.randrange(1000)}"
            after[doi] = tuple(sorted(set(before[doi]) | {tag}))
            return ["tag", keys[doi], f"+{tag}"], after
        del after[doi]
        return ["remove", keys[doi], "--yes"], after


def _wait_for_lock(library: Path, pid: int, proc: subprocess.Popen, limit: float = 10) -> bool:
    """True once *pid* holds the library lock (it writes its pid there): it is inside a write."""
    lock = library.with_name(f".{library.name}.lock")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if lock.read_text() == str(pid):
                return True
        except OSError:
            pass
        time.sleep(0.002)
    return False


def _inside_write(library: Path, pid: int) -> bool:
    """Whether *pid* is inside a write: it holds the lock, or its temp file exists."""
    try:
        if library.with_name(f".{library.name}.lock").read_text() == str(pid):
            return True
    except OSError:
        pass
    return library.with_name(f".{library.name}.{pid}.tmp").exists()


def test_sigkill_at_random_moments_leaves_before_or_after(env, library, tmp_path):
    _seed(library)
    rng = random.Random(6)
    commands = Commands(library, tmp_path, rng)
    kills = inside = rounds = completed = 0
    deadline = time.monotonic() + KILL_LOOP_SECONDS
    while (kills < KILLS_WANTED or completed < 3) and time.monotonic() < deadline:
        rounds += 1
        before = _state(library)
        argv, after = commands.next(before)
        proc = subprocess.Popen(cli_argv(*argv), env=cli_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        if rounds % 8 == 0:  # let one run to the end: the library still works after the kills
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err.decode()
            assert _state(library) == after
            assert len(read_library(library)) >= 1  # never empty
            # the temp files of the writers killed so far went with this write
            assert not list(library.parent.glob(f".{library.name}.*.tmp"))
            completed += 1
            continue
        if rounds % 4:  # aimed: just after the command took the lock (a write is short)
            _wait_for_lock(library, proc.pid, proc)
            time.sleep(rng.uniform(0.0, 0.01))
        else:  # anywhere in the command's life (~0.1-0.2 s)
            time.sleep(rng.uniform(0.01, 0.2))
        if proc.poll() is None:
            landed = _inside_write(library, proc.pid)
            proc.send_signal(signal.SIGKILL)
            kills += 1
            inside += landed
        proc.wait()
        now = _state(library)
        assert now in (before, after), f"round {rounds} ({argv[0]}): a mix of before and after"
    assert kills >= KILLS_WANTED, f"only {kills} kills in {KILL_LOOP_SECONDS} s"
    assert completed >= 3
    assert inside >= kills * 0.6, f"only {inside} of {kills} kills landed inside a write"
    print(f"{kills} SIGKILLs survived in {rounds} rounds ({completed} completed), {inside} inside a write;"
          " 0 items lost")


def test_sigint_during_a_write_exits_130_and_keeps_the_library(env, library, tmp_path):
    _seed(library)
    rng = random.Random(130)
    commands = Commands(library, tmp_path, rng)
    interrupted = 0
    for _ in range(12):
        before = _state(library)
        argv, after = commands.next(before)
        proc = subprocess.Popen(cli_argv(*argv), env=cli_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        inside = _wait_for_lock(library, proc.pid, proc)
        time.sleep(rng.uniform(0, 0.05))
        if inside and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        now = _state(library)
        if proc.returncode == 130:
            interrupted += 1
            assert "interrupted" in err and len(err.strip().splitlines()) == 1, err
            assert now == before, "an interrupted command changed the library"
        else:
            assert proc.returncode == 0, err
            assert now == after
    assert interrupted >= 3, f"only {interrupted} of 12 commands were interrupted"


def test_ctrl_c_while_reading_a_big_file_exits_130_and_keeps_the_library(env, library, tmp_path):
    """SIGINT a second into a 60,000-entry `add` (mostly parsing, before the lock)."""
    _seed(library)
    before = library.read_bytes()
    big = tmp_path / "big.bib"
    big.write_text("".join(f"@article{{k{n}, author={{Doe, J.}}, title={{Title {n}}}, journal={{J}}, year={{2001}}}}\n"
                           for n in range(60000)))
    proc = subprocess.Popen(cli_argv("add", str(big)), env=cli_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # the machine was fast enough to finish first: nothing to interrupt
        return
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert library.read_bytes() == before
    assert not list(library.parent.glob(".*.tmp"))
