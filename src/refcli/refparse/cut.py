"""Identifiers cut from a reference string before the labeller reads it.

DOIs, URLs, arXiv ids, PMIDs/PMCIDs and labelled ISBNs are found by exact rules
(``fields._identifiers`` reads them from the whole string); left in, their pieces are
words to the labeller, which then runs a title into a DOI or takes a PMID for the pages
(PDF text glues them to their neighbours: "…151502,arXiv :hep-ph/0502…", "….2333.URL").
The labeller reads the string without them; their labels ("doi:", "URL", "Available
from:") go with them.
"""

from __future__ import annotations

import re

from refcli.refparse.fields import doi_spans

_URL = re.compile(r"(?:\b(?:URL|Available\s+(?:at|from|online)|Online)\s*:?\s*)?"
                  r"(?:<\s*)?\b(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:)\]'’”]>?", re.IGNORECASE)
_ARXIV = re.compile(r"\barXiv\s*:\s*(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{5,7})(?:v\d+)?"
                    r"(?:\s*\[[\w.-]+\])?", re.IGNORECASE)
_PUBMED = re.compile(r"\b(?:PMID|PMCID)\s*:?\s*(?:PMC)?\d{4,9}\b", re.IGNORECASE)
_ISBN = re.compile(r"\bISBN(?:-1[03])?\s*:?\s*[\dXx](?:[\s-]?[\dXx]){8,16}\b")
_GAP = "\x00"
_TIDY = re.compile(r"\s*([.,;:]?)(?:\s*\x00\s*([.,;:](?!\w))?)+\s*")
_DOI_LABEL = re.compile(r"(?:(?:\b|(?<=\d))(?:doi|DOI|Doi)\s*:?\s*|\b(?:https?://)?(?:dx\.)?doi\.\s?org/\s?)$")
# What follows a DOI that PDF text broke and the rules could not join ("…(SICI)1099- 1085(19980630)…"):
# a piece without words. Such a DOI is left in the string rather than cut in half.
_DOI_GOES_ON = re.compile(r"-?\s+[\d(<][^\s]*[\d)>;:][.,;]?(?:\s|$)")


def cut_identifiers(text: str) -> str:
    """*text* without its identifiers and their labels, punctuation left tidy; the
    text unchanged when nothing but identifiers would be left."""
    pieces: list[str] = []
    last = 0
    for start, end in doi_spans(text):
        if _broken(text, end):
            continue
        label = _DOI_LABEL.search(text, last, start)
        pieces.append(text[last:label.start() if label else start])
        last = end
    pieces.append(text[last:])
    cut = _GAP.join(pieces)
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        cut = _URL.sub(lambda m: m.group(0) if _broken(m.string, m.end()) else _GAP, cut)
    for pattern, cue in ((_ARXIV, "arxiv"), (_PUBMED, "pm"), (_ISBN, "isbn")):
        if cue in lowered:  # the patterns are only tried on strings that can hold them
            cut = pattern.sub(_GAP, cut)
    if cut == text:
        return text
    # "…1, doi :10.1146/…,arXiv :hep-ph/…." → "…1, ": one stop where several met.
    cut = re.sub(r"[(\[<]?\s*\x00\s*[)\]>]?", _GAP, cut)  # the brackets around an identifier
    cut = _TIDY.sub(lambda m: (m.group(1) or m.group(2) or "") + " ", cut)
    cut = " ".join(cut.split()).strip(" ,;:")
    return cut if sum(ch.isalpha() for ch in cut) >= 3 else text


def _broken(text: str, end: int) -> bool:
    return text[end - 1:end] == "-" or bool(_DOI_GOES_ON.match(text, end))


def respace(text: str) -> str:
    """Spaces as a typesetter puts them around commas and stops, where PDF text moved
    them ("Physics ,43 (3):199-220,Aug 1975 ." → "Physics, 43 (3):199-220, Aug 1975."),
    so the labeller sees the tokens it was trained on."""
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _NO_SPACE_AFTER.sub(lambda m: (m.group(1) or m.group(2)) + " ", text)
    # An italic journal name set without the spaces around it: "walruses.Can. J. Zool.70,",
    # "Vaccine21, 3365", "Morrow ALet al.2004".
    return _GLUED.sub(lambda m: m.group(0) + " ", text)


_GLUED = re.compile(r"(?<=[a-z]{2})\.(?=[A-Z][a-z]|\d+[,;:(])|(?<=[a-z]{4})(?=\d+(?:[,;:]\s*|\()\d)|(?<=[A-Z])(?=et al\.)"
                    r"|(?<=\bal)\.(?=\d)")
_SPACE_BEFORE = re.compile(r"\s+([,;]|\.(?=\s|$))")
_NO_SPACE_AFTER = re.compile(r"([,;])(?=[^\W\d_]{2})|(?<=[^\W\d_])([,;])(?=\d)")
