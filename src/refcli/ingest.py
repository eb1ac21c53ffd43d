"""Bringing records into the library: clean, deduplicate, key, store.

Every way in (a file, a DOI look-up, a document's reference list) ends here, so
the rules are the same whichever way a work arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refcli.dedupe import Matcher, Verdict
from refcli.identifiers import normalize_doi
from refcli.library import Library, now_iso
from refcli.vocabulary import Item


@dataclass
class Outcome:
    """What happened to one incoming record."""

    key: str
    status: str  # "added" | "merged" | "unchanged"
    incoming_id: str | None = None
    fields: list[str] = field(default_factory=list)
    maybe: list[str] = field(default_factory=list)  # added, and possibly a duplicate of these
    related: list[tuple[str, str]] = field(default_factory=list)  # (key, relation)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def keys(self) -> list[str]:
        return [o.key for o in self.outcomes]


_EMPTY: tuple[object, ...] = (None, "", [], {})  # built once: a literal holding [] and {} is rebuilt on every test


def clean(item: Item) -> Item:
    """The canonical form the library stores: normalised DOI, no empty fields."""
    item = {k: v for k, v in item.items() if v not in _EMPTY}
    if "DOI" in item:
        doi = normalize_doi(str(item["DOI"]))
        if doi:
            item["DOI"] = doi
        else:
            item.setdefault("custom", {}).setdefault("invalid", {})["DOI"] = item.pop("DOI")
    item.setdefault("type", "document")
    return item


class Ingest:
    """Adds records to a library inside one transaction, deduplicating as it goes."""

    # Finding a record's possible duplicates through the index costs far more than
    # parsing one stored work. Past a tenth of the library's size (and a floor for
    # small ones), parsing the library once is cheaper (benchmarks/README.md).
    LAZY_LIMIT = 200
    LAZY_SHARE = 0.1

    def __init__(self, lib: Library, source: str, tags: list[str] | None = None,
                 expected: int = 1) -> None:
        if lib.lazy and expected > max(self.LAZY_LIMIT, self.LAZY_SHARE * len(lib)):
            lib.parse_all()
        self.lib = lib
        self.source = source
        self.tags = list(tags or [])
        self.when = now_iso()
        # Lazily held, the library answers the Matcher's look-ups through its index;
        # parsed whole, the Matcher indexes every item itself.
        self.matcher = Matcher(library=lib) if lib.lazy else Matcher(lib.items)
        self.report = Report()

    def add(self, record: Item, source: str | None = None, tags: list[str] | None = None) -> Outcome:
        """Add or merge one record; *source* and *tags* override the defaults for it."""
        source = source or self.source
        tags = self.tags if tags is None else tags
        record = clean(record)
        incoming_id = str(record["id"]) if record.get("id") else None
        if tags:
            custom = record.setdefault("custom", {})
            custom["tags"] = list(dict.fromkeys([*custom.get("tags", []), *tags]))
        verdict = self.matcher.judge(record)
        existing = verdict.same
        if existing is not None:
            changed = self.lib.absorb(existing, record, source, self.when)
            if _MATCHED_ON.intersection(changed):
                self.matcher.add(existing)
            maybe, related = note_candidates(existing, verdict)
            outcome = Outcome(existing["id"], "merged" if changed else "unchanged", incoming_id, changed,
                              maybe=maybe, related=related)
        else:
            self.lib.add(record, source, self.when)
            maybe, related = note_candidates(record, verdict)
            self.matcher.add(record)
            outcome = Outcome(record["id"], "added", incoming_id, maybe=maybe, related=related)
        self.report.outcomes.append(outcome)
        return outcome


def note_candidates(record: Item, verdict: Verdict) -> tuple[list[str], list[tuple[str, str]]]:
    """Record on *record* (newly added, or the work a record merged into) the works it
    may duplicate (``custom.possible-duplicates``, for ``refcli duplicates``; not those
    the user said are distinct) and the works it is related to (``custom.related``:
    preprint of, erratum of, chapter of …)."""
    custom = record.setdefault("custom", {})
    distinct = {str(record.get("id")), *map(str, custom.get("distinct") or ())}
    maybe = [(str(other["id"]), d.score) for other, d in verdict.maybe
             if other.get("id") and str(other["id"]) not in distinct]
    related = [(str(other["id"]), str(d.relation)) for other, d in verdict.related if other.get("id")]
    if maybe:
        known = {e.get("key") for e in custom.get("possible-duplicates", []) if isinstance(e, dict)}
        custom.setdefault("possible-duplicates", []).extend(
            {"key": key, "score": round(score, 3)} for key, score in maybe if key not in known)
    if related:
        known = {e.get("key") for e in custom.get("related", []) if isinstance(e, dict)}
        custom.setdefault("related", []).extend(
            {"key": key, "relation": relation} for key, relation in related if key not in known)
    return [key for key, _ in maybe], related


# Fields a merge may fill in, or keep another value of, that the Matcher's blocks key on.
_MATCHED_ON = frozenset({"DOI", "title", "author", "editor", "issued", "volume", "page", "custom.aliases"})

