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
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from refcli import settings
from refcli.errors import LibraryError
from refcli.gcpause import paused_gc
from refcli.libfile import (  # noqa: F401 - the file format's names that callers read here
    LINE_START,
    SCHEMA,
    dump_item,
    dumps,
    first_line_ok,
    is_line_layout,
    item_lines,
    join_lines,
    line_problem,
    newer_format,
    parse,
    read_bytes,
    split_lines,
    unreadable,
)
from refcli.vocabulary import Item

BACKUPS_KEPT = 20


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ------------------------------------------------------------------ the in-memory library


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
        self._index: Any = index if items is None else None  # an index.Index when lazy
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
        but never look one up, and building them costs a pass over every item.
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

        The first few look-ups search the file; from then on one pass maps every key
        to its line, since a command that
        looks up several works (an import checks each reference against the
        stored works of the same author and year) would otherwise scan it each time.
        """
        if self._starts is None and self._scans < _SCANS_BEFORE_MAP:
            self._scans += 1
            start = self.raw.find(b'\n{"id":' + quoted)
            return start + 1 if start >= 0 else -1
        if self._starts is None:
            self._starts = {m.group(1): m.start() + 1 for m in LINE_START.finditer(self.raw)}
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
                    if start - 2 >= cursor:
                        start -= 2
                    else:
                        # The lines before this last one were removed too, each with the
                        # separator after it: the separator to drop is the one after the
                        # last line kept, at the end of what is already written.
                        _drop_trailing_separator(pieces)
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


def _open_lazy(path: Path) -> Library:
    """A library that parses only what it touches, when the index can guide it."""
    raw = read_bytes(path)
    if is_line_layout(raw) and first_line_ok(raw, path):
        try:
            from refcli import index

            return Library(path, raw=raw, index=index.synced(path, raw))
        except LibraryError:
            raise  # a damaged or newer line: never read (nor written back) as a smaller library
        except Exception:  # noqa: BLE001 - the index is an optimisation, never a requirement
            pass
    return Library(path, parse(raw, path), raw)


# ------------------------------------------------------------------ locking


def real_path(path: Path) -> Path:
    """The file a library path names. A library reached through a symlink (one kept in a
    synced folder) is written through to its target: the temporary file, the rename,
    the lock and the backups all live beside the real file, and the link stays a link."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _lock_path(path: Path) -> Path:
    path = real_path(path)
    return path.with_name(f".{path.name}.lock")


_PID = re.compile(rb"\s*(\d{1,9})\s*\Z")


def _holder(fd: int) -> int | None:
    """The pid a lock file names, or None when it names none (empty, garbage, unreadable)."""
    try:
        found = _PID.match(os.pread(fd, 64, 0))
    except OSError:
        return None
    return int(found.group(1)) if found else None


def _open_lock(lock_file: Path) -> int:
    """The lock file, opened without following a symlink and without truncating it,
    and refused unless it is a regular file with no other name (a hard link to
    another file would have that file's content replaced by a pid)."""
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LibraryError("the lock file is a symbolic link; refusing to follow it (remove the link)",
                               str(lock_file)) from None
        raise LibraryError(f"cannot create lock file ({exc.strerror})", str(lock_file)) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = "is not a regular file" if not stat.S_ISREG(st.st_mode) else "has another name (a hard link)"
        raise LibraryError(f"the lock file {what}; refusing to use it (remove it)", str(lock_file))
    return fd


