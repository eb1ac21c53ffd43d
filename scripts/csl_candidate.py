#!/usr/bin/env python3
"""cslcmp candidate adapter: render items with refcli.csl, print cslcmp's JSON shape.

    compare.py ... --candidate '{python} /path/to/scripts/csl_candidate.py
        --style {style} --items {items} --locale {locale} --format {format}'

(run compare.py with PYTHONPATH pointing at this project's src/).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback

T0 = time.perf_counter()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", required=True)
    ap.add_argument("--items", required=True)
    ap.add_argument("--locale")
    ap.add_argument("--format", default="text")
    a = ap.parse_args()
    from refcli.csl import render

    with open(a.items, encoding="utf-8") as f:
        items = json.load(f)
    out: dict = {"engine": "refcli.csl", "version": "0", "bibliography": {}, "citations": {},
                 "order": [], "errors": []}
    try:
        res = render(items, a.style, a.locale, a.format)
        out["citations"] = res["citations"]
        for entry in res["bibliography"]:
            out["bibliography"][entry["id"]] = entry["text"]
            out["order"].append(entry["id"])
    except Exception:  # report, do not crash: cslcmp counts the misses
        out["errors"].append({"stage": "run", "message": traceback.format_exc()})
    out["timing"] = {"total_in_process_s": time.perf_counter() - T0}
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
