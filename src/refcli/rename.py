"""Renaming a work's key without breaking anything that used the old one.

The old key becomes an alias (``custom.aliases``), which every look-up by key
accepts, so manuscripts that cite it still compile and ``export --cited-in``
exports the work under the key they use. Links in other works (``custom.cites``,
``custom.related``, ``distinct``, ``possible-duplicates``) move to the new key.
"""

from __future__ import annotations

from refcli.errors import NotFoundError, UsageError
from refcli.store import Library
from refcli.vocabulary import Item


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
        for field in ("cites", "distinct"):  # lists of keys
            values = links.get(field)
            if isinstance(values, list) and current in values:
                links[field] = [new if v == current else v for v in values]
        for field in ("related", "possible-duplicates"):  # lists of {"key": …, …}
            entries = links.get(field)
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, dict) and entry.get("key") == current:
                        entry["key"] = new
    lib.reindex()
    return item
