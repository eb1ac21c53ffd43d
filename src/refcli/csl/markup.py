"""Output formats for the engine, and the punctuation rules applied when they are
serialised.

Why markers: citeproc-py concatenates strings as it walks the style, so by the
time a closing quote or an italic span meets the following ``.`` the structure
is gone.  Our formatter wraps formatting and quotes in private-use *marker*
characters instead of final markup; :func:`finish` then sees where each quote
and span ends and applies CSL's punctuation rules (``punctuation-in-quote``,
no doubled punctuation after ``?``/``!``, nested quotes flipped) across those
boundaries, exactly as citeproc-js does on its output tree, before emitting
text, HTML, Markdown, LaTeX or rich markup.
"""

from __future__ import annotations

import html
import re

# Marker characters (Unicode private use area) – never present in real data,
# because :func:`clean_input` strips that range from item fields.
Q_OPEN, Q_CLOSE = "\ue200", "\ue201"
# Follows Q_OPEN when the quote was typed with single quotes: citeproc-js then
# reads the mark as an apostrophe and leaves the next word's case alone.
Q_SINGLE = "\ue202"
_KINDS = ("italic", "bold", "smallcaps", "sup", "sub", "underline", "nocase")
OPEN = {k: chr(0xE000 + i) for i, k in enumerate(_KINDS)}
CLOSE = {k: chr(0xE100 + i) for i, k in enumerate(_KINDS)}
_KIND_OF = {v: k for k, v in OPEN.items()} | {v: k for k, v in CLOSE.items()}
_PUA = re.compile("[\ue000-\ue2ff]")
_MARK = "".join(OPEN.values()) + "".join(CLOSE.values()) + Q_OPEN + Q_CLOSE + Q_SINGLE


def clean_input(text: str) -> str:
    """Remove private-use characters from field text so they cannot fake markers."""
    return _PUA.sub("", text)


class MarkerFormatter:
    """A citeproc-py formatter (module-like object) that emits markers."""

    @staticmethod
    def preformat(text):
        return text

    def __init__(self) -> None:
        def wrapper(kind: str):
            o, c = OPEN[kind], CLOSE[kind]
            return lambda text: f"{o}{text}{c}"

        self.Italic = self.Oblique = wrapper("italic")
        self.Bold = wrapper("bold")
        self.Light = str
        self.Underline = wrapper("underline")
        self.Superscript = wrapper("sup")
        self.Subscript = wrapper("sub")
        self.SmallCaps = wrapper("smallcaps")


FORMATTER = MarkerFormatter()

# --- punctuation ---------------------------------------------------------------

_TERMINAL = ".?!"
_ALL_PUNCT = ".,;:?!"


def _strip_marks_right(s: str) -> tuple[str, str]:
    """Split trailing markers (and spaces between them are kept in text)."""
    i = len(s)
    while i and s[i - 1] in _MARK:
        i -= 1
    return s[:i], s[i:]


def _merge(left: str, p: str) -> str:
    """Append punctuation ``p`` to ``left`` the way citeproc-js merges marks:
    ``?``/``!`` swallow a following ``.``; a second identical mark is dropped;
    ``.`` before ``,``/``;``/``:`` stays (abbreviation) ."""
    body, marks = _strip_marks_right(left)
    last = body[-1:] if body else ""
    if last and last in _ALL_PUNCT:
        if p == last:
            return left
        if last in "?!" and p == ".":
            return left
        if last in ":;," and p == ".":
            return body[:-1] + marks + p if last != ":" else left
        if last == "," and p in ";:":
            return body[:-1] + marks + p
    return left + p


def _fix_punctuation(s: str, piq: bool) -> str:
    """Apply the seam rules to a marker string, left to right."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch in _ALL_PUNCT and out:
            acc = "".join(out)
            body, marks = _strip_marks_right(acc)
            if piq and ch in ".," and Q_CLOSE in marks:
                # move '.'/',' inside the closing quote (and inside formatting in it)
                q = marks.index(Q_CLOSE)
                inner = _merge(body + marks[:q], ch)
                acc = inner + marks[q:]
            else:
                acc = _merge(acc, ch)
            out = [acc]
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _resolve_quotes(s: str, terms: dict[str, str]) -> str:
    """Turn quote markers into the locale's quote marks, flipping nested ones."""
    depth = 0
    res = []
    for ch in s:
        if ch == Q_OPEN:
            res.append(terms["open-quote"] if depth % 2 == 0 else terms["open-inner-quote"])
            depth += 1
        elif ch == Q_CLOSE:
            depth = max(depth - 1, 0)
            res.append(terms["close-quote"] if depth % 2 == 0 else terms["close-inner-quote"])
        else:
            res.append(ch)
    return "".join(res)


