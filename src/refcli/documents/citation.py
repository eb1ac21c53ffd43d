"""The citation a page gives for itself ("How to cite", "For citations", "Cite this article").

The title is located as a line of the document that the citation quotes (pages
repeat their title as a heading), which splits the citation reliably into
authors, title and source without a statistical parser; the reference parser is
asked only for what this leaves open.
"""

from __future__ import annotations

import re

from refcli.documents.metadata import NUMBERED_SERIES, SERIES_WORDS, Item, merge
from refcli.documents.names import ORG_WORDS, parse_date, parse_names
from refcli.identifiers import find_dois, find_urls
from refcli.printed import DASH, GOST_NAMES, ISSUE_LABEL, PAGE_LABEL, VOLUME_LABEL, YEAR

_CITE_HEADING = re.compile(
    r"^\s*(?:how\s+to\s+cite(?:\s+this\s+(?:article|paper|report|brief|chapter))?|for\s+citations?"
    r"|cite\s+this\s+(?:article|paper|report|page|brief)(?:\s+as)?|cite\s+as|suggested\s+citation"
    r"|recommended\s+citation|please\s+cite\s+(?:this\s+\w+\s+)?as|citation|для\s+цитирования"
    r"|zitiervorschlag|zitierweise|pour\s+citer(?:\s+cet\s+article)?|cómo\s+citar|come\s+citare)"
    # The citation itself may follow on the same line, but only after a colon:
    # "Citation counts rose" is a sentence, not a heading.
    r"\s*(?::\s*(?P<rest>.*)|[.:]?\s*$)",
    re.IGNORECASE,
)


def is_cite_heading(line: str) -> bool:
    """Whether *line* opens the citation a page offers for itself."""
    return len(line) <= 400 and bool(_CITE_HEADING.match(line))


def find_cite_block(lines: list[str]) -> str | None:
    """The citation a page offers for itself, as one string."""
    for i, line in enumerate(lines):
        match = _CITE_HEADING.match(line)
        if not match or len(line) > 400:
            continue
        if len(match.group("rest") or "") > 30:
            return match.group("rest").strip()
        block: list[str] = []
        for following in lines[i + 1:i + 12]:
            if following.strip():
                block.append(following.strip())
            elif block:
                break
        if block and len(" ".join(block)) > 30:
            return " ".join(block)
    return None


_VANCOUVER = re.compile(
    rf"^(?P<container>[^.;]+?)\.?\s*(?P<year>{YEAR})[^;:]*?;\s*(?P<volume>[\w-]+)?\s*"
    r"(?:\((?P<issue>[^)]+)\))?\s*(?::\s*(?P<page>[\w]+(?:\s*[-–—]\s*\w+)?))?"
)
_APA_TAIL = re.compile(
    r"^(?P<container>[^,.(]+?),\s*(?:vol\.\s*)?(?P<volume>\d+)\s*(?:\((?P<issue>[^)]+)\)|,\s*no\.\s*(?P<no>\w+))?"
    r"(?:[,:]\s*(?:pp?\.\s*)?(?P<page>\d+\s*[-–—]\s*\d+|e?\d+))?"
)
_CHAPTER = re.compile(
    r"^In:?\s+(?P<editors>[^()]+?)\s*\((?:eds?|hrsg|ред)\.?\),?\s*(?P<book>[^.(]+?)\s*"
    rf"(?:\((?:[^)]*?{PAGE_LABEL}(?:\.\s*|\s+)(?P<page>\d+\s*[-–—]\s*\d+))?[^)]*\))?\s*[.,]\s*"
    r"(?:(?P<publisher>[^.\d]{3,80})\.)?",
    re.IGNORECASE,
)
_NATURE_TAIL = re.compile(
    r"^(?P<container>[^,\d(]+?)\s+(?P<volume>\d+)(?:\((?P<issue>[^)]+)\))?,\s*(?P<page>\d+\s*[-–—]\s*\d+|e?\d+)"
    rf"\s*\((?P<year>{YEAR})\)"
)
_PAGES = re.compile(rf"\b(?:{PAGE_LABEL}\.)?\s*(\d+)\s*[-–—]\s*(\d+)\b")


