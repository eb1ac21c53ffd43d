"""Is this the same work? And if so, how two records of it become one.

Same DOI (normalised) means same work. Without a DOI on both sides, two records
are the same work when the first author's family name and the year agree and the
titles are near-identical (all but identical when one side has no year, as a
document's own metadata often lacks); a DOI on one side only does not prevent the
match, two different DOIs do. A merge never throws a value away: the existing record wins a
conflict and the losing value is kept in ``custom.merged`` with its source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from refcli.identifiers import normalize_doi
from refcli.keys import year_of
from refcli.matching import (
    DIFFERENT,
    MAYBE,
    RELATED,
    SAME,
    TITLE_SAME,
    Decision,
    decide,
    fold,
    heads,
    norm,
    notice_about,
    place_of,
    volume_of,
    without_annotations,
)
from refcli.vocabulary import NAME_VARIABLES, Item


def doi_of(item: Item) -> str | None:
    """The item's DOI, normalised (cached: a record's DOI is looked at several times)."""
    doi = item.get("DOI")
    return _doi(doi) if isinstance(doi, str) else None


_doi = lru_cache(maxsize=1 << 12)(normalize_doi)


def first_family(item: Item) -> str:
    """The first author's (or editor's) family name as a blocking key: particles,
    suffixes and accents dropped, other scripts transliterated (``van der Maaten`` and
    ``Maaten``, ``Gödel`` and ``Goedel``, ``Лотман`` and ``Lotman`` share one)."""
    from refcli.matching import family_key

    for role in ("author", "editor"):
        names = item.get(role)
        for name in names if isinstance(names, list) else ():
            if isinstance(name, dict):
                value = name.get("family") or name.get("literal") or ""
                if value:
                    return family_key(str(value))
    return ""


def first_given(item: Item) -> str:
    """The first author's first given name as a family key: where a record with given
    and family swapped has its first author's family name."""
    from refcli.matching import family_key

    for role in ("author", "editor"):
        names = item.get(role)
        for name in names if isinstance(names, list) else ():
            if isinstance(name, dict):
                words = str(name.get("given") or "").replace(".", " ").split()
                return family_key(words[0]) if words and len(words[0]) > 2 else ""
    return ""


@dataclass
class Verdict:
    """What the library holds of one incoming record: the work it is (``same``), works
    it may be (``maybe``, for review: also other works it is the same as, which the
    library holds apart) and works it is related to (``related``)."""

    same: Item | None = None
    maybe: list[tuple[Item, Decision]] = field(default_factory=list)
    related: list[tuple[Item, Decision]] = field(default_factory=list)


class StoredWorks(Protocol):
    """The stored library as the Matcher asks it (``refcli.library.Library`` over its
    index): works by key or DOI, and the keys of the works a duplicate can be."""

    def get(self, key_or_doi: str) -> Item | None: ...

    def candidates(self, first_family: str, year: str = "") -> list[tuple[str, str | None, str, bool]]: ...

    def titled(self, folded_title: str) -> list[str]: ...


# A title this far from the incoming one is not compared further (rapidfuzz ratio).
CANDIDATE_SIMILARITY = 80.0


# What the Matcher reads of a record: DOI, first-author key, year, raw and normalised
# title, (year, volume, first page) and volume.
Keys = tuple[str | None, str, str, str, str, tuple[str, str, str] | None, str]


