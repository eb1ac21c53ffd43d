"""Two source trees' start-up-sensitive commands, timed turn by turn (A, B, A, B …).

    python -m benchmarks.startup_ab --a /path/to/main/src --b src [--size 10000] [--runs 15]

On a shared machine the load changes from minute to minute; ``benchmarks.run``
times one tree after the other, so a before/after pair of its tables can differ by
the load alone. Here every command runs alternately from tree A and tree B
(``PYTHONPATH``), in the same isolated environment as ``benchmarks.run``, on one
generated library, and the medians and their ratio B/A are printed. Write commands
run on a fresh copy of the library each time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import write_library
from benchmarks.run import pick_key


def commands(key: str) -> list[tuple[str, list[str], bool]]:
    """(label, refcli arguments, writes the library?)."""
    return [
        ("--help", ["--help"], False),
        ("search author:smith", ["search", "author:smith"], False),
        ("search bayesian", ["search", "bayesian"], False),
        ("show KEY", ["show", key], False),
        ("cite KEY --style apa", ["cite", key, "--style", "apa"], False),
        ("export --format bibtex", ["export", "--format", "bibtex"], False),
        ("export (default format)", ["export"], False),
        ("tag KEY +later", ["tag", key, "+later"], True),
        ("remove KEY", ["remove", key, "--yes"], True),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, required=True, help="tree A's src/ (e.g. main's)")
    parser.add_argument("--b", type=Path, required=True, help="tree B's src/")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per tree and command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "home"
        for sub in (".config", ".cache", ".local/share"):
            (home / sub).mkdir(parents=True)
        _, library = write_library(args.size, root / "data")
        work = root / "work" / "library.json"
        work.parent.mkdir()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
               "XDG_DATA_HOME": str(home / ".local/share"), "LANG": "C.UTF-8", "NO_COLOR": "1",
               "COLUMNS": "120", "REFCLI_DOI_URL": "http://127.0.0.1:9",
               "REFCLI_LIBRARY": str(work), "REFCLI_CACHE_DIR": str(root / "cache")}
        trees = {"A": str(args.a.resolve()), "B": str(args.b.resolve())}
        print(f"{args.size:,} works, {args.runs} runs per tree, load {os.getloadavg()[0]:.1f}")
        print("| command | A s | B s | B/A |\n|---|---|---|---|")
        for label, argv, writes in commands(pick_key(args.size)):
            times: dict[str, list[float]] = {"A": [], "B": []}
            for i in range(args.runs + 1):  # the first round warms the caches, untimed
                for tree, src in trees.items():
                    if writes or i == 0:
                        shutil.copyfile(library, work)
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "refcli", *argv], env={**env, "PYTHONPATH": src},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                    if i:
                        times[tree].append(time.perf_counter() - start)
            a, b = statistics.median(times["A"]), statistics.median(times["B"])
            print(f"| {label} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)
        print(f"load at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
