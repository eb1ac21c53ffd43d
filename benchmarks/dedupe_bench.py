"""Deduplication quality: pairwise precision and recall on a labelled set (issue 12).

Every record of the set goes through refcli's own ingest (``refcli.ingest.Ingest``,
the code ``refcli add`` runs) into an empty library, in the set's order and again
in reverse order. A pair of records is *merged* when both ended in one work, and
*flagged* when one's work names the other's as a possible duplicate
(``custom.possible-duplicates``). Reported separately: merged, and merged or
flagged. Related works (``custom.related``) are reported as links found.

    .venv/bin/python -m benchmarks.dedupe_bench
    .venv/bin/python -m benchmarks.dedupe_bench --bibdedupe PATH/records_pre_merged.csv

``--bibdedupe`` also measures on the labelled sample that BibDedupe's source
distribution ships (``tests/data/records_pre_merged.csv`` and
``merged_record_ids.csv`` beside it, in the sdist of ``bib-dedupe`` on PyPI).
Targets: no false merge; recall ≥ 0.99 merged or flagged, ≥ 0.95 merged.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

Item = dict[str, Any]


def ingest_all(records: list[tuple[str, Item]]) -> tuple[dict[str, str], dict[str, Item]]:
    """(record id -> key of the work it ended in, works by key) after adding every record."""
    from refcli.ingest import Ingest
    from refcli.store import Library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "library.json", items=[])
        ingest = Ingest(lib, "labelled set", expected=len(records))
        placed = {}
        for _, record in records:
            placed[str(record["id"])] = ingest.add(dict(record)).key
        return placed, {str(i["id"]): i for i in lib.items}


def score(records: list[tuple[str, Item]], distinct: frozenset[frozenset[str]] = frozenset()) -> dict[str, Any]:
    """Pairwise counts; *distinct*: labelled duplicate pairs that are two works by
    refcli's definition (``bibdedupe_adjudicated.csv``), also counted apart."""
    placed, works = ingest_all(records)
    flagged: set[frozenset[str]] = set()
    related: set[tuple[str, str, str]] = set()
    for key, work in works.items():
        custom = work.get("custom") or {}
        for entry in custom.get("possible-duplicates") or ():
            flagged.add(frozenset((key, entry["key"])))
        for entry in custom.get("related") or ():
            related.add((key, entry["key"], entry["relation"]))
    linked = {frozenset((a, b)) for a, b, _ in related}
    counts = dict.fromkeys(("tp_merged", "fp_merged", "tp_either", "fp_either", "tp_linked", "true_pairs",
                            "def_pairs", "def_merged", "def_either", "def_false"), 0)
    false_merges = []
    missed: Counter[str] = Counter()  # true pairs neither merged nor flagged, by the decision's reason
    for (wa, a), (wb, b) in itertools.combinations(records, 2):
        ka, kb = placed[str(a["id"])], placed[str(b["id"])]
        truth = wa == wb
        merged = ka == kb
        either = merged or frozenset((ka, kb)) in flagged
        counts["true_pairs"] += truth
        counts["tp_merged"] += truth and merged
        counts["fp_merged"] += merged and not truth
        counts["tp_either"] += truth and either
        counts["fp_either"] += either and not truth
        counts["tp_linked"] += truth and (either or frozenset((ka, kb)) in linked)
        if distinct:
            two = frozenset((str(a["id"]), str(b["id"]))) in distinct
            counts["def_pairs"] += truth and not two
            counts["def_merged"] += truth and not two and merged
            counts["def_either"] += truth and not two and either
            counts["def_false"] += merged and (two or not truth)
        if merged and not truth:
            false_merges.append((a["id"], b["id"]))
        if truth and not either:
            missed[_reason(a, b)] += 1
    return {**counts, "false_merges": false_merges, "works": len(works), "records": len(records),
            "related": related, "placed": placed, "missed": missed}


def _reason(a: Item, b: Item) -> str:
    """Why refcli keeps two records apart: the pair's own decision, its first evidence
    against (without the figures), or the relation it links them by."""
    from refcli.matching import decide

    decision = decide(a, b)
    if decision.relation:
        return f"{decision.verdict}: {decision.relation}"
    against = [e.split(" (")[0] for e in decision.evidence_against]
    return f"{decision.verdict}: {', '.join(against) or 'decided alike, not matched in the ingest'}"


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def report(name: str, result: dict[str, Any]) -> str:
    c = result
    lines = [
        f"{name}: {c['records']} records -> {c['works']} works, {c['true_pairs']} duplicate pairs",
        f"  merged:            precision {_ratio(c['tp_merged'], c['tp_merged'] + c['fp_merged']):.3f}"
        f"  recall {_ratio(c['tp_merged'], c['true_pairs']):.3f}  false merges {c['fp_merged']}",
        f"  merged or flagged: precision {_ratio(c['tp_either'], c['tp_either'] + c['fp_either']):.3f}"
        f"  recall {_ratio(c['tp_either'], c['true_pairs']):.3f}",
        f"  merged, flagged or linked as related works (shown to the user): "
        f"recall {_ratio(c['tp_linked'], c['true_pairs']):.3f}",
    ]
    if c["def_pairs"]:
        lines.append(f"  by refcli's definition ({c['true_pairs'] - c['def_pairs']} labelled pairs read as two "
                     f"works, benchmarks/bibdedupe_adjudicated.csv): {c['def_pairs']} pairs, merged recall "
                     f"{_ratio(c['def_merged'], c['def_pairs']):.3f}, merged or flagged "
                     f"{_ratio(c['def_either'], c['def_pairs']):.3f}, false merges {c['def_false']}")
    for a, b in c["false_merges"][:20]:
        lines.append(f"  FALSE MERGE {a} + {b}")
    if c["missed"]:
        lines.append("  duplicate pairs neither merged nor flagged, by refcli's reason:")
        lines.extend(f"    {n:4d}  {why}" for why, n in c["missed"].most_common())
    return "\n".join(lines)


