"""Mending what PDF text layers do to characters.

TeX and some typesetters draw an accent as a glyph of its own beside the letter; the
text layer then reads ``Ko¨nneke``, ``Agogue´``, ``ˇReh˚uˇrek``. Vancouver page ranges
print an en dash that the text layer gives as ``e`` (``772e81``); non-breaking hyphens
(U+2011) hide inside DOIs and page ranges.
"""

from __future__ import annotations

import re
import unicodedata

# spacing accent -> combining mark
_MARKS = {"¨": "\u0308", "´": "\u0301", "ˆ": "\u0302", "˜": "\u0303", "ˇ": "\u030c",
          "˚": "\u030a", "¸": "\u0327", "˘": "\u0306", "˙": "\u0307", "˝": "\u030b", "˛": "\u0328"}
# Accents a text layer puts after their letter (drawn first, read second) ...
_AFTER = "¨´"
_SPACING = re.compile(r"(?P<before>[^\W\d_])?(?P<mark>[¨´ˆ˜ˇ˚¸˘˙˝˛])(?P<after>[^\W\d_])?")
_VANCOUVER_PAGES = re.compile(r"(?<=[:;,]\s)(\d{1,5})e(\d{1,5})\b|(?<=[:;,])(\d{1,5})e(\d{1,5})\b")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


def _one(letter: str, mark: str) -> str | None:
    """The precomposed letter, or None when Unicode has none (then it is not this letter's)."""
    composed = unicodedata.normalize("NFC", letter + _MARKS[mark])
    return composed if len(composed) == 1 else None


_VOWELS = set("aeiouyAEIOUY")


def _accent(match: re.Match[str]) -> str:
    before, mark, after = match.group("before") or "", match.group("mark"), match.group("after") or ""
    order = ("before", "after") if mark in _AFTER else ("after", "before")
    if mark in _AFTER and after in _VOWELS and before not in _VOWELS and _one(after, mark):
        order = ("after", "before")  # TeX's "L\\'eon" reads "L´eon": the accent is the vowel's
    for side in order:
        letter = before if side == "before" else after
        composed = _one(letter, mark) if letter else None
        if composed:
            return composed + after if side == "before" else before + composed
    return match.group(0)


def repair(text: str) -> str:
    """*text* with detached accents joined to their letters, ``e`` en dashes in page ranges
    and non-breaking hyphens made plain. Text without them is returned unchanged."""
    if any(mark in text for mark in _MARKS):
        text = _SPACING.sub(_accent, text)
    if "e" in text and _VANCOUVER_PAGES.search(text):
        text = _VANCOUVER_PAGES.sub(lambda m: f"{m.group(1) or m.group(3)}–{m.group(2) or m.group(4)}", text)
    return text.translate(_HYPHENS)
