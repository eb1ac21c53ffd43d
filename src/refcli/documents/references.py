"""Finding a document's reference list in its text and cutting it into references.

The rules are layout rules, not a model: a heading in one of the common
languages opens the list, a section that never belongs to it (appendix, "How to
cite", licence, page counters) closes it, and the list is cut where numbering,
blank lines, hanging indents or the shape of an author-year start say so. Each
reference is then joined into one line, with end-of-line hyphenation undone and
Chicago's "———." replaced by the previous reference's authors.
"""

from __future__ import annotations

import re
from collections import Counter

from refcli.identifiers import find_dois, find_pmids
from refcli.refparse import REPEATED_AUTHORS, repeated_authors

# Headings that open a reference list. "Notes"-like headings are used only when
# no true reference heading exists, because papers often have both.
_REF_HEADINGS = (
    r"references?(?:\s+(?:list|cited|and\s+notes))?|bibliography|selected\s+bibliography"
    r"|works\s+cited|literature(?:\s+cited)?|cited\s+literature|sources(?:\s+cited)?"
    r"|список\s+(?:использованной\s+|использованных\s+источников\s+и\s+)?литературы"
    r"|список\s+(?:использованных\s+)?источников|литература|библиография|источники"
    r"|literaturverzeichnis|literatur|quellen(?:verzeichnis)?|bibliographie|références"
    r"|r[ée]f[ée]rences\s+bibliographiques|bibliograf[ií]a|referencias(?:\s+bibliogr[áa]ficas)?"
    r"|bibliografia|riferimenti(?:\s+bibliografici)?|referências(?:\s+bibliográficas)?|literatura\s+citada"
    r"|literatuur|litteratur|bibliografie|kaynakça|piśmiennictwo|bibliografia\s+citata"
    r"|参考文献|引用文献|参考资料|참고\s*문헌|文献"
)
_NOTE_HEADINGS = r"notes|endnotes|notes\s+and\s+references|anmerkungen|примечания|notas|note"
_NUMBER_PREFIX = r"(?:(?:\d{1,2}|[IVXLC]{1,6})[.)]?\s+)?"
_REF_HEADING = re.compile(rf"^\s*{_NUMBER_PREFIX}(?:{_REF_HEADINGS})\s*:?\s*$", re.IGNORECASE)
_NOTE_HEADING = re.compile(rf"^\s*{_NUMBER_PREFIX}(?:{_NOTE_HEADINGS})\s*:?\s*$", re.IGNORECASE)

# Lines that end a reference list: sections that follow one on papers and pages.
_STOP = re.compile(
    r"^\s*(?:(?:\d{1,2}|[A-Z])[.)]?\s+)?(?:"
    r"(?:appendix|appendices|annex(?:es)?|anhang|приложени[ея]|annexe|apéndice|anexo|appendice)\b.{0,80}"
    r"|supplementa(?:ry|l)\b.*|supporting\s+information|acknowledge?ments?|funding|conflicts?\s+of\s+interest.*"
    r"|about\s+the\s+authors?|author\s+information|author\s+biograph(?:y|ies)|об\s+авторах?"
    r"|how\s+to\s+cite.*|for\s+citations?|cite\s+this(?:\s+article|\s+paper)?|citation"
    r"|для\s+цитирования|zitiervorschlag|review|reviews|keywords|article\s+metrics"
    r"|related\s+articles|similar\s+articles|comments?|footnotes|figures?|tables?|impressum|imprint"
    r"|notes\s+on\s+contributors|author\s+contributions?|data\s+availability(?:\s+statement)?"
    r"|competing\s+interests?|ethics\s+declarations?|rights\s+and\s+permissions|additional\s+information"
    r"|share\s+this\s+article|download\s+references|article\s+history|cited\s+by(?:\s*\(\d+\))?|metrics|permissions"
    r"|declaration\s+of\s+competing\s+interest|credit\s+authorship\s+contribution\s+statement"
    r")\s*:?\s*$"
    r"|^\s*(?:how\s+to\s+cite|for\s+citations?|cite\s+this\s+\w+|suggested\s+citation|recommended\s+citation"
    r"|для\s+цитирования|zitiervorschlag|pour\s+citer)\b.*"
    r"|^\s*(?:views|просмотры|downloads)\s*:\s*\d+"
    # an article's history under its list: "Received: 12 May 2020", "Aceite em: 03/12/2021"
    r"|^\s*(?:received|submitted|accepted|revised|recebido|submiss[ãa]o|aceito|aceite|recibido|aceptado)(?:\s+(?:em|en|on))?\s*:?\s*"
    r"(?:\d{1,2}[/.\s-]|[A-Za-z]+\.?\s+\d)"
    r"|^\s*(?:privacy(?:\s+policy)?|terms\s+(?:of|and)\s+\w+|cookies?(?:\s+(?:policy|settings))?|back\s+to\s+top"
    r"|follow\s+us|subscribe|newsletter|contact\s+us|site\s*map|accessibility)\s*$"
    r"|all\s+rights\s+reserved"
    r"|^\s*(?:creative\s+commons|this\s+(?:work|article)\s+is\s+licen[sc]ed|copyright\b|©|\(c\)\s+\d{4})"
    r"|^\s*(?:e-?)?issn\b",
    re.IGNORECASE,
)

