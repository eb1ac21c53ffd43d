"""Citations as the CSL processor test suite and citeproc-js give them: cites and clusters.

The data types (``Cite``, ``Cluster``) and their checking (``normalize``), apart
from the rendering in ``refcli.csl.cluster`` so that the processor can build
clusters without importing the renderer that imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