class Matcher:
    """Finds the library items a new record may duplicate, then decides with
    ``refcli.matching.decide``.

    Candidates come from blocks: the same DOI; the same first-author key (or a
    first given name that is one: names given swapped) and year, or no year; and,
    whatever the names and year, the same normalised title or main title (a year
    off by one, a group author, a dropped subtitle). Built once per command, then told about each item
    added so that duplicates *within* one call are found too (and again about an
    item whose DOI, title, names or date a merge filled in: the decision reads the
    items as they are now, so a DOI a merge filled in vetoes a later record with
    another DOI). Over a lazily opened library it asks the library (and so the
    derived index) instead of indexing every item.
    """

    def __init__(self, items: Iterable[Item] = (), library: StoredWorks | None = None,
                 fuzzy: bool = True) -> None:
        self.library = library
        self.fuzzy = fuzzy  # False: only identifiers and (normalised, main) titles, a quick scan
        self.by_doi: dict[str, list[Item]] = {}
        # family -> year -> (items, their normalised titles), parallel lists that rapidfuzz
        # scans in C: a look-up reads its year's and the undated ones
        self.by_family: defaultdict[str, dict[str, tuple[list[Item], list[str]]]] = defaultdict(dict)
        self.by_title: dict[str, list[Item]] = {}  # normalised title -> items
        self.by_head: dict[str, list[Item]] = {}  # normalised main title (subtitle cut) -> items
        self.by_id: dict[str, Item] = {}
        self._indexed: set[tuple[int, str, str, str]] = set()
        self._notices: set[tuple[str, str]] = set()  # (family, year) buckets holding a notice
        # (year, volume, first page) -> items: a piece found by where it is printed
        self.by_place: dict[tuple[str, str, str], list[Item]] = {}
        # (first-author key, volume, year) -> (normalised title, item): a piece one year off
        self.by_volume: dict[tuple[str, str, str], list[tuple[str, Item]]] = {}
        self._last: tuple[Item | None, Any] = (None, None)
        for item in items:
            self.add(item)

    def _keys(self, item: Item) -> Keys:
        """(DOI, first-author key, year, raw title, normalised title, place, volume) of *item*;
        the last one is kept, since ``Ingest`` judges a record and then adds it."""
        if self._last[0] is item:
            return self._last[1]
        raw = without_annotations(str(item.get("title") or ""))
        keys = (doi_of(item), first_family(item), year_of(item), raw, norm(fold(raw)), place_of(item),
                volume_of(item))
        self._last = (item, keys)
        return keys

    def add(self, item: Item) -> None:
        """Index *item* (again, after a merge changed its DOI, title, names or date), and
        under each record merged into it as that record read: a later record may be
        the one it resembles."""
        self._index(item, self._keys(item))
        for view in merged_views(item):
            self._index(item, self._keys(view))

    def _index(self, item: Item, keys: Keys) -> None:
        doi, family, year, raw, normed, place, volume = keys
        if doi:
            _add_once(self.by_doi.setdefault(doi, []), item)
        seen = (id(item), family, year, normed)
        if seen not in self._indexed:
            self._indexed.add(seen)
            items, titles = self.by_family[family].setdefault(year, ([], []))
            items.append(item)
            about = notice_about(raw)
            # a notice is scanned under the title of the work it is about, which it may abridge
            titles.append(about or normed)
            if about:
                self._notices.add((family, year))
            if normed:
                for title in _titles(raw, normed):
                    self.by_title.setdefault(title, []).append(item)
                if original := _original_title(item):  # found by the original's own record
                    self.by_title.setdefault(original, []).append(item)
            if place:
                self.by_place.setdefault(place, []).append(item)
                for head in heads(raw):
                    self.by_head.setdefault(head, []).append(item)
            if volume and family and year:
                self.by_volume.setdefault((family, volume, year), []).append((normed, item))
        if item.get("id"):
            self.by_id.setdefault(str(item["id"]), item)

    def _same_doi(self, item: Item) -> list[Item]:
        """The works with the item's DOI: in this run, and stored."""
        doi = self._keys(item)[0]
        if not doi:
            return []
        found = list(self.by_doi.get(doi, ()))
        if self.library is not None:
            stored = self.library.get(doi)
            if stored is not None and not any(stored is other for other in found):
                found.append(stored)
        return found

    def _candidates(self, item: Item, same_doi: list[Item]) -> list[Item]:
        found: dict[int, Item] = {id(other): other for other in same_doi}
        doi, family, year, raw, normed, place, volume = self._keys(item)
        families = [f for f in dict.fromkeys((family, first_given(item))) if f]
        about = notice_about(raw)
        scanned = about or normed  # a notice: the title it is about
        for name in families or [""] if self.fuzzy else ():
            buckets = self.by_family.get(name)
            if not buckets:
                continue
            # One year apart (online first, then in an issue) is found by title below,
            # or by volume.
            for bucket_year in (year, "") if year else list(buckets):
                if not (bucket := buckets.get(bucket_year)):
                    continue
                items, titles = bucket
                notices = bool(about) or (name, bucket_year) in self._notices
                for i in _close_titles(scanned, titles, prefixes=notices):
                    found.setdefault(id(items[i]), items[i])
        if volume and year.isdigit():
            # a title with a typo one year off: the same first author in the same volume
            _, ratio = _rapidfuzz()
            for name in families:
                for near in (str(int(year) - 1), str(int(year) + 1)):
                    for title, other in self.by_volume.get((name, volume, near), ()):
                        if ratio(normed, title) >= TITLE_SAME:
                            found.setdefault(id(other), other)
        if self.library is not None:
            # a notice or a translation: also the stored work of the title it is about
            about_titles = [t for t in (about, _original_title(item)) if t]
            for other in self._stored(families or [""], year, fold(raw), about_titles):
                found.setdefault(id(other), other)
        if place:  # a title translated differently
            for other in self.by_place.get(place, ()):
                found.setdefault(id(other), other)
        # the same title under other names (swapped, a group, the editors signing a
        # notice about it), or with the subtitle dropped
        if normed:
            for other in [*(o for title in _titles(raw, normed) for o in self.by_title.get(title, ())),
                          *self.by_title.get(_original_title(item), ()),
                          *self.by_head.get(normed, ()),
                          *(o for head in heads(raw) for o in self.by_title.get(head, ()))]:
                found.setdefault(id(other), other)
        return list(found.values())

    def _stored(self, families: list[str], year: str, title: str, about: list[str]) -> list[Item]:
        """Candidates from the stored library (lazy mode), parsed only when their
        title is close enough to compare; and the works with a title in *about*."""
        lib = self.library
        if lib is None:
            return []
        rows: dict[str, str] = {}
        for family in families:
            for key, _doi, other_title, _dated in lib.candidates(family, year):
                rows[key] = other_title
        if title:
            for key in lib.titled(title):
                rows[key] = title
        named = [other for t in about for key in lib.titled(t) if (other := lib.get(key)) is not None]
        if not rows:
            return named
        # The index holds folded titles: only another script's still needs transliterating.
        keys, titles = list(rows), [t if t.isascii() else norm(t) for t in rows.values()]
        close = _close_titles(norm(title), titles, prefixes=True)
        return named + [other for i in close if (other := lib.get(keys[i])) is not None]

    def judge(self, item: Item) -> Verdict:
        """Every candidate decided: the best SAME (earliest on a tie), MAYBEs and RELATEDs."""
        verdict = Verdict()
        same_doi = self._same_doi(item)
        for other in same_doi:
            # The common case of a record already there: decided without the other blocks.
            if other is not item and decide(item, other).verdict == SAME:
                verdict.same = other
                return verdict
        same: list[tuple[Item, Decision]] = []
        for other in self._candidates(item, same_doi):
            if other is item:
                continue
            custom = other.get("custom")
            distinct = custom.get("distinct") if isinstance(custom, dict) else None
            if item.get("id") and isinstance(distinct, list) and str(item["id"]) in distinct:
                continue
            decision = decide_pair(item, other)
            if decision.verdict == SAME:
                same.append((other, decision))
            elif decision.verdict == MAYBE:
                verdict.maybe.append((other, decision))
            elif decision.verdict == RELATED:
                verdict.related.append((other, decision))
        if same:
            verdict.same = max(same, key=lambda pair: pair[1].score)[0]  # the first of the best
            # the others are works it is the same as too, which the library holds apart: maybe one
            verdict.maybe += [pair for pair in same if pair[0] is not verdict.same]
        else:
            verdict.same = self._same_key(item)
        return verdict

    def _same_key(self, item: Item) -> Item | None:
        """The same citation key from the same file read again: the same work unless the
        evidence says otherwise."""
        own_key = str(item.get("id") or "")
        if not own_key:
            return None
        same_key = self.by_id.get(own_key)
        if same_key is None and self.library is not None:
            same_key = self.library.get(own_key)
        if same_key is not None and _titles_match(item, same_key, 98.0) and \
                decide(item, same_key).verdict in (SAME, MAYBE):
            return same_key
        return None

    def find(self, item: Item) -> Item | None:
        """The library item *item* is the same work as, or None."""
        return self.judge(item).same


