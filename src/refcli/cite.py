"""Formatting citations, with finished results cached on disk.

Rendering 1,000 APA entries costs seconds in citeproc-py, and people re-run the
same ``refcli cite --all`` while they write. The whole result depends only on the
items, the style file, the locale, the format and the cited keys, so it is
cached under a hash of exactly those (and refcli's version, so a fix in the
engine is never hidden by an old answer).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

from refcli import __version__, csl, settings


def render(items: list[dict[str, Any]], style: str, locale: str | None = None, fmt: str = "text",
           cite_ids: list[str] | None = None, parts: Iterable[str] | None = None) -> dict[str, Any]:
    """``refcli.csl.render``, answered from the cache when nothing changed
    (``parts`` as there: ask only for what will be shown)."""
    import orjson

    path = csl.resolve_style(style)
    digest = hashlib.sha256()
    wanted = sorted(set(parts)) if parts is not None else None
    digest.update(orjson.dumps([__version__, str(path), os.stat(path).st_mtime_ns, locale, fmt, cite_ids, wanted]))
    for item in items:
        digest.update(orjson.dumps({k: v for k, v in item.items() if k != "custom"},
                                   option=orjson.OPT_SORT_KEYS))
    cached = settings.cache_dir() / "cite" / f"{digest.hexdigest()[:40]}.json"
    try:
        return orjson.loads(cached.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        pass
    result = csl.render(items, str(path), locale, fmt, cite_ids, wanted)
    settings.write_cache(cached, orjson.dumps(result))
    return result
