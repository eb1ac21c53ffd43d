"""The writing workflow's speed targets (issue 17), measured on generate.py's libraries.

1. A synced ``.bib`` of 1,000 cited works rewritten after a change (target ≤ 0.3 s):
   a library of N works, a ``.aux`` citing 1,000 of them, registered with
   ``refcli sync add``; then one cited work's title is changed through the store
   (what ``refcli edit`` does) and the time of the rewrite itself (``sync.after_save``)
   and of the whole save (store transaction, index update and rewrite) are taken.
2. Completion of keys at 100k (target ≤ 0.15 s): a fresh process completing
   ``refcli show <prefix>`` the way bash asks (``_REFCLI_COMPLETE=complete_bash``).

    .venv/bin/python -m benchmarks.writing_bench --sizes 10000 100000 --runs 5

Prints a Markdown table; the medians of fresh runs go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import write_library


def _library(n: int, work: Path) -> Path:
    _, store_file = write_library(n, Path(__file__).parent / "out" / "data")
    library = work / f"library-{n}.json"
    library.write_bytes(store_file.read_bytes())
    return library


def bench_sync(n: int, runs: int) -> tuple[float, float]:
    """(median rewrite seconds, median whole-save seconds) for 1,000 cited works."""
    from refcli import hooks, store, sync

    if sync.after_save not in hooks.AFTER_SAVE:  # as the command line registers it
        hooks.AFTER_SAVE.append(sync.after_save)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["REFCLI_CACHE_DIR"] = str(work / "cache")
        library = _library(n, work)
        keys = [item["id"] for item in store.load(library).items[: n : max(1, n // 1000)]][:1000]
        aux = work / "thesis.aux"
        aux.write_text("\\relax\n" + "".join(f"\\citation{{{k}}}\n" for k in keys))
        out = work / "thesis.bib"
        sync.register(library, out, "biblatex", [aux], None)
        sync.write_all(library)  # the first write, as `sync add` does
        rewrite, whole = [], []
        for run in range(runs):
            key = keys[(run * 37) % len(keys)]
            start = time.perf_counter()
            with store.transaction(library, message="bench edit") as lib:
                item = lib.get(key)
                assert item is not None
                item["title"] = f"{item.get('title', '')} (revised {run})"
            whole.append(time.perf_counter() - start)
            assert f"(revised {run})" in out.read_text()
            # the rewrite alone, after another change made without the hook
            registrations = sync.registry_path(library)
            saved = registrations.read_bytes()
            registrations.unlink()
            with store.transaction(library, message="bench edit") as lib:
                item = lib.get(key)
                item["title"] = f"{item.get('title', '')} again"
            registrations.write_bytes(saved)
            start = time.perf_counter()
            sync.after_save(library)
            rewrite.append(time.perf_counter() - start)
        return statistics.median(rewrite), statistics.median(whole)


def bench_completion(n: int, runs: int) -> tuple[float, float]:
    """Median seconds of a fresh process completing a key prefix for bash, and of
    ``refcli --version`` (the start-up every command pays) measured alongside."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        library = _library(n, work)
        prefix = library.read_bytes()[8:30].split(b'"')[0].decode()[:4]  # the first key's start
        env = {**os.environ, "REFCLI_LIBRARY": str(library), "REFCLI_CACHE_DIR": str(work / "cache"),
               "_REFCLI_COMPLETE": "complete_bash", "COMP_WORDS": f"refcli show {prefix}", "COMP_CWORD": "2"}
        cmd = [sys.executable, "-m", "refcli"]
        first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)  # builds the index
        assert first.returncode == 0 and first.stdout.strip(), first.stderr
        times, floor = [], []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, timeout=60, check=True)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([*cmd, "--version"], capture_output=True, timeout=60, check=True)
            floor.append(time.perf_counter() - start)
        return statistics.median(times), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-completion", action="store_true")
    parser.add_argument("--skip-sync", action="store_true")
    args = parser.parse_args()
    print("| library | synced .bib rewrite (1,000 cited) | whole save with the rewrite"
          " | key completion (bash) | `refcli --version` alongside |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        rewrite, whole = (None, None) if args.skip_sync else bench_sync(n, args.runs)
        completion, floor = (None, None) if args.skip_completion else bench_completion(n, args.runs)
        cells = ["—" if x is None else f"{x:.3f} s" for x in (rewrite, whole, completion, floor)]
        print(f"| {n:,} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