# Page furniture that PDF text puts between references.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s+|p\.\s*|стр\.\s*|seite\s+)?\d{1,4}(?:\s*(?:/|of|из|von)\s*\d{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE,
)

# Rows of links that publishers' pages put under each reference ("Article  ADS  Google Scholar").
_LINK_LABEL = (r"(?:publisher\s+full\s+text|free\s+full\s+text|reference\s+source|pubmed\s+abstract|article|ads|cas|pubmed(?:\s+central)?|google\s+scholar|crossref|mathscinet|scopus|"
               r"web\s+of\s+science|isi|zentralblatt|math|view\s+(?:article|pdf|in\s+scopus|record\s+in\s+scopus)|"
               r"full\s+text|abstract|pdf|link|"
               r"search\s+in\s+google\s+scholar|open\s+url|find\s+it|wiley\s+online\s+library|jstor|"
               r"doi|medline|europe\s+pmc|semantic\s+scholar|elibrary|ринц)[®™]?")
LINK_LABEL = re.compile(rf"{_LINK_LABEL}$", re.IGNORECASE)
# PubMed Central's inline "[DOI] [PubMed] [Google Scholar]" (a DOI link's target kept).
_BRACKETED_LINK = re.compile(rf"\s*\[\s*{_LINK_LABEL}(\s+(?:https?://\S+|PMID:\s*\d+))?\s*\]", re.IGNORECASE)
# html.to_text writes a DOI link's target beside its label ("Article https://doi.org/10…"),
# Wiley's rows show the DOI itself; a line that is only a DOI is a reference's own, wrapped.
_LINK_ITEM = rf"(?:{_LINK_LABEL}|(?:https?://(?:dx\.)?doi\.org/)?10\.\d{{4,9}}/\S+|PMID:\s*\d+)\s*[|,/·•]?\s*"
_LINK_LABELS = re.compile(rf"^(?:{_LINK_ITEM})*{_LINK_LABEL}\s*[|,/·•]?\s*(?:{_LINK_ITEM})*$", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)](?!\d)|\((\d{1,3})\))\s*")
_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)[a-z]?\b|\bn\.\s?d\.|\bo\.\s?J\.|\bб\.\s?г\.|\bin press\b",
                   re.IGNORECASE)
