"""A preprint and its published version: two works, linked, never merged.

They differ (pages, corrections, sometimes the title), and a manuscript may cite
either, so each keeps its own item and key. The preprint names the published
version's DOI in ``custom.published`` (arXiv gives it); once both are in the
library each lists the other's key in ``custom.versions``.
"""

from __future__ import annotations

from typing import Any

from refcli.store import Library

Item = dict[str, Any]


def _link(a: Item, b: Item) -> bool:
    changed = False
    for one, other in ((a, b), (b, a)):
        custom = one.setdefault("custom", {})
        versions = list(custom.get("versions") or [])
        if other["id"] not in versions and other["id"] != one["id"]:
            custom["versions"] = [*versions, other["id"]]
            changed = True
    return changed


def preprints_of(lib: Library, doi: str) -> list[str]:
    """Keys of stored preprints whose ``custom.published`` is *doi*."""
    import sqlite3

    from refcli import index

    needle = f'"published":"{doi}"'
    if not lib.lazy:
        return [str(i["id"]) for i in lib.items if (i.get("custom") or {}).get("published") == doi]
    with index.fresh(lib.path) as idx:
        if idx.conn is None:
            return []
        try:
            rows = idx.conn.execute("SELECT id FROM items WHERE instr(json, ?) > 0", (needle,)).fetchall()
        except sqlite3.Error:
            return []
    return [key for (key,) in rows]


def link_versions(lib: Library, key: str) -> list[str]:
    """Link the work *key* with its other versions in *lib*; the keys newly linked."""
    item = lib.get(key)
    if item is None:
        return []
    linked: list[str] = []
    published = (item.get("custom") or {}).get("published")
    others = [lib.get(published)] if published else []
    doi = item.get("DOI")
    if isinstance(doi, str) and doi:
        others += [lib.get(k) for k in preprints_of(lib, doi)]
    for other in others:
        if other is not None and other is not item and _link(item, other):
            linked.append(str(other["id"]))
    return linked
