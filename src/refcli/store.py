"""The library: one CSL-JSON file, written atomically under a lock, with backups.

The file is a plain CSL-JSON array with one item per line, so pandoc and
citeproc-js read it unchanged and git diffs and merges it line by line. refcli's
own data per item lives in ``item["custom"]``::

    schema   store format version (refused when newer than this refcli knows)
    added    ISO time the item entered the library; ``modified`` likewise
    tags     list of tags
    cites    ids of the works a document cites, in its reference-list order
    sources  where the item came from (file, DOI look-up, document import)
    merged   values that lost a merge, with their source, so nothing is lost

Writes follow one path: take the lock, read the current file, change it in
memory, write a temporary file in the same directory, fsync it, keep the old
file as a backup (a hard link, so it costs nothing), rename the new one over
it, fsync the directory. A crash at any point leaves the old or the new file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from refcli.environment import env_number
from refcli.errors import LibraryError
from refcli.gcpause import paused_gc

SCHEMA = 1
BACKUPS_KEPT = 20
LOCK_TIMEOUT = 30.0

Item = dict[str, Any]


def default_path() -> Path:
    """``$REFCLI_LIBRARY``, else the platform's user data dir (XDG on Linux)."""
    env = os.environ.get("REFCLI_LIBRARY")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("refcli", appauthor=False)) / "library.json"


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ------------------------------------------------------------------ reading