# An author-year reference starts with a family name followed by a comma or initials,
# or with an organisation; both in any script that has capitals.
_UPPER = r"A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ"
_START = re.compile(
    rf"^\s*(?:[{_UPPER}][\w'’\-]+(?:\s+(?:van|von|de|der|den|da|di|du|la|le|[{_UPPER}][\w'’\-]+))*,\s*[{_UPPER}]"
    rf"|[{_UPPER}][\w'’\-]+\s+(?:[{_UPPER}]\.\s?-?)+[,(]?"
    rf"|[{_UPPER}][\w'’\-]+\s+[{_UPPER}]{{1,3}}[,.]"
    rf"|(?:[{_UPPER}]\.\s?-?){{1,3}}\s*[{_UPPER}][\w'’\-]+,"
    rf"|[{_UPPER}][\w'’\-]+\s+[{_UPPER}][\w'’\-]+\s*[.(]\s*(?:\(?\d{{4}}))"
    # an organisation in capitals: "WORLD BANK. Global …", "NBS – National Bureau …"
    rf"|[{_UPPER}]{{2,}}(?:\s+[{_UPPER}]{{2,}})*(?:\.\s|,\s|\s+[–-]\s)"
    # given names first (natbib's plainnat, IEEE): "Sergey Ioffe and Christian …", "Yann LeCun, Léon …"
    rf"|[{_UPPER}][a-zà-ÿ]+(?:\s+[{_UPPER}]\.)?\s+[{_UPPER}][\w'’\-]+(?:,\s+[{_UPPER}][a-zà-ÿ]+\s|\s+and\s+[{_UPPER}])"
)
# Link labels that F1000 and others print before the next reference on the same line.
_LEADING_LINKS = re.compile(r"^\s*(?:(?:publisher|free)\s+full\s+text|reference\s+source|pubmed\s+abstract)"
                            r"(?:\s*\|\s*|\s+)(?=\S)", re.IGNORECASE)
_URL_END = re.compile(r"(?:https?|ftp)://\S+$")
_DOI_AT_END = re.compile(r"10\.\d{4,9}/\S*$")
_PUBLISHER_PLACE = re.compile(r"^\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2},\s*[A-Z]{2}\s*:")
_ENDS_REFERENCE = re.compile(r"(?:[.)\]»”\d]|https?://\S+|10\.\d{4,9}/\S+)\s*$")


_PAGE_FOOT = re.compile(r"^\s*(?:creative\s+commons|this\s+(?:work|article)\s+is|this\s+is\s+an\s+open"
                        r"|copyright\b|©|\(c\)\s+\d{4}|(?:e-?)?issn\b)|all\s+rights\s+reserved|creative\s+commons",
                        re.IGNORECASE)


def _continues_list(lines: list[str], j: int) -> bool:
    """Whether the first lines from *j* on, past other foot lines, start a reference."""
    for line in lines[j:j + 4]:
        if not line.strip() or _PAGE_FOOT.search(line) or _PAGE_NUMBER.match(line.strip()):
            continue
        return bool(_START.match(line) or _NUMBERED.match(line))
    return False


def _is_heading(line: str, pattern: re.Pattern[str]) -> bool:
    return len(line) < 80 and bool(pattern.match(line))


def find_section(lines: list[str], repeated: set[str] | None = None) -> tuple[int, int] | None:
    """(start, end) line indices of the reference list, heading excluded, or None.

    A heading whose section opens dated entries wins over one that opens none; of two
    such, the first after the opening fifth of the text (a table of contents near the top
    names the section too; a supplement after the paper has its own list). A line of page
    furniture (*repeated*, digits masked: a licence or ISSN foot printed on every page)
    closes nothing.
    """
    repeated = repeated or set()
    starts = [i for i, line in enumerate(lines) if _is_heading(line, _REF_HEADING)]
    # Endnotes that follow a reference list are not part of it.
    closers = [_NOTE_HEADING]
    if not starts:
        starts = [i for i, line in enumerate(lines) if _is_heading(line, _NOTE_HEADING)]
        closers = []
    def closes(j: int) -> bool:
        line = lines[j]
        if len(line) >= 120 or re.sub(r"\d+", "#", line.strip()) in repeated:
            return False
        if not (_STOP.search(line) or any(_is_heading(line, c) for c in closers)):
            return False
        # A page's foot (licence, ISSN) printed once, where the list goes on after it.
        return not (_PAGE_FOOT.search(line) and _continues_list(lines, j + 1))

    found = []
    for start in reversed(starts):
        end = next((j for j in range(start + 1, len(lines)) if closes(j)), len(lines))
        if any(line.strip() for line in lines[start + 1:end]):
            found.append((start + 1, end))
    # A "References" line in what follows the list (an author list's footnotes, a
    # table of contents) opens no dated entries: the last heading whose section does wins.
    # A heading repeated as a running head on each page of the list ("12 References")
    # opens no list of its own: of the headings whose sections end together, the first.
    first_of: dict[int, tuple[int, int]] = {}
    for span in found:
        first_of[span[1]] = span  # found runs last heading first, so the first one stays
    found = [span for span in found if first_of[span[1]] == span]
    dated = [span for span in found if _looks_dated(lines[span[0]:span[1]])]
    if len(dated) > 1:
        # Of two dated lists the first is the paper's: a supplement or appendix printed
        # after it brings its own ("REFERENCES" again). A heading in the first fifth of
        # the text is a table of contents naming the section, not the list.
        late = [span for span in dated if span[0] >= len(lines) / 5]
        return min(late or dated)
    return (dated or found)[0] if found else None


