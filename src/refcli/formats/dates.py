"""Dates shared by the BibTeX and RIS mappings: text <-> CSL date objects."""

from __future__ import annotations

import calendar
import re
from typing import Any

from refcli.printed import MONTH_NAMES, month_names
from refcli.vocabulary import DATE_VARIABLES

# BibTeX's month macros ("jan" … "dec"); a month field is read by its first three or
# four letters ("Sept.", "September"), in English as BibTeX writes it.
MONTHS = [next(name for name in names if len(name) == 3) for names in MONTH_NAMES["en"]]
_MONTH_NAMES = {name: n for name, n in month_names(("en",)).items() if len(name) <= 4}
# EDTF-ish: 2015, 2015-05, 2015-05-28, 2015/05/28, also a range "a/b" (biblatex).
_ISO = re.compile(r"^\s*(-?\d{1,4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?[^/]*?\s*$")


def month_number(text: str | None) -> int | None:
    """'may', 'May.', 'September', '5', '05' -> 1..12; anything else -> None."""
    if not text:
        return None
    t = text.strip().lower().rstrip(".")
    if t.isdigit():
        n = int(t)
        return n if 1 <= n <= 12 else None
    return _MONTH_NAMES.get(t[:4]) or _MONTH_NAMES.get(t[:3])


def _parts(text: str) -> tuple[list[int], bool] | None:
    """'2015-05-28' -> ([2015, 5, 28], True); '2025-13-45' -> ([2025], False): the
    valid leading parts, and whether that was all of them."""
    m = _ISO.match(text)
    if not m:
        return None
    written = [int(g) for g in m.groups() if g is not None]
    parts = valid_prefix(written)
    return (parts, len(parts) == len(written)) if parts else None