def _tail_fields(tail: str) -> Item:
    """Container, year, volume, issue and pages from what follows the title."""
    tail = re.sub(r"^[\s.,:;]+", "", tail)
    tail = re.sub(r"\((?:in\s+\w+\.?|на\s+\w+\.?\s*яз\.?)\)", "", tail, flags=re.IGNORECASE)
    chapter = _CHAPTER.match(tail)
    if chapter:
        page = chapter.group("page")
        return merge({
            "container-title": chapter.group("book").strip(),
            "editor": parse_names(chapter.group("editors")),
            "page": DASH.sub("-", page) if page else None,
            "publisher": (chapter.group("publisher") or "").strip() or None,
        })
    for pattern in (_VANCOUVER, _NATURE_TAIL, _APA_TAIL):
        match = pattern.match(tail)
        if match:
            fields = match.groupdict()
            page = fields.get("page")
            return merge({
                "container-title": fields["container"].strip(" .,"),
                "issued": {"date-parts": [[int(fields["year"])]]} if fields.get("year") else None,
                "volume": fields.get("volume"),
                "issue": fields.get("issue") or fields.get("no"),
                "page": DASH.sub("-", page) if page else None,
            })
    return _loose_tail(tail)


def _loose_tail(tail: str) -> Item:
    """Labelled numbers in any order ("no. 3: 5–25", "Vol. 12, Issue 2, pp. 1-9") after a
    container name, for citation styles the fixed patterns do not cover."""
    container = re.match(r"^(?:in:?\s+)?([^\d,.;:()]{3,150}?)\s*(?=[,.;:(]|\s(?:vol|no|issue|№|т\.|\d))",
                         tail, re.IGNORECASE)
    volume = re.search(rf"(?<!\w){VOLUME_LABEL}\s*(\d+)", tail, re.IGNORECASE)
    issue = re.search(rf"(?<!\w){ISSUE_LABEL}\s*(\d+)", tail, re.IGNORECASE)
    pages = _PAGES.search(tail)
    year = re.search(rf"\b{YEAR}\b", tail)
    if not (container and (volume or issue or pages)):
        return {}
    return merge({
        "container-title": container.group(1).strip(),
        "volume": volume.group(1) if volume else None,
        "issue": issue.group(1) if issue else None,
        "page": f"{pages.group(1)}-{pages.group(2)}" if pages else None,
        "issued": {"date-parts": [[int(year.group(0))]]} if year else None,
    })


def _type_of_citation(text: str, item: Item) -> str:
    """CSL type from the citation's shape; *text* is the citation without its title, so
    a title with "Report" in it does not make a journal article a report."""
    container = item.get("container-title") or ""
    if item.get("number") and item.get("collection-title"):
        return "report"
    if re.search(r"\bproceedings\b|\bconference\b|\bsymposium\b|\bworkshop\b", container, re.IGNORECASE):
        return "paper-conference"
    if re.search(r"\bIn:?\s+.*\((?:eds?|hrsg|ред)\.?\)|\(eds?\.\)", text, re.IGNORECASE):
        return "chapter"
    if container and (item.get("volume") or item.get("issue") or item.get("page")):
        return "article-journal"
    if re.search(r"\b(?:thesis|dissertation|диссертаци)", text, re.IGNORECASE):
        return "thesis"
    if re.search(r"\b(?:working\s+paper|discussion\s+paper|policy\s+brief|issue\s+brief|report|brief)\b",
                 text, re.IGNORECASE):
        return "report"
    return "article"


def _anchor_title(plain: str, candidates: list[str]) -> tuple[str | None, str, str]:
    """The longest document line that the citation quotes (case aside: pages often
    print the title in capitals), with what precedes and follows it."""
    lowered = plain.lower()
    same_length = len(lowered) == len(plain)
    for candidate in candidates:
        if len(candidate) >= len(plain):
            continue
        pos = lowered.find(candidate.lower()) if same_length else plain.find(candidate)
        if pos >= 0:
            end = pos + len(candidate)
            return plain[pos:end], plain[:pos], plain[end:]
    return None, plain, ""


_AUTHOR_YEAR = re.compile(rf"^(?P<head>.+?)\s*\(?(?P<year>{YEAR})[a-z]?\)?[.,:]\s+(?P<rest>.+)$")


