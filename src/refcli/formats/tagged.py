"""Tagged-line exports of bibliographic databases -> CSL-JSON items.

- PubMed's MEDLINE / ``.nbib`` (``PMID- 1234``, ``TI  - ...``, continuation lines
  indented six spaces, records separated by a blank line);
- Web of Science plain text / ``.ciw`` / ``.isi`` (``FN``/``VR`` header, two-letter
  tags, continuation lines indented three spaces, ``ER`` ends a record);
- EndNote / Refer ``.enw`` (``%0 Journal Article``, ``%A``, ``%T``..., blank line
  between records).

One loop reads all three (``_records``): it collects each tag's values, joining
continuation lines once per value (linear time). Every tag is kept: those mapped to
CSL are consumed, the rest go to ``custom[<format>]["fields"]`` as ``{tag: [values]}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from refcli.errors import InputError
from refcli.formats.dates import MONTHS, parse_date, settle_dates
from refcli.formats.model import Problem, ReadResult
from refcli.formats.ris import parse_ris_name, split_name_list
from refcli.identifiers import normalize_doi, normalize_isbn

Record = list[tuple[str, str]]


def _records(lines: list[str], tag_re: re.Pattern[str], continuation: Callable[[str], bool],
             ends: Callable[[str, str], bool], blank_ends: bool,
             multi: frozenset[str] = frozenset()) -> Iterator[tuple[int, Record]]:
    """(first line number, [(tag, value)]) for each record; a continuation line of a
    tag in *multi* (Web of Science's one author per line) is a value of its own."""
    record: list[tuple[str, list[str]]] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if blank_ends and record:
                yield start, [(t, " ".join(v)) for t, v in record]
                record = []
            continue
        m = tag_re.match(line)
        if m is None or (record and continuation(line)):
            if record and record[-1][0] in multi:
                record.append((record[-1][0], [line.strip()]))
            elif record:
                record[-1][1].append(line.strip())
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if ends(tag, value):
            if record:
                yield start, [(t, " ".join(v)) for t, v in record]
            record = []
            continue
        if not record:
            start = number
        record.append((tag, [value] if value else []))
    if record:
        yield start, [(t, " ".join(v)) for t, v in record]


def _group(record: Record) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag, value in record:
        out.setdefault(tag, []).append(value)
    return out


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in tags.get(name, []):
            if value:
                return value
    return ""


def _full_pages(pages: str) -> str:
    """MEDLINE abbreviates page ranges: "436-44" -> "436-444"."""
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", pages.strip())
    if m and len(m.group(2)) < len(m.group(1)):
        start, end = m.groups()
        return f"{start}-{start[:len(start) - len(end)]}{end}"
    return pages.strip()


def date_words(text: str) -> dict | None:
    """"2015 May 28", "2015 May", "1998 Spring", "2015" -> a CSL date (MEDLINE's DP, PubMed's pubdate)."""
    words = text.replace("-", " ").split()
    if not words or not re.fullmatch(r"\d{4}", words[0]):
        return parse_date(text) if text.strip() else None
    parts = [int(words[0])]
    if len(words) > 1 and words[1][:3].lower() in MONTHS:
        parts.append(MONTHS.index(words[1][:3].lower()) + 1)
        if len(words) > 2 and words[2].isdigit() and 1 <= int(words[2]) <= 31:
            parts.append(int(words[2]))
    date: dict = {"date-parts": [parts]}
    if len(parts) < len(words):
        date["raw"] = text.strip()
    return date


def _finish(item: dict, tags: dict[str, list[str]], consumed: set[str], fmt: str,
            fmt_type: str) -> dict:
    extras = {tag: values for tag, values in tags.items() if tag not in consumed}
    item["custom"] = {fmt: {"type": fmt_type, "fields": extras}}
    return {k: v for k, v in item.items() if v not in ("", None, [], {})}


def _set_ids(item: dict, dois: list[str], serials: list[str]) -> None:
    for value in dois:
        doi = normalize_doi(value.split(" [")[0])
        if doi:
            item.setdefault("DOI", doi)
    for value in serials:
        piece = value.split(" (")[0].strip()
        if piece:
            item.setdefault("ISBN" if normalize_isbn(piece) else "ISSN", piece)


# ------------------------------------------------------------------ MEDLINE / .nbib

_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*- ?(.*)$")
_MEDLINE_TYPES = {"journal article": "article-journal", "review": "article-journal",
                  "book": "book", "book chapter": "chapter", "preprint": "article",
                  "dataset": "dataset", "letter": "article-journal", "editorial": "article-journal"}
# AU/ED (abbreviated names) are consumed only when there are no FAU/FED full names.
_MEDLINE_CONSUMED = {"PMID", "TI", "AB", "FAU", "FED", "DP", "TA", "JT", "VI", "IP",
                     "PG", "LID", "AID", "IS", "LA", "OT", "PMC", "BTI", "PB", "PL", "ISBN"}


def _medline_record(tags: dict[str, list[str]]) -> dict:
    pub_types = [t.lower() for t in tags.get("PT", [])]
    ctype = next((_MEDLINE_TYPES[t] for t in pub_types if t in _MEDLINE_TYPES), "article-journal")
    if tags.get("BTI") and not tags.get("JT"):
        ctype = "chapter" if tags.get("TI") else "book"
    title = _first(tags, "TI", "BTI")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # MEDLINE ends every title with a period
    item: dict = {"type": ctype, "title": title, "abstract": _first(tags, "AB")}
    if ctype == "chapter":
        item["container-title"] = _first(tags, "BTI")
    else:
        item["container-title"] = _first(tags, "JT", "TA")
        item["container-title-short"] = _first(tags, "TA")
    authors = tags.get("FAU") or tags.get("AU") or []
    item["author"] = [_medline_name(a, full=bool(tags.get("FAU"))) for a in authors]
    editors = tags.get("FED") or tags.get("ED") or []
    item["editor"] = [_medline_name(a, full=bool(tags.get("FED"))) for a in editors]
    item["volume"], item["issue"] = _first(tags, "VI"), _first(tags, "IP")
    item["page"] = _full_pages(_first(tags, "PG"))
    item["issued"] = date_words(_first(tags, "DP"))
    item["PMID"], item["PMCID"] = _first(tags, "PMID"), _first(tags, "PMC")
    item["language"] = _first(tags, "LA")
    item["publisher"], item["publisher-place"] = _first(tags, "PB"), _first(tags, "PL") if tags.get("PB") else ""
    item["keyword"] = ", ".join(tags.get("OT", []))
    _set_ids(item, [v for v in tags.get("LID", []) + tags.get("AID", []) if v.endswith("[doi]")],
             tags.get("IS", []) + tags.get("ISBN", []))
    consumed = _MEDLINE_CONSUMED - ({"PL"} if not tags.get("PB") else set())
    consumed |= ({"AU"} if not tags.get("FAU") else set()) | ({"ED"} if not tags.get("FED") else set())
    return _finish(item, tags, consumed, "medline", ", ".join(tags.get("PT", [])))


def _medline_name(text: str, full: bool) -> dict:
    if full or "," in text:
        return parse_ris_name(text)
    words = text.split()  # "LeCun Y": family then initials
    if len(words) > 1 and words[-1].isupper():
        return {"family": " ".join(words[:-1]), "given": words[-1]}
    return {"literal": text}


def read_medline(text: str, source: str = "<stdin>") -> ReadResult:
    records = _records(text.splitlines(), _MEDLINE_TAG, lambda line: line.startswith("      "),
                       lambda tag, value: False, blank_ends=True)
    return _collect(records, _medline_record, source, "PMID", "no PMID- record found")


# ------------------------------------------------------------------ Web of Science

_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9]|FN|VR|EF|ER)(?: (.*)|)$")
_WOS_DOC_TYPES = {"article": "article-journal", "review": "article-journal",
                  "proceedings paper": "paper-conference", "book": "book",
                  "book chapter": "chapter", "editorial material": "article-journal",
                  "letter": "article-journal", "meeting abstract": "paper-conference",
                  "data paper": "dataset", "correction": "article-journal"}
