"""A document's own metadata: from meta tags, JSON-LD, layout cues and sections.

Each source yields a partial CSL-JSON item; ``merge`` lets the more trusted one
win field by field, so a page with good Highwire tags keeps them and a bare text
still gets a title, authors and a date from its first lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from refcli.documents.names import ORG_WORDS, parse_date, parse_name, parse_names
from refcli.identifiers import find_dois, normalize_doi
from refcli.printed import ISSUE_LABEL, PAGE_LABEL, YEAR
from refcli.vocabulary import Item

# ------------------------------------------------------------------ merging


def merge(*items: Item | None) -> Item:
    """Field-wise union, earlier (more trusted) items winning."""
    out: Item = {}
    for item in items:
        for key, value in (item or {}).items():
            if value not in (None, "", [], {}) and key not in out:
                out[key] = value
    return out


def _pages(first: str | None, last: str | None) -> str | None:
    if first and last and last != first:
        return f"{first}-{last}"
    return first or None


# ------------------------------------------------------------------ meta tags

_TYPE_HINTS = {
    "scholarlyarticle": "article-journal", "article": "article-journal",
    "newsarticle": "article-newspaper", "report": "report", "chapter": "chapter",
    "thesis": "thesis", "book": "book", "webpage": "webpage", "blogposting": "post-weblog",
    "techarticle": "report", "website": "webpage",
}


def from_meta(meta: dict[str, list[str]]) -> Item:
    """CSL item from HTML meta tags (names lower-cased): Highwire, DC, PRISM, OpenGraph.

    Highwire first because Google Scholar requires it to be right; the others
    fill gaps in that order.
    """

    def first(*names: str) -> str | None:
        for name in names:
            for value in meta.get(name, []):
                if value.strip():
                    return value.strip()
        return None

    item: Item = {}
    item["title"] = first("citation_title", "dc.title", "prism.title", "og:title", "twitter:title")
    authors = meta.get("citation_author") or meta.get("dc.creator") or meta.get("article:author") or []
    names = [parse_name(a) for a in authors if a.strip() and not a.startswith("http")]
    item["author"] = [n for n in names if n]
    item["issued"] = parse_date(first("citation_publication_date", "citation_date", "citation_online_date",
                                      "dc.date", "dc.date.issued", "prism.publicationdate",
                                      "article:published_time", "citation_year"))
    item["container-title"] = first("citation_journal_title", "citation_conference_title",
                                    "citation_inbook_title", "citation_book_title",
                                    "prism.publicationname", "dc.source")
    item["collection-title"] = first("citation_series_title")
    item["volume"] = first("citation_volume", "prism.volume")
    item["issue"] = first("citation_issue", "prism.number", "prism.issueidentifier")
    item["page"] = first("citation_pages", "prism.pagerange") or _pages(
        first("citation_firstpage", "prism.startingpage"), first("citation_lastpage", "prism.endingpage"))
    item["publisher"] = first("citation_publisher", "citation_technical_report_institution",
                              "citation_dissertation_institution", "dc.publisher")
    item["number"] = first("citation_technical_report_number", "citation_report_number")
    item["DOI"] = normalize_doi(first("citation_doi", "prism.doi", "dc.identifier", "bepress_citation_doi"))
    item["ISSN"] = first("citation_issn", "prism.issn")
    item["ISBN"] = first("citation_isbn")
    item["URL"] = first("citation_abstract_html_url", "citation_public_url", "citation_fulltext_html_url",
                        "og:url", "dc.identifier.uri")
    item["language"] = first("citation_language", "dc.language")
    item["abstract"] = first("citation_abstract", "dc.description", "description", "og:description")
    item["keyword"] = first("citation_keywords", "keywords", "dc.subject")
    if meta.get("citation_technical_report_institution") or meta.get("citation_technical_report_number"):
        item["type"] = "report"
    elif meta.get("citation_dissertation_institution"):
        item["type"] = "thesis"
    elif meta.get("citation_conference_title"):
        item["type"] = "paper-conference"
    elif meta.get("citation_inbook_title") or meta.get("citation_book_title"):
        item["type"] = "chapter"
    elif meta.get("citation_journal_title") or meta.get("prism.publicationname"):
        item["type"] = "article-journal"
    elif first("og:type"):
        item["type"] = _TYPE_HINTS.get(first("og:type").lower())  # type: ignore[union-attr]
    if not item.get("container-title") and first("og:site_name") and item.get("type") in (None, "webpage"):
        item["container-title"] = first("og:site_name")
    return merge(item)


def from_highwire_reference(content: str) -> Item | None:
    """A ``citation_reference`` tag's ``key=value; …`` content as a CSL item, or None when
    the tag holds a plain reference string instead."""
    pairs = re.findall(r"(citation_\w+)\s*=\s*((?:[^;]|;(?!\s*citation_))*)", content)
    if not pairs:
        return None
    meta: dict[str, list[str]] = {}
    for key, value in pairs:
        meta.setdefault(key.lower(), []).append(value.strip())
    if "citation_year" in meta and "citation_date" not in meta:
        meta["citation_date"] = meta["citation_year"]
    item = from_meta(meta)
    item.setdefault("type", "article-journal" if item.get("container-title") else "document")
    return item


def from_json_ld(blocks: Iterable[Any]) -> Item:
    """CSL item from schema.org JSON-LD objects (the first scholarly one found)."""
    wanted = {"scholarlyarticle", "article", "report", "chapter", "thesis", "newsarticle",
              "techarticle", "blogposting", "book", "webpage"}

    def walk(node: Any) -> Iterable[dict[str, Any]]:
        if isinstance(node, list):
            for child in node:
                yield from walk(child)
        elif isinstance(node, dict):
            yield node
            yield from walk(node.get("@graph", []))

    def text(value: Any) -> str | None:
        if isinstance(value, dict):
            value = value.get("name") or value.get("@value")
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value).strip() if isinstance(value, str | int) and str(value).strip() else None

    for node in (n for block in blocks for n in walk(block)):
        kinds = node.get("@type")
        kinds = [kinds] if isinstance(kinds, str) else kinds or []
        kind = next((k.lower() for k in kinds if isinstance(k, str) and k.lower() in wanted), None)
        if not kind:
            continue
        authors = node.get("author") or node.get("creator") or []
        authors = authors if isinstance(authors, list) else [authors]
        names = []
        for author in authors:
            if isinstance(author, dict) and author.get("familyName"):
                names.append(merge({"family": author["familyName"], "given": author.get("givenName")}))
            elif isinstance(author, dict) and "organization" in str(author.get("@type", "")).lower():
                if text(author):
                    names.append({"literal": text(author)})
            elif text(author):
                parsed = parse_name(text(author) or "")
                if parsed:
                    names.append(parsed)
        # isPartOf may nest: PublicationIssue → PublicationVolume → Periodical.
        chain, part = [node], node.get("isPartOf")
        while isinstance(part, dict) and len(chain) < 5:
            chain.append(part)
            part = part.get("isPartOf")
        identifier = node.get("identifier") or node.get("sameAs") or node.get("@id")
        return merge({
            "type": _TYPE_HINTS.get(kind),
            "title": text(node.get("headline")) or text(node.get("name")),
            "author": names,
            "issued": parse_date(text(node.get("datePublished")) or text(node.get("dateCreated"))),
            "container-title": next((text(p["name"]) for p in chain[1:] if p.get("name")), None),
            "publisher": text(node.get("publisher")),
            "volume": next((text(p["volumeNumber"]) for p in chain if p.get("volumeNumber")), None),
            "issue": next((text(p["issueNumber"]) for p in chain if p.get("issueNumber")), None),
            "page": _pages(text(node.get("pageStart")), text(node.get("pageEnd"))),
            "DOI": next(iter(find_dois(str(identifier))), None) if identifier else None,
            "URL": text(node.get("url")),
            "language": text(node.get("inLanguage")),
        })
    return {}


# ------------------------------------------------------------------ layout cues

SERIES_WORDS = (r"(?:policy\s+briefs?|issue\s+briefs?|briefs?|working\s+papers?|discussion\s+papers?"
                 r"|research\s+papers?|occasional\s+papers?|policy\s+papers?|reports?|paper\s+series"
                 r"|report\s+series|analyses|commentar(?:y|ies)|arbeitspapiere?|kurzberichte?|diskussionspapiere?"
                 r"|рабочие\s+материалы|cahiers?\s+de\s+recherche|documentos?\s+de\s+trabajo)")
_SERIES_LINE = re.compile(rf"^\s*(?P<series>(?:[\w’'&.-]+\s+|[\w’'&.]+-){{0,6}}{SERIES_WORDS})\s*$", re.IGNORECASE)
NUMBERED_SERIES = re.compile(
    rf"\(?\s*(?P<series>(?:[\w’'&.-]+\s+|[\w’'&.]+-){{0,5}}?{SERIES_WORDS})\s*(?:no\.?|nr\.?|number|№|#)?\s*"
    r"(?P<number>\d[\w./-]*)\s*\)?\s*(?P<title>.*)$",
    re.IGNORECASE,
)
_WRAPPED = re.compile(r"\b(?:the|a|an|of|and|in|for|to|on|with|from|der|die|das|und|im|zur|des|la|le|les|de|du)$|[-:]$",
                      re.IGNORECASE)
_JOURNAL_LINE = re.compile(
    r"^(?P<container>[A-ZÀ-ÞА-ЯЁ][^\d—–,;()]{3,80}?)\s*[—–,;.(]\s*(?:vol(?:ume|\.)?|jg\.|bd\.|том|т\.)\s*(?P<volume>\d+)",
    re.IGNORECASE,
)
# Title-page phrases only: "doctoral students" in an abstract does not make a thesis.
_THESIS = re.compile(
    r"(?:thesis|dissertation)\s+(?:submitted|presented)|for\s+the\s+degree\s+of|zur\s+erlangung|на\s+соискание"
    r"|^(?:ph\.?\s?d\.?|doctoral|master'?s|bachelor'?s)?\s*(?:thesis|dissertation)$|th[eè]se\s+de\s+doctorat"
    r"|tesis\s+doctoral",
    re.IGNORECASE,
)
_DEGREE = re.compile(r"\b(?:doctor\s+of\s+philosophy|ph\.?\s?d\.?|master\s+of\s+\w+|doctor\s+of\s+\w+|"
                     r"m\.?sc?\.?|dr\.\s?(?:phil|rer\.\s?nat)\.?|кандидата\s+\w+\s+наук|доктора\s+\w+\s+наук)",
                     re.IGNORECASE)
_CONFERENCE = re.compile(
    r"(?:\d+(?:st|nd|rd|th)\s+)?(?:annual\s+|international\s+)*(?:conference|symposium|workshop)\s+on\s+"
    r"[^()\n]{5,120}?(?=\s*\(|,|$)|proceedings\s+of\s+the\s+[^()\n]{5,120}?(?=\s*\(|,|$)",
    re.IGNORECASE,
)
# A line that is nothing but an institution's name (no comma, few words): a report's publisher.
_ORG_LINE = re.compile(r"^[A-ZÀ-ÞА-ЯЁ][\w'’&.\- ]{5,80}$")
_DATE_LINE = re.compile(
    # A label, then a colon or the date at once: "Data were collected in 2019" is a sentence.
    r"^\s*(?:date|published(?:\s+on)?|publication\s+date|datum|дата(?:\s+публикации)?|fecha|data)"
    r"\s*(?::\s*|(?=\d))(?P<date>.+)",
    re.IGNORECASE,
)
_NAV = re.compile(r"^(?:preview|advanced\s+search|search|menu|home|login|log\s+in|register|share|print|"
                  r"download(?:\s+pdf)?|abstract|summary|contents|table\s+of\s+contents|skip\s+to.*)$",
                  re.IGNORECASE)
_BYLINE_NAME = r"[A-ZÀ-ÞА-ЯЁ][\w'’.\-]*(?:\s+(?:[A-ZÀ-ÞА-ЯЁ][\w'’.\-]*|van|von|de|der|da|di|le|la)){1,3}[\d*†,]*"
_BYLINE = re.compile(rf"^(?:by\s+)?{_BYLINE_NAME}(?:\s*(?:,|;|&|\band\b|\bund\b|\bи\b)\s*{_BYLINE_NAME})*$")
_INITIAL = re.compile(r"(?<![\w.])[A-ZÀ-ÞА-ЯЁ]\.")
_AFFILIATION = re.compile(r"\b(?:fellow|professor|researcher|director|institut\w*|universit\w*|cent(?:er|re)|"
                          r"school|college|department|faculty|academy|foundation|lecturer|analyst)\b",
                          re.IGNORECASE)


def _title_like(line: str) -> bool:
    words = line.split()
    return (2 <= len(words) <= 30 and not _NAV.match(line) and not line.startswith(("http", "www.", "©"))
            and not re.match(r"^(?:doi|issn|isbn|vol\.|date|keywords)\b", line, re.IGNORECASE)
            and sum(ch.isalpha() for ch in line) > len(line) * 0.6 and not line.endswith(","))


_NAME_FILLERS = {"of", "for", "and", "the", "in", "on", "at", "für", "und", "de", "des", "du", "la", "et",
                 "y", "del", "di", "e", "der", "das", "die", "zu", "zur", "по", "и"}


def _is_org_line(line: str) -> bool:
    """A line that is only an institution's name, words capitalised: a report's publisher."""
    words = line.split()
    return (bool(_ORG_LINE.match(line)) and bool(ORG_WORDS.search(line)) and len(words) <= 8
            and not _SERIES_LINE.match(line)
            and all(w[0].isupper() or w.lower() in _NAME_FILLERS for w in words))


def _is_plain_title(line: str) -> bool:
    return (_title_like(line) and len(line.split()) >= 3 and not _BYLINE.match(line)
            and not _SERIES_LINE.match(line) and not _DATE_LINE.match(line)
            and not _JOURNAL_LINE.match(line))


def _title_before_byline(head: list[str]) -> int | None:
    """Index of the title-like line closest above the first byline: papers and briefs
    put the title straight above the authors' names."""
    for b, line in enumerate(head[:25]):
        if b and _BYLINE.match(line) and not _AFFILIATION.search(line) and not _SERIES_LINE.match(line):
            above = [i for i in range(max(0, b - 3), b) if _is_plain_title(head[i])]
            if above:
                return above[-1]
    return None


