"""Decoding bytes whose encoding nobody declared.

Reference files and documents arrive in whatever encoding their author's tool
used, sometimes several in one file (a UTF-8 export with a pasted Latin-1 record,
a Russian CP1251 paragraph). Decoding line by line keeps one odd line from turning
every other accented line into mojibake, which a whole-file guess would do.
"""

from __future__ import annotations


def decode_line(line: bytes) -> str:
    """One line that is not UTF-8: CP1251 when it reads as Russian, else CP1252.

    In CP1251 Russian nearly every letter is a byte >= 0xC0; Western text in
    Latin-1/CP1252 has a few accented letters among many ASCII ones.
    """
    high = sum(1 for b in line if b >= 0xC0)
    ascii_letters = sum(1 for b in line if 65 <= b <= 90 or 97 <= b <= 122)
    if high and high > 0.5 * ascii_letters:
        return line.decode("cp1251", errors="replace")
    return line.decode("cp1252", errors="replace")


def decode_lines(data: bytes) -> str:
    """*data* decoded line by line: UTF-8 where a line is valid UTF-8, else a guess."""
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(decode_line(line))
    return "\n".join(lines)


# Typographic ligatures that PDF text (and text copied from a PDF) carries:
# "classiﬁcation" would be stored, searched as typed and exported to BibTeX with a
# character pdflatex cannot set.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})


def spell_ligatures(text: str) -> str:
    """*text* with "ﬁ", "ﬂ", "ﬀ" … written as their letters."""
    return text.translate(_LIGATURES)
