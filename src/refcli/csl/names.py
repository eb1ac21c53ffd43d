"""One cs:name rendered as citeproc-js renders it: name order, particles,
suffixes, initials, "and", et-al and their delimiters.

Why our own: citeproc-py's ``Name.process`` joins the last name with a
hard-coded ", ", ignores ``after-inverted-name``, ``comma-suffix`` and
``et-al-use-last``'s delimiter, formats particles together with the family
name (so ``text-case`` upper-cases "van"), prints CJK names as "栄 我妻" and
counts names wrongly for ``form="count"``; its initials turn "Ph." into "P."
and ignore ``initialize="false"``.  The rules below follow CSL 1.0.2 §Name and
citeproc-js where the specification is silent.
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache
from typing import Any

# Scripts whose names are written with spaces and may be initialized
# (citeproc-js's "romanesque" test): Latin, Greek, Cyrillic, Hebrew, Arabic, Thai.
_ROMANESQUE = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u052f\u0590-\u06ff\u0e00-\u0e7f\u1e00-\u1fff]")
_TOKEN = re.compile(r"[^\s.\-]+\.?[\ue000-\ue2ff]*|-")
_PUA = re.compile("[\ue000-\ue2ff]")
_MARKS = re.compile("([\ue000-\ue2ff]*)(.*?)([\ue000-\ue2ff]*)", re.S)


@lru_cache(maxsize=65536)
def romanesque(*parts: str | None) -> bool:
    return any(p and _ROMANESQUE.search(p) for p in parts)


@lru_cache(maxsize=65536)
def initials(given: str, mark: str, initialize: bool = True, hyphen: bool = True) -> str:
    """Given names -> initials (``initialize``) or, with ``initialize="false"``,
    only the parts that are initials already normalised to ``mark``
    ("John M.E." -> "John M. E." with ". ").  A part ending in a period is an
    abbreviation kept whole ("Ph.", "Me."); a lowercase part (a particle) is
    not initialized; a lowercase part after a hyphen is dropped ("Guo-ping" ->
    "G.")."""
    if not given or not romanesque(given):
        return given
    text = given if hyphen else given.replace("-", " ")
    tokens = _TOKEN.findall(text)
    items: list[tuple[str, bool]] = []  # (text, is_initial); "-" joins
    for tok in tokens:
        if tok == "-":
            items.append(("-", False))
            continue
        lead, tok, trail = _MARKS.fullmatch(tok).groups()  # type: ignore[union-attr]
        if lead or trail:  # "<b>John</b>": the initial keeps the markup around it
            inner = initials(tok, mark, initialize, hyphen) if tok else tok
            items.append((lead + inner + trail, True))
            continue
        if tok.endswith(".") and len(tok) > 1:
            items.append((tok[:-1], True))
        elif len(tok) == 1 and tok.isupper():
            items.append((tok, True))
        elif initialize and len(tok) > 2 and tok[0].isupper() and tok[1].isupper() and tok[2].islower():
            # a digraph written in capitals ("TSerendorjiin") is one initial, "Ts." (citeproc-js)
            items.append((tok[0] + tok[1].lower(), True))
        elif initialize and tok[:1].isupper():
            items.append((tok[0], True))
        elif initialize and items and items[-1][0] == "-":
            items.pop()  # "Guo-ping": the lowercase part after a hyphen goes
        else:
            items.append((tok, False))
    while items and items[-1][0] == "-":
        items.pop()
    out = ""
    prev_initial = False
    for i, (tok, initial) in enumerate(items):
        if tok == "-":
            out = out.rstrip() + "-"
            continue
        if out and not out.endswith("-") and not prev_initial:
            out += " "
        prev_initial = initial
        out += tok
        if initial and _PUA.search(tok):  # already initialised inside its markup
            out = out if i == len(items) - 1 or items[i + 1][0] == "-" else out + " "
            prev_initial = True
        elif initial:
            nxt = items[i + 1] if i + 1 < len(items) else None
            if nxt is not None and nxt[0] != "-" and not nxt[1]:
                out += mark.rstrip() + " "  # before a whole name: always a space
            else:
                out += mark
    return out.strip()


def parse_name(name: dict) -> dict:
    """citeproc-js's reading of a CSL-JSON name before rendering: a suffix
    after a comma in the given name ("John, III"; "John,! Jr." asks for a
    comma before it), trailing lowercase words of the given name as its
    dropping particle ("François Hédelin d'"), an elided particle glued to
    the family name ("d'Aubignac"), and a family name in double quotes taken
    as it is ("\"Van Dyke\"": no particle parsing)."""
    n = dict(name)
    given, family = n.get("given"), n.get("family")
    if isinstance(given, str) and "," in given and "suffix" not in n:
        head, _, suffix = given.partition(",")
        suffix = suffix.strip()
        if suffix.startswith("!"):
            suffix = suffix[1:].strip()
            n["comma-suffix"] = True
        if head.strip() and suffix:
            n["given"], n["suffix"] = head.strip(), suffix
    if isinstance(family, str) and len(family) > 2 and family[0] == family[-1] == '"':
        n["family"] = family[1:-1]
        n["_literal_family"] = True
        return n
    given = n.get("given")
    if isinstance(given, str) and "dropping-particle" not in n:
        words = given.split(" ")
        k = len(words)
        while k > 1 and words[k - 1][:1].islower():
            k -= 1
        if k < len(words):
            n["given"], n["dropping-particle"] = " ".join(words[:k]), " ".join(words[k:])
    if isinstance(family, str) and "non-dropping-particle" not in n:
        m = re.match(r"([a-z]{1,2}['\u2019]|[a-z]{1,3}-)([^\W\d_].*)", family)
        if m:
            n["non-dropping-particle"], n["family"] = m.group(1), m.group(2)
    return n


def _glue(parts: list[str | None]) -> str:
    """Name parts joined with spaces, but none after an elided particle
    ("d’Aubignac") unless it was typed with one ("de’ Frinkle")."""
    out = ""
    for p in parts:
        if not p:
            continue
        if out and not out.endswith(("'", "\u2019", "-", "\u00a0", " ")):
            out += " "
        out += p
    return out.rstrip(" ")  # a particle typed with its space ("de' ") last


class _Parts:
    """A name's parts as strings (citeproc-py's Name object or a dict)."""

    def __init__(self, name: Any) -> None:
        g = name.get
        self.given = str(g("given") or "") or None
        self.family = str(g("family") or "") or None
        self.dp = str(g("dropping-particle") or "") or None
        self.ndp = str(g("non-dropping-particle") or "") or None
        self.suffix = str(g("suffix") or "") or None
        self.literal = str(g("literal") or "") or None
        self.comma_suffix = bool(g("comma-suffix"))


def _part_elements(el: Any) -> dict[str, Any]:
    return {p.get("name"): p for p in el.iterchildren() if str(p.tag).endswith("name-part")}


def _style_part(part: Any, text: str | None, case: bool = True) -> str | None:
    """A name-part's text-case and formatting (not its affixes) on ``text``."""
    if not text or part is None:
        return text
    if case:
        text = str(part.case(text))
    return str(part.format(text))


