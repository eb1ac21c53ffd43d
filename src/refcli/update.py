"""Bringing works up to date from their registries, and what registries say about them later.

``refcli update`` asks each work's registry again (DOI, arXiv, PubMed, Open Library),
shows what differs field by field and, with ``--apply``, takes the new values. A
replaced value goes to ``custom.merged`` (nothing is lost), and a field the user
changed by hand (``refcli edit`` records them in ``custom.edited``) is never
overwritten.

The registry's corrections and retractions (``refcli.corrections``) are stored too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refcli.library import Library
from refcli.vocabulary import Item

# Fields an update compares; refcli's own data and the key are never touched.
_SKIP = frozenset({"id", "custom"})


# ------------------------------------------------------------------ update


def identifier(item: Item) -> str | None:
    """What to look a work up by, as ``refcli add`` would take it, or None."""
    from refcli.identifiers import normalize_doi, normalize_isbn

    custom = item.get("custom")
    custom = custom if isinstance(custom, dict) else {}
    doi = normalize_doi(str(item.get("DOI") or ""))
    if doi and doi.startswith("10.48550/arxiv."):
        return "arXiv:" + doi.removeprefix("10.48550/arxiv.")
    if doi:
        return doi
    if isinstance(custom.get("arxiv"), str):
        return "arXiv:" + custom["arxiv"]
    if item.get("PMID"):
        return f"pmid:{item['PMID']}"
    isbn = normalize_isbn(str(item.get("ISBN") or "").split(",")[0])
    return f"isbn:{isbn}" if isbn else None


@dataclass
class Change:
    field: str
    old: Any
    new: Any
    by_hand: bool = False  # the user edited this field: shown, never applied


@dataclass
class Update:
    key: str
    identifier: str
    changes: list[Change] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)  # updates/retraction from the registry
    error: str | None = None


def compare(item: Item, fresh: Item) -> list[Change]:
    """The fields where the registry's record differs from the stored work."""
    edited = set((item.get("custom") or {}).get("edited") or ())
    changes = []
    for name, value in fresh.items():
        if name in _SKIP or value in (None, "", [], {}):
            continue
        if item.get(name) != value:
            changes.append(Change(name, item.get(name), value, name in edited))
    return changes


def check(item: Item, use_cache: bool = False) -> Update:
    """Ask the work's registry again; never raises for a registry's failure."""
    from refcli import registries
    from refcli.errors import RefcliError

    ident = identifier(item)
    result = Update(str(item.get("id")), ident or "")
    if ident is None:
        result.error = "no DOI, arXiv id, PMID or ISBN to look it up by"
        return result
    try:
        _, fresh = registries.fetch(ident, use_cache=use_cache)
    except RefcliError as exc:
        result.error = str(exc)
        return result
    result.custom = {k: v for k, v in (fresh.get("custom") or {}).items()
                     if k in ("updates", "retracted", "published")}
    result.changes = compare(item, fresh)
    return result


def apply_all(lib: Library, results: list[Update], when: str) -> dict[str, list[str]]:
    """``apply`` each result without an error to its work in *lib*; the fields taken, by key."""
    applied: dict[str, list[str]] = {}
    for result in results:
        item = lib.get(result.key)
        if item is not None and not result.error:
            applied[result.key] = apply(item, result, when)
    return applied


def apply(item: Item, update: Update, when: str) -> list[str]:
    """Take *update*'s changes into *item* (not the hand-edited ones); the fields changed."""
    custom = item.setdefault("custom", {})
    replaced = {c.field: c.old for c in update.changes if not c.by_hand and c.old not in (None, "", [], {})}
    applied = []
    for change in update.changes:
        if not change.by_hand:
            item[change.field] = change.new
            applied.append(change.field)
    if replaced:
        custom.setdefault("merged", []).append({"source": f"update {update.identifier}", "at": when,
                                                "fields": replaced})
    for name, value in update.custom.items():
        if custom.get(name) != value:
            custom[name] = value
            applied.append(f"custom.{name}")
    if applied:
        custom["modified"] = when
    return applied


def mark_edited(before: Item, after: Item) -> None:
    """Record in ``after["custom"]["edited"]`` the fields the user changed in ``refcli edit``."""
    changed = {k for k in set(before) | set(after)
               if k not in _SKIP and before.get(k) != after.get(k)}
    if not changed:
        return
    custom = after.setdefault("custom", {})
    custom["edited"] = sorted(set(custom.get("edited") or ()) | changed)
