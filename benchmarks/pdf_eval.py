#!/usr/bin/env python3
"""Score PDF import on the real PDFs of ../shared/data/pdfs/ (expected/NAME.json beside them).

    .venv/bin/python -m benchmarks.pdf_eval [--only NAME ...] [--split tune|held-out|all]
                                            [--write] [--details NAME]

Per document and overall, for the *tuning* and the *held-out* split separately:

- document fields right: title (or a ``title_alt``), first author's family name, year, DOI;
- reference recall (expected references found) and precision (found references that are one);
- per-field accuracy of the references found (family, year, title, container-title, DOI);
- seconds per document (reading the PDF, finding and parsing its references; the parser's
  model is loaded before the clock starts, as it is once per ``import`` command);
- "strings": the parser alone on the expected printed strings (``raw``): the same fields,
  so that a miss of the parser is told apart from a miss of the extraction.

The held-out split is fixed up front and never tuned on: a document is held out when
``sha1(file stem) % 3 == 0`` (8 of the 22 documents). ``--write`` puts the tables in
benchmarks/pdf.md (below its line "<!-- figures -->", the text above it is kept).

Comparison is lenient as the set's README asks: NFKC, accents, case, spaces and punctuation
are ignored; a family name may come with its particle; a reference title may run on
(a longer title that starts with the expected one is right); DOIs compare case-insensitively.
A found reference is matched to an expected one when their texts agree to 80 % or more
(rapidfuzz ratio on the normalised strings) in order; two references run together, or one
cut in two, match nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pdfs"
REPORT = ROOT / "benchmarks" / "pdf.md"
DOC_FIELDS = ["title", "family", "year", "DOI"]
REF_FIELDS = ["family", "year", "title", "container-title", "DOI"]
MATCH = 80.0


def held_out(stem: str) -> bool:
    return int(hashlib.sha1(stem.encode()).hexdigest(), 16) % 3 == 0


def norm(value: Any) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(value or "")))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\W_]+", "", text)


def _family(item: dict[str, Any]) -> str | None:
    names = item.get("author") or item.get("editor") or []
    if not names:
        return None
    first = names[0]
    if first.get("literal"):
        return str(first["literal"])
    return " ".join(x for x in (first.get("non-dropping-particle"), first.get("family")) if x) or None


def _year(item: dict[str, Any]) -> int | None:
    try:
        return int(item["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _doi(value: Any) -> str:
    match = re.search(r"10\.\d{4,9}/\S+", str(value or ""))
    return match.group(0).lower().rstrip(".,;") if match else ""


def _family_right(got: str | None, want: str | None) -> bool:
    if not want:
        return not got
    g, w = norm(got), norm(want)
    return bool(g) and (g == w or g.endswith(w) or w.endswith(g) and len(g) >= 3)


def _title_right(got: str | None, wants: list[str], run_on: bool) -> bool:
    g = norm(got)
    for want in wants:
        w = norm(want)
        if g == w or (run_on and w and g.startswith(w)):
            return True
    return False


def field_right(name: str, item: dict[str, Any], want: dict[str, Any], run_on: bool = True) -> bool:
    if name == "family":
        return _family_right(_family(item), want.get("family"))
    if name == "year":
        return _year(item) == want.get("year")
    if name == "title":
        return _title_right(item.get("title"), [want.get("title") or "", *want.get("title_alt", [])], run_on)
    if name == "container-title":
        got = item.get("container-title")
        got = got[0] if isinstance(got, list) and got else got
        return norm(got) == norm(want.get("container-title"))
    if name == "DOI":
        return _doi(item.get("DOI")) == _doi(want.get("DOI"))
    raise ValueError(name)


def _scored_fields(want: dict[str, Any], fields: list[str]) -> list[str]:
    """Fields the expectation tests: family and year also when absent (then none is right);
    title, container and DOI only when printed."""
    skip = set(want.get("skip", []))
    out = []
    for name in fields:
        if name in skip:
            continue
        if name in ("family", "year") or want.get(name):
            out.append(name)
    return out


def align(found: list[str], expected: list[str]) -> list[int | None]:
    """For each expected reference, the index of the found one it is (order-preserving)."""
    from rapidfuzz import fuzz

    got = [norm(s) for s in found]
    out: list[int | None] = []
    used: set[int] = set()
    for raw in expected:
        want = norm(raw)
        best, score = None, MATCH
        for j, g in enumerate(got):
            if j in used or not g:
                continue
            s = fuzz.ratio(g, want)
            if s >= score:
                best, score = j, s
        if best is not None:
            used.add(best)
        out.append(best)
    return out


def evaluate(pdf: Path) -> dict[str, Any]:
    from refcli import documents, importer, refparse

    expected = json.loads((DATA / "expected" / f"{pdf.stem}.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    error = None
    try:
        doc = documents.read_document(pdf)
        parsed = importer.parse_references(doc)
        item, found = doc.item, list(doc.references)
    except Exception as exc:  # noqa: BLE001 - a failed document scores zero, the run goes on
        error = f"{type(exc).__name__}: {exc}"
        item, found, parsed = {}, [], []
    seconds = time.perf_counter() - start
    want_doc = expected["document"]
    doc_fields = {name: field_right(name, item, want_doc, run_on=False)
                  for name in DOC_FIELDS if name != "DOI" or want_doc.get("DOI")}
    refs = expected["references"]
    matches = align(found, [r["raw"] for r in refs])
    field_hits: dict[str, list[int]] = {name: [0, 0] for name in REF_FIELDS}
    string_hits: dict[str, list[int]] = {name: [0, 0] for name in REF_FIELDS}
    strings = refparse.parse_references([r["raw"] for r in refs]) if refs else []
    misses: list[str] = []
    for want, j, from_string in zip(refs, matches, strings, strict=True):
        for name in _scored_fields(want, REF_FIELDS):
            string_hits[name][1] += 1
            string_hits[name][0] += field_right(name, from_string, want)
            if j is None:
                continue
            field_hits[name][1] += 1
            ok = field_right(name, parsed[j], want)
            field_hits[name][0] += ok
            if not ok:
                misses.append(f"{name}: got {_show(name, parsed[j])!r} want {want.get(name)!r}")
    return {
        "name": pdf.stem, "held_out": held_out(pdf.stem), "seconds": seconds, "error": error,
        "doc": doc_fields, "doc_got": {k: _show(k, item) for k in DOC_FIELDS},
        "expected": len(refs), "found": len(found), "matched": sum(j is not None for j in matches),
        "fields": field_hits, "strings": string_hits, "misses": misses,
        "unmatched_expected": [r["raw"][:100] for r, j in zip(refs, matches, strict=True) if j is None],
        "unmatched_found": [s[:100] for i, s in enumerate(found) if i not in set(matches)],
    }


def _show(name: str, item: dict[str, Any]) -> Any:
    if name == "family":
        return _family(item)
    if name == "year":
        return _year(item)
    return item.get(name)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    doc_right = {name: [sum(r["doc"].get(name, False) for r in rows),
                        sum(name in r["doc"] for r in rows)] for name in DOC_FIELDS}
    fields = {name: [sum(r["fields"][name][i] for r in rows) for i in (0, 1)] for name in REF_FIELDS}
    strings = {name: [sum(r["strings"][name][i] for r in rows) for i in (0, 1)] for name in REF_FIELDS}
    return {
        "documents": len(rows),
        "doc": doc_right,
        "doc_all": [sum(v[0] for v in doc_right.values()), sum(v[1] for v in doc_right.values())],
        "expected": sum(r["expected"] for r in rows), "found": sum(r["found"] for r in rows),
        "matched": sum(r["matched"] for r in rows),
        "fields": fields, "fields_all": [sum(v[0] for v in fields.values()), sum(v[1] for v in fields.values())],
        "strings": strings,
        "strings_all": [sum(v[0] for v in strings.values()), sum(v[1] for v in strings.values())],
        "seconds": sum(r["seconds"] for r in rows),
    }


def render(rows: list[dict[str, Any]]) -> str:
    out = []
    for label, part in (("held-out (never tuned on)", [r for r in rows if r["held_out"]]),
                        ("tuning", [r for r in rows if not r["held_out"]]), ("all", rows)):
        if not part:
            continue
        s = summary(part)
        out.append(f"### {label}: {s['documents']} documents, {s['expected']} references\n")
        out.append("| measure | value |\n|---|---:|")
        out.append(f"| document fields right (title, first author, year, DOI) | "
                   f"{_pct(*s['doc_all'])} ({s['doc_all'][0]}/{s['doc_all'][1]}) |")
        for name in DOC_FIELDS:
            out.append(f"| — document {name} | {_pct(*s['doc'][name])} |")
        out.append(f"| references found (recall) | {_pct(s['matched'], s['expected'])} "
                   f"({s['matched']}/{s['expected']}) |")
        out.append(f"| precision | {_pct(s['matched'], s['found'])} ({s['matched']}/{s['found']}) |")
        out.append(f"| reference fields right (of references found) | {_pct(*s['fields_all'])} |")
        for name in REF_FIELDS:
            out.append(f"| — {name} | {_pct(*s['fields'][name])} (n={s['fields'][name][1]}) |")
        out.append(f"| parser on the printed strings: fields right | {_pct(*s['strings_all'])} |")
        for name in REF_FIELDS:
            out.append(f"| — {name} | {_pct(*s['strings'][name])} |")
        out.append(f"| seconds per document | {s['seconds'] / max(1, s['documents']):.2f} |\n")
    out.append("### per document\n")
    out.append("| document | split | title | author | year | DOI | refs expected | found | matched "
               "| ref fields | s |\n|---|---|---|---|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        marks = [("✓" if r["doc"][k] else "✗") if k in r["doc"] else "–" for k in DOC_FIELDS]
        got = sum(v[0] for v in r["fields"].values())
        total = sum(v[1] for v in r["fields"].values())
        out.append(f"| {r['name']} | {'held-out' if r['held_out'] else 'tune'} | {' | '.join(marks)} | "
                   f"{r['expected']} | {r['found']} | {r['matched']} | {_pct(got, total)} | {r['seconds']:.2f} |")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=None, help="document stems to score")
    parser.add_argument("--split", choices=["tune", "held-out", "all"], default="all")
    parser.add_argument("--write", action="store_true", help="write the tables to benchmarks/pdf.md")
    parser.add_argument("--details", action="store_true", help="print each document's misses")
    parser.add_argument("--json", type=Path, help="write every row as JSON here")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"no PDFs at {DATA}", file=sys.stderr)
        return 1
    from refcli import refparse

    refparse.parse_references(["Smith J (2001) A title. J Biol 1:2-3."])  # load the model before timing
    pdfs = sorted(DATA.glob("*.pdf"))
    if args.only:
        pdfs = [p for p in pdfs if p.stem in args.only]
    if args.split != "all":
        pdfs = [p for p in pdfs if held_out(p.stem) == (args.split == "held-out")]
    rows = []
    for pdf in pdfs:
        row = evaluate(pdf)
        rows.append(row)
        print(f"{row['name']:40} doc {sum(row['doc'].values())}/{len(row['doc'])} refs "
              f"{row['matched']}/{row['expected']} (found {row['found']}) {row['seconds']:.2f}s"
              + (f" ERROR {row['error']}" if row["error"] else ""), file=sys.stderr)
        if args.details:
            print(f"   got {row['doc_got']}", file=sys.stderr)
            for line in row["misses"][:40] + [f"missed: {s}" for s in row["unmatched_expected"][:15]] \
                    + [f"extra: {s}" for s in row["unmatched_found"][:15]]:
                print(f"   {line}", file=sys.stderr)
    table = render(rows)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write:
        head = REPORT.read_text(encoding="utf-8").split("<!-- figures -->")[0] if REPORT.exists() else ""
        REPORT.write_text(head.rstrip() + "\n\n<!-- figures -->\n\n" + table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