def _loads(data: bytes, where: str) -> list[Item]:
    import orjson

    try:
        with paused_gc():
            items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError as exc:
        line = data[: exc.pos].count(b"\n") + 1 if exc.pos is not None else None
        raise LibraryError(f"library is not valid JSON ({exc.msg})", f"{where}:{line}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LibraryError("library is not a CSL-JSON array of items", where)
    return items


def dump_item(item: Item) -> bytes:
    """One item as one line, its key first so that its line can be found without parsing."""
    import orjson

    if next(iter(item), None) != "id" and "id" in item:
        item = {"id": item["id"], **item}
    return orjson.dumps(item)


def dumps(items: list[Item]) -> bytes:
    """One item per line: readable, and git merges two people's additions cleanly."""
    return join_lines([dump_item(i) for i in items])


def join_lines(lines: list[bytes]) -> bytes:
    """A JSON array of already serialised items, one per line (the library's layout)."""
    if not lines:
        return b"[]\n"
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


def read_bytes(path: Path) -> bytes:
    """The library file's bytes (empty when it does not exist yet)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except IsADirectoryError:
        raise LibraryError("library path is a directory, not a file", str(path)) from None
    except OSError as exc:
        raise LibraryError(f"cannot read library ({exc.strerror})", str(path)) from None


def parse(data: bytes, path: Path) -> list[Item]:
    items = _loads(data, str(path))
    _check_schema(items, path)
    return items


def _check_schema(items: list[Item], path: Path) -> None:
    newest = max((i.get("custom", {}).get("schema", 0) for i in items[:1] + items[-1:]), default=0)
    if isinstance(newest, int) and newest > SCHEMA:
        raise LibraryError(
            f"library was written by a newer refcli (format {newest}, this one reads {SCHEMA});"
            " upgrade refcli",
            str(path),
        )


# ------------------------------------------------------------------ the in-memory library


def split_lines(raw: bytes) -> list[bytes] | None:
    """The item lines of a library in refcli's own layout, or None for any other layout.

    orjson escapes every newline inside strings, so in a file refcli wrote each
    raw newline ends an item. A file laid out otherwise (pretty-printed by
    another tool) is simply parsed whole.
    """
    if raw in (b"", b"[]\n", b"[]"):
        return []
    if not is_line_layout(raw):
        return None
    return raw[2:-3].split(b",\n")


def item_lines(raw: bytes, path: Path) -> list[bytes] | None:
    """``split_lines``, for a library whose format this refcli reads (else LibraryError);
    None when it must be parsed whole."""
    lines = split_lines(raw)
    if not lines:
        return lines
    return lines if _lines_readable([lines[0], lines[-1]], path) else None


def is_line_layout(raw: bytes) -> bool:
    return raw.startswith(b"[\n{") and raw.endswith(b"}\n]\n")


_LINE_START = re.compile(rb'\n\{"id":("(?:[^"\\\n]|\\.)*")')
_SCANS_BEFORE_MAP = 3


class _Stale(Exception):
    """The file is not as the index said: fall back to parsing everything."""


class Library:
    """The library's items in file order, with the look-ups every command needs.

    A library opened for a small change (tag one work, add a DOI) does not parse
    100,000 items: it keeps the file's bytes, asks the derived index which keys
    and DOIs exist, and parses only the lines it touches, each found by its
    ``{"id":`` prefix (every line refcli writes starts with its key). Lines it
    never touched are written back byte for byte. Anything that needs every item
    (``items``) parses the rest on first use.
    """

    def __init__(self, path: Path, items: list[Item] | None = None, raw: bytes = b"",
                 index: Any = None) -> None:
        self.path = path
        self.raw = raw  # the bytes it was loaded from: writing the same bytes again is skipped
        self._items = items
        self._index = index if items is None else None
        self._touched: dict[str, tuple[int, int, Item]] = {}  # key -> (start, end, item)
        self._starts: dict[bytes, int] | None = None  # JSON-quoted key -> offset of its line
        self._rewritten: dict[str, bytes] = {}  # key -> new line, as of the last ``pieces()``
        self._scans = 0
        self._removed: set[str] = set()
        self._appended: list[Item] = []
        self.reindex()

    @property
    def lazy(self) -> bool:
        return self._items is None

    @property
    def items(self) -> list[Item]:
        if self._items is None:
            self._materialize()
        assert self._items is not None
        return self._items

    def _materialize(self) -> None:
        touched = {key: item for key, (_, _, item) in self._touched.items()}
        items = [touched.get(str(i.get("id")), i) for i in parse(self.raw, self.path)
                 if str(i.get("id")) not in self._removed]
        self._items = items + self._appended
        if self._index is not None:
            self._index.close()
        self._index = None
        self._touched, self._removed, self._appended = {}, set(), []
        self.reindex()

    def reindex(self) -> None:
        """Forget the in-memory look-ups (after an item's key, DOI or aliases changed).

        They are rebuilt on first use: ``export`` and ``doctor`` read every item
        but never look one up, and building them costs ~0.3 s at 100,000 items.
        """
        self._lookups: tuple[dict[str, Item], dict[str, str], dict[str, str]] | None = None

    def _built(self) -> tuple[dict[str, Item], dict[str, str], dict[str, str]]:
        if self._lookups is None:
            self._lookups = ({}, {}, {})
            known = self._items if self._items is not None else (
                [i for _, _, i in self._touched.values()] + self._appended)
            for item in known:
                self.remember(item)
        return self._lookups

    @property
    def by_id(self) -> dict[str, Item]:
        """Items by key."""
        return self._built()[0]

    @property
    def by_doi(self) -> dict[str, str]:
        """Keys by normalised DOI (the first item with a DOI keeps it)."""
        return self._built()[1]

    @property
    def by_alias(self) -> dict[str, str]:
        """Keys by former key (``custom.aliases``)."""
        return self._built()[2]

    def remember(self, item: Item) -> None:
        """Add one item to the key, alias and DOI look-ups (after it was added or merged into)."""
        from refcli.identifiers import normalize_doi

        if self._lookups is None:
            return  # built from all items on first use, this one included
        by_id, by_doi, by_alias = self._lookups
        key = str(item.get("id"))
        by_id[key] = item
        for alias in (item.get("custom") or {}).get("aliases") or ():
            by_alias.setdefault(alias, key)
        doi = item.get("DOI")
        # Stored DOIs are canonical already; only a hand-edited one needs the full rules.
        doi = doi if isinstance(doi, str) and doi.startswith("10.") and doi == doi.lower() else normalize_doi(doi)
        if doi:
            by_doi.setdefault(doi, key)

    def __len__(self) -> int:
        if self._items is None:
            return self._index.count() - len(self._removed) + len(self._appended)
        return len(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def _line(self, key: str) -> Item | None:
        """The stored item with *key*, parsed from its own line only."""
        import orjson

        if key in self._removed:
            return None
        if key not in self._touched:
            quoted = orjson.dumps(key)
            start = self._line_start(quoted)
            after = start + len(b'{"id":') + len(quoted)
            if start < 0 or self.raw[after : after + 1] not in (b",", b"}"):
                raise _Stale()
            end = self.raw.find(b"\n", start)
            end = end - 1 if self.raw[end - 1 : end] == b"," else end
            try:
                item = orjson.loads(self.raw[start:end])
            except orjson.JSONDecodeError:
                raise _Stale() from None
            self._touched[key] = (start, end, item)
            self.remember(item)
        return self._touched[key][2]

    def _line_start(self, quoted: bytes) -> int:
        """Offset of the line that starts with ``{"id":<quoted>``, or -1.

        The first few look-ups search the file (~0.1 s at 100,000 items each); from
        then on one pass maps every key to its line (~0.3 s), since a command that
        looks up several works (an import checks each reference against the
        stored works of the same author and year) would otherwise scan it each time.
        """
        if self._starts is None and self._scans < _SCANS_BEFORE_MAP:
            self._scans += 1
            start = self.raw.find(b'\n{"id":' + quoted)
            return start + 1 if start >= 0 else -1
        if self._starts is None:
            self._starts = {m.group(1): m.start() + 1 for m in _LINE_START.finditer(self.raw)}
        return self._starts.get(quoted, -1)

    def _lazy_lookup(self, find: Any) -> Any:
        """Run an index look-up in lazy mode; parse everything if the file disagrees."""
        try:
            return find()
        except _Stale:
            self._materialize()
            return None

    def get(self, key_or_doi: str) -> Item | None:
        """An item by citation key (or a key it was merged from), or by DOI in any spelling."""
        item = self.by_id.get(key_or_doi)
        if item is None and key_or_doi in self.by_alias:
            item = self.by_id.get(self.by_alias[key_or_doi])
        if item is None:
            from refcli.identifiers import normalize_doi

            doi = normalize_doi(key_or_doi)
            if doi and doi in self.by_doi:
                item = self.by_id[self.by_doi[doi]]
        if item is None and self.lazy:
            def find() -> Item | None:
                key = self._index.locate(key_or_doi)
                return self._line(key) if key else None

            item = self._lazy_lookup(find)
            if item is None and not self.lazy:
                return self.get(key_or_doi)
        return item

    def similar_keys(self, key: str) -> list[str]:
        """Keys a mistyped *key* may have meant (``refcli.keys.similar_keys``)."""
        from refcli.keys import similar_keys

        keys = [*self._index.keys(), *(str(i.get("id")) for i in self._appended)] if self.lazy else \
            [str(i.get("id")) for i in self.items]
        return similar_keys(key, (k for k in keys if k not in self._removed))

    def has_key(self, key: str) -> bool:
        """Whether *key* is taken, as an item's key or as a former key (alias)."""
        if key in self.by_id or key in self.by_alias:
            return True
        return self.lazy and self._index.locate(key, by_doi=False) not in (None, *self._removed)

    def candidates(self, first_family: str, year: str = "") -> list[tuple[str, str | None, str, bool]]:
        """(key, normalised DOI, folded title, has a year) of the stored items with this
        folded first-author family name and, given a *year*, that year or none: in
        lazy mode the only works a duplicate can be. They come from the index, so an
        import into a large library parses only the works it matches (a common name
        has dozens per year at 100k items); works changed in this run answer as they are now.
        """
        if not self.lazy:
            return []  # full mode: the Matcher indexes every item itself
        from refcli.dedupe import doi_of, fold
        from refcli.keys import year_of

        found = []
        for key, doi, title, dated in self._index.by_family(first_family, year):
            if key in self._removed:
                continue
            if key in self._touched:
                item = self._touched[key][2]
                doi, title, dated = doi_of(item) or "", fold(item.get("title") or ""), bool(year_of(item))
            found.append((key, doi or None, title, dated))
        return found

    def titled(self, folded_title: str) -> list[str]:
        """Keys of the stored items with this folded title (lazy mode; the Matcher
        indexes every item itself otherwise)."""
        if not self.lazy:
            return []
        return [k for k in self._index.by_title(folded_title) if k not in self._removed]

    def citing(self, key: str) -> list[Item]:
        """Items whose ``custom.cites`` names *key*."""
        def cites(item: Item) -> bool:
            return key in ((item.get("custom") or {}).get("cites") or ())

        if self.lazy:
            stored = self._lazy_lookup(lambda: [self._line(k) for k in self._index.citing_keys(key)])
            if self.lazy:
                return [i for i in stored if i is not None and cites(i)] + [
                    i for i in self._appended if cites(i)]
        return [i for i in self.items if cites(i)]

    def append(self, item: Item) -> None:
        if self._items is None:
            self._appended.append(item)
        else:
            self._items.append(item)
        self.remember(item)

    def remove(self, key: str) -> Item:
        item = self.get(key)
        if item is None:
            raise KeyError(key)
        key = str(item["id"])
        if self._items is not None:
            self._items.remove(item)
        elif any(i is item for i in self._appended):
            self._appended = [i for i in self._appended if i is not item]
        else:
            self._removed.add(key)
        self.by_id.pop(key, None)
        for doi in [d for d, k in self.by_doi.items() if k == key]:
            del self.by_doi[doi]
        return item

    def pieces(self) -> list[bytes | memoryview] | None:
        """The new file as pieces to write, or None when nothing changed.

        Untouched stretches of the old file are views into it, not copies: at
        100,000 items each copy of the library costs a noticeable fraction of a second.
        """
        if self._items is not None:
            data = dumps(self._items)
            return None if data == self.raw or (data == b"[]\n" and not self.raw) else [data]
        raw = memoryview(self.raw)
        # Most touched items were only read (e.g. compared as possible duplicates).
        self._rewritten = {key: line for key, (start, end, item) in self._touched.items()
                           if key not in self._removed and (line := dump_item(item)) != raw[start:end]}
        if not self._removed and not self._appended and not self._rewritten:
            return None
        pieces: list[bytes | memoryview] = []
        cursor = 0
        for key, (start, end, _) in sorted(self._touched.items(), key=lambda kv: kv[1][0]):
            if key in self._removed:
                # Drop the line with the separator after it (or, for the last line, before it).
                if raw[end : end + 2] == b",\n":
                    end += 2
                elif raw[start - 2 : start] == b",\n":
                    start -= 2
                pieces.append(raw[cursor:start])
            elif key in self._rewritten:
                pieces += [raw[cursor:start], self._rewritten[key]]
            else:
                continue  # unchanged: stays inside the next view of the old file
            cursor = end
        remaining = len(self) - len(self._appended)
        if self._appended:
            new = b",\n".join(dump_item(i) for i in self._appended)
            if remaining:
                pieces += [raw[cursor:-3], b",\n", new, b"\n]\n"]
            else:
                pieces = [b"[\n", new, b"\n]\n"]
        elif remaining:
            pieces.append(raw[cursor:])
        else:
            pieces = [b"[]\n"]
        return pieces

    def changes(self) -> tuple[list[Item], list[str]]:
        """(items changed or added, keys removed) by the last save (``pieces``): what
        the index must redo. Items that were only read are not among them."""
        changed = [self._touched[key][2] for key in self._rewritten]
        return changed + self._appended, sorted(self._removed)


def load(path: Path) -> Library:
    """Read-only load: no lock needed, since writers replace the file atomically."""
    raw = read_bytes(path)
    return Library(path, parse(raw, path), raw)


def _first_line_ok(raw: bytes, path: Path) -> bool:
    """In refcli's layout, whether the first item parses and has a format we read."""
    return _lines_readable([raw[2 : raw.find(b"\n", 2)].rstrip(b",")], path)


def _lines_readable(lines: list[bytes], path: Path) -> bool:
    """Whether these item lines parse as items; LibraryError when they need a newer refcli."""
    import orjson

    try:
        items = [orjson.loads(line) for line in lines]
    except orjson.JSONDecodeError:
        return False
    if not all(isinstance(item, dict) for item in items):
        return False
    _check_schema(items, path)
    return True


def _open_lazy(path: Path) -> Library:
    """A library that parses only what it touches, when the index can guide it."""
    raw = read_bytes(path)
    if is_line_layout(raw) and _first_line_ok(raw, path):
        try:
            from refcli import index

            return Library(path, raw=raw, index=index.synced(path, raw))
        except Exception:  # noqa: BLE001 - the index is an optimisation, never a requirement
            pass
    return Library(path, parse(raw, path), raw)


# ------------------------------------------------------------------ locking


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the library's write lock (``flock`` on a lock file beside it).

    The kernel drops an ``flock`` when its process dies, so a crashed refcli can
    never leave the library locked. The holder writes its pid into the file and
    clears it on release: a pid found there on taking the lock means the last
    holder died mid-change, which is said (the library itself is the old or the
    new version, thanks to the atomic rename).
    """
    if timeout is None:
        timeout = env_number("REFCLI_LOCK_TIMEOUT", LOCK_TIMEOUT)
    lock_file = _lock_path(path)
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise LibraryError(f"cannot create lock file ({exc.strerror})", str(lock_file)) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise LibraryError(
                        f"library is locked by another refcli process (pid {holder}) for more than"
                        f" {timeout:g} s (REFCLI_LOCK_TIMEOUT)", str(path)
                    ) from None
                time.sleep(0.02)
        previous = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if previous:
            import sys

            print(f"refcli: recovered the lock of a refcli process that stopped mid-change (pid {previous});"
                  " the library is intact", file=sys.stderr)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # an error is not a crash: only a killed process leaves its pid
    finally:
        os.close(fd)  # closing releases the flock


# ------------------------------------------------------------------ atomic writes and backups


def backup_dir(path: Path) -> Path:
    """Backups live beside the library in a hidden folder, on the same file system,
    so keeping the previous version is a hard link rather than a copy."""
    return path.with_name(f".{path.name}.backups")


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes | list[bytes | memoryview]) -> None:
    """Write *data* (bytes, or pieces of it) to *path* so that readers see the old or
    the new file, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            for piece in [data] if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror
        raise LibraryError(f"cannot write library ({reason}); it was left unchanged", str(path)) from None
    except BaseException:
        # Ctrl-C between write and rename: drop the partial file, keep the old library.
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _journal(path: Path) -> Path:
    return backup_dir(path) / "journal.jsonl"


def _keep_backup(path: Path, message: str) -> None:
    """Keep the current file as the newest backup and record what is about to change."""
    import orjson

    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{time.time_ns() % 10**9:09d}.json"
    target = folder / name
    try:
        os.link(path, target)
    except FileNotFoundError:
        target.write_bytes(dumps([]))  # the first change: undo returns to an empty library
    except OSError:
        target.write_bytes(path.read_bytes())
    with open(_journal(path), "ab") as fh:
        fh.write(orjson.dumps({"backup": name, "time": now_iso(), "change": message}) + b"\n")
    backups = sorted(folder.glob("[0-9]*.json"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def history(path: Path) -> list[dict[str, str]]:
    """Journal entries whose backup still exists, oldest first."""
    import orjson

    try:
        lines = _journal(path).read_bytes().splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        with contextlib.suppress(orjson.JSONDecodeError):
            entry = orjson.loads(line)
            if (backup_dir(path) / entry["backup"]).exists():
                entries.append(entry)
    return entries


def _on_saved(lib: Library) -> None:
    """Bring the derived search index up to date while the lock is still held."""
    with contextlib.suppress(Exception):
        from refcli import index

        if lib.lazy:
            index.apply_changes(lib.path, *lib.changes(), conn=lib._index.conn)
        else:
            index.after_save(lib.path, lib.raw, lib.items)


@contextlib.contextmanager
def transaction(path: Path | None = None, message: str = "change") -> Iterator[Library]:
    """Lock, load, let the caller change the library, then save it atomically.

    Nothing is written when the body raises, or when it changed nothing.
    """
    path = path or default_path()
    # With a large library in memory each full GC pass walks millions of objects:
    # adding a 100k .bib spent seconds in them.
    with paused_gc(), locked(path):
        lib = _open_lazy(path)
        try:
            yield lib
            pieces = lib.pieces()
            if pieces is not None:
                _keep_backup(path, message)
                atomic_write(path, pieces)
                if not lib.lazy:
                    lib.raw = b"".join(pieces)
                _on_saved(lib)
        finally:
            if lib.lazy:
                lib._index.close()


def undo(path: Path) -> str:
    """Restore the library as it was before the last change; returns what was undone.

    The state being replaced is kept as a backup file too (outside the undo
    history), so even an undo loses nothing.
    """
    with locked(path):
        entries = history(path)
        if not entries:
            raise LibraryError("nothing to undo", str(path))
        last = entries[-1]
        backup = backup_dir(path) / last["backup"]
        data = backup.read_bytes()
        if not (is_line_layout(data) and _first_line_ok(data, backup)):
            parse(data, backup)  # names the problem if the backup is damaged
        if path.exists():
            keep = backup_dir(path) / f"undone-{last['backup']}"
            with contextlib.suppress(OSError):
                os.link(path, keep)
        atomic_write(path, data)
        backup.unlink()
        _on_saved(Library(path, [], data))
        return last["change"]
