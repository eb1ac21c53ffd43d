"""Labelled tokens → clean CSL-JSON fields.

The model says which tokens are the author, the title, the journal…; this module
decides what the values are: it trims the punctuation that separates fields,
takes "pp.", "Vol.", "In", "(Eds.)" off, splits ``33(9)`` into volume and issue,
parses names and dates, keeps a translated title in square brackets as a note,
and infers the item type from the fields present.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from refcli.identifiers import find_arxiv_ids, find_dois, find_isbns, find_pmids, find_urls
from refcli.printed import (
    DASH,
    EDITOR_MARK,
    GOST_NAMES,
    ISSUE_LABEL,
    ORG_WORDS,
    PAGE_LABEL,
    VOLUME_LABEL,
    YEAR,
    clean,
    is_initials,
    page_range,
    parse_date,
    parse_names,
)
from refcli.refparse import cjk
from refcli.vocabulary import Item


def spans(labelled: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive tokens with one label, as (label, text), in order."""
    out: list[tuple[str, list[str]]] = []
    for token, tag in labelled:
        if out and out[-1][0] == tag:
            out[-1][1].append(token)
        else:
            out.append((tag, [token]))
    return [(tag, " ".join(tokens)) for tag, tokens in out]


_TEXT_TAGS = frozenset(("title", "container-title", "journal", "publisher", "location", "note", "author", "editor"))


_CLOSERS = {"[": "]", "“": "”", "«": "»", "„": "“"}


_QUOTE_END = {"“": re.compile(r"(?:[.,!?]”|”[.,])$"), "\"": re.compile(r"(?:[.,!?]\"|\"[.,])$"),
              "«": re.compile(r"(?:[.,!?]\s*»|»[.,])$")}


def _quoted_title_ends(tokens: list[str], tags: list[str]) -> None:
    """A quoted title ends at its closing quote with field punctuation ('…waveguides,”').

    The model often runs such a title into the container after it ('“The Man of the
    Crowd.” Complete Tales and Poems, 475-481'); the words after the quote join the
    container that follows, or become one. A quote closed without punctuation
    ('“Mad Men” and the Politics of…') is part of the title and stays.
    """
    n = len(tags)
    i = 0
    while i < n:
        if tags[i] != "title" or (i and tags[i - 1] == "title"):
            i += 1
            continue
        j = i
        while j < n and tags[j] == "title":
            j += 1
        end = _QUOTE_END.get(tokens[i][:1])
        if end:
            for k in range(i, j - 1):
                if end.search(tokens[k]):
                    after = tags[j] if j < n and tags[j] in ("journal", "container-title") else "container-title"
                    tags[k + 1:j] = [after] * (j - k - 1)
                    break
        i = j


_TRAILING_VOLUME = re.compile(rf",\s*(?!{YEAR}$)(\d{{1,4}}|[IVXLC]{{1,7}})$")  # a number, not a year


def _publisher_with_volume(tags: list[str]) -> None:
    """A 'publisher' with a volume after it (a date may sit between) and no place before it
    is the journal the model took for a publisher ('Cerebellum, 2010. 10(1): 1-8.')."""
    if "journal" in tags or "container-title" in tags or "publisher" not in tags:
        return
    start = tags.index("publisher")
    if start and tags[start - 1] == "location":
        return
    end = start
    while end < len(tags) and tags[end] == "publisher":
        end += 1
    after = end
    while after < len(tags) and tags[after] == "date":
        after += 1
    if after < len(tags) and tags[after] == "volume":
        tags[start:end] = ["journal"] * (end - start)


def _organisation_author(tokens: list[str], tags: list[str]) -> None:
    """'World Health Organization. Global tuberculosis report 2023.': with no author
    found, an opening title block ending in an organisation word, with more title
    after it, is the organisation that wrote the report."""
    if "author" in tags or not tags or tags[0] != "title":
        return
    for end, token in enumerate(tokens[:12]):
        if tags[end] != "title":
            return
        if token.endswith("."):
            break
    else:
        return
    if end and end + 1 < len(tags) and tags[end + 1] == "title" and ORG_WORDS.fullmatch(tokens[end].rstrip(".")) \
            and all(t[:1].isupper() or t.islower() and len(t) <= 3 for t in tokens[:end + 1]):
        tags[:end + 1] = ["author"] * (end + 1)


