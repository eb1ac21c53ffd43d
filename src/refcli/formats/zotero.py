"""Zotero's own database (``zotero.sqlite``) -> CSL-JSON items, read-only.

The file is opened with SQLite's ``mode=ro``; while Zotero runs it holds its
database locked, so on "database is locked" it is opened again ``immutable=1``,
which reads the file as it is on disk without taking any lock. Nothing is ever
written. Every regular item becomes one CSL item; its collections (as
``Parent/Child`` paths) and tags become refcli tags, its child notes
``custom.notes`` and its attachments' file paths ``custom.files`` (stored files
resolved under the data directory's ``storage/``). Fields with no CSL equivalent
are kept in ``custom["zotero"]["fields"]``. Items in the trash, in a feed, and
collections in the trash are left out.

The citation key is, in this order: Zotero's own ``citationKey`` field, a
``Citation Key:`` line in Extra (Better BibTeX's pinned keys), or the key Better
BibTeX keeps for the item in ``better-bibtex.sqlite`` beside the database. Other
``Name: value`` lines in Extra naming a CSL variable (``Original Date: 1890``,
``PMID: 123``, ``type: dataset``) fill that variable, as Zotero's own CSL export
does; the rest of Extra is the note, and the whole of it stays in the fields.

Checked against a real database: see ``benchmarks/formats.md`` (Zotero database).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from refcli.errors import InputError
from refcli.formats.dates import parse_date, settle_dates
from refcli.formats.model import Problem, ReadResult
from refcli.vocabulary import DATE_VARIABLES, NAME_VARIABLES, VARIABLES
from refcli.vocabulary import TYPES as CSL_TYPES

TYPES = {
    "journalArticle": "article-journal", "book": "book", "bookSection": "chapter",
    "conferencePaper": "paper-conference", "thesis": "thesis", "report": "report",
    "webpage": "webpage", "magazineArticle": "article-magazine",
    "newspaperArticle": "article-newspaper", "preprint": "article", "manuscript": "manuscript",
    "letter": "personal_communication", "email": "personal_communication",
    "interview": "interview", "presentation": "speech", "document": "document",
    "patent": "patent", "dataset": "dataset", "computerProgram": "software",
    "blogPost": "post-weblog", "forumPost": "post", "encyclopediaArticle": "entry-encyclopedia",
    "dictionaryEntry": "entry-dictionary", "film": "motion_picture", "audioRecording": "song",
    "videoRecording": "motion_picture", "podcast": "song", "radioBroadcast": "broadcast",
    "tvBroadcast": "broadcast", "artwork": "graphic", "map": "map", "bill": "bill",
    "case": "legal_case", "statute": "legislation", "hearing": "hearing", "standard": "standard",
    "instantMessage": "personal_communication",
}
FIELDS = {
    "title": "title", "abstractNote": "abstract", "publicationTitle": "container-title",
    "bookTitle": "container-title", "proceedingsTitle": "container-title",
    "websiteTitle": "container-title", "blogTitle": "container-title",
    "encyclopediaTitle": "container-title", "dictionaryTitle": "container-title",
    "forumTitle": "container-title", "programTitle": "container-title",
    "volume": "volume", "issue": "issue", "pages": "page", "DOI": "DOI", "url": "URL",
    "ISBN": "ISBN", "ISSN": "ISSN", "publisher": "publisher", "university": "publisher",
    "institution": "publisher", "company": "publisher", "label": "publisher",
    "studio": "publisher", "network": "publisher", "distributor": "publisher",
    "place": "publisher-place", "language": "language", "edition": "edition",
    "series": "collection-title", "seriesNumber": "collection-number",
    "numPages": "number-of-pages", "numberOfVolumes": "number-of-volumes",
    "shortTitle": "title-short", "journalAbbreviation": "container-title-short",
    "thesisType": "genre", "reportType": "genre", "genre": "genre", "websiteType": "genre",
    "letterType": "genre", "manuscriptType": "genre", "presentationType": "genre",
    "reportNumber": "number", "billNumber": "number", "patentNumber": "number",
    "number": "number", "conferenceName": "event-title", "meetingName": "event-title",
    "libraryCatalog": "source", "callNumber": "call-number", "archive": "archive",
    "archiveLocation": "archive_location", "rights": "license", "section": "section",
    "versionNumber": "version", "medium": "medium", "extra": "note",
    # base fields that type-specific fields map to (``baseFieldMappingsCombined``)
    "authority": "authority", "type": "genre", "status": "status",
    "reporter": "container-title", "code": "container-title", "seriesTitle": "collection-title",
    "runningTime": "dimensions", "artworkSize": "dimensions", "scale": "scale",
    "history": "references", "references": "references",
}
DATES = {"date": "issued", "accessDate": "accessed", "filingDate": "submitted"}
KEY_FIELD = "citationKey"  # Zotero's own citation-key field (global schema 2023 on)
CREATORS = {
    "author": "author", "editor": "editor", "translator": "translator",
    "seriesEditor": "collection-editor", "bookAuthor": "container-author",
    "contributor": "contributor", "director": "director", "composer": "composer",
    "interviewer": "interviewer", "recipient": "recipient", "reviewedAuthor": "reviewed-author",
    "producer": "producer", "scriptwriter": "script-writer", "performer": "performer",
    "artist": "author", "inventor": "author", "programmer": "author", "sponsor": "author",
    "presenter": "author", "podcaster": "author", "cartographer": "author", "castMember": "performer",
    "guest": "guest", "commenter": "contributor", "wordsBy": "composer", "attorneyAgent": "contributor",
    "counsel": "contributor", "cosponsor": "contributor", "interviewee": "author",
}
_NOT_WORKS = ("attachment", "note", "annotation")
_EXTRA_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*?)\s*$")
_CSL_NAMES = {v.lower(): v for v in VARIABLES}


def _connect(path: Path, probe: str = "items") -> sqlite3.Connection:
    uri = "file:" + quote(str(path.resolve()))
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        conn.execute(f"SELECT count(*) FROM {probe}").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
    # Zotero is running and holds its lock: read the file as it is, taking no lock.
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    conn.execute(f"SELECT count(*) FROM {probe}").fetchone()
    return conn


def _zotero_date(value: str) -> dict | None:
    """Zotero's "2015-05-28 May 28, 2015" (00 for unknown parts) -> a CSL date."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?: (.*))?$", value)
    if not m:
        return {"literal": value} if value.strip() else None
    parts = [int(g) for g in m.groups()[:3]]
    parts = parts[:next((i for i, p in enumerate(parts) if p == 0), 3)]
    if not parts:
        return {"literal": m.group(4)} if m.group(4) else None
    return {"date-parts": [parts]}


