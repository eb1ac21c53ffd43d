"""Nothing lost: concurrent writers, SIGKILL at random moments, Ctrl-C during a write.

Each test runs real refcli processes against one library file and then checks
the file item by item, so a lost or duplicated write fails the test.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import read_library

PROCESSES = 8
ITEMS_EACH = 50


def _spawn(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "refcli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env or os.environ.copy(), text=True)


def _items(worker: int, count: int) -> list[dict]:
    return [{"id": f"w{worker}i{n}", "type": "article-journal", "title": f"Work {n} of writer {worker}",
             "author": [{"family": f"Writer{worker}", "given": "A."}], "issued": {"date-parts": [[2000 + n]]}}
            for n in range(count)]


def test_eight_writers_lose_nothing(env, library, tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([{"id": "shared", "type": "book", "title": "Tagged by everyone"},
                                {"id": "doomed", "type": "book", "title": "Removed by one"}]))
    assert subprocess.run([sys.executable, "-m", "refcli", "add", str(seed)], capture_output=True).returncode == 0
    procs = []
    for worker in range(PROCESSES):
        # each writer adds its items in five separate commands, so writes interleave
        files = []
        for chunk in range(5):
            path = tmp_path / f"w{worker}c{chunk}.json"
            path.write_text(json.dumps(_items(worker, ITEMS_EACH)[chunk * 10:(chunk + 1) * 10]))
            files.append(str(path))
        script = (f"import subprocess, sys\n"
                  f"for f in {files!r}:\n"
                  f"    r = subprocess.run([sys.executable, '-m', 'refcli', 'add', f], capture_output=True)\n"
                  f"    assert r.returncode == 0, r.stderr\n"
                  f"r = subprocess.run([sys.executable, '-m', 'refcli', 'tag', 'shared', '+t{worker}'], capture_output=True)\n"
                  f"assert r.returncode == 0, r.stderr\n")
        procs.append(subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True))
    remover = _spawn("remove", "doomed", "--yes")
    # a reader running all along never sees a broken file
    broken_reads = 0
    while any(p.poll() is None for p in procs):
        try:
            json.loads(library.read_text())
        except (json.JSONDecodeError, FileNotFoundError):
            broken_reads += 1
        time.sleep(0.01)
    for p in [*procs, remover]:
        assert p.wait(120) == 0, p.stderr.read()
    items = read_library(library)
    keys = [i["id"] for i in items]
    assert broken_reads == 0
    assert len(keys) == len(set(keys)) == PROCESSES * ITEMS_EACH + 1
    for worker in range(PROCESSES):
        assert {f"w{worker}i{n}" for n in range(ITEMS_EACH)} <= set(keys)
    shared = next(i for i in items if i["id"] == "shared")
    assert sorted(shared["custom"]["tags"]) == sorted(f"t{w}" for w in range(PROCESSES))
    assert "doomed" not in keys


def _state(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def test_sigkill_at_random_moments_leaves_old_or_new_library(env, library, tmp_path):
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_items(0, 2000)))
    assert subprocess.run([sys.executable, "-m", "refcli", "add", str(base)], capture_output=True).returncode == 0
    batch = tmp_path / "batch.json"
    rng = random.Random(7)
    kills = completed = 0
    deadline = time.monotonic() + 120  # about 40 s on an idle 2-core machine
    n = 0
    while (kills < 50 or completed < 3) and time.monotonic() < deadline:
        n += 1
        before = _state(library)
        batch.write_text(json.dumps(_items(n + 1, 20)))
        command = rng.choice([("add", str(batch)), ("tag", "w0i5", f"+k{n}"), ("remove", f"w0i{n}", "--yes")])
        proc = _spawn(*command)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if proc.returncode == 0:
            completed += 1
        after = _state(library)
        data = json.loads(after)  # always a valid library, never empty
        assert len(data) >= 1900
        if after != before:
            # the command's whole effect or nothing: the new state is one the command produces
            keys = {i["id"] for i in data}
            old_keys = {i["id"] for i in json.loads(before)}
            if command[0] == "add":
                assert keys - old_keys == {f"w{n + 1}i{k}" for k in range(20)}
            elif command[0] == "remove":
                assert old_keys - keys == {f"w0i{n}"}
            else:
                assert keys == old_keys
    assert kills >= 50, f"only {kills} kills in the time allowed"
    assert completed >= 3


def test_ctrl_c_during_a_write_exits_130_and_keeps_the_library(env, library, tmp_path):
    base = tmp_path / "base.json"
    base.write_text(json.dumps(_items(0, 50)))
    assert subprocess.run([sys.executable, "-m", "refcli", "add", str(base)], capture_output=True).returncode == 0
    before = library.read_bytes()
    big = tmp_path / "big.bib"
    big.write_text("".join(f"@article{{k{n}, author={{Doe, J.}}, title={{Title {n}}}, journal={{J}}, year={{2001}}}}\n"
                           for n in range(60000)))
    proc = _spawn("add", str(big))
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # the machine was fast enough to finish first: nothing to interrupt
        return
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert library.read_bytes() == before
    assert not list(library.parent.glob(".*.tmp"))


def test_lock_of_a_dead_process_is_recovered_with_a_message(env, library, tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(_items(0, 3)))
    assert subprocess.run([sys.executable, "-m", "refcli", "add", str(seed)], capture_output=True).returncode == 0
    lock = library.with_name(f".{library.name}.lock")
    assert lock.read_text() == ""  # released cleanly
    # a refcli killed while holding the lock leaves its pid behind (and no flock: the kernel dropped it)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    proc.kill()
    proc.wait()
    lock.write_text(str(proc.pid))
    result = subprocess.run([sys.executable, "-m", "refcli", "tag", "w0i1", "+x"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"recovered the lock of a refcli process that stopped mid-change (pid {proc.pid})" in result.stderr
    assert lock.read_text() == ""