def _organisation_end(tokens: list[str], tags: list[str], i: int) -> int | None:
    """Where an organisation's name that the author field broke off at *i* ends: within
    three capitalised title words, one ending the sentence on an organisation word."""
    if tokens[i - 1].endswith((".", ",", ":")) or ORG_WORDS.search(" ".join(tokens[:i])):
        return None
    for j in range(i, min(i + 3, len(tokens))):
        if tags[j] != "title" or not tokens[j][:1].isupper():
            return None
        if tokens[j].endswith((".", ",")):
            return j if ORG_WORDS.fullmatch(tokens[j].rstrip(".,")) else None
    return None


_NUMBER_TAGS = frozenset(("volume", "issue", "pages"))
_ISSUE_WORD = re.compile(ISSUE_LABEL, re.IGNORECASE)
_ISSUE_NUMBER = re.compile(r"\(?[A-Z]?\d+[A-Za-z]?(?:[-–—/][A-Z]?\d+[A-Za-z]?)?\)?[,.:;]?")
_GLUED_ISSUE = re.compile(rf"{ISSUE_LABEL}\s*{_ISSUE_NUMBER.pattern}", re.IGNORECASE)
_VOLUME_NUMBER = re.compile(r"\(?(?:\d+|[IVXLC]{1,7})\)?[,.:;]?")


def _issue_after_volume(tokens: list[str], tags: list[str]) -> None:
    """An issue label with its number or range ("nos. 3–4", "no. 2,", "H. 3", "n°5") after
    a volume's number ("97, nos. 3–4 (1953)", "Vol. 12, no. 2") or opening the numbers
    ("(1998). No. 3, pp. 5–9") is the issue, whatever the labeller split: it reads Chicago's
    double issue as the volume "97, nos" and the pages "3–4", or runs "no. 1," into the pages.
    The one place such a split is mended; a volume span holding the whole "Vol. 5, No. 2"
    is split by ``_volume_issue``."""
    for i, token in enumerate(tokens):
        if tags[i] not in _NUMBER_TAGS:
            continue
        glued = _GLUED_ISSUE.fullmatch(token) is not None
        if glued:
            end = i + 1
        elif _ISSUE_WORD.fullmatch(token) and i + 1 < len(tokens) and tags[i + 1] in _NUMBER_TAGS \
                and _ISSUE_NUMBER.fullmatch(tokens[i + 1]):
            end = i + 2
        else:
            continue
        after_volume = i > 0 and tags[i - 1] == "volume" and _VOLUME_NUMBER.fullmatch(tokens[i - 1]) is not None
        opening = i == 0 or tags[i - 1] not in _NUMBER_TAGS
        if after_volume or opening and not glued:
            tags[i:end] = ["issue"] * (end - i)


