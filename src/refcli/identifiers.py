"""Persistent identifiers: DOIs, ISBNs, arXiv ids, PMIDs.

These are matched by exact rules, never learned: an identifier is either right or
useless. ``normalize_doi`` is the one canonical spelling used for deduplication, so
it must be idempotent (``normalize_doi(normalize_doi(x)) == normalize_doi(x)``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# A DOI is "10.<registrant>/<suffix>"; the suffix may hold almost anything but
# white space. Prefixes users paste: doi:, DOI , https://doi.org/, dx.doi.org ...
_DOI_PREFIX = re.compile(
    r"^\s*(?:(?:https?://)?(?:(?:dx\.|www\.)?doi\.org|doi\.acm\.org|doi\.wiley\.com|doi\.ieeecomputersociety\.org)/"
    r"|doi\s*[:：]\s*|doi\s+|info:doi/)",
    re.IGNORECASE,
)
_DOI_CORE = re.compile(r"^10\.\d{4,9}/\S+$")
# What normalize_doi returns (when also lower case): nothing to unquote or strip, no
# closing bracket at the end. A bulk add normalises each DOI four times (reader,
# cleaner, deduplicator, index).
_CANONICAL = re.compile(r"10\.\d{4,9}/[^\s%]*[^\s%.,;:'\"!?)\]}>]\Z")
# In running text: stop at white space, quotes and angle brackets.
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"'<>\]\[{}|\\^`]+", re.IGNORECASE)
_TRAILING = ".,;:'\"!?"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _strip_unbalanced(doi: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, not to the DOI.

    A closing bracket stays when the DOI opened it: ``10.1016/S0140-6736(20)30183-5``
    keeps its parentheses, ``(doi:10.1000/xyz).`` loses the ``).``.
    """
    while doi:
        last = doi[-1]
        if last in _TRAILING or last in _PAIRS and doi.count(_PAIRS[last]) < doi.count(last):
            doi = doi[:-1]
        else:
            break
    return doi


def normalize_doi(value: str | None) -> str | None:
    """Return the canonical (lower-case, bare) DOI in *value*, or None if it holds none.

    Accepts ``10.1038/NATURE14539``, ``doi:…``, ``https://doi.org/…``,
    ``http://dx.doi.org/…`` (URL-encoded or not) with trailing punctuation.
    """
    if not value:
        return None
    if _CANONICAL.match(value) and value.lower() == value:  # already canonical, as stored DOIs are
        return value
    text = unquote(value.strip()).lstrip("([{<\"' ")
    text = _DOI_PREFIX.sub("", text, count=1).strip()
    text = _strip_unbalanced(text)
    if not _DOI_CORE.match(text):
        return None
    return text.lower()


def find_dois(text: str) -> list[str]:
    """Every DOI in free text, normalised, in order of appearance, without repeats.

    A DOI broken by a line break right after ``/``, ``-`` or ``_`` (as PDF text
    does) is joined again before matching. A break after ``.`` is not: in a
    numbered list the next line's "2." would be glued on.
    """
    joined = re.sub(r"(10\.\d{4,9}/\S*?[-/_])[ \t]*\n\s*(?=\S)", r"\1", text)
    seen: dict[str, None] = {}
    for match in _DOI_IN_TEXT.finditer(joined):
        doi = normalize_doi(match.group(0))
        if doi:
            seen.setdefault(doi, None)
    return list(seen)


# ---------------------------------------------------------------- ISBN

_ISBN_IN_TEXT = re.compile(
    r"\b(?:ISBN(?:-1[03])?:?\s*)?((?:97[89][-\s]?)?\d{1,5}[-\s]?\d{1,7}[-\s]?\d{1,7}[-\s]?[\dXx])\b"
)


def _isbn10_ok(d: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(d))
    return total % 11 == 0


def _isbn13_ok(d: str) -> bool:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(d))
    return total % 10 == 0


