"""A preprint and its published version: two works, linked, never merged.

They differ (pages, corrections, sometimes the title), and a manuscript may cite
either, so each keeps its own item and key. The preprint names the published
version's DOI in ``custom.published`` (arXiv gives it); once both are in the
library each names the other in ``custom.related``, the links dedupe makes for
related works: ``preprint-of`` on the preprint, ``published-as-of`` on the paper.
"""

from __future__ import annotations

from refcli.library import Library
from refcli.vocabulary import Item


def _link(preprint: Item, published: Item) -> bool:
    changed = False
    for one, other, relation in ((preprint, published, "preprint-of"), (published, preprint, "published-as-of")):
        custom = one.setdefault("custom", {})
        related = [e for e in custom.get("related") or [] if isinstance(e, dict)]
        if other["id"] != one["id"] and not any(e.get("key") == other["id"] for e in related):
            custom["related"] = [*related, {"key": other["id"], "relation": relation}]
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
    pairs: list[tuple[Item | None, Item | None]] = [(item, lib.get(published))] if published else []  # item: the preprint
    doi = item.get("DOI")
    if isinstance(doi, str) and doi:
        pairs += [(lib.get(k), item) for k in preprints_of(lib, doi)]  # item is the paper
    for preprint, paper in pairs:
        if preprint is not None and paper is not None and preprint is not paper and _link(preprint, paper):
            linked.append(str((paper if preprint is item else preprint)["id"]))
    return linked
