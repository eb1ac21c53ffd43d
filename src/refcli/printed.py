"""How references and bylines are printed: the conventions that ``documents`` (a
document's own metadata, its citation, its reference list), ``refparse`` (reference
strings) and ``formats`` read, each written once here.

Month and season names (``MONTH_NAMES``, ``SEASONS``), the printed year (``YEAR``) and
dates (``parse_date`` reads a date span, ``find_date`` finds the first date in running
text); the labels of pages, volumes and issues, and page ranges (``page_range``,
``DASH``); where a field's punctuation ends (``clean``); editor marks, organisations,
GOST's author list, the repeated-author dash ("———."), and printed name lists in the
Latin, Cyrillic, Chinese, Japanese and Korean orders (``parse_names``).
"""

from __future__ import annotations

import re
from typing import Any

_END = " \t.,;:/–—-"
_QUOTES = "\"'“”„‘’«»"
_PARTNER = {"“": "”", "‘": "’", "«": "»", "„": "“"}
_OPENER = {"”": "“", "’": "‘", "»": "«"}
DASH = re.compile(r"\s*[-‐‑‒–—―−〜～]+\s*")  # the last two: Japanese wave dashes

EDITOR_MARK = re.compile(r"\(?\b(?:eds?|editors?|edited by|hrsg|hg|dir|coord|éds?|ред|под ред)\b\.?\)?[.,:]?",
                         re.IGNORECASE)
ORG_WORDS = re.compile(r"\b(organi[sz]ation|association|institut\w*|committee|ministry|agency|"
                       r"council|society|group|department|office|commission|bank|foundation|"
                       r"universit\w*|centre|center|bureau|board|corporation|company|service|"
                       r"government|nations|union|inc|ltd|academy|forum|program(?:me)?|fund|"
                       r"школа|институт|университет|министерство|центр)\b", re.IGNORECASE)
_PARTICLES = {"van", "von", "der", "den", "de", "di", "da", "del", "della", "des", "du", "la", "le",
              "ten", "ter", "dos", "das", "do", "al", "el", "bin", "ibn", "st", "zu", "vom"}
_INITIAL = re.compile(r"^(?:[A-ZÀ-ÞА-ЯЁ][a-zа-я]?\.?-?){1,4}$")
_ETAL = re.compile(r",?\s*\b(?:et\s*al\.?|и\s*др\.?|u\.\s*a\.|and others)[\s.,;:]*$", re.IGNORECASE)

_HAN_NAME = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,4}")
_HANGUL_NAME = re.compile(r"[\uac00-\ud7a3]{2,4}")
_KANA = re.compile(r"[\u3040-\u30ff]")
_COMPOUND_FAMILIES = frozenset(("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                                "宇文", "司徒", "令狐", "남궁", "황보", "제갈", "선우", "독고"))

# The words that label pages ("pp.", "S.", "с.", "стр."), a volume ("Vol.", "Bd.", "Т.")
# and an issue ("No.", "Heft", "№").
PAGE_LABEL = r"(?:pages?|pp?|стр|s|с)"
VOLUME_LABEL = r"(?:vol(?:ume)?s?|v|bd|band|t|т|tome|jg|jahrgang)\b\.?"
ISSUE_LABEL = r"(?:n°|no°|nº|№|(?:nos?|nr|n|number|issue|iss|heft|h|núm|num|вып|cuad)\b\.?)"
# GOST 7.1's author list before the title: "Кистанов В.О., Петров П. П.".
GOST_NAMES = re.compile(r"^((?:[A-ZА-ЯЁ][\w'’\-]+,?\s+(?:[A-ZА-ЯЁ]\.\s?){1,3},?\s*)+)")
# Chicago's and MLA's "———." opening an entry: the same authors as the entry before.
REPEATED_AUTHORS = re.compile(r"^\s*(?:[—–―-]\s*){2,}|^\s*_{3,}")


# ------------------------------------------------------------------ months, years and dates

# Each month's names by language: English with its abbreviations, German, French,
# Spanish, Italian, and Russian in the nominative and the genitive ("5 марта").
MONTH_NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
           ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
           ("october", "oct"), ("november", "nov"), ("december", "dec")),
    "de": (("januar",), ("februar",), ("märz",), ("april",), ("mai",), ("juni",), ("juli",), ("august",),
           ("september",), ("oktober",), ("november",), ("dezember",)),
    "fr": (("janvier",), ("février",), ("mars",), ("avril",), ("mai",), ("juin",), ("juillet",), ("août",),
           ("septembre",), ("octobre",), ("novembre",), ("décembre",)),
    "es": (("enero",), ("febrero",), ("marzo",), ("abril",), ("mayo",), ("junio",), ("julio",), ("agosto",),
           ("septiembre",), ("octubre",), ("noviembre",), ("diciembre",)),
    "it": (("gennaio",), ("febbraio",), ("marzo",), ("aprile",), ("maggio",), ("giugno",), ("luglio",),
           ("agosto",), ("settembre",), ("ottobre",), ("novembre",), ("dicembre",)),
    "ru": (("январь", "января"), ("февраль", "февраля"), ("март", "марта"), ("апрель", "апреля"),
           ("май", "мая"), ("июнь", "июня"), ("июль", "июля"), ("август", "августа"),
           ("сентябрь", "сентября"), ("октябрь", "октября"), ("ноябрь", "ноября"), ("декабрь", "декабря")),
}
# Seasons as CSL numbers them after month 20 (spring 21 … winter 24).
SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