def normalize_isbn(value: str | None) -> str | None:
    """The ISBN's digits (10 or 13, final X upper-cased) if the check digit holds."""
    if not value:
        return None
    digits = re.sub(r"[^\dXx]", "", value.upper().replace("ISBN", ""))
    if len(digits) == 10 and digits[:9].isdigit() and _isbn10_ok(digits):
        return digits.upper()
    if len(digits) == 13 and digits.isdigit() and _isbn13_ok(digits):
        return digits
    return None


def find_isbns(text: str) -> list[str]:
    """ISBNs with a valid check digit. Only strings labelled ISBN or shaped like one."""
    found: dict[str, None] = {}
    for match in _ISBN_IN_TEXT.finditer(text):
        raw = match.group(1)
        if len(re.sub(r"\D", "", raw)) < 9:
            continue
        isbn = normalize_isbn(raw)
        if isbn and ("ISBN" in match.group(0).upper() or "-" in raw or len(isbn) == 13):
            found.setdefault(isbn, None)
    return list(found)


# ---------------------------------------------------------------- arXiv, PMID

_ARXIV = re.compile(
    r"(?:arXiv:\s*|arxiv\.org/(?:abs|pdf)/)((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)",
    re.IGNORECASE,
)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")


def find_arxiv_ids(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _ARXIV.finditer(text)))


def find_pmids(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _PMID.finditer(text)))


_URL = re.compile(r"\bhttps?://[^\s<>\"]+", re.IGNORECASE)


def find_urls(text: str) -> list[str]:
    """URLs in *text*, without sentence punctuation after them."""
    return list(dict.fromkeys(_strip_unbalanced(m.group(0)) for m in _URL.finditer(text)))


# ---------------------------------------------------------------- what a user typed

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_ALONE = re.compile(rf"^(?:arxiv\s*:\s*)?((?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?)$", re.IGNORECASE)
_ARXIV_URL = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/((?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?)"
    r"(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)
_PMID_ALONE = re.compile(r"^pmid\s*:?\s*(\d{1,9})$", re.IGNORECASE)
_PMCID_ALONE = re.compile(r"^(?:pmcid\s*:\s*)?(PMC\d{1,9})$", re.IGNORECASE)
_ISBN_ALONE = re.compile(r"^(?:isbn(?:-1[03])?\s*:?\s*)?([\d\- ]{9,17}[\dXx])$", re.IGNORECASE)


def classify(text: str) -> tuple[str, str] | None:
    """What identifier *text* is, as ``(kind, canonical value)``, or None.

    kind is ``doi``, ``arxiv`` (the id with its version, if given), ``isbn`` (digits),
    ``pmid``, ``pmcid`` (``PMC…``) or ``url`` (any other http(s) address, a landing page).
    A bare number is an ISBN only when its check digit holds; a PMID needs its prefix.
    """
    value = text.strip()
    match = _ARXIV_ALONE.match(value) or _ARXIV_URL.match(value)
    if match:
        arxiv = match.group(1)
        return "arxiv", arxiv if "/" in arxiv else arxiv.lower()
    doi = normalize_doi(value)
    if doi:
        return "doi", doi
    match = _PMID_ALONE.match(value)
    if match:
        return "pmid", str(int(match.group(1)))
    match = _PMCID_ALONE.match(value)
    if match:
        return "pmcid", match.group(1).upper()
    match = _ISBN_ALONE.match(value)
    if match:
        isbn = normalize_isbn(match.group(1))
        if isbn:
            return "isbn", isbn
    if re.match(r"^https?://[^\s/]+\.[^\s/]+", value, re.IGNORECASE) and not re.search(r"\s", value):
        return "url", value
    return None


def isbn13(isbn: str) -> str:
    """The ISBN-13 spelling of a valid ISBN (an ISBN-10 gains 978 and a new check digit)."""
    if len(isbn) == 13:
        return isbn
    core = "978" + isbn[:9]
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(core)) % 10) % 10
    return core + str(check)
