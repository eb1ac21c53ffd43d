"""CSL dates: reading CSL-JSON date values and rendering cs:date as citeproc-js does.

Why our own: citeproc-py renders ranges by mutating its list of parts (a
``TypeError`` for a range in APA's localized dates, ``7,–9, May 2015`` in
others), drops seasons, ignores ``raw`` dates and the formatting of cs:date, and
cannot read a month of 13–24 (a season, as citeproc-js reads it).

Two halves:

* :func:`normalize_date` turns any CSL-JSON date value (``date-parts`` with
  strings or numbers, ``season``, ``raw``, ``literal``, a bare string) into the
  canonical form citeproc-py parses: integer parts, a season carried in the
  month slot as 21–24 (so it survives ranges), a ``literal`` for text no date
  parser reads.
* :func:`render_date` renders one cs:date element for an item: localized or
  not, ``date-parts`` limits, ranges collapsed on their largest differing part
  with that part's ``range-delimiter`` (``2–4 January 1999``, ``January 2–March
  4, 1999``, ``1999–2000``), seasons, BC/AD years, ordinal days.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from citeproc.model import Affixed, Formatted
from citeproc.source import DateRange, LiteralDate, VariableError

from refcli.formats.dates import month_number
from refcli.printed import SEASONS as _SEASONS

EN_DASH = "\u2013"
SEASON_BASE = 20  # month 21..24 = season 1..4 after normalize_date
_ORDER = ("year", "month", "day")


# --- reading ---------------------------------------------------------------------------


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
        return int(v)
    return None


def _month(m: int | None) -> int | None:
    """A month as stored: 1–12, a season 21–24 (citeproc-js reads 13–24 as
    seasons, 13 and 17 and 21 all spring), or None when out of range."""
    if m is None or m < 1 or m > 24:
        return None
    if m > 12:
        return SEASON_BASE + (m - 13) % 4 + 1
    return m


def _parts(raw: Any) -> list[int] | None:
    if not isinstance(raw, (list, tuple)) or not raw:
        return None
    bad = [v for v in raw if v not in (None, "") and _int(v) is None]
    if bad:
        raise ValueError(f"date part {bad[0]!r} is not a number")
    year = _int(raw[0])
    if year is None or year == 0 and len(raw) == 1:
        return None
    out = [year]
    month = _month(_int(raw[1])) if len(raw) > 1 else None
    if month is not None:
        out.append(month)
        day = _int(raw[2]) if len(raw) > 2 and month <= 12 else None
        if day is not None and 1 <= day <= 31:
            out.append(day)
    return out


def _parse_one(text: str) -> list[int] | None:
    """One date written out: ISO (``2015-05-07``, ``2015-05``), ``7 May 2015``,
    ``May 7, 2015``, ``May 2015``, ``Spring 1999``, ``2015``."""
    t = text.strip().strip(",.").strip()
    m = re.fullmatch(r"(-?\d{1,4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", t)
    if m:
        return _parts([int(x) for x in m.groups() if x is not None])
    words = re.findall(r"[^\W\d_]+|\d+", t.lower())
    year = month = day = None
    for w in words:
        if w.isdigit():
            n = int(w)
            if len(w) >= 3 or (day is not None and year is None) or n > 31:
                year = n
            elif day is None:
                day = n
            else:
                return None
        elif month is None and (named := month_number(w)) is not None:
            month = named
        elif w in _SEASONS and month is None:
            month = SEASON_BASE + _SEASONS[w]
        elif w in ("bc", "bce"):
            if year is None:
                return None
            year = -year
        elif w not in ("ad", "ce", "of", "the"):
            return None
    if year is None:
        return None
    if day is not None and month is None:
        return None
    return [year] + ([month] if month else []) + ([day] if month and day and month <= 12 else [])


def parse_raw(text: str) -> list[list[int]] | None:
    """A ``raw`` date string -> date-parts (one or two dates), or None."""
    text = text.strip()
    one = _parse_one(text)
    if one:
        return [one]
    for sep in (r"\s+[-\u2013\u2014/]\s+", r"[\u2013\u2014/]", r"(?<=\d)-(?=\D)|(?<=\D)-(?=\d)|(?<=\d)-(?=\d{4})"):
        bits = re.split(sep, text, maxsplit=1)
        if len(bits) == 2:
            a, b = _parse_one(bits[0]), _parse_one(bits[1])
            if b and not a:
                # "7-9 May 2015", "May 7-9, 2015": the first half borrows from the second
                a = _borrow(bits[0], b)
            if a and b:
                return [a, b]
    return None


def _borrow(text: str, full: list[int]) -> list[int] | None:
    t = text.strip()
    if t.isdigit() and len(full) == 3:
        return [full[0], full[1], int(t)]
    one = _parse_one(f"{t} {full[0]}")
    return one


def normalize_date(value: Any) -> dict | None:
    """Any CSL-JSON date value -> ``{"date-parts": [[y, m, d], ...], "circa":
    …}`` or ``{"literal": text}``; None when there is nothing to show.
    ``ValueError`` for a date part that is not a number (``[["soon"]]``)."""
    if isinstance(value, (str, int)):
        value = {"raw": str(value)}
    if not isinstance(value, dict):
        return None
    out: dict = {}
    if value.get("circa"):
        out["circa"] = 1
    raw_parts = value.get("date-parts") or []
    dates = [p for p in (_parts(d) for d in raw_parts) if p]
    if len(dates) == 1 and len(raw_parts) == 2 and _parts(raw_parts[0]) and _int((raw_parts[1] or [0])[0]) == 0:
        return {**out, "date-parts": [dates[0], [0]]}  # an open range: "1987–"
    if not dates and isinstance(value.get("raw"), str):
        dates = parse_raw(value["raw"]) or []
        if not dates and value["raw"].strip():
            return {**out, "literal": value["raw"].strip()}
    season = value.get("season")
    if dates and season not in (None, ""):
        s = _int(season)
        s = _SEASONS.get(str(season).strip().lower()) if s is None else s
        for d in dates:
            if len(d) == 1:
                if s is not None and 1 <= s <= 4:
                    d.append(SEASON_BASE + s)
                elif s is None:
                    out["season"] = str(season)
    if dates:
        if len(dates) > 1 and dates[1] == dates[0]:
            dates = dates[:1]
        return {**out, "date-parts": dates[:2]}
    if isinstance(value.get("literal"), str) and value["literal"].strip():
        return {**out, "literal": value["literal"].strip()}
    return None


# --- rendering ---------------------------------------------------------------------------


class _PartView(Formatted, Affixed):
    """A date-part's attributes (the locale's, overridden by the style's) with
    the ``get`` and ``get_formatter`` that citeproc-py's Formatted/Affixed use."""

    def __init__(self, attrib: dict, formatter: Any) -> None:
        self.attrib = attrib
        self._formatter = formatter

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrib.get(key, default)

    def get_formatter(self) -> Any:
        return self._formatter


