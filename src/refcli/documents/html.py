"""HTML pages: meta tags, JSON-LD and the page's text with its block structure.

lxml is told never to fetch or expand anything: saved pages come from anywhere,
and a DOCTYPE or entity must not make the importer read a file or the network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from refcli.documents.references import LINK_LABEL
from refcli.errors import InputError

_BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "section", "article", "header", "footer", "aside", "blockquote", "pre", "figure",
    "figcaption", "main", "nav", "address", "hr", "title", "form", "details", "summary",
}
# Navigation and page footers hold no metadata or references, only text that would
# otherwise run on after the last reference.
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "select", "button", "nav", "footer"}


@dataclass
class Page:
    """What a page says about itself and its text, block elements on lines of their own."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    json_ld: list[Any] = field(default_factory=list)
    title: str | None = None
    heading: str | None = None
    canonical: str | None = None
    language: str | None = None
    text: str = ""


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return bool(re.search(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s", head)) or (
        len(re.findall(r"</(?:p|div|li|a|span|h[1-6])>", head)) >= 3)


def parse(text: str, name: str) -> Page:
    """Parse an HTML page (already decoded) into a ``Page``."""
    from lxml import etree
    from lxml import html as lxml_html

    # libxml2's HTML parser never loads a DTD nor expands external entities; no_network
    # also keeps it from fetching anything a page refers to.
    parser = lxml_html.HTMLParser(no_network=True, recover=True, remove_comments=True,
                                  remove_pis=True)
    try:
        # An XML declaration with an encoding makes lxml refuse a str; it is decoded already.
        root = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot read this HTML ({exc})", where=name) from exc
    if root is None:
        raise InputError("no HTML content", where=name)

    page = Page()
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content is not None:
            page.meta.setdefault(key, []).append(content.strip())
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            page.canonical = link.get("href")
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                page.json_ld.append(json.loads(script.text))
            except ValueError:
                continue  # a broken JSON-LD block is ignored; the other sources remain
    title = root.find(".//title")
    if title is not None and title.text:
        # "Deep learning | Nature", "Title - Site": the site name is not the title.
        page.title = re.split(r"\s+[|–—-]\s+", " ".join(title.text.split()))[0] or None
    heading = root.find(".//h1")
    if heading is not None:
        page.heading = " ".join(heading.text_content().split()) or None
    page.language = (root.get("lang") or root.get("xml:lang") or "").split("-")[0].lower() or None
    body = root.find("body")
    page.text = to_text(body if body is not None else root)
    return page


def _collapse(text: str) -> str:
    """HTML white space: any run of it, newlines included, is one space."""
    return re.sub(r"\s+", " ", text)


_PUBMED_HREF = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b")


def _link_target(link: Any) -> str:
    """" https://doi.org/10…" or " PMID: 123" after a link labelled only "Article",
    "CrossRef", "DOI", "PubMed" … that points at one: publishers' reference lists often
    give a reference's identifiers only so."""
    href = link.get("href") or ""
    if not LINK_LABEL.match(" ".join(link.text_content().split())):
        return ""
    if "doi.org/10." in href:
        return " https://doi.org/" + href.split("doi.org/", 1)[1].split()[0] + " "
    pubmed = _PUBMED_HREF.search(href)
    return f" PMID: {pubmed.group(1)} " if pubmed else ""


def _break(tag: str, out: list[str], item: int | None, event: str) -> str:
    """A blank line around a block; inside a list item (its text starting at out[item])
    a block only starts a line of the same paragraph, closing the line before with a
    full stop where the page's style sheet, not its text, separated them (ScienceDirect
    puts a reference's authors, title and journal in blocks of their own, unpunctuated)."""
    if item is None or tag in ("li", "ul", "ol"):
        return "\n\n"
    if event == "start":
        last = next((i for i in range(len(out) - 1, item - 1, -1) if out[i].strip()), None)
        if last is not None:
            before = out[last].rstrip()
            if re.search(r"[\w)]$", before) and not re.search(r"(?:https?://|doi:|10\.\d{4,9}/)\S*$", before):
                out[last] = before + "."  # (a URL is not closed by a full stop)
        return "\n"
    return ""


def to_text(root: Any) -> str:
    """Text of an element tree with a blank line around each block element and a line
    break for ``<br>``; iterative, because broken pages can nest very deeply."""
    from lxml import etree

    out: list[str] = []
    skipping = 0
    pre = 0  # inside <pre> the line breaks are the text's own
    items: list[int] = []  # where each open list item's text starts in out
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        keep = (lambda t: t) if pre else _collapse
        if event == "start":
            if tag == "li":
                items.append(len(out) + 1)
            if tag in _SKIP:
                skipping += 1
            elif not skipping:
                if tag in _BLOCKS:
                    out.append(_break(tag, out, items[-1] if items else None, "start"))
                elif tag == "br":
                    out.append("\n")
                if tag == "pre":
                    pre += 1
                    keep = lambda t: t  # noqa: E731
                if element.text:
                    out.append(keep(element.text))
        else:
            if tag in _SKIP:
                skipping -= 1
            elif not skipping and tag == "a":
                out.append(_link_target(element))
            elif not skipping and tag in _BLOCKS:
                out.append(_break(tag, out, items[-1] if items else None, "end"))
            if tag == "li" and items:
                items.pop()
            if tag == "pre" and pre:
                pre -= 1
                keep = (lambda t: t) if pre else _collapse
            if element.tail and not skipping:
                out.append(keep(element.tail))
    text = "".join(out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
