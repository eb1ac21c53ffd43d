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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from refcli.dedupe import fold
from refcli.keys import year_of
from refcli.libfile import (
    dump_item,
    line_problem,
    links,
    newer_format,
    parse,
    split_lines,
    unreadable,
)

FORMAT = 10  # bump when the rows change shape: old indexes are rebuilt

_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE items (
    id TEXT PRIMARY KEY, pos INTEGER, h BLOB, year INTEGER, type TEXT, doi TEXT,
    author TEXT, editor TEXT, title TEXT, container TEXT, publisher TEXT,
    tags TEXT, keyf TEXT, fam TEXT, tf TEXT, json BLOB);
CREATE INDEX items_fam ON items(fam, year);
CREATE INDEX items_h ON items(h, id);
CREATE INDEX items_doi ON items(doi);
CREATE INDEX items_pos ON items(pos);
CREATE INDEX items_year ON items(year);
CREATE INDEX items_tf ON items(tf);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, id TEXT);
CREATE TABLE cites (src TEXT, dst TEXT);
CREATE INDEX cites_dst ON cites(dst);
CREATE INDEX cites_src ON cites(src);
CREATE TABLE links (src TEXT, dst TEXT);
CREATE INDEX links_dst ON links(dst);
CREATE INDEX links_src ON links(src);
"""


# The items table's secondary indexes, by name.
_ITEM_INDEXES = {statement.split()[2]: statement.strip() for statement in _SCHEMA.split(";")
                 if statement.strip().startswith("CREATE INDEX items_")}


def index_path(library: Path) -> Path:
    from refcli import settings

    digest = hashlib.sha256(os.fsencode(library.resolve())).hexdigest()[:24]
    return settings.cache_dir() / "index" / f"{digest}.sqlite3"


def _names(names: Any) -> str:
    if not isinstance(names, list):
        return ""
    # Folded part by part: name parts repeat across a library, so fold's cache hits.
    parts = [fold(n[k]) for n in names if isinstance(n, dict)
             for k in ("literal", "given", "non-dropping-particle", "family") if n.get(k)]
    return " ".join(filter(None, parts))


def _row(item: dict[str, Any], pos: int, digest: bytes, blob: bytes) -> tuple:
    from refcli.dedupe import first_family
    from refcli.identifiers import normalize_doi

    custom = item.get("custom") or {}
    key = str(item.get("id", ""))
    title = fold(item.get("title") or "")  # its own column too: the deduplicator compares it
    titles = " ".join(filter(None, (title, fold(item.get("title-short") or ""))))
    container = fold(" ".join(str(item.get(f) or "") for f in
                              ("container-title", "container-title-short", "collection-title")))
    year = year_of(item)
    doi = normalize_doi(str(item.get("DOI") or "")) or ""
    tags = [str(t).casefold() for t in custom.get("tags") or []]
    keys = [key, *[str(a) for a in custom.get("aliases") or []]]
    if isinstance(custom.get("notes"), str):  # `refcli note` text: found by bare search words
        keys.append(custom["notes"][:100_000])
    return (key, pos, digest, int(year) if year else None, str(item.get("type") or ""), doi,
            f" {_names(item.get('author'))}", f" {_names(item.get('editor'))}", f" {titles}",
            f" {container}", f" {fold(str(item.get('publisher') or ''))}",
            "\x1f" + "\x1f".join(tags) + "\x1f", " " + fold(" ".join(keys)), first_family(item),
            title, blob)


def _signature(st: os.stat_result) -> str:
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _connect(library: Path) -> sqlite3.Connection:
    """The index database, created or upgraded as needed.

    The format lives in ``PRAGMA user_version`` and is changed inside one write
    transaction, so two refcli processes starting at once cannot trip over a
    half-made index. A damaged file is deleted and rebuilt (it is only a cache);
    when the cache dir cannot be written at all, the index lives in memory.
    """
    path = index_path(library)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(":memory:")
    for attempt in range(2):
        try:
            return _open_db(path)
        except sqlite3.DatabaseError:
            if path == Path(":memory:") or attempt:
                return _open_db(Path(":memory:"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _open_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if conn.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                    conn.execute(f'DROP TABLE "{table}"')
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {FORMAT}")
            conn.execute("COMMIT")
        return conn
    except BaseException:
        conn.close()
        raise


def _update(conn: sqlite3.Connection, lines: list[bytes], signature: str,
            parsed: list[dict[str, Any]] | None = None, library: Path = Path("library.json")) -> None:
    """Make the index match the library whose item lines are *lines*.

    A line whose bytes the index already holds is not parsed again, so after a
    change only the changed items are parsed and written; *parsed*, the items of
    the lines when the caller has them, spares even that. Positions only order
    results; an unchanged row keeps its old one, which keeps the relative order.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        blake2b = hashlib.blake2b
        digests = [blake2b(line, digest_size=12).digest() for line in lines]
        known = dict(conn.execute("SELECT h, id FROM items"))
        rows, edges, keep = _changed_rows(lines, digests, known, parsed, library)
        unchanged = len(keep) - len(rows)
        gone = [key for key in known.values() if key not in keep]
        if not unchanged and known:  # nothing survives (a library replaced): empty the tables at once
            for table in ("items", "cites", "aliases", "links"):
                conn.execute(f"DELETE FROM {table}")
        _write_rows(conn, rows, gone, edges, signature, fresh=not unchanged)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _changed_rows(lines: list[bytes], digests: list[bytes], known: dict[bytes, str],
                  parsed: list[dict[str, Any]] | None = None, library: Path = Path("library.json")
                  ) -> tuple[list[tuple], Edges, set[str]]:
    """Rows for the lines the index lacks, plus the keys of every line kept.

    A line that is not a readable item (damaged, or written by a newer refcli) is a
    LibraryError naming its line: the index never answers for a library smaller
    than the file, and since its signature is not stored, every read says so until
    the file is repaired. Each key counts once, its first line winning. Usually no new line repeats a
    key, and the kept keys come from set operations and map(), which keep the
    per-line work in C (a library restored from a copy or pulled with git
    re-checks 100k lines in a fraction of a second); otherwise the lines are
    walked in order.
    """
    import orjson

    present = set(digests)
    missing = present.difference(known)
    present -= missing
    fresh = [pos for pos, digest in enumerate(digests) if digest in missing] if missing else []
    items: dict[int, dict] = {}
    for pos in fresh:
        if parsed is not None:
            items[pos] = parsed[pos]
            continue
        try:
            item = orjson.loads(lines[pos])
        except orjson.JSONDecodeError:
            item = None
        if not isinstance(item, dict) or newer_format(item):
            _refuse(lines, pos, library)
        items[pos] = item
    kept = set(map(known.__getitem__, present))
    new_keys = [str(item.get("id", "")) for item in items.values()]
    if kept.isdisjoint(new_keys) and len(set(new_keys)) == len(new_keys):
        order: list[tuple[int, dict]] = list(items.items())
        keep = kept
    else:  # a key on two lines: walk in order
        order, keep = [], set()
        for pos, digest in enumerate(digests):
            if digest in known and known[digest] not in keep:
                keep.add(known[digest])
            elif pos in items and str(items[pos].get("id", "")) not in keep:
                order.append((pos, items[pos]))
                keep.add(str(items[pos].get("id", "")))
    rows: list[tuple] = []
    edges = Edges()
    for pos, item in order:
        keep.add(str(item.get("id", "")))
        rows.append(_row(item, pos, digests[pos], lines[pos]))
        edges.add(item)
    return rows, edges, keep