def _dates_of(value: Any) -> list[dict] | None:
    """citeproc-py's parsed value -> a list of 1–2 plain dicts, or None."""
    if value is None:
        return None
    if isinstance(value, DateRange):
        begin, end = dict(value["begin"]), dict(value.get("end") or {})
        if end and not end.get("year"):
            return [begin, {"open": True}]
        return [begin, end] if end else [begin]
    return [dict(value)]


def render_date(el: Any, item: Any, variable: str, ordinal: Callable[..., str],
                apply_case: Callable[[Any, str], Any]) -> Any:
    """Render cs:date ``el`` (a style element) for ``item``; None when empty.

    ``ordinal(el, n)`` gives a locale ordinal, ``apply_case(part_view, text)``
    applies a part's text-case; both come from the engine (no import cycle)."""
    try:
        value = item.reference[variable.replace("-", "_")]
    except VariableError:
        return None
    if not value:
        return None
    formatter = el.get_formatter()
    if isinstance(value, LiteralDate):
        text = str(value.text)
    else:
        dates = _dates_of(value)
        if not dates:
            return None
        form = el.get("form")
        if form:
            local = el.get_date(form)
            if local is None:
                return None
            delimiter = local.get("delimiter", "")
            own = {p.get("name"): dict(p.attrib) for p in el.iterchildren() if p.tag.endswith("date-part")}
            wanted = (el.get("date-parts") or "year-month-day").split("-")
            specs = []
            for p in local.iterchildren():
                name = p.get("name")
                if p.tag.endswith("date-part") and name in wanted:
                    attrib = dict(p.attrib)
                    attrib.update({k: v for k, v in own.get(name, {}).items() if k not in ("prefix", "suffix")})
                    specs.append(attrib)
        else:
            delimiter = el.get("delimiter", "")
            specs = [dict(p.attrib) for p in el.iterchildren() if p.tag.endswith("date-part")]
        text = _render(el, specs, dates, delimiter, formatter, ordinal, apply_case)
        if not text:
            return None
    view = _PartView(dict(el.attrib), formatter)
    return view.wrap(view.format(text))


