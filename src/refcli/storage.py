"""How the library's items are held while a command runs: two storage modes, one protocol.

``WholeFile`` parses every item. ``IndexedFile`` keeps the file's bytes, asks the
derived index (``refcli.index``) which keys and DOIs exist, and parses only the
lines a command touches, each found by its ``{"id":`` prefix (every line refcli
writes starts with its key); lines it never touched are written back byte for
byte. ``open_storage`` is the one place that chooses. ``refcli.library.Library``
is the facade over either: commands never see which one they got.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from refcli.errors import LibraryError
from refcli.libfile import LINE_START, dump_item, dumps, first_line_ok, is_line_layout, parse
from refcli.vocabulary import Item

if TYPE_CHECKING:
    from refcli.index import Index

Pieces = list[bytes | memoryview]
Candidate = tuple[str, str | None, str, bool]  # key, normalised DOI, folded title, has a year


class Stale(Exception):
    """The file is not as the index said: the caller parses everything instead."""


class Storage(Protocol):
    """The items of one library file, as a command reads and changes them."""

    path: Path
    raw: bytes  # the bytes it was loaded from: writing the same bytes again is skipped

    @property
    def lazy(self) -> bool:
        """Whether items are parsed only when touched (else all of them are in ``parsed``)."""
        ...

    def parsed(self) -> list[Item]:
        """The items in memory now: every item of a whole file, the touched and added ones otherwise."""
        ...

    def whole(self) -> WholeFile:
        """This storage with every item parsed (itself when it already is)."""
        ...

    def count(self) -> int: ...

    def keys(self) -> list[str]:
        """Every key, in no particular order."""
        ...

    def find(self, key_or_doi: str) -> Item | None:
        """A stored item not yet in memory, by key, alias or DOI (raises ``Stale``)."""
        ...

    def taken(self, key: str) -> bool:
        """Whether a stored item not yet in memory has *key* as its key or alias."""
        ...

    def candidates(self, first_family: str, year: str) -> list[Candidate]:
        """Stored items with this first-author key and year (or none), from the index."""
        ...

    def titled(self, folded_title: str) -> list[str]:
        """Keys of stored items with this folded title, from the index."""
        ...

    def citing(self, key: str) -> list[Item]:
        """Items that may cite *key* (a superset; raises ``Stale``)."""
        ...

    def mentioning(self, key: str) -> list[Item]:
        """Items that may link to *key* (``libfile.links``; a superset; raises ``Stale``)."""
        ...

    def append(self, item: Item) -> None: ...

    def remove(self, item: Item) -> None: ...

    def pieces(self) -> Pieces | None:
        """The new file as pieces to write, or None when nothing changed."""
        ...

    def changes(self) -> tuple[list[Item], list[str]]:
        """(items changed or added, keys removed) by the last ``pieces``."""
        ...

    def saved(self, pieces: Pieces) -> None:
        """The file now holds *pieces*: bring the derived index up to date."""
        ...

    def close(self) -> None: ...


class WholeFile:
    """Every item parsed, in file order; written back whole."""

    lazy = False

    def __init__(self, path: Path, items: list[Item], raw: bytes = b"") -> None:
        self.path = path
        self.items = items
        self.raw = raw

    def parsed(self) -> list[Item]:
        return self.items

    def whole(self) -> WholeFile:
        return self

    def count(self) -> int:
        return len(self.items)

    def keys(self) -> list[str]:
        return [str(i.get("id")) for i in self.items]

    def find(self, key_or_doi: str) -> Item | None:
        return None  # every item is in memory: the facade's look-ups answered already

    def taken(self, key: str) -> bool:
        return False

    def candidates(self, first_family: str, year: str) -> list[Candidate]:
        return []  # the Matcher indexes every item itself

    def titled(self, folded_title: str) -> list[str]:
        return []

    def citing(self, key: str) -> list[Item]:
        return self.items

    def mentioning(self, key: str) -> list[Item]:
        return self.items

    def append(self, item: Item) -> None:
        self.items.append(item)

    def remove(self, item: Item) -> None:
        self.items.remove(item)

    def pieces(self) -> Pieces | None:
        data = dumps(self.items)
        return None if data == self.raw or (data == b"[]\n" and not self.raw) else [data]

    def changes(self) -> tuple[list[Item], list[str]]:
        return self.items, []  # a whole file is written, and indexed, whole

    def saved(self, pieces: Pieces) -> None:
        self.raw = b"".join(pieces)
        with contextlib.suppress(Exception):  # the index is derived: it is rebuilt when next used
            from refcli import index

            index.after_save(self.path, self.raw, self.items)

    def close(self) -> None:
        pass


# A few look-ups search the file; past them one pass maps every key to its line.
_SCANS_BEFORE_MAP = 3


class IndexedFile:
    """The file's bytes and its index; only the lines touched are parsed and rewritten."""

    lazy = True

    def __init__(self, path: Path, raw: bytes, index: Index) -> None:
        self.path = path
        self.raw = raw
        self.index = index
        self._touched: dict[str, tuple[int, int, Item]] = {}  # key -> (start, end, item)
        self._starts: dict[bytes, int] | None = None  # JSON-quoted key -> offset of its line
        self._rewritten: dict[str, bytes] = {}  # key -> new line, as of the last ``pieces()``
        self._scans = 0
        self._removed: set[str] = set()
        self._appended: list[Item] = []

    def parsed(self) -> list[Item]:
        return [i for k, (_, _, i) in self._touched.items() if k not in self._removed] + self._appended

    def whole(self) -> WholeFile:
        touched = {key: item for key, (_, _, item) in self._touched.items()}
        items = [touched.get(str(i.get("id")), i) for i in parse(self.raw, self.path)
                 if str(i.get("id")) not in self._removed]
        self.close()
        return WholeFile(self.path, items + self._appended, self.raw)

    def count(self) -> int:
        return self.index.count() - len(self._removed) + len(self._appended)

    def keys(self) -> list[str]:
        return [k for k in [*self.index.keys(), *(str(i.get("id")) for i in self._appended)]
                if k not in self._removed]

    def find(self, key_or_doi: str) -> Item | None:
        key = self.index.locate(key_or_doi)
        return self._line(key) if key else None

    def taken(self, key: str) -> bool:
        return self.index.locate(key, by_doi=False) not in (None, *self._removed)

    def candidates(self, first_family: str, year: str) -> list[Candidate]:
        from refcli.dedupe import doi_of, fold
        from refcli.keys import year_of

        found: list[Candidate] = []
        for key, doi, title, dated in self.index.by_family(first_family, year):
            if key in self._removed:
                continue
            if key in self._touched:  # changed in this run: as it is now
                item = self._touched[key][2]
                doi, title, dated = doi_of(item) or "", fold(item.get("title") or ""), bool(year_of(item))
            found.append((key, doi or None, title, dated))
        return found

    def titled(self, folded_title: str) -> list[str]:
        return [k for k in self.index.by_title(folded_title) if k not in self._removed]

    def citing(self, key: str) -> list[Item]:
        return self._and_parsed(self.index.citing_keys(key))

    def mentioning(self, key: str) -> list[Item]:
        return self._and_parsed(self.index.linking_keys(key))

    def _and_parsed(self, keys: list[str]) -> list[Item]:
        """The stored items *keys* name (as the file was), and the items in memory (as they are now)."""
        found: dict[int, Item] = {id(i): i for i in self.parsed()}
        for key in keys:
            item = self._line(key)
            if item is not None:
                found.setdefault(id(item), item)
        return list(found.values())

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
                raise Stale()
            end = self.raw.find(b"\n", start)
            end = end - 1 if self.raw[end - 1 : end] == b"," else end
            try:
                item = orjson.loads(self.raw[start:end])
            except orjson.JSONDecodeError:
                raise Stale() from None
            self._touched[key] = (start, end, item)
        return self._touched[key][2]

    def _line_start(self, quoted: bytes) -> int:
        """Offset of the line that starts with ``{"id":<quoted>``, or -1.

        The first few look-ups search the file; from then on one pass maps every
        key to its line, since a command that looks up several works (an import
        checks each reference against the stored works of the same author and
        year) would otherwise scan it each time.
        """
        if self._starts is None and self._scans < _SCANS_BEFORE_MAP:
            self._scans += 1
            start = self.raw.find(b'\n{"id":' + quoted)
            return start + 1 if start >= 0 else -1
        if self._starts is None:
            self._starts = {m.group(1): m.start() + 1 for m in LINE_START.finditer(self.raw)}
        return self._starts.get(quoted, -1)

    def append(self, item: Item) -> None:
        self._appended.append(item)

    def remove(self, item: Item) -> None:
        if any(i is item for i in self._appended):
            self._appended = [i for i in self._appended if i is not item]
        else:
            self._removed.add(str(item["id"]))

    def pieces(self) -> Pieces | None:
        """Untouched stretches of the old file are views into it, not copies: at
        100,000 items each copy of the library would cost a noticeable fraction of a second."""
        raw = memoryview(self.raw)
        # Most touched items were only read (e.g. compared as possible duplicates).
        self._rewritten = {key: line for key, (start, end, item) in self._touched.items()
                           if key not in self._removed and (line := dump_item(item)) != raw[start:end]}
        if not self._removed and not self._appended and not self._rewritten:
            return None
        pieces: Pieces = []
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
        remaining = self.count() - len(self._appended)
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

    def saved(self, pieces: Pieces) -> None:
        with contextlib.suppress(Exception):  # the index is derived: it is rebuilt when next used
            from refcli import index

            index.apply_changes(self.path, *self.changes(), conn=self.index.conn)

    def close(self) -> None:
        self.index.close()


def _drop_trailing_separator(pieces: Pieces) -> None:
    """Remove the ``,\n`` that ends the last non-empty piece."""
    for i in range(len(pieces) - 1, -1, -1):
        if len(pieces[i]):
            if bytes(pieces[i][-2:]) == b",\n":
                pieces[i] = pieces[i][:-2]
            return


def open_storage(path: Path, raw: bytes, lazy: bool = True) -> Storage:
    """The one place the storage mode is chosen: through the index when *lazy* and the
    file is in refcli's one-item-per-line layout and its index can be had, else whole."""
    if lazy and is_line_layout(raw) and first_line_ok(raw, path):
        try:
            from refcli import index

            return IndexedFile(path, raw, index.synced(path, raw))
        except LibraryError:
            raise  # a damaged or newer line: never read (nor written back) as a smaller library
        except Exception:  # noqa: BLE001 - the index is an optimisation, never a requirement
            pass
    return WholeFile(path, parse(raw, path), raw)