def _looks_dated(section: list[str]) -> bool:
    head = [line for line in section[:200] if line.strip()][:30]
    return sum(bool(_YEAR.search(line)) for line in head) >= 3


def furniture(lines: list[str], before: int) -> set[str]:
    """Running headers/footers: short lines repeated, one of them before the reference
    list, compared with digits masked (page numbers change). Twice is enough for a
    line with a page number in it; a line without one must recur three times."""
    counts: Counter[str] = Counter()
    early: set[str] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if 3 < len(stripped) < 100:
            key = re.sub(r"\d+", "#", stripped)
            counts[key] += 1
            if i < before:
                early.add(key)
    return {key for key, n in counts.items() if key in early and (n >= 3 or n == 2 and "#" in key)}


def _drop_furniture(lines: list[str], repeated: set[str]) -> list[str]:
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped == "\f":
            continue
        continues_url = bool(kept) and bool(re.search(r"(?:https?://|10\.\d{4,9}/)\S*[./_-]$", kept[-1]))
        if stripped and _PAGE_NUMBER.match(stripped) and not continues_url:
            continue
        if repeated and re.sub(r"\d+", "#", stripped) in repeated:
            continue
        if _PAGE_FOOT.match(stripped) and len(stripped) < 200:
            continue
        leading = _LEADING_LINKS.match(line)
        while leading and _LEADING_LINKS.match(line):
            line = line[_LEADING_LINKS.match(line).end():]  # type: ignore[union-attr]
        if leading:
            kept.append("")  # the label closed the reference above; this line starts one
        if stripped and _LINK_LABELS.match(stripped):
            _take_linked_ids(stripped, kept)
            kept.append("")  # a saved page's link row closes the reference above it
            continue
        kept.append(line.replace("\f", ""))
    return kept


def _take_linked_ids(row: str, kept: list[str]) -> None:
    """A link row's DOIs and PMIDs ("Article https://doi.org/10…", "PubMed PMID: 123")
    join the reference above it when its own text does not print them."""
    end = len(kept) - 1  # the reference's last line, then its first: scanned back, never the whole list
    while end >= 0 and not kept[end].strip():
        end -= 1
    start = end
    while start > 0 and kept[start - 1].strip():
        start -= 1
    reference = " ".join(kept[start:end + 1])
    printed = set(find_dois(reference))
    # As the row writes them (find_dois gives them lower-cased).
    missing = [raw for raw in re.findall(r"10\.\d{4,9}/[^\s|,]+", row)
               if not printed & set(find_dois(raw))]
    if end >= 0 and missing:
        kept[end] += "".join(f" https://doi.org/{doi}" for doi in dict.fromkeys(missing))
    printed_pmids = set(find_pmids(reference))
    pmids = [pmid for pmid in find_pmids(row) if pmid not in printed_pmids]
    if end >= 0 and pmids:
        kept[end] += "".join(f" PMID: {pmid}" for pmid in dict.fromkeys(pmids))


# ------------------------------------------------------------------ segmentation


