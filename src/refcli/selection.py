"""Which works an export writes: a manuscript's citations, a list of keys, or a search.

A cited key may be a work's key, a key it was merged from (``custom.aliases``,
also what ``refcli rename`` leaves behind) or a DOI; the work is exported under
the key the manuscript uses, so the document compiles unchanged. BibTeX
``crossref`` parents come along, after their children as BibTeX wants them. Keys
the library does not hold are reported with the closest keys it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcli.export import crossref_parent_keys
from refcli.vocabulary import Item


@dataclass
class Selection:
    items: list[Item] = field(default_factory=list)
    missing: list[tuple[str, list[str]]] = field(default_factory=list)  # (key, close keys)
    retracted: list[str] = field(default_factory=list)  # keys (as cited) of retracted works
    warnings: list[str] = field(default_factory=list)


def is_retracted(item: Item) -> bool:
    """Whether a retraction notice for the work is recorded (``custom.retracted``)."""
    custom = item.get("custom")
    return bool(isinstance(custom, dict) and custom.get("retracted"))


def close_keys(key: str, keys: list[str], limit: int = 3) -> list[str]:
    """Keys a cited *key* may have meant: by prefix (``refcli.keys.similar_keys``), else
    by spelling (a typo such as ``goodfelow2016deep``)."""
    from refcli.keys import similar_keys

    found = similar_keys(key, keys, limit)
    if found:
        return found
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    return [k for k, _, _ in process.extract(key, keys, scorer=ratio, score_cutoff=80, limit=limit)]


def select_keys(library: Path, keys: list[str], everything: bool = False) -> Selection:
    """The works *keys* name, in that order (``everything``: the whole library after them)."""
    from refcli import index

    chosen = Selection()
    taken: set[str] = set()

    def take(key: str, item: Item) -> None:
        if key in taken:
            return
        taken.add(key)
        if item["id"] != key:
            item = {**item, "id": key}
        chosen.items.append(item)
        if is_retracted(item):
            chosen.retracted.append(key)

    with index.fresh(library) as idx:
        all_keys: list[str] | None = None
        parents: list[str] = []
        found = _by_key(idx, keys)
        for key in keys:
            item = found.get(key) or idx.get(key)  # an alias or a DOI: one look-up each
            if item is None:
                if all_keys is None:
                    all_keys = idx.keys()
                chosen.missing.append((key, close_keys(key, all_keys)))
                continue
            take(key, item)
            parents += [parent for parent in crossref_parent_keys(item) if parent not in keys]
        for parent in parents:
            stored = idx.get(parent)
            if stored is None:
                chosen.warnings.append(f"crossref parent '{parent}' is not in the library")
            else:
                take(parent, stored)
        if everything:
            for item in idx.query("1", []):
                if str(item["id"]) not in taken:
                    take(str(item["id"]), item)
    return chosen


def _by_key(idx: Any, keys: list[str]) -> dict[str, Item]:
    """The stored works whose key is in *keys*, in a few queries (a thesis cites 1,000)."""
    import orjson

    if idx.conn is None:
        return {}
    found: dict[str, Item] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, blob in idx.conn.execute(f"SELECT id, json FROM items WHERE id IN ({marks})", chunk):
            found[key] = orjson.loads(blob)
    return found


def select_cited(library: Path, manuscripts: list[Path]) -> Selection:
    """What the manuscripts cite (several: their keys in order, each once)."""
    from refcli.manuscripts import Cited, scan

    keys: list[str] = []
    everything = False
    warnings: list[str] = []
    for path in manuscripts:
        cited: Cited = scan(path)
        keys += [k for k in cited.keys if k not in keys]
        everything = everything or cited.everything
        warnings += cited.warnings
    chosen = select_keys(library, keys, everything)
    chosen.warnings[:0] = warnings
    return chosen


def as_key_list(terms: list[str], library: Path) -> list[str] | None:
    """*terms* as a list of keys, when each is ``key:K`` or the key of a stored work
    (``refcli export a b`` exports both works; words that are not all keys stay a search)."""
    from refcli import index

    keys = [t[4:] if t.startswith("key:") else t for t in terms]
    if not keys or not all(keys):
        return None
    if len(terms) > 1 and all(t.startswith("key:") for t in terms):
        return keys
    if any(t.startswith("-") or ":" in t and not t.startswith("key:") for t in terms):
        return None
    with index.fresh(library) as idx:
        if all(idx.locate(k, by_doi=False) is not None for k in keys):
            return keys
    return None
