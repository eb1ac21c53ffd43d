"""Choosing works interactively, for editors to call: ``refcli pick [QUERY]``.

With fzf installed (or ``REFCLI_PICKER`` naming it) the library's matches are fed
to it, one line per work; otherwise a small built-in prompt lists them numbered on
the terminal, narrows them by more words, and takes numbers. Either way the
chosen keys come back in the order chosen; the CLI prints them as pandoc
``[@a; @b]``, LaTeX ``\\cite{a,b}``, bare keys, or a formatted citation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from refcli.errors import UsageError
from refcli.vocabulary import Item

SHOWN = 20  # rows the built-in prompt lists at once
_CONTROL = dict.fromkeys(range(32), " ")


def line(item: Item) -> str:
    """``key<TAB>Author Year Title (Container)``, free of control characters."""
    from refcli.keys import year_of

    names = [n for n in item.get("author") or item.get("editor") or [] if isinstance(n, dict)]
    who = (names[0].get("family") or names[0].get("literal") or "") if names else ""
    if len(names) > 1:
        who += " et al." if len(names) > 2 else f" & {names[1].get('family') or names[1].get('literal') or ''}"
    parts = [who, year_of(item), str(item.get("title") or "")]
    if item.get("container-title"):
        parts.append(f"({item['container-title']})")
    text = " ".join(p for p in parts if p).translate(_CONTROL)
    return f"{item['id']}\t{text}"


def matches(library: Path, terms: list[str], limit: int | None = None) -> list[Item]:
    from refcli import index, search

    where, params = search.to_sql(search.parse_query(terms))
    with index.fresh(library) as idx:
        return idx.query(where, params, limit)


def picker() -> list[str] | None:
    """The fzf command to use, or None for the built-in prompt."""
    chosen = os.environ.get("REFCLI_PICKER", "")
    if chosen == "builtin":
        return None
    if chosen:
        import shlex

        return shlex.split(chosen)
    found = shutil.which("fzf")
    return [found] if found else None


def with_fzf(command: list[str], lines: list[str], query: str) -> list[str]:
    """Keys chosen in fzf (its own UI on the terminal); [] when cancelled."""
    try:
        proc = subprocess.run([*command, "--multi", "--delimiter", "\t", "--with-nth", "2..",
                               "--prompt", "refcli> ", "--query", query,
                               "--header", "TAB selects several, ENTER accepts"],
                              input="\n".join(lines) + "\n", stdout=subprocess.PIPE, text=True)
    except OSError as exc:
        raise UsageError(f"cannot run '{command[0]}': {exc.strerror}") from None
    if proc.returncode not in (0, 1):  # 1: no match, 130: cancelled
        return []
    return [out.split("\t", 1)[0] for out in proc.stdout.splitlines() if out.strip()]


def with_prompt(search: Callable[[list[str]], list[Item]], terms: list[str],
                read: Callable[[str], str], out: TextIO) -> list[str]:
    """The built-in picker: numbers choose, words narrow the list, an empty line cancels."""
    found = search(terms)
    while True:
        if not found:
            out.write("no matching works\n")
        for n, item in enumerate(found[:SHOWN], 1):
            out.write(f"{n:3}  {line(item).replace(chr(9), '  ')}\n")
        if len(found) > SHOWN:
            out.write(f"     … {len(found) - SHOWN} more: type words to narrow the list\n")
        out.flush()
        try:
            answer = read("numbers to choose, words to narrow, Enter to cancel> ").strip()
        except EOFError:
            return []
        if not answer:
            return []
        tokens = answer.replace(",", " ").split()
        if all(t.isdigit() for t in tokens):
            picked = [int(t) for t in tokens]
            if all(1 <= n <= min(len(found), SHOWN) for n in picked):
                return list(dict.fromkeys(str(found[n - 1]["id"]) for n in picked))
            out.write(f"choose between 1 and {min(len(found), SHOWN)}\n")
            continue
        terms = [*terms, *tokens]
        found = search(terms)


def render(keys: list[str], fmt: str) -> str:
    """The chosen keys as text to insert: pandoc, latex or keys."""
    if fmt == "pandoc":
        return "[" + "; ".join(f"@{k}" for k in keys) + "]"
    if fmt == "latex":
        return "\\cite{" + ",".join(keys) + "}"
    if fmt == "keys":
        return "\n".join(keys)
    raise UsageError(f"unknown format '{fmt}': use pandoc, latex, keys or citation")
