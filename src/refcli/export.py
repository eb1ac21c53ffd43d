"""Exporting the whole library, with each entry's text cached on disk.

Writing 100,000 BibTeX entries costs seconds (LaTeX escaping, name formatting),
yet between two exports of a library few entries change. An entry's text
depends only on its item, that is on its line in the library file, so it is
cached under a hash of that line (per library, format and refcli version): an
unchanged entry is neither parsed nor formatted again. ``refcli cite`` caches
its results the same way (``refcli.cite``). CSL-JSON needs no cache: orjson
writes it faster than a cache could be read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from refcli.gcpause import paused_gc


class _Writer(NamedTuple):
    """A format written entry by entry: one item -> its entry (a tuple of *arity*
    strings, all that the cache holds), entries -> the file's text."""

    entry: Callable[[dict], tuple[str, ...]]
    join: Callable[[list], str]
    arity: int


def _entry_writer(fmt: str, unicode: bool = False) -> _Writer | None:
    if fmt in ("bibtex", "biblatex"):
        from refcli.formats.bibtex import bibtex_entry, join_entries

        biblatex = fmt == "biblatex"
        return _Writer(lambda item: bibtex_entry(item, biblatex, unicode), join_entries, 5)
    if fmt == "ris":
        from refcli.formats.ris import ris_record

        return _Writer(lambda item: (ris_record(item),), lambda entries: "\n".join(e[0] for e in entries), 1)
    return None


def crossref_parent_keys(item: dict) -> list[str]:
    """The keys an item's BibTeX ``crossref``/``xref`` fields name (its parents)."""
    custom = item.get("custom")
    bib = custom.get("bibtex") if isinstance(custom, dict) else None
    fields = bib.get("fields") if isinstance(bib, dict) else None
    if not isinstance(fields, dict):
        return []
    keys = [str(fields[name]).strip("{} ") for name in ("crossref", "xref") if fields.get(name)]
    return [k for value in keys for k in value.split(",") if k.strip()]


def with_crossref_parents(items: list[dict], get: Callable[[str], dict | None]) -> list[dict]:
    """*items* plus the crossref/xref parents they name that are not among them (found
    with *get*, by key), so an exported selection never holds a dangling crossref."""
    have = {str(i.get("id")) for i in items}
    out = list(items)
    todo = [k for i in items for k in crossref_parent_keys(i)]
    while todo:
        key = todo.pop()
        if key in have:
            continue
        have.add(key)
        parent = get(key)  # by key or by a former key (alias)
        if parent is None:
            continue
        parent_id = str(parent.get("id"))
        if parent_id != key and parent_id in have:
            continue  # named by a former key of a work already exported
        have.add(parent_id)
        out.append(parent)
        todo.extend(crossref_parent_keys(parent))
    return out


def _cache_file(path: Path, fmt: str) -> Path:
    from refcli import settings

    where = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:16]
    return settings.cache_dir() / "export" / f"{fmt}-{where}.json"


def _read_cache(file: Path, arity: int) -> dict[str, list[str]]:
    """The cached entries (lists of *arity* strings: JSON has no tuples), or none at all
    when the file is missing, from another version or not in that shape."""
    import orjson

    from refcli import __version__

    try:
        data = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("version") == __version__ else None
    if not isinstance(entries, dict) or not all(
            type(e) is list and len(e) == arity and all(type(s) is str for s in e) for e in entries.values()):
        return {}
    return entries


def _write_cache(file: Path, entries: dict[str, Any]) -> None:
    import orjson

    from refcli import __version__, settings

    settings.write_cache(file, orjson.dumps({"version": __version__, "entries": entries}))


def _write_parsed(raw: bytes, path: Path, fmt: str, unicode: bool) -> tuple[str, int]:
    """Without the cache: parse the file whole (which says where it is broken) and write it."""
    from refcli import formats, libfile

    items = libfile.parse(raw, path)
    return formats.write(items, fmt, unicode), len(items)


def export_library(path: Path, fmt: str, unicode: bool = False) -> tuple[str, int]:
    """The whole library at *path* written as *fmt* (see ``refcli.formats.write``),
    and the number of works; the same text as writing its parsed items."""
    import orjson

    from refcli import libfile

    raw = libfile.read_bytes(path)
    writer = _entry_writer(fmt, unicode)
    lines = libfile.item_lines(raw, path) if writer is not None else None
    if writer is None or lines is None:
        return _write_parsed(raw, path, fmt, unicode)
    file = _cache_file(path, fmt + ("-unicode" if unicode else ""))
    cached = _read_cache(file, writer.arity)
    blake2b = hashlib.blake2b
    digests = [blake2b(line, digest_size=16).hexdigest() for line in lines]
    entries: list[Any] = [cached.get(digest) for digest in digests]
    missed = [i for i, entry in enumerate(entries) if entry is None]
    # Each missing item is parsed from its own line and written at once: no list of
    # every parsed item to build and free (benchmarks/README.md has the figures).
    loads, write_entry = orjson.loads, writer.entry
    with paused_gc():
        for i in missed:
            try:
                item = loads(lines[i])
            except orjson.JSONDecodeError:
                item = None
            if type(item) is not dict:  # not one item per line after all
                return _write_parsed(raw, path, fmt, unicode)
            if (problem := libfile.newer_format(item)) is not None:
                raise libfile.unreadable(path, i + 2, problem)
            entries[i] = write_entry(item)
    if missed or len(cached) != len(digests):
        _write_cache(file, dict(zip(digests, entries, strict=True)))  # only this library's current entries
    return writer.join(entries), len(entries)


def export_items(items: list[dict], fmt: str, cache_for: Path) -> str:
    """*items* written as *fmt*, each entry taken from a cache kept for the file
    *cache_for* (a synced file) when the item is unchanged: rewriting a thesis's
    1,000-entry ``.bib`` after one edit formats one entry, not 1,000."""
    import orjson

    from refcli import formats

    writer = _entry_writer(fmt)
    if writer is None:
        return formats.write(items, fmt)
    file = _cache_file(cache_for, f"items-{fmt}")
    cached = _read_cache(file, writer.arity)
    blake2b = hashlib.blake2b
    digests = [blake2b(orjson.dumps(item, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()
               for item in items]
    entries: list[Any] = [cached.get(digest) for digest in digests]
    missed = False
    for i, entry in enumerate(entries):
        if entry is None:
            entries[i] = writer.entry(items[i])
            missed = True
    if missed or len(cached) != len(set(digests)):
        _write_cache(file, dict(zip(digests, entries, strict=True)))
    return writer.join(entries)
