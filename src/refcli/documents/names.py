"""Dates and personal names as documents write them (meta tags, bylines, citations),
read by the printed-reference rules of ``refcli.printed``.

Every metadata source reads names and dates through here, so that "Kistanov V.O.",
"V. O. Kistanov" and "Kistanov, V.O." become the same CSL name, as the reference
parser reads them too. What is particular to a document's own metadata is here:
footnote marks after a byline's names ("Smith J.¹*"), and no et-al flag.
"""

from __future__ import annotations

import re

from refcli import printed
from refcli.printed import ORG_WORDS
from refcli.printed import find_date as parse_date

__all__ = ["ORG_WORDS", "parse_date", "parse_name", "parse_names"]

# Affiliation and footnote marks right after a name: "Smith1,2", "Jones²†", "V.O.1".
_MARKS = r"[\d*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+"
_FOOTNOTE_MARKS = re.compile(rf"(?<=[^\W\d_]|\.)\s?{_MARKS}(?:,{_MARKS})*(?=\s*(?:[,;&]|\b(?:and|und|et|и)\b|$))")


def parse_name(text: str) -> dict[str, str] | None:
    """One person or organisation as a CSL name."""
    return printed.parse_name(_FOOTNOTE_MARKS.sub("", text.strip().strip(",;")))


def parse_names(text: str) -> list[dict[str, str]]:
    """Several names as written in a byline or citation: "A. B. Cee, D. Eff and G. Haitch",
    "Kistanov V.O., Smith J.", "Smith, S.A. and McClean C."."""
    return printed.parse_names(_FOOTNOTE_MARKS.sub("", text))[0]