def _rows(conn: sqlite3.Connection, sql: str, *args: object) -> list[tuple]:
    return conn.execute(sql, args).fetchall()


def _has(conn: sqlite3.Connection, name: str) -> bool:
    return bool(_rows(conn, "SELECT 1 FROM sqlite_master WHERE name = ?", name))


def read_zotero(path: Path) -> ReadResult:
    source = str(path)
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open as a Zotero database: {exc}", where=source) from exc
    try:
        return _read(conn, path)
    except sqlite3.Error as exc:
        raise InputError(f"not a Zotero database (or a damaged one): {exc}", where=source) from exc
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path) -> ReadResult:
    source = str(path)
    types_table = "itemTypesCombined" if _has(conn, "itemTypesCombined") else "itemTypes"
    fields_table = "fieldsCombined" if _has(conn, "fieldsCombined") else "fields"
    # The trash, and items of RSS feeds (a library of their own), are not the user's works.
    left_out = _ids(conn, "deletedItems", "itemID") | _ids(conn, "feedItems", "itemID") | _feed_library_items(conn)
    works = [(item_id, key, type_name) for item_id, key, type_name in _rows(
        conn, f"SELECT i.itemID, i.key, t.typeName FROM items i JOIN {types_table} t "
              "ON t.itemTypeID = i.itemTypeID ORDER BY i.itemID")
        if type_name not in _NOT_WORKS and item_id not in left_out]
    base = _base_fields(conn, fields_table)
    fields: dict[int, list[tuple[str, str]]] = {}
    for item_id, type_id, name, value in _rows(
            conn, f"SELECT d.itemID, i.itemTypeID, f.fieldName, v.value FROM itemData d "
                  f"JOIN items i ON i.itemID = d.itemID JOIN {fields_table} f ON f.fieldID = d.fieldID "
                  "JOIN itemDataValues v ON v.valueID = d.valueID"):
        if name not in FIELDS and name not in DATES:
            name = base.get((type_id, name), name)
        fields.setdefault(item_id, []).append((name, str(value)))
    creators: dict[int, list[tuple[int, str, str, str, int]]] = {}
    for item_id, order, ctype, first, last, mode in _rows(
            conn, "SELECT ic.itemID, ic.orderIndex, ct.creatorType, c.firstName, c.lastName, c.fieldMode "
                  "FROM itemCreators ic JOIN creators c ON c.creatorID = ic.creatorID "
                  "JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID"):
        creators.setdefault(item_id, []).append((order, ctype, first or "", last or "", mode or 0))
    tags: dict[int, list[str]] = {}
    for item_id, name in _rows(conn, "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID"):
        tags.setdefault(item_id, []).append(name)
    for item_id, collection in _collection_paths(conn):
        tags.setdefault(item_id, []).append(collection)
    notes: dict[int, list[str]] = {}
    for note_id, parent, note in _rows(
            conn, "SELECT itemID, parentItemID, note FROM itemNotes WHERE parentItemID IS NOT NULL"):
        if note and note_id not in left_out:
            notes.setdefault(parent, []).append(note)
    files: dict[int, list[str]] = {}
    for att_id, parent, att_key, link_mode, att_path in _rows(
            conn, "SELECT a.itemID, a.parentItemID, i.key, a.linkMode, a.path FROM itemAttachments a "
                  "JOIN items i ON i.itemID = a.itemID WHERE a.parentItemID IS NOT NULL AND a.path IS NOT NULL"):
        if att_id not in left_out:
            files.setdefault(parent, []).append(_file_path(path, att_key, link_mode, att_path))
    bbt_keys = _better_bibtex_keys(path)

    result = ReadResult()
    for item_id, key, type_name in works:
        where = f"{source} (item {key})"
        try:
            item = _item(type_name, key, fields.get(item_id, []), sorted(creators.get(item_id, [])))
        except Exception as exc:  # one odd item must not stop the library
            result.problems.append(Problem(where, f"item skipped: {exc}"))
            continue
        if "id" not in item and item_id in bbt_keys:
            item["id"] = bbt_keys[item_id]
        custom = item["custom"]
        if tags.get(item_id):
            custom["tags"] = list(dict.fromkeys(tags[item_id]))
        if notes.get(item_id):
            custom["notes"] = notes[item_id]
        if files.get(item_id):
            custom["files"] = files[item_id]
        result.problems.extend(Problem(where, w) for w in settle_dates(item, parsed_here=True))
        result.items.append(item)
    return result


