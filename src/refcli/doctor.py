"""Library checks and repairs behind ``refcli doctor [--fix]``.

The store keeps whatever the readers, a text editor or git merges put in the
file, so years of use can leave keys used twice, one DOI on two works, dates
like 2025-13-45 or ``cites`` links to removed works. ``check`` finds these
without changing anything; ``fix`` repairs what can be repaired without
guessing (the CLI saves the old file as a backup first, so ``refcli undo``
reverts it) and leaves the rest to the user.

Kept free of heavy imports: the CLI imports it on every ``refcli doctor``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from refcli.formats.csljson import NAME_VARS
from refcli.formats.dates import DATE_VARS, date_problem, repair_date

Item = dict[str, Any]

# CSL 1.0.2 item types (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types)
CSL_TYPES = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter
classic collection dataset document entry entry-dictionary entry-encyclopedia event
figure graphic hearing interview legal_case legislation manuscript map motion_picture
musical_score pamphlet paper-conference patent performance periodical personal_communication
post post-weblog regulation report review review-book software song speech standard thesis
treaty webpage
""".split())

# Fields CSL defines as strings (numbers are allowed too: volume 12, page 3).
TEXT_FIELDS = (
    "title", "container-title", "collection-title", "publisher", "publisher-place", "volume",
    "issue", "page", "edition", "URL", "ISBN", "ISSN", "PMID", "PMCID", "abstract", "note",
    "language", "number", "genre", "event-title", "event-place", "title-short",
    "container-title-short",
)


@dataclass(frozen=True)
class Finding:
    """One problem: what kind, which work (None for the library as a whole), and
    whether ``fix`` can repair it without guessing."""

    kind: str
    key: str | None
    message: str
    fixable: bool


# ------------------------------------------------------------------ field validation


def _name_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return "is not a list of names"
    for name in value:
        if not isinstance(name, dict):
            return "holds a name that is not a CSL name object"
        if not any(isinstance(name.get(p), str) and name.get(p).strip()
                   for p in ("family", "given", "literal")):
            return "holds a name with no family, given or literal part"
    return None


# ------------------------------------------------------------------ checks


def _key(item: Item) -> str | None:
    key = item.get("id")
    return str(key) if isinstance(key, (str, int)) and str(key) else None


def _doi(item: Item) -> str | None:
    from refcli.identifiers import normalize_doi

    value = item.get("DOI")
    return normalize_doi(value) if isinstance(value, str) else None


def _item_findings(item: Item) -> Iterator[Finding]:
    key = _key(item)
    if key is None:
        yield Finding("missing-id", None, f"a work has no citation key (title: {str(item.get('title', ''))[:60]!r})", True)
    kind = item.get("type")
    if kind not in CSL_TYPES:
        yield Finding("bad-type", key, f"type {kind!r} is not a CSL item type", True)
    if "DOI" in item:
        doi = _doi(item)
        if doi is None:
            yield Finding("bad-doi", key, f"DOI {item['DOI']!r} is not a DOI", False)
        elif item["DOI"] != doi:
            yield Finding("bad-doi", key, f"DOI {item['DOI']!r} is not in canonical form ({doi})", True)
    for field in DATE_VARS:
        if field in item and (problem := date_problem(item[field])):
            yield Finding("bad-date", key, f"{field} {problem}", True)
    for field in NAME_VARS:
        if field in item and (problem := _name_problem(item[field])):
            yield Finding("bad-name", key, f"{field} {problem}", True)
    for field in TEXT_FIELDS:
        value = item.get(field)
        if field in item and (not isinstance(value, (str, int, float)) or isinstance(value, bool)):
            fixable = isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)
            yield Finding("bad-field", key, f"{field} is a {type(value).__name__}, not text", fixable)
    custom = item.get("custom", {})
    if not isinstance(custom, dict):
        yield Finding("bad-custom", key, "custom is not an object", False)
        return
    for field in ("tags", "cites"):
        value = custom.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            yield Finding("bad-custom", key, f"custom.{field} is not a list of strings", True)