def _numbered_starts(lines: list[str]) -> list[int] | None:
    """Line indices where reference 1, 2, 3 … begin, if the list is numbered."""
    starts, expected = [], None
    for i, line in enumerate(lines):
        match = _NUMBERED.match(line)
        if not match:
            continue
        number = int(next(g for g in match.groups() if g))
        if expected is None and number in (0, 1) or number == expected:
            starts.append(i)
            expected = number + 1
    return starts if len(starts) >= 2 else None


def _has_year(lines: list[str]) -> bool:
    return any(_YEAR.search(line) for line in lines)


def _split_block(block: list[str]) -> list[list[str]]:
    """Cut one blank-line-free block into references by indentation or by shape."""
    indents = [len(line) - len(line.lstrip()) for line in block]
    base = min(indents)
    if len(block) > 1 and indents[0] == base and any(i > base for i in indents[1:]) \
            and sum(i == base for i in indents) > 1:
        # Hanging indent: an unindented line starts a reference.
        refs: list[list[str]] = []
        for line, indent in zip(block, indents, strict=True):
            if indent == base or not refs:
                refs.append([line])
            else:
                refs[-1].append(line)
        return refs
    # Without years (specifications, web lists) the one sure end is a URL at a line's end.
    yearless = not _has_year(block)
    # In a long block (PDF text: no blank lines, no indents) a line well short of the
    # column width that ends like a reference is the last line of one.
    long_block = len(block) >= 8
    # The column's width: a high percentile, not the longest line (a page foot or a URL
    # run across the page would make every line of a two-column list look short).
    lengths = sorted(len(line.rstrip()) for line in block)
    width = lengths[int(0.8 * (len(lengths) - 1))] if long_block else lengths[-1]
    refs = [[block[0]]]
    dated = _has_year(refs[0])  # whether the reference being read has a year yet
    for line in block[1:]:
        current = refs[-1]
        previous = current[-1].rstrip()
        # A DOI broken at a line's end leaves its last piece alone on the next line
        # ("doi: 10.1016/0376-" + "6357(93)90090-E"): the reference ends there too.
        ends = bool(_ENDS_REFERENCE.search(previous)) or (
            len(current) > 1 and " " not in previous.strip() and bool(_DOI_AT_END.search(current[-2].rstrip())))
        if REPEATED_AUTHORS.match(line):
            starts_new = True
        elif yearless:
            starts_new = bool(_URL_END.search(previous)) and not re.match(r"\s*(?:[a-z]|https?:|ftp:|www\.)", line)
        elif not (ends and dated):
            starts_new = False
        elif _PUBLISHER_PLACE.match(line):
            starts_new = False  # "Chicago, IL: University of Chicago Press." reads like "Author, I."
        elif long_block:
            starts_new = bool(_START.match(line)) or (
                len(previous) < 0.75 * width and bool(re.match(rf"\s*[{_UPPER}\"“«'‘(\[]", line)))
        else:
            starts_new = bool(_START.match(line)) and _has_year([line])
        if starts_new:
            refs.append([line])
            dated = _has_year([line])
        else:
            current.append(line)
            dated = dated or _has_year([line])
    return refs


