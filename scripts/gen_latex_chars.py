"""Build src/refcli/formats/latex_chars.json: the LaTeX form of each non-ASCII character
that plain pdflatex can set.

Candidates are pylatexenc's Unicode -> LaTeX table plus refcli's own rules (sub- and
superscript digits as math, dashes and quotes as TeX ligatures, Greek and symbols as
math). Each candidate is set by a real ``pdflatex`` in the most plain document a
bibliography may land in (``article``, no packages, OT1 font encoding, as LaTeX
starts) with ``\\tracinglostchars=3`` so a missing glyph is an error too; only those
that compile without any error or lost character, and that refcli's reader decodes
back to the same character, go into the table. The BibTeX writer
transliterates every other character (CJK, Hebrew, Cyrillic in OT1...) unless
``--unicode`` is given.

Run after upgrading pylatexenc or TeX Live:

    .venv/bin/python scripts/gen_latex_chars.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "refcli" / "formats" / "latex_chars.json"

_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni", strict=True))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789+-=()aeoxhklmnpst", strict=True))
# Characters whose TeX form is a ligature or a plain ASCII spelling: readable in the
# .bib, understood by bibtex, biber and pandoc alike.
_OWN_TEXT = {
    "\u2013": "--", "\u2014": "---", "\u201c": "``", "\u201d": "''", "\u2018": "`",
    "\u2019": "'", "\u00a0": "~", "\u2009": "\\,", "\u2026": "\\ldots{}",
}


def accented_letters() -> dict[str, tuple[str, str]]:
    """Latin letters with accents, spelled with the same accent macros the reader decodes
    (pylatexenc spells a few differently: U with double acute as an acute)."""
    import unicodedata

    from refcli.formats.latex import _ACCENTS

    macro_of = {mark: macro for macro, mark in _ACCENTS.items()}
    out = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        c = chr(code)
        base, *marks = unicodedata.normalize("NFD", c)
        if not base.isascii() or not base.isalpha() or not marks or any(m not in macro_of for m in marks):
            continue
        latex = base
        for mark in marks:
            latex = "\\" + macro_of[mark] + "{" + latex + "}"
        out[c] = ("text", latex)
    return out


def candidates() -> dict[str, tuple[str, str]]:
    """char -> ("text" | "math", LaTeX)."""
    from pylatexenc.latexencode._uni2latexmap import uni2latex

    out: dict[str, tuple[str, str]] = {}
    for code, latex in uni2latex.items():
        if code < 0x80:
            continue
        latex = latex.strip()
        m = re.fullmatch(r"\\ensuremath\{(.*)\}", latex)
        out[chr(code)] = ("math", m.group(1)) if m else ("text", latex)
    out.update(accented_letters())
    for ch, body in _SUPER.items():
        out[ch] = ("math", "^{" + body + "}")
    for ch, body in _SUB.items():
        out[ch] = ("math", "_{" + body + "}")
    for ch, latex in _OWN_TEXT.items():
        out[ch] = ("text", latex)
    return out


def _setting(kind: str, latex: str) -> str:
    return f"${latex}$" if kind == "math" else "{" + latex + "}"


def _failing_lines(lines: list[str]) -> set[int]:
    """Indexes of *lines* that pdflatex cannot set in a plain article."""
    head = ["\\documentclass{article}", "\\tracinglostchars=3", "\\begin{document}"]
    tex = "\n".join([*head, *lines, "\\end{document}", ""])
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "chars.tex").write_text(tex, encoding="utf-8")
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "chars.tex"],
                       cwd=tmp, capture_output=True, timeout=600)
        log = Path(tmp, "chars.log").read_text(encoding="latin-1")
    first = len(head) + 1
    return {int(n) - first for n in re.findall(r"^l\.(\d+)", log, re.MULTILINE)}


def check(cands: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The candidates pdflatex sets without an error or a lost character, both as their
    LaTeX (bibtex copies it to the .bbl) and as the UTF-8 character itself (biber decodes
    the text macros, not maths, and writes UTF-8 to the .bbl, which LaTeX's utf8 input
    encoding must then know)."""
    chars = sorted(cands)
    as_latex = _failing_lines([f"x{_setting(*cands[c])}x\\par" for c in chars])
    as_utf8 = _failing_lines([f"x{c}x\\par" for c in chars])
    return {c: cands[c] for i, c in enumerate(chars)
            if i not in as_latex and (i not in as_utf8 or cands[c][0] == "math")}


def reads_back(cands: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The candidates refcli's own BibTeX reader decodes to the same character, or to
    one no further from it than its transliteration (Ħ as H with a macron beats "H"),
    so that an export read back in loses no more than it must."""
    import unicodedata

    from anyascii import anyascii

    from refcli.formats.latex import latex_to_unicode

    out = {}
    for c, (kind, latex) in cands.items():
        back = latex_to_unicode("x" + _setting(kind, latex) + "x")[1:-1]
        want = unicodedata.normalize("NFC", c)
        if back == want or (c.isspace() and back.isspace()) or (
                back and anyascii(back) == anyascii(want)):
            out[c] = (kind, latex)
    return out


def main() -> int:
    cands = candidates()
    good = reads_back(check(cands))
    table = {c: [kind, latex] for c, (kind, latex) in sorted(good.items())}
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"{len(good)} of {len(cands)} characters compile in plain pdflatex and read back -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
