"""Two checkouts' refcli, timed in alternation on the same library (A/B).

On a shared machine the load changes from minute to minute, so two separate
``run.py`` runs compare the load as much as the code. This script times each
command with checkout A, then with B, then A again …, as fresh processes on the
same library (the 100k store ``run.py`` generated), and prints both medians and
their ratio. Write commands are reset before each run the way ``run.py`` does it.

    python -m benchmarks.ab --a ../main/src --b src --size 100k --rounds 7
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.measure import run_once
from benchmarks.run import ONE_ENTRY, Workspace, label, parse_size, pick_key

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="src/ of checkout A")
    parser.add_argument("--b", type=Path, required=True, help="src/ of checkout B")
    parser.add_argument("--size", default="100k")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--only", action="append", metavar="WORD",
                        help="time only the commands whose name holds WORD (repeatable)")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    ws = Workspace(args.out.resolve())
    lib = ws.pristine(n)
    key = pick_key(n)
    one = ws.root / "one-entry.bib"
    one.write_text(ONE_ENTRY)
    rc = [sys.executable, "-m", "refcli"]
    reads = {"search author:smith": ["search", "author:smith"], "show KEY": ["show", key],
             "cite KEY": ["cite", key, "--style", "apa"]}
    other = ws.data / "other-1000.bib"  # other works than the library's own, as run.py makes them
    if not other.exists():
        from benchmarks.generate import make_bib

        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_text(make_bib(1000, seed=7).replace("{key", "{other"), encoding="utf-8")
    writes = {"add one DOI-less entry": ["add", str(one)], "tag KEY +later": ["tag", key, "+later"],
              "remove KEY": ["remove", key, "--yes"], "add a .bib of 1,000": ["add", str(other)]}
    sides = {"A": args.a.resolve(), "B": args.b.resolve()}
    work = ws.root / "ab-work"

    def env(side: str, library: Path) -> dict[str, str]:
        values = {**ws.refcli_env(library), "PYTHONPATH": str(sides[side])}
        if library == lib:  # reads: each side keeps its own index (the two may differ in format)
            values["REFCLI_CACHE_DIR"] = str(lib.parent / f"cache-{side}")
        return values

    def reset(side: str) -> Path:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        os.link(lib, work / "library.json")
        index = ws.root / f"ab-index-{side}"
        if index.exists():
            shutil.copytree(index, work / "cache")
        return work / "library.json"

    for side in sides:  # each side's index of the pristine library, built once
        target = reset(side)
        run_once([*rc, "show", key], env(side, target), ws.root, 900)
        shutil.rmtree(ws.root / f"ab-index-{side}", ignore_errors=True)
        shutil.copytree(work / "cache", ws.root / f"ab-index-{side}")
    for side in sides:  # reads use the pristine library's own index: warm it for both
        run_once([*rc, "show", key], env(side, lib), ws.root, 900)
    print(f"| command ({label(n)}) | A s | B s | B / A |\n|---|---|---|---|")
    for name, command in {**reads, **writes}.items():
        if args.only and not any(word in name for word in args.only):
            continue
        times: dict[str, list[float]] = {"A": [], "B": []}
        for _ in range(args.rounds):
            for side in sides:
                target = reset(side) if name in writes else lib
                seconds, _, code, last, _ = run_once([*rc, *command], env(side, target), ws.root, 900)
                if code not in (0, 1):
                    raise SystemExit(f"{side} {name}: exit {code}: {last}")
                times[side].append(seconds)
        a, b = statistics.median(times["A"]), statistics.median(times["B"])
        print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)


if __name__ == "__main__":
    main()
