"""Run the CSL processor test suite (``../shared/data/csl-test-suite/humans``)
through refcli's public CSL interface and count what passes.

    python -m benchmarks.csl_suite            # counts per group
    python -m benchmarks.csl_suite -v         # + each failure's diff
    python -m benchmarks.csl_suite --write-failing
    python -m benchmarks.csl_suite --engine citeproc-py   # raw citeproc-py
    python -m benchmarks.csl_suite name_Foo date_Bar      # some fixtures

Comparison as the suite's own runners do it: exact after normalising newlines,
trimming the whole result and reading ``&amp;`` as ``&#38;``.

How a fixture becomes calls (as citeproc-js's test runner does):

* ``citation`` mode without ``CITATION-ITEMS``/``CITATIONS``: one citation of
  every input item in input order (``render(..., cite_ids=all)``).
* ``CITATION-ITEMS``: one cluster per list, outputs joined by newlines;
  ``CITATIONS``: clusters processed in order, each line ``>>[i] text`` for a
  citation (re)rendered by the last call and ``..[i] text`` for one left as it
  was.  Both need ``refcli.csl.render_clusters(items, style, clusters,
  locale=None, fmt="html")`` where ``clusters`` is a list of citeproc-js
  citation objects (``{"citationItems": [...], "properties": {"noteIndex":
  n}}``) and the result has ``"clusters"`` (one string per cluster); without it
  these fixtures fail with "clusters not supported".
* ``bibliography`` mode: every input item registered (only the cited ones with
  ``CITATIONS``), then the bibliography wrapped as citeproc-js's
  ``makeBibliography`` does (``refcli.csl.bibliography_html``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "data" / "csl-test-suite" / "humans"
FAILING = ROOT / "tests" / "csl_suite_failing.txt"
_SECTION = re.compile(r">>=+ *([A-Z-]+) *=+>>\n?(.*?)\n?<<=+ *\1 *=+<<", re.S)


@dataclass
class Fixture:
    name: str
    mode: str
    csl: str
    items: list
    expected: str
    citation_items: list | None = None
    citations: list | None = None

    @property
    def group(self) -> str:
        return self.name.split("_", 1)[0]


@dataclass
class Outcome:
    name: str
    ok: bool
    reason: str = ""
    got: str = ""
    expected: str = ""


def load(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8")
    sec = {m.group(1): m.group(2) for m in _SECTION.finditer(text)}
    items = json.loads(sec["INPUT"])
    for i, it in enumerate(items):  # the harness numbers items without an id, as citeproc-py's does
        it.setdefault("id", f"ITEM-{i + 1}")
    return Fixture(
        name=path.stem, mode=sec["MODE"].strip(), csl=sec["CSL"].strip(),
        items=items, expected=sec["RESULT"],
        citation_items=json.loads(sec["CITATION-ITEMS"]) if "CITATION-ITEMS" in sec else None,
        citations=json.loads(sec["CITATIONS"]) if "CITATIONS" in sec else None)


def fixtures(names: list[str] | None = None) -> list[Path]:
    """The suite's fixture files (empty when ``../shared`` is absent)."""
    if not SUITE.is_dir():
        return []
    paths = sorted(SUITE.glob("*.txt"))
    if names:
        wanted = {n.removesuffix(".txt") for n in names}
        paths = [p for p in paths if p.stem in wanted]
    return paths


def normalise(s: str) -> str:
    return s.replace("\r\n", "\n").strip().replace("&amp;", "&#38;")


# --- refcli -------------------------------------------------------------------------


def _style_file(csl: str, tmp: Path, name: str) -> Path:
    path = tmp / f"{name}.csl"
    path.write_text(csl, encoding="utf-8")
    return path


