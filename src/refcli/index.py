"""A derived SQLite index of the library, so reads need not parse the whole file.

Parsing a 100,000-item library costs about half a second and a gigabyte of
memory; ``search``, ``show`` and ``cite KEY`` only need a few rows. The index is
a cache (in the user cache dir), never a source of truth: it records the
library file's identity (inode, size, mtime) and every read checks it first, so
a library changed by anything (refcli, an editor, ``git pull``) is re-read
before the index answers. Only items whose JSON changed are rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from refcli.dedupe import fold
from refcli.keys import year_of

FORMAT = 1  # bump when the rows change shape: old indexes are rebuilt

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, pos INTEGER, h BLOB, year INTEGER, type TEXT, doi TEXT,
    author TEXT, editor TEXT, title TEXT, container TEXT, publisher TEXT, abstract TEXT,
    tags TEXT, keyf TEXT, allf TEXT, json BLOB);
CREATE INDEX IF NOT EXISTS items_doi ON items(doi);
CREATE INDEX IF NOT EXISTS items_pos ON items(pos);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, id TEXT);
"""


def index_path(library: Path) -> Path:
    from refcli.resolve import cache_dir

    digest = hashlib.sha256(str(library.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / "index" / f"{digest}.sqlite3"


def _names(names: Any) -> str:
    if not isinstance(names, list):
        return ""
    parts = []
    for n in names:
        if isinstance(n, dict):
            parts.append(" ".join(str(n.get(k, "")) for k in
                                  ("literal", "given", "non-dropping-particle", "family")))
    return fold(" ".join(parts))


def _row(item: dict[str, Any], pos: int, digest: bytes, blob: bytes) -> tuple:
    from refcli.identifiers import normalize_doi

    custom = item.get("custom") or {}
    key = str(item.get("id", ""))
    author, editor = _names(item.get("author")), _names(item.get("editor"))
    title = fold(f"{item.get('title') or ''} {item.get('title-short') or ''}")
    container = fold(" ".join(str(item.get(f) or "") for f in
                              ("container-title", "container-title-short", "collection-title")))
    year = year_of(item)
    doi = normalize_doi(str(item.get("DOI") or "")) or ""
    tags = [str(t).casefold() for t in custom.get("tags") or []]
    keys = [key, *[str(a) for a in custom.get("aliases") or []]]
    everything = " ".join([title, author, editor, container, year, fold(doi), fold(" ".join(tags)),
                           fold(" ".join(keys))])
    return (key, pos, digest, int(year) if year else None, str(item.get("type") or ""), doi,
            f" {author}", f" {editor}", f" {title}", f" {container}",
            f" {fold(str(item.get('publisher') or ''))}", f" {fold(str(item.get('abstract') or ''))}",
            "\x1f" + "\x1f".join(tags) + "\x1f", " ".join(k.casefold() for k in keys),
            f" {' '.join(everything.split())}", blob)


def _signature(st: os.stat_result) -> str:
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _connect(library: Path) -> sqlite3.Connection:
    path = index_path(library)
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            fmt = conn.execute("SELECT v FROM meta WHERE k='format'").fetchone()
            if fmt is None or fmt[0] != str(FORMAT):
                conn.executescript("DELETE FROM items; DELETE FROM aliases; DELETE FROM meta;")
                conn.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            return conn
        except sqlite3.DatabaseError:
            # A damaged cache is thrown away and rebuilt; the library is untouched.
            with contextlib.suppress(OSError, UnboundLocalError):
                conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if attempt:
                raise
    raise AssertionError("unreachable")


def _update(conn: sqlite3.Connection, items: Iterable[dict[str, Any]], signature: str) -> None:
    import orjson

    conn.execute("BEGIN IMMEDIATE")
    try:
        known = dict(conn.execute("SELECT id, h FROM items"))
        seen: set[str] = set()
        rows = []
        aliases: list[tuple[str, str]] = []
        for pos, item in enumerate(items):
            key = str(item.get("id", ""))
            if key in seen:
                continue
            seen.add(key)
            blob = orjson.dumps(item)
            digest = hashlib.blake2b(blob, digest_size=12).digest()
            for alias in (item.get("custom") or {}).get("aliases") or ():
                aliases.append((str(alias), key))
            if known.get(key) != digest:
                rows.append(_row(item, pos, digest, blob))
        gone = [(k,) for k in known if k not in seen]
        conn.executemany("DELETE FROM items WHERE id = ?", gone)
        conn.executemany(f"INSERT OR REPLACE INTO items VALUES ({','.join('?' * 16)})", rows)
        if rows or gone:
            conn.execute("DELETE FROM aliases")
            conn.executemany("INSERT OR IGNORE INTO aliases VALUES (?, ?)", aliases)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (signature,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def after_save(lib: Any) -> None:
    """Called by the store right after it wrote *lib*: bring the index up to date."""
    conn = _connect(lib.path)
    try:
        _update(conn, lib.items, _signature(os.stat(lib.path)))
    finally:
        conn.close()


def open_fresh(library: Path) -> sqlite3.Connection | None:
    """A connection to an index that matches the library file now; None if no library."""
    from refcli import store

    try:
        st = os.stat(library)
    except FileNotFoundError:
        return None
    conn = _connect(library)
    row = conn.execute("SELECT v FROM meta WHERE k='signature'").fetchone()
    if row is None or row[0] != _signature(st):
        # Read through one descriptor so the signature belongs to the bytes parsed.
        with open(library, "rb") as fh:
            signature = _signature(os.fstat(fh.fileno()))
            items = store.parse(fh.read(), library)
        _update(conn, items, signature)
    return conn


def query(library: Path, where: str, params: list[object], limit: int | None = None) -> list[dict]:
    """Items matching a WHERE clause over the index, in library order."""
    import orjson

    conn = open_fresh(library)
    if conn is None:
        return []
    try:
        sql = f"SELECT json FROM items WHERE {where} ORDER BY pos"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [orjson.loads(blob) for (blob,) in conn.execute(sql, params)]
    finally:
        conn.close()


def count(library: Path) -> int:
    conn = open_fresh(library)
    if conn is None:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        conn.close()


def get(library: Path, key_or_doi: str) -> dict | None:
    """One item by key, former key (alias) or DOI, without parsing the library."""
    import orjson

    from refcli.identifiers import normalize_doi

    conn = open_fresh(library)
    if conn is None:
        return None
    try:
        row = conn.execute("SELECT json FROM items WHERE id = ?", (key_or_doi,)).fetchone()
        if row is None:
            row = conn.execute("SELECT i.json FROM aliases a JOIN items i ON i.id = a.id "
                               "WHERE a.alias = ?", (key_or_doi,)).fetchone()
        doi = normalize_doi(key_or_doi)
        if row is None and doi:
            row = conn.execute("SELECT json FROM items WHERE doi = ? ORDER BY pos LIMIT 1",
                               (doi,)).fetchone()
        return orjson.loads(row[0]) if row else None
    finally:
        conn.close()
