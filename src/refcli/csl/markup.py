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

import re
from functools import lru_cache

# Marker characters (Unicode private use area) – never present in real data,
# because :func:`clean_input` strips that range from item fields.
Q_OPEN, Q_CLOSE = "\ue200", "\ue201"
# Follows Q_OPEN when the quote was typed with single quotes: citeproc-js then
# reads the mark as an apostrophe and leaves the next word's case alone.
Q_SINGLE = "\ue202"
_KINDS = ("italic", "bold", "smallcaps", "sup", "sub", "underline", "nocase", "nodecor",
          "block", "left-margin", "right-inline", "indent", "roman", "unbold", "unsc", "baseline")
# explicit font-style/font-weight/font-variant="normal": off only where the decoration is on
_UNDO = {"roman": "italic", "unbold": "bold", "unsc": "smallcaps"}
DISPLAYS = ("block", "left-margin", "right-inline", "indent")
OPEN = {k: chr(0xE000 + i) for i, k in enumerate(_KINDS)}
CLOSE = {k: chr(0xE100 + i) for i, k in enumerate(_KINDS)}
_KIND_OF = {v: k for k, v in OPEN.items()} | {v: k for k, v in CLOSE.items()}
_PUA = re.compile("[\ue000-\ue2ff]")
_MARK = "".join(OPEN.values()) + "".join(CLOSE.values()) + Q_OPEN + Q_CLOSE + Q_SINGLE


def clean_input(text: str) -> str:
    """Remove private-use characters from field text so they cannot fake markers."""
    return _PUA.sub("", text)


# The inline markup citeproc-js renders in field text (CSL 1.0.2 §Rich text markup).
_FIELD_TAGS = {
    "<i>": "italic", "<b>": "bold", "<sup>": "sup", "<sub>": "sub", "<sc>": "smallcaps",
    '<span style="font-variant:small-caps;">': "smallcaps",
    '<span style="font-variant: small-caps;">': "smallcaps",
    '<span class="nodecor">': "nodecor",
}
_CLOSING = {"italic": "</i>", "bold": "</b>", "sup": "</sup>", "sub": "</sub>"}
_TAG = re.compile(r"<(?:/?(?:i|b|sup|sub|sc)|span [^<>]*|/span)>", re.I)


def field_markup(text: str) -> str:
    """Inline HTML tags in field text (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
    ``<sc>``, small-caps and ``nodecor`` spans) -> markers, so they are rendered
    (and flip-flopped inside formatting of the same kind) instead of printed.
    Only properly paired tags count; a stray ``</i>`` stays text.  ``<span
    class="nocase">`` is left for citeproc-py's own nocase parsing."""
    if "<" not in text:
        return text
    tokens: list[tuple[str, str | None, bool]] = []  # (text, kind, is_open)
    pos = 0
    for m in _TAG.finditer(text):
        if m.start() > pos:
            tokens.append((text[pos:m.start()], None, False))
        tag = m.group()
        low = tag.lower()
        if low in _FIELD_TAGS:
            tokens.append((tag, _FIELD_TAGS[low], True))
        elif low.startswith("</"):
            tokens.append((tag, low, False))
        else:  # another span (nocase, unknown style): opens a span that is not ours
            tokens.append((tag, "span", True))
        pos = m.end()
    tokens.append((text[pos:], None, False))
    keep = [False] * len(tokens)
    stack: list[int] = []
    for i, (_tag, kind, is_open) in enumerate(tokens):
        if kind is None:
            continue
        if is_open:
            stack.append(i)
            continue
        for j in range(len(stack) - 1, -1, -1):
            okind = tokens[stack[j]][1]
            want = _CLOSING.get(okind or "", "</span>" if okind in ("smallcaps", "nodecor", "span") else "</sc>")
            if okind == "smallcaps" and tokens[stack[j]][0].lower() == "<sc>":
                want = "</sc>"
            if want == kind:
                if okind != "span":
                    keep[stack[j]] = keep[i] = True
                del stack[j:]
                break
    out = []
    opened: list[str] = []
    for i, (tag, kind, is_open) in enumerate(tokens):
        if not keep[i]:
            out.append(tag)
        elif is_open:
            assert kind is not None
            opened.append(kind)
            out.append(OPEN[kind])
        else:
            out.append(CLOSE[opened.pop()])
    return "".join(out)


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


# citeproc-js's merge of a mark with the one before it (the suite's
# punctuation_FullMonty fixtures): (last, next) -> what is written for both.
_MERGE = {
    ":": {":": ":", ".": ":", ";": ":;", "!": "!", "?": "?", ",": ":,"},
    ".": {":": ".:", ".": ".", ";": ".;", "!": ".!", "?": ".?", ",": ".,"},
    ";": {":": ";", ".": ";", ";": ";", "!": "!", "?": "?", ",": ";,"},
    "!": {":": "!", ".": "!", ";": "!;", "!": "!", "?": "!?", ",": "!,"},
    "?": {":": "?", ".": "?", ";": "?;", "!": "?!", "?": "?", ",": "?,"},
    ",": {":": ",:", ".": ",.", ";": ",;", "!": ",!", "?": ",?", ",": ","},
}


