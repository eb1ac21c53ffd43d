"""Splitting a .bib file into entries: a fast path for well-formed files.

bibtexparser v2's splitter walks the text one mark (brace, quote, comma, equals
sign, newline) at a time in Python, a large share of adding a big file
(benchmarks/README.md). This module reproduces its splitting for the ordinary case with
a few regular expressions that match a whole field at once, and gives up
(returns None) at anything it does not reproduce exactly: ``(``-delimited blocks,
a repeated field, a block start at a line start inside a value, ``{"}`` in a
quoted value, nesting deeper than four braces, any syntax error. The caller then
uses bibtexparser, so its recovery and error messages stay the reference
behaviour and this module never has to match them.

The rules followed are bibtexparser's: a brace, quote or comma after a backslash
is text; inside braces quotes are text; a value runs to the next comma or
closing brace outside braces and quotes and is kept raw (delimiters included);
an ``@type{`` anywhere outside a block starts one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class Block:
    """One block as the BibTeX reader needs it (bibtexparser's are converted to this)."""

    kind: str  # "entry", "string", "preamble" or "failed"
    line: int  # 1-based line of the "@"
    entry_type: str = ""
    key: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, raw value)
    note: str | None = None  # a warning about the entry ("repeated field(s) ...")
    value: str = ""  # of a @string or a @preamble (inside the block's braces, as bibtexparser gives it)
    raw: str = ""  # of a failed block
    reason: str = ""  # why a failed block failed


class _Unusual(Exception):
    """Something the fast path does not reproduce: let bibtexparser split the file."""


_NOT_BRACE = r'(?:[^{}]|(?<=\\)[{}])'  # a brace after a backslash is text


def _braced(depth: int) -> str:
    group = r"(?<!\\)\{" + _NOT_BRACE + r"*+\}"
    for _ in range(depth - 1):
        group = r"(?<!\\)\{(?:" + _NOT_BRACE + "|" + group + r")*+\}"
    return group


_BRACED = _braced(4)
_QUOTED = r'(?<!\\)"(?:[^"]|(?<=\\)")*+"'  # braces inside quotes are text
_BARE = r'(?:[^{}",]|(?<=\\)[{}",])'
_BLOCK_START = re.compile(r"@\w*[ \t]*(?=[{(])")
_HEAD = re.compile(r'\{([^{}",=@\\]*)([,}])')  # keys: no backslashes (escaped marks)
_FIELD = re.compile(r'\s*([^{}",=\s@\\]+)\s*=((?:' + _BRACED + "|" + _QUOTED + "|" + _BARE + r')*+)([,}])')
_ENTRY_END = re.compile(r"\s*\}")
_STRING = re.compile(r'\{\s*([^{}",=@\\]+?)\s*=((?:' + _NOT_BRACE + "|" + _BRACED + r")*+)\}")
_COMMENT = re.compile(r"\{(?:" + _NOT_BRACE + "|" + _BRACED + r")*+\}")
_LINE_START_BLOCK = re.compile(r"\n\s*@\w*[ \t]*[{(]")


def split(text: str) -> list[Block] | None:
    """The entries and @strings of *text* in order, or None when bibtexparser must decide."""
    if '{"}' in text:
        return None
    try:
        return _split(text)
    except _Unusual:
        return None


def _split(text: str) -> list[Block]:
    blocks: list[Block] = []
    pos, line, counted = 0, 1, 0
    while True:
        start = _BLOCK_START.search(text, pos)
        if start is None:
            return blocks
        line += text.count("\n", counted, start.start())
        counted = start.start()
        kind = start.group(0)[1:].strip().lower()
        if text[start.end()] != "{" or not kind:
            raise _Unusual()
        # bibtexparser's own tests: "@commentary{" is a comment, too.
        if kind.startswith(("comment", "preamble")):
            body = _COMMENT.match(text, start.end())
            if body is None or (kind.startswith("preamble") and '"' in body.group(0)):
                raise _Unusual()
            _check_no_block_start(body.group(0))
            if kind == "preamble":
                blocks.append(Block("preamble", line, value=body.group(0)[1:-1].strip()))
            pos = body.end()
        elif kind.startswith("string"):
            body = _STRING.match(text, start.end())
            if body is None or not body.group(1).strip():
                raise _Unusual()
            _check_no_block_start(body.group(0))
            blocks.append(Block("string", line, key=body.group(1).strip(), value=body.group(2).strip()))
            pos = body.end()
        else:
            block, pos = _entry(text, start.end(), kind, line)
            blocks.append(block)


def _entry(text: str, pos: int, kind: str, line: int) -> tuple[Block, int]:
    head = _HEAD.match(text, pos)
    if head is None or not head.group(1).strip():
        raise _Unusual()
    _check_no_block_start(head.group(1))
    block = Block("entry", line, kind, head.group(1).strip())
    pos = head.end()
    if head.group(2) == "}":
        return block, pos
    names: set[str] = set()
    while True:
        end = _ENTRY_END.match(text, pos)
        if end is not None:
            return block, end.end()
        found = _FIELD.match(text, pos)
        if found is None:
            raise _Unusual()
        name, value = found.group(1), found.group(2)
        if name in names or ("@" in value and "\n" in value and _LINE_START_BLOCK.search(value)):
            raise _Unusual()
        names.add(name)
        block.fields.append((name, value.strip()))
        pos = found.end()
        if found.group(3) == "}":
            return block, pos


def _check_no_block_start(part: str) -> None:
    if "@" in part and _LINE_START_BLOCK.search(part):
        raise _Unusual()