def _split_citation(plain: str) -> tuple[str, str | None, str]:
    """(authors, title, rest) of a citation whose title is not a line of the page:
    GOST's "Authors Title // Container", author-year, or "Authors. Title. Rest"."""
    if "//" in plain:
        left, tail = plain.split("//", 1)
        authors = GOST_NAMES.match(left)
        head = authors.group(1) if authors else ""
        title = left[len(head):].strip(" .")
        return head, title if len(title.split()) >= 2 else None, tail
    match = _AUTHOR_YEAR.match(plain)
    if match and len(match.group("head")) < 300:
        found, tail = _first_sentence(match.group("rest"))
        return f"{match.group('head')} ({match.group('year')})", found, tail
    parts = re.split(r"(?<=[^\s.]{2})\.\s+", plain, maxsplit=2)
    if len(parts) == 3 and len(parts[1].split()) >= 2:
        return parts[0], parts[1], parts[2]
    return parts[0], None, ". ".join(parts[1:])


def _first_sentence(text: str) -> tuple[str | None, str]:
    """A title is the first sentence of what follows the year; the rest is the source."""
    parts = re.split(r"(?<=[^\s.]{2}[.?!])\s+", text, maxsplit=1)
    title = parts[0].rstrip(".") if len(parts[0].split()) >= 2 else None
    return title, parts[1] if len(parts) > 1 else ""


def from_citation(block: str, lines: list[str]) -> Item:
    """Parse the page's own citation. The title is found as a line of the document that
    the citation quotes (pages repeat their title as a heading); the authors are what
    precedes it, the container, year and numbers what follows."""
    item: Item = {}
    dois = find_dois(block)
    item["DOI"] = dois[0] if dois else None
    urls = [u for u in find_urls(block) if "doi.org/" not in u]
    item["URL"] = urls[0] if urls else None
    plain = re.sub(r"(?:https?://\S+|\bdoi:\s*\S+|\bDOI:?\s*10\.\S+)", "", block, flags=re.IGNORECASE)
    plain = re.sub(r"\s{2,}", " ", plain).strip()
    # Longest first, ties in text order: a set's order changes with each process's hash seed,
    # and so would the document read from the same file.
    candidates = sorted(
        {re.sub(r"\s+", " ", line).strip() for line in lines if 12 <= len(line.strip()) <= 300},
        key=lambda line: (-len(line), line),
    )
    title, head, tail = _anchor_title(plain, candidates)
    if title:
        item["title"] = title.rstrip(".")
    else:
        head, item["title"], tail = _split_citation(plain)
    # The year follows the authors in APA ("(2015).") and Chicago ("2015.").
    year = re.search(rf"(?:^|[\s,.(])(?P<y>{YEAR})[a-z]?\)?[.,]?\s*$", head.strip(" \"“”'‘’"))
    if year:
        head = head.strip(" \"“”'‘’")[:year.start()]
    item["author"] = parse_names(head.strip(" \"“”'‘’("))
    tail = tail.lstrip(" \"“”'‘’.,/")
    series = NUMBERED_SERIES.match(tail)
    if series and re.search(SERIES_WORDS, series.group("series"), re.IGNORECASE):
        # "Working Paper No. 12, World Water Council, 2020": a report in a series.
        item["collection-title"] = series.group("series").strip()
        item["number"] = series.group("number").rstrip(".,")
        publisher = re.match(r"^[,.\s]*([^,.]+)", series.group("title"))
        if publisher and ORG_WORDS.search(publisher.group(1)):
            item["publisher"] = publisher.group(1).strip()
        item["issued"] = parse_date(series.group("title"))
    else:
        item = merge(item, _tail_fields(tail))
    if year and not item.get("issued"):
        item["issued"] = {"date-parts": [[int(year.group("y"))]]}
    if not item.get("issued"):
        item["issued"] = parse_date(tail)
    item["type"] = _type_of_citation(block.replace(item.get("title") or "\0", ""), item)
    return merge(item)


def refparse_citation(block: str) -> Item:
    """The reference parser's reading of *block*, or {} while the parser is unavailable."""
    try:
        from refcli.refparse import parse_reference
    except ImportError:
        return {}
    try:
        parsed = parse_reference(block)
    except Exception:  # noqa: BLE001 - a parser failure must not lose the document
        return {}
    return {k: v for k, v in parsed.items() if k != "id"} if isinstance(parsed, dict) else {}
