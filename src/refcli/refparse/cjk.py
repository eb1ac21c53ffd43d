"""Chinese, Japanese and Korean reference conventions, read by rule.

The labelled data the parser learned from has no CJK references, so the model has
never seen 「」『』 or GB/T 7714's "[J]" markers; both are unambiguous enough to be
read without it (as ``fields.gost`` reads GOST's " // "):

* Japanese (and Korean) quotes: 山田太郎 (2019)「article title」『journal or book』
  第5巻第2号, 10–20頁; a book alone in 『』 with its publisher after it;
* GB/T 7714, China's national standard, also used for the English references of
  Chinese papers: "Authors. Title[J]. Journal, 2019, 5(2): 10-20." with [J] journal,
  [M] book, [C]/[A] proceedings and chapters, [D] thesis, [R] report, [N] newspaper,
  [EB/OL] web page.

Chinese and Korean names written without a space are split as the family name (one
character, or a known two-character one) and the given name; Japanese ones (the
reference has kana), whose family names have one to three characters, stay whole.
"""

from __future__ import annotations

import re
from typing import cast

from refcli.printed import cjk_names, is_japanese, page_range, parse_names
from refcli.vocabulary import Item

# GB/T 7714: "Authors. Title[J]. Rest" (full stops may be full-width).
_GBT = re.compile(r"^(?P<authors>[^\[\]]+?)[.．]\s*(?P<title>[^\[\]]+?)\s*\[(?P<code>[A-Z]{1,2}(?:/OL)?)\]\s*[.．]?\s*"
                  r"(?P<rest>.*)$")
_GBT_TYPES = {"J": "article-journal", "M": "book", "C": "paper-conference", "A": "chapter", "D": "thesis",
              "R": "report", "N": "article-newspaper", "EB/OL": "webpage", "S": "standard", "P": "patent"}
_GBT_JOURNAL = re.compile(r"^(?P<container>[^,，]+)[,，]\s*(?P<year>\d{4})\s*(?:[,，]\s*(?P<volume>[^(（:：\s]+))?"
                          r"(?:[(（](?P<issue>[^)）]+)[)）])?\s*(?:[:：]\s*(?P<page>[\w‐-―−~-]+))?")
_GBT_IMPRINT = re.compile(r"^(?:(?P<place>[^:：,，]+)[:：]\s*)?(?P<publisher>[^,，]+?)[,，]\s*(?P<year>\d{4})"
                          r"(?:[:：]\s*(?P<page>[\w‐-―−~-]+))?")

# Japanese: 「article」『journal or book』.
_KAGI = re.compile(r"「([^」]+)」")
_NIJU = re.compile(r"『([^』]+)』")
_JA_YEAR = re.compile(r"[(（]\s*(\d{4})[^)）]*[)）]|(\d{4})\s*年")
_JA_NUMBERS = ((re.compile(r"第?\s*(\d+)\s*巻"), "volume"), (re.compile(r"第?\s*(\d+)\s*号"), "issue"),
               (re.compile(r"(\d+)\s*[‐-―−~〜～]\s*(\d+)\s*頁|pp?\.\s*(\d+)\s*[‐-―−~-]\s*(\d+)"), "page"))


def parse(text: str) -> Item | None:
    """A CJK-convention reference as a CSL item, or None when *text* follows neither."""
    if "]" not in text and "』" not in text and "」" not in text:
        return None  # most references: no need to try the patterns
    return _gbt(text) or _japanese(text)


def _names(text: str, japanese: bool) -> tuple[list[dict[str, str]], bool]:
    etal = bool(re.search(r"\bet al\b|等$|ほか$|他$", text.strip(" .．,，")))
    text = re.sub(r"\bet al\b\.?|等$|ほか$|他$", "", text.strip(" .．,，")).strip(" .．,，")
    names = cjk_names(text, japanese)
    if names is not None:
        return names, etal
    names, more = parse_names(text)
    return names, etal or more


def _gbt(text: str) -> Item | None:
    found = _GBT.match(text.strip())
    if not found or found["code"] not in _GBT_TYPES:
        return None
    names, etal = _names(found["authors"], is_japanese(text))
    item: Item = {"type": _GBT_TYPES[found["code"]], "title": found["title"].strip()}
    if names:
        item["author"] = names
    if etal:
        item["custom"] = {"etal": ["author"]}
    rest = found["rest"].strip()
    if rest.startswith("//"):  # [C]/[A]: "//Editors. Book. Place: Publisher, Year: pages"
        container, _, rest = rest[2:].strip().rpartition(". ")
        item["container-title"] = re.sub(r"^[^.]*(?:ed|eds|主编|编)\s*[.．]\s*", "", container).strip()
    numbers = _GBT_JOURNAL.match(rest) if item["type"] in ("article-journal", "article-newspaper") else \
        _GBT_IMPRINT.match(rest)
    if numbers:
        fields = numbers.groupdict()
        item["issued"] = {"date-parts": [[int(fields["year"])]]}
        for key in ("container", "volume", "issue", "page", "place", "publisher"):
            value = (fields.get(key) or "").strip()
            if value:
                csl = {"container": "container-title", "place": "publisher-place"}.get(key, key)
                item[csl] = page_range(value) if key == "page" else value
    return item


def _japanese(text: str) -> Item | None:
    article, source = _KAGI.search(text), _NIJU.search(text)
    if not article and not source:
        return None
    first = min(m.start() for m in (article, source) if m)
    year = _JA_YEAR.search(text)
    head = text[:min(first, year.start()) if year and year.start() < first else first]
    edited = re.search(r"\s*[(（]?(?:編|編著|監修|eds?\.?)[)）]?\s*$", head)
    names, etal = _names(head[: edited.start()] if edited else head, True)
    item: Item = {"type": "book"}
    if article:
        item["title"] = article.group(1).strip()
        item["type"] = "article-journal"
        if source:
            item["container-title"] = source.group(1).strip()
            book_editors = re.match(r"\s*(.+?)\s*(?:編|編著|eds?\.?)\s*$", text[article.end():source.start()])
            if book_editors:  # 「chapter」山田太郎編『book』
                item["type"] = "chapter"
                item["editor"] = _names(book_editors.group(1), True)[0]
    else:
        assert source is not None  # one of the two matched (see above)
        item["title"] = source.group(1).strip()
    if source and item["type"] in ("book", "chapter"):
        publisher = re.match(r"\s*([^,，.。(（\d]+)", text[source.end():])
        if publisher and publisher.group(1).strip():
            item["publisher"] = publisher.group(1).strip()
    if names:
        item["editor" if edited and not article else "author"] = names
    if etal:
        item["custom"] = {"etal": ["author"]}
    if year:
        item["issued"] = {"date-parts": [[int(year.group(1) or year.group(2))]]}
    tail = text[cast("re.Match[str]", source or article).end():]
    for pattern, field in _JA_NUMBERS:
        found = pattern.search(tail)
        if found:
            groups = [g for g in found.groups() if g]
            item[field] = "-".join(groups) if field == "page" else groups[0]
    return item