def _doc_lines(fx: Fixture, render_clusters, style: str) -> str:
    """``CITATIONS``: process the clusters in order; print every citation of the
    final document, marking those the last call re-rendered: citeproc-js's
    ``processCitationCluster`` returns the citation processed, every citation
    whose text changed, and citations it re-rendered because their note number
    or an item's citation number moved, even when the text comes out the same."""
    order: list[str] = []
    objs: dict[str, dict] = {}
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    notes: dict[str, object] = {}
    prev_notes: dict[str, object] = {}
    ranks: dict[str, int] = {}
    prev_ranks: dict[str, int] = {}
    citations = fx.citations or []
    for step, (cit, pre, post) in enumerate(citations):
        cid = cit["citationID"]
        order = [c for c, _ in pre] + [cid] + [c for c, _ in post]
        objs[cid] = cit
        for c, note in [*pre, *post]:
            if c in objs:
                objs[c] = {**objs[c], "properties": {**objs[c].get("properties", {}), "noteIndex": note}}
        clusters = [objs[c] for c in order]
        ids = _cited_ids(clusters)
        items = [it for it in fx.items if str(it["id"]) in ids]
        out = render_clusters(items, style, clusters, fmt="html")["clusters"]
        if step == len(citations) - 1:
            before = after
            prev_notes = dict(notes)
            prev_ranks = ranks
        ranks = _first_cite_ranks(clusters)
        notes = {c: objs[c].get("properties", {}).get("noteIndex") for c in order}
        after = dict(zip(order, out, strict=True))
    last = citations[-1][0] if citations else {}
    uses_note_numbers = "first-reference-note-number" in fx.csl
    renumbered = set()
    if "citation-number" in fx.csl:
        renumbered = {i for i, r in ranks.items() if i in prev_ranks and prev_ranks[i] != r}
    lines = []
    for i, c in enumerate(order):
        mark = ">>" if _rerendered(c, last, uses_note_numbers, before, after, prev_notes, objs) else ".."
        if any(str(x["id"]) in renumbered for x in objs[c]["citationItems"]):
            mark = ">>"
        lines.append(f"{mark}[{i}] {after[c]}")
    return "\n".join(lines)


def _rerendered(cid: str, last: dict, uses_note_numbers: bool, before: dict[str, str],
                after: dict[str, str], prev_notes: dict[str, object], objs: dict[str, dict]) -> bool:
    """Whether citeproc-js's last ``processCitationCluster`` call returns this
    citation: the one it processed, any whose text changed, and, when the style
    prints note numbers, any whose note number moved (citeproc-js re-renders
    those even when the text comes out the same)."""
    if cid == last.get("citationID") or before.get(cid) != after[cid]:
        return True
    moved = prev_notes.get(cid) != objs[cid].get("properties", {}).get("noteIndex")
    return moved and uses_note_numbers


def _final_document(citations: list) -> list[dict]:
    """The citations of the document after the last ``processCitationCluster``
    call, in document order."""
    objs: dict[str, dict] = {}
    order: list[str] = []
    for cit, pre, post in citations:
        objs[cit["citationID"]] = cit
        order = [c for c, _ in pre] + [cit["citationID"]] + [c for c, _ in post]
    return [objs[c] for c in order if c in objs]


def _first_cite_ranks(clusters: list[dict]) -> dict[str, int]:
    """Each cited item's place in order of first citation (its citation number
    in a style that numbers by first citation)."""
    ranks: dict[str, int] = {}
    for cl in clusters:
        for c in cl["citationItems"]:
            ranks.setdefault(str(c["id"]), len(ranks) + 1)
    return ranks


def _cited_ids(clusters: list[dict]) -> set[str]:
    return {str(c["id"]) for cl in clusters for c in cl["citationItems"]}


def run_refcli(fx: Fixture, tmp: Path) -> str:
    import refcli.csl as csl

    style = str(_style_file(fx.csl, tmp, fx.name))
    render_clusters = getattr(csl, "render_clusters", None)
    clustered = fx.citation_items is not None or fx.citations is not None
    if fx.mode == "bibliography":
        items = fx.items
        if fx.citations is not None:
            # only what the final document's citations cite (a citation
            # processed again replaces its earlier version), in order of first citation
            seen: dict[str, None] = {}
            for cit in _final_document(fx.citations):
                for c in cit["citationItems"]:
                    seen.setdefault(str(c["id"]), None)
            by_id = {str(it["id"]): it for it in fx.items}
            items = [by_id[i] for i in seen if i in by_id]
        bib = csl.render(items, style, fmt="html", parts={"bibliography"})["bibliography"]
        return csl.bibliography_html([e["text"] for e in bib])
    if not clustered:
        return csl.render(fx.items, style, fmt="html", parts={"citation"})["citation"]
    if render_clusters is None:
        raise NotImplementedError("clusters not supported")
    if fx.citations is not None:
        return _doc_lines(fx, render_clusters, style)
    clusters = [{"citationItems": cl, "properties": {"noteIndex": i + 1}}
                for i, cl in enumerate(fx.citation_items or [])]
    return "\n".join(render_clusters(fx.items, style, clusters, fmt="html")["clusters"])


