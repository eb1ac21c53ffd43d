"""Speed of `refcli add` with deduplication: the issue-12 budget (issue 5's harness).

Three cases, each a fresh `refcli add` process timed by ``measure.py`` in the
isolated workspace of ``run.py``:

* the whole 10k ``.bib`` into an empty library (target ≤ 2 s),
* the whole 100k ``.bib`` into an empty library (target ≤ 20 s),
* a 10k ``.bib`` of other works (another seed) into the 100k library.

    .venv/bin/python -m benchmarks.dedupe_speed [--runs 1] [--skip-into]

Figures are written in benchmarks/README.md ("Deduplication speed").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks.generate import make_bib, write_library
from benchmarks.measure import LOAD_SAMPLES, measure
from benchmarks.run import Workspace, label

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--skip-into", action="store_true", help="skip the 10k-into-100k case")
    args = parser.parse_args()
    ws = Workspace(args.out)
    rc = [sys.executable, "-m", "refcli"]
    rows: list[tuple[str, Any, float | None]] = []
    for n, target in ((10_000, 2.0), (100_000, 20.0)):
        bib, _ = write_library(n, ws.data)
        empty, fresh = ws.restorer(n, rc, empty=True)
        result = measure([*rc, "add", str(bib)], ws.refcli_env(empty), ws.root, runs=args.runs,
                         warmup=args.warmup, setup=fresh, timeout=900)
        rows.append((f"add the whole {label(n)} .bib (empty library)", result, target))
    if not args.skip_into:
        other = ws.data / "other-10000.bib"
        if not other.exists():
            other.write_text(make_bib(10_000, seed=11).replace("{key", "{other"), encoding="utf-8")
        work, reset = ws.restorer(100_000, rc)
        result = measure([*rc, "add", str(other)], ws.refcli_env(work), ws.root, runs=args.runs,
                         warmup=args.warmup, setup=reset, timeout=900)
        rows.append(("add a 10k .bib into the 100k library", result, None))
    print(f"load average before each case: {', '.join(f'{x:.1f}' for x in LOAD_SAMPLES)}")
    print("| case | median s | median CPU s | peak RSS MB | target |")
    print("|---|---|---|---|---|")
    for name, timed, budget in rows:
        figure = f"{timed.median:.2f} | {timed.median_cpu:.2f}" if timed.ok else f"FAILED ({timed.error}) | -"
        print(f"| {name} | {figure} | {timed.rss_mb:.0f} | {'≤ ' + str(budget) + ' s' if budget else '-'} |")


if __name__ == "__main__":
    main()
