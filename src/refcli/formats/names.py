"""BibTeX name lists <-> CSL name objects.

Implements BibTeX's name grammar ("First von Last", "von Last, First",
"von Last, Jr, First"; braces protect; a "von" word starts lower-case; a name that
is one braced group is an organisation) on the raw LaTeX text, then decodes each
part. Parsing is cached per name: real libraries repeat authors a lot.

A list ending in "and others" is truncated; CSL has no marker for that, so the
reader reports it to the caller, which records it in ``custom["etal"]``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from refcli.formats.latex import latex_to_unicode, unicode_to_latex

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_WS = re.compile(r"[\s~]+")


def _split_top(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split *text* at *sep* where it is outside braces (brace depth via str.count)."""
    if "{" not in text:
        return sep.split(text)
    parts: list[str] = []
    start = 0
    for m in sep.finditer(text):
        at = m.start()
        if text.count("{", 0, at) == text.count("}", 0, at) and m.end() > at:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def _is_von(word: str) -> bool:
    """BibTeX's case test: the first letter at brace depth 0 (or of a special char)."""
    depth = 0
    i = 0
    while i < len(word):
        c = word[i]
        if c == "{":
            # "{\'e}..." is a special character: its letter decides. "{Van}" is caseless.
            if depth == 0 and word.startswith("{\\", i):
                m = re.match(r"\{\\[^A-Za-z]?\s*\{?([A-Za-z])|\{\\([A-Za-z]+)", word[i:])
                if m:
                    letter = m.group(1) or m.group(2)
                    return letter[0].islower()
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c.isalpha():
            return c.islower()
        elif depth == 0 and c == "\\":
            m = re.match(r"\\[^A-Za-z{]?\s*\{?\s*([A-Za-z])", word[i:])
            if m:
                return m.group(1).islower()
        i += 1
    return False


def _one_group(raw: str) -> bool:
    """True when *raw* is a single brace group ("{...}") closing at its very end."""
    if not raw.startswith("{") or not raw.endswith("}"):
        return False
    depth = 0
    for i, c in enumerate(raw):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i == len(raw) - 1
    return False


def _clean(words: list[str]) -> str:
    return latex_to_unicode(" ".join(words))


@lru_cache(maxsize=65536)
def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name -> a CSL name dict (family/given/particle/suffix or literal)."""
    raw = raw.strip().strip(",").strip()
    if _one_group(raw):
        # The whole name braced: an organisation, e.g. {World Health Organization}.
        return {"literal": latex_to_unicode(raw)}
    parts = [p.strip() for p in _split_top(raw, re.compile(r","))]
    parts = [p for p in parts if p] or [""]
    jr = ""
    if len(parts) == 1:
        words = [w for w in _split_top(parts[0], _WS) if w]
        if not words:
            return {"literal": ""}
        # First von Last: von = first lower-case word up to the last lower-case word
        # (never the final word).
        lows = [i for i, w in enumerate(words[:-1]) if _is_von(w)]
        if lows:
            first, von, last = words[: lows[0]], words[lows[0] : lows[-1] + 1], words[lows[-1] + 1 :]
        else:
            first, von, last = words[:-1], [], words[-1:]
    else:
        head = [w for w in _split_top(parts[0], _WS) if w]
        if len(parts) == 2:
            given = parts[1]
        else:
            jr, given = parts[1], ", ".join(parts[2:])
        first = [w for w in _split_top(given, _WS) if w]
        i = 0
        while i < len(head) - 1 and _is_von(head[i]):
            i += 1
        # "von" runs to the last lower-case word before the final one.
        j = max((k for k in range(i, len(head) - 1) if _is_von(head[k])), default=i - 1)
        von, last = head[: j + 1], head[j + 1 :]
    name: dict[str, str] = {}
    if last:
        name["family"] = _clean(last)
    if first:
        name["given"] = _clean(first)
    if von:
        name["non-dropping-particle"] = _clean(von)
    if jr:
        name["suffix"] = latex_to_unicode(jr)
    if "family" not in name:
        return {"literal": _clean(first + von)}
    return name


def parse_names(raw: str) -> tuple[list[dict[str, str]], bool]:
    """A BibTeX name list -> (CSL names, truncated?) where truncated means "and others"."""
    names = []
    truncated = False
    for part in _split_top(raw.strip(), _AND):
        part = part.strip()
        if not part:
            continue
        if part.lower() == "others":
            truncated = True
            continue
        names.append(dict(parse_name(part)))
    return names, truncated


# ---------------------------------------------------------------- writing

_PLAIN_PART = re.compile(r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*)*")


def _part(text: str, allow_lower: bool = False) -> str:
    """Escape a name part; brace it when BibTeX would otherwise split or re-case it."""
    esc = unicode_to_latex(text)
    words = text.split(" ")
    risky = (
        " and " in f" {text.lower()} "
        or "," in text
        or not _PLAIN_PART.fullmatch(text)
        or (not allow_lower and any(w[:1].islower() or not w[:1].isalpha() for w in words))
    )
    return "{" + esc + "}" if risky and esc else esc


def format_name(name: dict[str, object]) -> str:
    """A CSL name dict -> BibTeX "von Last, Jr, First" (organisations braced)."""
    if "family" not in name:
        return "{" + unicode_to_latex(str(name.get("literal") or name.get("given") or "")) + "}"
    dropping, particle = name.get("dropping-particle"), name.get("non-dropping-particle")
    if dropping:
        particle = f"{dropping} {particle}" if particle else dropping
    return _format_parts(str(name["family"]), str(name.get("given") or ""), str(particle or ""),
                         str(name.get("suffix") or ""))


@lru_cache(maxsize=65536)
def _format_parts(family: str, given: str, particles: str, suffix: str) -> str:
    out = _part(family)
    if particles:
        lower = all(w[:1].islower() for w in particles.split())
        esc = unicode_to_latex(particles)
        out = (esc if lower else "{" + esc + "}") + " " + out
    if suffix:
        out += ", " + _part(suffix, allow_lower=True) + ", " + _part(given, allow_lower=True)
    elif given:
        out += ", " + _part(given, allow_lower=True)
    return out


def format_names(names: list[dict[str, object]], truncated: bool = False) -> str:
    """A CSL name list -> a BibTeX name list joined by "and"."""
    parts = [format_name(n) for n in names if isinstance(n, dict)]
    if truncated:
        parts.append("others")
    return " and ".join(parts)
