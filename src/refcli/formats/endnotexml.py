"""EndNote XML (``<xml><records><record>...``) -> CSL-JSON items.

Parsed with lxml hardened: a document type declaration is refused outright (no
entities, internal or external, so no XXE and no entity expansion bomb), no
network, no DTD loading, lxml's size limits kept. Text sits inside ``<style>``
elements, so each value is the element's whole text. Every element with no CSL
equivalent is kept in ``custom["endnote"]["fields"]`` by its path
(``urls/web-urls/url``).
"""

from __future__ import annotations

import re

from refcli.errors import InputError
from refcli.formats.dates import parse_date, settle_dates
from refcli.formats.model import Problem, ReadResult
from refcli.formats.ris import parse_ris_name
from refcli.formats.tagged import ENDNOTE_TYPES
from refcli.identifiers import normalize_doi, normalize_isbn

_SIMPLE = {"titles/title": "title", "titles/short-title": "title-short",
           "titles/tertiary-title": "collection-title", "pages": "page", "volume": "volume",
           "number": "issue", "edition": "edition", "publisher": "publisher",
           "pub-location": "publisher-place", "abstract": "abstract", "language": "language",
           "work-type": "genre", "periodical/abbr-1": "container-title-short",
           "accession-num": "archive_location", "call-num": "call-number", "notes": "note"}
_CONSUMED = set(_SIMPLE) | {"ref-type", "contributors/authors/author", "contributors/secondary-authors/author",
                            "contributors/translated-authors/author", "titles/secondary-title",
                            "periodical/full-title", "dates/year", "dates/pub-dates/date",
                            "electronic-resource-num", "isbn", "keywords/keyword",
                            "urls/related-urls/url", "urls/pdf-urls/url", "label"}
_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _text(element: object) -> str:
    return " ".join("".join(element.itertext()).split())  # type: ignore[attr-defined]


def _fields(record: object) -> dict[str, list[str]]:
    """Every leaf element's text by its path under <record>."""
    out: dict[str, list[str]] = {}
    stack = [(child, child.tag) for child in record]  # type: ignore[attr-defined]
    while stack:
        element, path = stack.pop(0)
        children = [c for c in element if isinstance(c.tag, str) and c.tag != "style"]
        if element.tag == "ref-type":
            out.setdefault("ref-type", []).append(element.get("name") or _text(element))
        elif children:
            stack[:0] = [(c, f"{path}/{c.tag}") for c in children]
        else:
            text = _text(element)
            if text:
                out.setdefault(path, []).append(text)
    return out


def _record_to_csl(f: dict[str, list[str]]) -> dict:
    def first(path: str) -> str:
        return (f.get(path) or [""])[0]

    ref_type = first("ref-type")
    item: dict = {"type": ENDNOTE_TYPES.get(ref_type.lower(), "document")}
    for path, var in _SIMPLE.items():
        if first(path):
            item[var] = first(path)
    item["container-title"] = first("titles/secondary-title") or first("periodical/full-title")
    if item["type"] == "book" and item.get("container-title") and not item.get("collection-title"):
        item["collection-title"] = item.pop("container-title")
    for path, var in (("contributors/authors/author", "author"),
                      ("contributors/secondary-authors/author", "editor"),
                      ("contributors/translated-authors/author", "translator")):
        if f.get(path):
            item[var] = [parse_ris_name(n) for n in f[path]]
    date = first("dates/pub-dates/date")
    year = first("dates/year")
    issued = parse_date(date) if date and date[:4] == year[:4] else None
    item["issued"] = issued or (parse_date(year) if year else None)
    doi = normalize_doi(first("electronic-resource-num"))
    if doi:
        item["DOI"] = doi
    for value in f.get("isbn", []):
        for piece in re.split(r"[;\s]+", value):
            if piece:
                item.setdefault("ISBN" if normalize_isbn(piece) else "ISSN", piece)
    if f.get("keywords/keyword"):
        item["keyword"] = ", ".join(f["keywords/keyword"])
    urls = f.get("urls/related-urls/url", [])
    if urls:
        item["URL"] = urls[0]
    if first("label"):
        item["id"] = first("label")
    custom: dict = {"endnote": {"type": ref_type,
                                "fields": {p: v for p, v in f.items() if p not in _CONSUMED
                                           or (p == "urls/related-urls/url" and len(v) > 1)}}}
    if f.get("urls/pdf-urls/url"):
        custom["files"] = f["urls/pdf-urls/url"]
    if doi is None and first("electronic-resource-num"):
        custom["endnote"]["fields"]["electronic-resource-num"] = f["electronic-resource-num"]
    item["custom"] = custom
    return {k: v for k, v in item.items() if v not in ("", None, [])}


def read_endnote_xml(text: str, source: str = "<stdin>") -> ReadResult:
    from lxml import etree

    if _DOCTYPE.search(text[:4096]) or "<!ENTITY" in text:
        raise InputError("EndNote XML with a DOCTYPE/ENTITY declaration refused (entities are not read)",
                         where=source)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not valid XML: {exc}", where=source) from exc
    records = root.findall(".//record")
    if not records:
        raise InputError("not EndNote XML: no <record>", where=source)
    result = ReadResult()
    for i, record in enumerate(records, 1):
        where = f"{source}:{record.sourceline or 0} (record {i})"
        try:
            item = _record_to_csl(_fields(record))
        except Exception as exc:  # one odd record must not stop the file
            result.problems.append(Problem(where, f"record skipped: {exc}"))
            continue
        result.problems.extend(Problem(where, w) for w in settle_dates(item, parsed_here=True))
        result.items.append(item)
    return result