def _merge(left: str, p: str) -> str:
    """Append punctuation ``p`` to ``left`` the way citeproc-js merges marks
    (``_MERGE``), across closing markers."""
    body, marks = _strip_marks_right(left)
    last = body[-1:] if body else ""
    if Q_CLOSE in marks and p not in ".,":
        return left + p  # a closing quote between: "Jeopardy!”: Trivial"
    if last and last in _MERGE and p in _MERGE[last]:
        merged = _MERGE[last][p]
        if merged == last:
            return left
        if merged == p:
            return body[:-1] + marks + p
    return left + p


def _fix_punctuation(s: str, piq: bool) -> str:
    """Apply the seam rules to a marker string, left to right.  With
    punctuation-in-quote, '.', ',', '!' and '?' go inside a closing quote;
    a ':' or ';' after a mark moved there merges with that mark (the quoted
    node's suffix "!" swallows the next prefix's ":", as citeproc-js merges
    affixes before moving them), not with the field's own text ("Jeopardy!"
    keeps its ":")."""
    out: list[str] = []
    moved = ""  # the mark last moved inside a closing quote, until text follows
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch in _ALL_PUNCT and out:
            acc = "".join(out)
            body, marks = _strip_marks_right(acc)
            if piq and ch in ".,!?" and Q_CLOSE in marks:
                acc, moved = _move_in(body, marks, ch), ch
            elif moved and ch in ":;" and _MERGE[moved].get(ch) == moved:
                pass  # swallowed by the mark moved inside
            else:
                acc = _merge(acc, ch)
                moved = ""
                if piq and ch in ".,!?" and acc.endswith(ch):
                    # ":" then "!" is "!", which then goes inside the quote
                    body, marks = _strip_marks_right(acc[:-1])
                    if Q_CLOSE in marks:
                        acc, moved = _move_in(body, marks, ch), ch
            out = [acc]
            i += 1
            continue
        if ch not in _MARK:
            moved = ""
        out.append(ch)
        i += 1
    return "".join(out)


def _move_in(body: str, marks: str, ch: str) -> str:
    """``ch`` inside the closing quote of ``marks`` (and inside formatting in it)."""
    q = marks.index(Q_CLOSE)
    return _merge(body + marks[:q], ch) + marks[q:]


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


_QUOTE_PAIR = re.compile(r'(^|[\s(\[\u201c\u2018' + Q_OPEN + r'])"([^"\s](?:[^"]*[^"\s])?)"')
# an apostrophe inside a word ("You're") does not end a single-quoted phrase
_SQUOTE_PAIR = re.compile(r"(^|[\s(\[" + Q_OPEN + r"])'(?!\s)((?:[^']|(?<=\w)'(?=\w))+?)'(?=$|[\s.,;:!?)\]"
                          + Q_CLOSE + r"])")
_CURLY_SINGLE_PAIR = re.compile("\u2018((?:[^\u2018\u2019]|(?<=\\w)\u2019(?=\\w))+?)\u2019(?!\\w)")
# every apostrophe of a run after a letter; one standing alone between
# spaces ("d ' eau", as some databases export "d'eau") is one too
_APOS = re.compile(r"(?<=\w)'+|'(?=\w)|(?<=\s)'(?=\s)")


def smart_text(text: str) -> str:
    """Typographic quotes in field text: straight double quotes become quote
    markers (so they nest/flip like CSL quotes), apostrophes become ’.  A
    quote with a space inside its closing mark is left as typed."""
    text = text.replace("\u201c", Q_OPEN).replace("\u201d", Q_CLOSE)
    text = _QUOTE_PAIR.sub(lambda m: m.group(1) + Q_OPEN + m.group(2) + Q_CLOSE, text)
    text = _CURLY_SINGLE_PAIR.sub(lambda m: Q_OPEN + Q_SINGLE + m.group(1) + Q_CLOSE, text)
    text = text.replace("\u2019", "'")
    text = _SQUOTE_PAIR.sub(lambda m: m.group(1) + Q_OPEN + Q_SINGLE + m.group(2) + Q_CLOSE, text)
    if "\u00ab" in text or "\u00bb" in text:
        # French guillemets: the space inside them is a narrow no-break space (citeproc-js)
        text = _GUILLEMET_SPACE.sub(lambda m: "\u00ab\u202f" if m.group(1) else "\u202f\u00bb", text)
    return _APOS.sub(lambda m: "\u2019" * len(m.group()), text)


_GUILLEMET_SPACE = re.compile("(\u00ab)[ \u00a0]+|[ \u00a0]+\u00bb")


# --- serialisation ---------------------------------------------------------------

