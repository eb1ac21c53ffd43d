"""What several commands share: the library's path, looking works up by key or query, progress."""

import sys
from pathlib import Path
from typing import Any

from refcli import settings
from refcli.cli.output import _console


class _State:
    library: Path | None = None
    debug: bool = False


state = _State()


def library_path() -> Path:
    if state.library is None:
        state.library = settings.library_path()
    return state.library


# "-word" negates a search term, so unknown dash-words are query, not options.
_QUERY_ARGS = {"ignore_unknown_options": True}


def _query(query: list[str]) -> list[dict[str, Any]]:
    from refcli import index, search

    where, params = search.to_sql(search.parse_query(query))
    with index.fresh(library_path()) as idx:
        return idx.query(where, params)


def _get(key: str, idx: Any = None) -> dict[str, Any]:
    from refcli import index

    if idx is None:
        with index.fresh(library_path()) as idx:
            return _get(key, idx)
    item = idx.get(key)
    if item is None:
        from refcli.keys import similar_keys

        raise _not_found(key, similar_keys(key, idx.keys()))
    return item


def _not_found(key: str, close: list[str]) -> Exception:
    from refcli.errors import NotFoundError

    hint = f"; did you mean: {', '.join(close)}" if close else ""
    return NotFoundError(f"no work with key or DOI '{key}' in the library{hint}", str(library_path()))


def _progress(enabled: bool, auto_refresh: bool = True) -> Any:
    """A rich progress bar on stderr for long work, only when a person is watching."""
    import contextlib

    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress

    return Progress(console=_console(stderr=True), transient=True, auto_refresh=auto_refresh)