def merged_views(item: Item) -> list[Item]:
    """*item* as each record merged into it read where it disagreed (``custom.merged``
    holds the values a merge kept out)."""
    custom = item.get("custom")
    entries = custom.get("merged") if isinstance(custom, dict) else None
    views = []
    for entry in entries if isinstance(entries, list) else ():
        fields = entry.get("fields") if isinstance(entry, dict) else None
        theirs = {k: v for k, v in fields.items() if "." not in k} if isinstance(fields, dict) else {}
        if theirs:
            views.append({**item, **theirs})
    return views


def decide_pair(a: Item, b: Item) -> Decision:
    """``refcli.matching.decide`` on two works, and where it finds them different, on
    each as the records merged into it read: alike there, they are a possible
    duplicate. Flagged, not merged: a merged record's other values are its work's,
    so the evidence is partial."""
    decision = decide(a, b)
    if decision.verdict != DIFFERENT:
        return decision
    for x, y in ((a, b), (b, a)):
        for view in merged_views(y):
            alike = decide(x, view)
            if alike.verdict in (SAME, MAYBE):
                return Decision(MAYBE, alike.score, None, [*alike.evidence_for, "like a record merged into it"],
                                alike.evidence_against)
    return decision


def _titles(raw: str, normed: str) -> tuple[str, ...]:
    """The normalised titles a record is found by: its own and, for a notice (erratum,
    retraction), the title of the work it is about."""
    about = notice_about(raw)
    return (normed, about) if about and about != normed else (normed,)


