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
from typing import Any

from refcli.identifiers import normalize_doi
from refcli.keys import year_of
from refcli.matching import MAYBE, RELATED, SAME, Decision, decide, fold, norm

Item = dict[str, Any]

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
        for name in item.get(role) or []:
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
        for name in item.get(role) or []:
            if isinstance(name, dict):
                words = str(name.get("given") or "").replace(".", " ").split()
                return family_key(words[0]) if words and len(words[0]) > 2 else ""
    return ""


@dataclass
class Verdict:
    """What the library holds of one incoming record: the work it is (``same``), works
    it may be (``maybe``, for review) and works it is related to (``related``)."""

    same: Item | None = None
    maybe: list[tuple[Item, Decision]] = field(default_factory=list)
    related: list[tuple[Item, Decision]] = field(default_factory=list)


# A title this far from the incoming one is not compared further (rapidfuzz ratio).
CANDIDATE_SIMILARITY = 60.0


class Matcher:
    """Finds the library items a new record may duplicate, then decides with
    ``refcli.matching.decide``.

    Candidates come from blocks: the same DOI, the same first-author key and a
    year within one (or no year), and the same folded title (for names given
    swapped or as a group). Built once per command, then told about each item
    added so that duplicates *within* one call are found too (and again about an
    item whose DOI, title, names or date a merge filled in: the decision reads the
    items as they are now, so a DOI a merge filled in vetoes a later record with
    another DOI). Over a lazily opened library it asks the library (and so the
    derived index) instead of indexing every item.
    """

    def __init__(self, items: Iterable[Item] = (), library: Any = None) -> None:
        self.library = library
        self.by_doi: dict[str, list[Item]] = {}
        # family -> year -> items: a look-up reads three years' items and the undated ones
        self.by_family: defaultdict[str, defaultdict[str, list[Item]]] = defaultdict(lambda: defaultdict(list))
        self.by_title: dict[str, list[Item]] = {}
        self.by_id: dict[str, Item] = {}
        for item in items:
            self.add(item)

    def add(self, item: Item) -> None:
        doi = doi_of(item)
        if doi:
            _add_once(self.by_doi.setdefault(doi, []), item)
        _add_once(self.by_family[first_family(item)][year_of(item)], item)
        title = fold(item.get("title") or "")
        if title:
            _add_once(self.by_title.setdefault(title, []), item)
        if item.get("id"):
            self.by_id.setdefault(str(item["id"]), item)

    def _candidates(self, item: Item) -> list[Item]:
        found: dict[int, Item] = {}
        doi = doi_of(item)
        for other in self.by_doi.get(doi, ()) if doi else ():
            found[id(other)] = other
        families = [f for f in dict.fromkeys((first_family(item), first_given(item))) if f]
        year = year_of(item)
        title = fold(item.get("title") or "")
        pool: list[Item] = []
        for family in families or [""]:
            buckets = self.by_family.get(family)
            if not buckets:
                continue
            if year and year.lstrip("-").isdigit():
                y = int(year)
                for key in (str(y - 1), year, str(y + 1), ""):
                    pool.extend(buckets.get(key, ()))
            else:
                for bucket in buckets.values():
                    pool.extend(bucket)
        pool.extend(self.by_title.get(title, ()))
        if self.library is not None:
            pool.extend(self._stored(item, doi, families or [""], year, title, found))
        for other in _alike(title, pool):
            found.setdefault(id(other), other)
        return list(found.values())

    def _stored(self, item: Item, doi: str | None, families: list[str], year: str, title: str,
                found: dict[int, Item]) -> list[Item]:
        """Candidates from the stored library (lazy mode), parsed only when their
        title is close enough to compare."""
        lib = self.library
        if doi:
            stored = lib.get(doi)
            if stored is not None:
                found[id(stored)] = stored
        rows: dict[str, str] = {}
        years = [year] if not year.lstrip("-").isdigit() else [str(int(year) + d) for d in (0, -1, 1)]
        for family in families:
            for y in years:
                for key, _doi, other_title, _dated in lib.candidates(family, y):
                    rows[key] = other_title
        if title and hasattr(lib, "titled"):
            for key in lib.titled(title):
                rows[key] = title
        if not rows:
            return []
        from rapidfuzz import process
        from rapidfuzz.fuzz import ratio

        keys, titles = list(rows), [norm(t) for t in rows.values()]
        mine = norm(title)
        hits = process.extract(mine, titles, scorer=ratio, score_cutoff=CANDIDATE_SIMILARITY, limit=None)
        close = {keys[i] for _, _, i in hits} | {keys[i] for i, t in enumerate(titles) if _prefix(mine, t)}
        return [other for other in map(lib.get, sorted(close)) if other is not None]

    def judge(self, item: Item) -> Verdict:
        """Every candidate decided: the best SAME (earliest on a tie), MAYBEs and RELATEDs."""
        verdict = Verdict()
        best = -1.0
        for other in self._candidates(item):
            if other is item:
                continue
            distinct = set((other.get("custom") or {}).get("distinct") or ())
            if item.get("id") and str(item["id"]) in distinct:
                continue
            decision = decide(item, other)
            if decision.verdict == SAME and decision.score > best:
                verdict.same, best = other, decision.score
            elif decision.verdict == MAYBE:
                verdict.maybe.append((other, decision))
            elif decision.verdict == RELATED:
                verdict.related.append((other, decision))
        if verdict.same is None:
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


def _add_once(items: list[Item], item: Item) -> None:
    if not any(other is item for other in items):
        items.append(item)


def _prefix(a: str, b: str) -> bool:
    """One title starts with the other (an abridged title in a reference list)."""
    if not a or not b or a == b:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short.split()) >= 3 and long.startswith(short + " ")


def _alike(title: str, pool: list[Item]) -> list[Item]:
    """The items of *pool* whose titles are close enough to *title* to decide on."""
    if not pool:
        return []
    if not title:
        return []
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    unique = list({id(i): i for i in pool}.values())
    titles = [norm(fold(i.get("title") or "")) for i in unique]
    title = norm(title)
    hits = process.extract(title, titles, scorer=ratio, score_cutoff=CANDIDATE_SIMILARITY, limit=None)
    chosen = {i for _, _, i in hits} | {i for i, t in enumerate(titles) if _prefix(title, t)}
    return [unique[i] for i in sorted(chosen)]


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


_NAME_FIELDS = {"author", "editor", "translator", "director", "composer", "container-author",
                "collection-editor", "editorial-director", "illustrator", "interviewer",
                "original-author", "recipient", "reviewed-author"}


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
        # What this record brought, so that ``unmerge`` can split it off again.
        entry: dict[str, Any] = {"source": source, "at": when, "merged": True}
        if their_key:
            entry["key"] = their_key
        top = [f for f in filled if "." not in f and f not in ("tags", "cites")]
        if top:
            entry["filled"] = top
        if agreed:
            entry["agreed"] = agreed
        custom.setdefault("sources", []).append(entry)
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
