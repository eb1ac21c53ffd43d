"""Citation clusters: several citations, each of several cites, rendered in order.

The shapes are those of the CSL processor test suite (and citeproc-js):

- a *cite* is a dict: ``id`` (required), ``locator``, ``label`` (a CSL locator
  term: ``page``, ``chapter``, ``section``, ``figure``…; ``page`` when a
  locator has none), ``prefix``, ``suffix``, ``suppress-author``,
  ``author-only``, and, to force what the position tracking would find,
  ``position`` (0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator, or those
  names) and ``near-note``;
- a *cluster* (one citation) is either a list of cites (a ``CITATION-ITEMS``
  entry) or a dict ``{"citationItems": [cite, …], "properties": {"noteIndex":
  N, "mode": "author-only" | "suppress-author", "prefix", "suffix"}}`` (a
  ``CITATIONS`` entry; ``citationID`` is ignored).

``render_clusters`` renders them as one document does: positions (first,
subsequent, ibid, ibid-with-locator, near-note, first-reference-note-number)
are tracked from cluster to cluster, cites are sorted inside a citation when
the style sorts them, grouped by author and collapsed as the style asks
(``collapse``, ``cite-group-delimiter``, ``after-collapse-delimiter``).
With ``track_positions=False`` every cluster is rendered on its own, as
citeproc-js's ``makeCitationCluster`` does (every cite first unless it says
otherwise).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from refcli.errors import InputError

_RANGE = re.compile(r"(?<=\w)\s*[-\u2013]\s*(?=\w)")  # "100 - 103" is the range 100-103
_LABELLED = re.compile(r"^([a-z]+)\.\s+(.*)$", re.S)
_LABEL_ABBREVIATIONS = {
    "vrs": "verse", "sv": "sub-verbo", "op": "opus", "app": "appendix", "art": "article-locator",
    "bk": "book", "ch": "chapter", "col": "column", "fig": "figure", "fol": "folio", "n": "note",
    "l": "line", "no": "issue", "p": "page", "pp": "page", "para": "paragraph", "pt": "part",
    "r": "rule", "sec": "section", "supp": "supplement", "tbl": "table", "vol": "volume",
}
POSITIONS = {"first": 0, "subsequent": 1, "ibid": 2, "ibid-with-locator": 3}
CLUSTER_PARTS = frozenset({"clusters", "citations", "bibliography"})


@dataclass
class Cite:
    """One cite of a cluster, normalised."""

    id: str
    locator: str | None = None
    label: str | None = None
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False
    author_only: bool = False
    position: int | None = None  # forced position, else tracked
    near_note: bool | None = None


@dataclass
class Cluster:
    """One citation: its cites and the note it sits in (0: in the text)."""

    cites: list[Cite]
    note_index: int = 0
    mode: str | None = None  # "author-only" | "suppress-author" for the whole citation
    prefix: str = ""
    suffix: str = ""


def _text(value: Any, what: str, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{what} must be text", where=where)
    return str(value)


def _cite(raw: Any, where: str) -> Cite:
    if isinstance(raw, str):
        raw = {"id": raw}
    if not isinstance(raw, Mapping):
        raise InputError("a cite must be an object with an id", where=where)
    if raw.get("id") in (None, ""):
        raise InputError("cite has no id", where=where)
    locator = _RANGE.sub("-", _text(raw.get("locator"), "locator", where).strip()) or None
    label = _text(raw.get("label"), "label", where).strip() or None
    if locator and label in (None, "page"):
        # "vol. 1, fol. 186" is volume 1…: a leading label abbreviation is read
        # as the label, as citeproc-js (and Zotero) do
        m = _LABELLED.match(locator)
        if m and m.group(1) in _LABEL_ABBREVIATIONS:
            label, locator = _LABEL_ABBREVIATIONS[m.group(1)], m.group(2)
    position = raw.get("position")
    if isinstance(position, str):
        if position not in POSITIONS:
            raise InputError(f"unknown position '{position}' (choose from {', '.join(POSITIONS)})", where=where)
        position = POSITIONS[position]
    elif position is not None and (isinstance(position, bool) or not isinstance(position, int)
                                   or not 0 <= position <= 4):
        raise InputError("position must be 0-4 or a position name", where=where)
    near = raw.get("near-note")
    return Cite(id=str(raw["id"]), locator=locator, label=label if locator else label,
                prefix=_text(raw.get("prefix"), "prefix", where),
                suffix=_text(raw.get("suffix"), "suffix", where),
                suppress_author=bool(raw.get("suppress-author")), author_only=bool(raw.get("author-only")),
                position=position, near_note=None if near is None else bool(near))


def normalize(clusters: Iterable[Any]) -> list[Cluster]:
    """Clusters in either accepted shape -> ``Cluster`` objects (InputError
    naming the cluster and cite for anything malformed)."""
    out: list[Cluster] = []
    for n, raw in enumerate(clusters):
        where = f"citation {n + 1}"
        if isinstance(raw, Cluster):
            out.append(raw)
            continue
        props: Mapping = {}
        if isinstance(raw, Mapping):
            props = raw.get("properties") or {}
            if not isinstance(props, Mapping):
                raise InputError("properties must be an object", where=where)
            raw = raw.get("citationItems")
        if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
            raise InputError("a citation must be a list of cites", where=where)
        cites = [_cite(c, f"{where}, cite {i + 1}") for i, c in enumerate(raw)]
        note = props.get("noteIndex", 0)
        if isinstance(note, bool) or not isinstance(note, int) or note < 0:
            raise InputError("noteIndex must be a whole number", where=where)
        mode = props.get("mode")
        if mode not in (None, "author-only", "suppress-author", "composite"):
            raise InputError(f"unknown mode '{mode}'", where=where)
        out.append(Cluster(cites=cites, note_index=note, mode=mode,
                           prefix=_text(props.get("prefix"), "prefix", where),
                           suffix=_text(props.get("suffix"), "suffix", where)))
    return out


def render_clusters(items: list[dict], style: str, clusters: Iterable[Any], locale: str | None = None,
                    fmt: str = "text", *, track_positions: bool = True,
                    parts: Iterable[str] | None = None) -> dict[str, Any]:
    """Render ``clusters`` (see the module docstring) of ``items`` with a CSL ``style``.

    Returns ``{"clusters": [str, …], "notes": [int, …], "citations": {id:
    str}, "bibliography": [{"id", "text"}, …], "errors": [{"id", "field",
    "message"}, …]}``: one finished citation per cluster in the order given,
    the note each sits in (0: in the text; a note style given no note numbers
    puts each citation in a note of its own: 1, 2, …), each item's
    first-position citation alone (only when ``parts`` asks for
    ``"citations"``), the bibliography of every item (cited ones
    first, in order of first citation, for numbering; then the style's sort),
    and the items that could not be rendered — left out of both, never taking
    the others with them (``field`` names the field that broke the item when
    one does).  ``parts``: any of ``"clusters"``, ``"citations"``,
    ``"bibliography"`` (default all).  ``fmt``: as ``refcli.csl.render``.
    """
    from refcli.csl.process import ItemError, Processor
    from refcli.csl.render import _style, check_locale, check_request, prepare_all
    from refcli.csl.styles import resolve_style

    wanted = check_request(fmt, parts, CLUSTER_PARTS)
    locale = check_locale(locale)
    path = resolve_style(style)
    todo = normalize(clusters)
    prepared = prepare_all(items)
    known = {it["id"].lower() for it in prepared}
    for n, cluster in enumerate(todo):
        for c in cluster.cites:
            if c.id.lower() not in known:
                raise InputError("not among the items given", where=f"citation {n + 1}, item {c.id}")
    # cited items first, in order of first citation (citation numbers follow it)
    rank: dict[str, int] = {}
    for cluster in todo:
        for c in cluster.cites:
            rank.setdefault(c.id.lower(), len(rank))
    prepared.sort(key=lambda it: rank.get(it["id"].lower(), len(rank)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = _style(str(path), os.stat(path).st_mtime_ns, locale)
        if st.root.get("class") == "note" and all(c.note_index == 0 for c in todo):
            # a note style numbers citations given without notes: one note each
            todo = [replace(c, note_index=n + 1) for n, c in enumerate(todo)]
        errors: list[dict[str, Any]] = []
        # an item that breaks is left out and the rest rendered again (its
        # absence can change disambiguation and numbering, as it should)
        for _ in range(len(prepared) + 1):
            try:
                result = Processor(st, prepared, fmt).run_clusters(todo, track_positions, wanted)
            except ItemError as exc:
                bad = next(it for it in prepared if it["id"] == exc.item_id)
                errors.append({"id": exc.item_id, "field": _culprit(st, bad, fmt),
                               "message": exc.message})
                prepared = [it for it in prepared if it is not bad]
                todo = _without(todo, exc.item_id)
                continue
            result["errors"] = errors
            result["notes"] = [c.note_index for c in todo]
            return result
    raise AssertionError("unreachable: every round removes an item")


def _without(clusters: list[Cluster], item_id: str) -> list[Cluster]:
    gone = item_id.lower()
    return [replace(c, cites=[x for x in c.cites if x.id.lower() != gone]) for c in clusters]


def _culprit(st: Any, item: dict[str, Any], fmt: str) -> str | None:
    """The field whose removal lets ``item`` render alone (None when no single
    field does): what the error message names."""
    from refcli.csl.process import Processor

    one = [Cluster([Cite(item["id"])])]
    for name in item:
        if name in ("id", "type"):
            continue
        trial = {k: v for k, v in item.items() if k != name}
        try:
            Processor(st, [trial], fmt).run_clusters(one, True, CLUSTER_PARTS)
        except Exception:  # noqa: BLE001 - any failure means this field was not the (only) cause
            continue
        return name
    return None
