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

from refcli.formats.latex import transliteration, unsettable

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
    return not text.isascii() and bool(unsettable(text))


def library_transliterations(path: Path, biblatex: bool = False) -> list[str]:
    """The same for the library file at *path*: only its lines with a character
    outside ASCII (or a ``\\u`` escape) are parsed."""
    import orjson

    from refcli import libfile

    raw = libfile.read_bytes(path)
    lines = libfile.item_lines(raw, path)
    if lines is None:  # not one item per line: the whole file
        return transliterations(libfile.parse(raw, path), biblatex)
    out: list[str] = []
    for line in lines:
        if line.isascii() and b"\\u" not in line:
            continue
        item = orjson.loads(line)
        if isinstance(item, dict) and _may_need(item):
            out.extend(field_transliterations(item, biblatex))
    return out