class Edges:
    """The rows of the cites, aliases and links tables for some items."""

    def __init__(self) -> None:
        self.cites: list[tuple[str, str]] = []
        self.aliases: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []  # (src, dst): related, distinct, possible-duplicates

    def add(self, item: dict[str, Any]) -> None:
        key = str(item.get("id", ""))
        custom = item.get("custom") or {}
        self.cites.extend((key, str(dst)) for dst in custom.get("cites") or ())
        self.aliases.extend((str(alias), key) for alias in custom.get("aliases") or ())
        self.links.extend((key, dst) for field, dst in links(item) if field != "cites")


def _refuse(lines: list[bytes], pos: int, library: Path) -> None:
    """Raise the error for the unreadable line *pos*, with its line number in the file
    (item lines start on line 2; a damaged one may hold raw line breaks)."""
    line = 2 + sum(segment.count(b"\n") + 1 for segment in lines[:pos])
    physical = lines[pos].split(b"\n")
    for offset, part in enumerate(physical):  # the first physical line that is wrong
        problem = line_problem(part.rstrip(b","))
        if problem is not None:
            raise unreadable(library, line + offset, problem)
    raise unreadable(library, line, line_problem(lines[pos]) or "is damaged")


def _write_rows(conn: sqlite3.Connection, rows: list[tuple], gone: list[str], edges: Edges,
                signature: str, fresh: bool = False) -> None:
    """Replace the rows of *gone* keys and of *rows*' keys (none to replace when *fresh*)."""
    if not fresh:
        changed = [(key,) for key in gone] + [(row[0],) for row in rows]
        for table, column in (("items", "id"), ("cites", "src"), ("aliases", "id"), ("links", "src")):
            conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", changed)
    # Filling an empty table, B-trees built afterwards by sorting cost less than
    # growing them row by row.
    bulk = fresh and len(rows) > 1000
    if bulk:
        for name in _ITEM_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.executemany(f"INSERT OR REPLACE INTO items VALUES ({','.join('?' * 16)})", rows)
    if bulk:
        for statement in _ITEM_INDEXES.values():
            conn.execute(statement)
    conn.executemany("INSERT INTO cites VALUES (?, ?)", edges.cites)
    conn.executemany("INSERT OR IGNORE INTO aliases VALUES (?, ?)", edges.aliases)
    conn.executemany("INSERT INTO links VALUES (?, ?)", edges.links)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (signature,))