# --- raw citeproc-py (for the comparison column) -----------------------------------------


def run_citeproc_py(fx: Fixture, tmp: Path) -> str:
    """Plain citeproc-py 0.11.1 driven the way its own test runner
    (``tests/citeproc-test.py``) drives it: untyped items become books,
    locators become ``Locator`` objects, every ``CITATIONS`` line but the last
    is marked ``..``."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    style = CitationStylesStyle(str(_style_file(fx.csl, tmp, fx.name)), validate=False)
    items = [{"type": "book", **it, "id": str(it.get("id", i))} for i, it in enumerate(fx.items)]
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)

    def cite_of(c: dict) -> CitationItem:
        extra = {k.replace("-", "_"): v for k, v in c.items() if k not in ("id", "label", "locator")}
        if "locator" in c:
            extra["locator"] = Locator(c.get("label", "page"), c["locator"])
        return CitationItem(str(c["id"]), **extra)

    if fx.citations is not None:
        groups = [[cite_of(c) for c in cit["citationItems"]] for cit, _p, _q in fx.citations]
    elif fx.citation_items is not None:
        groups = [[cite_of(c) for c in cl] for cl in fx.citation_items]
    else:
        groups = [[CitationItem(it["id"]) for it in items]]
    citations = [Citation(g) for g in groups]
    for cit in citations:
        bib.register(cit)
    if style.has_bibliography():
        bib.sort()
    if fx.mode == "bibliography":
        return _bib_body([str(e) for e in bib.bibliography()])
    out = [str(bib.cite(cit, lambda _item: None)) for cit in citations]
    if fx.citations is not None:
        n = len(out)
        return "\n".join(f"{'>>' if i == n - 1 else '..'}[{i}] {t}" for i, t in enumerate(out))
    return "\n".join(out)


def _bib_body(entries: list[str]) -> str:
    return '<div class="csl-bib-body">\n' + "".join(
        f'  <div class="csl-entry">{e}</div>\n' for e in entries) + "</div>"


ENGINES = {"refcli": run_refcli, "citeproc-py": run_citeproc_py}


def check(path: Path, tmp: Path, engine: str = "refcli") -> Outcome:
    """Run one fixture; any exception is a failure with its type as the reason."""
    import warnings

    name = path.stem
    try:
        fx = load(path)
    except Exception as exc:  # a malformed fixture is reported, not fatal
        return Outcome(name, False, f"fixture unreadable: {exc}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = ENGINES[engine](fx, tmp)
    except NotImplementedError as exc:
        return Outcome(name, False, str(exc), expected=fx.expected)
    except Exception as exc:
        msg = str(exc).splitlines()[0][:100] if str(exc) else ""
        return Outcome(name, False, f"error: {type(exc).__name__}: {msg}", expected=fx.expected)
    ok = normalise(got) == normalise(fx.expected)
    return Outcome(name, ok, "" if ok else _first_difference(fx.expected, got), got=got, expected=fx.expected)


def _first_difference(expected: str, got: str) -> str:
    """A one-line reason: the first line that differs, around where it differs."""
    exp, out = normalise(expected).splitlines(), normalise(got).splitlines()
    for i in range(max(len(exp), len(out))):
        a = exp[i] if i < len(exp) else ""
        b = out[i] if i < len(out) else ""
        if a != b:
            j = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            lo = max(0, j - 20)
            return f"differs: expected {a[lo:j + 40]!r}, got {b[lo:j + 40]!r}"
    return "differs"


def _worker(args: tuple[list[str], str]) -> list[Outcome]:
    paths, engine = args
    with tempfile.TemporaryDirectory(prefix="cslsuite-") as tmp:
        return [check(Path(p), Path(tmp), engine) for p in paths]


def run(paths: list[Path], engine: str = "refcli", jobs: int | None = None) -> list[Outcome]:
    """Check ``paths``, split over ``jobs`` processes (default: the CPU count, ≤ 2)."""
    jobs = jobs or min(2, os.cpu_count() or 1)
    if jobs <= 1 or len(paths) < 20:
        return _worker(([str(p) for p in paths], engine))
    import multiprocessing

    chunks = [[str(p) for p in paths[i::jobs]] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(jobs) as pool:
        parts = pool.map(_worker, [(c, engine) for c in chunks])
    out = [o for part in parts for o in part]
    return sorted(out, key=lambda o: o.name)


# --- the committed list of failing fixtures ------------------------------------------


def read_failing(path: Path = FAILING) -> dict[str, str]:
    """``name  # reason`` per line; blank lines and ``#`` comment lines ignored."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition("#")
        out[name.strip()] = reason.strip()
    return out


