"""CSL ``text-case`` as citeproc-js applies it.

citeproc-py's version capitalises stop words such as "under"/"like", leaves
hyphenated compounds half-cased ("Large-scale"), capitalises mixed-case words
("arXiv" -> "ArXiv"), treats a missing language as non-English, and lower-cases
whole sentences for ``sentence``.  These rules follow CSL 1.0.2 §Text-case and
citeproc-js's stop-word list.
"""

from __future__ import annotations

import re
from typing import Any

from refcli.csl.markup import CLOSE, OPEN

STOP_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor", "of", "on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet", "about", "above", "across", "after", "against", "along", "amid", "among", "around", "before", "behind", "below", "beneath", "beside", "between", "beyond", "circa", "despite", "during", "except", "inside", "like", "near", "next", "off", "out", "per", "since", "than", "through", "throughout", "toward", "towards", "under", "underneath", "until", "unto", "upon", "versus", "vs", "vs.", "v", "v.", "within", "without", "de", "von", "van", "et", "в"]
)
_WORD = re.compile(r"\S+")
# formatting spans from field markup that text-case leaves alone (citeproc-js):
# small caps, superscript, subscript
_IMPLICIT_NOCASE = re.compile("(" + "|".join(f"{OPEN[k]}[^{CLOSE[k]}]*{CLOSE[k]}" for k in ("smallcaps", "sup", "sub", "nodecor")) + ")")
_LETTERS = re.compile(r"[^\W\d_]")


def _is_lower(w: str) -> bool:
    letters = _LETTERS.findall(w)
    return bool(letters) and all(c.islower() for c in letters)


def _cap(w: str) -> str:
    """Upper-case the first letter (skipping leading punctuation/markers); a
    word that starts with a digit stays as it is ("6th", not "6Th"), and so
    does a lone Greek letter ("β-carotine": citeproc-js)."""
    m = _LETTERS.search(w)
    if not m:
        return w
    i = m.start()
    if any(c.isdigit() for c in w[:i]):
        return w
    if "\u0370" <= w[i] <= "\u03ff" and not _LETTERS.search(w, i + 1):
        return w
    return w[:i] + w[i].upper() + w[i + 1 :]


def _title_word(word: str, first: bool, last: bool = False) -> str:
    parts = re.split(r"([-/\u2013\u2014])", word)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1 or not _is_lower(part):
            out.append(part)
            continue
        if i >= 2 and parts[i - 1] == "-" and parts[i - 2][-1:].isdigit():
            out.append(part)  # "07-x": never capitalised after a digit
            continue
        core = re.sub("[\ue000-\ue2ff]", "", part).strip("\"'([{}])\u2018\u2019\u201c\u201d.,;:!?").lower()
        stop = core in STOP_WORDS and not (first and i == 0) and not (last and i == len(parts) - 1)
        # citeproc-js leaves elided articles ("d’économie") and a word that
        # opens a quotation ("‘hard problem’") as they are
        stop = stop or bool(re.match("(?:d|l)[\u2019']", core)) or part.startswith("\ue200\ue202")
        out.append(part if stop else _cap(part))
    return "".join(out)


def _segments(text):
    """(str, nocase) segments of a citeproc String/MixedString."""
    from citeproc.string import MixedString, NoCase

    if isinstance(text, MixedString):
        return [(str(s), isinstance(s, NoCase)) for s in text]
    return [(str(text), isinstance(text, NoCase))]


def _upper(s: str, turkic: bool) -> str:
    # Turkish and Azeri dotted/dotless i, as JavaScript's toLocaleUpperCase
    return s.replace("i", "\u0130").upper() if turkic else s.upper()


def _lower(s: str, turkic: bool) -> str:
    return s.replace("I", "\u0131").replace("\u0130", "i").lower() if turkic else s.lower()


def apply_case(text, case: str | None, english: bool = True, language: str | None = None):
    """Return ``text`` with CSL text-case ``case`` applied, nocase spans
    untouched; ``language`` (the item's) picks Turkic upper/lower-casing."""
    from citeproc.string import MixedString, NoCase, String

    if not case or text is None:
        return text
    segs = [(piece, nocase or bool(_IMPLICIT_NOCASE.fullmatch(piece)))
            for seg, nocase in _segments(text) for piece in _IMPLICIT_NOCASE.split(seg) if piece]
    whole = "".join(s for s, _ in segs)
    # the string's last word is capitalised even when it is a stop word
    last_seg = max((i for i, (s, nc) in enumerate(segs) if _WORD.search(s)), default=-1)
    last_word = None
    if last_seg >= 0 and not segs[last_seg][1]:
        last_word = list(_WORD.finditer(segs[last_seg][0]))[-1].start()
    if case == "title" and not english:
        return text
    state = {"first": True, "after_colon": False}
    turkic = str(language or "").lower()[:2] in ("tr", "az") and str(language)[2:3] in ("", "-", "_")

    def per_word(fn):
        def sub(m):
            w = m.group()
            first = state["first"] or state["after_colon"]
            res = fn(w, first)
            state["first"] = False
            state["after_colon"] = w.rstrip("\u2019\u201d\ue201)").endswith((":", "?", "!"))
            return res
        return sub

    out = []
    for n, (s, nocase) in enumerate(segs):
        if nocase:
            if s.strip():
                state["first"] = False
                state["after_colon"] = False
            out.append(NoCase(s))
            continue
        if case == "lowercase":
            r = _lower(s, turkic)
        elif case == "uppercase":
            r = _upper(s, turkic)
        elif case == "title":
            at = last_word if n == last_seg else None
            if at is None:
                r = _WORD.sub(per_word(_title_word), s)
            else:
                r = (_WORD.sub(per_word(_title_word), s[:at])
                     + _WORD.sub(per_word(lambda w, f: _title_word(w, f, last=True)), s[at:]))
        elif case == "capitalize-all":
            r = _WORD.sub(per_word(lambda w, f: _cap(w) if _is_lower(w) else w), s)
        elif case == "capitalize-first":
            r = _WORD.sub(per_word(lambda w, f: _cap(w) if state["first"] and _is_lower(w) else w), s)
        elif case == "sentence":
            if whole.isupper():
                s = s.lower()
            r = _WORD.sub(per_word(_sentence_word(state)), s)
        else:
            r = s
        out.append(String(r))
    return out[0] if len(out) == 1 else MixedString(out)


def _sentence_word(state: dict):
    """citeproc-js's sentence case: the first word capitalised, later
    capitalised words ("Pen") lowered; acronyms and mixed case ("DNA",
    "arXiv") kept."""

    def word(w: str, first: bool) -> str:
        if state["first"]:
            return _cap(w) if _is_lower(w) else w
        letters = _LETTERS.findall(w)
        if len(letters) > 1 and letters[0].isupper() and all(c.islower() for c in letters[1:]):
            return w.lower()
        return w
    return word


class CaseMixin:
    """Replaces citeproc-py's ``TextCased.case`` on the element classes we override."""

    def case(self: Any, text, language=None):  # self: the citeproc element it is mixed into
        case = self.get("text-case")
        if not case:
            return text
        # language is None for terms and labels: title case applies to them in
        # any locale; field text passes its item's (or the locale's) language
        english = language is None or str(language).lower().startswith("en")
        return apply_case(text, case, english, language)
