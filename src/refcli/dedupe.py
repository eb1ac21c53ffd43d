"""Is this the same work? And if so, how two records of it become one.

Same DOI (normalised) means same work. Without a DOI on both sides, two records
are the same work when the first author's family name and the year agree and the
titles are near-identical (all but identical when one side has no year, as a
document's own metadata often lacks); a DOI on one side only does not prevent the
match, two different DOIs do. A merge never throws a value away: the existing record wins a
conflict and the losing value is kept in ``custom.merged`` with its source.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from refcli.identifiers import normalize_doi
from refcli.keys import year_of
from refcli.vocabulary import NAME_VARIABLES, Item

TITLE_SIMILARITY = 92.0  # rapidfuzz ratio on folded titles; typos and punctuation pass, sequels don't
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for comparisons (``Müller`` → ``muller``).

    Other scripts keep their letters (Cyrillic, Hangul, CJK); only marks go.
    This runs for every field of every item when the search index is built and
    on every record added, so strings are cached (names, journals and publishers
    repeat across a library) and ASCII text takes a short path.
    """
    return _fold(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text)  # Hangul and kana recompose
    return _NON_WORD.sub(" ", text).strip()


def doi_of(item: Item) -> str | None:
    """The item's DOI, normalised (cached: a record's DOI is looked at several times)."""
    doi = item.get("DOI")
    return _doi(doi) if isinstance(doi, str) else None


_doi = lru_cache(maxsize=1 << 12)(normalize_doi)


def _is_preprint(doi: str | None) -> bool:
    """An arXiv DataCite DOI: the preprint, which refcli.versions links to its paper."""
    return doi is not None and doi.startswith("10.48550/")


def first_family(item: Item) -> str:
    for role in ("author", "editor"):
        for name in item.get(role) or []:
            if isinstance(name, dict):
                value = name.get("family") or name.get("literal") or ""
                if value:
                    return fold(value).replace(" ", "")
    return ""


def _titles_match(a: Item, b: Item, threshold: float) -> bool:
    from rapidfuzz.fuzz import ratio

    ta, tb = fold(a.get("title") or ""), fold(b.get("title") or "")
    if not ta or not tb:
        return False
    return ta == tb or ratio(ta, tb) >= threshold


class _Bucket:
    """Items of one (first author, year), with their DOIs and folded titles computed
    once: a look-up compares one title against the whole bucket in rapidfuzz's C loop."""

    __slots__ = ("items", "dois", "titles")

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.dois: list[str | None] = []
        self.titles: list[str] = []

    def add(self, item: Item | str, doi: str | None, title: str | None = None) -> None:
        """*item*, or a stored work's key with its folded *title* (from the index)."""
        self.items.append(item)
        self.dois.append(doi)
        self.titles.append(fold(cast(Item, item).get("title") or "") if title is None else title)

    def first_match(self, title: str, doi: str | None, threshold: float) -> Any:
        """The earliest item whose title is at least *threshold* similar and whose DOI
        does not contradict *doi*."""
        if not self.titles:
            return None  # and rapidfuzz stays unimported
        from rapidfuzz import process
        from rapidfuzz.fuzz import ratio

        found = process.extract(title, self.titles, scorer=ratio, score_cutoff=threshold, limit=None)
        for _, _, i in sorted(found, key=lambda hit: hit[2]):
            other = self.dois[i]
            if self.titles[i] and not (doi and other and doi != other) \
                    and _is_preprint(doi) == _is_preprint(other):  # a preprint and its paper: two works
                return self.items[i]
        return None


def _first_in(buckets: list[tuple[_Bucket, bool | None]], title: str, doi: str | None,
              family: str) -> Any:
    for bucket, years in buckets:
        # Without an author or a year to agree on, only an all-but-identical title will do.
        found = bucket.first_match(title, doi, TITLE_SIMILARITY if family and years else 97.0)
        if found is not None:
            return found
    return None


