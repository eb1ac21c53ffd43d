"""Zotero's own database (``zotero.sqlite``) -> CSL-JSON items, read-only.

The file is opened with SQLite's ``mode=ro``; while Zotero runs it holds its
database locked, so on "database is locked" it is opened again ``immutable=1``,
which reads the file as it is on disk without taking any lock. Nothing is ever
written. Every regular item becomes one CSL item; its collections (as
``Parent/Child`` paths) and tags become refcli tags, its child notes
``custom.notes`` and its attachments' file paths ``custom.files`` (stored files
resolved under the data directory's ``storage/``). Fields with no CSL equivalent
are kept in ``custom["zotero"]["fields"]``, Better BibTeX's ``Citation Key:``
line in Extra becomes the key.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from refcli.errors import InputError
from refcli.formats.dates import settle_dates
from refcli.formats.model import Problem, ReadResult

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
}
DATES = {"date": "issued", "accessDate": "accessed", "filingDate": "submitted"}
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
_CITATION_KEY = re.compile(r"^\s*Citation Key:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)


def _connect(path: Path) -> sqlite3.Connection:
    uri = "file:" + quote(str(path.resolve()))
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM items").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
    # Zotero is running and holds its lock: read the file as it is, taking no lock.
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    conn.execute("SELECT count(*) FROM items").fetchone()
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
    deleted = {r[0] for r in _rows(conn, "SELECT itemID FROM deletedItems")} if _has(conn, "deletedItems") else set()
    works = [(item_id, key, type_name) for item_id, key, type_name in _rows(
        conn, f"SELECT i.itemID, i.key, t.typeName FROM items i JOIN {types_table} t "
              "ON t.itemTypeID = i.itemTypeID ORDER BY i.itemID")
        if type_name not in _NOT_WORKS and item_id not in deleted]
    fields: dict[int, list[tuple[str, str]]] = {}
    for item_id, name, value in _rows(
            conn, f"SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN {fields_table} f "
                  "ON f.fieldID = d.fieldID JOIN itemDataValues v ON v.valueID = d.valueID"):
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
    for parent, note in _rows(conn, "SELECT parentItemID, note FROM itemNotes WHERE parentItemID IS NOT NULL"):
        if note:
            notes.setdefault(parent, []).append(note)
    files: dict[int, list[str]] = {}
    for parent, att_key, link_mode, att_path in _rows(
            conn, "SELECT a.parentItemID, i.key, a.linkMode, a.path FROM itemAttachments a "
                  "JOIN items i ON i.itemID = a.itemID WHERE a.parentItemID IS NOT NULL AND a.path IS NOT NULL"):
        files.setdefault(parent, []).append(_file_path(path, att_key, link_mode, att_path))

    result = ReadResult()
    for item_id, key, type_name in works:
        where = f"{source} (item {key})"
        try:
            item = _item(type_name, key, fields.get(item_id, []), sorted(creators.get(item_id, [])))
        except Exception as exc:  # one odd item must not stop the library
            result.problems.append(Problem(where, f"item skipped: {exc}"))
            continue
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


def _collection_paths(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    collections = {cid: (name, parent) for cid, name, parent in _rows(
        conn, "SELECT collectionID, collectionName, parentCollectionID FROM collections")}

    def full(cid: int) -> str:
        names, seen = [], set()
        while cid in collections and cid not in seen:  # a parent cycle must not loop
            seen.add(cid)
            name, parent = collections[cid]
            names.append(name)
            cid = parent
        return "/".join(reversed(names))

    return [(item_id, full(cid)) for cid, item_id in _rows(conn, "SELECT collectionID, itemID FROM collectionItems")]


def _file_path(db: Path, att_key: str, link_mode: int, att_path: str) -> str:
    if att_path.startswith("storage:"):  # a stored file: <data dir>/storage/<attachment key>/<name>
        return str(db.resolve().parent / "storage" / att_key / att_path[len("storage:"):])
    return att_path  # a linked file (absolute, or "attachments:" relative to Zotero's base directory)


def _item(type_name: str, key: str, fields: list[tuple[str, str]],
          creators: list[tuple[int, str, str, str, int]]) -> dict:
    item: dict = {"type": TYPES.get(type_name, "document")}
    extras: dict[str, str] = {}
    for name, value in fields:
        if name in DATES:
            date = _zotero_date(value)
            if date:
                item[DATES[name]] = date
        elif name in FIELDS and FIELDS[name] not in item:
            item[FIELDS[name]] = value
        else:
            extras[name] = value
    cite_key = _CITATION_KEY.search(item.get("note", ""))
    if cite_key:
        item["id"] = cite_key.group(1)
    for _order, ctype, first, last, mode in creators:
        person = {"literal": last} if mode == 1 else {"family": last, **({"given": first} if first else {})}
        item.setdefault(CREATORS.get(ctype, "contributor"), []).append(person)
    item["custom"] = {"zotero": {"type": type_name, "key": key, "fields": extras}}
    return item
