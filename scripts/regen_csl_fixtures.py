#!/usr/bin/env python3
"""Regenerate the citeproc-js expectations in tests/fixtures/csl/expected/.

Runs the cslcmp reference renderer (citeproc-js 2.4.63, ``render_js.mjs`` from
../shared/tools/cslcmp) on each of our item sets for each measured style, and
writes what it prints (bibliography, citations, order) as JSON.  Tests then
check refcli.csl against these files without needing node.

    npm install --prefix /tmp/cslcmp-npm citeproc@2.4.63
    NODE_PATH=/tmp/cslcmp-npm/node_modules python -m scripts.regen_csl_fixtures

Options: --cslcmp DIR (default ../shared/tools/cslcmp beside the project);
--only items|clusters to regenerate one kind.

Clusters: ``tests/fixtures/csl/clusters.json`` (items and a document's
citations with locators, prefixes, suffixes, suppress-author, repeated cites)
goes through ``scripts/csl_clusters_js.mjs`` (processCitationCluster in
order, as Zotero's word processor plugin calls it) for each of the ten styles,
into ``expected/clusters__STYLE.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "csl"
STYLES = [
    "apa", "chicago-author-date", "chicago-notes-bibliography", "ieee",
    "modern-language-association", "harvard-cite-them-right", "nature",
    "american-medical-association", "vancouver-nlm", "elsevier-harvard",
]
SETS = ["items_dev", "items_holdout", "items_cases", "items_disamb"]
LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "ru-RU"]  # run on items_cases with apa
# and items_dev in the non-default locales with these styles
LOCALE_STYLES = ["apa", "chicago-author-date", "ieee", "modern-language-association",
                 "harvard-cite-them-right", "vancouver-nlm"]


def run_js(render_js: Path, style: Path, items: Path, lang: str | None) -> dict:
    import citeproc

    locale_dir = Path(citeproc.__file__).parent / "data" / "locales"
    cmd = [os.environ.get("NODE", "node"), str(render_js), "--style", str(style),
           "--locale-dir", str(locale_dir), "--items", str(items)]
    if lang:
        cmd += ["--lang", lang, "--force-lang"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {k: data.get(k) for k in ("bibliography", "citations", "order",
                                      "left_out_of_bibliography", "version")}


def run_clusters_js(style: Path, path: Path, fmt: str = "text") -> dict:
    import citeproc

    locale_dir = Path(citeproc.__file__).parent / "data" / "locales"
    cmd = [os.environ.get("NODE", "node"), str(ROOT / "scripts" / "csl_clusters_js.mjs"), "--style", str(style),
           "--locale-dir", str(locale_dir), "--input", str(path), "--format", fmt]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def regen_clusters() -> None:
    from refcli.csl import resolve_style

    dest = FIXTURES / "expected"
    dest.mkdir(parents=True, exist_ok=True)
    for style in STYLES:
        res = run_clusters_js(resolve_style(style), FIXTURES / "clusters.json")
        name = f"clusters__{style}.json"
        (dest / name).write_text(json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print("wrote", name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cslcmp", type=Path, default=ROOT.parent / "shared" / "tools" / "cslcmp")
    ap.add_argument("--only", choices=("items", "clusters"))
    a = ap.parse_args()
    if a.only != "items":
        regen_clusters()
    if a.only == "clusters":
        return 0
    render_js = a.cslcmp / "render_js.mjs"
    if not render_js.is_file():
        print(f"cslcmp not found at {a.cslcmp}", file=sys.stderr)
        return 2
    from refcli.csl import resolve_style

    dest = FIXTURES / "expected"
    dest.mkdir(parents=True, exist_ok=True)
    jobs = [(s, st, None) for s in SETS for st in STYLES]
    jobs += [("items_cases", "apa", loc) for loc in LOCALES]
    jobs += [("items_dev", st, loc) for loc in LOCALES[1:] for st in LOCALE_STYLES]
    for set_name, style, lang in jobs:
        res = run_js(render_js, resolve_style(style), FIXTURES / f"{set_name}.json", lang)
        name = f"{set_name}__{style}" + (f"__{lang}" if lang else "") + ".json"
        (dest / name).write_text(json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print("wrote", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
