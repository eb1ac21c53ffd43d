"""Several refcli processes writing one library at once lose nothing (issue 6).

8 writers each add 50 distinct works from their own CSL-JSON file (one `add` per
work, so 400 separate transactions contend for the lock) and then tag one shared
work, while other processes tag and remove seeded works and a reader keeps
parsing the file: every add and edit must be present exactly once and no read
may ever see a half-written file. The lock's own attacks (symlinks, FIFOs, a
lock file deleted while held) are in ``test_reliability_hostile.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from helpers import read_library
from reliability_util import cli_argv, cli_env, dois, item, write_items

WRITERS = 8
PER_WRITER = 50
SEEDS = 13  # 6 tagged by two processes, 6 removed, 1 tagged by every writer


def _writer_script(files: list[str], shared: str, tag: str) -> str:
    """One shell-free loop per writer process: run `refcli add` for each file in turn,
    then tag the *shared* work."""
    return (
        "import subprocess, sys\n"
        f"for f in {files!r}:\n"
        f"    r = subprocess.run({cli_argv('add')!r} + [f], capture_output=True, text=True)\n"
        "    if r.returncode or 'Traceback' in r.stderr:\n"
        "        sys.exit(f'{f}: {r.returncode} {r.stderr}')\n"
        f"r = subprocess.run({cli_argv('tag', shared, '+' + tag)!r}, capture_output=True, text=True)\n"
        "if r.returncode or 'Traceback' in r.stderr:\n"
        "    sys.exit(f'tag: {r.returncode} {r.stderr}')\n"
    )


def test_parallel_adds_tags_and_removes_lose_nothing(refcli, library, tmp_path):
    seeds = [item(99, n) for n in range(SEEDS)]
    assert refcli("add", str(write_items(tmp_path / "seeds.json", seeds))).code == 0
    keys = {i["DOI"].lower(): i["id"] for i in read_library(library)}
    seed_keys = [keys[s["DOI"].lower()] for s in seeds]
    to_tag, to_remove, shared = seed_keys[:6], seed_keys[6:12], seed_keys[12]

    procs = []
    for w in range(WRITERS):
        files = [str(write_items(tmp_path / f"w{w}_{n}.json", [item(w, n)])) for n in range(PER_WRITER)]
        procs.append(subprocess.Popen(
            [cli_argv()[0], "-c", _writer_script(files, shared, f"w{w}")], env=cli_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    # Editors: each tags every to_tag work with its own tag; one removes works one by one.
    edit_script = (f"import subprocess, sys\nfor k in {to_tag!r}:\n"
                   f"    r = subprocess.run({cli_argv('tag')!r} + [k, '+t' + sys.argv[1]], "
                   "capture_output=True, text=True)\n"
                   "    if r.returncode: sys.exit(r.stderr)\n")
    for t in range(2):
        procs.append(subprocess.Popen([cli_argv()[0], "-c", edit_script, str(t)], env=cli_env(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    remove_script = (f"import subprocess, sys\nfor k in {to_remove!r}:\n"
                     f"    r = subprocess.run({cli_argv('remove')!r} + [k, '--yes'], capture_output=True, text=True)\n"
                     "    if r.returncode: sys.exit(r.stderr)\n")
    procs.append(subprocess.Popen([cli_argv()[0], "-c", remove_script], env=cli_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))

    # The reader: every snapshot of the file taken during the writes must parse as a list.
    reads = 0
    deadline = time.monotonic() + 240
    while any(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "writers did not finish in time"
        data = library.read_bytes()
        parsed = json.loads(data)  # raises on a torn or half-written file
        assert isinstance(parsed, list) and len(parsed) >= SEEDS - len(to_remove)
        reads += 1
        time.sleep(0.01)  # leave the CPU to the writers
    for p in procs:
        out, err = p.communicate()
        assert p.returncode == 0, err
        assert "Traceback" not in err

    final = read_library(library)
    got = dois(final)
    expected = {item(w, n)["DOI"].lower() for w in range(WRITERS) for n in range(PER_WRITER)}
    expected |= {s["DOI"].lower() for s in seeds[:6] + seeds[12:]}
    assert sorted(got) == sorted(expected), "an add was lost, duplicated, or a removal undone"
    assert len(set(i["id"] for i in final)) == len(final)
    by_key = {i["id"]: i for i in final}
    for k in to_tag:
        assert sorted(by_key[k]["custom"]["tags"]) == ["t0", "t1"], by_key[k]
    for k in to_remove:
        assert k not in by_key
    assert sorted(by_key[shared]["custom"]["tags"]) == sorted(f"w{w}" for w in range(WRITERS))
    assert reads > 0
    print(f"{WRITERS + 3} processes, {WRITERS * PER_WRITER + 2 * len(to_tag) + len(to_remove)} "
          f"writes held, {reads} concurrent reads, 0 lost")


def test_lock_held_by_dead_process_is_recovered(refcli, library, tmp_path):
    """A lock file left by a killed process (pid still written in it) must not block."""
    assert refcli("add", str(write_items(tmp_path / "a.json", [item(1, 1)]))).code == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = library.with_name(f".{library.name}.lock")
    lock.write_text(str(dead.pid))
    os.chmod(lock, 0o644)
    started = time.monotonic()
    res = refcli("add", str(write_items(tmp_path / "b.json", [item(1, 2)])))
    assert res.code == 0, res.err
    assert time.monotonic() - started < 10
    assert f"recovered the lock of a refcli process that stopped mid-change (pid {dead.pid})" in res.err
    assert lock.read_text() == ""  # released cleanly
    assert sorted(dois(read_library(library))) == sorted(
        [item(1, 1)["DOI"].lower(), item(1, 2)["DOI"].lower()])


def test_writer_waits_for_a_live_lock_holder(refcli, library, tmp_path):
    """While a live process holds the lock, a writer waits for it rather than failing or racing."""
    assert refcli("add", str(write_items(tmp_path / "a.json", [item(2, 1)]))).code == 0
    holder = subprocess.Popen(
        [cli_argv()[0], "-c",
         "import sys, time; from pathlib import Path; from refcli import store\n"
         "with store.locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(2)\n",
         str(library)], env=cli_env(), stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    res = refcli("add", str(write_items(tmp_path / "b.json", [item(2, 2)])), timeout=60)
    waited = time.monotonic() - started
    holder.wait()
    assert res.code == 0, res.err
    assert waited >= 1.0, "the writer did not wait for the lock"
    assert sorted(dois(read_library(library))) == sorted(
        [item(2, 1)["DOI"].lower(), item(2, 2)["DOI"].lower()])


def test_lock_timeout_is_configurable(refcli, library, tmp_path):
    """REFCLI_LOCK_TIMEOUT bounds the wait: a writer gives up with a one-line error
    naming the holder, and the library is untouched; a bad value is a usage error."""
    assert refcli("add", str(write_items(tmp_path / "a.json", [item(3, 1)]))).code == 0
    before = library.read_bytes()
    holder = subprocess.Popen(
        [cli_argv()[0], "-c",
         "import sys, time; from pathlib import Path; from refcli import store\n"
         "with store.locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(120)\n",
         str(library)], env=cli_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        res = refcli("add", str(write_items(tmp_path / "b.json", [item(3, 2)])),
                     extra_env={"REFCLI_LOCK_TIMEOUT": "0.5"})
        assert time.monotonic() - started < 20  # not the 30 s default, nor the holder's 120 s
        assert res.code == 74 and f"pid {holder.pid}" in res.err and "REFCLI_LOCK_TIMEOUT" in res.err
        assert len(res.err.strip().splitlines()) == 1
        assert library.read_bytes() == before
        bad = refcli("add", str(tmp_path / "b.json"), extra_env={"REFCLI_LOCK_TIMEOUT": "soon"})
        assert bad.code == 2 and "REFCLI_LOCK_TIMEOUT" in bad.err
    finally:
        holder.kill()
        holder.wait()
