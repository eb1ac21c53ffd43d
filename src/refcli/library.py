"""The library as commands see it: look-ups, and changes that keep links and look-ups right.

``Library`` is the facade over a ``refcli.storage.Storage`` (every item parsed,
or only the lines touched through the index): commands never ask which. Each
change is one method that leaves the library consistent by itself:

    add      a new work: a key never used before (nor as an alias), schema, sources
    absorb   a record of a stored work folded in (``dedupe.merge``), nothing lost
    remove   a work, and every link to it in the others (``cites``, ``related``,
             ``distinct``, ``possible-duplicates``)
    retag    +tag / -tag
    replace  a work's content (``refcli edit``)
    merge    one work into another by hand: its key an alias, links to it moved
             to the kept key and recorded, so ``unmerge`` moves them back
    rename   a new key; the old one an alias, links moved
    repair   every item replaced at once (``doctor --fix``)

The look-ups (by key, former key, DOI) follow every change: nobody calls a
"reindex" after editing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from refcli.errors import NotFoundError, UsageError
from refcli.libfile import KEY_ENTRIES, KEY_LISTS, SCHEMA
from refcli.storage import Candidate, Pieces, Stale, Storage, WholeFile
from refcli.vocabulary import Item


def now_iso() -> str:
    """The time refcli stamps on a change (``custom.added``, ``modified``, sources)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


Lookups = tuple[dict[str, Item], dict[str, str], dict[str, str]]