def month_names(languages: tuple[str, ...] = tuple(MONTH_NAMES)) -> dict[str, int]:
    """Lower-case month name → 1..12, for *languages* (all by default)."""
    return {name: n for language in languages
            for n, names in enumerate(MONTH_NAMES[language], start=1) for name in names}


MONTHS = month_names()
# A year as references print them: 1500 to 2099, not inside a longer number.
YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_YEAR = re.compile(rf"(?<!\d)({YEAR})(?!\d)")
_NO_DATE = re.compile(r"\bn\.\s?d\b|\bo\.\s?j\b|\bs\.\s?f\b|б\.\s?г")
_ISO = re.compile(rf"({YEAR})-(\d\d)(?:-(\d\d))?")


def parse_date(text: str) -> dict[str, Any] | None:
    """A printed date span as a CSL date: its first year, then the month of an ISO date
    or of the first month name with the day beside it; "1999/2000" or "1999–2000" a
    range; "n.d." (and "o.J.", "s.f.", "б.г.") a literal; None without a year."""
    lowered = text.lower()
    years = _YEAR.findall(text)
    if not years:
        if _NO_DATE.search(lowered):
            return {"literal": "n.d."}
        return None
    parts: list[int] = [int(years[0])]
    month = next((n for word in re.findall(r"[^\W\d_]+", lowered) if (n := MONTHS.get(word))), None)
    iso = _ISO.search(text)
    if iso and 1 <= int(iso.group(2)) <= 12:
        parts.append(int(iso.group(2)))
        if iso.group(3) and 1 <= int(iso.group(3)) <= 31:
            parts.append(int(iso.group(3)))
    elif month:
        parts.append(month)
        day = re.search(r"(?<!\d)([0-3]?\d)(?!\d)", _YEAR.sub("", text))
        if day and 1 <= int(day.group(1)) <= 31:
            parts.append(int(day.group(1)))
    date: dict[str, Any] = {"date-parts": [parts]}
    if len(years) > 1 and re.search(rf"{years[0]}\s*[-–—/]\s*{years[1]}", text):
        date["date-parts"].append([int(years[1])])
    return date


# A date in running text (a byline, a title page's line, a meta tag), most specific first:
# "25 February 2025", "Feb 25, 2025", "February 2025", "25.02.2025", "2025-02-25".
_DAY = r"(0?[1-9]|[12]\d|3[01])"
_NAMED_DATES = (re.compile(rf"\b{_DAY}\.?\s+([^\W\d_]{{3,10}})\.?,?\s+({YEAR})\b"),
                re.compile(rf"\b([^\W\d_]{{3,10}})\.?\s+{_DAY},?\s+({YEAR})\b"),
                re.compile(rf"\b([^\W\d_]{{3,10}})\.?\s+({YEAR})\b"))
_DOTTED_DMY = re.compile(rf"\b{_DAY}\.(0?[1-9]|1[0-2])\.({YEAR})\b")
_NUMERIC_YMD = re.compile(rf"\b({YEAR})(?:[-/.](0?[1-9]|1[0-2])(?:[-/.]{_DAY})?)?\b")


def find_date(text: str | None) -> dict[str, Any] | None:
    """CSL date of the first date in running *text*: a date with a month name (read
    by ``parse_date``), else a numeric one (day.month.year or year-month-day), else a year."""
    if not text:
        return None
    for pattern in _NAMED_DATES:
        match = pattern.search(text)
        if match and any(MONTHS.get(word.lower()) for word in match.groups()):
            return parse_date(match.group(0))
    match = _DOTTED_DMY.search(text)
    if match:
        return {"date-parts": [[int(match.group(3)), int(match.group(2)), int(match.group(1))]]}
    match = _NUMERIC_YMD.search(text)
    if match:
        return {"date-parts": [[int(g) for g in match.groups() if g]]}
    return None


