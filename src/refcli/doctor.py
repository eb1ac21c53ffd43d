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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refcli.corrections import retraction_note
from refcli.dedupe import merge
from refcli.formats.dates import date_problem, repair_date
from refcli.identifiers import normalize_doi
from refcli.keys import assign_key
from refcli.library import Library, now_iso
from refcli.vocabulary import DATE_VARIABLES, NAME_VARIABLES, TYPES, Item

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
        if not any(isinstance(part := name.get(p), str) and part.strip()
                   for p in ("family", "given", "literal")):
            return "holds a name with no family, given or literal part"
    return None


# ------------------------------------------------------------------ checks


def _key(item: Item) -> str | None:
    key = item.get("id")
    return str(key) if isinstance(key, (str, int)) and str(key) else None


def _doi(item: Item) -> str | None:
    value = item.get("DOI")
    return normalize_doi(value) if isinstance(value, str) else None


def _item_findings(item: Item) -> Iterator[Finding]:
    key = _key(item)
    if key is None:
        yield Finding("missing-id", None, f"a work has no citation key (title: {str(item.get('title', ''))[:60]!r})", True)
    kind = item.get("type")
    if kind not in TYPES:
        yield Finding("bad-type", key, f"type {kind!r} is not a CSL item type", True)
    if "DOI" in item:
        doi = _doi(item)
        if doi is None:
            yield Finding("bad-doi", key, f"DOI {item['DOI']!r} is not a DOI", False)
        elif item["DOI"] != doi:
            yield Finding("bad-doi", key, f"DOI {item['DOI']!r} is not in canonical form ({doi})", True)
    for field in DATE_VARIABLES:
        if field in item and (problem := date_problem(item[field])):
            yield Finding("bad-date", key, f"{field} {problem}", True)
    for field in NAME_VARIABLES:
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
        if (note := retraction_note(item)) is not None:
            findings.append(Finding("retracted", key, f"{note}: cite it only as such", False))
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
    label = key or "(no key)"
    if item.get("type") not in TYPES:
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
    for field in DATE_VARIABLES:
        if field in item and date_problem(item[field]):
            fixed = repair_date(item[field])
            if fixed is None:
                item.pop(field)
                done.append(f"{label}: removed empty {field}")
            else:
                item[field] = fixed
                done.append(f"{label}: {field} keeps only its valid parts")
    for field in NAME_VARIABLES:
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


def fix_library(lib: Library) -> list[str]:
    """``fix`` applied to the library in a transaction; returns what was done."""
    items, done = fix(lib.items)
    lib.repair(items)
    return done


def missing_files(library: Path, items: list[Item]) -> list[Finding]:
    """Attached files that are no longer where the library keeps them."""
    from refcli import attachments

    return [Finding("missing-file", key, f"attached file {path} is missing", False)
            for key, path in attachments.missing(library, items)]


# ------------------------------------------------------------------ damaged lines

_KEY = re.compile(rb'\{"id":("(?:[^"\\]|\\.)*")')


def _body(raw: bytes) -> list[bytes] | None:
    """The item lines of a library in refcli's one-item-per-line layout, split at every
    raw line break (a damaged line that lost its comma does not swallow the next
    one); None for another layout."""
    lines = raw.split(b"\n")
    if raw in (b"", b"[]\n") or len(lines) < 3 or lines[0] != b"[" or lines[-2:] != [b"]", b""]:
        return None
    return lines[1:-2]


def damage(raw: bytes) -> list[Finding]:
    """The lines no reader will use: damaged ones (``damaged-line``, repaired from a
    backup by ``repair_damage``) and works written by a newer refcli (``newer-format``,
    left for that refcli). Each names its 1-based line in the file."""
    from refcli.libfile import line_problem

    found = []
    for n, line in enumerate(_body(raw) or [], start=2):
        problem = line_problem(line.removesuffix(b","))
        if problem is not None:
            key = _key_of(line)
            newer = "newer refcli" in problem
            found.append(Finding("newer-format" if newer else "damaged-line", key,
                                 f"line {n}: the work {problem}", not newer))
    return found


def _key_of(line: bytes) -> str | None:
    import orjson

    found = _KEY.match(line)
    if found is None:
        return None
    try:
        key = orjson.loads(found.group(1))
    except orjson.JSONDecodeError:
        return None
    return key if isinstance(key, str) else None


def _backups_newest_first(folder: Path) -> list[Path]:
    """Every backup refcli keeps (the undo history, and the states undo replaced), newest first."""
    def stamp(p: Path) -> str:
        return p.name.removeprefix("undone-")

    return sorted([*folder.glob("[0-9]*.json"), *folder.glob("undone-*.json")], key=stamp, reverse=True)


def _good_copy(key: str, backups: list[Path]) -> tuple[bytes, Path] | None:
    """The line of *key* in the most recent backup where it is a readable item."""
    import orjson

    from refcli.libfile import line_problem

    marker = b'\n{"id":' + orjson.dumps(key)
    for backup in backups:
        try:
            data = backup.read_bytes()
        except OSError:
            continue
        start = data.find(marker)
        while start >= 0:
            end = data.find(b"\n", start + 1)
            line = data[start + 1 : end if end >= 0 else len(data)].removesuffix(b",")
            if line_problem(line) is None and _key_of(line) == key:
                return line, backup
            start = data.find(marker, start + 1)
    return None


def repair_damage(path: Path) -> list[str]:
    """Replace each damaged line of the library by the most recent good copy of its
    work in the backups, under the lock, as one change ``undo`` can revert. Every
    damaged text is kept in the backup folder (``damaged-<time>.txt``): it may hold
    changes newer than any backup; a line with no good copy anywhere leaves the
    library. Returns what was done, line by line."""
    import time

    from refcli import libfile, store

    def change(raw: bytes) -> tuple[bytes | None, list[str]]:
        body = _body(raw)
        if body is None:
            return None, []
        folder = store.backup_dir(path)
        backups = _backups_newest_first(folder)
        kept: list[bytes] = []
        rescued: list[bytes] = []
        done: list[str] = []
        rescue = folder / f"damaged-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.txt"
        for n, line in enumerate(body, start=2):
            text = line.removesuffix(b",")
            problem = libfile.line_problem(text)
            if problem is None:
                kept.append(text)
                continue
            if "newer refcli" in problem:
                raise libfile.unreadable(path, n, problem)
            key = _key_of(text)
            copy = _good_copy(key, backups) if key is not None else None
            if text.strip():
                rescued.append(text)  # it may hold changes newer than any backup
            if copy is not None:
                kept.append(copy[0])
                done.append(f"line {n}: restored {key} from backup {copy[1].name}"
                            f" (the damaged text is kept in {rescue})")
            elif text.strip():
                done.append(f"line {n}: no backup holds a good copy of {key or 'this work'}; removed it from"
                            f" the library, its text is kept in {rescue}")
            else:
                done.append(f"line {n}: removed an empty line")
        if rescued:
            folder.mkdir(exist_ok=True)
            with open(rescue, "ab") as fh:
                fh.write(b"\n".join(rescued) + b"\n")
        return libfile.join_lines(kept), done

    result: list[str] = store.rewrite(path, "doctor --fix (damaged lines)", change)
    return result