_WOS_PT = {"J": "article-journal", "B": "book", "S": "book", "P": "patent", "C": "paper-conference"}
# AU (abbreviated names) and SO (the source title in capitals) stay as extra fields too:
# the item has AF's full names and a title-cased SO, the originals are kept.
_WOS_CONSUMED = {"PT", "AF", "BE", "TI", "SE", "BS", "LA", "DT", "DE", "AB", "PU", "PI",
                 "SN", "EI", "BN", "JI", "PD", "PY", "VL", "IS", "BP", "EP", "AR", "DI", "PM",
                 "CT", "CL", "UT"}


def _wos_record(tags: dict[str, list[str]]) -> dict:
    doc_types = [t.strip().lower() for v in tags.get("DT", []) for t in v.split(";")]
    ctype = next((_WOS_DOC_TYPES[t] for t in doc_types if t in _WOS_DOC_TYPES),
                 _WOS_PT.get(_first(tags, "PT"), "article-journal"))
    if ctype == "article-journal" and _first(tags, "PT") in ("B", "S") and doc_types[:1] == ["book chapter"]:
        ctype = "chapter"
    item: dict = {"type": ctype, "title": _first(tags, "TI"), "abstract": _first(tags, "AB")}
    item["container-title"] = _wos_title_case(_first(tags, "SO")) if ctype != "book" else ""
    if ctype == "book" and not item["title"]:
        item["title"] = _first(tags, "SO")
    item["container-title-short"] = _first(tags, "JI")
    item["collection-title"] = _first(tags, "SE", "BS") if ctype != "article-journal" else ""
    item["author"] = [parse_ris_name(a) for a in (tags.get("AF") or tags.get("AU") or [])]
    item["editor"] = [parse_ris_name(a) for a in tags.get("BE", [])]
    item["language"] = _first(tags, "LA")
    item["publisher"], item["publisher-place"] = _first(tags, "PU"), _first(tags, "PI").title()
    item["volume"], item["issue"] = _first(tags, "VL"), _first(tags, "IS")
    bp, ep, ar = _first(tags, "BP"), _first(tags, "EP"), _first(tags, "AR")
    item["page"] = f"{bp}-{ep}" if bp and ep else bp or ar
    if ar and bp:
        item["number"] = ar
    year = _first(tags, "PY")
    item["issued"] = date_words(f"{year} {_first(tags, 'PD')}".strip()) if year else None
    if item["issued"] and "raw" in item["issued"]:
        del item["issued"]["raw"]  # PD "MAY 28" or "SPR": the year is what is certain
    item["PMID"] = _first(tags, "PM")
    item["event-title"], item["event-place"] = _first(tags, "CT"), _first(tags, "CL")
    item["keyword"] = "; ".join(tags.get("DE", []))
    _set_ids(item, tags.get("DI", []), tags.get("SN", []) + tags.get("EI", []) + tags.get("BN", []))
    item["archive_location"] = _first(tags, "UT")
    consumed = set(_WOS_CONSUMED)
    if not tags.get("AF"):
        consumed.add("AU")  # the names came from AU itself
    if item["container-title"] == _first(tags, "SO"):
        consumed.add("SO")
    return _finish(item, tags, consumed, "wos", _first(tags, "PT"))


