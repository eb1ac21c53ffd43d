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


def score(records: list[tuple[str, Item]]) -> dict[str, Any]:
    placed, works = ingest_all(records)
    flagged: set[frozenset[str]] = set()
    related: set[tuple[str, str, str]] = set()
    for key, work in works.items():
        custom = work.get("custom") or {}
        for entry in custom.get("possible-duplicates") or ():
            flagged.add(frozenset((key, entry["key"])))
        for entry in custom.get("related") or ():
            related.add((key, entry["key"], entry["relation"]))
    counts = dict.fromkeys(("tp_merged", "fp_merged", "tp_either", "fp_either", "true_pairs"), 0)
    false_merges = []
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
        if merged and not truth:
            false_merges.append((a["id"], b["id"]))
    return {**counts, "false_merges": false_merges, "works": len(works), "records": len(records),
            "related": related, "placed": placed}


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
    ]
    for a, b in c["false_merges"][:20]:
        lines.append(f"  FALSE MERGE {a} + {b}")
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


# ------------------------------------------------------------------ BibDedupe's sample

def bibdedupe_records(path: Path) -> list[tuple[str, Item]]:
    """The sample's records as CSL-JSON, each labelled with its duplicate group."""
    from refcli.formats import read

    groups: dict[str, str] = {}
    with open(path.parent / "merged_record_ids.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ids = row["merged_ids"].split(";")
            for rid in ids:
                groups[rid] = ids[0]
    out = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["ID"]:
                continue  # the file has one empty row
            fields = [f"  {k} = {{{v}}}" for k, v in row.items()
                      if k not in ("ID", "ENTRYTYPE", "search_set", "abstract") and v]
            bib = f"@{row['ENTRYTYPE']}{{{row['ID']},\n" + ",\n".join(fields) + "\n}\n"
            for item in read(bib, "bibtex", source=str(path)).items:
                out.append((groups.get(row["ID"], row["ID"]), item))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bibdedupe", type=Path, help="BibDedupe's tests/data/records_pre_merged.csv")
    args = parser.parse_args()
    forward = score(labelled_set())
    print(report("labelled set (benchmarks/dedupe_set.py)", forward))
    found, expected = related_found(forward)
    print(f"  related links found: {found} of {expected} expected")
    print(report("same set, reverse order", score(labelled_set(reverse=True))))
    if args.bibdedupe:
        print(report("BibDedupe's sample (tests/data of its sdist)", score(bibdedupe_records(args.bibdedupe))))


if __name__ == "__main__":
    main()
