#!/usr/bin/env python3
"""Timing and parity numbers for refcli.csl (results go in benchmarks/csl.md).

    python -m benchmarks.cite_bench            # timings
    python -m benchmarks.cite_bench --parity   # + per-style table
    python -m benchmarks.cite_bench --key-at 0 # without the 100k library

Timings: one process renders N (default 1000) distinct items with APA
(citations + bibliography, disambiguation included; then only the joint
citation and the bibliography, what ``cite --all`` prints); ``refcli cite
--from FILE --all`` as a fresh process with an empty cache; a fresh process
imports refcli.csl and renders one citation (what ``refcli cite KEY --style
apa`` pays besides the CLI); ``refcli cite KEY`` on a 100,000-work library;
a document of 500 citations through ``render_clusters``.  CPU seconds are given beside wall seconds: on a
shared box the wall time mostly measures the neighbours.  Parity: entries/citations identical to the committed
citeproc-js expectations in tests/fixtures/csl/expected.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "csl"
STYLES = ["apa", "chicago-author-date", "chicago-notes-bibliography", "ieee",
          "modern-language-association", "harvard-cite-them-right", "nature",
          "american-medical-association", "vancouver-nlm", "elsevier-harvard"]
ONE = """
import time; t0 = time.perf_counter()
from refcli.csl import render
it = {"id": "n", "type": "article-journal", "title": "What is it like to be a bat?",
      "author": [{"family": "Nagel", "given": "Thomas"}], "container-title": "Phil. Review",
      "volume": "83", "page": "435-450", "issued": {"date-parts": [[1974]]}}
render([it], "apa")
print(time.perf_counter() - t0)
"""


def many_items(n: int) -> list[dict]:
    """n distinct items built deterministically from our fixture items."""
    base = [it for name in ("items_dev", "items_holdout")
            for it in json.loads((FIX / f"{name}.json").read_text("utf-8"))]
    out = []
    for i in range(n):
        it = copy.deepcopy(base[i % len(base)])
        it["id"] = f"{it['id']}-{i}"
        it["title"] = f"{it.get('title', 'Untitled')} {i}"
        if "issued" in it and it["issued"].get("date-parts"):
            it["issued"]["date-parts"][0][0] = 1900 + i % 120
        out.append(it)
    return out


def bench_bibliography(n: int, style: str, parts=None) -> tuple[float, float]:
    """render() of n items in one process: (wall, CPU) seconds.  ``parts`` as
    render()'s (None: all, what --json needs)."""
    from refcli.csl import render

    items = many_items(n)
    render(items[:2], style)  # style parse not counted: it is cached per process
    t, c = time.perf_counter(), time.process_time()
    out = render(items, style, parts=parts)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    assert len(out["bibliography"]) > n * 0.9
    return took, cpu


def bench_cli_cold(n: int, style: str, runs: int = 3) -> tuple[float, float]:
    """``refcli cite --from FILE --all --style S`` as a fresh process with an
    empty cache (what a first ``cite --all`` costs), on the suite's seeded
    library generator (benchmarks/generate.py: 18 family names, so many
    same-author-year groups to disambiguate).  Median wall and CPU seconds."""
    import os
    import resource
    import tempfile

    from benchmarks.generate import make_items

    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "items.json"
        src.write_text(json.dumps(make_items(n)))
        for i in range(runs):
            env = {**os.environ, "REFCLI_CACHE_DIR": str(Path(tmp) / f"cache{i}"), "NO_COLOR": "1"}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "refcli", "cite", "--from", str(src), "--all", "--style", style],
                           capture_output=True, check=True, env=env)
            walls.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_cite_key(n: int, runs: int = 5) -> tuple[float, float]:
    """``refcli cite KEY --style apa`` on an n-work library (benchmarks/generate.py,
    the suite's seeded library), each run a fresh process with an empty cite
    cache; the search index is built once before.  Median wall and CPU seconds."""
    import os
    import resource
    import shutil
    import tempfile

    from benchmarks.generate import write_library

    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        _, lib = write_library(n, Path(tmp))
        key = json.loads(lib.read_bytes().splitlines()[1].rstrip(b","))["id"]
        env = {**os.environ, "REFCLI_LIBRARY": str(lib), "REFCLI_CACHE_DIR": str(Path(tmp) / "cache"),
               "NO_COLOR": "1"}
        cmd = [sys.executable, "-m", "refcli", "cite", key, "--style", "apa"]
        subprocess.run(cmd, capture_output=True, check=True, env=env)  # builds the index
        for _ in range(runs):
            shutil.rmtree(Path(tmp) / "cache" / "cite", ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, env=env)
            walls.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_document(n: int, style: str) -> tuple[float, float]:
    """render_clusters of a document of n citations (one to three cites each,
    locators, repeated works) over 200 works in one process: (wall, CPU) s."""
    from refcli.csl import render_clusters

    items = many_items(200)
    clusters = [[{"id": items[(7 * i + k) % 200]["id"], "locator": str(i % 40 + 1)} for k in range(i % 3 + 1)]
                for i in range(n)]
    render_clusters(items[:2], style, [[{"id": items[0]["id"]}]])  # style parsed
    t, c = time.perf_counter(), time.process_time()
    render_clusters(items, style, clusters)
    return time.perf_counter() - t, time.process_time() - c