def _ids(conn: sqlite3.Connection, table: str, column: str) -> set[int]:
    return {r[0] for r in _rows(conn, f"SELECT {column} FROM {table}")} if _has(conn, table) else set()


def _feed_library_items(conn: sqlite3.Connection) -> set[int]:
    if "type" not in {row[1] for row in _rows(conn, "PRAGMA table_info(libraries)")}:
        return set()
    return {r[0] for r in _rows(conn, "SELECT itemID FROM items WHERE libraryID IN "
                                      "(SELECT libraryID FROM libraries WHERE type = 'feed')")}


def _base_fields(conn: sqlite3.Connection, fields_table: str) -> dict[tuple[int, str], str]:
    """(item type, type-specific field) -> the base field it stands for: a case's
    ``dateDecided`` is its ``date``, a thesis's ``university`` its ``publisher``."""
    table = next((t for t in ("baseFieldMappingsCombined", "baseFieldMappings") if _has(conn, t)), None)
    if table is None:
        return {}
    return {(type_id, name): base for type_id, name, base in _rows(
        conn, f"SELECT m.itemTypeID, f.fieldName, b.fieldName FROM {table} m "
              f"JOIN {fields_table} f ON f.fieldID = m.fieldID JOIN {fields_table} b ON b.fieldID = m.baseFieldID")}


