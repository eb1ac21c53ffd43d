"""Reading a document a researcher has: its own metadata and its reference list.

``read_document(path)`` takes a plain-text, Markdown, HTML or PDF file (the format
is told by the content, not the file name) and returns a ``Document``: the
document as a CSL-JSON item, its references as raw strings in order, a
pre-structured CSL item for each reference whose source gave one (HTML
``citation_reference`` tags), and warnings. Nothing is stored here; the
importer does that. Bad input raises ``refcli.errors.InputError``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcli.errors import InputError
from refcli.vocabulary import Item

__all__ = ["Document", "read_document", "read_document_bytes", "detect_format"]

_OWN_URL = re.compile(r"^\s*(?:url|available\s+(?:at|from)|online)?\s*:?\s*(https?://\S+?)[.,;]?\s*$", re.IGNORECASE)


@dataclass
class Document:
    """A document read from a file, ready for the importer."""

    item: Item
    references: list[str] = field(default_factory=list)
    reference_items: list[Item | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def detect_format(data: bytes, name: str = "") -> str:
    """``pdf``, ``html``, ``markdown`` or ``text``, from the bytes (the name only
    separates Markdown from text when the content could be either)."""
    if data.lstrip()[:1024].find(b"%PDF-") != -1:
        return "pdf"
    from refcli.documents import html, text

    sample = data[:8192].decode("utf-8", errors="replace")
    if html.looks_like_html(sample):
        return "html"
    if name.lower().endswith((".md", ".markdown")) or len(text.MARKDOWN_CUES.findall(sample)) >= 3:
        return "markdown"
    return "text"


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read the document at *path*; InputError if it is missing or not a document."""
    p = Path(path)
    from refcli.terminal import path_text

    name = path_text(p.name or str(p))  # stored in custom.source: a name that is not UTF-8 is escaped
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError("is a directory, not a document", where=str(p))
        from refcli.documents.pdf import MAX_PDF_BYTES

        if size > MAX_PDF_BYTES:
            raise InputError(f"{size / 2**20:.0f} MB is too large for a document", where=str(p))
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", where=str(p)) from exc
    except PermissionError as exc:
        raise InputError("permission denied", where=str(p)) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=str(p)) from exc
    try:
        return read_document_bytes(data, name)
    except InputError as exc:
        exc.where = str(p)  # the path the user typed says which file, the name may not
        raise


def read_document_bytes(data: bytes, name: str) -> Document:
    """Read a document from its bytes; *name* is used in messages and ``custom.source``."""
    from refcli.documents import text as textmod

    fmt = detect_format(data, name)
    trusted: list[Item] = []
    pdf_info: dict[str, Any] = {}
    page = None
    head: list[Any] = []
    furniture: list[str] = []
    if fmt == "pdf":
        from refcli.documents import pdf

        result = pdf.read(data, name)
        body, pdf_info, head, furniture = result.text, result.info, result.head, result.furniture
    else:
        if len(data) > textmod.MAX_TEXT_BYTES:
            raise InputError(f"{len(data) / 2**20:.0f} MB of text is too large for a document "
                             f"(limit {textmod.MAX_TEXT_BYTES // 2**20} MB)", where=name)
        decoded = textmod.decode(data, name)
        if fmt == "html":
            from refcli.documents import html

            page = html.parse(decoded, name)
            body = page.text
            if sum(ch.isalpha() for ch in body) < 100 and not _describes_itself(page):
                raise InputError("the page has almost no text and no metadata (built by JavaScript?); "
                                 "save it from the browser after it has loaded, or as text", where=name)
        elif fmt == "markdown":
            trusted.append(_front_matter_item(textmod.markdown_front_matter(decoded)))
            body = textmod.markdown_to_text(decoded)
        else:
            body = decoded
    if not body.strip() and not (page and page.meta):
        raise InputError("the document has no text", where=name)
    from refcli.encoding import spell_ligatures

    return _assemble(spell_ligatures(body), fmt, name, page, pdf_info, trusted, head, furniture)


def _describes_itself(page: Any) -> bool:
    """Whether a page's meta tags or JSON-LD say what it is, even without body text."""
    keys = ("citation_title", "dc.title", "og:title", "prism.title", "citation_reference")
    return bool(page.json_ld) or any(page.meta.get(k) for k in keys)


def _front_matter_item(pairs: dict[str, str]) -> Item:
    from refcli.documents import metadata, names

    authors = pairs.get("author") or pairs.get("authors") or ""
    return metadata.merge({
        "title": pairs.get("title"),
        "author": names.parse_names(authors.strip("[]")) if authors else None,
        "issued": names.parse_date(pairs.get("date")),
        "DOI": pairs.get("doi"),
        "URL": pairs.get("url"),
    })


def _pdf_item(info: dict[str, Any], page_text: str) -> Item:
    """The PDF's Info/XMP metadata, each value kept only when the first page shows it:
    producers leave "doi:", "British Medical Journal" or an operator's login there."""
    from refcli.documents import metadata, names
    from refcli.identifiers import find_dois

    shown = _squash(page_text)

    authors: list[Any] = []
    if info.get("author"):
        authors = names.parse_names(info["author"])
    elif info.get("authors"):
        authors = [n for n in (names.parse_name(a) for a in info["authors"]) if n]
    dois = find_dois(" ".join(str(info.get(k, "")) for k in ("identifier", "subject")))
    title = info.get("title")
    if title and (len(_squash(title)) < 12 or _squash(title) not in shown):
        title = None
    if authors and _squash(authors[0].get("family") or authors[0].get("literal") or "") not in shown:
        authors = []
    return metadata.merge({"title": title, "author": authors or None,
                           "DOI": dois[0] if dois else None})


