"""Cite positions across a document: first, subsequent, ibid, ibid-with-locator,
near-note and first-reference-note-number, as citeproc-js's
``processCitationCluster`` sets them (``updateItems``/position pass).

Rules (citeproc-js, Zotero):
- *first*: the item was not cited before.
- *ibid*: the cite immediately before refers to the same item — the previous
  cite in the same citation, or, for the first cite of a citation, the last
  cite of the previous citation when that citation sits in the same note, or
  the previous citation when it is in the previous note, was the only
  citation of that note and cites this work alone.  With locators: no locator after a cite
  with one is *subsequent*; a different locator (or a new one) is
  *ibid-with-locator*; the same one is *ibid*.
- *subsequent*: everything else already cited.
- *near-note*: a non-first cite whose item was cited at most
  ``near-note-distance`` notes before (always, for cites in the text).
- *first-reference-note-number*: the note of the item's first citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = 0, 1, 2, 3


class _Cite(Protocol):
    id: str
    locator: str | None
    label: str | None


@dataclass(frozen=True)
class Position:
    """Where one cite stands in the document."""

    position: int = FIRST
    near_note: bool = False
    first_note: int = 0  # note of the first citation of the item (0: none or the same note)


def holds(test: str, pos: Position) -> bool:
    """Whether a cs:if ``position`` test passes (``ibid`` also holds for
    ibid-with-locator, ``subsequent`` for every non-first position)."""
    if test == "first":
        return pos.position == FIRST
    if test == "subsequent":
        return pos.position != FIRST
    if test == "ibid":
        return pos.position in (IBID, IBID_WITH_LOCATOR)
    if test == "ibid-with-locator":
        return pos.position == IBID_WITH_LOCATOR
    if test == "near-note":
        return pos.near_note
    return False


def _locator_key(cite: _Cite) -> str | None:
    return None if not cite.locator else cite.locator + (cite.label or "")


def track(citations: Sequence[tuple[int, Sequence[_Cite]]], near_note_distance: int = 5) -> list[list[Position]]:
    """Positions of every cite of ``citations`` — ``(note index, cites in
    their final, sorted order)`` in document order.  Citations in the text
    (note 0) and citations in notes are two sequences of their own, as in
    citeproc-js: a note between two in-text cites does not break an ibid."""
    out: list[list[Position]] = [[] for _ in citations]
    for in_notes in (False, True):
        picked = [n for n, (note, _) in enumerate(citations) if bool(note) == in_notes]
        for n, row in zip(picked, _track([citations[n] for n in picked], near_note_distance), strict=True):
            out[n] = row
    return out


def _track(citations: Sequence[tuple[int, Sequence[_Cite]]], near_note_distance: int) -> list[list[Position]]:
    first_ref: dict[str, int] = {}
    last_ref: dict[str, int] = {}
    per_note: dict[int, int] = {}
    for note, _ in citations:
        per_note[note] = per_note.get(note, 0) + 1
    out: list[list[Position]] = []
    for j, (note, cites) in enumerate(citations):
        row: list[Position] = []
        for k, cite in enumerate(cites):
            key = cite.id.lower()
            if key not in last_ref:
                first_ref[key] = note
                last_ref[key] = note
                row.append(Position(FIRST, False, 0))
                continue
            ibid = False
            prev: _Cite | None = None
            if k > 0:
                prev = cites[k - 1]
                ibid = prev.id.lower() == key
            elif j > 0:
                prev_note, prev_cites = citations[j - 1]
                if prev_cites:
                    if prev_note != note:
                        # the previous note held this one citation of this one work
                        prev = prev_cites[0]
                        ibid = (prev.id.lower() == key and prev_note >= note - 1 and len(prev_cites) == 1
                                and (per_note[prev_note] == 1 or prev_note == 0))
                    else:
                        prev = prev_cites[-1]
                        ibid = prev.id.lower() == key
            position = SUBSEQUENT
            if ibid and prev is not None:
                before, now = _locator_key(prev), _locator_key(cite)
                if not before:
                    position = IBID_WITH_LOCATOR if now else IBID
                elif now == before:
                    position = IBID
                elif now:
                    position = IBID_WITH_LOCATOR
            near = True
            if note:
                near = note - last_ref[key] <= near_note_distance
                last_ref[key] = note
            first = first_ref[key] if first_ref[key] != note else 0
            row.append(Position(position, near, first))
        out.append(row)
    return out