def bench_one_cite(runs: int = 5) -> tuple[float, float]:
    walls, inproc = [], []
    for _ in range(runs):
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", ONE], capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - t)
        inproc.append(float(res.stdout))
    return statistics.median(walls), statistics.median(inproc)


def parity_table() -> str:
    from tests.test_csl_support import score

    rows = ["| style | dev entries | dev cites | held-out entries | held-out cites |",
            "|---|---|---|---|---|"]
    tot = [0] * 8
    for st in STYLES:
        d, h = score("items_dev", st), score("items_holdout", st)
        vals = [d["entries"], d["entries_total"], d["citations"], d["citations_total"],
                h["entries"], h["entries_total"], h["citations"], h["citations_total"]]
        tot = [a + b for a, b in zip(tot, vals, strict=True)]
        rows.append(f"| {st} | {vals[0]}/{vals[1]} | {vals[2]}/{vals[3]} | {vals[4]}/{vals[5]} | {vals[6]}/{vals[7]} |")
    pct = [f"{100 * tot[i] / tot[i + 1]:.1f}%" for i in range(0, 8, 2)]
    rows.append(f"| **all** | {tot[0]}/{tot[1]} ({pct[0]}) | {tot[2]}/{tot[3]} ({pct[1]}) | "
                f"{tot[4]}/{tot[5]} ({pct[2]}) | {tot[6]}/{tot[7]} ({pct[3]}) |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description="refcli.csl benchmarks")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--style", default="apa")
    ap.add_argument("--parity", action="store_true")
    ap.add_argument("--key-at", type=int, default=100_000, metavar="N",
                    help="library size for the cite KEY timing (0: skip)")
    a = ap.parse_args()
    took, cpu = bench_bibliography(a.n, a.style)
    print(f"render {a.n} items ({a.style}, citations + bibliography): {took:.2f} s wall, {cpu:.2f} s CPU")
    took, cpu = bench_bibliography(a.n, a.style, parts=("citation", "bibliography"))
    print(f"render {a.n} items ({a.style}, joint citation + bibliography, what cite --all prints): "
          f"{took:.2f} s wall, {cpu:.2f} s CPU")
    wall, cpu = bench_cli_cold(a.n, a.style)
    print(f"refcli cite --from FILE --all --style {a.style}, {a.n} items, empty cache: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU (median of 3 fresh processes)")
    for style in (a.style, "chicago-notes-bibliography"):
        took, cpu = bench_document(500, style)
        print(f"render_clusters, a document of 500 citations over 200 works ({style}): "
              f"{took:.2f} s wall, {cpu:.2f} s CPU")
    if a.key_at:
        wall, cpu = bench_cite_key(a.key_at)
        print(f"refcli cite KEY --style apa at {a.key_at:,} works, fresh process, empty cite cache: "
              f"{wall:.2f} s wall, {cpu:.2f} s CPU (median of 5)")
    wall, inproc = bench_one_cite()
    print(f"one citation in a fresh process: {wall:.3f} s wall ({inproc:.3f} s after interpreter start)")
    if a.parity:
        print(parity_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
