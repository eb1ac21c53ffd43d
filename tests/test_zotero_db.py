"""Zotero's database (issue 15), on the tables and columns of a current Zotero.

``CURRENT_SCHEMA`` is the set of tables refcli reads, with their columns as a Zotero
6/7 database has them (``version`` row ``userdata`` 121, global schema 28), written
out here from a real ``zotero.sqlite``. A database built from it exercises what the
smaller one in ``test_formats_moving_in.py`` does not: type-specific fields read as
their base field, Zotero's own ``citationKey`` field, Better BibTeX's key database,
CSL variables in Extra, and the trash for notes, attachments and collections.

With ``REFCLI_ZOTERO_SQLITE`` naming a real database (papis-zotero 0.4.0's test
library: see ``benchmarks/formats.md``), the schema here is checked against it and
its items read; without it those tests skip.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from scripts.check_zotero_db import check

from refcli import formats

CURRENT_SCHEMA = {
    "version": "schema TEXT PRIMARY KEY, version INT NOT NULL",
    "libraries": "libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL, "
                 "filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0, "
                 "lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0",
    "itemTypesCombined": "itemTypeID INT NOT NULL PRIMARY KEY, typeName TEXT NOT NULL, display INT DEFAULT 1 NOT NULL, "
                         "custom INT NOT NULL",
    "fieldsCombined": "fieldID INT NOT NULL PRIMARY KEY, fieldName TEXT NOT NULL, label TEXT, fieldFormatID INT, "
                      "custom INT NOT NULL",
    "baseFieldMappingsCombined": "itemTypeID INT, baseFieldID INT, fieldID INT, "
                                 "PRIMARY KEY (itemTypeID, baseFieldID, fieldID)",
    "creatorTypes": "creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT",
    "items": "itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL, dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
             "dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
             "clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL, "
             "version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key)",
    "itemDataValues": "valueID INTEGER PRIMARY KEY, value UNIQUE",
    "itemData": "itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID)",
    "creators": "creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT, "
                "UNIQUE (lastName, firstName, fieldMode)",
    "itemCreators": "itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1, "
                    "orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), "
                    "UNIQUE (itemID, orderIndex)",
    "tags": "tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE",
    "itemTags": "itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL, PRIMARY KEY (itemID, tagID)",
    "collections": "collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL, parentCollectionID INT DEFAULT NULL, "
                   "clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, "
                   "key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, "
                   "UNIQUE (libraryID, key)",
    "collectionItems": "collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0, "
                       "PRIMARY KEY (collectionID, itemID)",
    "deletedCollections": "collectionID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL",
    "itemNotes": "itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT",
    "itemAttachments": "itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT, charsetID INT, "
                       "path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT, "
                       "lastProcessedModificationTime INT",
    "itemAnnotations": "itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL, type INTEGER NOT NULL, authorName TEXT, "
                       "text TEXT, comment TEXT, color TEXT, pageLabel TEXT, sortIndex TEXT NOT NULL, "
                       "position TEXT NOT NULL, isExternal INT NOT NULL",
    "deletedItems": "itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL",
    "feeds": "libraryID INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE, lastUpdate TIMESTAMP, "
             "lastCheck TIMESTAMP, lastCheckError TEXT, cleanupReadAfter INT, cleanupUnreadAfter INT, refreshInterval INT",
    "feedItems": "itemID INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, readTime TIMESTAMP, translatedTime TIMESTAMP",
}

# Ids as a real database numbers them (its itemTypesCombined, fieldsCombined and creatorTypes).
TYPE_IDS = {"annotation": 1, "attachment": 3, "book": 7, "case": 9, "journalArticle": 21, "note": 27}
FIELD_IDS = {"title": 1, "abstractNote": 2, "date": 6, "url": 13, "extra": 16, "volume": 19, "number": 27,
             "pages": 32, "publicationTitle": 37, "caseName": 45, "court": 46, "dateDecided": 47,
             "docketNumber": 48, "DOI": 58, "citationKey": 92, "authority": 108}
BASE = [("case", "caseName", "title"), ("case", "court", "authority"), ("case", "dateDecided", "date"),
        ("case", "docketNumber", "number")]
CREATOR_IDS = {"author": 8, "editor": 10}


def build(path: Path) -> None:
    conn = sqlite3.connect(path)
    for table, columns in CURRENT_SCHEMA.items():
        conn.execute(f"CREATE TABLE {table} ({columns})")
    conn.execute("INSERT INTO version VALUES ('userdata', 121)")
    conn.executemany("INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (?, ?, 1, 1)",
                     [(1, "user"), (2, "feed")])
    conn.execute("INSERT INTO feeds (libraryID, name, url) VALUES (2, 'arXiv', 'https://example.org/rss')")
    conn.executemany("INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)", [(v, k) for k, v in TYPE_IDS.items()])
    conn.executemany("INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)", [(v, k) for k, v in FIELD_IDS.items()])
    conn.executemany("INSERT INTO baseFieldMappingsCombined VALUES (?, ?, ?)",
                     [(TYPE_IDS[t], FIELD_IDS[b], FIELD_IDS[f]) for t, f, b in BASE])
    conn.executemany("INSERT INTO creatorTypes VALUES (?, ?)", [(v, k) for k, v in CREATOR_IDS.items()])
    items = [(1, "journalArticle", "ART00001", 1), (2, "case", "CASE0001", 1), (3, "note", "NOTE0001", 1),
             (4, "note", "NOTE0002", 1), (5, "attachment", "ATT00001", 1), (6, "attachment", "ATT00002", 1),
             (7, "annotation", "ANN00001", 1), (8, "journalArticle", "FEED0001", 2), (9, "book", "BOOK0001", 1)]
    conn.executemany("INSERT INTO items (itemID, itemTypeID, key, libraryID) VALUES (?, ?, ?, ?)",
                     [(i, TYPE_IDS[t], k, lib) for i, t, k, lib in items])
    values: dict[str, int] = {}

    def put(item: int, field: str, value: str) -> None:
        vid = values.setdefault(value, len(values) + 1)
        conn.execute("INSERT OR IGNORE INTO itemDataValues VALUES (?, ?)", (vid, value))
        conn.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item, FIELD_IDS[field], vid))

    put(1, "title", "On the electrodynamics of moving bodies")
    put(1, "publicationTitle", "Annalen der Physik")
    put(1, "date", "1905-00-00 1905")
    put(1, "volume", "322")
    put(1, "extra", "Original Date: 1905-06-30\nPMID: 12345\ntype: article\n"
                    "original-author: Einstein || Albert\ntex.howpublished: print\nRead twice.")
    put(1, "citationKey", "einstein1905")
    put(2, "caseName", "Brown v. Board of Education")
    put(2, "court", "U.S. Supreme Court")
    put(2, "dateDecided", "1954-05-17 May 17, 1954")
    put(2, "docketNumber", "1")
    put(5, "title", "Full Text PDF")
    put(8, "title", "A feed entry")
    put(9, "title", "A book in a trashed collection")
    conn.executemany("INSERT INTO creators VALUES (?, ?, ?, ?)", [(1, "Albert", "Einstein", 0)])
    conn.execute("INSERT INTO itemCreators VALUES (1, 1, 8, 0)")
    conn.executemany("INSERT INTO itemNotes VALUES (?, 1, ?, '')", [(3, "<p>kept</p>"), (4, "<p>in the trash</p>")])
    conn.executemany("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                     "VALUES (?, 1, ?, 'application/pdf', ?)", [(5, 1, "storage:einstein.pdf"),
                                                                (6, 2, "/papers/trashed.pdf")])
    conn.execute("INSERT INTO feedItems (itemID, guid) VALUES (8, 'https://example.org/rss/1')")
    conn.execute("INSERT INTO itemAnnotations VALUES (7, 5, 1, '', 'a highlight', '', '#ffd400', '1', "
                 "'00000|000000|00000', '{}', 0)")
    conn.executemany("INSERT INTO deletedItems (itemID) VALUES (?)", [(4,), (6,)])
    conn.executemany("INSERT INTO collections (collectionID, collectionName, parentCollectionID, libraryID, key) "
                     "VALUES (?, ?, ?, 1, ?)", [(1, "Physics", None, "COL00001"), (2, "Old", None, "COL00002"),
                                                (3, "Older", 2, "COL00003")])
    conn.execute("INSERT INTO deletedCollections (collectionID) VALUES (2)")
    conn.executemany("INSERT INTO collectionItems VALUES (?, ?, 0)", [(1, 1), (3, 9), (1, 9)])
    conn.commit()
    conn.close()


def test_current_schema_read(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    build(db)
    result = formats.read_path(db)
    assert result.problems == []
    by_key = {i["custom"]["zotero"]["key"]: i for i in result.items}
    assert set(by_key) == {"ART00001", "CASE0001", "BOOK0001"}  # no notes, files, annotations, feed items
    art = by_key["ART00001"]
    assert art["id"] == "einstein1905"  # Zotero's own citationKey field
    assert art["type"] == "article"  # "type:" in Extra
    assert art["original-date"]["date-parts"] == [[1905, 6, 30]] and art["PMID"] == "12345"
    assert art["original-author"] == [{"family": "Einstein", "given": "Albert"}]
    assert art["note"] == "tex.howpublished: print\nRead twice."
    assert art["custom"]["zotero"]["fields"]["extra"].startswith("Original Date: 1905-06-30\n")  # nothing lost
    assert art["custom"]["notes"] == ["<p>kept</p>"]  # the trashed note left out
    assert art["custom"]["files"] == [str(tmp_path.resolve() / "storage" / "ATT00001" / "einstein.pdf")]
    assert art["custom"]["tags"] == ["Physics"]
    case = by_key["CASE0001"]
    assert (case["type"], case["title"], case["authority"], case["number"]) == (
        "legal_case", "Brown v. Board of Education", "U.S. Supreme Court", "1")
    assert case["issued"] == {"date-parts": [[1954, 5, 17]]} and "files" not in case["custom"]
    assert by_key["BOOK0001"]["custom"]["tags"] == ["Physics"]  # not "Old/Older": in the trash


def _bbt(path: Path, rows: list[tuple[int, str, int, str, int]]) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY, itemKey NOT NULL, libraryID NOT NULL, "
                 "citationKey NOT NULL, pinned, lastPinned, UNIQUE (libraryID, itemKey))")
    conn.executemany("INSERT INTO citationkey (itemID, itemKey, libraryID, citationKey, pinned) VALUES (?, ?, ?, ?, ?)",
                     rows)
    conn.commit()
    conn.close()


def test_better_bibtex_keys_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    build(db)
    _bbt(tmp_path / "better-bibtex.sqlite", [(1, "ART00001", 1, "bbtEinstein", 0), (2, "CASE0001", 1, "brown1954", 0)])
    by_key = {i["custom"]["zotero"]["key"]: i for i in formats.read_path(db).items}
    assert by_key["CASE0001"]["id"] == "brown1954"  # Better BibTeX's (unpinned) key
    assert by_key["ART00001"]["id"] == "einstein1905"  # Zotero's own field comes first
    assert "id" not in by_key["BOOK0001"]  # no key anywhere: refcli makes one


def test_old_better_bibtex_key_store(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    build(db)
    conn = sqlite3.connect(tmp_path / "better-bibtex.sqlite")
    conn.execute('CREATE TABLE "better-bibtex" (name TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)')
    conn.execute('INSERT INTO "better-bibtex" VALUES (?, ?)', ("better-bibtex.citekey", json.dumps(
        {"name": "citekey", "data": [{"itemID": 9, "itemKey": "BOOK0001", "libraryID": 1, "citekey": "oldbook",
                                      "pinned": False, "$loki": 1}]})))
    conn.commit()
    conn.close()
    by_key = {i["custom"]["zotero"]["key"]: i for i in formats.read_path(db).items}
    assert by_key["BOOK0001"]["id"] == "oldbook"


def test_a_damaged_better_bibtex_database_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    build(db)
    (tmp_path / "better-bibtex.sqlite").write_bytes(b"not a database at all")
    assert len(formats.read_path(db).items) == 3


def test_the_checker_finds_nothing_lost(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    build(db)
    report = check(db)
    assert report.lost == [] and report.works == 3 and report.read == 3


# -- a real database, when one is given

REAL = os.environ.get("REFCLI_ZOTERO_SQLITE", "")
needs_real = pytest.mark.skipif(not (REAL and Path(REAL).is_file()),
                                reason="set REFCLI_ZOTERO_SQLITE to a real zotero.sqlite (benchmarks/formats.md)")


@needs_real
def test_schema_here_is_the_real_one() -> None:
    conn = sqlite3.connect(f"file:{REAL}?mode=ro", uri=True)
    here = sqlite3.connect(":memory:")
    for table, columns in CURRENT_SCHEMA.items():
        here.execute(f"CREATE TABLE {table} ({columns})")
        # name, declared type, not null, default, primary-key position: all as Zotero has them
        real = conn.execute(f"PRAGMA table_info({table})").fetchall()
        assert real, f"no table {table} in the real database"
        assert here.execute(f"PRAGMA table_info({table})").fetchall() == real, table
    conn.close()
    here.close()


@needs_real
def test_real_database_read_with_nothing_lost() -> None:
    report = check(Path(REAL))
    assert report.lost == [] and report.read == report.works > 0
    assert report.missing_files == []
