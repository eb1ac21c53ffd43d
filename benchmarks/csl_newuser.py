#!/usr/bin/env python3
"""Issue 14's new-user trial: per style, entries, single-item citations and
multi-item citations identical to citeproc-js 2.4.63 on
tests/fixtures/csl/newuser_60.json (60 real works) and its clusters.

    python -m benchmarks.csl_newuser [-v]

-v prints every difference (citeproc-js first, refcli second).
"""

from __future__ import annotations

import json
import sys

from scripts.regen_newuser_fixtures import SET, STYLES
from tests.test_csl_support import FIXTURES, NUMERIC, items, norm, score


def main() -> int:
    from refcli.csl import render_clusters

    verbose = "-v" in sys.argv[1:]
    clusters = json.loads((FIXTURES / f"{SET}_clusters.json").read_text("utf-8"))["clusters"]
    print("| style | entries | citations | multi-item citations |\n|---|---|---|---|")
    for style in STYLES:
        r = score(SET, style)
        # the works the clusters cite, as `refcli cite "[@a; @b]"` loads them
        # and as citeproc-js registers them (no uncited items)
        cited = {c["id"] for cluster in clusters for c in cluster["citationItems"]}
        got = render_clusters([it for it in items(SET) if it["id"] in cited], style, clusters)["clusters"]
        want = json.loads((FIXTURES / "expected" / f"{SET}_clusters__{style}.json").read_text("utf-8"))["clusters"]
        same = sum(a == b for a, b in zip(got, want, strict=True))
        print(f"| {style} | {r['entries']}/{r['entries_total']} | {r['citations']}/{r['citations_total']} "
              f"| {same}/{len(want)} |")
        if not verbose:
            continue
        bib = {e["id"]: e["text"] for e in r["out"]["bibliography"]}
        for key, text in r["js"]["bibliography"].items():
            if norm(text, style in NUMERIC) != norm(bib.get(key), style in NUMERIC):
                print(f"  entry {key}\n    js: {norm(text)}\n    rc: {norm(bib.get(key))}")
        for key, text in r["js"]["citations"].items():
            if norm(text) != norm(r["out"]["citations"].get(key)):
                print(f"  citation {key}\n    js: {text}\n    rc: {r['out']['citations'].get(key)}")
        for n, (a, b) in enumerate(zip(got, want, strict=True), start=1):
            if a != b:
                print(f"  multi-item citation {n}\n    js: {b}\n    rc: {a}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
