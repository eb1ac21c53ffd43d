#!/usr/bin/env python3
"""Reference parser speed, honest on a shared machine: CPU time beside wall time.

    .venv/bin/python -m benchmarks.refparse_speed [--set pdf|plos|anystyle] [--runs 5] [--limit N]

On a machine other work shares, wall time measures the others as much as refcli: the
parser's own cost is its CPU time (``time.process_time``: this process, all its threads,
so a BLAS that spreads over cores is counted in full). Each run parses the same strings
through ``refparse.parse_batch`` in batches as ``refcli import`` does (the model loaded
before the clock starts) and prints, per run, strings per CPU second, microseconds of CPU
per string, strings per wall second, and the load average (1 min) before and after. The
summary gives the best and the median run of each; the issue's target (1,000 reference
strings/s per core) is judged on CPU time.

Sets: ``pdf`` the 934 printed references of the 22 real PDFs (``raw`` in
../shared/data/pdfs/expected, text as PDFs give it), ``plos`` and ``anystyle`` the labelled
sets of ../shared/data/references (every string, the split does not matter for speed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SETS = {"plos": SHARED / "references" / "plos-jats.jsonl", "anystyle": SHARED / "references" / "anystyle-gold.jsonl"}


def strings(name: str, limit: int | None) -> list[str]:
    if name == "pdf":
        out = [ref["raw"] for path in sorted((SHARED / "pdfs" / "expected").glob("*.json"))
               for ref in json.loads(path.read_text(encoding="utf-8"))["references"]]
    else:
        with SETS[name].open(encoding="utf-8") as lines:
            out = [json.loads(line)["raw"] for line in lines]
    return out[:limit] if limit else out


def run_once(texts: list[str]) -> tuple[float, float, float, float]:
    """(CPU seconds, wall seconds, load before, load after) of parsing *texts* once."""
    from refcli import refparse

    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), refparse.BATCH):
        refparse.parse_batch(texts[start:start + refparse.BATCH])
    return time.process_time() - cpu, time.perf_counter() - wall, load, os.getloadavg()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["pdf", "plos", "anystyle"], default="pdf")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="only the first N strings")
    args = parser.parse_args()
    try:
        texts = strings(args.set, args.limit)
    except FileNotFoundError as exc:
        print(f"missing data: {exc.filename}", file=sys.stderr)
        return 1
    from refcli import refparse

    refparse.parse_batch(texts[:refparse.BATCH])  # the model loaded, caches warm: as in `refcli import`
    print(f"{len(texts)} strings ({args.set}), {os.cpu_count()} cores, batch {refparse.BATCH}")
    rows = []
    for i in range(args.runs):
        cpu, wall, before, after = run_once(texts)
        rows.append((len(texts) / cpu, len(texts) / wall))
        print(f"run {i + 1}: {len(texts) / cpu:,.0f} strings/CPU-s ({1e6 * cpu / len(texts):,.0f} µs CPU each), "
              f"{len(texts) / wall:,.0f} strings/wall-s; load {before:.1f} -> {after:.1f}")
    per_cpu = sorted(row[0] for row in rows)
    per_wall = sorted(row[1] for row in rows)
    print(f"CPU time: best {per_cpu[-1]:,.0f}/s, median {statistics.median(per_cpu):,.0f}/s "
          f"(target 1,000 strings/s per core); wall: best {per_wall[-1]:,.0f}/s, "
          f"median {statistics.median(per_wall):,.0f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
