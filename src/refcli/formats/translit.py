"""What a pdflatex export could not write as LaTeX, said once per entry and field.

BibTeX and BibLaTeX exports write every character as LaTeX that plain pdflatex
sets (``formats.latex``); a character with no LaTeX form (CJK, Hebrew, Devanagari…)
is transliterated to ASCII instead, which changes what the reader sees. Each such
entry and field gets one line naming the characters and what was written for them:

    mao1937: title: '矛盾论' written as 'MaoDunLun' (no LaTeX form; --unicode keeps them)

A whole-library export looks only at the library lines holding a character outside
the LaTeX table, so the check costs nothing for a library without one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from refcli.formats.latex import may_be_unsettable, transliteration, unsettable

MAX_RUNS = 3  # runs shown per field; the rest as "…"


def field_transliterations(item: dict, biblatex: bool = False) -> list[str]:
    """One line per field of *item*'s entry that holds characters with no LaTeX form."""
    from refcli.formats.bibtex import citation_key, item_to_fields

    _etype, fields = item_to_fields(item, biblatex)
    lines = []
    for name, value in fields:
        chars = unsettable(value)
        if not chars:
            continue
        runs = list(dict.fromkeys(re.findall(f"[{re.escape(chars)}]+", value)))
        shown = ", ".join(f"{run!r} written as {''.join(map(transliteration, run))!r}" for run in runs[:MAX_RUNS])
        more = ", …" if len(runs) > MAX_RUNS else ""
        lines.append(f"{citation_key(item)}: {name}: {shown}{more} (no LaTeX form; --unicode keeps them)")
    return lines


def transliterations(items: Iterable[dict], biblatex: bool = False) -> list[str]:
    """The lines for every item whose export transliterates something."""
    return [line for item in items if _may_need(item) for line in field_transliterations(item, biblatex)]


def _may_need(item: dict) -> bool:
    import orjson

    text = orjson.dumps(item).decode("utf-8")
    return may_be_unsettable(text) and bool(unsettable(text))


_ASCII = bytes(range(128))
# a JSON escape of a non-ASCII character (orjson writes them as UTF-8; a hand edit may not)
_ESCAPED_NON_ASCII = re.compile(rb"\\u(?!00[0-7])[0-9a-fA-F]{4}")


def library_transliterations(path: Path, biblatex: bool = False) -> list[str]:
    """The same for the library file at *path*. The file's distinct non-ASCII
    characters are checked first (a library of accented Latin names is done there);
    then only the lines holding one outside the LaTeX table are parsed."""
    import orjson

    from refcli import libfile

    raw = libfile.read_bytes(path)
    # Deleting the ASCII bytes leaves every UTF-8 sequence whole: the file's non-ASCII
    # characters, at C speed.
    chars = set(raw.translate(None, _ASCII).decode("utf-8", "replace"))
    needles = [c.encode("utf-8") for c in chars if may_be_unsettable(c)]
    escaped = _ESCAPED_NON_ASCII.search(raw) is not None
    if not needles and not escaped:
        return []
    lines = libfile.item_lines(raw, path)
    if lines is None:  # not one item per line: the whole file
        return transliterations(libfile.parse(raw, path), biblatex)
    out: list[str] = []
    for line in lines:
        if any(n in line for n in needles) or escaped and _ESCAPED_NON_ASCII.search(line):
            item = orjson.loads(line)
            if isinstance(item, dict) and _may_need(item):
                out.extend(field_transliterations(item, biblatex))
    return out
