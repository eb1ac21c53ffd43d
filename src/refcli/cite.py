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


def _cached(kind: str, key_parts: list[Any], items: list[dict[str, Any]], compute: Any) -> dict[str, Any]:
    """``compute()``'s result, kept under a hash of ``key_parts`` and the items
    (their ``custom`` bookkeeping left out: it never changes the output)."""
    import orjson

    digest = hashlib.sha256()
    digest.update(orjson.dumps([__version__, kind, *key_parts]))
    for item in items:
        digest.update(orjson.dumps({k: v for k, v in item.items() if k != "custom"},
                                   option=orjson.OPT_SORT_KEYS))
    cached = settings.cache_dir() / "cite" / f"{digest.hexdigest()[:40]}.json"
    try:
        return orjson.loads(cached.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        pass
    result = compute()
    settings.write_cache(cached, orjson.dumps(result))
    return result


def render(items: list[dict[str, Any]], style: str, locale: str | None = None, fmt: str = "text",
           cite_ids: list[str] | None = None, parts: Iterable[str] | None = None) -> dict[str, Any]:
    """``refcli.csl.render``, answered from the cache when nothing changed
    (``parts`` as there: ask only for what will be shown)."""
    path = csl.resolve_style(style)
    wanted = sorted(set(parts)) if parts is not None else None
    return _cached("render", [str(path), os.stat(path).st_mtime_ns, locale, fmt, cite_ids, wanted], items,
                   lambda: csl.render(items, str(path), locale, fmt, cite_ids, wanted))


def render_clusters(items: list[dict[str, Any]], style: str, clusters: list[Any], locale: str | None = None,
                    fmt: str = "text", parts: Iterable[str] | None = None) -> dict[str, Any]:
    """``refcli.csl.render_clusters``, answered from the cache when nothing changed."""
    path = csl.resolve_style(style)
    wanted = sorted(set(parts)) if parts is not None else None
    return _cached("clusters", [str(path), os.stat(path).st_mtime_ns, locale, fmt, clusters, wanted], items,
                   lambda: csl.render_clusters(items, str(path), clusters, locale, fmt, parts=wanted))


def clusters_from_args(args: list[str], locale: str | None = None) -> list[dict[str, Any]]:
    """Citations asked for on the command line: with pandoc syntax anywhere
    (``[see @a, p. 3]``, ``@a [p. 4]``, ``[-@a]``) each argument holds its own
    citations, in order; bare keys alone (``a b``) are one citation of them all."""
    from refcli import citesyntax

    if not any("@" in a for a in args):
        cites = [c for a in args for cl in citesyntax.parse(a) for c in cl["citationItems"]]
        return [{"citationItems": cites, "properties": {}}]
    out: list[dict[str, Any]] = []
    for arg in args:
        for cluster in citesyntax.parse(arg, locale or "en-US"):
            cluster["input"] = arg
            out.append(cluster)
    return out


def cited_keys(clusters: list[dict[str, Any]]) -> list[str]:
    """Every key the clusters cite, once, in order of first citation."""
    return list(dict.fromkeys(c["id"] for cl in clusters for c in cl["citationItems"]))


def first_of_each_id(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Items with a repeated id (compared case-insensitively, as the engine
    does) dropped after the first, and one warning per dropped item."""
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    warnings: list[str] = []
    for n, item in enumerate(items):
        key = str(item.get("id", "")).lower()
        if key in seen:
            warnings.append(f"item {item.get('id')} (#{n + 1}): duplicate id, the first item with it is used")
            continue
        seen.add(key)
        kept.append(item)
    return kept, warnings
