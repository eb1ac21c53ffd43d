"""RIS <-> CSL-JSON items.

A small line parser rather than rispy: RIS is one tag per line, and owning the loop
gives each problem its line number, tolerates what Mendeley, Zotero, EndNote and
publishers emit (BOM, CRLF, "TY - " with odd spacing, continuation lines, a missing
final ER) and keeps unknown tags (L1 file links, AN, DB, U1...) in
``custom["ris"]["fields"]`` so an export writes them back.
"""

from __future__ import annotations

import re

from refcli.errors import InputError
from refcli.formats.dates import date_parts, date_text, parse_date, settle_dates
from refcli.formats.model import Problem, ReadResult
from refcli.identifiers import normalize_doi, normalize_isbn

RIS_TO_CSL = {
    "JOUR": "article-journal", "JFULL": "article-journal", "ABST": "article-journal",
    "INPR": "article-journal", "EJOUR": "article-journal", "MGZN": "article-magazine",
    "NEWS": "article-newspaper", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "SER": "book", "CHAP": "chapter", "ECHAP": "chapter", "CONF": "paper-conference",
    "CPAPER": "paper-conference", "RPRT": "report", "THES": "thesis", "ELEC": "webpage",
    "WEB": "webpage", "BLOG": "post-weblog", "DATA": "dataset", "PAT": "patent",
    "UNPB": "manuscript", "MANSCPT": "manuscript", "COMP": "software", "GEN": "document",
    "MAP": "map", "PCOMM": "personal_communication", "ICOMM": "personal_communication",
    "STAND": "standard", "VIDEO": "motion_picture", "MPCT": "motion_picture",
    "SOUND": "song", "CASE": "legal_case", "STAT": "legislation", "BILL": "bill",
    "HEAR": "hearing", "ENCYC": "entry-encyclopedia", "DICT": "entry-dictionary",
    "ART": "graphic", "PAMP": "pamphlet",
}
CSL_TO_RIS = {
    "article-journal": "JOUR", "article": "JOUR", "review": "JOUR", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "book": "BOOK", "chapter": "CHAP",
    "paper-conference": "CONF", "report": "RPRT", "thesis": "THES", "webpage": "ELEC",
    "post": "ELEC", "post-weblog": "BLOG", "dataset": "DATA", "patent": "PAT",
    "manuscript": "UNPB", "software": "COMP", "document": "GEN", "map": "MAP",
    "personal_communication": "PCOMM", "standard": "STAND", "motion_picture": "VIDEO",
    "song": "SOUND", "legal_case": "CASE", "legislation": "STAT", "bill": "BILL",
    "hearing": "HEAR", "entry-encyclopedia": "ENCYC", "entry-dictionary": "DICT",
    "graphic": "ART", "pamphlet": "PAMP",
}
_NAME_TAGS = {"AU": "author", "A1": "author", "ED": "editor", "A2": "editor",
              "A3": "collection-editor", "A4": "translator"}
_SIMPLE = {"VL": "volume", "IS": "issue", "CP": "issue", "PB": "publisher",
           "CY": "publisher-place", "PP": "publisher-place", "ET": "edition",
           "LA": "language", "ST": "title-short", "T3": "collection-title",
           "JA": "container-title-short", "J2": "container-title-short",
           "NV": "number-of-volumes", "M3": "genre", "N1": "note", "AB": "abstract",
           "N2": "abstract", "SE": "section"}
_TITLE_TAGS = ("TI", "T1", "CT")
_CONTAINER_TAGS = ("T2", "JF", "JO", "BT")
_CONSUMED = (
    set(_NAME_TAGS) | set(_SIMPLE) | set(_TITLE_TAGS) | set(_CONTAINER_TAGS)
    | {"TY", "ER", "ID", "PY", "Y1", "DA", "Y2", "SP", "EP", "DO", "UR", "SN", "KW"}
)
_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|)$")