def _is_lock(fd: int, lock_file: Path) -> bool:
    """Whether *fd* is still the file at the lock path (not deleted, not replaced)."""
    try:
        there = os.stat(lock_file, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


class Lock:
    """The held write lock; ``check`` before writing proves it is still the lock."""

    def __init__(self, fd: int, lock_file: Path) -> None:
        self.fd = fd
        self.file = lock_file

    def check(self) -> None:
        if not _is_lock(self.fd, self.file):
            raise LibraryError("the lock file was removed or replaced while this change was being made,"
                               " so another refcli may be writing; nothing was written (run the command again)",
                               str(self.file))


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[Lock]:
    """Hold the library's write lock (``flock`` on a lock file beside it).

    The kernel drops an ``flock`` when its process dies, so a crashed refcli can
    never leave the library locked. The holder writes its pid into the file and
    clears it on release: a pid found there on taking the lock means the last
    holder died mid-change, which is said (the library itself is the old or the
    new version, thanks to the atomic rename). A lock taken on a file that was
    meanwhile deleted or replaced is no lock at all: it is dropped and taken again
    on the file now at the path.
    """
    if timeout is None:
        timeout = settings.lock_timeout()
    lock_file = _lock_path(path)
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create lock file ({exc.strerror})", str(lock_file)) from None
    deadline = time.monotonic() + timeout
    while True:
        fd = _open_lock(lock_file)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        holder = _holder(fd)
                        raise LibraryError(
                            f"library is locked by another refcli process (pid {holder or 'unknown'}) for"
                            f" more than {timeout:g} s (REFCLI_LOCK_TIMEOUT)", str(path)
                        ) from None
                    time.sleep(0.02)
        except BaseException:
            os.close(fd)
            raise
        if _is_lock(fd, lock_file):
            break
        os.close(fd)  # deleted or replaced while we waited: the lock is the file there now
    try:
        previous = _holder(fd)
        if previous is not None:
            import sys

            print(f"refcli: recovered the lock of a refcli process that stopped mid-change (pid {previous});"
                  " the library is intact", file=sys.stderr)
        with contextlib.suppress(OSError):  # the pid is a courtesy: a full disk must not stop the change
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield Lock(fd, lock_file)
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # an error is not a crash: only a killed process leaves its pid
    finally:
        os.close(fd)  # closing releases the flock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_trailing_separator(pieces: list[bytes | memoryview]) -> None:
    """Remove the ``,\n`` that ends the last non-empty piece."""
    for i in range(len(pieces) - 1, -1, -1):
        if len(pieces[i]):
            if bytes(pieces[i][-2:]) == b",\n":
                pieces[i] = pieces[i][:-2]
            return


def remove_dead_temp_files(folder: Path, pattern: str, pid_of: re.Pattern[str]) -> list[Path]:
    """Delete the temporary files in *folder* matching *pattern* whose writer (the pid
    *pid_of* finds in the name) is dead: what a killed refcli left behind. A live
    writer's file, or one whose pid is unknown, is left alone. Returns what went."""
    gone = []
    with contextlib.suppress(OSError):
        for tmp in folder.glob(pattern):
            found = pid_of.search(tmp.name)
            if found and int(found.group(1)) != os.getpid() and not _alive(int(found.group(1))):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    gone.append(tmp)
    return gone


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _remove_dead_library_temps(path: Path) -> None:
    import glob

    remove_dead_temp_files(path.parent, f".{glob.escape(path.name)}.*.tmp", re.compile(r"\.(\d+)\.tmp\Z"))


# ------------------------------------------------------------------ atomic writes and backups


def backup_dir(path: Path) -> Path:
    """Backups live beside the library in a hidden folder, on the same file system,
    so keeping the previous version is a hard link rather than a copy."""
    path = real_path(path)
    return path.with_name(f".{path.name}.backups")


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_error(path: Path, exc: OSError) -> LibraryError:
    reason = "disk full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
    return LibraryError(f"cannot write library ({reason}); it was left unchanged", str(path))


def atomic_write(path: Path, data: bytes | list[bytes | memoryview]) -> None:
    """Write *data* (bytes, or pieces of it) to *path* so that readers see the old or
    the new file, never a mix. A symlink at *path* is written through (``real_path``)."""
    path = real_path(path)
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
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
        raise _write_error(path, exc) from None
    except BaseException:
        # Ctrl-C between write and rename: drop the partial file, keep the old library.
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _journal(path: Path) -> Path:
    return backup_dir(path) / "journal.jsonl"


def _file_state(path: Path) -> str | None:
    """The identity of the library file as refcli left it (inode, size, mtime): a hand
    edit, a ``git pull`` or a restore from elsewhere changes it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _append_journal(path: Path, entry: dict[str, Any]) -> None:
    import orjson

    with open(_journal(path), "ab") as fh:
        fh.write(orjson.dumps(entry) + b"\n")


def _commit(path: Path, data: bytes | list[bytes | memoryview], message: str, lock: Lock) -> None:
    """The one way a change reaches the library: keep the current file as the newest
    backup, note the change in the journal, write the new file, then note the file
    it left. A write that fails takes its backup and journal line back with it, so
    ``undo`` only ever undoes what refcli really wrote."""
    lock.check()
    folder = backup_dir(path)
    journal = _journal(path)
    name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{time.time_ns() % 10**9:09d}.json"
    target = folder / name
    start = 0
    try:
        folder.mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            start = journal.stat().st_size
        try:
            os.link(path, target)
        except FileNotFoundError:
            target.write_bytes(dumps([]))  # the first change: undo returns to an empty library
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise
            target.write_bytes(path.read_bytes())
        _append_journal(path, {"backup": name, "time": now_iso(), "change": message})
    except OSError as exc:
        _take_back(journal, start, target)
        raise _write_error(path, exc) from None
    unchanged = _file_state(path)
    try:
        atomic_write(path, data)
    except BaseException:
        if _file_state(path) == unchanged:
            _take_back(journal, start, target)
        else:  # interrupted after the rename: the change is made, and undo must know it
            with contextlib.suppress(OSError):
                _append_journal(path, {"done": name, "after": _file_state(path)})
        raise
    with contextlib.suppress(OSError):
        _append_journal(path, {"done": name, "after": _file_state(path)})
    with contextlib.suppress(OSError):
        for old in sorted(folder.glob("[0-9]*.json"))[:-BACKUPS_KEPT]:
            old.unlink(missing_ok=True)


def _take_back(journal: Path, size: int, backup: Path) -> None:
    """Undo a change's bookkeeping: cutting a file shorter never needs free space."""
    with contextlib.suppress(OSError):
        if journal.exists() and journal.stat().st_size > size:
            os.truncate(journal, size)
    with contextlib.suppress(OSError):
        backup.unlink()


def _read_journal(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """(entries whose backup still exists, oldest first; the library's identity as the
    last change refcli finished left it, or None when none did)."""
    import orjson

    try:
        lines = _journal(path).read_bytes().splitlines()
    except FileNotFoundError:
        return [], None
    entries: dict[str, dict[str, Any]] = {}
    state = None
    for line in lines:
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("backup"), str):
            entries[entry["backup"]] = entry
        elif isinstance(entry.get("done"), str) or isinstance(entry.get("undone"), str):
            state = entry.get("after")
            if entry.get("done") in entries:
                entries[entry["done"]]["after"] = state
    folder = backup_dir(path)
    return [e for e in entries.values() if (folder / Path(e["backup"]).name).exists()], state


def history(path: Path) -> list[dict[str, str]]:
    """Journal entries whose backup still exists, oldest first."""
    return _read_journal(path)[0]


def _on_saved(lib: Library) -> None:
    """Bring the derived search index up to date, then run the after-save hooks
    (``refcli.hooks``), while the lock is still held."""
    with contextlib.suppress(Exception):
        from refcli import index

        if lib.lazy:
            index.apply_changes(lib.path, *lib.changes(), conn=lib._index.conn)
        else:
            index.after_save(lib.path, lib.raw, lib.items)
    from refcli import hooks  # e.g. files registered with `refcli sync add` follow every change

    for hook in hooks.AFTER_SAVE:
        hook(lib.path)


@contextlib.contextmanager
def transaction(path: Path | None = None, message: str = "change") -> Iterator[Library]:
    """Lock, load, let the caller change the library, then save it atomically.

    Nothing is written when the body raises, or when it changed nothing.
    """
    path = real_path(path or settings.library_path())
    # With a large library in memory each full GC pass walks millions of objects:
    # adding a 100k .bib spent seconds in them.
    with paused_gc(), locked(path) as lock:
        _remove_dead_library_temps(path)
        lib = _open_lazy(path)
        try:
            yield lib
            pieces = lib.pieces()
            if pieces is not None:
                _commit(path, pieces, message, lock)
                if not lib.lazy:
                    lib.raw = b"".join(pieces)
                _on_saved(lib)
        finally:
            if lib.lazy:
                lib._index.close()


def rewrite(path: Path, message: str, change: Any) -> Any:
    """Like ``transaction`` for a change made to the file's bytes (``doctor`` repairing
    lines no reader can parse): *change(raw)* returns (new bytes or None, result)."""
    path = real_path(path)
    with paused_gc(), locked(path) as lock:
        _remove_dead_library_temps(path)
        raw = read_bytes(path)
        data, result = change(raw)
        if data is not None and data != raw:
            _commit(path, data, message, lock)
            _on_saved(Library(path, [], data))
        return result


def _never_written(path: Path, backup: Path) -> bool:
    """Whether the change a journal entry announced never reached the file (killed or
    failed between its journal line and its rename): the file is still its backup."""
    try:
        return os.path.samefile(path, backup) or path.read_bytes() == backup.read_bytes()
    except OSError:
        return False


def undo(path: Path, force: bool = False) -> str:
    """Restore the library as it was before the last change; returns what was undone.

    Only refcli's own changes are undone: when the file is not as refcli's last change
    left it (a hand edit, a ``git pull``), restoring the backup would silently drop
    that outside change too, so it is refused unless *force*. The state being replaced
    is kept as a backup file too (outside the undo history), so even an undo loses nothing.
    """
    path = real_path(path)
    with locked(path) as lock:
        entries, expected = _read_journal(path)
        while entries and "after" not in entries[-1] and _never_written(path, backup_dir(path) / entries[-1]["backup"]):
            (backup_dir(path) / entries.pop()["backup"]).unlink(missing_ok=True)
        if not entries:
            raise LibraryError("nothing to undo", str(path))
        last = entries[-1]
        if not force and expected is not None and _file_state(path) != expected:
            raise LibraryError(
                f"the library was changed outside refcli since its last change ({last['change'][:80]});"
                " undoing would discard that outside change too. It is kept; run 'refcli undo --force'"
                " to undo anyway (the current file is kept as a backup)", str(path))
        backup = backup_dir(path) / last["backup"]
        data = backup.read_bytes()
        if not (is_line_layout(data) and first_line_ok(data, backup)):
            parse(data, backup)  # names the problem if the backup is damaged
        lock.check()
        if path.exists():
            keep = backup_dir(path) / f"undone-{last['backup']}"
            with contextlib.suppress(OSError):
                os.link(path, keep)
        atomic_write(path, data)
        backup.unlink()
        with contextlib.suppress(OSError):
            _append_journal(path, {"undone": last["backup"], "after": _file_state(path)})
        _on_saved(Library(path, [], data))
        return str(last["change"])
