"""``render()``: CSL-JSON items -> in-text citations and bibliography.

Why this shape: the CLI needs one call that returns the combined citation, each
item's citation alone and the sorted bibliography; everything between (style
loading, disambiguation, punctuation) is the engine's business.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from refcli.errors import InputError, UsageError
from refcli.vocabulary import NAME_VARIABLES

FORMATS = ("text", "html", "markdown", "latex", "rich")
# Fields whose text is an address or code, not prose: no quote/apostrophe smartening.
_LITERAL_FIELDS = {"URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "id", "type", "language",
                   "page", "page-first", "volume", "issue", "number", "edition"}


@lru_cache(maxsize=16)
def _style(path: str, mtime: int, locale: str | None):
    """Parsed style + locale chain, reused across renders in one process."""
    from refcli.csl.engine import Style
    from refcli.csl.markup import FORMATTER

    st = Style(Path(path), locale)
    st.root.formatter = FORMATTER
    return st


def _prepare(item: dict, index: int) -> dict:
    """Copy an item for the engine: string ids, smart quotes, no private-use chars,
    drop refcli's ``custom`` bookkeeping and values citeproc-py cannot take."""
    from refcli.csl.dates import normalize_date
    from refcli.csl.markup import clean_input, field_markup, smart_text
    from refcli.csl.names import parse_name

    if not isinstance(item, dict):
        raise InputError("item is not a JSON object", where=f"item #{index + 1}")
    if "id" not in item:
        raise InputError("item has no id", where=f"item #{index + 1}")
    item = _note_fields(item)
    out: dict = {}
    for k, v in item.items():
        if k in ("custom", "key") or v is None or v == "" or v == []:
            continue
        if k in _DATE_VARS:
            try:
                v = normalize_date(v)
            except ValueError as exc:
                raise InputError(f"{k}: {exc}", where=f"item {item['id']}") from None
            if v is None:
                continue
        elif isinstance(v, str):
            v = clean_input(v)
            if k not in _LITERAL_FIELDS:
                v = smart_text(field_markup(v))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            v = [_split_particles({nk: (smart_text(field_markup(nv)) if isinstance(nv, str) else nv)
                                   for nk, nv in parse_name(
                     {nk: (clean_input(nv) if isinstance(nv, str) else nv)
                      for nk, nv in n.items() if nk in _NAME_KEYS and nv not in (None, "")}).items()})
                 for n in v]
        elif isinstance(v, (int, float)):
            v = str(v)
        out[k] = v
    # legacy CSL-JSON names of the short forms (Zotero's export), as citeproc-js reads them
    for legacy, var in (("journalAbbreviation", "container-title-short"), ("shortTitle", "title-short")):
        if legacy in out and var not in out:
            out[var] = out.pop(legacy)
    out["id"] = str(item["id"])
    out.setdefault("type", "article")
    return out


def _note_fields(item: dict) -> dict:
    """Zotero's "Extra" convention, read as citeproc-js reads it
    (``parseNoteFieldHacks``): a line ``container-title: Container`` in the
    note sets that variable when the item has none; a date line
    (``event-date: 2004-10-01/2004-10-14``) sets that date even over the
    item's own; name lines (``reviewed-author: Hall || W.C.``, family and
    given split by ``||``, else a literal name) add up to that name list
    when the item has none.  A line used leaves the note."""
    note = item.get("note")
    if not isinstance(note, str) or ":" not in note:
        return item
    extra: dict = {}
    kept = []
    for line in note.split("\n"):
        m = _NOTE_FIELD.fullmatch(line.strip())
        key = m.group(1) if m else ""
        if m and key in _DATE_VARS:
            extra[key] = {"raw": m.group(2).strip()}
        elif m and key in _NOTE_NAME_VARS and key not in item:
            parts = re.split(r"\s*\|\|\s*", m.group(2).strip())
            if len(parts) <= 2:
                name = {"literal": parts[0]} if len(parts) == 1 else {"family": parts[0], "given": parts[1]}
                extra.setdefault(key, []).append(name)
        elif m and key in _NOTE_VARS and key not in item and key not in extra:
            extra[key] = m.group(2).strip()
        else:
            kept.append(line)
    if not extra:
        return item
    return {**item, **extra, "note": "\n".join(kept).strip()}


