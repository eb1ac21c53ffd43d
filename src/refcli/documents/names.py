"""Dates and personal names as documents write them, turned into CSL values.

Shared by every metadata source (meta tags, bylines, citations), so that "Kistanov
V.O.", "V. O. Kistanov" and "Kistanov, V.O." all become the same CSL name.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------ dates

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan", "januar", "janvier", "enero", "gennaio", "января", "январь"),
            ("february", "feb", "februar", "février", "febrero", "febbraio", "февраля", "февраль"),
            ("march", "mar", "märz", "mars", "marzo", "марта", "март"),
            ("april", "apr", "avril", "abril", "aprile", "апреля", "апрель"),
            ("may", "mai", "mayo", "maggio", "мая", "май"),
            ("june", "jun", "juni", "juin", "junio", "giugno", "июня", "июнь"),
            ("july", "jul", "juli", "juillet", "julio", "luglio", "июля", "июль"),
            ("august", "aug", "août", "agosto", "августа", "август"),
            ("september", "sep", "sept", "septembre", "septiembre", "settembre", "сентября", "сентябрь"),
            ("october", "oct", "oktober", "octobre", "octubre", "ottobre", "октября", "октябрь"),
            ("november", "nov", "novembre", "noviembre", "ноября", "ноябрь"),
            ("december", "dec", "dezember", "décembre", "diciembre", "dicembre", "декабря", "декабрь"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"\b(1[5-9]\d\d|20\d\d)(?:[-/.](0?[1-9]|1[0-2])(?:[-/.](0?[1-9]|[12]\d|3[01]))?)?\b")
_DMY = re.compile(r"\b(0?[1-9]|[12]\d|3[01])\.?\s+([^\W\d_]{3,10})\.?,?\s+(1[5-9]\d\d|20\d\d)\b")
_MDY = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(0?[1-9]|[12]\d|3[01]),?\s+(1[5-9]\d\d|20\d\d)\b")
_MONTH_YEAR = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(1[5-9]\d\d|20\d\d)\b")
_DOT_DMY = re.compile(r"\b(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.(1[5-9]\d\d|20\d\d)\b")


def parse_date(text: str | None) -> dict[str, list[list[int]]] | None:
    """CSL ``issued`` for the first date in *text* (ISO, "25 February 2025", "Feb 25, 2025", 25.02.2025)."""
    if not text:
        return None
    for pattern, order in ((_DMY, "dmy"), (_MDY, "mdy")):
        match = pattern.search(text)
        if match:
            day, month, year = (match.group(1), match.group(2), match.group(3)) if order == "dmy" \
                else (match.group(2), match.group(1), match.group(3))
            number = _MONTHS.get(month.lower())
            if number:
                return {"date-parts": [[int(year), number, int(day)]]}
    match = _MONTH_YEAR.search(text)
    if match and _MONTHS.get(match.group(1).lower()):
        return {"date-parts": [[int(match.group(2)), _MONTHS[match.group(1).lower()]]]}
    match = _DOT_DMY.search(text)
    if match:
        return {"date-parts": [[int(match.group(3)), int(match.group(2)), int(match.group(1))]]}
    match = _ISO_DATE.search(text)
    if match:
        return {"date-parts": [[int(g) for g in match.groups() if g]]}
    return None


# ------------------------------------------------------------------ names

ORG_WORDS = re.compile(
    r"\b(?:institut\w*|universit\w*|ministry|organi[sz]ation|council|association|bank|agency|"
    r"cent(?:er|re)|foundation|office|commission|department|committee|group|inc|ltd|society|"
    r"academy|bureau|government|forum|service|program(?:me)?|nations|fund|школа|институт|"
    r"университет|министерство|центр)\b",
    re.IGNORECASE,
)
_INITIALS = r"(?:[A-ZÀ-ÞА-ЯЁ][a-zа-я]?\.\s?-?){1,3}"
_FAMILY_INITIALS = re.compile(rf"^(?P<family>[\w'’\- ]+?)\s+(?P<given>{_INITIALS})$")
_INITIALS_FAMILY = re.compile(rf"^(?P<given>{_INITIALS})\s*(?P<family>[\w'’\- ]+)$")
_GIVEN = _INITIALS + r"|[A-ZÀ-ÞА-ЯЁ][a-zà-ÿа-яё]+(?:-[A-ZÀ-ÞА-ЯЁ]?[a-zà-ÿа-яё]+)?(?:\s[A-Z]\.)*"
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "ter", "ten"}


def parse_name(text: str) -> dict[str, str] | None:
    """One person or organisation as a CSL name."""
    name = re.sub(r"[\d*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+$", "", text.strip().strip(",;")).strip()
    name = re.sub(r"\s+", " ", name)
    if not name or not re.search(r"[^\W\d_]", name):
        return None
    if ORG_WORDS.search(name) or len(name.split()) > 5:
        return {"literal": name}
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    for pattern in (_FAMILY_INITIALS, _INITIALS_FAMILY):
        match = pattern.match(name)
        if match:
            return {"family": match.group("family").strip(), "given": match.group("given").strip()}
    words = name.split()
    if len(words) == 1:
        return {"family": name}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}


def trim_period(text: str) -> str:
    """Strip surrounding punctuation but keep the period of a final initial ("Kistanov V.O.")."""
    text = text.strip(" ,:;")
    if text.endswith(".") and not re.search(r"(?:^|[\s.])[A-ZÀ-ÞА-ЯЁ][a-zа-я]?\.$", text):
        text = text[:-1]
    return text.strip()


def parse_names(text: str) -> list[dict[str, str]]:
    """Several names as written in a byline or citation: "A. B. Cee, D. Eff and G. Haitch",
    "Kistanov V.O., Smith J.", "Smith, S.A. and McClean C."."""
    text = re.sub(r"\s+(?:et\s+al\.?|и\s+др\.?)\s*$", "", trim_period(text), flags=re.IGNORECASE)
    parts = re.split(r"\s*;\s*|\s*&\s*|,?\s+(?:and|und|et|и|y|e)\s+", text)
    names: list[dict[str, str]] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        i = 0
        while i < len(pieces):
            # "Family, Initials" pairs stay together; "Name Family, Name Family" split.
            if i + 1 < len(pieces) and re.fullmatch(_GIVEN,
                                                    pieces[i + 1]) and " " not in pieces[i]:
                name = parse_name(f"{pieces[i]}, {pieces[i + 1]}")
                i += 2
            else:
                name = parse_name(pieces[i])
                i += 1
            if name:
                names.append(name)
    return names
