"""What the shell offers after TAB: keys, tags, style names, formats.

Called by Click's completion protocol (``_REFCLI_COMPLETE=complete_bash`` and the
zsh/fish equivalents, set up by ``refcli --install-completion``) in a fresh
process for every TAB, so each answer comes from the derived index with one
range query on its primary key: instant at 100,000 works.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

LIMIT = 200  # a shell shows no more usefully
FORMATS = ("bibtex", "biblatex", "csl-json", "ris")
CITE_FORMATS = ("terminal", "text", "html", "markdown", "latex")


def library_from(ctx: Any) -> Path:
    """The library a command line names (``--library`` before the command), else the default."""
    from refcli import settings

    root = ctx.find_root() if ctx is not None else None
    given = root.params.get("library") if root is not None else None
    return Path(given).expanduser() if given else settings.library_path()


def keys(library: Path, prefix: str, limit: int = LIMIT) -> list[str]:
    """Keys (and former keys) starting with *prefix*, sorted."""
    from refcli import index

    if not library.exists():
        return []
    try:
        conn = index.open_fresh(library)
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []
    if conn is None:
        return []
    try:
        high = prefix + "\U0010ffff"
        found = [k for (k,) in conn.execute(
            "SELECT id FROM items WHERE id >= ? AND id < ? ORDER BY id LIMIT ?", (prefix, high, limit))]
        if len(found) < limit:
            found += [k for (k,) in conn.execute(
                "SELECT alias FROM aliases WHERE alias >= ? AND alias < ? ORDER BY alias LIMIT ?",
                (prefix, high, limit - len(found)))]
        return sorted(set(found))
    finally:
        conn.close()


def tags(library: Path, prefix: str) -> list[str]:
    """Tags in use that start with *prefix* (as the index keeps them: case-folded)."""
    from refcli import index

    if not library.exists():
        return []
    try:
        conn = index.open_fresh(library)
    except Exception:  # noqa: BLE001
        return []
    if conn is None:
        return []
    try:
        found: set[str] = set()
        for (joined,) in conn.execute("SELECT DISTINCT tags FROM items WHERE length(tags) > 2"):
            found.update(t for t in joined.split("\x1f") if t and t.startswith(prefix.casefold()))
        return sorted(found)[:LIMIT]
    finally:
        conn.close()


def styles(prefix: str) -> list[str]:
    """Bundled CSL style names starting with *prefix*, or ``.csl`` files when it is a path."""
    if os.sep in prefix or prefix.endswith(".csl"):
        return []  # the shell completes file names itself
    from refcli.csl import list_styles

    return [s.name for s in list_styles() if s.name.startswith(prefix)][:LIMIT]


def tag_changes(library: Path, incomplete: str) -> list[str]:
    """``refcli tag KEY +TAG -TAG``: + or - followed by a tag in use."""
    sign = incomplete[:1] if incomplete[:1] in ("+", "-") else "+"
    word = incomplete[1:] if incomplete[:1] in ("+", "-") else incomplete
    return [sign + t for t in tags(library, word)]