def parse_date(text: str | None) -> dict | None:
    """A date string -> CSL date object; unparseable text is kept as ``literal``."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if "/" in text and text.count("/") == 1 and "-" in text or re.fullmatch(r"\d{4}/\d{4}", text):
        a, b = text.split("/")
        pa, pb = _parts(a), _parts(b) if b.strip() not in ("", "..") else None
        if pa and pb:
            return _with_raw({"date-parts": [pa[0], pb[0]]}, pa[1] and pb[1], text)
    parts = _parts(text)
    if parts:
        return _with_raw({"date-parts": [parts[0]]}, parts[1], text)
    return {"literal": text}


def _with_raw(date: dict, complete: bool, text: str) -> dict:
    # What was dropped stays recoverable as CSL's own "raw" (see ``settle_dates``).
    if not complete:
        date["raw"] = text
    return date


def from_year_month(year: str | None, month: str | None, day: str | None = None) -> dict | None:
    """BibTeX year/month/day fields -> CSL date object (or None with no year)."""
    if not year or not year.strip():
        return None
    y = year.strip()
    if not re.fullmatch(r"-?\d{1,4}", y):
        return parse_date(y)
    month_given, day_given = bool(month and month.strip()), bool(day and day.strip())
    parts = [int(y)]
    m = month_number(month)
    if m:
        parts.append(m)
        if day_given and day and day.strip().isdigit():
            parts = valid_prefix([*parts, int(day)])
    written = " ".join(p.strip() for p in (year, month, day) if p and p.strip())
    return _with_raw({"date-parts": [parts]}, len(parts) == 1 + month_given + day_given, written)


def date_parts(date: object) -> list[int] | None:
    """First [y, m, d] of a CSL date object, or None (literal/raw dates included)."""
    if not isinstance(date, dict):
        return None
    dp = date.get("date-parts")
    if isinstance(dp, list) and dp and isinstance(dp[0], list) and dp[0]:
        try:
            return [int(x) for x in dp[0][:3]]
        except (TypeError, ValueError):
            return None
    raw = date.get("raw")
    if isinstance(raw, str):
        parsed = parse_date(raw)
        return date_parts(parsed) if parsed and "date-parts" in parsed else None
    return None


def date_text(date: object) -> str | None:
    """CSL date -> 'YYYY-MM-DD' (or 'a/b' for a range, or its literal)."""
    if not isinstance(date, dict):
        return None
    dp = date.get("date-parts")
    if isinstance(dp, list) and dp:
        out = []
        for part in dp[:2]:
            try:
                nums = [int(x) for x in part[:3]]
            except (TypeError, ValueError):
                return None
            if nums:
                out.append("-".join([f"{nums[0]:04d}"] + [f"{n:02d}" for n in nums[1:]]))
        return "/".join(out) or None
    lit = date.get("literal") or date.get("raw")
    return str(lit) if lit else None


# CSL date objects as stored: checks and repairs shared by readers and doctor.


def date_problem(value: Any) -> str | None:
    """Why a CSL date object is malformed, or None when it is fine."""
    if not isinstance(value, dict):
        return "is not a CSL date object"
    parts = value.get("date-parts")
    if parts is None:
        return None if value.get("raw") or value.get("literal") else "has no date-parts, raw or literal"
    if not isinstance(parts, list) or not 1 <= len(parts) <= 2:
        return "date-parts is not a list of one or two dates"
    for date in parts:
        problem = _parts_problem(date)
        if problem:
            return problem
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def valid_prefix(date: Any) -> list[int]:
    """The leading parts of [year, month, day] that are valid (month 21-24 are seasons as
    in EDTF; 13-16, as Zotero and citeproc-js write seasons, only without a day)."""
    if not isinstance(date, list):
        return []
    good: list[int] = []
    for n, part in enumerate(date[:3]):
        value = _as_int(part)
        if value is None:
            break
        if n == 1 and not (1 <= value <= 12 or 21 <= value <= 24 or (13 <= value <= 16 and len(date) == 2)):
            break
        if n == 2 and not (good[1] <= 12 and 1 <= value <= _days_in(good[0], good[1])):
            break
        good.append(value)
    return good


def _parts_problem(date: Any) -> str | None:
    if not isinstance(date, list) or not date:
        return "a date in date-parts is not a list of numbers"
    valid = valid_prefix(date)
    if len(valid) == len(date) and len(date) <= 3:
        return None
    return f"{'-'.join(map(str, date))} is not a valid year-month-day"


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31


def repair_date(value: Any) -> Any:
    """Keep the valid leading parts of each date; what cannot be kept stays as ``literal``."""
    if not isinstance(value, dict):
        return {"literal": str(value)} if value not in (None, "") else None
    fixed = dict(value)
    parts = value.get("date-parts")
    kept = [p for p in (valid_prefix(d) for d in (parts if isinstance(parts, list) else [])[:2]) if p]
    if kept:
        fixed["date-parts"] = kept
    else:
        fixed.pop("date-parts", None)
    if kept != parts and parts is not None and not fixed.get("raw") and not fixed.get("literal"):
        fixed["raw"] = "/".join("-".join(map(str, d)) if isinstance(d, list) else str(d)
                                for d in (parts if isinstance(parts, list) else [parts]))
    if not any(fixed.get(k) for k in ("date-parts", "raw", "literal")):
        return None
    return fixed




def settle_dates(item: dict, parsed_here: bool = False) -> list[str]:
    """Repair the item's impossible dates in place (``repair_date``) and say what was
    lost, one warning per date, so no reader drops a month or day silently.

    With *parsed_here* (the reader built the dates with ``parse_date``), a date that
    kept its original as ``raw`` beside its parts lost some of them and is reported
    too; in CSL-JSON, ``raw`` beside ``date-parts`` is legitimate.
    """
    warnings = []
    for var in DATE_VARIABLES:
        value = item.get(var)
        if value is None:
            continue
        if date_problem(value):
            value = repair_date(value)
            if value is None:
                del item[var]
                continue
            item[var] = value
        elif not (parsed_here and isinstance(value, dict) and "raw" in value and "date-parts" in value):
            continue
        kept = date_text({"date-parts": value["date-parts"]}) if "date-parts" in value else "nothing"
        original = value.get("raw") or value.get("literal")
        warnings.append(f"{var} {original!r} is not a valid date; kept {kept} (the original is kept as raw)")
    return warnings
