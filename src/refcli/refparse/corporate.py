"""Organisations as authors, read from where the reference prints them.

The labellers were trained mostly on people's names, so an opening organisation is
cut after its first word ("United" / "Nations Educational, …"), or read as the title.
Two printed forms are certain enough to override them:

- an acronym, a dash and the full name, closed by a full stop (ABNT's
  "NBS – National Bureau of Statistics of China. …");
- an opening sentence of capitalised words (joined by short lower-case ones) that
  names a body ("Clinical and Laboratory Standards Institute. 2008. …",
  "United Nations Educational, Scientific and Cultural Organization. …",
  "ATLAS and CMS Collaborations, “…”").

The organisation becomes the first author (a ``literal`` name) and leaves the title.
"""

from __future__ import annotations

import re
from typing import Any

_ACRONYM_NAME = re.compile(r"^([A-Z][A-Z0-9&]{1,11}\s+[–—-]\s+[^.–—]{4,120}?)\.\s")
# The words that name a body, in the languages of the lists refcli reads.
_BODY = re.compile(
    r"\b(?:organi[sz]ations?|organiza[cç][aã]o|organizaci[oó]n|associations?|associa[cç][aã]o|asociaci[oó]n"
    r"|institutes?|institut|instituto|committees?|comit[eéê]|ministry|minist[eé]rio|ministerio|minist[eè]re"
    r"|agency|ag[eê]ncia|agencia|council|conselho|consejo|conseil|society|sociedade|sociedad|soci[eé]t[eé]"
    r"|departments?|departamento|office|commission|comiss[aã]o|comisi[oó]n|bank|banco|foundation|funda[cç][aã]o"
    r"|fundaci[oó]n|university|universidade|universidad|universit[eé]|centre|center|centro|bureau|board"
    r"|corporation|government|governo|gobierno|nations|union|uni[aã]o|communities|consortium"
    r"|collaborations?|working\s+group|secretaria|secretar[ií]a)\b",
    re.IGNORECASE,
)
_JOINERS = {"and", "of", "for", "the", "on", "in", "de", "do", "da", "dos", "das", "e", "y", "del", "la", "las",
            "los", "et", "des", "du", "le", "für", "und", "der", "di", "&"}
# The opening sentence, up to a full stop or a comma before a quoted title.
_OPENING = re.compile(r"^(?:\[\d{1,3}\]\s*|\d{1,3}\.\s+)?((?:The\s+)?[A-ZÀ-Þ][^.,“\"]{2,160}?"
                      r"(?:,\s+[A-ZÀ-Þ][^.,“\"]{2,80}?)*)(?:\.\s|,\s*[“\"])")
_INITIAL = re.compile(r"^[A-ZÀ-Þ]\.?$")


def _names_a_body(name: str) -> bool:
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 16 or not _BODY.search(name):
        return False
    if any(_INITIAL.match(word) for word in words):
        return False  # "Board, J. A." is a person
    return all(word[:1].isupper() or word[:1].isdigit() or word.lower() in _JOINERS for word in words)


def organisation(text: str) -> str | None:
    """The organisation that opens reference *text*, if it is printed in a certain form."""
    text = " ".join(text.split())
    match = _ACRONYM_NAME.match(text)
    if match:
        return match.group(1).strip()
    match = _OPENING.match(text)
    if match and _names_a_body(match.group(1)):
        return match.group(1).strip()
    return None


def _name_text(name: dict[str, Any]) -> str:
    return str(name.get("literal") or " ".join(str(name.get(k) or "") for k in ("given", "family"))).strip()


def corporate_author(text: str, item: dict[str, Any]) -> None:
    """Make the organisation that opens *text* the first author of *item* (parsed from
    *text*), in place, and take its name out of the title."""
    body = organisation(text)
    if body is None:
        return
    authors = item.get("author") or []
    if authors and _name_text(authors[0]) == body:
        return
    # The names the labellers made of the organisation's words are its pieces; the
    # names after them (a person co-authoring with a body) stay.
    words = set(re.findall(r"\w+", body))
    rest = [name for name in authors if not set(re.findall(r"\w+", _name_text(name))) <= words]
    item["author"] = [{"literal": body}, *rest]
    title = str(item.get("title") or "")
    names = body.split()
    for k in range(len(names)):
        tail = " ".join(names[k:])
        if title.startswith(tail):
            title = title[len(tail):].lstrip(" .,:;–—-")
            break
    if not title or title in body:
        # The labellers took the organisation's words for the title: the title is the
        # sentence after the organisation (past a year standing alone).
        title = _next_sentence(" ".join(text.split()), body)
    if title:
        item["title"] = title
    else:
        item.pop("title", None)


def _next_sentence(text: str, body: str) -> str:
    rest = text[text.find(body) + len(body):]
    for sentence in re.split(r"(?<=[^\s.]{2})\.\s+", rest.lstrip(" .,")):
        sentence = sentence.strip(" .")
        if not re.fullmatch(r"\(?\d{4}[a-z]?\)?", sentence):
            return sentence if len(sentence) > 3 and not sentence.startswith(("http", "doi")) else ""
    return ""