def smooth(labelled: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Labels without the slips a token-level model makes inside one field.

    A single token labelled unlike both (agreeing) neighbours is a slip
    ("Journal of *Applied* Physics"), and a journal run that a container-title
    run touches is one container: the post-processor takes the first span of
    each label, so a split field would lose its second half.
    """
    tags = [tag for _, tag in labelled]
    tokens = [token for token, _ in labelled]
    # A bracketed or quoted run that starts and ends in one field is wholly that field
    # ("[Empire on Self-Financing: What Is Trump Doing With American Power?]"); a translation
    # in square brackets after a title's words is the title's, also where the labeller ran
    # its second half into the journal ("… mogushchestvom [Empire on …? And What He Does
    # Not Do]. Rossiya v global'noi politike").
    for i, token in enumerate(tokens):
        close = _CLOSERS.get(token[:1])
        if not close or token.rstrip(".,;:")[-1:] == close:
            continue
        for j in range(i + 1, min(i + 60, len(tokens))):
            if tokens[j].rstrip(".,;:)")[-1:] == close:
                if tags[i] == tags[j] and tags[i] in _TEXT_TAGS:
                    tags[i:j + 1] = [tags[i]] * (j + 1 - i)
                elif close == "]" and i and tags[i - 1] == tags[i] == "title" \
                        and set(tags[i:j + 1]) <= {"title", "journal", "container-title"}:
                    tags[i:j + 1] = ["title"] * (j + 1 - i)
                break
    _quoted_title_ends(tokens, tags)
    _publisher_with_volume(tags)
    _issue_after_volume(tokens, tags)
    for i in range(1, len(tags) - 1):
        if tags[i - 1] == tags[i + 1] != tags[i] and tags[i] in _TEXT_TAGS and tags[i - 1] in _TEXT_TAGS:
            tags[i] = tags[i - 1]
    # The author/title seam, where the model most often slips by a word or two: an
    # organisation's last words ("World Health | Organization.", "World | Health
    # Organization.") belong to the author, and a word ending in a colon
    # ("Toutanova K. | BERT: pre-training") opens the title.
    for i in range(1, len(tags)):
        if tags[i - 1] == "author" and tags[i] == "title" and (end := _organisation_end(tokens, tags, i)):
            tags[i:end + 1] = ["author"] * (end + 1 - i)
        elif tags[i - 1] == tags[i] == "author" and i + 1 < len(tags) and tags[i + 1] == "title" \
                and tokens[i - 1].endswith(".") and tokens[i].endswith(":") and not is_initials(tokens[i].rstrip(":")):
            tags[i] = "title"
        # "R. H. Bube, Photovoltaic Materials": where names are written initials first,
        # the word after the initials is a family name, not the title's first word.
        elif tags[i - 1] == "author" and tags[i] == "title" and i + 1 < len(tags) and tags[i + 1] == "title" \
                and tokens[i].endswith(",") and tokens[i][:1].isupper() and "." in tokens[i - 1] \
                and is_initials(tokens[i - 1]) and is_initials(tokens[tags.index("author")]):
            tags[i] = "author"
    _organisation_author(tokens, tags)
    kinds = {"journal", "container-title"}
    i = 0
    while i < len(tags):
        if tags[i] in kinds:
            j = i
            while j < len(tags) and tags[j] in kinds:
                j += 1
            run = tags[i:j]
            major = max(kinds, key=run.count)
            tags[i:j] = [major] * (j - i)
            i = j
        else:
            i += 1
    return [(token, tag) for (token, _), tag in zip(labelled, tags, strict=True)]


# ------------------------------------------------------------------ dates and numbers


_SUPPL = r"(?:suppl(?:ement)?\.?\s*)?\S+"  # "no. Suppl 2" is one issue
_ISSUE_ONLY = re.compile(rf"{ISSUE_LABEL}\s*({_SUPPL})", re.IGNORECASE)
_VOL_NO = re.compile(rf"(?:{VOLUME_LABEL}\s*)?(\S+?)\s*[,;:.]?\s*{ISSUE_LABEL}\s*({_SUPPL})", re.IGNORECASE)
_VOL_PAREN = re.compile(rf"(?:{VOLUME_LABEL}\s*)?([^\s(\[]+?)\s*[,;:]?\s*[(\[]\s*([^)\]]+?)\s*[)\]]", re.IGNORECASE)
_VOL_SEP = re.compile(rf"(?:{VOLUME_LABEL}\s*)?(\d+)\s*[,:./]\s*(\d+(?:[-–/]\d+)?)", re.IGNORECASE)
# PubMed's "2001 Sep 16;345(11):790-7", "1997;9(8):1735-80", "2013;(9):CD004366".
_VANCOUVER = re.compile(rf"(?:(?P<year>{YEAR})?(?P<month>\s*[A-Z][a-z]{{2}}(?:\s+\d{{1,2}})?)?\s*;\s*)?"
                        r"(?P<volume>[^\s(:;]*)(?:\((?P<issue>[^)]+)\))?:\s*(?P<pages>\w+(?:[-–]\w+)?(?:,\s*\w+(?:[-–]\w+)?)*)")
_YEAR_PAGES = re.compile(rf"(?P<year>{YEAR})\s*:\s*(?P<pages>\w+(?:[-–]\w+)?)")
_VOL_PREFIX = re.compile(rf"^{VOLUME_LABEL}\s*(?=\S)", re.IGNORECASE)


def _volume_issue(text: str, item: Item) -> None:
    """"33(9)", "Vol. 5, No. 2", "Т. 5, № 2", "43:17", "n° 5" → volume and issue.

    Only a value that is wholly a volume-and-issue pattern is split; anything else
    (" 6 (1): 14", "84. Jg. H. 4") stays the volume as printed, like the labelled data.
    """
    text = " ".join(text.split()).strip(" .,;:")
    for pattern, fields in ((_ISSUE_ONLY, ("issue",)), (_VOL_NO, ("volume", "issue")),
                            (_VOL_PAREN, ("volume", "issue")), (_VOL_SEP, ("volume", "issue"))):
        match = pattern.fullmatch(text)
        if match:
            for field, value in zip(fields, match.groups(), strict=True):
                if clean(value):
                    item.setdefault(field, clean(value))
            return
    value = clean(_VOL_PREFIX.sub("", text))
    if value:
        item.setdefault("volume", value)


def _issue(text: str, item: Item) -> None:
    value = clean(re.sub(rf"^\s*\(?\s*{ISSUE_LABEL}\s*", "", text, flags=re.IGNORECASE))
    if value:
        item.setdefault("issue", value)


# ------------------------------------------------------------------ the item


_GOST_SOURCE = re.compile(rf"^(.*?)[.,]\s*({YEAR})\b(.*)$")


def gost(text: str) -> Item | None:
    """GOST 7.1/7.0.5 ("Family I.O. Title // Journal. 2024. Т. 5, № 2. С. 7–20."), by rule:
    its " // " and abbreviations are unambiguous, and the labelled data has none of it."""
    left, sep, right = text.partition(" // ")
    names = GOST_NAMES.match(left)
    source = _GOST_SOURCE.match(right)
    if not sep or not names or not source:
        return None
    item: Item = {"author": parse_names(names.group(1))[0],
                  "title": clean(left[names.end():].split(" / ")[0]),
                  "container-title": clean(source.group(1)),
                  "issued": {"date-parts": [[int(source.group(2))]]}}
    rest = source.group(3)
    for pattern, field in ((r"(?:Т|Том|Vol)\.\s*([\w\-]+)", "volume"),
                           (r"(?:№|No\.?|Вып\.)\s*([\w\-/]+)", "issue"),
                           (r"(?:С|P|S|Pp)\.\s*(\d+(?:\s*[–—-]\s*\d+)?)", "page")):
        found = re.search(pattern, rest)
        if found:
            item[field] = DASH.sub("-", found.group(1))
    return item


# Fields whose later spans continue the first, as the labelled data reads them.
_JOINED = frozenset(("publisher", "location", "note"))


def to_csl(text: str, labelled: list[tuple[str, str]]) -> Item:
    ruled = gost(text)
    if ruled:
        ruled["type"] = "article-journal"
    else:
        ruled = cjk.parse(text)
    if ruled:
        _identifiers(text, ruled)
        return ruled
    item: Item = {}
    first: dict[str, str] = {}
    for tag, value in spans(smooth(labelled)):
        if tag not in first:
            first[tag] = value
        elif tag in _JOINED:  # a field interrupted by another ("Macmillan; [New York:] St. Martin's Press")
            first[tag] = f"{clean(first[tag])} {clean(value)}"

    for role, tag in (("author", "author"), ("editor", "editor"), ("translator", "translator"),
                      ("director", "director")):
        if tag in first:
            names, etal = parse_names(first[tag])
            if names:
                item[role] = names
            if etal:
                item.setdefault("custom", {}).setdefault("etal", []).append(role)

    notes: list[str] = []
    if "title" in first:
        title = first["title"]
        # The end of a date the model cut short: "(2025, April" + "06). Title"
        spill = re.match(r"^\s*(\d{1,2})\)[.,]?\s+", title)
        if spill and "date" in first:
            first["date"] += f" {spill.group(1)}"
            title = title[spill.end():]
        translated = re.search(r"\s*\[([^\]]{4,})\]\.?\s*$", title)
        if translated:  # "Imperiya na khozraschete [Empire on Self-Financing]"
            notes.append(f"[{translated.group(1)}]")
            title = title[: translated.start()]
        container_in_title = _split_title(title, text, has_container="journal" in first or "container-title" in first)
        if container_in_title:
            title, first["container-title"] = container_in_title
        # "…Losch," in Book: the model often keeps the "in" that opens the container.
        item["title"] = clean(re.sub(r"(?<=[.,”\"’»])\s+(?:in|dans|im):?\s*$", "", title, flags=re.IGNORECASE))
    container = first.get("journal") or first.get("container-title")
    if container:
        container = re.sub(r"^\s*(?:in|dans|im|в)\s*:?\s+", "", container, flags=re.IGNORECASE)
        container = re.sub(r"^\s*//\s*", "", container)
        item["container-title"] = clean(EDITOR_MARK.sub("", container) if "container-title" in first
                                        and "journal" not in first else container)
    if "collection-title" in first:
        item["collection-title"] = clean(first["collection-title"])
    _unpack_vancouver(first)
    if "date" in first:
        date = parse_date(first["date"])
        if date:
            item["issued"] = date
    elif (year := _note_year(first.get("note", ""))) is not None:
        # "arXiv:1810.04805 [Preprint]. 2018.": the model left the year in a note.
        item["issued"] = {"date-parts": [[year]]}
    if "volume" in first:
        _volume_issue(first["volume"], item)
    elif (numbered := _TRAILING_VOLUME.search(item.get("container-title", ""))) is not None:
        # "Management Technology, IV (June, 1964)": the model kept the volume in the container.
        item["container-title"] = item["container-title"][: numbered.start()]
        item["volume"] = numbered.group(1)
    if "issue" in first:
        _issue(first["issue"], item)
    if "pages" in first:
        pages = page_range(first["pages"])
        if pages:
            item["number-of-pages" if re.search(rf"\d\s*{PAGE_LABEL}\.?$", clean(first["pages"])) and
                 "-" not in pages else "page"] = re.sub(rf"\s*{PAGE_LABEL}\.?$", "", pages)
    for tag, field in (("publisher", "publisher"), ("location", "publisher-place"),
                       ("edition", "edition"), ("genre", "genre"), ("medium", "medium"),
                       ("source", "source")):
        if tag in first:
            value = clean(first[tag])
            if value:
                item[field] = value
    if "note" in first:
        notes.append(clean(first["note"]))
    language = re.search(r"\((?:in\s+)?(russian|russ|english|german|french|japanese|korean|chinese|spanish)\.?\)",
                         text, re.IGNORECASE)
    if language:
        item["language"] = {"russ": "ru", "russian": "ru", "english": "en", "german": "de", "french": "fr",
                            "japanese": "ja", "korean": "ko", "chinese": "zh", "spanish": "es"}[
            language.group(1).lower()]
    _identifiers(text, item)
    _report_and_thesis_parts(item)
    if notes:
        item["note"] = "; ".join(n for n in notes if n)
    item["type"] = infer_type(item, first, text)
    return {k: v for k, v in item.items() if v not in ("", None, [], {})}


# APA's report number after the title: "(Report No. 56970)", "(NBER Working Paper No. 2345)".
_REPORT_NUMBER = re.compile(r"\s*\(((?:[A-Z][\w.&-]*\s+){0,3}(?:Report|Paper|Brief|Note|Series|Bulletin)s?)"
                            r"\s+(?:No\.|Nr\.|№|Number)\s*([\w./-]+)\)\.?$", re.IGNORECASE)


def _report_and_thesis_parts(item: Item) -> None:
    """A report's number printed inside its title or with its series, and APA's
    "[Doctoral dissertation, University]. Archive" read as one publisher: split into
    CSL's own variables."""
    numbered = _REPORT_NUMBER.search(item.get("title", ""))
    if numbered:
        item["title"] = item["title"][: numbered.start()]
        item.setdefault("genre", numbered.group(1))
        item.setdefault("number", numbered.group(2))
    if not (item.get("volume") or item.get("page")):
        from refcli.documents.metadata import NUMBERED_SERIES

        # "Sejong Policy Brief 2025-02" as the container, or after the title's full stop
        # ("Substituierbarkeitspotenziale von Berufen. IAB-Kurzbericht 4/2018"): a report in a series
        tail = re.search(r"(?<=[.?!])\s+([^.?!]+)$", item.get("title", ""))
        for field, value in (("container-title", item.get("container-title", "")),
                             ("title", tail.group(1) if tail else "")):
            series = NUMBERED_SERIES.fullmatch(value) if value else None
            if series and not series.group("title"):
                item["collection-title"] = series.group("series")
                item["number"] = series.group("number")
                if field == "title":
                    item["title"] = clean(item["title"][: cast("re.Match[str]", tail).start()])
                else:
                    del item["container-title"]
                break
    publisher = item.get("publisher", "")
    if "]" in publisher:  # "Harvard University]. ProQuest Dissertations and Theses Global"
        institution, _, archive = publisher.partition("]")
        item["publisher"] = clean(institution)
        if clean(archive):
            item.setdefault("archive", clean(archive))


def _note_year(note: str) -> int | None:
    """The last word of *note* that is nothing but a plausible year ("2018."), if any."""
    for word in reversed(note.split()):
        bare = word.strip(".,;:()[]")
        if len(bare) == 4 and bare.isdigit() and 1600 <= int(bare) <= 2099:
            return int(bare)
    return None


def _unpack_vancouver(first: dict[str, str]) -> None:
    """"1997;9(8):1735-80" printed as one token, labelled date or volume → date, volume, pages;
    AMA's chapter "2009:498-532" (year:pages) → date and pages."""
    packed = _YEAR_PAGES.fullmatch(first.get("pages", "").strip().rstrip(".,;"))
    if packed:
        first["pages"] = packed.group("pages")
        first.setdefault("date", packed.group("year"))
        return
    joined = f"{first.get('volume', '')} {first.get('pages', '')}"
    if "(" in first.get("volume", "") and "pages" in first and _VANCOUVER.fullmatch(joined.strip().rstrip(".,;")):
        first["volume"] = joined  # "1955;328(Suppl" + "2):100-108." cut at the space
        del first["pages"]
    for tag in ("volume", "date", "pages"):
        value = first.get(tag, "").strip().rstrip(".,;")
        packed = _VANCOUVER.fullmatch(value)
        if not packed or not (packed["volume"] or packed["issue"]):
            continue
        if tag == "date" and not packed["year"] or tag != "pages" and "pages" in first:
            continue
        if tag == "pages" and not (";" in value and re.fullmatch(r"\d{4}", first.get("date", "")) or
                                   ";" not in value and "volume" not in first and packed["volume"].isdigit()):
            continue  # a pages span is "Jun;77:42-51" after a bare year, or "314:101-108" alone
        first["pages"] = packed["pages"]
        month = (packed["month"] or "").strip()
        if tag == "pages" and month:
            first["date"] = f"{first['date']} {month}"
        elif packed["year"]:
            first["date"] = f"{packed['year']} {month}".strip()
        if packed["volume"]:
            first["volume"] = packed["volume"] + (f"({packed['issue']})" if packed["issue"] else "")
        else:  # "2013;(9):CD004366": an issue without a volume
            first["issue"] = packed["issue"]
            if tag == "volume":
                del first["volume"]
        return


def _split_title(title: str, text: str, has_container: bool) -> tuple[str, str] | None:
    """(title, container) when the model ran a title into what follows it.

    Two shapes recur: a chapter's "Title. In Book Title" and, in web references,
    "Title. Site Name. Retrieved …" where the site is a short run of capitalised words.
    """
    if has_container:
        return None
    chapter = re.search(r"[.?!]\s+In:?\s+(?=[A-Z\"“])", title)
    if chapter:
        return title[: chapter.start() + 1], title[chapter.end():]
    site = re.search(r"(?<!\b[A-Z])[.?!]\s+((?:The\s+)?(?:[A-Z][\w’'&-]*\s?){1,5})[.,]?\s*$", title)
    if site and re.search(r"https?://|retrieved|accessed", text, re.IGNORECASE):
        return title[: site.start() + 1], site.group(1)
    return None


# A DOI as printed: no white space; brackets only when they close ("…11[101:EORCCS]2.0.CO;2").
_DOI_RUN = re.compile(r"10\.\d{4,9}/(?:[^\s\"'<>\[\]{}|\\^`]|\[[^\s\]]*\]|<[^\s>]*>)+")
# What PDF text glues to a DOI's end: ",arXiv:hep-ph/…", ".URL https…", "…2333URL".
_GLUED_TAIL = re.compile(r",.*$|[;.](?:arxiv|url|https?|pmid|pmcid|isbn|available|accessed|retrieved)\b.*$",
                         re.IGNORECASE)
_GLUED_TAIL_CASED = re.compile(r"(?<=[\da-z)])(?:URL|arXiv|https?:|PMID).*$")
# A DOI broken at a line's end reads "10.1038/ng. 2653", "10.1016/0009-2614(80) 80396-4",
# "10.18429/JACoW -HP071-…": the piece after the space has no sentence in it.
_SPLIT_DOI = re.compile(r"(\b10\.\d{4,9}/\S*?(?:\.|\)|/))\s(?!(?:19|20)\d\d\b)(?=[a-z\d(][\w.()/-]*\d[\w.()/-]*(?:[\s,;)]|$))"
                        r"|(\b10\.\d{4,9}/\S*?\w)\s(?=-[A-Za-z\d])")


def printed_dois(text: str) -> list[str]:
    """The DOIs of a reference as printed (their case kept), also when PDF text split
    them ("doi:10. 1103/PhysRevD.10.2445", "10.1038/ng. 2653") or glued the next
    identifier to them ("…151502,arXiv:hep-ph/050218", "….2333.URL https")."""
    return list(_printed_dois(text)) if "10." in text else []


@lru_cache(maxsize=512)
def _printed_dois(text: str) -> tuple[str, ...]:
    # Cached: the parser asks twice for each string (cutting them out, then reading them).
    from refcli.identifiers import normalize_doi

    joined = re.sub(r"\b10\.\s+(?=\d{4,9}/)", "10.", text)
    joined = re.sub(r"(\b10\.\d{4,9}/)\s+(?=\S)", r"\1", joined)
    joined = _SPLIT_DOI.sub(lambda m: m.group(1) or m.group(2), joined)
    out: list[str] = []
    for match in _DOI_RUN.finditer(joined):
        raw = _GLUED_TAIL_CASED.sub("", _GLUED_TAIL.sub("", match.group(0)))
        canon = normalize_doi(raw)
        if not canon:
            continue
        doi = raw[:len(canon)] if raw.lower().startswith(canon) else canon
        if doi.lower() not in (d.lower() for d in out):
            out.append(doi)
    return tuple(out)


def doi_spans(text: str) -> list[tuple[int, int]]:
    """Where in *text* its printed DOIs stand, spaces that PDF text put inside them included."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for doi in printed_dois(text):
        at = lowered.find(doi.lower())
        if at >= 0:
            span = (at, at + len(doi))
        else:
            found = re.search(r"\s?".join(map(re.escape, doi)), text, re.IGNORECASE)
            if not found:
                continue
            span = found.span()
        if not any(a < span[1] and span[0] < b for a, b in spans):
            spans.append(span)
    return sorted(spans)


def _identifiers(text: str, item: Item) -> None:
    dois = printed_dois(text) or find_dois(text)
    if dois:
        item["DOI"] = dois[0]
    urls = [u for u in find_urls(text) if "doi.org/" not in u.lower()]
    if urls:
        item["URL"] = urls[0]
    isbns = find_isbns(text)
    if isbns:
        item["ISBN"] = isbns[0]
    arxiv = find_arxiv_ids(re.sub(r"\barXiv\s+:\s*", "arXiv:", text, flags=re.IGNORECASE))  # PDF's "arXiv :hep-ph/…"
    if arxiv:
        item.setdefault("number", f"arXiv:{arxiv[0]}")
    pmids = find_pmids(text)
    if pmids:
        item["PMID"] = pmids[0]
    accessed = re.search(r"(?:retrieved|accessed|abgerufen|consulté|дата обращения)[^0-9]{0,20}"
                         r"((?:[A-Za-zА-я]+\.?\s+)?\d{1,2},?\s+(?:[A-Za-zА-я]+\.?\s+)?\d{4}|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d\d-\d\d)",
                         text, re.IGNORECASE)
    if accessed:
        date = parse_date(accessed.group(1))
        if date and "date-parts" in date:
            item["accessed"] = date


# Conferences cited by their acronym alone ("In ICLR, 2015").
_CONFERENCE = re.compile(r"\b(?:AAAI|ACL|CHI|CIKM|COLING|CVPR|ECCV|EMNLP|ICASSP|ICCV|ICDE|ICLR|ICML|ICRA|IJCAI|"
                         r"INTERSPEECH|IROS|KDD|NAACL|NeurIPS|NIPS|SIGIR|SIGMOD|STOC|FOCS|UAI|VLDB|WSDM|WWW)\b")


def infer_type(item: Item, spans_by_tag: dict[str, str], text: str) -> str:
    lowered = text.lower()
    genre = (item.get("genre") or "").lower()
    if re.search(r"thesis|dissertation|diss\b|ph\.?\s?d|master|диссертац", genre + " " + lowered) and \
            "journal" not in spans_by_tag:
        return "thesis"
    if "journal" in spans_by_tag:
        return "article-journal"
    container = item.get("container-title") or ""
    if "container-title" in spans_by_tag and container:
        # IEEE and ACM abbreviate: "in Proc. IEEE Conf. Comput. Vis.", "Symp.", "Workshops".
        if _CONFERENCE.search(container) or re.search(
                r"proceedings|\bproc\b|conference|\bconf\b|symposium|\bsymp\b|workshop|congress|meeting"
                r"|colloqui|tagung|конференц", container.lower()):
            return "paper-conference"
        # "In" opening a segment ("…,” in Book", ". In: Book"), not "Trade in Europe".
        if item.get("editor") or item.get("publisher") or re.search(
                r"(?:^|[.,:;”\"’»)]\s+)(?:in|dans|im)\b", text, re.IGNORECASE):
            return "chapter"
        if item.get("volume") or item.get("issue"):
            return "article-journal"
        # A dated piece in a named publication online ("The Atlantic. https://…"): APA's
        # magazine/news article, whose container is not a book.
        if item.get("URL") or len((item.get("issued") or {}).get("date-parts", [[]])[0]) == 3:
            return "article-magazine"
        return "chapter"
    if re.search(r"report|working paper|policy brief|issue brief|discussion paper|technical note|research paper"
                 r"|occasional paper|policy paper|kurzbericht|arbeitspapier|diskussionspapier", genre + " " + lowered):
        return "report"
    if item.get("publisher") or item.get("ISBN") or item.get("edition"):
        return "book"
    if item.get("URL"):
        return "webpage"
    return "article" if item.get("title") else "document"