def check(items: list[Item]) -> list[Finding]:
    """Everything wrong with *items* (a loaded library), in library order; changes nothing."""
    findings: list[Finding] = []
    seen_keys: dict[str, int] = {}
    seen_dois: dict[str, str | None] = {}
    doi_items: dict[str, Item] = {}
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            findings.append(Finding("not-an-item", None, f"entry {n + 1} is not a JSON object", True))
            continue
        findings.extend(_item_findings(item))
        key = _key(item)
        if key is not None:
            if key in seen_keys:
                findings.append(Finding("duplicate-id", key, f"key {key!r} is used by {seen_keys[key] + 1} works", True))
            seen_keys[key] = seen_keys.get(key, 0) + 1
        doi = _doi(item)
        if doi is not None:
            if doi in seen_dois and (against := _not_one_work(item, doi_items[doi])):
                findings.append(Finding("shared-doi", key,
                                        f"DOI {doi} is also on {seen_dois[doi] or 'a work without key'}, "
                                        f"not certainly the same work ({against}): not merged; "
                                        "correct the DOI by hand", False))
            elif doi in seen_dois:
                findings.append(Finding("duplicate-doi", key,
                                        f"DOI {doi} is also on {seen_dois[doi] or 'a work without key'}", True))
            else:
                seen_dois[doi] = key
                doi_items[doi] = item
    keys = set(seen_keys) | _aliases(items)
    for item in items:
        for target in (_cites(item) or []) if isinstance(item, dict) else []:
            if isinstance(target, str) and target not in keys:
                findings.append(Finding("dangling-cite", _key(item),
                                        f"cites {target!r}, which is not in the library", True))
    findings.extend(_duplicates(items))
    return findings


def _not_one_work(a: Item, b: Item) -> str:
    """Why two works sharing a DOI are not certainly one (``refcli.matching.decide``: a
    chapter carrying its book's DOI, a notice with its article's), or "" when they are."""
    from refcli.matching import SAME, decide

    decision = decide(a, b)
    return "" if decision.verdict == SAME else ", ".join(decision.evidence_against) or decision.verdict


def _duplicates(items: list[Item]) -> Iterator[Finding]:
    """Works that are (or may be) one work: for review with ``refcli duplicates``.
    The quick scan (shared identifier or normalised title): ``refcli duplicates``
    also compares near titles of the same author and year."""
    from refcli.review import find_pairs

    valid = {i["id"]: i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str) and i["id"]}
    for pair in find_pairs(list(valid.values()), fuzzy=False):
        if _doi(valid[pair.a]) is not None and _doi(valid[pair.a]) == _doi(valid[pair.b]):
            continue  # reported (and fixed) as duplicate-doi
        d = pair.decision
        certain = d.verdict == "same"
        why = "; ".join(filter(None, ("for: " + ", ".join(d.evidence_for) if d.evidence_for else "",
                                      "against: " + ", ".join(d.evidence_against) if d.evidence_against else "")))
        yield Finding("duplicate" if certain else "possible-duplicate", pair.a,
                      f"{'is' if certain else 'may be'} the same work as {pair.b!r} (score {d.score:.2f}"
                      f"{'; ' + why if why else ''}): refcli merge {pair.a} {pair.b}, or "
                      f"refcli duplicates --not {pair.a} {pair.b}", False)


def _aliases(items: list[Item]) -> set[str]:
    out: set[str] = set()
    for item in items:
        custom = item.get("custom") if isinstance(item, dict) else None
        aliases = custom.get("aliases", []) if isinstance(custom, dict) else []
        if isinstance(aliases, list):
            out.update(a for a in aliases if isinstance(a, str))
    return out


# ------------------------------------------------------------------ repairs


def _fix_names(value: Any) -> list[dict]:
    names = value if isinstance(value, list) else [value]
    out = []
    for name in names:
        if isinstance(name, str) and name.strip():
            out.append({"literal": name.strip()})
        elif isinstance(name, dict) and any(isinstance(name.get(p), str) and name[p].strip()
                                            for p in ("family", "given", "literal")):
            out.append(name)
    return out