def _paragraph_length(blocks: list[list[str]]) -> int | None:
    """The usual length in lines of an entry when the list sets its entries apart by
    space (most blocks a few lines long and dated), else None."""
    if len(blocks) < 5 or sum(_has_year(block) for block in blocks) < 0.7 * len(blocks):
        return None
    typical = sorted(len(block) for block in blocks)[len(blocks) // 2]
    return typical if typical <= 6 else None


def _split_paragraph(block: list[str]) -> list[list[str]]:
    """A block of a spaced list that is longer than its entries: two entries run together
    where a column or a page ended (no space is seen there). A new one starts after a
    line that ends a dated reference, with an author's or organisation's name."""
    refs = [[block[0]]]
    for line in block[1:]:
        current = refs[-1]
        if _ENDS_REFERENCE.search(current[-1].rstrip()) and _has_year(current) and _START.match(line) \
                and not _PUBLISHER_PLACE.match(line):
            refs.append([line])
        else:
            current.append(line)
    return refs


def segment(lines: list[str]) -> list[str]:
    """The references in *lines* (one section's text), each joined into one string."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    if not lines:
        return []
    starts = _numbered_starts(lines)
    pieces: list[list[str]] = []
    if starts:
        # Text before the first number is an introduction or a stray header.
        bounds = [*starts, len(lines)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            chunk = [line for line in lines[a:b] if line.strip() and not _is_heading(line, _REF_HEADING)]
            chunk[0] = _NUMBERED.sub("", chunk[0], count=1)
            pieces.append(chunk)
        # The last entry runs to the section's end: what follows the list (author lists,
        # an appendix without a heading) is cut where it grows far past the entries' length.
        typical = sorted(len(piece) for piece in pieces)[len(pieces) // 2]
        last = pieces[-1]
        if len(last) > max(8, 3 * typical):
            cut = next((i + 1 for i in range(typical - 1, len(last)) if _ENDS_REFERENCE.search(last[i].rstrip())),
                       max(8, 3 * typical))
            pieces[-1] = last[:min(cut, max(8, 3 * typical))]
    else:
        blocks: list[list[str]] = []
        block: list[str] = []
        for line in [*lines, ""]:
            if line.strip():
                block.append(line)
            elif block:
                blocks.append(block)
                block = []
        entry_length = _paragraph_length(blocks)
        for block in blocks:
            if entry_length is None or len(block) <= min(entry_length + 1, 7):
                pieces.extend(_split_block(block))
            else:
                pieces.extend(_split_paragraph(block))
    refs: list[str] = []
    for piece in pieces:
        text = _BRACKETED_LINK.sub(lambda m: m.group(1) or "", join_lines(piece)).strip()
        if not text:
            continue
        refs.append(repeated_authors(text, refs[-1]) if refs else text)
    return refs


# ------------------------------------------------------------------ joining

_DOI_HYPHENATED = re.compile(r"10\.\d{4,9}/[^\s-]*[a-z]{2}-$")
_URLISH = re.compile(r"(?:https?://|www\.|10\.\d{4,9}/|doi:)\S*$", re.IGNORECASE)


def join_lines(lines: list[str]) -> str:
    """One line from a wrapped reference: undo hyphenation, keep DOIs and URLs whole."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        # Only the last word is looked at: the string grows, and a list run together
        # (no entry found) must not cost the square of its length.
        last = out.rsplit(None, 1)[-1]
        if _URLISH.search(last) and (out.endswith(("/", "-", "_", "=", "&", "?", "#", "%")) or
                                     not re.match(r"[A-ZА-Я\[]|\((?!\d\d\)\d)|https?:|www\.", line)):
            # A URL or DOI broken at the line end continues without a space (also before
            # an Elsevier PII's "(05)73024-1"); a DOI's word hyphenated between lower-case
            # letters ("10.1126/sci-" + "ence.1072702") loses the typesetter's hyphen.
            hyphenated = _DOI_HYPHENATED.search(last) and re.match(r"[a-z]{2}", line)
            out = out[:-1] + line if hyphenated else out + line
        elif re.search(r"[^\W\d_]-$", last) and line[:1].islower():
            out = out[:-1] + line  # "citi-\nzens" -> "citizens"
        else:
            out += " " + line
    return re.sub(r"\s{2,}", " ", out).strip()


def extract(lines: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    """The reference strings in a document's lines, and the (start, end) line span of
    the list (heading excluded), or ([], None) when it has none."""
    section = find_section(lines, furniture(lines, len(lines)))
    if section is None:
        return [], None
    start, end = section
    from refcli.documents.citation import is_cite_heading
    from refcli.documents.owndoi import DOI_LINE

    if end < len(lines) and is_cite_heading(lines[end]) and DOI_LINE.match(lines[end - 1]):
        end -= 1  # the paper's own DOI, set above the citation it gives for itself
    repeated = furniture(lines, start - 1)
    return segment(_drop_furniture(lines[start:end], repeated)), section