def _wos_title_case(text: str) -> str:
    """Web of Science writes source titles in capitals: "NATURE" -> "Nature"."""
    if not text.isupper():
        return text
    small = {"of", "and", "the", "in", "on", "for", "to", "a", "an", "at", "by", "de", "la"}
    words = text.lower().split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def read_wos(text: str, source: str = "<stdin>") -> ReadResult:
    records = _records(text.splitlines(), _WOS_TAG, lambda line: line.startswith("   "),
                       lambda tag, value: tag in ("ER", "EF", "FN", "VR"), blank_ends=False,
                       multi=frozenset({"AU", "AF", "BE", "CR", "C1", "C3", "BA", "BF", "CA", "GP", "RP", "EM", "RI", "OI"}))
    return _collect(records, _wos_record, source, "UT", "no Web of Science record (PT ... ER) found")


# ------------------------------------------------------------------ EndNote / Refer

_REFER_TAG = re.compile(r"^%(\S) ?(.*)$")
# EndNote's reference types, as its .enw (%0) and XML (<ref-type name=...>) name them.
ENDNOTE_TYPES = {
    "journal article": "article-journal", "book": "book", "edited book": "book",
    "book section": "chapter", "conference paper": "paper-conference",
    "conference proceedings": "paper-conference", "thesis": "thesis", "report": "report",
    "web page": "webpage", "electronic article": "article-journal", "magazine article":
    "article-magazine", "newspaper article": "article-newspaper", "patent": "patent",
    "dataset": "dataset", "computer program": "software", "manuscript": "manuscript",
    "generic": "document", "film or broadcast": "motion_picture", "map": "map",
    "unpublished work": "manuscript", "encyclopedia": "entry-encyclopedia", "standard": "standard",
}
_REFER_CONSUMED = {"0", "A", "E", "Y", "T", "J", "B", "S", "D", "8", "V", "N", "P", "I", "C", "R",
                   "U", "@", "K", "X", "G", "7", "F", "9", "Q", "!"}