class Library:
    """The library's items in file order, with the look-ups and changes every command needs."""

    def __init__(self, storage: Storage | Path, items: list[Item] | None = None) -> None:
        """Over *storage*; or, given a path, over *items* held in memory (tests, dry runs)."""
        self._storage = WholeFile(storage, items or []) if isinstance(storage, Path) else storage
        self._lookups: Lookups | None = None

    # ------------------------------------------------------------ storage

    @property
    def path(self) -> Path:
        return self._storage.path

    @property
    def lazy(self) -> bool:
        """Whether only the touched lines are parsed (an optimisation no command needs to know)."""
        return self._storage.lazy

    @property
    def items(self) -> list[Item]:
        """Every item in file order (parsing the rest of the file on first use)."""
        return self.parse_all()

    def parse_all(self) -> list[Item]:
        """Parse every item now: cheaper than many index look-ups for a large batch."""
        if self._storage.lazy:
            self._storage = self._storage.whole()
            self._lookups = None
        return self._storage.parsed()

    def pieces(self) -> Pieces | None:
        return self._storage.pieces()

    def saved(self, pieces: Pieces) -> None:
        self._storage.saved(pieces)

    def changes(self) -> tuple[list[Item], list[str]]:
        """(items changed or added, keys removed) by the last save: what the index must redo."""
        return self._storage.changes()

    def close(self) -> None:
        self._storage.close()

    def __len__(self) -> int:
        return self._storage.count()

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    # ------------------------------------------------------------ look-ups

    def _built(self) -> Lookups:
        """The in-memory look-ups, built on first use: ``export`` and ``doctor`` read
        every item but never look one up."""
        if self._lookups is None:
            self._lookups = ({}, {}, {})
            for item in self._storage.parsed():
                self._remember(item)
        return self._lookups

    @property
    def by_id(self) -> dict[str, Item]:
        """Items by key."""
        return self._built()[0]

    @property
    def by_doi(self) -> dict[str, str]:
        """Keys by normalised DOI (the first item with a DOI keeps it)."""
        return self._built()[1]

    @property
    def by_alias(self) -> dict[str, str]:
        """Keys by former key (``custom.aliases``)."""
        return self._built()[2]

    def _remember(self, item: Item) -> None:
        """Add one item to the key, alias and DOI look-ups."""
        from refcli.identifiers import normalize_doi

        if self._lookups is None:
            return  # built from all items on first use, this one included
        by_id, by_doi, by_alias = self._lookups
        key = str(item.get("id"))
        by_id[key] = item
        for alias in (item.get("custom") or {}).get("aliases") or ():
            by_alias.setdefault(alias, key)
        doi = item.get("DOI")
        # Stored DOIs are canonical already; only a hand-edited one needs the full rules.
        doi = doi if isinstance(doi, str) and doi.startswith("10.") and doi == doi.lower() else normalize_doi(doi)
        if doi:
            by_doi.setdefault(doi, key)

    def _forget(self) -> None:
        """Drop the look-ups after a change that may move many keys; rebuilt on first use."""
        self._lookups = None

    def _parsed(self, items: list[Item]) -> list[Item]:
        for item in items:
            self._remember(item)
        return items

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
        if item is None and self._storage.lazy:
            try:
                item = self._storage.find(key_or_doi)
            except Stale:
                self.parse_all()
                return self.get(key_or_doi)
            if item is not None:
                self._remember(item)
        return item

    def work(self, key_or_doi: str) -> Item:
        """The item *key_or_doi* names; a ``NotFoundError`` naming close keys otherwise."""
        item = self.get(key_or_doi)
        if item is None:
            close = self.similar_keys(key_or_doi)
            hint = f"; did you mean: {', '.join(close)}" if close else ""
            raise NotFoundError(f"no work with key or DOI '{key_or_doi}' in the library{hint}", str(self.path))
        return item

    def similar_keys(self, key: str) -> list[str]:
        """Keys a mistyped *key* may have meant (``refcli.keys.similar_keys``)."""
        from refcli.keys import similar_keys

        return similar_keys(key, self._storage.keys())

    def has_key(self, key: str) -> bool:
        """Whether *key* is taken, as an item's key or as a former key (alias)."""
        return key in self.by_id or key in self.by_alias or self._storage.taken(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.has_key(key)

    def candidates(self, first_family: str, year: str = "") -> list[Candidate]:
        """(key, normalised DOI, folded title, has a year) of the stored items with this
        folded first-author family name and, given a *year*, that year or none: when
        lazy, the only works a duplicate can be (a fully parsed library answers none:
        the Matcher indexes every item itself)."""
        return self._storage.candidates(first_family, year)

    def titled(self, folded_title: str) -> list[str]:
        """Keys of the stored items with this folded title (none when fully parsed)."""
        return self._storage.titled(folded_title)

    def citing(self, key: str) -> list[Item]:
        """Items whose ``custom.cites`` names *key*."""
        return [i for i in self._superset(lambda s: s.citing(key)) if key in _links(i, "cites")]

    def _mentioning(self, key: str) -> list[Item]:
        """Items that may link to *key* (a superset: the caller checks)."""
        return self._superset(lambda s: s.mentioning(key))

    def _superset(self, find: Callable[[Storage], list[Item]]) -> list[Item]:
        """What *find* answers from the storage; from every item when the file is not as indexed."""
        try:
            return self._parsed(find(self._storage))
        except Stale:
            self.parse_all()
            return find(self._storage)

    # ------------------------------------------------------------ changes

    def append(self, item: Item) -> None:
        """Store *item* as it is (its key must be new)."""
        self._storage.append(item)
        self._remember(item)

    def add(self, record: Item, source: str, when: str) -> Item:
        """Store *record* as a new work: a key no work has or had, the store's schema,
        the time it entered and where it came from."""
        from refcli.keys import assign_key

        record["id"] = assign_key(record, self)
        custom = record.setdefault("custom", {})
        custom["schema"] = SCHEMA
        custom.setdefault("added", when)
        custom.setdefault("sources", []).append({"source": source, "at": when})
        self.append(record)
        return record

    def absorb(self, existing: Item, record: Item, source: str, when: str) -> list[str]:
        """Fold *record* (the same work) into the stored *existing*, losing nothing;
        returns the fields that changed."""
        from refcli.dedupe import merge

        changed = merge(existing, record, source, when)
        if _FOUND_BY.intersection(changed):
            self._remember(existing)  # its DOI or aliases may be new
        return changed

    def _take(self, key: str) -> Item:
        """Remove the work *key* from the file and the look-ups, leaving links to it."""
        item = self.get(key)
        if item is None:
            raise KeyError(key)
        key = str(item["id"])
        self._storage.remove(item)
        self.by_id.pop(key, None)
        for doi in [d for d, k in self.by_doi.items() if k == key]:
            del self.by_doi[doi]
        return item

    def remove(self, key: str) -> Item:
        """Remove the work *key* and every link to it (or a former key of it) in the others."""
        item = self._take(key)
        names = {str(item["id"]), *map(str, _custom(item).get("aliases") or ())}
        for name in names:
            for other in self._mentioning(name):
                _drop_links(other, names)
        for alias in [a for a, k in self.by_alias.items() if k == item["id"]]:
            del self.by_alias[alias]
        return item

    def retag(self, key: str, changes: list[str], when: str) -> Item:
        """Apply tag changes (``+name`` adds, ``-name`` removes) to the work *key*."""
        check_tag_changes(changes)
        item = self.work(key)
        custom = item.setdefault("custom", {})
        tags = list(custom.get("tags", []))
        for change in changes:
            name = change[1:]
            if change[0] == "+" and name not in tags:
                tags.append(name)
            elif change[0] == "-" and name in tags:
                tags.remove(name)
        if tags != custom.get("tags", []):
            custom["tags"] = tags
            custom["modified"] = when
        if not tags:
            custom.pop("tags", None)
        return item

    def replace(self, key: str, content: Item) -> Item:
        """Replace the work *key*'s content by *content* (its key, DOI or aliases may change)."""
        current = self.get(key)
        if current is None:
            raise NotFoundError(f"'{key}' is no longer in the library", str(self.path))
        if content is not current:
            current.clear()
            current.update(content)
        self._forget()
        return current

    def repair(self, items: list[Item]) -> None:
        """Replace every item at once (``doctor --fix``: duplicate keys renamed, works merged)."""
        self.items[:] = items
        self._forget()

    def merge(self, keep: str, other: str, source: str, when: str) -> tuple[Item, str, list[str]]:
        """Merge the work *other* into *keep*: every field kept (conflicts in
        ``custom.merged``), its key and aliases become the kept work's aliases, and the
        works citing it cite the kept work, recorded on the merge's ``custom.sources``
        entry so that ``restore_links`` can undo it. Returns (kept, their key, fields)."""
        import copy

        kept = self.work(keep)
        theirs = self.work(other)
        if theirs is kept:
            raise UsageError(f"'{other}' is '{kept['id']}' itself")
        their_key, kept_key = str(theirs["id"]), str(kept["id"])
        theirs = copy.deepcopy(theirs)
        their_aliases = [a for a in _custom(theirs).get("aliases") or () if a != kept_key]
        self._take(their_key)
        for alias in [a for a, k in self.by_alias.items() if k == their_key]:
            del self.by_alias[alias]
        fields = self.absorb(kept, theirs, source, when)
        mine = kept.setdefault("custom", {})
        for alias in their_aliases:
            if alias not in mine.setdefault("aliases", []):
                mine["aliases"].append(alias)
        mine["possible-duplicates"] = [e for e in mine.get("possible-duplicates") or ()
                                       if not (isinstance(e, dict) and e.get("key") == their_key)]
        if not mine["possible-duplicates"]:
            mine.pop("possible-duplicates")
        moved = []
        # Links follow the work to its one key (the kept work does not cite itself).
        for citing in sorted(self.citing(their_key), key=lambda i: str(i["id"])):
            moved.append({"key": str(citing["id"]), "cites": list(citing["custom"]["cites"])})
            citing["custom"]["cites"] = _repointed(citing["custom"]["cites"], their_key, kept_key, citing is kept)
        if kept_key in _links(kept, "cites"):  # the merged work cited the kept one
            mine["cites"] = [c for c in mine["cites"] if c != kept_key]
        if moved:
            entry = next((e for e in reversed(mine.get("sources") or ())
                          if isinstance(e, dict) and e.get("key") == their_key and e.get("source") == source), None)
            if entry is not None:
                entry["cited-by"] = moved
        self._remember(kept)
        return kept, their_key, fields

    def restore_links(self, kept: Item, alias: str, entries: list[dict[str, Any]]) -> list[str]:
        """After *alias* was split off *kept* again: the works whose ``cites`` the merge
        moved to *kept* (recorded in its *entries*) cite *alias* again. A citing list
        unchanged since is restored exactly; one changed since gets *alias* back where
        *kept* stands (beside it when the citing work cited both before). Returns their keys."""
        kept_key = str(kept["id"])
        restored = []
        for entry in entries:
            for moved in entry.get("cited-by") or ():
                if not isinstance(moved, dict) or not isinstance(moved.get("cites"), list):
                    continue
                citing = self.get(str(moved.get("key")))
                if citing is None:
                    continue
                before = [str(c) for c in moved["cites"]]
                now = [str(c) for c in _links(citing, "cites")]
                if alias in now:
                    continue
                if now == _repointed(before, alias, kept_key, citing is kept):
                    now = before
                elif kept_key in now:
                    at = now.index(kept_key)
                    now = now[:at] + [alias] + now[at + 1:] if kept_key not in before else \
                        now[:at + 1] + [alias] + now[at + 1:]
                else:
                    continue
                citing.setdefault("custom", {})["cites"] = now
                restored.append(str(citing["id"]))
        return restored

    def rename(self, old: str, new: str) -> Item:
        """Give the work *old* (a key, former key or DOI) the key *new*; the old key
        becomes an alias, and links in other works move to the new key."""
        from refcli.keys import is_valid_key

        if not is_valid_key(new):
            raise UsageError(f"'{new}' cannot be a key: use letters, digits and _ : . - + / only")
        item = self.get(old)
        if item is None:
            raise NotFoundError(f"no work with key or DOI '{old}' in the library")
        current = str(item["id"])
        aliases = [str(a) for a in _custom(item).get("aliases") or []]
        if new == current:
            return item
        if self.has_key(new) and new not in aliases:
            raise UsageError(f"key '{new}' is already taken")
        self.parse_all()  # every line may hold a link to rewrite, and the index is rebuilt from them
        item["id"] = new
        custom = item.setdefault("custom", {})
        custom["aliases"] = [a for a in aliases if a != new] + ([current] if current not in aliases else [])
        for other in self.items:
            _relink(other, current, new)
        self._forget()
        return item


# Fields a merge may fill in that the look-ups key on.
_FOUND_BY = frozenset({"DOI", "custom.aliases"})


def check_tag_changes(changes: list[str]) -> None:
    """Tag changes look like ``+name`` or ``-name``."""
    for change in changes:
        if len(change) < 2 or change[0] not in "+-":
            raise UsageError(f"tag changes look like +name or -name, not '{change}'")


def _custom(item: Item) -> dict[str, Any]:
    custom = item.get("custom")
    return custom if isinstance(custom, dict) else {}


def _links(item: Item, field: str) -> list[Any]:
    values = _custom(item).get(field)
    return values if isinstance(values, list) else []


def _repointed(cites: list[Any], old: str, new: str, own: bool) -> list[Any]:
    """*cites* with the key *old* become *new*, once (dropped in *new*'s *own* list)."""
    return list(dict.fromkeys(x for c in cites for x in (([] if own else [new]) if c == old else [c])))


def _relink(item: Item, old: str, new: str) -> None:
    """Links in *item* to the key *old* point at *new*."""
    links = _custom(item)
    for field in KEY_LISTS:
        values = links.get(field)
        if isinstance(values, list) and old in values:
            links[field] = [new if v == old else v for v in values]
    for field in KEY_ENTRIES:
        for entry in _links(item, field):
            if isinstance(entry, dict) and entry.get("key") == old:
                entry["key"] = new


def _drop_links(item: Item, keys: set[str]) -> None:
    """Links in *item* to any of *keys* go (an emptied list goes too)."""
    links = _custom(item)
    for field in (*KEY_LISTS, *KEY_ENTRIES):
        values = links.get(field)
        if not isinstance(values, list):
            continue
        kept = [v for v in values if (v.get("key") if isinstance(v, dict) else v) not in keys] \
            if field in KEY_ENTRIES else [v for v in values if v not in keys]
        if len(kept) != len(values):
            if kept or field == "cites":  # an emptied reference list stays what it was: a list
                links[field] = kept
            else:
                del links[field]