def labelled_set(reverse: bool = False) -> list[tuple[str, Item]]:
    from benchmarks.dedupe_set import records

    found = records()
    return found[::-1] if reverse else found


def related_found(result: dict[str, Any]) -> tuple[int, int]:
    """(expected relations found, expected) of dedupe_set.RELATED, in either direction."""
    from benchmarks.dedupe_set import RELATED

    placed = result["placed"]
    links = {frozenset((a, b)) for a, b, _ in result["related"]}
    found = 0
    for wa, wb, _ in RELATED:
        keys_a = {k for rid, k in placed.items() if rid.rsplit("-", 1)[0] == wa}
        keys_b = {k for rid, k in placed.items() if rid.rsplit("-", 1)[0] == wb}
        found += any(frozenset((x, y)) in links for x in keys_a for y in keys_b)
    return found, len(RELATED)


# ------------------------------------------------------------------ BibDedupe's data

# Columns of BibDedupe's CSV files that are bookkeeping, not bibliographic data.
_NOT_FIELDS = frozenset(("ID", "ENTRYTYPE", "search_set", "abstract", "colrev_origin", "colrev_status",
                         "file_name", "cited_by"))
_FIELD_NAMES = {"issue": "number"}  # CSV column -> BibTeX field


def _record_id(raw: str) -> str:
    """``id_0000001`` and ``0000000001`` (the spellings of one id in different commits) -> ``1``."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    return str(int(digits)) if digits else raw


def _braced(value: str) -> str:
    """A BibTeX value for *value*: braces are dropped when they would not balance."""
    depth = 0
    for ch in value:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth:
        value = value.replace("{", "").replace("}", "")
    return "{" + value + "}"


def _counters(rows: list[dict[str, str]]) -> set[str]:
    """Columns whose values differ on every record of a large set: a record counter that
    an export wrote into a field (respiratory's ``number``: 1,988 values for 1,988
    records), not issue numbers, which duplicates share."""
    found = set()
    for column in ("number", "issue", "volume", "pages"):
        values = [row.get(column, "").strip() for row in rows]
        filled = [v for v in values if v]
        if len(filled) >= 500 and len(set(filled)) == len(filled):
            print(f"  (column {column!r} left out: a different value on every record)")
            found.add(column)
    return found


def bibdedupe_records(path: Path) -> list[tuple[str, Item]]:
    """The records of one BibDedupe data set as CSL-JSON, each labelled with its duplicate group.

    *path* is the set's ``records_pre_merged.csv``; ``merged_record_ids.csv`` beside it
    lists the groups of records that are one work. Each record is written as the BibTeX
    entry it was exported as and read by refcli's BibTeX reader, as ``refcli add`` would.
    """
    from refcli.formats import read

    groups: dict[str, str] = {}
    with open(path.parent / "merged_record_ids.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ids = [_record_id(r) for r in row["merged_ids"].split(";")]
            for rid in ids:
                groups[rid] = ids[0]
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.DictReader(fh) if row["ID"]]  # the sample has one empty row
    skip = _NOT_FIELDS | _counters(rows)
    for row in rows:
        rid = _record_id(row["ID"])
        fields = [f"  {_FIELD_NAMES.get(k, k)} = {_braced(v.strip())}" for k, v in row.items()
                  if k and k not in skip and v and v.strip()]
        bib = f"@{row['ENTRYTYPE'] or 'misc'}{{r{rid},\n" + ",\n".join(fields) + "\n}\n"
        for item in read(bib, "bibtex", source=str(path)).items:
            item["id"] = rid
            out.append((groups.get(rid, rid), item))
    return out


def adjudicated(name: str) -> frozenset[frozenset[str]]:
    """Pairs of one BibDedupe set labelled duplicates that are two works by refcli's
    definition (one record per work as published): a notice and its article, a letter
    and its reply, an abstract and the article, registrations of different trials, two
    versions of a review. Each was read and classed by hand; the file gives why."""
    with open(HERE / "bibdedupe_adjudicated.csv", newline="", encoding="utf-8") as f:
        return frozenset(frozenset((row["a"], row["b"])) for row in csv.DictReader(f) if row["set"] == name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bibdedupe", type=Path, action="append", default=[],
                        help="a BibDedupe records_pre_merged.csv (labels beside it); repeatable")
    args = parser.parse_args()
    forward = score(labelled_set())
    print(report("labelled set (benchmarks/dedupe_set.py)", forward))
    found, expected = related_found(forward)
    print(f"  related links found: {found} of {expected} expected")
    print(report("same set, reverse order", score(labelled_set(reverse=True))))
    for path in args.bibdedupe:
        result = score(bibdedupe_records(path), adjudicated(path.parent.name))
        print(report(f"BibDedupe data {path.parent.name}", result))


if __name__ == "__main__":
    main()
