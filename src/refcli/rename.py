"""Renaming a work's key without breaking anything that used the old one.

The old key becomes an alias (``custom.aliases``), which every look-up by key
accepts, so manuscripts that cite it still compile and ``export --cited-in``
exports the work under the key they use. Links in other works (``custom.cites``,
``custom.versions``) move to the new key.
"""

from __future__ import annotations

from typing import Any

from refcli.errors import NotFoundError, UsageError
from refcli.store import Library

Item = dict[str, Any]


def rename(lib: Library, old: str, new: str) -> Item:
    """Give the work *old* (a key, former key or DOI) the key *new*; returns the work."""
    from refcli.keys import is_valid_key

    if not is_valid_key(new):
        raise UsageError(f"'{new}' cannot be a key: use letters, digits and _ : . - + / only")
    item = lib.get(old)
    if item is None:
        raise NotFoundError(f"no work with key or DOI '{old}' in the library")
    current = str(item["id"])
    aliases = [str(a) for a in (item.get("custom") or {}).get("aliases") or []]
    if new == current:
        return item
    if lib.has_key(new) and new not in aliases:
        raise UsageError(f"key '{new}' is already taken")
    lib.items  # noqa: B018 - every line may hold a link to rewrite, and the index is rebuilt from them
    item["id"] = new
    custom = item.setdefault("custom", {})
    custom["aliases"] = [a for a in aliases if a != new] + ([current] if current not in aliases else [])
    for other in lib.items:
        links = other.get("custom")
        if not isinstance(links, dict):
            continue
        for field in ("cites", "versions"):
            values = links.get(field)
            if isinstance(values, list) and current in values:
                links[field] = [new if v == current else v for v in values]
    lib.reindex()
    return item