# ------------------------------------------------------------------ fields and page ranges


def clean(text: str) -> str:
    """A field's text without the punctuation and quotes that separate it from the next."""
    text = " ".join(text.split())
    for _ in range(3):
        text = text.strip(_END)
        # A quote at an end goes unless its partner is inside ("the ‘America First’").
        if len(text) > 1 and text[0] in _QUOTES and _PARTNER.get(text[0], text[0]) not in text[1:-1]:
            text = text[1:]
        if len(text) > 1 and text[-1] in _QUOTES and _OPENER.get(text[-1], text[-1]) not in text[:-1]:
            text = text[:-1]
    text = text.strip(_END)
    # Balanced brackets around the whole value are punctuation too.
    if len(text) > 2 and text[0] in "([" and text[-1] in ")]" and text.count("(") + text.count("[") == 1:
        text = text[1:-1].strip(_END)
    elif text.endswith((")", "]")) and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "["):
        text = text[:-1].strip(_END)
    elif text.startswith(("(", "[")) and text.count(text[0]) > text.count(")" if text[0] == "(" else "]"):
        text = text[1:].strip(_END)
    return text


def page_range(text: str) -> str:
    """A printed page range without its label, its dash a hyphen ("pp. 7–20" → "7-20")."""
    # The whole label ("pages 770-778" must not lose only its "p"), and only a label:
    # "S12-19" is a supplement's page, "S. 7-20" a German one.
    text = re.sub(rf"^\s*{PAGE_LABEL}(?:\.\s*|\s+)", "", clean(text), flags=re.IGNORECASE)
    return DASH.sub("-", clean(text))


# ------------------------------------------------------------------ names


def is_initials(word: str) -> bool:
    return bool(_INITIAL.match(word.strip(",;"))) and (
        "." in word or len(word.strip(",;.")) <= 3 and word.strip(",;.").isupper())


def _name_text(text: str) -> str:
    """Like ``clean``, but the full stop of a final initial ("J. R.") stays."""
    text = " ".join(text.split()).strip(" ,;:/–—")
    while text.endswith(".") and not re.search(r"(?:^|[\s.\-])\w\.$", text):
        text = text[:-1].rstrip(" ,;:")
    return text.strip(_QUOTES + " ")


def parse_name(chunk: str) -> dict[str, str] | None:
    """One printed name ("Smith, J. R.", "J. R. Smith", "Smith JR", "van der Maaten L")
    or organisation as a CSL name; None when *chunk* has no letter."""
    chunk = _name_text(chunk)
    if not chunk or not any(c.isalpha() for c in chunk):
        return None
    if ORG_WORDS.search(chunk) and "," not in chunk or len(chunk.split()) > 5:
        return {"literal": chunk}
    if "," in chunk:
        family, _, given = chunk.partition(",")
        return _with_particle(family.strip(), _name_text(given))
    words = chunk.split()
    # Vancouver's "King ML Jr", "Gates WH III"
    suffix = words.pop() if len(words) > 2 and words[-1].rstrip(".") in _SUFFIXES else None
    name = _uninverted(words)
    if suffix:
        name["suffix"] = suffix
    return name


_SUFFIXES = frozenset(("Jr", "Sr", "II", "III", "IV"))


def _uninverted(words: list[str]) -> dict[str, str]:
    """A name written without a comma: "J. R. Smith", "Smith JR", "Given [particles] Family"."""
    if len(words) == 1:
        return {"family": words[0]}
    if all(is_initials(w) for w in words[:-1]) and not is_initials(words[-1]):
        return {"family": words[-1], "given": " ".join(words[:-1])}  # "J. R. Smith"
    if is_initials(words[-1]) and not is_initials(words[0]):
        lead = 0  # "van der Maaten L", "de Gaulle C", "Van der Linden ML"
        while lead < len(words) - 2 and words[lead].lower() in _PARTICLES:
            lead += 1
        tail = [w for w in words[lead + 1:] if is_initials(w)]
        if len(tail) == len(words) - lead - 1:
            name = {"family": words[lead], "given": " ".join(tail)}  # "Smith JR", "Кистанов В.О."
            if lead and words[0][0].isupper():  # "Van der Linden": a capital particle is the name's start
                name["family"] = " ".join(words[:lead + 1])
            elif lead:
                name["non-dropping-particle"] = " ".join(words[:lead])
            return name
    # "Given [particles] Family"
    for i, word in enumerate(words[1:], 1):
        if word.lower() in _PARTICLES:
            rest = words[i:]
            particles = [w for w in rest[:-1] if w.lower() in _PARTICLES]
            if len(particles) == len(rest) - 1:
                return {"family": rest[-1], "given": " ".join(words[:i]),
                        "non-dropping-particle": " ".join(particles)}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def _with_particle(family: str, given: str) -> dict[str, str]:
    name: dict[str, str] = {}
    words = family.split()
    particles = []
    while len(words) > 1 and words[0].lower() in _PARTICLES and words[0][0].islower():
        particles.append(words.pop(0))
    name["family"] = " ".join(words)
    if given:
        name["given"] = given
    if particles:
        name["non-dropping-particle"] = " ".join(particles)
    return name


