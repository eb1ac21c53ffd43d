"""Metadata by arXiv id, ISBN, PMID, PMCID or landing-page URL, from public registries.

Each identifier goes to the registry that assigns it, through ``resolve``'s
guarded GET (http(s) only, time-outs, size cap, retries) and its on-disk cache:

- arXiv: the arXiv API's Atom feed (``export.arxiv.org/api/query?id_list=``);
- ISBN: Open Library's Books API (``openlibrary.org/api/books?bibkeys=ISBN:…``);
- PMID: NCBI E-utilities ``esummary`` (JSON); a record with a DOI is completed
  from the DOI registry, which has full author names, and keeps its PMID/PMCID;
- PMCID: NCBI's PMC ID converter, then the PMID (or DOI) way;
- a URL: the page is fetched and read by the document reader (Highwire/Dublin
  Core meta tags, JSON-LD); a DOI found on it goes the DOI way.

Every base URL is a setting (``settings.registry_url``: ``REFCLI_ARXIV_URL``,
``REFCLI_ISBN_URL``, ``REFCLI_PUBMED_URL``, ``REFCLI_PMC_URL`` or the config's
``[registries]`` table), so tests point them at a local server.
An arXiv preprint keeps its own DataCite DOI (``10.48550/arXiv.N``) and names the
published version's DOI in ``custom.published``: the two are different works,
linked by ``refcli.versions``, never merged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from refcli.errors import InputError, NetworkError, NotFoundError, UsageError
from refcli.formats.tagged import date_words
from refcli.identifiers import classify, isbn13, normalize_doi
from refcli.vocabulary import Item

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


def setting(name: str) -> str:
    from refcli import settings

    return settings.registry_url(name)


def fetch(text: str, *, use_cache: bool = True) -> tuple[str, Item]:
    """(a name for messages, the CSL-JSON item) for an identifier in any of its spellings."""
    found = classify(text)
    if found is None:
        raise InputError(f"not an identifier refcli knows: {text!r}")
    kind, value = found
    if kind == "doi":
        from refcli import resolve

        return f"doi:{value}", resolve.fetch(value, use_cache=use_cache)
    if kind == "arxiv":
        return f"arXiv:{value}", fetch_arxiv(value, use_cache=use_cache)
    if kind == "isbn":
        return f"isbn:{value}", fetch_isbn(value, use_cache=use_cache)
    if kind == "pmid":
        return f"pmid:{value}", fetch_pmid(value, use_cache=use_cache)
    if kind == "pmcid":
        return f"pmcid:{value}", fetch_pmcid(value, use_cache=use_cache)
    return value, fetch_url(value, use_cache=use_cache)


def lookup(source: str, library: Path, use_cache: bool = True) -> tuple[str, list[Item]]:
    """``refcli add``'s reading of one identifier: (name, records). An arXiv paper
    already in *library* (by its DataCite DOI) needs no network."""
    found = classify(source)
    if found is None:
        raise UsageError(f"not a file, DOI or '-': {source}"
                         " (nor an arXiv id, ISBN, pmid:N, PMCID or http(s) URL)")
    kind, value = found
    if kind == "arxiv":
        from refcli import index

        doi = arxiv_doi(re.sub(r"v\d+$", "", value))
        with index.fresh(library) as idx:
            known = idx.get(doi)
        if known is not None:
            return f"arXiv:{value}", [{"DOI": doi, "id": known["id"], "title": known.get("title")}]
    name, item = fetch(source, use_cache=use_cache)
    from refcli.formats.shape import ShapeError, check

    try:  # what the library stores is valid CSL-JSON, whatever the registry sent
        return name, [check(item)]
    except ShapeError as exc:
        raise NetworkError(f"{name}: the registry's record is malformed: {exc}") from None


def arxiv_doi(bare_id: str) -> str:
    """The DataCite DOI arXiv registers for every paper, in refcli's canonical spelling."""
    return f"10.48550/arxiv.{bare_id}".lower()


# ------------------------------------------------------------------ arXiv


