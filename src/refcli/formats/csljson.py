"""CSL-JSON files: an array of items, one item object, or {"items": [...]}.

Items are checked and normalised to CSL-JSON's shape (``shape.check``: text,
numbers, name objects, integer date parts); a bad item is reported by index and
skipped, the good ones are kept.
"""

from __future__ import annotations

import json

from refcli.errors import InputError
from refcli.formats.dates import settle_dates
from refcli.formats.model import Problem, ReadResult
from refcli.vocabulary import NAME_VARIABLES as NAME_VARS

__all__ = ["NAME_VARS", "checked_items", "read_csljson", "write_csljson"]


def _loads(text: str) -> object:
    try:
        import orjson

        return orjson.loads(text)
    except ImportError:  # orjson is a dependency, but json is always there
        return json.loads(text)


def read_csljson(text: str, source: str = "<stdin>") -> ReadResult:
    """Parse CSL-JSON; the top level must be a list, an item, or {"items": [...]}."""
    try:
        data = _loads(text)
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", where=source) from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    elif isinstance(data, dict) and ("type" in data or "title" in data or "id" in data):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            "not CSL-JSON: expected an array of items, an item or {\"items\": [...]}",
            where=source,
        )
    return checked_items(data, source)


def checked_items(data: list, source: str) -> ReadResult:
    """Items parsed from JSON or YAML, each checked for CSL-JSON's shape (``shape.check``)
    and its dates settled; a bad one is reported by index and skipped."""
    from refcli.formats.shape import ShapeError, check

    result = ReadResult()
    for i, raw in enumerate(data):
        ident = raw.get("id") if isinstance(raw, dict) else None
        label = f"{source}[{i}]" + (f" ({ident})" if isinstance(ident, str | int) else "")
        try:
            item = check(raw)
        except ShapeError as exc:
            result.problems.append(Problem(label, f"item skipped: {exc}"))
            continue
        if "id" in item:
            item["id"] = str(item["id"])
        result.problems.extend(Problem(label, w) for w in settle_dates(item))
        result.items.append(item)
    return result


def write_csljson(items: list[dict]) -> str:
    """Items -> pretty CSL-JSON (UTF-8, 2-space indent, trailing newline).

    orjson writes the same text as ``json.dumps(indent=2, ensure_ascii=False)``,
    many times faster (benchmarks/README.md).
    """
    import orjson

    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"
