"""Better BibTeX / JabRef-style key templates: ``[auth:lower][year][shorttitle:1:lower]``.

A template is literal text and ``[field:modifier:…]`` parts. Fields:

=================  =====================================================
``auth``           first author's family name (editor's when no author)
``authEtAl``       ``Smith``, ``SmithJones``, ``SmithEtAl``
``authors``        every author's family name; ``authorsN``: the first N
``year``           four-digit year
``title``          every significant title word, capitalised
``shorttitle``     the first three significant title words, capitalised
``veryshorttitle`` the first significant title word
``journal``        the container title's significant words' initials
``firstpage``      the first page
``type``           the CSL type
=================  =====================================================

Modifiers, applied in order: ``lower``, ``upper``, ``capitalize``, a number N
(the first N words of a title field, or the first N characters of anything else),
``abbr`` (initials). Everything is transliterated to ASCII; characters a key may not
hold are dropped (``refcli.keys.is_valid_key``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from refcli.vocabulary import Item


class Naming(NamedTuple):
    """The key rules of ``refcli.keys`` a template applies (passed in: keys calls this module)."""

    fold: Callable[[str], str]  # to ASCII letters and digits
    stopwords: frozenset[str]
    year: Callable[[Item], str]
_PART = re.compile(r"\[([^\[\]]*)\]")
_WORDY = frozenset({"title", "shorttitle", "veryshorttitle"})


def _families(item: Item, n: Naming) -> list[str]:
    for role in ("author", "editor"):
        names = [name for name in item.get(role) or [] if isinstance(name, dict)]
        if names:
            out = []
            for name in names:
                raw = name.get("family") or name.get("literal") or ""
                literal_only = name.get("literal") and not name.get("family") and raw.split()
                out.append(n.fold(raw.split()[0] if literal_only else raw))
            return [f for f in out if f]
    return []


def _title_words(item: Item, n: Naming) -> list[str]:
    words = [n.fold(w) for w in re.split(r"[\s\-–—/:]+", str(item.get("title") or ""))]
    return [w[:1].upper() + w[1:] for w in words if w and w.lower() not in n.stopwords]


def _auth_et_al(item: Item, n: Naming) -> str:
    names = _families(item, n)
    if len(names) > 2:
        return names[0] + "EtAl"
    return "".join(names)


def _journal(item: Item, n: Naming) -> str:
    words = re.split(r"\s+", str(item.get("container-title") or ""))
    return "".join(n.fold(w)[:1].upper() for w in words if w and w.lower() not in n.stopwords)


_FIELDS: dict[str, Callable[[Item, Naming], Any]] = {
    "auth": lambda i, n: (_families(i, n) or [""])[0],
    "authEtAl": _auth_et_al,
    "authors": _families,
    "year": lambda i, n: n.year(i),
    "title": _title_words,
    "shorttitle": lambda i, n: _title_words(i, n)[:3],
    "veryshorttitle": lambda i, n: _title_words(i, n)[:1],
    "journal": _journal,
    "firstpage": lambda i, n: re.split(r"[-–]", str(i.get("page") or ""))[0],
    "type": lambda i, n: str(i.get("type") or ""),
}
_MODIFIERS = frozenset({"lower", "upper", "capitalize", "abbr"})


def _field(name: str) -> tuple[str, int | None] | None:
    if name in _FIELDS:
        return name, None
    match = re.fullmatch(r"authors(\d+)", name)
    return ("authors", int(match.group(1))) if match else None


def is_template(template: str) -> bool:
    """Whether *template* is in this bracket syntax (rather than ``{author}{year}``)."""
    return bool(_PART.search(template))


def error(template: str) -> str | None:
    """What is wrong with *template*, or None."""
    parts = _PART.findall(template)
    if not parts:
        return "names no [field]"
    for part in parts:
        name, *mods = part.split(":")
        if _field(name) is None:
            return f"unknown field [{name}]: use one of {', '.join(_FIELDS)}, authorsN"
        for mod in mods:
            if mod not in _MODIFIERS and not mod.isdigit():
                return f"unknown modifier ':{mod}' in [{part}]: use lower, upper, capitalize, abbr or a number"
    return None


def render(item: Item, template: str, naming: Naming) -> str:
    """The key *template* gives *item* (possibly empty), without collision suffixes."""

    def part(content: str) -> str:
        name, *mods = content.split(":")
        found = _field(name)
        if found is None:
            return ""
        field, count = found
        value = _FIELDS[field](item, naming)
        words = list(value) if isinstance(value, list) else None
        if count is not None and words is not None:
            words = words[:count]
        for mod in mods:
            if mod.isdigit():
                if words is not None and field in _WORDY:
                    words = words[: int(mod)]
                else:
                    text = "".join(words) if words is not None else value
                    value, words = text[: int(mod)], None
            elif mod == "abbr":
                value, words = "".join(w[:1] for w in (words if words is not None else str(value).split())), None
        text = "".join(words) if words is not None else str(value)
        for mod in mods:
            if mod == "lower":
                text = text.lower()
            elif mod == "upper":
                text = text.upper()
            elif mod == "capitalize":
                text = text[:1].upper() + text[1:]
        return text

    # split() alternates literal text and the contents of [...]
    pieces = _PART.split(template)
    key = "".join(part(piece) if n % 2 else piece for n, piece in enumerate(pieces))
    return _NOT_IN_KEY.sub("", key)


_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9_:.\-+/]")
