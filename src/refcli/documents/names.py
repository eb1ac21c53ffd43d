"""Dates and personal names as documents write them (meta tags, bylines, citations),
read by the printed-reference rules of ``refcli.printed``.

What is particular to a document's own metadata is here: footnote marks after a
byline's names ("Smith J.¹*"), and no et-al flag.
"""

from __future__ import annotations

import re

from refcli import printed
from refcli.printed import ORG_WORDS
from refcli.printed import find_date as parse_date

__all__ = ["ORG_WORDS", "parse_date", "parse_name", "parse_names"]

_FOOTNOTE_MARKS = re.compile(r"[\d*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+$")


def parse_name(text: str) -> dict[str, str] | None:
    """One person or organisation as a CSL name."""
    name = printed.parse_name(_FOOTNOTE_MARKS.sub("", text.strip().strip(",;")))
    return name


def parse_names(text: str) -> list[dict[str, str]]:
    """Several names as written in a byline or citation: "A. B. Cee, D. Eff and G. Haitch",
    "Kistanov V.O., Smith J.", "Smith, S.A. and McClean C."."""
    return printed.parse_names(text)[0]
