"""Corrections and retractions, as Crossref records them.

Crossref records them as ``update-to`` (on the notice) and ``updated-by`` (on the
work it concerns). ``updates_of`` keeps them in ``custom.updates``; a retraction
also sets ``custom.retracted``, which ``doctor``, ``cite`` and ``export --cited-in``
report.
"""

from __future__ import annotations

from typing import Any

from refcli.vocabulary import Item

_RETRACTION_TYPES = frozenset({"retraction", "removal", "withdrawal"})


def _date(value: Any) -> str | None:
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(parts[0]) if p is not None)
    return None


def updates_of(data: dict[str, Any]) -> dict[str, Any]:
    """``custom`` entries for a registry record's ``updated-by`` / ``update-to``."""
    from refcli.identifiers import normalize_doi

    custom: dict[str, Any] = {}
    for source_key, direction in (("updated-by", "updated-by"), ("update-to", "update-to")):
        entries = data.get(source_key)
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            doi = normalize_doi(str(entry.get("DOI") or ""))
            kind = str(entry.get("type") or "").lower()
            if not doi or not kind:
                continue
            record = {"relation": direction, "type": kind, "DOI": doi}
            date = _date(entry.get("updated"))
            if date:
                record["date"] = date
            if entry.get("label"):
                record["label"] = str(entry["label"])
            kept.append(record)
        if kept:
            custom.setdefault("updates", []).extend(kept)
            if direction == "updated-by":
                retraction = next((r for r in kept if r["type"] in _RETRACTION_TYPES), None)
                if retraction:
                    custom["retracted"] = {"notice": retraction["DOI"], **(
                        {"date": retraction["date"]} if "date" in retraction else {})}
    return custom


def retraction_note(item: Item) -> str | None:
    """'retracted (notice 10.…, 2010-02-06)' for a retracted work, else None."""
    custom = item.get("custom")
    retracted = custom.get("retracted") if isinstance(custom, dict) else None
    if not retracted:
        return None
    if isinstance(retracted, dict):
        details = ", ".join(str(retracted[k]) for k in ("notice", "date") if retracted.get(k))
        return f"retracted ({'notice ' + details if details else 'no details'})"
    return "retracted"