def _part_text(el: Any, spec: dict, date: dict, ordinal: Callable[..., str]) -> str | None:
    name = spec.get("name")
    form = spec.get("form")
    if name == "year":
        year = date.get("year")
        if not isinstance(year, int) or year == 0:
            return None
        if form == "short":
            text = f"{abs(year) % 100:02d}"
        else:
            text = str(abs(year))
            if year < 0:
                text += str(el.get_single_term("bc"))
            elif year < 1000:
                text += str(el.get_single_term("ad"))
        return text + str(date.get("_suffix") or "")
    if name == "month":
        month = date.get("month")
        if not isinstance(month, int):
            season = date.get("season")
            return str(season) if isinstance(season, str) and season else None
        if month > SEASON_BASE:
            term = el.get_single_term(f"season-{month - SEASON_BASE:02d}")
            return str(term) or None
        if form == "numeric":
            return str(month)
        if form == "numeric-leading-zeros":
            return f"{month:02d}"
        term = el.get_single_term(f"month-{month:02d}", form="short" if form == "short" else None)
        return str(term) or None
    if name == "day":
        day = date.get("day")
        if not isinstance(day, int) or not isinstance(date.get("month"), int) or date["month"] > 12:
            return None
        if form == "numeric-leading-zeros":
            return f"{day:02d}"
        if form == "ordinal":
            limit = str(el.get_locale_option("limit-day-ordinals-to-day-1") or "").lower() == "true"
            return ordinal(el, day, f"month-{date['month']:02d}") if not (limit and day > 1) else str(day)
        return str(day)
    return None


def _styled(view: _PartView, text: str, apply_case: Callable[[Any, str], Any],
            strip_prefix: bool = False, strip_suffix: bool = False) -> str:
    if view.get("strip-periods", "false") == "true":
        text = text.replace(".", "")
    text = str(apply_case(view, text))
    text = str(view.format(text))
    prefix = "" if strip_prefix else view.get("prefix", "")
    suffix = "" if strip_suffix else view.get("suffix", "")
    return f"{prefix}{text}{suffix}"


def _render(el: Any, specs: list[dict], dates: list[dict], delimiter: str, formatter: Any,
            ordinal: Callable[..., str], apply_case: Callable[[Any, str], Any]) -> str:
    names = [s.get("name") for s in specs]

    def texts(date: dict) -> list[str | None]:
        return [_part_text(el, s, date, ordinal) for s in specs]

    views = [_PartView(s, formatter) for s in specs]
    begin = texts(dates[0])
    if len(dates) == 1:
        return _join(views, begin, delimiter, apply_case)
    if dates[1].get("open"):
        rd = views[names.index("year")].get("range-delimiter", EN_DASH) if "year" in names else EN_DASH
        return _join(views, begin, delimiter, apply_case, strip_last=True) + rd
    end = texts(dates[1])
    # the largest part (year > month > day) whose shown text differs
    differing = [n for n in _ORDER if n in names and begin[names.index(n)] != end[names.index(n)]]
    if not differing:
        return _join(views, begin, delimiter, apply_case)
    top = differing[0]
    span = {n for n in _ORDER[_ORDER.index(top):]}
    idx = [i for i, n in enumerate(names) if n in span and begin[i] is not None]
    if not idx:
        return _join(views, begin, delimiter, apply_case)
    lo, hi = idx[0], idx[-1]
    rd = views[names.index(top)].get("range-delimiter", EN_DASH)
    before = _join(views[:lo], begin[:lo], delimiter, apply_case)
    first = _join(views[lo:hi + 1], begin[lo:hi + 1], delimiter, apply_case, strip_last=True)
    second = _join(views[lo:hi + 1], end[lo:hi + 1], delimiter, apply_case, strip_first=True)
    after = _join(views[hi + 1:], end[hi + 1:], delimiter, apply_case)
    middle = f"{first}{rd}{second}"
    return delimiter.join(x for x in (before, middle, after) if x) if delimiter else before + middle + after


def _join(views: list[_PartView], texts: list[str | None], delimiter: str,
          apply_case: Callable[[Any, str], Any], strip_first: bool = False, strip_last: bool = False) -> str:
    shown = [(v, t) for v, t in zip(views, texts, strict=True) if t]
    out = []
    for i, (v, t) in enumerate(shown):
        out.append(_styled(v, t, apply_case, strip_prefix=strip_first and i == 0,
                           strip_suffix=strip_last and i == len(shown) - 1))
    if not out:
        return ""
    joined = delimiter.join(out)
    if not strip_last and not delimiter:
        return joined
    return joined