def _xml(body: bytes, what: str) -> Any:
    from lxml import etree

    # No DTDs, no entities, no network: the answer is data, never instructions.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise NetworkError(f"the arXiv API sent something that is not an Atom feed for {what}") from None


def _text(node: Any) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _arxiv_entry(body: bytes, arxiv_id: str) -> Any:
    root = _xml(body, f"arXiv:{arxiv_id}")
    if root.tag != f"{_ATOM}feed":
        raise NetworkError(f"the arXiv API sent something that is not an Atom feed for arXiv:{arxiv_id}")
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = _text(entry.find(f"{_ATOM}id"))
        # A bad or unknown id comes back as HTTP 200 with one entry titled "Error".
        if "/api/errors" in entry_id or _text(entry.find(f"{_ATOM}title")) == "Error":
            raise NotFoundError(f"arXiv has no paper {arxiv_id}"
                                f" ({_text(entry.find(f'{_ATOM}summary')) or 'unknown id'})")
        return entry
    raise NotFoundError(f"arXiv has no paper {arxiv_id}")


def _date(text: str) -> dict[str, list[list[int]]] | None:
    match = re.match(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", text)
    if not match:
        return None
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


def _person(name: str) -> dict[str, str]:
    from refcli.documents.names import parse_name

    return parse_name(name) or {"literal": name}


def fetch_arxiv(arxiv_id: str, *, use_cache: bool = True) -> Item:
    """A preprint's CSL-JSON from the arXiv API."""
    from refcli import resolve

    url = f"{setting('arxiv')}?id_list={quote(arxiv_id, safe='/.')}&max_results=1"
    body = resolve.fetch_cached(url, f"arXiv:{arxiv_id}", service="the arXiv API",
                                accept="application/atom+xml", use_cache=use_cache,
                                not_found=f"arXiv has no paper {arxiv_id}",
                                check=lambda b: _arxiv_entry(b, arxiv_id))
    entry = _arxiv_entry(body, arxiv_id)
    abs_url = _text(entry.find(f"{_ATOM}id"))
    found = re.search(r"arxiv\.org/abs/(.+?)(v\d+)?$", abs_url)
    bare = found.group(1) if found else re.sub(r"v\d+$", "", arxiv_id)
    version = found.group(2) if found and found.group(2) else ""
    item: Item = {
        "type": "article",
        "title": _text(entry.find(f"{_ATOM}title")),
        "author": [_person(_text(a.find(f"{_ATOM}name"))) for a in entry.iter(f"{_ATOM}author")
                   if _text(a.find(f"{_ATOM}name"))],
        "publisher": "arXiv",
        "number": f"arXiv:{bare}",
        "genre": "Preprint",
        # arXiv registers a DataCite DOI for every paper: the preprint's own identifier.
        "DOI": arxiv_doi(bare),
        "URL": f"https://arxiv.org/abs/{bare}",
    }
    issued = _date(_text(entry.find(f"{_ATOM}published")))
    if issued:
        item["issued"] = issued
    summary = _text(entry.find(f"{_ATOM}summary"))
    if summary:
        item["abstract"] = summary
    if version:
        item["version"] = version
    categories = [c.get("term") for c in entry.iter(f"{_ATOM}category") if c.get("term")]
    if categories:
        item["keyword"] = ", ".join(dict.fromkeys(categories))
    comment = _text(entry.find(f"{_ARXIV}comment"))
    journal = _text(entry.find(f"{_ARXIV}journal_ref"))
    note = "; ".join(x for x in (comment, journal) if x)
    if note:
        item["note"] = note
    custom: Item = {"arxiv": bare}
    published = normalize_doi(_text(entry.find(f"{_ARXIV}doi")))
    if published:
        custom["published"] = published
    item["custom"] = custom
    return {k: v for k, v in item.items() if v not in ("", [], None)}


# ------------------------------------------------------------------ ISBN (Open Library)


def _loads(body: bytes, what: str, service: str) -> Any:
    import orjson

    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NetworkError(f"{service} sent invalid JSON for {what}") from None


def _open_library_record(body: bytes, isbn: str) -> Item:
    data = _loads(body, f"isbn:{isbn}", "Open Library")
    if not isinstance(data, dict):
        raise NetworkError(f"Open Library sent an unexpected answer for isbn:{isbn}")
    record = data.get(f"ISBN:{isbn}")
    if not record:
        raise NotFoundError(f"Open Library has no book with ISBN {isbn}")
    if not isinstance(record, dict) or not isinstance(record.get("title"), str):
        raise NetworkError(f"Open Library sent an unexpected answer for isbn:{isbn}")
    return record


def _names(values: Any) -> list[str]:
    return [v["name"] for v in values or [] if isinstance(v, dict) and isinstance(v.get("name"), str)]


def fetch_isbn(isbn: str, *, use_cache: bool = True) -> Item:
    """A book's CSL-JSON from Open Library's Books API (asked by ISBN-13, one cache entry per book)."""
    from refcli import resolve
    from refcli.documents.names import parse_date

    isbn = isbn13(isbn)

    url = f"{setting('isbn')}?bibkeys=ISBN:{isbn}&format=json&jscmd=data"
    body = resolve.fetch_cached(url, f"isbn:{isbn}", service="Open Library", accept="application/json",
                                not_found=f"Open Library has no book with ISBN {isbn}",
                                use_cache=use_cache, check=lambda b: _open_library_record(b, isbn))
    record = _open_library_record(body, isbn)
    title = " ".join(record["title"].split())
    subtitle = record.get("subtitle")
    if isinstance(subtitle, str) and subtitle.strip():
        title = f"{title}: {' '.join(subtitle.split())}"
    identifiers = record.get("identifiers")
    identifiers = identifiers if isinstance(identifiers, dict) else {}
    isbns = [*(identifiers.get("isbn_13") or []), *(identifiers.get("isbn_10") or [])]
    item: Item = {
        "type": "book",
        "title": title,
        "author": [_person(n) for n in _names(record.get("authors"))],
        "publisher": ", ".join(_names(record.get("publishers"))),
        "publisher-place": ", ".join(_names(record.get("publish_places"))),
        "ISBN": ", ".join(dict.fromkeys([isbn, *map(str, isbns)])),
        "URL": record.get("url") if isinstance(record.get("url"), str) else "",
    }
    issued = parse_date(str(record.get("publish_date") or ""))
    if issued:
        item["issued"] = issued
    pages = record.get("number_of_pages")
    if isinstance(pages, int) and pages > 0:
        item["number-of-pages"] = str(pages)
    return {k: v for k, v in item.items() if v not in ("", [], None)}


# ------------------------------------------------------------------ PubMed and PMC

def _esummary_record(body: bytes, pmid: str) -> Item:
    data = _loads(body, f"pmid:{pmid}", "PubMed")
    result = data.get("result") if isinstance(data, dict) else None
    record = result.get(pmid) if isinstance(result, dict) else None
    if not isinstance(record, dict):
        if isinstance(data, dict) and (data.get("error") or isinstance(result, dict)):
            raise NotFoundError(f"PubMed has no article with PMID {pmid}")
        raise NetworkError(f"PubMed sent an unexpected answer for pmid:{pmid}")
    if record.get("error") or not record.get("title"):
        raise NotFoundError(f"PubMed has no article with PMID {pmid}")
    return record


def _from_esummary(record: Item, pmid: str) -> Item:
    authors = []
    for person in record.get("authors") or []:
        if not isinstance(person, dict) or not person.get("name"):
            continue
        name = str(person["name"])
        if person.get("authtype") == "CollectiveName" or " " not in name:
            authors.append({"literal": name})
        else:  # MEDLINE writes "Huang C" / "van der Berg JH": family, then initials
            family, _, initials = name.rpartition(" ")
            authors.append({"family": family, "given": " ".join(f"{c}." for c in initials if c.isalpha())})
    ids = {str(a.get("idtype")): str(a.get("value")) for a in record.get("articleids") or []
           if isinstance(a, dict)}
    item: Item = {
        "type": "article-journal",
        "title": " ".join(str(record.get("title") or "").split()).rstrip("."),
        "author": authors,
        "container-title": record.get("fulljournalname") or record.get("source") or "",
        "container-title-short": record.get("source") or "",
        "volume": record.get("volume") or "",
        "issue": record.get("issue") or "",
        "page": record.get("pages") or "",
        "ISSN": record.get("issn") or record.get("essn") or "",
        "PMID": pmid,
        "PMCID": ids.get("pmc") or ids.get("pmcid", "").removeprefix("pmc-id: ").split(";")[0],
        "DOI": normalize_doi(ids.get("doi")) or "",
    }
    issued = date_words(str(record.get("pubdate") or record.get("epubdate") or ""))
    if issued:
        item["issued"] = issued
    return {k: v for k, v in item.items() if v not in ("", [], None)}


def fetch_pmid(pmid: str, *, use_cache: bool = True) -> Item:
    """An article's CSL-JSON by PMID: PubMed's summary, completed from its DOI when it has one."""
    from refcli import resolve

    url = f"{setting('pubmed')}/esummary.fcgi?db=pubmed&id={pmid}&retmode=json"
    body = resolve.fetch_cached(url, f"pmid:{pmid}", service="PubMed", accept="application/json",
                                not_found=f"PubMed has no article with PMID {pmid}",
                                use_cache=use_cache, check=lambda b: _esummary_record(b, pmid))
    item = _from_esummary(_esummary_record(body, pmid), pmid)
    if item.get("DOI"):
        try:
            full = resolve.fetch(item["DOI"], use_cache=use_cache)
        except (NetworkError, NotFoundError):
            return item  # PubMed's own record is complete enough to cite
        return {**full, **{k: item[k] for k in ("PMID", "PMCID") if k in item}}
    return item


def _idconv_record(body: bytes, pmcid: str) -> Item:
    data = _loads(body, f"pmcid:{pmcid}", "the PMC ID converter")
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise NetworkError(f"the PMC ID converter sent an unexpected answer for {pmcid}")
    record = records[0]
    if record.get("errmsg") or record.get("status") == "error" or not (record.get("pmid") or record.get("doi")):
        raise NotFoundError(f"PubMed Central has no article {pmcid}"
                            + (f" ({record['errmsg']})" if record.get("errmsg") else ""))
    return record


def fetch_pmcid(pmcid: str, *, use_cache: bool = True) -> Item:
    """An article's CSL-JSON by PMCID, through its PMID (or its DOI)."""
    from refcli import resolve

    url = f"{setting('pmc')}/?ids={pmcid}&format=json"
    body = resolve.fetch_cached(url, pmcid, service="the PMC ID converter", accept="application/json",
                                not_found=f"PubMed Central has no article {pmcid}",
                                use_cache=use_cache, check=lambda b: _idconv_record(b, pmcid))
    record = _idconv_record(body, pmcid)
    if record.get("pmid"):
        item = fetch_pmid(str(record["pmid"]), use_cache=use_cache)
    else:
        item = resolve.fetch(str(record["doi"]), use_cache=use_cache)
    item["PMCID"] = pmcid
    return item


# ------------------------------------------------------------------ landing pages


def fetch_url(url: str, *, use_cache: bool = True) -> Item:
    """The work a landing page describes: its meta tags and JSON-LD, or its DOI's record."""
    from refcli import resolve
    from refcli.documents import read_document_bytes
    from refcli.store import now_iso

    body = resolve.fetch_cached(url, url, service=url.split("/")[2], not_found=f"no page at {url}",
                                accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                                use_cache=use_cache)
    doc = read_document_bytes(body, url)
    item = dict(doc.item)
    item.pop("custom", None)
    doi = normalize_doi(str(item.get("DOI") or ""))
    if doi:
        try:
            found = resolve.fetch(doi, use_cache=use_cache)
        except NotFoundError:
            found = None  # a DOI printed on the page but not registered: the page's own data
        if found is not None:
            return {**found, "URL": found.get("URL") or url}
    if not item.get("title"):
        raise InputError("the page says neither what work it is nor its DOI", where=url)
    item["URL"] = item.get("URL") or url
    item["accessed"] = _date(now_iso())
    return item