def from_layout(lines: list[str]) -> tuple[Item, str | None]:
    """Metadata from the first lines of a document: series and number, date, title,
    byline. Returns the item and the first author's affiliation (a report's publisher)."""
    # Title blocks are short lines; a megabyte-long "line" is never one (and would make
    # every pattern below slow), so long lines are cut before looking.
    head = [re.sub(r"\s+", " ", line[:1000]).strip() for line in lines[:200]]
    head = [line for line in head if line][:60]
    item: Item = {}
    affiliation = None
    title_index = None
    for i, line in enumerate(head[:15]):
        if "collection-title" not in item and _SERIES_LINE.match(line) and len(line.split()) <= 7:
            item["collection-title"] = line
            item["type"] = "report"
            continue
        match = NUMBERED_SERIES.match(line)
        if match and "number" not in item and len(line) < 300:
            item["number"] = match.group("number").rstrip(".")
            item["type"] = "report"
            if not item.get("collection-title"):
                item["collection-title"] = match.group("series").strip()
            if _title_like(match.group("title").strip()):
                item["title"] = match.group("title").strip()
                title_index = i
    if "type" not in item and any(_THESIS.search(line) for line in head[:30] if len(line) < 150):
        item["type"] = "thesis"
        degree = next((m.group(0) for m in map(_DEGREE.search, head[:30]) if m), None)
        if degree:
            item["genre"] = degree
    for line in head[:30]:
        match = _CONFERENCE.search(line)
        if match and "type" not in item:
            item["type"] = "paper-conference"
            item["container-title"] = match.group(0).strip(" ,.")
        if item.get("type") in ("report", "thesis") and "publisher" not in item and _is_org_line(line):
            item["publisher"] = line
    for line in head[:20]:
        match = _DATE_LINE.match(line)
        if match and parse_date(match.group("date")):
            item["issued"] = parse_date(match.group("date"))
            break
    if "title" not in item:
        seen: dict[str, int] = {}
        repeated = None
        for i, line in enumerate(head[:30]):
            key = line.casefold()
            if key in seen and _title_like(line) and len(line.split()) >= 3:
                repeated = seen[key]
                break
            seen[key] = i
        index = repeated if repeated is not None else _title_before_byline(head)
        if index is None:
            index = next((i for i, line in enumerate(head[:20]) if _is_plain_title(line)), None)
        if index is not None:
            item["title"] = head[index]
            title_index = index
            # A title wrapped over two lines: the first part ends in a little word.
            if index > 0 and _is_plain_title(head[index - 1]) and _WRAPPED.search(head[index - 1]):
                item["title"] = f"{head[index - 1]} {head[index]}"
    journal = next((m for m in map(_JOURNAL_LINE.match, head[:15]) if m), None)
    if journal:
        line = journal.string
        issue = re.search(rf"(?<!\w){ISSUE_LABEL}\s*(\d+)", line, re.IGNORECASE)
        pages = re.search(rf"(?<!\w){PAGE_LABEL}(?:\.\s*|\s+)(\d+)\s*[-–—]\s*(\d+)", line, re.IGNORECASE)
        year = re.search(rf"\b{YEAR}\b", line[journal.end():])
        item = merge(item, {
            "type": "article-journal", "container-title": journal.group("container").strip(),
            "volume": journal.group("volume"), "issue": issue.group(1) if issue else None,
            "page": f"{pages.group(1)}-{pages.group(2)}" if pages else None,
            "issued": {"date-parts": [[int(year.group(0))]]} if year else None,
        })
    if title_index is not None:
        title = item["title"].casefold()
        following = [line for line in head[title_index + 1:title_index + 8] if line.casefold() != title]
        for j, line in enumerate(following[:4]):
            if _BYLINE.match(line) and not _AFFILIATION.search(line) and len(line) < 200:
                item["author"] = parse_names(re.sub(r"^by\s+", "", line, flags=re.IGNORECASE))
                nxt = following[j + 1] if j + 1 < len(following) else ""
                if _AFFILIATION.search(nxt) and len(nxt) < 200:
                    affiliation = nxt
                break
        else:
            # Russian journals (and some others) put the authors above the title:
            # "Кистанов В. О." — taken only with initials, which a series or journal line lacks.
            for line in head[max(0, title_index - 2):title_index][::-1]:
                if _BYLINE.match(line) and _INITIAL.search(line) and not _AFFILIATION.search(line):
                    item["author"] = parse_names(line)
                    break
    if "issued" not in item:
        for line in head[:25]:
            if re.search(r"\b(?:19|20)\d\d\b", line) and len(line) < 80 and parse_date(line):
                date = parse_date(line)
                if date and len(date["date-parts"][0]) >= 2:
                    item["issued"] = date
                    break
    if "issued" not in item:
        # A year alone on a line of a title page ("2019", "Berlin 2019").
        year = next((m for m in (re.fullmatch(r"(?:[^\W\d_][\w .,-]{0,30}\s)?((?:19|20)\d\d)", line)
                                  for line in head[:30]) if m), None)
        if year:
            item["issued"] = {"date-parts": [[int(year.group(1))]]}
    return merge(item), affiliation