def _repair_fields(item: Item, key: str | None, done: list[str]) -> None:
    from refcli.identifiers import normalize_doi

    label = key or "(no key)"
    if item.get("type") not in CSL_TYPES:
        custom = item.setdefault("custom", {})
        if isinstance(custom, dict) and item.get("type") is not None:
            custom["original-type"] = item.get("type")
        item["type"] = "document"
        done.append(f"{label}: type set to 'document'")
    if isinstance(item.get("DOI"), str):
        doi = normalize_doi(item["DOI"])
        if doi and doi != item["DOI"]:
            item["DOI"] = doi
            done.append(f"{label}: DOI written as {doi}")
    for field in DATE_VARS:
        if field in item and date_problem(item[field]):
            fixed = repair_date(item[field])
            if fixed is None:
                item.pop(field)
                done.append(f"{label}: removed empty {field}")
            else:
                item[field] = fixed
                done.append(f"{label}: {field} keeps only its valid parts")
    for field in NAME_VARS:
        if field in item and _name_problem(item[field]):
            names = _fix_names(item[field])
            if names:
                item[field] = names
            else:
                item.pop(field)
            done.append(f"{label}: {field} rewritten as CSL names")
    for field in TEXT_FIELDS:
        value = item.get(field)
        if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
            item[field] = "; ".join(str(v) for v in value)
            done.append(f"{label}: {field} joined into text")
    custom = item.get("custom")
    if isinstance(custom, dict):
        for field in ("tags", "cites"):
            value = custom.get(field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                values = value if isinstance(value, list) else [value]
                custom[field] = [v for v in values if isinstance(v, str) and v]
                done.append(f"{label}: custom.{field} cleaned")


def _repair_keys(items: list[Item], done: list[str]) -> None:
    """Give every work a key of its own; later holders of a key used twice get a new one."""
    from refcli.keys import assign_key

    taken: set[str] = set()
    for item in items:
        key = _key(item)
        if key is not None and key not in taken:
            taken.add(key)
            continue
        new = assign_key(item, taken, keep_existing=key is not None)
        done.append(f"{key or '(no key)'}: key {'changed' if key else 'assigned'} to {new}")
        item["id"] = new
        taken.add(new)


def _merge_duplicate_dois(items: list[Item], done: list[str]) -> list[Item]:
    """Merge works that share a DOI into the first one, losing no field (dedupe.merge)."""
    from refcli.dedupe import merge
    from refcli.store import now_iso

    first: dict[str, Item] = {}
    renamed: dict[str, str] = {}
    kept: list[Item] = []
    for item in items:
        doi = _doi(item)
        if doi is None or doi not in first:
            if doi is not None:
                first[doi] = item
            kept.append(item)
            continue
        target = first[doi]
        if _not_one_work(item, target):
            kept.append(item)  # reported as shared-doi: the user corrects the DOI
            continue
        merge(target, item, source="refcli doctor --fix", when=now_iso())
        theirs, mine = item.get("custom"), target.setdefault("custom", {})
        for field in ("tags", "cites"):  # bookkeeping the field merge leaves alone
            if not isinstance(theirs, dict) or not isinstance(mine, dict):
                break
            for value in theirs.get(field, []):
                if value not in mine.setdefault(field, []):
                    mine[field].append(value)
        renamed[item["id"]] = target["id"]
        done.append(f"{item['id']}: merged into {target['id']} (same DOI {doi})")
    if renamed:
        for item in kept:
            cites = _cites(item)
            if cites is not None:
                new = [renamed.get(c, c) for c in cites]
                item["custom"]["cites"] = [c for n, c in enumerate(new) if c not in new[:n] and c != item["id"]]
    return kept


def _cites(item: Item) -> list | None:
    custom = item.get("custom")
    cites = custom.get("cites") if isinstance(custom, dict) else None
    return cites if isinstance(cites, list) else None


def _drop_dangling(items: list[Item], done: list[str]) -> None:
    keys = {item["id"] for item in items} | _aliases(items)
    for item in items:
        cites = _cites(item)
        if isinstance(cites, list) and any(c not in keys for c in cites):
            gone = [c for c in cites if c not in keys]
            item["custom"]["cites"] = [c for c in cites if c in keys]
            done.append(f"{item['id']}: removed links to missing works {', '.join(gone)}")


def fix(items: list[Item]) -> tuple[list[Item], list[str]]:
    """Repair what ``check`` marks fixable; returns (new items, what was done).

    *items* is not changed (the caller may still need the old state). Problems
    that need a person (a DOI that is no DOI, a custom that is not an object)
    are left as they are and still reported by ``check``.
    """
    done: list[str] = []
    work = [copy.deepcopy(i) for i in items if isinstance(i, dict)]
    if len(work) != len(items):
        done.append(f"dropped {len(items) - len(work)} entries that were not JSON objects")
    _repair_keys(work, done)
    for item in work:
        _repair_fields(item, _key(item), done)
    work = _merge_duplicate_dois(work, done)
    _drop_dangling(work, done)
    return work, done