def _this_year() -> int:
    import datetime

    return datetime.date.today().year


def _squash(text: str) -> str:
    """Letters and digits only, lower case: PDF text drops and adds spaces and hyphens."""
    import unicodedata

    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _assemble(body: str, fmt: str, name: str, page: Any, pdf_info: dict[str, Any],
              trusted: list[Item], head: list[Any] | None = None,
              furniture: list[str] | None = None) -> Document:
    from refcli.documents import citation, metadata, references
    from refcli.identifiers import find_dois

    warnings: list[str] = []
    lines = body.split("\n")
    raw_refs, section = references.extract(lines)
    before = lines[: section[0] - 1] if section else lines

    sources: list[Item] = list(trusted)
    if head:
        from refcli.documents import titleblock

        sources.append(titleblock.from_head(head))  # the largest type near the top of page 1
        page_one = "\n".join(line.text for line in head)
        year = titleblock.page_year(page_one, _this_year() + 1)
        from refcli.documents.owndoi import document_doi

        cited = {doi.lower() for raw in raw_refs for doi in find_dois(raw)}  # a short paper's list is on page 1
        doi = document_doi(lines, page_one=page_one, furniture=furniture or [], cited=cited, section=section)
        sources.append({"issued": {"date-parts": [[year]]} if year else None, "DOI": doi})
    if page is not None:
        sources.append(metadata.from_meta(page.meta))
        sources.append(metadata.from_json_ld(page.json_ld))
    block = citation.find_cite_block(lines)
    if block:
        quoted = [line for line in lines if block not in line]
        cite = citation.from_citation(block, quoted)
        # A title the page also shows as a line anchors the whole split; then the
        # reference parser is only asked when a main field is still missing, and
        # only fills gaps. Without that anchor the parser's reading comes first.
        title = (cite.get("title") or "").lower()
        anchored = bool(title) and any(" ".join(line.split()).rstrip(".").lower() == title for line in quoted)
        if anchored and all(cite.get(k) for k in ("author", "issued")):
            sources.append(cite)
        elif anchored:
            sources += [cite, citation.refparse_citation(block)]
        else:
            sources += [citation.refparse_citation(block), cite]
    if pdf_info:
        page_one = " ".join(line.text for line in head) if head else "\n".join(lines[:120])
        sources.append(_pdf_item(pdf_info, page_one))
    if page is not None and page.heading and len(page.heading.split()) <= 40:
        sources.append({"title": page.heading})  # a page's one <h1> is its title
    layout, affiliation = metadata.from_layout(before)
    sources.append(layout)
    sources.append(metadata.from_sections(before))
    top = "\n".join(line for line in before[:40] if line.strip())
    own_doi = find_dois(top)
    # A URL alone on one of the first lines is the document's own address; one inside a
    # sentence is a link to something else.
    own_url = [m.group(1) for m in map(_OWN_URL.match, before[:15]) if m and "doi.org/" not in m.group(1)]
    extra: Item = {"DOI": own_doi[0] if own_doi else None, "URL": own_url[0] if own_url else None}
    if page is not None:
        extra["URL"] = page.canonical or extra["URL"]
        extra["title"] = page.title
    sources.append(extra)
    item = metadata.merge(*sources)

    if not item.get("type"):
        if item.get("container-title") and (item.get("volume") or item.get("issue") or item.get("page")):
            item["type"] = "article-journal"
        else:
            item["type"] = "webpage" if fmt == "html" else "article"
    if item["type"] == "report" and not item.get("publisher") and affiliation:
        publisher = metadata.publisher_from_affiliation(affiliation)
        if publisher:
            item["publisher"] = publisher
    if item.get("title"):
        item["title"] = re.sub(r"\s+", " ", item["title"]).strip().rstrip(".")
    else:
        warnings.append("no title found")
    item.setdefault("language", (page.language if page is not None else None) or metadata.language(body))
    if not item.get("language"):
        item.pop("language")
    item["custom"] = {"source": {"file": name, "format": fmt}}

    ref_items: list[Item | None] = [None] * len(raw_refs)
    if page is not None and page.meta.get("citation_reference"):
        raw_refs, ref_items = _tag_references(page.meta["citation_reference"], raw_refs)
    if not raw_refs:
        warnings.append("no reference list found")
    return Document(item=item, references=raw_refs, reference_items=ref_items, warnings=warnings)


def _tag_references(tags: list[str], body_refs: list[str]) -> tuple[list[str], list[Item | None]]:
    """References from ``citation_reference`` tags; the page's own list supplies the
    raw strings when it has the same number of entries (its text is what people read)."""
    from refcli.documents import metadata

    items = [metadata.from_highwire_reference(tag) for tag in tags if tag.strip()]
    raws = [tag.strip() for tag in tags if tag.strip()]
    if len(body_refs) == len(items):
        raws = body_refs
    else:
        raws = [_describe(item) if item else raw for item, raw in zip(items, raws, strict=True)]
    return raws, items


def _describe(item: Item) -> str:
    """A readable reference string for a structured item that came without one."""
    names = ", ".join(
        n.get("literal") or ", ".join(x for x in (n.get("family"), n.get("given")) if x)
        for n in item.get("author", []))
    year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
    parts = [names, f"({year})" if year else "", item.get("title", "")]
    tail = ", ".join(str(item[k]) for k in ("container-title", "volume", "page") if item.get(k))
    text = ". ".join(p for p in (" ".join(x for x in parts[:2] if x), parts[2], tail) if p)
    if item.get("DOI"):
        text += f". https://doi.org/{item['DOI']}"
    return text