def publisher_from_affiliation(affiliation: str) -> str | None:
    """"Senior Research Fellow, Sejong Institute" -> "Sejong Institute"."""
    parts = [p.strip() for p in affiliation.split(",")]
    for part in reversed(parts):
        if ORG_WORDS.search(part):
            return part
    return None


# ------------------------------------------------------------------ abstract, keywords

_ABSTRACT_HEADING = re.compile(
    r"^\s*(?:abstract|summary|executive\s+summary|аннотация|резюме|zusammenfassung|kurzfassung|résumé"
    r"|resumen|resumo|riassunto|sommario|要旨|摘要|초록|요약)\s*(?:[:.—]\s*(?P<rest>.*)|$)",
    re.IGNORECASE,
)
_KEYWORDS = re.compile(r"^\s*(?:keywords?|key\s+words|ключевые\s+слова|schlüsselwörter|schlagwörter|mots[- ]clés"
                       r"|palabras\s+clave|parole\s+chiave)\s*[:.—-]\s*(?P<words>.+)$", re.IGNORECASE)


def from_sections(lines: list[str]) -> Item:
    """The abstract (first paragraphs under an Abstract/Summary heading) and keywords."""
    item: Item = {}
    for i, line in enumerate(lines[:400]):
        keywords = _KEYWORDS.match(line)
        if keywords and "keyword" not in item and len(line) < 600:
            item["keyword"] = ", ".join(w.strip() for w in re.split(r"[;,·•]", keywords.group("words"))
                                        if w.strip()).rstrip(".")
        heading = _ABSTRACT_HEADING.match(line)
        if not heading or "abstract" in item or len(line) > 2000:
            continue
        rest = (heading.group("rest") or "").strip()
        paragraphs: list[str] = [rest] if rest else []
        for following in lines[i + 1:i + 60]:
            text = following.strip()
            if _KEYWORDS.match(text) or _CONFERENCE.search(text) or text.startswith(("©", "Copyright")) \
                    or (text and len(text) < 60 and not text.endswith((".", ",", ";"))
                                         and paragraphs):
                break  # the next heading
            if text:
                paragraphs.append(text)
            if sum(map(len, paragraphs)) > 1500:
                break
        if paragraphs:
            item["abstract"] = re.sub(r"\s+", " ", " ".join(paragraphs)).strip()
    return item


# ------------------------------------------------------------------ language

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "with", "as"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "zu"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "dans", "pour", "que"},
    "es": {"el", "la", "los", "las", "y", "que", "del", "en", "por", "una"},
    "it": {"il", "la", "che", "di", "e", "per", "non", "una", "della", "sono"},
    "pt": {"o", "a", "os", "que", "do", "da", "em", "para", "não", "uma"},
}


def language(text: str) -> str | None:
    """ISO 639-1 code of the main language of *text* (script first, then stop words)."""
    sample = text[:20000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    counts = {
        "ru": sum("\u0400" <= ch <= "\u04ff" for ch in letters),
        "ko": sum("\uac00" <= ch <= "\ud7a3" for ch in letters),
        "ja": sum("\u3040" <= ch <= "\u30ff" for ch in letters),
        "zh": sum("\u4e00" <= ch <= "\u9fff" for ch in letters),
    }
    if counts["ja"] > len(letters) * 0.05:
        return "ja"
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n > len(letters) * 0.3:
        return script
    words = re.findall(r"[^\W\d_]+", sample.lower())
    scores = {lang: sum(w in stops for w in words) for lang, stops in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 3 else None