def _affix(part: Any, text: str) -> str:
    if part is None or not text:
        return text
    return f"{part.get('prefix', '')}{text}{part.get('suffix', '')}"


def format_name(el: Any, name: Any, form: str, inverted: bool, demote: str, sort_separator: str,
                initialize_with: str | None, initialize: bool, hyphen: bool) -> tuple[str, bool]:
    """One name -> (text, shown inverted)."""
    p = _Parts(name)
    parts = _part_elements(el)
    pg, pf = parts.get("given"), parts.get("family")
    if p.literal and not p.family:  # an institution: styled as a family name
        return _affix(pf, _style_part(pf, p.literal) or ""), False
    given = p.given
    roman = romanesque(p.family, p.given)
    if given and initialize_with is not None and roman:
        given = initials(given, initialize_with, initialize, hyphen)
    family = _style_part(pf, p.family)
    ndp = _style_part(pf, p.ndp)
    if not p.family:  # a given name alone ("Banksy") is never initialized or inverted
        return _affix(pg, _style_part(pg, p.given) or ""), False
    if form == "short":
        return _affix(pf, _glue([ndp, family]) if roman else (family or "")), False
    if not roman:
        # CJK and other non-spaced scripts: family then given, no space, never inverted
        text = _affix(pf, family or "") + _affix(pg, _style_part(pg, given) or "")
        return text, False
    given_s = _style_part(pg, given)
    dp_s = _style_part(pg if inverted else pf, p.dp, case=False)
    if inverted:
        if demote == "display-and-sort":
            fam = _affix(pf, family or "")
            giv = _affix(pg, _glue([given_s, dp_s, ndp]))
        else:
            fam = _affix(pf, _glue([ndp, family]))
            giv = _affix(pg, _glue([given_s, dp_s]))
        text = sort_separator.join(x for x in (fam, giv) if x)
        if p.suffix:
            text += sort_separator + p.suffix
        return text, True
    fam_text = _glue([dp_s, ndp, family])
    if p.suffix:  # inside the family name-part's affixes ("(de La Fontaine III)")
        fam_text += (", " if p.comma_suffix else " ") + p.suffix
    given_part = _affix(pg, given_s or "")
    sep = "" if given_part.endswith("\u00a0") else " "  # "John\u00a0Doe" keeps its one space
    return sep.join(x for x in (given_part, _affix(pf, fam_text)) if x), False


def _strip_periods(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(".", " ")).rstrip()