def _refer_record(tags: dict[str, list[str]]) -> dict:
    ref_type = _first(tags, "0")
    ctype = ENDNOTE_TYPES.get(ref_type.lower(), "document")
    item: dict = {"type": ctype, "title": _first(tags, "T"), "abstract": _first(tags, "X")}
    item["container-title"] = _first(tags, "J", "B")
    item["collection-title"] = _first(tags, "S")
    item["title-short"] = _first(tags, "!")
    names = [n for v in tags.get("A", []) for n in split_name_list(v)]
    item["author"] = [parse_ris_name(n) for n in names]
    item["editor"] = [parse_ris_name(n) for v in tags.get("E", []) for n in split_name_list(v)]
    item["translator"] = [parse_ris_name(n) for v in tags.get("Y", []) for n in split_name_list(v)]
    date = _first(tags, "D")
    detail = date_words(_first(tags, "8")) if _first(tags, "8")[:4] == date[:4] and date else None
    item["issued"] = detail or (parse_date(date) if date else None)
    item["volume"], item["issue"], item["page"] = _first(tags, "V"), _first(tags, "N"), _first(tags, "P")
    item["publisher"], item["publisher-place"] = _first(tags, "I"), _first(tags, "C")
    item["URL"], item["edition"], item["genre"] = _first(tags, "U"), _first(tags, "7"), _first(tags, "9")
    item["language"] = _first(tags, "G")
    item["keyword"] = ", ".join(k.strip() for v in tags.get("K", []) for k in re.split(r"[;\n]", v) if k.strip())
    if _first(tags, "F"):
        item["id"] = _first(tags, "F")  # EndNote's label: the user's citation key
    _set_ids(item, tags.get("R", []), [s for v in tags.get("@", []) for s in v.split()])
    return _finish(item, tags, _REFER_CONSUMED, "refer", ref_type)


def read_refer(text: str, source: str = "<stdin>") -> ReadResult:
    records = _records(text.splitlines(), _REFER_TAG, lambda line: False,
                       lambda tag, value: False, blank_ends=True)
    return _collect(records, _refer_record, source, "F", "no %0/%T record found")


# ------------------------------------------------------------------ shared


def _collect(records: Iterator[tuple[int, Record]], convert: Callable[[dict[str, list[str]]], dict],
             source: str, label_tag: str, empty: str) -> ReadResult:
    result = ReadResult()
    for start, record in records:
        tags = _group(record)
        label = _first(tags, label_tag)
        where = f"{source}:{start}" + (f" (entry {label})" if label else "")
        try:
            item = convert(tags)
        except Exception as exc:  # one odd record must not stop the file
            result.problems.append(Problem(where, f"record skipped: {exc}"))
            continue
        if not item.get("title") and not item.get("author") and not item.get("DOI"):
            result.problems.append(Problem(where, "record has no title, author or DOI; skipped"))
            continue
        result.problems.extend(Problem(where, w) for w in settle_dates(item, parsed_here=True))
        result.items.append(item)
    if not result.items and not result.problems:
        raise InputError(empty, where=source)
    return result