class Matcher:
    """Finds the library item a new record duplicates, in O(1) per look-up.

    Built once per command, then told about each item added so that duplicates
    *within* one input file are found too (and again about an item whose DOI,
    title, names or date a merge filled in). Over a lazily opened library it asks
    the library (and so the derived index) instead of indexing every item.
    """

    def __init__(self, items: Iterable[Item] = (), library: Any = None) -> None:
        self.library = library
        self.by_doi: dict[str, Item] = {}
        # family -> year -> bucket: a look-up reads one year's bucket (and the no-year one)
        self.by_family: defaultdict[str, defaultdict[str, _Bucket]] = defaultdict(lambda: defaultdict(_Bucket))
        self.by_id: dict[str, Item] = {}
        for item in items:
            self.add(item)

    def add(self, item: Item) -> None:
        doi = doi_of(item)
        if doi:
            self.by_doi.setdefault(doi, item)
        self.by_family[first_family(item)][year_of(item)].add(item, doi)
        if item.get("id"):
            self.by_id.setdefault(str(item["id"]), item)

    def _buckets(self, family: str, year: str) -> list[tuple[_Bucket, bool | None]]:
        """The buckets to compare with, each with whether its years agree (None: unknown)."""
        buckets = self.by_family.get(family)
        if not buckets:
            return []
        if year:
            return [(b, agree) for b, agree in ((buckets.get(year), True), (buckets.get(""), None)) if b]
        return [(b, None) for b in buckets.values()]

    def find(self, item: Item) -> Item | None:
        doi = doi_of(item)
        if doi and doi in self.by_doi:
            return self.by_doi[doi]
        if doi and self.library is not None:
            stored = self.library.get(doi)
            if stored is not None:
                return stored
        family, year = first_family(item), year_of(item)
        title = fold(item.get("title") or "")
        if title:
            found = _first_in(self._buckets(family, year), title, doi, family)
            if found is not None:
                return found
            if self.library is not None:
                # Items the index proposes (already of this year or none): the same
                # year first, then those without a year.
                same, unknown = _Bucket(), _Bucket()
                for key, other_doi, other_title, dated in self.library.candidates(family, year):
                    (same if year and dated else unknown).add(key, other_doi, other_title)
                key = _first_in([(same, True), (unknown, None)], title, doi, family)
                if key is not None:
                    return self.library.get(key)
        # The same citation key from the same file read again: same title means same work.
        own_key = str(item.get("id") or "")
        same_key = self.by_id.get(own_key)
        if same_key is None and own_key and self.library is not None:
            same_key = self.library.get(own_key)
        if same_key is not None and _titles_match(item, same_key, 98.0):
            return same_key
        return None


def _same_value(a: Any, b: Any, field: str) -> bool:
    if field == "DOI":
        return normalize_doi(str(a)) == normalize_doi(str(b))
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    if isinstance(a, list) and isinstance(b, list) and field in _NAME_FIELDS:
        return [fold(_name_text(n)) for n in a] == [fold(_name_text(n)) for n in b]
    return a == b


_NAME_FIELDS = frozenset(NAME_VARIABLES)


def _name_text(name: Any) -> str:
    if not isinstance(name, dict):
        return str(name)
    return " ".join(str(name.get(k, "")) for k in ("literal", "family", "given"))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge(existing: Item, incoming: Item, source: str, when: str) -> list[str]:
    """Merge *incoming* into *existing* in place; return the fields that changed.

    Missing fields are filled; conflicting values stay as they are and the
    incoming value is recorded in ``custom.merged``. Tags are united. The
    incoming record's own key is kept as an alias, so either key finds the work.
    Nothing is recorded when the incoming record adds nothing, so adding the same
    file twice leaves the library byte for byte the same.
    """
    filled: list[str] = []
    conflicts: dict[str, Any] = {}
    for field, value in incoming.items():
        if field in ("id", "custom") or _empty(value):
            continue
        current = existing.get(field)
        if _empty(current):
            existing[field] = value
            filled.append(field)
        elif not _same_value(current, value, field):
            conflicts[field] = value

    custom = existing.setdefault("custom", {})
    theirs = {k: v for k, v in (incoming.get("custom") or {}).items() if k not in _BOOKKEEPING}
    for key in ("tags", "cites"):  # lists that unite rather than conflict
        new = [v for v in theirs.pop(key, None) or () if v not in custom.get(key, [])]
        if new:
            custom[key] = [*custom.get(key, []), *new]
            filled.append(key)
    _merge_dict(custom, theirs, conflicts, "custom", filled)

    their_key = str(incoming.get("id") or "")
    if their_key and their_key != existing.get("id") and their_key not in custom.get("aliases", []):
        custom.setdefault("aliases", []).append(their_key)
        filled.append("custom.aliases")
    # A conflict already on record (the same file added again) is not news.
    recorded = [entry.get("fields", {}) for entry in custom.get("merged", [])]
    conflicts = {f: v for f, v in conflicts.items() if not any(r.get(f) == v for r in recorded)}
    if conflicts:
        custom.setdefault("merged", []).append({"source": source, "at": when, "fields": conflicts})
    if filled or conflicts:
        custom.setdefault("sources", []).append({"source": source, "at": when, "merged": True})
        custom["modified"] = when
    return filled + list(conflicts)


# refcli's own record of an item's history: never taken from the other side.
_BOOKKEEPING = frozenset({"schema", "added", "modified", "sources", "merged", "aliases"})


def _merge_dict(mine: dict, theirs: dict, conflicts: dict, prefix: str, filled: list[str]) -> None:
    """Fill *mine* from *theirs*, recursively; differing values go to *conflicts*."""
    for key, value in theirs.items():
        if _empty(value):
            continue
        if key not in mine or _empty(mine[key]):
            mine[key] = value
            filled.append(f"{prefix}.{key}")
        elif mine[key] != value:
            if isinstance(mine[key], dict) and isinstance(value, dict):
                _merge_dict(mine[key], value, conflicts, f"{prefix}.{key}", filled)
            else:
                conflicts[f"{prefix}.{key}"] = value