class GivenNameRegister:
    """citeproc-js's name register under ``givenname-disambiguation-rule="by-cite"``
    (its ``NameReg``, keyed by item and family name): every name rendered is
    registered in rendering order, citations first.  A name whose initials
    another spelling of the given name in the same item already shares
    ("D. E. Rumelhart" the author, "David E. Rumelhart" the editor) is printed
    with its given name in full when the style has
    ``disambiguate-add-givenname`` and initializes: the initials alone would
    make two spellings look like one.  Rendering order matters as it does in
    citeproc-js: the author printed first keeps its initials."""

    def __init__(self) -> None:
        self._spellings: dict[tuple[str, str, str], set[str]] = {}

    def add(self, item_key: str, name: Any) -> bool:
        """Register one name of an item; whether its given name must be shown in full."""
        p = _Parts(name)
        if not p.family or not p.given:
            return False
        given = _strip_periods(p.given)
        bucket = self._spellings.setdefault((item_key, _strip_periods(p.family), initials(given, "%s")), set())
        bucket.add(given)
        return len(bucket) > 1


def format_names(el: Any, item: Any, variable: str, context: Any, sort_options: Any,
                 full_given: Container[int] = ()) -> Any:
    """cs:name for one variable of ``item``: the joined names, or an int for
    ``form="count"``.  Options come through ``el.get_option`` (inheritance
    and the engine's overrides); the names at the positions in ``full_given``
    keep their given names uninitialized (see :class:`GivenNameRegister`)."""
    from citeproc.model import String

    def opt(name: str) -> Any:
        return el.get_option(name, context, sort_options)

    names = list(item.reference.get(variable, []) or [])
    form = opt("form") or "long"
    delimiter = opt("delimiter")
    delimiter = ", " if delimiter is None else str(delimiter)
    et_al_min, use_first = opt("et-al-min"), opt("et-al-use-first")
    use_last = str(opt("et-al-use-last") or "").lower() in ("true", "1")
    truncate = bool(et_al_min) and len(names) >= int(et_al_min) and use_first is not None \
        and int(use_first) < len(names)
    shown = names[:int(use_first)] if truncate else names
    if form == "count":
        return len(shown)
    and_ = opt("and")
    nso = opt("name-as-sort-order")
    demote = str(opt("demote-non-dropping-particle") or "display-and-sort")
    sort_sep = opt("sort-separator")
    sort_sep = ", " if sort_sep is None else str(sort_sep)
    init_with = opt("initialize-with")
    initialize = str(el.get("initialize", "true")).lower() != "false"
    hyphen = str(opt("initialize-with-hyphen") if opt("initialize-with-hyphen") is not None else "true").lower() \
        not in ("false", "0")
    rendered: list[tuple[str, bool]] = []
    for i, name in enumerate(shown):
        inverted = form == "long" and (nso == "all" or (nso == "first" and i == 0))
        rendered.append(format_name(el, name, form, inverted, demote, sort_sep,
                                  None if init_with is None or i in full_given else str(init_with),
                                  initialize, hyphen))
    rendered = [(t, inv) for t, inv in rendered if t]
    if not rendered:
        return None
    texts = [t for t, _ in rendered]

    def precedes(setting: Any, count: int, inverted_before: bool) -> bool:
        setting = str(setting or "contextual")
        if setting == "always":
            return True
        if setting == "never":
            return False
        if setting == "after-inverted-name":
            return inverted_before
        return count >= 3 if setting == "contextual-last" else count >= 2

    if truncate:
        if use_last and int(use_first) <= int(et_al_min) - 2 and len(names) > len(shown):
            last, _inv = format_name(el, names[-1], form, form == "long" and nso == "all", demote, sort_sep,
                                   None if init_with is None else str(init_with), initialize, hyphen)
            return String(delimiter.join(texts) + delimiter + "\u2026 " + last)
        et_al = el.et_al()
        et_al = str(et_al) if et_al is not None else ""
        if not _PUA.sub("", et_al).strip():  # a term of only white space is empty (citeproc-js)
            return String(delimiter.join(texts))
        if precedes(opt("delimiter-precedes-et-al"), len(texts), rendered[-1][1]):
            return String(delimiter.join(texts) + delimiter + et_al)
        # citeproc-js: no space before an et-al term that does not start
        # with a Latin, Greek, Cyrillic… letter ("Zither等")
        start = _PUA.sub("", et_al)[:1]
        space = " " if not start or start == "&" or _ROMANESQUE.match(start) else ""
        return String(delimiter.join(texts) + space + et_al)
    if len(texts) == 1:
        return String(texts[0])
    if and_ in ("text", "symbol"):
        term = str(el.get_single_term("and")) if and_ == "text" else "&"
        setting = opt("delimiter-precedes-last")
        setting = "contextual-last" if setting in (None, "contextual") else setting
        head = delimiter.join(texts[:-1])
        if term and "\u2000" <= term[-1] <= "\u200b":
            # a term that carries its own spacing (Hebrew "ו" + U+2008) is glued
            # to the names on both sides, as citeproc-js does
            return String(f"{head}{term}{texts[-1]}")
        if precedes(setting, len(texts), rendered[-2][1]):
            return String(f"{head}{delimiter}{term} {texts[-1]}")
        return String(f"{head} {term} {texts[-1]}")
    return String(delimiter.join(texts))

