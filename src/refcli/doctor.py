"""Checking a library, and repairing what can be repaired without guessing.

A library is edited by hand, merged by git and written by other tools, so its
invariants can break: ids must be unique and valid keys, a DOI must name one
work, CSL fields must have their CSL shapes, and ``custom.cites`` must point at
items that exist. ``check`` reports; ``fix`` repairs by rules that lose nothing
(a duplicate is merged into the first copy, a bad value moves to ``custom``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from refcli.identifiers import normalize_doi
from refcli.keys import is_valid_key

Item = dict[str, Any]

NAME_FIELDS = ("author", "editor", "translator", "container-author", "collection-editor",
               "director", "composer", "interviewer", "recipient", "reviewed-author", "original-author")
DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str | None
    message: str
    fixable: bool


def _shape_problems(item: Item) -> list[str]:
    problems = []
    if not isinstance(item.get("type"), str) or not item.get("type"):
        problems.append("type is missing")
    for field in NAME_FIELDS:
        value = item.get(field)
        if value is not None and not (isinstance(value, list) and all(isinstance(n, dict) for n in value)):
            problems.append(f"{field} is not a list of names")
    for field in DATE_FIELDS:
        value = item.get(field)
        if value is None:
            continue
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if not isinstance(value, dict) or ("date-parts" in value and not _valid_parts(parts)):
            problems.append(f"{field} is not a CSL date")
    if not isinstance(item.get("custom", {}), dict):
        problems.append("custom is not an object")
    return problems


def _valid_parts(parts: Any) -> bool:
    if not isinstance(parts, list) or not parts:
        return False
    for part in parts:
        if not isinstance(part, list) or not 1 <= len(part) <= 3:
            return False
        try:
            numbers = [int(p) for p in part]
        except (TypeError, ValueError):
            return False
        if len(numbers) > 1 and not (1 <= numbers[1] <= 12 or 21 <= numbers[1] <= 24):  # 21-24: seasons
            return False
        if len(numbers) > 2 and not 1 <= numbers[2] <= 31:
            return False
    return True


def check(items: list[Item]) -> list[Finding]:
    """Everything wrong with *items*, most serious first."""
    findings: list[Finding] = []
    ids = Counter(str(i.get("id")) for i in items)
    for key, count in ids.items():
        if count > 1:
            findings.append(Finding("duplicate-key", key, f"{count} items share this key", True))
    for item in items:
        key = str(item.get("id", ""))
        if not key or not is_valid_key(key):
            findings.append(Finding("bad-key", key or None, "key is missing or not usable in BibTeX", True))
    dois: dict[str, str] = {}
    for item in items:
        doi = normalize_doi(item.get("DOI")) if isinstance(item.get("DOI"), str) else None
        if item.get("DOI") and not doi:
            findings.append(Finding("bad-doi", item.get("id"), f"not a DOI: {item.get('DOI')!r}", True))
        elif doi and doi != item.get("DOI"):
            findings.append(Finding("doi-spelling", item.get("id"), f"DOI not in canonical form: {item['DOI']}", True))
        if doi and doi in dois and dois[doi] != item.get("id"):
            findings.append(Finding("duplicate-doi", item.get("id"), f"same DOI as {dois[doi]}: {doi}", True))
        elif doi:
            dois[doi] = item.get("id")
    for item in items:
        for problem in _shape_problems(item):
            findings.append(Finding("bad-field", item.get("id"), problem, True))
    known = set(ids)
    for item in items:
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        dangling = [c for c in custom.get("cites") or () if c not in known]
        if dangling:
            findings.append(Finding("dangling-cites", item.get("id"),
                                    f"cites {len(dangling)} missing works: {', '.join(map(str, dangling[:5]))}", True))
    return findings


def fix(items: list[Item]) -> tuple[list[Item], list[str]]:
    """A repaired copy of *items* and what was done. Nothing is dropped: merged
    duplicates keep the other copy's values in ``custom.merged``, bad values move
    to ``custom.invalid``."""
    import orjson

    from refcli.dedupe import merge
    from refcli.keys import assign_key, base_key
    from refcli.store import now_iso

    when = now_iso()
    done: list[str] = []
    out: list[Item] = []
    taken: set[str] = set()
    by_doi: dict[str, Item] = {}
    for original in items:
        item = orjson.loads(orjson.dumps(original))
        custom = item.setdefault("custom", {}) if isinstance(item.get("custom"), dict) else None
        if custom is None:
            item["custom"] = custom = {"invalid": {"custom": original.get("custom")}}
            done.append(f"{item.get('id')}: custom was not an object; kept under custom.invalid")
        for problem in _shape_problems(item):
            field = problem.split()[0]
            if field == "type":
                item["type"] = "document"
            else:
                custom.setdefault("invalid", {})[field] = item.pop(field)
            done.append(f"{item.get('id')}: {problem}; moved aside")
        raw_doi = item.get("DOI")
        if raw_doi is not None:
            doi = normalize_doi(raw_doi) if isinstance(raw_doi, str) else None
            if doi:
                item["DOI"] = doi
            else:
                custom.setdefault("invalid", {})["DOI"] = item.pop("DOI")
                done.append(f"{item.get('id')}: invalid DOI moved to custom.invalid")
        twin = by_doi.get(item.get("DOI", ""))
        if twin is not None:
            merge(twin, item, "refcli doctor --fix", when)
            done.append(f"{item.get('id')}: same DOI as {twin['id']}; merged into it")
            continue
        key = str(item.get("id") or "")
        if not key or not is_valid_key(key) or key in taken:
            new = assign_key(item if is_valid_key(key) else {**item, "id": base_key(item)}, taken)
            done.append(f"{key or '(no key)'}: key was {'taken' if key in taken else 'unusable'}; now {new}")
            item["id"] = new
        taken.add(item["id"])
        if item.get("DOI"):
            by_doi[item["DOI"]] = item
        out.append(item)
    known = {i["id"] for i in out} | {a for i in out for a in i["custom"].get("aliases", [])}
    for item in out:
        cites = item["custom"].get("cites")
        if cites:
            kept = [c for c in cites if c in known]
            if kept != cites:
                item["custom"]["cites"] = kept
                item["custom"].setdefault("invalid", {})["cites"] = [c for c in cites if c not in known]
                done.append(f"{item['id']}: {len(cites) - len(kept)} dangling cites links moved aside")
    return out, done