def apply_changes(library: Path, changed: list[dict[str, Any]], removed: list[str],
                  conn: sqlite3.Connection | None = None) -> None:
    """After a lazy save: redo only the rows of the items that changed.

    Changed items keep their position, new ones go last; the other rows are
    untouched, so a one-item change costs one row, not a pass over the library.
    *conn* is the index the change was read through (a second connection would
    cost an open and a checkpoint); it stays open.
    """
    own = conn is None
    conn = _connect(library) if conn is None else conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = conn.execute("SELECT coalesce(max(pos), -1) FROM items").fetchone()[0]
            rows: list[tuple] = []
            edges = Edges()
            for item in changed:
                key = str(item.get("id", ""))
                found = conn.execute("SELECT pos FROM items WHERE id = ?", (key,)).fetchone()
                if found:
                    pos = found[0]
                else:
                    last += 1
                    pos = last
                blob = dump_item(item)
                rows.append(_row(item, pos, hashlib.blake2b(blob, digest_size=12).digest(), blob))
                edges.add(item)
            _write_rows(conn, rows, removed, edges, _signature(os.stat(library)))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        if own:
            conn.close()


def _lines_of(raw: bytes, library: Path) -> list[bytes]:
    """Item lines of the library; a file in another layout is parsed and re-serialised."""
    lines = split_lines(raw)
    if lines is None:
        import orjson

        lines = [orjson.dumps(item) for item in parse(raw, library)]
    return lines


def after_save(library: Path, raw: bytes, items: list[dict[str, Any]] | None = None) -> None:
    """Called by the store right after it wrote *raw* (from *items*, when given: a
    bulk add's 100k new lines need not be parsed again), still under the lock."""
    conn = _connect(library)
    try:
        lines = _lines_of(raw, library)
        _update(conn, lines, _signature(os.stat(library)),
                items if items is not None and len(items) == len(lines) else None, library)
    finally:
        conn.close()


def synced(library: Path, raw: bytes) -> Index:
    """An index matching *raw*, which the caller read under the library lock."""
    conn = _connect(library)
    try:
        signature = _signature(os.stat(library))
        row = conn.execute("SELECT v FROM meta WHERE k='signature'").fetchone()
        if row is None or row[0] != signature:
            _update(conn, _lines_of(raw, library), signature, library=library)
        return Index(conn)
    except BaseException:
        conn.close()
        raise


def open_fresh(library: Path) -> sqlite3.Connection | None:
    """A connection to an index that matches the library file now; None if no library."""
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
            raw = fh.read()
        _update(conn, _lines_of(raw, library), signature, library=library)
    return conn