_GIVEN_INITIALS = re.compile(r"[A-ZÀ-ÞА-ЯЁ][\w'’-]+(?:\s+[A-ZÀ-ÞА-ЯЁ]\.)+")


def _editor_mark(match: re.Match[str], text: str) -> str:
    """An editor mark goes, but Vancouver initials that spell one stay ("Lorenzen ED",
    "Müller HG"): bare capitals after a capitalised name."""
    mark = match.group(0).rstrip(".,:")
    if mark.isalpha() and mark.isupper() and re.search(r"[A-ZÀ-Þ][a-zà-ÿ'’-]+\s+$", text[:match.start()]):
        return match.group(0)
    return " "


def parse_names(text: str) -> tuple[list[dict[str, str]], bool]:
    """A printed name list → (CSL names, et-al?). Handles inverted, natural and initials-last orders."""
    text = EDITOR_MARK.sub(lambda m: _editor_mark(m, text), text)
    text = re.sub(r"^\s*(?:in|by|trans(?:lated)?\.?(?: by)?|übers\.? v\.?)\s+", "", text, flags=re.IGNORECASE)
    etal = bool(_ETAL.search(text))
    text = _ETAL.sub("", text)
    written = cjk_names(text, is_japanese(text))  # "김기태, 이민수" are two people
    if written is not None:
        return written, etal
    text = re.sub(r"\s+(?:and|&|und|et|y|и)\s+", "; ", text)
    text = re.sub(r",\s*(?:and|&)\s+", "; ", text)
    chunks: list[str] = []
    for part in text.split(";"):
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            following = pieces[i + 1] if i + 1 < len(pieces) else None
            # "Family, G." (also "García Márquez, G."); "Family, Given" (one word, not itself
            # "Given Family"); Chicago and MLA's first author "Said, Edward W." / "Stoler, Ann Laura".
            if following is not None and len(piece.split()) <= 3 and (
                    all(is_initials(w) for w in following.split()) or not _looks_full(piece) and (
                        _GIVEN_INITIALS.fullmatch(following) or len(pieces) == 2 and len(piece.split()) == 1
                        or len(following.split()) <= 2 and not _looks_full(following))):
                chunks.append(f"{piece}, {following}")
                i += 2
            else:
                chunks.append(piece)
                i += 1
    names = [n for n in (parse_name(c) for c in chunks) if n]
    # Vancouver writes initials bare ("Smith JR"); a final "J." then ends the field, not the name.
    if any(re.fullmatch(r"[A-Z]{1,3}", n.get("given", "")) for n in names):
        for n in names:
            if re.fullmatch(r"[A-Z]{1,3}\.", n.get("given", "")):
                n["given"] = n["given"][:-1]
    return names, etal


def _looks_full(piece: str) -> bool:
    """"Given Family" or "G. Family" or "Family G." — a whole name without a comma."""
    words = piece.split()
    if len(words) < 2:
        return False
    return any(is_initials(w) for w in words) or all(w[:1].isupper() for w in words) and len(words) >= 2 \
        and not any(w.lower() in _PARTICLES for w in words)


# ------------------------------------------------------------------ Chinese, Japanese and Korean names


def is_japanese(text: str) -> bool:
    return bool(_KANA.search(text))


def cjk_names(text: str, japanese: bool) -> list[dict[str, str]] | None:
    """A list of Han or Hangul names ("王明, 李华", "김기태, 이민수", "山田太郎・鈴木花子"),
    or None when *text* holds any other name."""
    parts = [p for p in re.split(r"\s*[,，、・;；]\s*", text.strip(" .．,，")) if p]
    if not parts or not all(_HAN_NAME.fullmatch(p.replace(" ", "")) or _HANGUL_NAME.fullmatch(p) for p in parts):
        return None
    return [_split_name(p, japanese) for p in parts]


def _split_name(name: str, japanese: bool) -> dict[str, str]:
    if " " in name:
        family, given = name.split(" ", 1)
        return {"family": family, "given": given}
    if japanese and _HAN_NAME.fullmatch(name):
        return {"literal": name}
    cut = 2 if name[:2] in _COMPOUND_FAMILIES and len(name) > 2 else 1
    return {"family": name[:cut], "given": name[cut:]}
