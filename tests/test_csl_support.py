"""Scoring refcli.csl against the committed citeproc-js expectations.

Shared by tests/test_csl_parity.py and benchmarks/cite_bench.py (no tests of its own) so the numbers
in benchmarks/csl.md and the regression floor in the tests are computed the
same way as ../shared/tools/cslcmp/compare.py (NFC, collapsed whitespace, a
leading citation number ignored for numeric styles).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csl"
_WS = re.compile(r"\s+")
_NUM = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+\.(?!\d)|\d+(?=\s))\s*")
NUMERIC = {"ieee", "nature", "american-medical-association", "vancouver-nlm"}


def norm(s: str | None, numeric: bool = False) -> str | None:
    if s is None:
        return None
    s = _WS.sub(" ", unicodedata.normalize("NFC", s)).strip()
    return _NUM.sub("", s, count=1).strip() if numeric else s


def expected(set_name: str, style: str, locale: str | None = None) -> dict:
    name = f"{set_name}__{style}" + (f"__{locale}" if locale else "") + ".json"
    return json.loads((FIXTURES / "expected" / name).read_text("utf-8"))


def items(set_name: str) -> list[dict]:
    return json.loads((FIXTURES / f"{set_name}.json").read_text("utf-8"))


def score(set_name: str, style: str, locale: str | None = None) -> dict:
    """Render one set with one style; count entries/citations equal to citeproc-js."""
    from refcli.csl import render

    js = expected(set_name, style, locale)
    out = render(items(set_name), style, locale=locale)
    bib = {e["id"]: e["text"] for e in out["bibliography"]}
    numeric = style in NUMERIC
    ent = [i for i in js["bibliography"] if norm(js["bibliography"][i], numeric) == norm(bib.get(i), numeric)]
    cit = [i for i in js["citations"] if norm(js["citations"][i]) == norm(out["citations"].get(i))]
    extra = [i for i in bib if i not in js["bibliography"]]
    return {"entries": len(ent), "entries_total": len(js["bibliography"]) + len(extra),
            "citations": len(cit), "citations_total": len(js["citations"]),
            "order": [e["id"] for e in out["bibliography"]] == js["order"],
            "out": out, "js": js}