class Index:
    """Read access to a fresh index: one connection for any number of look-ups."""

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn

    def _rows(self, sql: str, params: Iterable[object] = ()) -> list[dict]:
        import orjson

        if self.conn is None:
            return []
        return [orjson.loads(blob) for (blob,) in self.conn.execute(sql, tuple(params))]

    def query(self, where: str, params: list[object], limit: int | None = None) -> list[dict]:
        """Items matching a WHERE clause, in library order."""
        import orjson

        return [orjson.loads(blob) for blob in self.matching(where, params, limit)]

    def matching(self, where: str, params: list[object], limit: int | None = None,
                 column: str = "json") -> list:
        """A column (``json``: the stored item line, unparsed; or ``id``) of the items
        matching a WHERE clause, in library order.

        ``search --json`` prints the stored lines as they are: parsing 20,000 items
        only to serialise them again took most of a search's time at 100k items.
        """
        if self.conn is None:
            return []
        assert column in ("json", "id")
        sql = f"SELECT {column} FROM items WHERE {where} ORDER BY pos, id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [value for (value,) in self.conn.execute(sql, tuple(params))]

    def get(self, key_or_doi: str) -> dict | None:
        """One item by key, former key (alias) or DOI."""
        from refcli.identifiers import normalize_doi

        rows = (self._rows("SELECT json FROM items WHERE id = ?", [key_or_doi])
                or self._rows("SELECT i.json FROM aliases a JOIN items i ON i.id = a.id "
                              "WHERE a.alias = ?", [key_or_doi]))
        doi = normalize_doi(key_or_doi)
        if not rows and doi:
            rows = self._rows("SELECT json FROM items WHERE doi = ? ORDER BY pos LIMIT 1", [doi])
        return rows[0] if rows else None

    def keys(self) -> list[str]:
        """Every key, in library order (for suggestions after a miss)."""
        if self.conn is None:
            return []
        return [k for (k,) in self.conn.execute("SELECT id FROM items ORDER BY pos")]

    def citing(self, key: str) -> list[dict]:
        """Items whose ``custom.cites`` names *key*."""
        return self._rows("SELECT i.json FROM cites c JOIN items i ON i.id = c.src "
                          "WHERE c.dst = ? ORDER BY i.pos", [key])

    def count(self, where: str = "1", params: Iterable[object] = ()) -> int:
        """How many items match a WHERE clause (all of them by default)."""
        if self.conn is None:
            return 0
        return self.conn.execute(f"SELECT count(*) FROM items WHERE {where}", tuple(params)).fetchone()[0]

    def locate(self, key_or_doi: str, by_doi: bool = True) -> str | None:
        """The key of an item by key, former key or (if *by_doi*) DOI."""
        from refcli.identifiers import normalize_doi

        assert self.conn is not None
        row = (self.conn.execute("SELECT id FROM items WHERE id = ?", (key_or_doi,)).fetchone()
               or self.conn.execute("SELECT id FROM aliases WHERE alias = ?", (key_or_doi,)).fetchone())
        doi = normalize_doi(key_or_doi) if by_doi and row is None else None
        if doi:
            row = self.conn.execute("SELECT id FROM items WHERE doi = ? ORDER BY pos LIMIT 1",
                                    (doi,)).fetchone()
        return row[0] if row else None

    def by_family(self, first_family: str, year: str = "") -> list[tuple[str, str, str, bool]]:
        """(key, normalised DOI or "", folded title, has a year) of the items with this
        folded first-author family name (and, given a *year*, with that year or none):
        what the deduplicator compares, without parsing a single item."""
        assert self.conn is not None
        if year:
            rows = self.conn.execute("SELECT id, doi, tf, year IS NOT NULL FROM items "
                                     "WHERE fam = ? AND (year = ? OR year IS NULL)", (first_family, int(year)))
        else:
            rows = self.conn.execute("SELECT id, doi, tf, year IS NOT NULL FROM items WHERE fam = ?",
                                     (first_family,))
        return [(key, doi, title, bool(dated)) for key, doi, title, dated in rows]

    def by_title(self, folded_title: str) -> list[str]:
        """Keys of the items with exactly this folded title: the deduplicator's second
        block, for names given swapped or as a group."""
        assert self.conn is not None
        return [k for (k,) in self.conn.execute("SELECT id FROM items WHERE tf = ?", (folded_title,))]

    def citing_keys(self, key: str) -> list[str]:
        """Keys of the items whose ``custom.cites`` names *key*."""
        assert self.conn is not None
        return [k for (k,) in self.conn.execute("SELECT src FROM cites WHERE dst = ?", (key,))]

    def linking_keys(self, key: str) -> list[str]:
        """Keys of the items that link to *key* any way (``libfile.links``)."""
        assert self.conn is not None
        return [k for (k,) in self.conn.execute(
            "SELECT src FROM cites WHERE dst = ? UNION SELECT src FROM links WHERE dst = ?", (key, key))]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@contextlib.contextmanager
def fresh(library: Path) -> Iterator[Index]:
    """The index of *library*, brought up to date with the file first."""
    conn = open_fresh(library)
    try:
        yield Index(conn)
    finally:
        if conn is not None:
            conn.close()
