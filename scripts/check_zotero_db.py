"""Check refcli's Zotero reader against a real ``zotero.sqlite``: nothing lost.

    python -m scripts.check_zotero_db ~/Zotero/zotero.sqlite [--show]

Reads the database twice: once with plain SQL here (every work outside the trash
and the feeds, every value of every field, creator, tag, collection, child note and
attachment), once with ``refcli.formats.read_path``, and reports each value the
reader did not keep somewhere in the item (a CSL variable, ``custom.zotero.fields``,
tags, notes or files), and each stored attachment whose file is not on disk. The
database is opened read-only; nothing is downloaded. What it was last run on is in
``benchmarks/formats.md`` (Zotero database).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from refcli import formats
from refcli.formats.dates import date_parts

DATE_FIELDS = {"date", "accessDate", "filingDate", "dateDecided", "issueDate", "dateEnacted"}


@dataclass
class Report:
    schema: dict[str, int] = field(default_factory=dict)
    works: int = 0
    read: int = 0
    values: int = 0
    lost: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value, *value.splitlines()}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {str(value)}


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def check(db: Path) -> Report:
    report = Report()
    conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
    try:
        if _has_table(conn, "version"):
            report.schema = dict(conn.execute("SELECT schema, version FROM version").fetchall())
        types = "itemTypesCombined" if _has_table(conn, "itemTypesCombined") else "itemTypes"
        fields = "fieldsCombined" if _has_table(conn, "fieldsCombined") else "fields"
        out = " ".join(f"AND i.itemID NOT IN (SELECT itemID FROM {t})" for t in ("deletedItems", "feedItems")
                       if _has_table(conn, t))
        works = dict(conn.execute(
            f"SELECT i.itemID, i.key FROM items i JOIN {types} t ON t.itemTypeID = i.itemTypeID "
            f"WHERE t.typeName NOT IN ('note', 'attachment', 'annotation') {out}").fetchall())
        report.works = len(works)
        expected: dict[str, list[tuple[str, str]]] = {key: [] for key in works.values()}
        for item_id, name, value in conn.execute(
                f"SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN {fields} f ON f.fieldID = d.fieldID "
                "JOIN itemDataValues v ON v.valueID = d.valueID"):
            if item_id in works and str(value).strip():
                expected[works[item_id]].append((name, str(value)))
        for item_id, last, first in conn.execute(
                "SELECT ic.itemID, c.lastName, c.firstName FROM itemCreators ic "
                "JOIN creators c ON c.creatorID = ic.creatorID"):
            if item_id in works:
                expected[works[item_id]].append(("creator", " ".join(p for p in (first, last) if p)))
        for item_id, name in conn.execute("SELECT it.itemID, t.name FROM itemTags it JOIN tags t USING (tagID)"):
            if item_id in works:
                expected[works[item_id]].append(("tag", name))
        for parent, note in conn.execute(
                f"SELECT n.parentItemID, n.note FROM itemNotes n JOIN items i ON i.itemID = n.itemID "
                f"WHERE n.parentItemID IS NOT NULL {out}"):
            if parent in works and note:
                expected[works[parent]].append(("note", note))
        for parent, path in conn.execute(
                f"SELECT a.parentItemID, a.path FROM itemAttachments a JOIN items i ON i.itemID = a.itemID "
                f"WHERE a.parentItemID IS NOT NULL AND a.path IS NOT NULL {out}"):
            if parent in works:
                expected[works[parent]].append(("file", path.removeprefix("storage:")))
    finally:
        conn.close()

    result = formats.read_path(db)
    report.items = result.items
    report.read = len(result.items)
    got = {item["custom"]["zotero"]["key"]: item for item in result.items}
    for key, values in expected.items():
        item = got.get(key)
        if item is None:
            report.lost.append(f"{key}: the whole item")
            continue
        strings = _strings(item)
        names = {" ".join(p for p in (n.get("given"), n.get("family"), n.get("literal")) if p)
                 for var, names in item.items() if isinstance(names, list) and names and isinstance(names[0], dict)
                 for n in names}
        years = {str(parts[0]) for v in item.values() if (parts := date_parts(v))}
        for name, value in values:
            report.values += 1
            if name in DATE_FIELDS:
                kept = value[:4] in years or value[:4] == "0000" or value in strings
            elif name == "creator":
                kept = value in names or value in strings
            elif name == "file":
                kept = any(f.endswith(value) for f in item["custom"].get("files", []))
            else:
                kept = value in strings
            if not kept:
                report.lost.append(f"{key}: {name} = {value[:60]!r}")
        for path in item["custom"].get("files", []):
            if not path.startswith("attachments:") and not Path(path).exists():
                report.missing_files.append(f"{key}: {path}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--show", action="store_true", help="print each item read, as CSL-JSON")
    args = parser.parse_args(argv)
    report = check(args.database)
    if args.show:
        for item in report.items:
            print(json.dumps(item, ensure_ascii=False))
    print(f"schema {report.schema}")
    print(f"works {report.works}, read {report.read}, values checked {report.values}, lost {len(report.lost)}, "
          f"attachment files missing {len(report.missing_files)}")
    for line in report.lost + report.missing_files:
        print("  " + line)
    return 1 if report.lost or report.read != report.works else 0


if __name__ == "__main__":
    sys.exit(main())
