"""``citation-label`` for items that have none: citeproc-js's trigraph.

The default trigraph ``Aaaa00:AaAa00:AaAA00:AAAA00`` reads: one name -> its
first four letters, two -> two letters each, three -> two, one, one, four or
more -> the first letter of four; then the year's last two digits ("Asth00",
"BrCh98", "DEFG26").  Without names, the title's first four letters with the
locale's skip words left out; without a year, "0000"."""

from __future__ import annotations

import re
from typing import Any

TRIGRAPH = "Aaaa00:AaAa00:AaAA00:AAAA00"
_NAME_VARIABLES = ("author", "chair", "collection-editor", "compiler", "composer", "container-author",
                   "contributor", "curator", "director", "editor", "editorial-director", "editor-translator",
                   "executive-producer", "guest", "host", "illustrator", "interviewer", "narrator",
                   "organizer", "original-author", "performer", "producer", "recipient",
                   "reviewed-author", "script-writer", "series-creator", "translator")
_NOT_LETTERS = re.compile(r"[^a-zA-Z\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u1f00-\u1fff]")
_ARTICLE = re.compile(r"^(a|the|an)\s+", re.I)
_PARTICLE = re.compile(r"^([ '\u2019a-z]+\s+)")


def _params(trigraph: str) -> list[tuple[list[int], int]]:
    out = []
    for part in trigraph.split(":"):
        letters: list[int] = []
        year = 0
        for ch in part:
            if ch == "A":
                letters.append(1)
            elif ch == "a" and letters:
                letters[-1] += 1
            elif ch == "0":
                year += 1
        out.append((letters, year))
    return out


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:].lower()


def citation_label(item: dict[str, Any], skip_words: frozenset[str] = frozenset(),
                   trigraph: str = TRIGRAPH) -> str:
    """The label citeproc-js gives ``item`` (a CSL-JSON dict)."""
    params = _params(trigraph)
    letters, year_digits = params[0]
    label = ""
    for var in _NAME_VARIABLES:
        names = item.get(var)
        if not isinstance(names, list) or not names:
            continue
        letters, year_digits = params[min(len(names), len(params)) - 1]
        for name, count in zip(names, letters, strict=False):
            if not isinstance(name, dict):
                break
            text = str(name.get("family") or "")
            text = _PARTICLE.sub("", text) if text else str(name.get("literal") or "")
            text = _NOT_LETTERS.sub("", _ARTICLE.sub("", text))
            if not text:
                break
            label += _cap(text[:count])
        break
    if not label and isinstance(item.get("title"), str):
        words = [w for w in item["title"].split() if w not in skip_words]
        label = _cap("".join(words)[:params[0][0][0]])
    year = "0000"
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = str(parts[0][0])
    return label + (year[-year_digits:] if year_digits else "")