_QUOTE_PAIR = re.compile(r'(^|[\s(\[\u201c\u2018' + Q_OPEN + r'])"([^"]+)"')
_SQUOTE_PAIR = re.compile(r"(^|[\s(\[" + Q_OPEN + r"])'([^']+?)'(?=$|[\s.,;:!?)\]" + Q_CLOSE + r"])")
_APOS = re.compile(r"(?<=\w)'|'(?=\w)")


def smart_text(text: str) -> str:
    """Typographic quotes in field text: straight double quotes become quote
    markers (so they nest/flip like CSL quotes), apostrophes become ’."""
    text = text.replace("\u201c", Q_OPEN).replace("\u201d", Q_CLOSE)
    text = _QUOTE_PAIR.sub(lambda m: m.group(1) + Q_OPEN + m.group(2) + Q_CLOSE, text)
    text = text.replace("\u2018", Q_OPEN).replace("\u2019", "'")
    text = _SQUOTE_PAIR.sub(lambda m: m.group(1) + Q_OPEN + Q_SINGLE + m.group(2) + Q_CLOSE, text)
    return _APOS.sub("\u2019", text)


# --- serialisation ---------------------------------------------------------------

_TAGS = {
    "html": {
        "italic": ("<i>", "</i>"), "bold": ("<b>", "</b>"),
        "smallcaps": ('<span style="font-variant:small-caps;">', "</span>"),
        "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
        "underline": ('<span style="text-decoration:underline;">', "</span>"),
    },
    "markdown": {
        "italic": ("*", "*"), "bold": ("**", "**"), "smallcaps": ("", ""),
        "sup": ("^", "^"), "sub": ("~", "~"), "underline": ("", ""),
    },
    "latex": {
        "italic": ("\\textit{", "}"), "bold": ("\\textbf{", "}"),
        "smallcaps": ("\\textsc{", "}"), "sup": ("\\textsuperscript{", "}"),
        "sub": ("\\textsubscript{", "}"), "underline": ("\\underline{", "}"),
    },
    # rich has no small caps: shown bold (documented in render()).
    "rich": {
        "italic": ("[italic]", "[/italic]"), "bold": ("[bold]", "[/bold]"),
        "smallcaps": ("[bold]", "[/bold]"), "sup": ("", ""), "sub": ("", ""),
        "underline": ("[underline]", "[/underline]"),
    },
}
_LATEX_ESC = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "\\": "\\textbackslash{}"}
_MD_ESC = re.compile(r"([\\*_`\[\]<>])")
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _escape(text: str, fmt: str) -> str:
    if fmt == "html":
        return html.escape(text, quote=False)
    if fmt == "latex":
        return "".join(_LATEX_ESC.get(c, c) for c in text)
    if fmt == "markdown":
        return _MD_ESC.sub(r"\\\1", text)
    if fmt == "rich":
        return text.replace("[", "\\[")
    return text


def _serialise(s: str, fmt: str) -> str:
    tags = _TAGS.get(fmt)
    out: list[str] = []
    stack: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = "".join(buf)
            if fmt == "rich" and stack and stack[-1] in ("sup", "sub"):
                text = text.translate(_SUP if stack[-1] == "sup" else _SUB)
            out.append(_escape(text, fmt))
            buf.clear()

    for ch in s:
        kind = _KIND_OF.get(ch)
        if kind is None:
            buf.append(ch)
            continue
        flush()
        if ch == OPEN[kind]:
            stack.append(kind)
            if tags and kind in tags:
                out.append(tags[kind][0])
        else:
            if stack and stack[-1] == kind:
                stack.pop()
            if tags and kind in tags:
                out.append(tags[kind][1])
    flush()
    return "".join(out)


_EMPTY_SPAN = re.compile("|".join(re.escape(OPEN[k] + CLOSE[k]) for k in _KINDS))


def finish(s: str, fmt: str, piq: bool, terms: dict[str, str]) -> str:
    """Marker string -> final output in ``fmt`` (text|html|markdown|latex|rich)."""
    s = _EMPTY_SPAN.sub("", s).replace(Q_SINGLE, "")
    s = _fix_punctuation(s, piq)
    s = _resolve_quotes(s, terms)
    s = re.sub(r"[ \t]{2,}", " ", s).strip()
    return _serialise(s, fmt)
