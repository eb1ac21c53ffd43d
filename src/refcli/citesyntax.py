"""pandoc's citation syntax, read into CSL citation clusters.

    [see @smith2020, p. 33; @doe2019, chap. 2]   one citation of two cites
    [-@smith2020]                                the author left out ("(2020)")
    @smith2020 [p. 4]                            author in the text: "Smith (2020, p. 4)"
    @smith2020                                   author in the text, no locator
    smith2020                                    a bare key: one citation of it

As in pandoc: the text before ``@`` in a cite is its prefix; after the key and
a comma comes an optional locator (a label such as ``p.``, ``pp.``, ``chap.``,
``sec.``, ``fig.``, ``vol.``, ``para.``, ``§`` — any form of a CSL locator
term in the locale — then a number, range or list; a bare number is a page)
and the rest is the suffix.  Keys start with a letter, digit or ``_`` and may
hold ``:.#$%&-+?<>~/`` inside; ``@{any key}`` takes anything up to ``}``.

:func:`parse` returns clusters in the shape ``refcli.csl.render_clusters``
takes; an author-in-text citation has ``properties.mode == "composite"``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from refcli.errors import UsageError

LOCATOR_TERMS = (
    "act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation", "equation",
    "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part", "rule", "scene",
    "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator", "verse", "volume",
)
_KEY = r"(?:\{(?P<keyb>[^}]+)\}|(?P<key>[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?))"
_IN_TEXT = re.compile(r"(?<![\w@])(?P<minus>-?)@" + _KEY + r"(?:\s*\[(?P<after>[^\[\]]*)\])?")
_BRACKETED = re.compile(r"\[(?P<body>[^\[\]]*@[^\[\]]*)\]")
_CITE = re.compile(r"^(?P<prefix>.*?)(?P<minus>-?)@" + _KEY + r"(?P<rest>.*)$", re.S)
_VALUE = (r"[\w\-\u2013\u2014]*\d[\w\-\u2013\u2014]*(?:[.:]\d[\w\-\u2013\u2014]*)*"
          r"|[ivxlcdm]+(?:[\-\u2013][ivxlcdm]+)?")


@lru_cache(maxsize=8)
def locator_labels(locale: str = "en-US") -> dict[str, str]:
    """Every spelling of a CSL locator term in ``locale`` (and in en-US):
    long, short and symbol forms, singular and plural -> the term's name."""
    from lxml import etree

    from refcli.csl.styles import check_no_doctype, locales_dir, safe_parser

    out: dict[str, str] = {}
    for name in dict.fromkeys([locale, "en-US"]):
        path = locales_dir() / f"locales-{name}.xml"
        if not path.is_file():
            continue
        check_no_doctype(path)
        root = etree.parse(str(path), safe_parser()).getroot()
        for term in root.iter("{*}term"):
            term_name = term.get("name")
            if term_name not in LOCATOR_TERMS:
                continue
            texts = [term.text] if len(term) == 0 else [child.text for child in term]
            for text in texts:
                if text and text.strip():
                    out.setdefault(text.strip().lower(), term_name)
    return out


def _label_pattern(locale: str) -> re.Pattern[str]:
    labels = sorted(locator_labels(locale), key=len, reverse=True)
    alternatives = "|".join(re.escape(x) for x in labels)
    return re.compile(rf"^\s*(?P<label>{alternatives})(?:(?<=\W)|(?!\w))\s*(?P<value>(?:{_VALUE})"
                      rf"(?:\s*(?:,|&|and)\s*(?:{_VALUE}))*)(?P<rest>.*)$", re.S | re.I)


_PAGE_ONLY = re.compile(rf"^\s*(?P<value>(?:{_VALUE})(?:\s*(?:,|&|and)\s*(?:{_VALUE}))*)(?P<rest>.*)$", re.S)


def split_locator(text: str, locale: str = "en-US") -> dict[str, str]:
    """The part after a cite's key: ``", p. 33, n. 2"`` -> locator, label and
    suffix (pandoc's rules; a bare number is a page)."""
    out: dict[str, str] = {}
    body = text.strip()
    if not body.startswith(","):
        if body:
            out["suffix"] = body
        return out
    after = body[1:]
    m = _label_pattern(locale).match(after)
    if m:
        out["label"] = locator_labels(locale)[m.group("label").lower()]
    else:
        m = _PAGE_ONLY.match(after)
        if m:
            out["label"] = "page"
    if m and _ends_value(m.group("rest")):
        out["locator"] = m.group("value").strip()
        rest = m.group("rest").strip()
        if rest:
            out["suffix"] = rest
        return out
    out.pop("label", None)
    out["suffix"] = body
    return out


def _ends_value(rest: str) -> bool:
    """A locator ends at the end, at a comma or at a space before words."""
    return not rest or rest[0] in ",;. "


def _cite(segment: str, where: str, locale: str) -> dict[str, Any]:
    m = _CITE.match(segment.strip())
    if not m:
        raise UsageError(f"no @key in citation '{segment.strip()}'", where=where)
    cite: dict[str, Any] = {"id": m.group("keyb") or m.group("key")}
    prefix = m.group("prefix").strip()
    if prefix:
        cite["prefix"] = prefix
    if m.group("minus"):
        cite["suppress-author"] = True
    cite.update(split_locator(m.group("rest"), locale))
    return cite


def parse(text: str, locale: str = "en-US") -> list[dict[str, Any]]:
    """Every citation in ``text``, in order, as clusters
    (``{"citationItems": [...], "properties": {...}}``).  A text without ``@``
    is a bare key (one citation of it)."""
    where = f"citation '{text}'"
    if "@" not in text:
        key = text.strip()
        if not key or re.search(r"[\s\[\];]", key):
            raise UsageError("expected a key or pandoc citation syntax ([@key, p. 3])", where=where)
        return [{"citationItems": [{"id": key}], "properties": {}}]
    clusters: list[tuple[int, dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []
    for m in _BRACKETED.finditer(text):
        segments = [s for s in _split_cites(m.group("body"))]
        items = [_cite(s, where, locale) for s in segments]
        clusters.append((m.start(), {"citationItems": items, "properties": {}}))
        taken.append(m.span())
    for m in _IN_TEXT.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        cite: dict[str, Any] = {"id": m.group("keyb") or m.group("key")}
        after = m.group("after")
        if after is not None:
            cite.update(split_locator("," + after if not after.lstrip().startswith(",") else after, locale))
        mode = "suppress-author" if m.group("minus") else "composite"
        clusters.append((m.start(), {"citationItems": [cite], "properties": {"mode": mode}}))
    if not clusters:
        raise UsageError("cannot read the citation (pandoc syntax: [see @key, p. 3; @other])", where=where)
    return [c for _, c in sorted(clusters, key=lambda pair: pair[0])]


def _split_cites(body: str) -> list[str]:
    """``see @a, p. 3; @b`` -> the cites (split on ``;`` outside braces)."""
    out, depth, start = [], 0, 0
    for n, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            out.append(body[start:n])
            start = n + 1
    out.append(body[start:])
    return [s for s in out if s.strip()]
