#!/usr/bin/env python3
"""Regenerate the citeproc-js expectations for the new-user set (issue 14).

``tests/fixtures/csl/newuser_60.json`` holds 60 real works (conference papers
with date ranges, multi-volume books, seasonal journal issues, Japanese and
Chinese authors in native script and romanised, theses, reports, web pages, a
retraction notice); ``newuser_60_clusters.json`` a few multi-item citations
over them.  For the seven styles a new user tries first this writes
``expected/newuser_60__STYLE.json`` (bibliography and one citation per item,
via cslcmp's render_js.mjs) and ``expected/newuser_60_clusters__STYLE.json``
(via csl_clusters_js.mjs), reusing scripts/regen_csl_fixtures.py.

    npm install --prefix /tmp/cslcmp-npm citeproc@2.4.63
    NODE_PATH=/tmp/cslcmp-npm/node_modules python -m scripts.regen_newuser_fixtures
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from scripts.regen_csl_fixtures import FIXTURES, ROOT, run_clusters_js, run_js

SET = "newuser_60"
STYLES = ["apa", "chicago-author-date", "modern-language-association", "ieee", "vancouver-nlm",
          "nature", "harvard-cite-them-right"]


def _write(name: str, res: dict) -> None:
    (FIXTURES / "expected" / name).write_text(json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print("wrote", name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cslcmp", type=Path, default=ROOT.parent / "shared" / "tools" / "cslcmp")
    a = ap.parse_args()
    render_js = a.cslcmp / "render_js.mjs"
    if not render_js.is_file():
        print(f"cslcmp not found at {a.cslcmp}", file=sys.stderr)
        return 2
    from refcli.csl import resolve_style

    items_path = FIXTURES / f"{SET}.json"
    document = {"items": json.loads(items_path.read_text("utf-8")),
                "clusters": json.loads((FIXTURES / f"{SET}_clusters.json").read_text("utf-8"))["clusters"]}
    with tempfile.TemporaryDirectory() as tmp:
        doc_path = Path(tmp) / "document.json"
        doc_path.write_text(json.dumps(document, ensure_ascii=False))
        for style in STYLES:
            _write(f"{SET}__{style}.json", run_js(render_js, resolve_style(style), items_path, None))
            _write(f"{SET}_clusters__{style}.json", run_clusters_js(resolve_style(style), doc_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