def _original_title(item: Item) -> str:
    """The normalised ``original-title`` of a translation, "" for other works."""
    original = item.get("original-title")
    return norm(fold(original)) if isinstance(original, str) else ""


def _add_once(items: list[Item], item: Item) -> None:
    if not any(other is item for other in items):
        items.append(item)


@lru_cache(maxsize=1)
def _rapidfuzz() -> tuple[Any, Any]:
    """rapidfuzz's extract and ratio, imported once, on first use (not for a command
    that never compares titles)."""
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    return process.extract, ratio


def _close_titles(title: str, titles: list[str], prefixes: bool = False) -> list[int]:
    """Indexes of the *titles* close enough to *title* to decide on: similar, or (with
    *prefixes*) one the start of the other. The scans are rapidfuzz's and
    ``str.find``'s in C, not Python loops: this runs once per record."""
    if not title or not titles:
        return []
    extract, ratio = _rapidfuzz()
    chosen = {i for _, _, i in extract(title, titles, scorer=ratio, score_cutoff=CANDIDATE_SIMILARITY, limit=None)}
    words = title.split()
    if prefixes and len(words) >= 3:
        from bisect import bisect_left
        from itertools import accumulate

        blob = "\n" + "\n".join(titles) + "\n"
        needles = ["\n" + title + " "] + ["\n" + " ".join(words[:k]) + "\n" for k in range(3, len(words))]
        ends: list[int] = []
        for needle in needles:
            at = blob.find(needle)
            while at >= 0:
                ends = ends or list(accumulate(len(t) + 1 for t in titles))  # where each title ends
                chosen.add(bisect_left(ends, at + 1))
                at = blob.find(needle, at + 1)
    return sorted(chosen)


def _titles_match(a: Item, b: Item, threshold: float) -> bool:
    from rapidfuzz.fuzz import ratio

    ta, tb = fold(a.get("title") or ""), fold(b.get("title") or "")
    if not ta or not tb:
        return False
    return ta == tb or ratio(ta, tb) >= threshold


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
    agreed: list[str] = []
    conflicts: dict[str, Any] = {}
    for name, value in incoming.items():
        if name in ("id", "custom") or _empty(value):
            continue
        current = existing.get(name)
        if _empty(current):
            existing[name] = value
            filled.append(name)
        elif not _same_value(current, value, name):
            conflicts[name] = value
        else:
            agreed.append(name)

    custom = existing.setdefault("custom", {})
    theirs = {k: v for k, v in (incoming.get("custom") or {}).items() if k not in _BOOKKEEPING}
    for key in ("tags", "cites", "related", "distinct"):  # lists that unite rather than conflict
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
        # What this record brought, so that ``unmerge`` can split it off again.
        entry: dict[str, Any] = {"source": source, "at": when, "merged": True}
        if their_key:
            entry["key"] = their_key
        top = [f for f in filled if "." not in f and f not in ("tags", "cites", "related", "distinct")]
        if top:
            entry["filled"] = top
        if agreed:
            entry["agreed"] = agreed
        custom.setdefault("sources", []).append(entry)
        custom["modified"] = when
    return filled + list(conflicts)


# refcli's own record of an item's history: never taken from the other side.
_BOOKKEEPING = frozenset({"schema", "added", "modified", "sources", "merged", "aliases",
                          "possible-duplicates"})


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
