"""The library file's format: one CSL-JSON array, one item per line, key first.

Every reader of the library file (the store, the index, export, the git merge
driver, doctor) goes through here: serialising items to lines, splitting a file
back into its item lines, telling refcli's own layout from a file another tool
laid out, parsing with errors that name the file and line, and refusing items
written by a newer refcli. Nothing here locks or writes; that is ``store``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from refcli.errors import LibraryError
from refcli.gcpause import paused_gc
from refcli.vocabulary import Item

SCHEMA = 1

# refcli's links between works, in an item's ``custom``: lists of keys, and lists
# of {"key": …, …} objects.
KEY_LISTS = ("cites", "distinct")
KEY_ENTRIES = ("related", "possible-duplicates")


def links(item: Item) -> list[tuple[str, str]]:
    """(field, key) of every link from *item* to another work."""
    custom = item.get("custom")
    if not isinstance(custom, dict):
        return []
    found = [(field, str(v)) for field in KEY_LISTS if isinstance(custom.get(field), list)
             for v in custom[field] if isinstance(v, str)]
    return found + [(field, str(e["key"])) for field in KEY_ENTRIES if isinstance(custom.get(field), list)
                    for e in custom[field] if isinstance(e, dict) and isinstance(e.get("key"), str)]


def _error_line(data: bytes, exc: Any) -> int:
    """The 1-based line of a JSON error in *data*: orjson counts characters, not bytes,
    and reports text that is not UTF-8 at offset 0."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return data[: bad.start].count(b"\n") + 1
    return int(exc.lineno)


def _loads(data: bytes, where: str) -> list[Item]:
    import orjson

    try:
        with paused_gc():
            items = orjson.loads(data) if data.strip() else []
    except orjson.JSONDecodeError as exc:
        line = _error_line(data, exc)
        raise LibraryError(f"library is not valid JSON ({exc.msg}); 'refcli doctor --fix' restores"
                           " damaged items from the backups", f"{where}:{line}") from None
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
    _check_schema(items, path, is_line_layout(data))
    return items


def newer_format(item: Item) -> str | None:
    """Why this refcli must not read or rewrite *item* (written by a newer refcli), or None."""
    custom = item.get("custom")
    schema = custom.get("schema") if isinstance(custom, dict) else None
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA:
        return (f"was written by a newer refcli (format {schema}, this one reads {SCHEMA});"
                " upgrade refcli")
    return None


def line_problem(line: bytes) -> str | None:
    """Why one item line of the library cannot be read, or None when it is a readable item."""
    import orjson

    try:
        item = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return f"is damaged ({exc.msg}); 'refcli doctor --fix' restores it from a backup"
    if not isinstance(item, dict):
        return "is not a CSL-JSON item; 'refcli doctor --fix' restores it from a backup"
    return newer_format(item)


def unreadable(path: Path, line: int, problem: str) -> LibraryError:
    """The error for an item line this refcli cannot read: nothing is read past or written over it."""
    return LibraryError(f"the work on line {line} {problem}", f"{path}:{line}")


def _check_schema(items: list[Item], path: Path, line_layout: bool = False) -> None:
    """Every item, not only the first and last: one newer item in the middle is rewritten
    wrongly as surely as any other."""
    for n, item in enumerate(items):
        problem = newer_format(item)
        if problem is not None:
            if line_layout:
                raise unreadable(path, n + 2, problem)
            raise LibraryError(f"work {n + 1} ({item.get('id')}) {problem}", str(path))


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


LINE_START = re.compile(rb'\n\{"id":("(?:[^"\\\n]|\\.)*")')


def first_line_ok(raw: bytes, path: Path) -> bool:
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