def write_failing(outcomes: list[Outcome], path: Path = FAILING) -> None:
    old = read_failing(path)
    failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.name)
    head = ("# CSL test-suite fixtures refcli does not pass yet, one per line with why.\n"
            "# tests/test_csl_suite.py fails when a fixture not listed here fails, and when a\n"
            "# listed one passes.  Rewrite with: python -m benchmarks.csl_suite"
            " --write-failing\n")
    # a reason written by hand is kept; generated ones are refreshed
    generated = ("differs", "output differs", "clusters not supported", "error:")
    lines = [f"{o.name}  # {old[o.name] if old.get(o.name) and not old[o.name].startswith(generated) else o.reason}"
             for o in failed]
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


def table(outcomes: list[Outcome], other: list[Outcome] | None = None) -> str:
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    opassed: Counter[str] = Counter()
    for o in outcomes:
        g = o.name.split("_", 1)[0]
        total[g] += 1
        passed[g] += o.ok
    for o in other or []:
        opassed[o.name.split("_", 1)[0]] += o.ok
    head = "| group | fixtures | refcli |" + (" citeproc-py |" if other else "")
    rows = [head, "|---|---|---|" + ("---|" if other else "")]
    for g in sorted(total, key=lambda g: (-total[g], g)):
        row = f"| {g} | {total[g]} | {passed[g]} |"
        rows.append(row + (f" {opassed[g]} |" if other else ""))
    n, p = sum(total.values()), sum(passed.values())
    last = f"| **all** | {n} | **{p} ({100 * p / n:.1f} %)** |"
    if other:
        op = sum(opassed.values())
        last += f" {op} ({100 * op / n:.1f} %) |"
    rows.append(last)
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="fixture names (default: all)")
    ap.add_argument("--engine", choices=sorted(ENGINES), default="refcli")
    ap.add_argument("--compare", action="store_true", help="also run raw citeproc-py, side by side")
    ap.add_argument("--write-failing", action="store_true", help=f"rewrite {FAILING.relative_to(ROOT)}")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure's diff")
    ap.add_argument("-j", "--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    paths = fixtures(args.names)
    if not paths:
        print(f"no fixtures found under {SUITE}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    outcomes = run(paths, args.engine, args.jobs)
    elapsed = time.perf_counter() - t0
    other = run(paths, "citeproc-py", args.jobs) if args.compare else None
    if args.verbose:
        for o in outcomes:
            if not o.ok:
                print(f"--- {o.name}: {o.reason}")
                if o.got or o.expected:
                    diff = difflib.unified_diff(normalise(o.expected).splitlines(),
                                                normalise(o.got).splitlines(), "expected", "got", lineterm="")
                    print("\n".join(diff))
    print(table(outcomes, other))
    reasons = Counter(o.reason.split(":")[0] for o in outcomes if not o.ok)
    print(f"\n{args.engine}: {sum(o.ok for o in outcomes)}/{len(outcomes)} passed in {elapsed:.1f} s; "
          f"failures: {dict(reasons)}")
    if args.write_failing:
        if args.names or args.engine != "refcli":
            print("--write-failing needs the whole suite and the refcli engine", file=sys.stderr)
            return 2
        write_failing(outcomes)
        print(f"wrote {FAILING.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
