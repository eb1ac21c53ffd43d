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
import gc
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcli.errors import LibraryError

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

    # The cyclic GC adds 1+ s on a 100k-item parse and finds nothing to collect:
    # JSON values cannot form cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError as exc:
        line = data[: exc.pos].count(b"\n") + 1 if exc.pos is not None else None
        raise LibraryError(f"library is not valid JSON ({exc.msg})", f"{where}:{line}") from None
    finally:
        if was_enabled:
            gc.enable()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LibraryError("library is not a CSL-JSON array of items", where)
    return items


def dumps(items: list[Item]) -> bytes:
    """One item per line: readable, and git merges two people's additions cleanly."""
    import orjson

    if not items:
        return b"[]\n"
    return b"[\n" + b",\n".join(orjson.dumps(i) for i in items) + b"\n]\n"


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


@dataclass
class Library:
    """Items in file order, with the look-ups every command needs."""

    path: Path
    items: list[Item] = field(default_factory=list)
    raw: bytes = b""  # the bytes it was loaded from: a save that would write them again is skipped

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        from refcli.identifiers import normalize_doi

        self.by_id: dict[str, Item] = {}
        self.by_doi: dict[str, str] = {}
        self.by_alias: dict[str, str] = {}
        for item in self.items:
            self.by_id[str(item.get("id"))] = item
            for alias in (item.get("custom") or {}).get("aliases") or ():
                self.by_alias.setdefault(alias, str(item.get("id")))
            doi = normalize_doi(item.get("DOI"))
            if doi:
                self.by_doi.setdefault(doi, str(item["id"]))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

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
        return item

    def append(self, item: Item) -> None:
        from refcli.identifiers import normalize_doi

        self.items.append(item)
        self.by_id[item["id"]] = item
        doi = normalize_doi(item.get("DOI"))
        if doi:
            self.by_doi.setdefault(doi, item["id"])

    def remove(self, key: str) -> Item:
        item = self.by_id.pop(key)
        self.items.remove(item)
        for doi, owner in list(self.by_doi.items()):
            if owner == key:
                del self.by_doi[doi]
        return item


def load(path: Path) -> Library:
    """Read-only load: no lock needed, since writers replace the file atomically."""
    raw = read_bytes(path)
    return Library(path, parse(raw, path), raw)


# ------------------------------------------------------------------ locking


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the library's write lock (``flock`` on a lock file beside it).

    The kernel drops an ``flock`` when its process dies, so a crashed refcli can
    never leave the library locked; the pid written in the file only serves the
    message when another live process holds it.
    """
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
                        f"library is locked by another refcli process (pid {holder})", str(path)
                    ) from None
                time.sleep(0.02)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
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


def atomic_write(path: Path, data: bytes) -> None:
    """Write *data* to *path* so that readers see the old or the new file, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
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
    """Hook for derived data (the search index) to follow the library."""
    with contextlib.suppress(Exception):
        from refcli import index

        index.after_save(lib)


@contextlib.contextmanager
def transaction(path: Path | None = None, message: str = "change") -> Iterator[Library]:
    """Lock, load, let the caller change the library, then save it atomically.

    Nothing is written when the body raises, or when it changed nothing.
    """
    path = path or default_path()
    with locked(path):
        lib = load(path)
        yield lib
        after = dumps(lib.items)
        if after != lib.raw and not (not lib.items and not lib.raw):
            _keep_backup(path, message)
            atomic_write(path, after)
            lib.raw = after
            _on_saved(lib)


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
        parse(data, backup)
        if path.exists():
            keep = backup_dir(path) / f"undone-{last['backup']}"
            with contextlib.suppress(OSError):
                os.link(path, keep)
        atomic_write(path, data)
        backup.unlink()
        _on_saved(load(path))
        return last["change"]