_TAGS = {
    "html": {
        # cs:display as citeproc-js writes it, whitespace included
        "block": ('\n\n    <div class="csl-block">', "</div>\n"),
        "left-margin": ('\n    <div class="csl-left-margin">', "</div>"),
        "right-inline": ('<div class="csl-right-inline">', "</div>\n  "),
        "indent": ('<div class="csl-indent">', "</div>\n  "),
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


_HTML_ESC = str.maketrans({"&": "&#38;", "<": "&#60;", ">": "&#62;"})


@lru_cache(maxsize=1)
def _superscripts() -> tuple[dict[int, str], re.Pattern[str]]:
    """Unicode superscript characters (ʳ, ᵉ, º, ², ℠, ㆒…) -> ``<sup>base</sup>``,
    as citeproc-js writes them in HTML ("1<sup>r</sup><sup>e</sup> éd."), and a
    pattern that finds any of them."""
    import unicodedata

    table = {}
    for cp in range(0xA0, 0x10000):
        d = unicodedata.decomposition(chr(cp))
        if d.startswith("<super> "):
            table[cp] = "<sup>" + "".join(chr(int(x, 16)) for x in d.split()[1:]) + "</sup>"
    # modifier letters citeproc-js also reads as superscripts (no <super> decomposition)
    table.update({0x02C0: "<sup>\u0294</sup>", 0x02C1: "<sup>\u0295</sup>",
                  0x06E5: "<sup>\u0648</sup>", 0x06E6: "<sup>\u064a</sup>"})
    return table, re.compile("[" + "".join(map(chr, table)) + "]")


def _escape(text: str, fmt: str) -> str:
    if fmt == "html":  # citeproc-js's entities, so output matches Zotero's byte for byte
        text = text.translate(_HTML_ESC)
        if text.isascii():
            return text
        table, found = _superscripts()
        return text.translate(table) if found.search(text) else text
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

    # flip-flop (citeproc-js): formatting opened inside the same formatting
    # turns it off instead ("<i>A <span style="font-style:normal;">B</span></i>"),
    # and nodecor turns every enclosing decoration off
    closers: list[str] = []
    for ch in s:
        kind = _KIND_OF.get(ch)
        if kind is None:
            buf.append(ch)
            continue
        flush()
        if ch == OPEN[kind]:
            active = _active(stack)
            stack.append(kind)
            opener, closer = _open_tag(kind, active, tags, fmt)
            out.append(opener)
            closers.append(closer)
        else:
            if stack and stack[-1] == kind:
                stack.pop()
                out.append(closers.pop())
    flush()
    return "".join(out)


_NORMAL = {"italic": '<span style="font-style:normal;">', "bold": '<span style="font-weight:normal;">',
           "smallcaps": '<span style="font-variant:normal;">'}


def _active(stack: list[str]) -> set[str]:
    """Decorations in force at this point of the stack (each flip toggles)."""
    on: set[str] = set()
    for k in stack:
        if k == "nodecor":
            on -= {"italic", "bold", "smallcaps"}
        elif k in _UNDO:
            on.discard(_UNDO[k])
        elif k == "baseline":
            on -= {"sup", "sub"}
        elif k in _NORMAL:
            on ^= {k}
        else:
            on.add(k)
    return on


def _open_tag(kind: str, active: set[str], tags: dict | None, fmt: str) -> tuple[str, str]:
    if fmt == "html" and kind == "nodecor":
        spans = [_NORMAL[k] for k in ("italic", "bold", "smallcaps") if k in active]
        return "".join(spans), "</span>" * len(spans)
    if fmt == "html" and kind in _NORMAL and kind in active:
        return _NORMAL[kind], "</span>"
    if fmt == "html" and kind == "baseline":
        # vertical-align="baseline" inside a superscript: citeproc-js's span
        return ('<span style="baseline">', "</span>") if active & {"sup", "sub"} else ("", "")
    if fmt == "html" and kind in _UNDO:
        return (_NORMAL[_UNDO[kind]], "</span>") if _UNDO[kind] in active else ("", "")
    if tags and kind in tags:
        return tags[kind]
    return "", ""


_EMPTY_SPAN = re.compile("|".join(re.escape(OPEN[k] + CLOSE[k]) for k in _KINDS))


def finish(s: str, fmt: str, piq: bool, terms: dict[str, str]) -> str:
    """Marker string -> final output in ``fmt`` (text|html|markdown|latex|rich)."""
    s = _EMPTY_SPAN.sub("", s).replace(Q_SINGLE, "")
    s = _fix_punctuation(s, piq)
    s = _resolve_quotes(s, terms)
    s = re.sub(r"[ \t]{2,}", " ", s)
    # citeproc-js keeps an entry's outer spaces (a prefix " (" with nothing
    # before it) in HTML; the other formats are trimmed
    s = s.strip("\n") if fmt == "html" else s.strip()
    return _serialise(s, fmt)
