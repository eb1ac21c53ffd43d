"""LaTeX <-> Unicode for BibTeX field values.

Reading: a table of accent and symbol macros applied by one regex pass, because
bibtexparser's decoding middleware (pylatexenc on every field) is far too slow for
a large library. pylatexenc is only used, lazily, for a value holding a macro
the table does not know. Brace protection (``{DNA}``) is stripped: CSL-JSON needs
no case protection for our use and the writer re-adds it by rule.

Writing: the characters special to (La)TeX are escaped (literal braces as
``\\textbraceleft{}``, since BibTeX counts even ``\\{`` when balancing braces).
Other non-ASCII characters become the LaTeX that plain pdflatex sets
(``latex_chars.json``, built and checked by ``scripts/gen_latex_chars.py``):
accents as ``{\\'e}``, Greek, symbols and sub/superscripts as math (``Cu$_{2}$O``),
dashes and quotes as TeX ligatures. A character with no such form (CJK, Hebrew,
Cyrillic in the default font encoding, emoji) is transliterated (anyascii), as
pdflatex could not print it anyway; ``unicode=True`` (``export --unicode``, for
biber with XeLaTeX/LuaLaTeX) keeps UTF-8 as it is.
TeX ligatures that would change text (``--``, ``\u0060\u0060``, ``''``) are broken
with ``{}`` so that every string survives a write/read round trip.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Accent macro -> combining character.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "b": "\u0331", "d": "\u0323",
    "t": "\u0361",
}

# Letter-like and symbol macros (word macros and one-character control symbols).
_SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    ",": "\u2009", " ": " ", ";": "\u2005", "/": "", "-": "", "\\": "\n",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<",
    "textgreater": ">", "textunderscore": "_", "textdollar": "$", "textbraceleft": "{",
    "textbraceright": "}", "textperiodcentered": "·", "textdegree": "°", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "S": "§", "P": "¶",
    "dag": "†", "ddag": "‡", "ldots": "…", "dots": "…", "textellipsis": "…",
    "guillemotleft": "«", "guillemotright": "»", "pounds": "£", "euro": "€",
    "textsection": "§", "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX",
    "relax": "", "protect": "", "noopsort": "", "nobreakspace": "\u00a0", "quad": " ",
    # math
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι",
    "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ",
    "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "times": "×", "pm": "±",
    "mp": "∓", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "approx": "≈", "sim": "∼", "infty": "∞", "rightarrow": "→", "to": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "leftrightarrow": "↔", "partial": "∂",
    "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "in": "∈", "ell": "ℓ",
    "circ": "∘", "deg": "°", "prime": "′", "langle": "⟨", "rangle": "⟩", "log": "log",
    "sqrt": "√", "mathbb": "", "mathrm": "", "mathcal": "", "mathbf": "", "mathit": "",
}

# Formatting commands whose argument is kept as plain text.
_FORMATTING = {
    "emph", "textit", "textbf", "textsc", "textsl", "textup", "textrm", "textsf",
    "texttt", "textnormal", "mbox", "hbox", "text", "url", "href", "mkbibquote",
    "enquote", "mkbibemph", "mkbibitalic", "mkbibbold", "uppercase", "MakeUppercase",
    "lowercase", "NoCaseChange", "bibstring", "ensuremath", "em", "it", "bf", "sc",
    "rm", "sf", "tt", "small", "footnotesize", "nocite", "hyphen",
}

_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

_ACCENT_CHARS = re.escape("'`^\"~=.")
_TOKEN = re.compile(
    # 1,2: accent symbol + argument (letter, \i, \j or braced)
    rf"\\([{_ACCENT_CHARS}])\s*(\{{\s*\\?[A-Za-z]?\s*\}}|\\[ij](?![A-Za-z])|[A-Za-z])"
    # 3,4: letter accent (\c{c}, \v S, \u{a})
    r"|\\([uvHckrbdt])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z]?)\s*\}|\s+([A-Za-z]))"
    # 5: word macro (eats following spaces or an empty group, as TeX does)
    r"|\\([A-Za-z]+)(?:\{\}|\s*)"
    # 6: control symbol
    r"|\\([^A-Za-z])"
    r"|(---|--|``|''|~|[{}])"
    # 9: inline math
    r"|\$((?:[^$\\]|\\.)*)\$"
)
_MATH_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(.))")
_SPACE = re.compile(r"\s+")
_NOOPSORT = re.compile(r"\\noopsort\s*\{[^{}]*\}")
_NEEDS_DECODE = re.compile(r"[\\{}~$]|--|``|''")
_LIGATURES = {"---": "—", "--": "–", "``": "“", "''": "”", "~": " ", "{": "", "}": ""}


class _UnknownMacro(Exception):
    pass


def _math(match: re.Match[str]) -> str:
    """Render simple inline math as text: macros by table, ^2 and _1 as Unicode scripts."""

    def script(m: re.Match[str]) -> str:
        body = m.group(2) if m.group(2) is not None else m.group(3)
        table = _SUPERSCRIPT if m.group(1) == "^" else _SUBSCRIPT
        conv = body.translate(table)
        return conv if conv != body or not body.isalnum() else body

    inner = _MATH_SCRIPT.sub(script, match.group(9))
    # Spaces inside math carry no meaning; macros decode by the same table.
    return _TOKEN.sub(_replace, inner).replace(" ", "")


def _accent(letter: str, mark: str) -> str:
    letter = letter.strip("{} ").lstrip("\\")  # \i and \j are dotless i/j: accent the plain letter
    if not letter:
        return mark.strip() or ""
    return unicodedata.normalize("NFC", letter + mark)


def _replace(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return _accent(m.group(2), _ACCENTS[m.group(1)])
    if m.group(3) is not None:
        letter = m.group(4) if m.group(4) is not None else m.group(5)
        return _accent(letter or "", _ACCENTS[m.group(3)])
    if m.group(6) is not None:
        name = m.group(6)
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FORMATTING:
            return ""
        raise _UnknownMacro(name)
    if m.group(7) is not None:
        return _SYMBOLS.get(m.group(7), m.group(7))
    if m.group(8) is not None:
        return _LIGATURES[m.group(8)]
    return _math(m)


@lru_cache(maxsize=65536)
def latex_to_unicode(value: str) -> str:
    """Decode a raw BibTeX value (braces and LaTeX) to plain Unicode text.

    White space runs collapse to one space, as TeX does. Cached because real
    libraries repeat journal names, publishers and name parts many times.
    """
    if not _NEEDS_DECODE.search(value):
        return _SPACE.sub(" ", value).strip() if "\n" in value or "  " in value else value.strip()
    if "noopsort" in value:  # BibTeX's sort trick: \noopsort{key} prints nothing
        value = _NOOPSORT.sub("", value)
    try:
        text = _TOKEN.sub(_replace, value)
    except _UnknownMacro:
        text = _pylatexenc(value)
    return _SPACE.sub(" ", text).strip()


def _pylatexenc(text: str) -> str:
    """Rare constructs: let pylatexenc render them; on any failure keep the text bare."""
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        return LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(text)
    except Exception:  # pylatexenc raises many types on odd input; never let them escape
        return re.sub(r"\\[A-Za-z]+|[{}]", "", text)


def strip_outer(value: str) -> str:
    """Remove the delimiting braces or quotes of a raw field value, nothing else."""
    value = value.strip()
    if len(value) >= 2 and (
        (value[0] == "{" and value[-1] == "}") or (value[0] == '"' and value[-1] == '"')
    ):
        return value[1:-1]
    return value


# ---------------------------------------------------------------- writing

_ESCAPE = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_ESCAPE_RE = re.compile(r"[\\{}&%$#_~^]|-{2,}|`{2,}|'{2,}|\s+")
# Only call back into Python when there is something to escape or to protect:
# specials, ligatures, white space other than single spaces.
_NEEDS_ESCAPE = re.compile(r"[\\{}&%$#_~^]|--|``|''|[^\S ]|  ")
# Words a style's case changes must not touch. The library's title is the truth
# (citeproc prints it as stored), so every word with a capital, other than the
# title's first, is braced, as Zotero's BibTeX export does: BibTeX styles and
# pandoc, which sentence-case unprotected words, then print the title as stored.
#
# Only words holding something other than ASCII lower case, digits and "_" can
# have a capital, so only they are handed to Python: a 100k-item export calls
# _protect for ~1 word per title instead of ~7.
_PROTECT_RE = re.compile(r"(?<![\\{\w])\w*?[^\W\da-z_]\w*")


def _escape(m: re.Match[str]) -> str:
    s = m.group(0)
    if s in _ESCAPE:
        return _ESCAPE[s]
    if s[0] in "-`'":  # a run that TeX would join into a ligature: break every pair
        return "{}".join(s)
    return " "  # any run of white space


@lru_cache(maxsize=65536)
def unicode_to_latex(text: str, protect_case: bool = False) -> str:
    """Escape *text* for a BibTeX value in braces.

    With *protect_case*, every word with a capital except the first is wrapped
    in braces, so a style that lower-cases titles keeps "Nature", "DNA", "iPhone".
    Non-ASCII characters stay: ``non_ascii_to_latex`` encodes the finished value.
    Cached: journals, publishers and name parts repeat across a library.
    """
    out = _ESCAPE_RE.sub(_escape, text.strip()) if _NEEDS_ESCAPE.search(text) else text.strip()
    if protect_case and not out.islower():
        out = _PROTECT_RE.sub(_protect, out)
    return out


@lru_cache(maxsize=1)
def _char_table() -> dict[str, tuple[str, str]]:
    import json
    from importlib.resources import files

    data = json.loads(files("refcli.formats").joinpath("latex_chars.json").read_text("utf-8"))
    return {c: (kind, latex) for c, (kind, latex) in data.items()}


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _math_join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and out[-1].isalpha() and part[0].isalpha():
            out += " "  # \alpha then \beta is "\alpha\beta"; \leq then x needs a space
        out += part
    return "$" + out + "$"


def _encode_match(m: re.Match[str]) -> str:
    return _encode_run(m.group(0))


@lru_cache(maxsize=65536)
def _encode_run(run: str) -> str:
    table = _char_table()
    out: list[str] = []
    math: list[str] = []
    for ch in unicodedata.normalize("NFC", run):
        kind, latex = table.get(ch, ("", ""))
        if kind == "math":
            math.append(latex)
            continue
        if math:
            out.append(_math_join(math))
            math = []
        if kind == "text":
            out.append("{" + latex + "}")
        else:
            out.append(_transliterate(ch))
    if math:
        out.append(_math_join(math))
    return "".join(out)


def _transliterate(ch: str) -> str:
    """A character pdflatex cannot set, as ASCII text safe in a BibTeX value."""
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ""  # a combining mark or format character left after NFC: nothing to print
    from anyascii import anyascii

    ascii_text = anyascii(ch)
    return _ESCAPE_RE.sub(_escape, ascii_text) if _NEEDS_ESCAPE.search(ascii_text) else ascii_text


def transliteration(ch: str) -> str:
    """What an export writes for *ch* when it has no LaTeX form (``formats.translit``
    reports it)."""
    return _transliterate(ch)


def non_ascii_to_latex(text: str) -> str:
    """Every non-ASCII character of *text* (already escaped) as LaTeX pdflatex can set."""
    return _NON_ASCII_RUN.sub(_encode_match, text)


@lru_cache(maxsize=1)
def _outside_table() -> re.Pattern[str]:
    return re.compile("[^\\x00-\\x7f" + "".join(re.escape(c) for c in _char_table() if len(c) == 1) + "]")


def may_be_unsettable(text: str) -> bool:
    """False when every character of *text* is ASCII or in the LaTeX table (one regex
    scan, for whole-library checks); True means ``unsettable`` may find some."""
    return not text.isascii() and _outside_table().search(text) is not None


def unsettable(text: str) -> str:
    """The characters of *text* that plain pdflatex cannot set (transliterated on export)."""
    if text.isascii():
        return ""
    table = _char_table()
    return "".join(dict.fromkeys(c for c in unicodedata.normalize("NFC", text)
                                 if not c.isascii() and c not in table))


def _protect(m: re.Match[str]) -> str:
    word = m.group(0)
    if m.start() == 0 and word[1:].islower():  # a title's first word is capitalised anyway
        return word
    return "{" + word + "}" if any(map(str.isupper, word)) else word
