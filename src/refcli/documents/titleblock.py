"""A paper's title and first author from what its first page shows.

The title is the largest type in the upper part of page 1 that reads as words (a
journal's name set as a one-word logo does not), its lines gathered while they follow
each other at that size; the byline is the first line below it that names people.
Text order is not trusted: extractors put the title block after the body on some PDFs.
"""

from __future__ import annotations

import re

from refcli.documents.pdf import Line
from refcli.vocabulary import Item

_NOT_TITLE = re.compile(
    r"^(?:doi\b|https?://|www\.|©|\(c\)|copyright|issn|e-?issn|vol(?:ume)?\.?\s*\d|received|accepted|published"
    r"|citation|open\s+access|research(?:\s+article)?$|original\s+(?:article|research)|article$|artigo$"
    r"|review$|abstract$|resumo$|resumen$|summary$|introduction$|keywords?)",
    re.IGNORECASE,
)
_VERSION_NOTE = re.compile(r"\s*\[v\d+;[^\]]*\]\s*$")  # F1000's "[v2; ref status: indexed, …]"
_MARKS = re.compile(r"[\d*†‡§¶∗#,]+$")
_SUPERSCRIPTS = re.compile(r"(?<=[^\W\d_])[\d*†‡§¶∗#]+(?:,[\d*†‡§¶∗#]+)*")
_AFFILIATION = re.compile(r"\b(?:universi\w*|institut\w*|department|departamento|faculty|facultad|school|college"
                          r"|laborat\w*|cent(?:er|re|ro)|hospital|academy|ministry|museum|inc\.|ltd|gmbh"
                          r"|e-?mail|correspond\w*|@)", re.IGNORECASE)
_ORCID = re.compile(r"\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b")
_COLLECTIVE = re.compile(r"\b(?:collaborations?|consortium|group|team|committee)\b", re.IGNORECASE)


def _words(text: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", text))


def title_lines(lines: list[Line]) -> list[Line]:
    """The title's lines, top to bottom, or [] when no type stands out."""
    if not lines:
        return []
    page_height = max(line.top for line in lines) or 1.0
    body = _body_size(lines)
    upper = sorted((line for line in lines if line.top < 0.7 * page_height), key=lambda line: line.top)
    for size in sorted({line.size for line in upper if line.size > body * 1.1}, reverse=True):
        same = [line for line in upper if abs(line.size - size) < 0.3]
        cluster: list[Line] = []
        for line in same:
            if cluster and line.top - cluster[-1].top > 2.2 * size:
                if _usable(cluster):
                    break
                cluster = []
            if not _NOT_TITLE.match(line.text):
                cluster.append(line)
        if _usable(cluster):
            return cluster[:6]
    return []


def _body_size(lines: list[Line]) -> float:
    """The type size that sets the most characters."""
    counts: dict[float, int] = {}
    for line in lines:
        counts[line.size] = counts.get(line.size, 0) + len(line.text)
    return max(counts, key=lambda size: counts[size])


def _usable(cluster: list[Line]) -> bool:
    text = " ".join(line.text for line in cluster)
    return _words(text) >= 2 and sum(ch.isalpha() for ch in text) >= 10 and len(cluster) <= 8


def from_head(lines: list[Line]) -> Item:
    """{"title", "author"} from the first page's lines with their type sizes."""
    title = title_lines(lines)
    if not title:
        return {}
    text = " ".join(line.text for line in title)
    text = re.sub(r"(?<=[^\W\d_])- (?=[a-z])", "", text)  # "Rhizo- prionodon" broken at the line's end
    text = _MARKS.sub("", _VERSION_NOTE.sub("", text)).strip()
    item: Item = {"title": " ".join(text.split())}
    below = sorted((line for line in lines if line.top > title[-1].top and line.size < title[0].size),
                   key=lambda line: line.top)
    # Six lines down, or further while still near the title: a sidebar set beside the
    # title block (funding, conflicts) interleaves its lines with the byline's.
    near = [line for line in below if line.top - title[-1].top < 5 * title[0].size]
    for line in below[:max(6, len(near))]:
        author = _first_author(line.text)
        if author:
            item["author"] = [author]
            break
    return item


_YEAR = r"(?<!\d)((?:19|20)\d\d)(?!\d)"
# Lines that date the paper itself: publication and copyright lines, a journal's citation
# line ("Metabolites 2014, 4, 932-945", "(2016) 13:22", "2003;16:601").
_DATING = re.compile(
    rf"(?:published|publicado|publicación|online|©|copyright|\(c\)|accepted|aceito|aceptado|approved|aprovado)[^\n]{{0,40}}?{_YEAR}"
    rf"|{_YEAR}\s*[,;]\s*\d+\s*[,:(]|\({_YEAR}\)\s*\d+\s*:",
    re.IGNORECASE)


def page_year(text: str, latest: int) -> int | None:
    """The paper's year from its first page: the latest year on a dating line, else the
    latest year the page prints at all (a paper cites no later work); never after *latest*."""
    dated = [int(y) for m in _DATING.finditer(text) for y in m.groups() if y and int(y) <= latest]
    if dated:
        return max(dated)
    years = [int(y) for y in re.findall(_YEAR, text) if int(y) <= latest]
    return max(years) if years else None


def _first_author(line: str) -> dict[str, str] | None:
    from refcli.documents.names import parse_names

    if _AFFILIATION.search(line) or _NOT_TITLE.match(line) or len(line) > 300:
        return None
    line = _ORCID.sub(" ", line)
    # "Ana Lúcia Ferreira* Tomás Novák": a footnote mark between names separates them.
    line = re.split(r"(?<=[^\W\d_])[\d*†‡§¶∗#]+(?:,[\d*†‡§¶∗#]+)*\s+(?=[A-ZÀ-Þ])", line)[0]
    text = _SUPERSCRIPTS.sub("", line).strip(" ,*∗†")
    if _COLLECTIVE.search(text) and len(text.split()) <= 8:
        return {"literal": re.sub(r"^the\s+", "", text.split(",")[0].strip(" *∗"), flags=re.IGNORECASE)}
    first = re.split(r"\s*(?:,|;|&|\band\b|\be\b|\by\b)\s*", text)[0]
    first = re.sub(r"[\s\d*†‡§¶∗#]+$", "", first).strip()
    if re.match(r"(?:the|an?|on|in|of|for|from|towards?)\s", first, re.IGNORECASE):
        return None  # a subtitle's words, not a name
    if not re.fullmatch(r"(?:[A-ZÀ-Þ][\w'’.\-]*\.?\s*){1,5}(?:(?:van|von|de|da|do|dos|der|del|di|la|le)\s+)*"
                        r"[A-ZÀ-Þ][\w'’\-]+", first) or len(first.split()) > 6:
        return None
    names = parse_names(first)
    return names[0] if names and names[0].get("family") else None