_NOTE_FIELD = re.compile(r"([A-Za-z][A-Za-z-]*):\s*(\S.*)")
_NOTE_VARS = frozenset({
    "abstract", "annote", "archive", "archive_location", "archive-place", "authority", "call-number",
    "chapter-number", "collection-number", "collection-title", "collection-title-short", "container-title",
    "container-title-short", "dimensions", "DOI", "edition", "event", "event-place", "genre", "ISBN", "ISSN",
    "issue", "jurisdiction", "keyword", "medium", "number", "number-of-pages", "number-of-volumes",
    "original-publisher", "original-publisher-place", "original-title", "page", "PMCID", "PMID", "publisher",
    "publisher-place", "references", "reviewed-title", "scale", "section", "source", "status", "title",
    "title-short", "URL", "version", "volume"})
# citeproc-js's NAME_VARIABLES: CSL's, and two of its own
_NOTE_NAME_VARS = frozenset(NAME_VARIABLES) | {"editor-translator", "commenter"}
_DATE_VARS = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
_NAME_KEYS = {"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal",
              "comma-suffix"}


def _split_particles(name: dict) -> dict:
    """citeproc-js (parseParticles) reads leading lowercase words of a family
    name as its non-dropping particle: "van der Berg" is Berg with "van der",
    so Chicago sorts and inverts it "Berg, Ana van der".  Only when the item
    gives no particle of its own and a capitalised word remains."""
    family = name.get("family")
    if not isinstance(family, str) or "non-dropping-particle" in name or "dropping-particle" in name \
            or name.get("_literal_family"):
        return {k: v for k, v in name.items() if k != "_literal_family"}
    words = family.split(" ")
    n = 0
    while n < len(words) - 1 and words[n].lstrip("'\u2019")[:1].islower():
        n += 1
    if n == 0:
        return name
    particle = " ".join(words[:n])
    if particle.endswith(("'", "\u2019")):
        # "de' Frinkle" was typed with a space: keep it (an elided particle
        # typed without one, "d'Wander", is glued where the name renders)
        particle += " "
    return {**name, "non-dropping-particle": particle, "family": " ".join(words[n:])}


def prepare_all(items: list[dict]) -> list[dict]:
    """Every item prepared (``_prepare``); InputError on a repeated id."""
    prepared = [_prepare(it, i) for i, it in enumerate(items)]
    seen: set[str] = set()
    for it in prepared:
        if it["id"].lower() in seen:
            raise InputError("duplicate item id (ids are compared case-insensitively)",
                             where=f"item {it['id']}")
        seen.add(it["id"].lower())
    return prepared


def check_request(fmt: str, parts: Iterable[str] | None, allowed: frozenset[str]) -> frozenset[str]:
    """The parts asked for (all of ``allowed`` by default); UsageError for an
    unknown output format or part."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    wanted = allowed if parts is None else frozenset(parts)
    if not wanted <= allowed:
        raise UsageError(f"unknown part(s) {', '.join(sorted(wanted - allowed))} "
                         f"(choose from {', '.join(sorted(allowed))})")
    return wanted


def check_locale(locale: str | None) -> str | None:
    """A known locale name ("de" -> "de-DE"), or UsageError."""
    from refcli.csl.styles import available_locales

    if locale is not None and locale not in available_locales():
        close = [x for x in available_locales() if x.split("-")[0] == locale.split("-")[0]]
        if len(close) >= 1 and "-" not in locale:
            return close[0]
        raise UsageError(f"unknown locale '{locale}'")
    return locale


def render(items: list[dict], style: str, locale: str | None = None, fmt: str = "text",
           cite_ids: list[str] | None = None, parts: Iterable[str] | None = None) -> dict:
    """Format ``items`` with a CSL ``style`` (name or ``.csl`` path).

    Returns ``{"citation": str, "citations": {id: str}, "bibliography":
    [{"id", "text"}, …]}``: the citation of ``cite_ids`` together (default: all
    items in the given order), each item's first-position citation alone, and
    the bibliography in style order (empty for styles without one).
    ``parts``: which of ``"citation"``, ``"citations"``, ``"bibliography"`` to
    produce (default all); the others come back empty.  Disambiguation still
    looks at every item, so the parts asked for are the same either way — the
    CLI asks for what it prints (``citations`` only for ``--json``, no entries
    for ``--citation-only``).
    ``fmt``: text | html | markdown | latex | rich (rich console markup; small
    caps are shown bold since a terminal has none, super/subscript digits use
    Unicode super/subscript characters).
    """
    from refcli.csl.process import PARTS, Processor
    from refcli.csl.styles import resolve_style

    wanted = check_request(fmt, parts, PARTS)
    locale = check_locale(locale)
    path = resolve_style(style)
    prepared = prepare_all(items)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = _style(str(path), os.stat(path).st_mtime_ns, locale)
        return Processor(st, prepared, fmt).run(cite_ids, wanted)