def parse_ris_name(text: str) -> dict[str, str]:
    """"van der Maaten, Laurens" / "Maaten, Laurens van der" / "King, Martin, Jr." -> CSL."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        return {"literal": text.strip()}
    family, given = parts[0], parts[1]
    name: dict[str, str] = {}
    words = family.split()
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].islower():
        lead += 1
    particle = words[:lead]
    gwords = given.split()
    tail = len(gwords)
    while tail > 1 and gwords[tail - 1][:1].islower():
        tail -= 1
    particle += gwords[tail:]  # Mendeley: "Maaten, Laurens van der"
    name["family"] = " ".join(words[lead:])
    if gwords[:tail]:
        name["given"] = " ".join(gwords[:tail])
    if particle:
        name["non-dropping-particle"] = " ".join(particle)
    if len(parts) > 2 and any(parts[2:]):
        name["suffix"] = ", ".join(p for p in parts[2:] if p)
    return name


_SUFFIX = re.compile(r"^(?:jr|sr|[ivx]+|\d+(?:st|nd|rd|th))\.?$", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")


def split_name_list(value: str) -> list[str]:
    """One name line that holds several names, as databases write editors in A2:
    "Smith, J.; Jones, K." or "Smith J, Jones K" or "Smith, J., Jones, K." -> names.

    A single "Family, Given" or "King, Martin, Jr." stays one name.
    """
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        names = [v.strip() for v in value.split(";")]
        if len(names) > 1 and all(any(c.isalpha() for c in n) for n in names):
            return names
    parts = [p.strip() for p in value.split(",")]
    if len(parts) < 3 or any(not p for p in parts) or any(_SUFFIX.match(p) for p in parts):
        return [value]
    if all(" " in p for p in parts):  # "Smith J, Jones K, Brown A": family then initials
        return [_family_initials(p) for p in parts]
    if len(parts) % 2 == 0 and (len(parts) >= 4 or all(_INITIALS.match(p.replace(" ", "")) for p in parts[1::2])):
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return [value]


def _family_initials(part: str) -> str:
    words = part.split()
    if _INITIALS.match(words[-1]):
        return f"{' '.join(words[:-1])}, {words[-1]}"
    return part


def _format_name(name: dict) -> str:
    if "family" not in name:
        return str(name.get("literal") or name.get("given") or "")
    family = " ".join(
        str(name[k]) for k in ("dropping-particle", "non-dropping-particle", "family") if name.get(k)
    )
    out = f"{family}, {name.get('given') or ''}".rstrip()
    if name.get("suffix"):
        out += f", {name['suffix']}"
    return out


def _ris_date(text: str | None) -> dict | None:
    """RIS dates: "2015", "2015/05/28/", "2015///Spring", or ISO "2015-05-28"."""
    if not text or not text.strip():
        return None
    if "/" in text:
        nums = [f.strip() for f in text.split("/")[:3]]
        joined = "-".join(n for n in nums if n.isdigit())
        return parse_date(joined) if joined else parse_date(text)
    return parse_date(text)


def _record_to_csl(tags: list[tuple[str, str]]) -> tuple[dict, list[str]]:
    """One RIS record ([(tag, value)] in order) -> (CSL item, warnings)."""
    warnings: list[str] = []
    first: dict[str, str] = {}
    many: dict[str, list[str]] = {}
    for tag, value in tags:
        first.setdefault(tag, value)
        many.setdefault(tag, []).append(value)
    ris_type = first.get("TY", "GEN").strip().upper()
    ctype = RIS_TO_CSL.get(ris_type)
    if ctype is None:
        warnings.append(f"unknown RIS type {ris_type!r}; read as a generic document")
        ctype = "document"
    item: dict = {"type": ctype}
    # EndNote and databases write their record number as ID: not a citation key.
    record_number = first.get("ID", "").isdigit()
    if first.get("ID") and not record_number:
        item["id"] = first["ID"]
    for tag in _TITLE_TAGS:
        if first.get(tag):
            item["title"] = first[tag]
            break
    for tag in _CONTAINER_TAGS:
        if first.get(tag):
            if tag == "BT" and ctype == "book" and "title" not in item:
                item["title"] = first[tag]
            elif "container-title" not in item:
                item["container-title"] = first[tag]
    for tag, var in _NAME_TAGS.items():
        for value in many.get(tag, []):
            for name in split_name_list(value):
                item.setdefault(var, []).append(parse_ris_name(name))
    for tag, var in _SIMPLE.items():
        if first.get(tag) and var not in item:
            item[var] = first[tag]
    issued = _ris_date(first.get("PY") or first.get("Y1") or first.get("DA"))
    detail = _ris_date(first.get("DA"))
    # DA often carries the month and day that PY lacks; use it when the years agree.
    if detail and issued and len(date_parts(detail) or []) > len(date_parts(issued) or []) and (
        (date_parts(detail) or (None,))[0] == (date_parts(issued) or (None,))[0]
    ):
        issued = detail
    if issued:
        item["issued"] = issued
    if first.get("Y2") and (accessed := _ris_date(first["Y2"])):
        item["accessed"] = accessed
    warnings.extend(settle_dates(item, parsed_here=True))
    sp, ep = first.get("SP", "").strip(), first.get("EP", "").strip()
    if sp:
        item["page"] = f"{sp}-{ep}" if ep and "-" not in sp else re.sub(r"\s*[-–]+\s*", "-", sp)
    if first.get("DO"):
        doi = normalize_doi(first["DO"])
        if doi:
            item["DOI"] = doi
        else:
            warnings.append(f"DO {first['DO']!r} is not a DOI; kept as an extra tag")
    urls = many.get("UR", [])
    if urls:
        item["URL"] = urls[0]
        if "DOI" not in item:
            doi = normalize_doi(urls[0]) if "doi." in urls[0] else None
            if doi:
                item["DOI"] = doi
    for sn in many.get("SN", []):
        for piece in re.split(r"[;\s]+(?=\S)", sn):
            key = "ISBN" if normalize_isbn(piece) else "ISSN"
            item.setdefault(key, piece.strip())
    if many.get("KW"):
        kws = [k.strip() for v in many["KW"] for k in re.split(r"[;\n]", v) if k.strip()]
        item["keyword"] = ", ".join(kws)
    extras: dict[str, list[str]] = {}
    for tag, values in many.items():
        if tag not in _CONSUMED:
            extras[tag] = values
    if len(urls) > 1:
        extras["UR"] = urls[1:]
    if record_number:
        extras["ID"] = many["ID"]
    if "DO" in first and "DOI" not in item:
        extras["DO"] = many["DO"]
    item["custom"] = {"ris": {"type": ris_type, "fields": extras}}
    return item, warnings


def read_ris(text: str, source: str = "<stdin>") -> ReadResult:
    """Parse RIS *text*: records from TY to ER; continuation lines join the last tag.

    A tag's pieces are collected in a list and joined once when the record ends, so
    a value continued over many lines costs linear time, not quadratic.
    """
    lines = text.lstrip("\ufeff").splitlines()
    result = ReadResult()
    record: list[tuple[str, list[str]]] | None = None
    start = 0
    saw_tag = False

    def finish(end_note: str | None, harmless: bool = True) -> None:
        tags = [(tag, " ".join(pieces).strip()) for tag, pieces in record or []]
        ident = next((v for t, v in tags if t == "ID"), None)
        where = f"{source}:{start}" + (f" (entry {ident})" if ident else "")
        try:
            item, warnings = _record_to_csl(tags)
        except Exception as exc:  # one odd record must not stop the file
            result.problems.append(Problem(where, f"record skipped: {exc}"))
            return
        result.items.append(item)
        result.problems.extend(Problem(where, w) for w in warnings)
        if end_note:
            result.problems.append(Problem(where, end_note, warning=harmless))

    for number, raw in enumerate(lines, 1):
        line = raw.rstrip().lstrip("\ufeff")
        m = _LINE.match(line)
        if not m:
            if record is not None and line.strip() and record:
                record[-1][1].append(line.strip())
            elif line.strip() and record is None and saw_tag:
                # Ovid's record numbers, a database's banner: nothing of a record is lost
                result.problems.append(
                    Problem(f"{source}:{number}", "text outside a record ignored", warning=True))
            continue
        saw_tag = True
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                finish("record has no ER line; ended at the next TY")
            record, start = [(tag, [value])], number
        elif tag == "ER":
            if record is None:
                result.problems.append(
                    Problem(f"{source}:{number}", "ER without a TY record", warning=True))
            else:
                finish(None)
                record = None
        elif record is None:
            result.problems.append(
                Problem(f"{source}:{number}", f"tag {tag} outside a record (no TY) ignored", warning=True)
            )
        else:
            record.append((tag, [value]))
    if record is not None:
        finish("record has no ER line at the end of the file", harmless=False)  # it may be cut
    if not saw_tag:
        raise InputError("not a RIS file: no 'TY  - ' record found", where=source)
    return result


def _clean(value: object) -> str:
    return " ".join(str(value).split())


def write_ris(items: list[dict]) -> str:
    """CSL items -> RIS text (CRLF-free; "ER  - " after each record)."""
    return "\n".join(map(ris_record, items))


def ris_record(item: dict) -> str:
    """One item's RIS record, ending with its "ER  - " line (no other item changes it)."""
    custom = item["custom"] if isinstance(item.get("custom"), dict) else {}
    ris = custom["ris"] if isinstance(custom.get("ris"), dict) else {}
    ctype = str(item.get("type") or "document")
    ty = ris.get("type") if RIS_TO_CSL.get(str(ris.get("type"))) == ctype else None
    lines = [("TY", ty or CSL_TO_RIS.get(ctype, "GEN"))]
    if item.get("id"):
        lines.append(("ID", item["id"]))
    for var, tag in (("author", "AU"), ("editor", "ED"), ("collection-editor", "A3"),
                     ("translator", "A4")):
        for name in item.get(var) or []:
            if isinstance(name, dict):
                lines.append((tag, _format_name(name)))
    if item.get("title"):
        lines.append(("TI", item["title"]))
    if item.get("container-title"):
        lines.append(("T2", item["container-title"]))
        if ctype.startswith("article"):
            lines.append(("JO", item["container-title"]))
    for tag, var in _SIMPLE.items():
        if tag in ("CP", "PP", "N2", "J2") or not item.get(var):
            continue
        lines.append((tag, item[var]))
    parts = date_parts(item.get("issued"))
    if parts:
        lines.append(("PY", str(parts[0])))
        lines.append(("DA", "/".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]] + [""] * (3 - len(parts))) + "/"))
    elif date_text(item.get("issued")):
        lines.append(("PY", date_text(item["issued"])))
    accessed = date_parts(item.get("accessed"))
    if accessed:
        lines.append(("Y2", "/".join([f"{accessed[0]:04d}"] + [f"{p:02d}" for p in accessed[1:]])))
    page = str(item.get("page") or "")
    if page:
        sp, _, ep = page.partition("-")
        lines.append(("SP", sp))
        if ep:
            lines.append(("EP", ep))
    if item.get("DOI"):
        lines.append(("DO", item["DOI"]))
    if item.get("URL"):
        lines.append(("UR", item["URL"]))
    for var in ("ISBN", "ISSN"):
        if item.get(var):
            lines.append(("SN", item[var]))
    for kw in str(item.get("keyword") or "").split(","):
        if kw.strip():
            lines.append(("KW", kw.strip()))
    extras = ris["fields"] if isinstance(ris.get("fields"), dict) else {}
    for tag, values in extras.items():
        if isinstance(tag, str) and _LINE.match(f"{tag}  - x") and tag not in ("TY", "ER"):
            for value in values if isinstance(values, list) else [values]:
                lines.append((tag, value))
    out = [f"{tag}  - {_clean(value)}" for tag, value in lines]
    out.append("ER  - \n")
    return "\n".join(out)