def _better_bibtex_keys(db: Path) -> dict[int, str]:
    """itemID -> the key Better BibTeX gives the item (pinned or not), from its own
    database beside Zotero's; {} when there is none or it cannot be read."""
    bbt = db.resolve().parent / "better-bibtex.sqlite"
    if not bbt.is_file():
        return {}
    try:
        conn = _connect(bbt, probe="sqlite_master")
    except sqlite3.Error:
        return {}
    try:
        if _has(conn, "citationkey"):  # Better BibTeX 6.7 on: one row per item
            return {int(item_id): str(key) for item_id, key in _rows(
                conn, "SELECT itemID, citationKey FROM citationkey") if key}
        if _has(conn, "better-bibtex"):  # earlier: a JSON collection in one row
            keys: dict[int, str] = {}
            for (data,) in _rows(conn, "SELECT data FROM \"better-bibtex\" WHERE name = 'better-bibtex.citekey'"):
                for row in json.loads(data).get("data", []):
                    if isinstance(row, dict) and isinstance(row.get("itemID"), int) and row.get("citekey"):
                        keys[row["itemID"]] = str(row["citekey"])
            return keys
        return {}
    except (sqlite3.Error, ValueError, AttributeError):
        return {}  # the keys are a help, never a reason to refuse the library
    finally:
        conn.close()


def _collection_paths(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    collections = {cid: (name, parent) for cid, name, parent in _rows(
        conn, "SELECT collectionID, collectionName, parentCollectionID FROM collections")}
    trashed = _ids(conn, "deletedCollections", "collectionID")

    def full(cid: int) -> str | None:
        names, seen = [], set()
        while cid in collections and cid not in seen:  # a parent cycle must not loop
            if cid in trashed:  # a collection in the trash, or inside one
                return None
            seen.add(cid)
            name, parent = collections[cid]
            names.append(name)
            cid = parent
        return "/".join(reversed(names))

    paths = {cid: full(cid) for cid in collections}
    return [(item_id, path) for cid, item_id in _rows(conn, "SELECT collectionID, itemID FROM collectionItems")
            if (path := paths.get(cid))]


def _file_path(db: Path, att_key: str, link_mode: int, att_path: str) -> str:
    if att_path.startswith("storage:"):  # a stored file: <data dir>/storage/<attachment key>/<name>
        return str(db.resolve().parent / "storage" / att_key / att_path[len("storage:"):])
    return att_path  # a linked file (absolute, or "attachments:" relative to Zotero's base directory)


def _item(type_name: str, key: str, fields: list[tuple[str, str]],
          creators: list[tuple[int, str, str, str, int]]) -> dict:
    item: dict = {"type": TYPES.get(type_name, "document")}
    extras: dict[str, str] = {}
    for name, value in fields:
        if name == KEY_FIELD and value.strip():
            item["id"] = value.strip()
        elif name in DATES:
            date = _zotero_date(value)
            if date:
                item[DATES[name]] = date
        elif name in FIELDS and FIELDS[name] not in item:
            item[FIELDS[name]] = value
        else:
            extras[name] = value
    for _order, ctype, first, last, mode in creators:
        person = {"literal": last} if mode == 1 else {"family": last, **({"given": first} if first else {})}
        item.setdefault(CREATORS.get(ctype, "contributor"), []).append(person)
    if item.get("note"):
        rest = _apply_extra(item, item["note"])
        if rest != item["note"]:
            extras["extra"] = item["note"]  # the whole of Extra, as Zotero shows it
            if rest:
                item["note"] = rest
            else:
                del item["note"]
    item["custom"] = {"zotero": {"type": type_name, "key": key, "fields": extras}}
    return item


def _apply_extra(item: dict, extra: str) -> str:
    """Fill the item from Extra's ``Name: value`` lines as Zotero's CSL export does
    (a variable the item already has is not overwritten, but a name line adds a
    name); returns the lines left, which stay the note."""
    rest = []
    filled: set[str] = set()
    for line in extra.splitlines():
        m = _EXTRA_LINE.match(line)
        name = m.group(1).lower().replace(" ", "-").replace("_", "-") if m else ""
        value = m.group(2) if m else ""
        var = _CSL_NAMES.get(name) or _CSL_NAMES.get(name.replace("-", "_"))
        if not value:
            rest.append(line)
        elif name == "citation-key":
            item.setdefault("id", value.split()[0])
        elif name == "type" and value in CSL_TYPES:
            item["type"] = value
        elif var in NAME_VARIABLES and (var not in item or var in filled):
            family, _, given = (part.strip() for part in value.partition("||"))
            item.setdefault(var, []).append({"family": family, "given": given} if given else {"literal": family})
            filled.add(var)
        elif var in DATE_VARIABLES and var not in item and (date := parse_date(value)):
            item[var] = date
        elif var and var not in item and var not in NAME_VARIABLES and var not in DATE_VARIABLES:
            item[var] = value
        else:
            rest.append(line)
    return "\n".join(rest).strip()
