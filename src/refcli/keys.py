"""Citation keys: stable, unique, human-readable (``lecun2015deep``).

A key is the first author's family name folded to ASCII, the year and the first
significant word of the title, as Better BibTeX and pubs make them, so keys read
the same in every tool. A key never changes once given: on a collision the
*newcomer* gets a suffix ``a``, ``b``, … and the older item keeps its key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable
from typing import Any

from refcli import settings
from refcli.errors import UsageError

# Words skipped when picking the title word (English plus the commonest function
# words of the languages our users read).
STOPWORDS = frozenset(
    """a an the and or of on in at to for from with by as is are be into about over under
    between without via vs versus toward towards its their our your this that these those
    how what why when where which who whom whose do does can will should would
    der die das den dem des ein eine einer und oder im zum zur von vom mit für über auf
    le la les un une des du de et ou en au aux pour par sur dans
    el los las lo una unos unas del y o al para por con sin sobre
    il lo gli i della dei delle e per con su
    v vo na o ob ot po k s so iz za dlya pri""".split()  # Russian ones, as transliterated
)

# Characters a key may not hold: BibTeX ends a key at white space, a comma or a brace;
# LaTeX's \\cite chokes on %, #, \\ and ~; biber and pandoc on quotes, parentheses and =.
# Everything else BibTeX accepts is the user's (O'Keeffe_1961, smith*2000, a/b:c).
_VALID_KEY = re.compile(r'^[^\s,{}()=#%"\\~\x00-\x1f\x7f]+$')


def ascii_fold(text: str) -> str:
    """``Müller-Lüdenscheidt`` → ``MullerLudenscheidt``, ``Стрельцов`` → ``Streltsov``:
    letters and digits only.

    Other scripts are transliterated (anyascii, as Better BibTeX transliterates),
    so a Russian, Greek or Chinese author still names the key instead of vanishing
    from it and leaving a bare year.
    """
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(text)
    return "".join(c for c in text if c.isalnum())


def is_valid_key(key: str) -> bool:
    """Keys BibTeX, biber and pandoc all accept (no spaces, braces, commas, double quotes,
    parentheses, =, %, #, backslash or ~); a key read from a file that passes is kept as is."""
    return bool(key) and len(key) <= 200 and bool(_VALID_KEY.match(key))


def _first_name(item: dict[str, Any]) -> str:
    for role in ("author", "editor", "translator", "director", "composer"):
        for name in item.get(role) or []:
            if not isinstance(name, dict):
                continue
            raw = name.get("family") or name.get("literal") or ""
            if name.get("literal") and not name.get("family"):
                raw = raw.split()[0] if raw.split() else ""
            folded = ascii_fold(raw).lower()
            if folded:
                return folded
    return ""


def year_of(item: dict[str, Any]) -> str:
    """The item's year as four digits, or '' when it has none."""
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if parts and isinstance(parts, list) and parts[0] and isinstance(parts[0], list):
            year = str(parts[0][0]) if parts[0][0] not in (None, "") else ""
            if year.lstrip("-").isdigit():
                return year
        match = re.search(r"\d{4}", str(issued.get("literal") or issued.get("raw") or ""))
        if match:
            return match.group(0)
    return ""


# A Chinese or Japanese title has no spaces: its first "word" is the whole title.
_TITLE_WORD_MAX = 20


def _title_word(item: dict[str, Any]) -> str:
    title = str(item.get("title") or "")
    for word in re.split(r"[\s\-–—/:]+", title):
        folded = ascii_fold(word).lower()
        if folded and folded not in STOPWORDS and not folded.isdigit():
            return folded[:_TITLE_WORD_MAX]
    return ""


# The fields a key template (config ``key-template``) may name.
_TEMPLATE_FIELDS = {"author": _first_name, "year": year_of, "title": _title_word}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def template_error(template: str) -> str | None:
    """What is wrong with a key template such as ``{author}{year}`` or, in Better
    BibTeX's syntax, ``[auth:lower][year][shorttitle:1:lower]`` (``refcli.keytemplate``), or None."""
    from refcli import keytemplate

    if keytemplate.is_template(template):
        return keytemplate.error(template)
    names = _PLACEHOLDER.findall(template)
    if not names:
        return "names none of {author}, {year}, {title}"
    unknown = [name for name in names if name not in _TEMPLATE_FIELDS]
    if unknown:
        return f"unknown field {{{unknown[0]}}}: use {{author}}, {{year}} or {{title}}"
    literal = _PLACEHOLDER.sub("", template)
    if literal and not is_valid_key(literal):
        return f"text {literal!r} has characters a key cannot have"
    return None


@functools.cache
def _checked(template: str) -> str:
    error = template_error(template)
    if error:
        raise UsageError(f"key-template {template!r} {error}", str(settings.config_path()))
    return template


def base_key(item: dict[str, Any], template: str | None = None) -> str:
    """The key an item would get if nothing else had it: ``lecun2015deep``, or as
    *template* (default: the config's ``key-template``) says."""
    template = template or settings.key_template()
    if template and "[" in template:
        from refcli import keytemplate

        key = keytemplate.render(item, _checked(template), keytemplate.Naming(ascii_fold, STOPWORDS, year_of))
    elif template:
        key = _PLACEHOLDER.sub(lambda m: _TEMPLATE_FIELDS[m.group(1)](item), _checked(template))
    else:
        key = f"{_first_name(item)}{year_of(item)}{_title_word(item)}"
    return key or "anon"


def unique_key(base: str, taken: Container[str]) -> str:
    """*base*, or *base* with the first free suffix a … z, aa … zz."""
    if base not in taken:
        return base
    letters = "abcdefghijklmnopqrstuvwxyz"
    for first in ("", *letters):
        for second in letters:
            candidate = f"{base}{first}{second}"
            if candidate not in taken:
                return candidate
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def assign_key(item: dict[str, Any], taken: Container[str], keep_existing: bool = True) -> str:
    """The key for a new item: its own id when valid and free, else a generated one."""
    own = str(item.get("id") or "")
    if keep_existing and own and is_valid_key(own) and own not in taken:
        return own
    if keep_existing and own and is_valid_key(own):
        return unique_key(own, taken)
    return unique_key(base_key(item), taken)


def similar_keys(key: str, keys: Iterable[str], limit: int = 3) -> list[str]:
    """Keys a mistyped *key* may have meant: those it begins (``lecun2015`` →
    ``lecun2015deep``), else those sharing its name part (``lecun``), shortest first."""
    keys = list(keys)
    name = re.match(r"[^\W\d_]*", key).group(0)  # type: ignore[union-attr]  # "*" matches always
    for prefix in dict.fromkeys((key.lower(), name.lower())):
        if len(prefix) >= 2:
            found = sorted((k for k in keys if k.lower().startswith(prefix)), key=lambda k: (len(k), k))
            if found:
                return found[:limit]
    return []
