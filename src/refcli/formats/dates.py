"""Dates shared by the BibTeX and RIS mappings: text <-> CSL date objects."""

from __future__ import annotations

import re

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = {m: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_NAMES.update({"sept": 9, "june": 6, "july": 7})
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


def _parts(text: str) -> list[int] | None:
    m = _ISO.match(text)
    if not m:
        return None
    parts = [int(m.group(1))]
    for g in (m.group(2), m.group(3)):
        if g is None:
            break
        n = int(g)
        if not 1 <= n <= (12 if len(parts) == 1 else 31):
            break
        parts.append(n)
    return parts


def parse_date(text: str | None) -> dict | None:
    """A date string -> CSL date object; unparseable text is kept as ``literal``."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if "/" in text and text.count("/") == 1 and "-" in text or re.fullmatch(r"\d{4}/\d{4}", text):
        a, b = text.split("/")
        pa, pb = _parts(a), _parts(b) if b.strip() not in ("", "..") else None
        if pa and pb:
            return {"date-parts": [pa, pb]}
    parts = _parts(text)
    if parts:
        return {"date-parts": [parts]}
    return {"literal": text}


def from_year_month(year: str | None, month: str | None, day: str | None = None) -> dict | None:
    """BibTeX year/month/day fields -> CSL date object (or None with no year)."""
    if not year or not year.strip():
        return None
    y = year.strip()
    if not re.fullmatch(r"-?\d{1,4}", y):
        return parse_date(y)
    parts = [int(y)]
    m = month_number(month)
    if m:
        parts.append(m)
        if day and day.strip().isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


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
