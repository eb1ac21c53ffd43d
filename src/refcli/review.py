"""Reviewing duplicates by hand: list the possible ones, dismiss, merge, unmerge.

``refcli add`` merges only what is certainly one work; what may be (a record
whose evidence is strong but not conclusive) is added as its own work and named
in ``custom.possible-duplicates``. This module finds those pairs, and any others
the library holds (works added before, hand edits, git merges), with the
evidence for and against; remembers that two works are distinct
(``custom.distinct`` on both); merges by hand; and splits a merged work back
into its records, from what each merge recorded (``custom.sources`` entries with
the merged key and the fields it filled or agreed on, ``custom.merged`` for the
values that conflicted) or, where it recorded nothing, from the backups.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refcli.dedupe import Matcher, decide_pair
from refcli.errors import NotFoundError, UsageError
from refcli.library import Library
from refcli.matching import MAYBE, SAME, Decision, fold, heads, norm
from refcli.vocabulary import Item


@dataclass
class Pair:
    """Two works that may be one, with the decision on them now."""

    a: str
    b: str
    decision: Decision
    recorded: bool  # named in custom.possible-duplicates (rather than found by a scan)

    def as_json(self, titles: dict[str, str]) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "title_a": titles.get(self.a, ""), "title_b": titles.get(self.b, ""),
                "recorded": self.recorded, **self.decision.as_json()}


def _custom(item: Item) -> dict[str, Any]:
    """The item's ``custom`` object, or an empty one where a hand edit left another shape."""
    custom = item.get("custom")
    return custom if isinstance(custom, dict) else {}


def _listed(custom: dict[str, Any], name: str) -> list[Any]:
    value = custom.get(name)
    return value if isinstance(value, list) else []


def _distinct(item: Item) -> set[str]:
    return {str(k) for k in _listed(_custom(item), "distinct")}


def find_pairs(items: list[Item], fuzzy: bool = True) -> list[Pair]:
    """Possible (and certain) duplicates among *items*: the recorded ones and those a
    scan finds, except pairs marked distinct; highest score first. Without *fuzzy*
    the scan compares only works sharing an identifier or a normalised (main) title,
    a few times faster (for ``doctor``)."""
    by_key = {str(i.get("id")): i for i in items if isinstance(i, dict) and i.get("id")}
    aliases = {str(a): k for k, i in by_key.items() for a in _listed(_custom(i), "aliases")}
    pairs: dict[frozenset[str], Pair] = {}

    def consider(a: Item, b: Item, recorded: bool) -> None:
        ka, kb = str(a["id"]), str(b["id"])
        if ka == kb or kb in _distinct(a) or ka in _distinct(b):
            return
        pair = frozenset((ka, kb))
        if pair in pairs:
            pairs[pair].recorded |= recorded
            return
        decision = decide_pair(a, b)
        if recorded or decision.verdict in (SAME, MAYBE):
            pairs[pair] = Pair(ka, kb, decision, recorded)

    for item in by_key.values():
        for entry in _listed(_custom(item), "possible-duplicates"):
            other = entry.get("key") if isinstance(entry, dict) else None
            other = aliases.get(str(other), str(other)) if other else None
            if other in by_key:
                consider(item, by_key[other], True)
    if fuzzy:
        matcher = Matcher()
        for item in by_key.values():
            verdict = matcher.judge(item)
            if verdict.same is not None:
                consider(item, verdict.same, False)
            for other, _ in verdict.maybe:
                consider(item, other, False)
            matcher.add(item)
    else:
        for a, b in _same_titles(list(by_key.values())):
            consider(a, b, False)
    return sorted(pairs.values(), key=lambda p: (-p.decision.score, p.a, p.b))


# Works of one title compared pairwise, at most this many (a library's hundred
# "Editorial"s are never one work by title anyway).
GROUP_LIMIT = 50


def _same_titles(items: list[Item]) -> Iterable[tuple[Item, Item]]:
    """Pairs of works whose normalised titles are equal, or one the other's main title."""
    by_title: dict[str, list[Item]] = {}
    for item in items:
        title = norm(fold(str(item.get("title") or "")))
        if title:
            by_title.setdefault(title, []).append(item)
    for group in by_title.values():
        if 1 < len(group) <= GROUP_LIMIT:
            yield from itertools.combinations(group, 2)
    for item in items:
        for head in heads(str(item.get("title") or "")):
            for other in by_title.get(head, ())[:GROUP_LIMIT]:
                yield item, other


def matching_query(pairs: list[Pair], items: Iterable[Item], words: list[str]) -> list[Pair]:
    """The pairs one of whose works has every word of *words* in its key, title or names."""
    if not words:
        return pairs
    wanted = [fold(w) for w in words]
    text: dict[str, str] = {}
    for item in items:
        names = " ".join(str(n.get("family") or n.get("literal") or "") for n in item.get("author") or ()
                         if isinstance(n, dict))
        text[str(item.get("id"))] = fold(f"{item.get('id')} {item.get('title') or ''} {names}")
    return [p for p in pairs if any(all(w in text.get(k, "") for w in wanted) for k in (p.a, p.b))]


def mark_distinct(lib: Library, a: str, b: str, when: str) -> tuple[str, str]:
    """Remember that works *a* and *b* are distinct: neither is proposed again."""
    first, second = lib.work(a), lib.work(b)
    if first is second:
        raise UsageError(f"'{a}' and '{b}' are one work")
    ka, kb = str(first["id"]), str(second["id"])
    for item, other in ((first, kb), (second, ka)):
        custom = item.setdefault("custom", {})
        if other not in custom.get("distinct", []):
            custom.setdefault("distinct", []).append(other)
            custom["modified"] = when
        left = [e for e in custom.get("possible-duplicates") or ()
                if not (isinstance(e, dict) and e.get("key") in (other, a, b))]
        if left:
            custom["possible-duplicates"] = left
        else:
            custom.pop("possible-duplicates", None)
    return ka, kb


def merge_works(lib: Library, keep: str, others: list[str], when: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """Merge the works *others* into *keep* (by hand): every field is kept (conflicts
    in ``custom.merged``), their keys become aliases, and links to them still resolve."""
    kept = lib.work(keep)
    done = []
    for key in others:
        _, their_key, fields = lib.merge(str(kept["id"]), key, f"refcli merge {kept['id']} {lib.work(key)['id']}", when)
        done.append((their_key, fields))
    return str(kept["id"]), done


def unmerge(lib: Library, key: str, alias: str, when: str) -> tuple[Item, str]:
    """Split the record that was merged into *key* under its key *alias* back out as
    a work of its own; returns (the work, how it was rebuilt: "record" or "backup")."""
    item = lib.work(key)
    custom = item.setdefault("custom", {})
    if alias == item["id"] or alias not in (custom.get("aliases") or ()):
        raise UsageError(f"'{alias}' is not a key merged into '{item['id']}' (its aliases: "
                         f"{', '.join(custom.get('aliases') or ()) or 'none'})")
    entries = [e for e in custom.get("sources") or () if isinstance(e, dict) and e.get("key") == alias]
    restored = _from_backup(lib.path, alias) if not entries or _hand_merge(entries) else None
    how = "backup"
    if restored is None:
        if not entries:
            raise NotFoundError(f"refcli kept no record of what '{alias}' brought into '{item['id']}' "
                                f"(merged before refcli recorded merges) and no backup holds it")
        restored, how = _rebuild(item, alias, entries), "record"
    lib.restore_links(item, alias, entries)  # works whose cites the merge moved cite the record again
    # What that record filled in leaves the kept work; shared and conflicting values stay findable.
    for entry in entries:
        for name in entry.get("filled") or ():
            item.pop(name, None)
        at, source = entry.get("at"), entry.get("source")
        custom["merged"] = [m for m in custom.get("merged") or ()
                            if not (m.get("at") == at and m.get("source") == source)]
        if not custom["merged"]:
            custom.pop("merged")
    custom["sources"] = [e for e in custom.get("sources") or () if e not in entries]
    custom["aliases"] = [a for a in custom["aliases"] if a != alias]
    if not custom["aliases"]:
        custom.pop("aliases")
    custom["modified"] = when
    theirs = restored.setdefault("custom", {})
    theirs.setdefault("sources", []).append({"source": f"refcli unmerge {item['id']} {alias}", "at": when})
    if str(item["id"]) not in theirs.get("distinct", []):
        theirs.setdefault("distinct", []).append(str(item["id"]))
    if alias not in custom.get("distinct", []):
        custom.setdefault("distinct", []).append(alias)
    lib.append(restored)
    return restored, how


def _hand_merge(entries: list[dict[str, Any]]) -> bool:
    """A merge by ``refcli merge``: the other work was stored on its own before, so a
    backup holds it exactly as it was."""
    return any(str(e.get("source", "")).startswith("refcli merge ") for e in entries)


def _rebuild(item: Item, alias: str, entries: list[dict[str, Any]]) -> Item:
    out: Item = {"id": alias}
    for entry in entries:
        for name in entry.get("agreed") or ():
            if name in item:
                out[name] = copy.deepcopy(item[name])
        for name in entry.get("filled") or ():
            if name in item:
                out[name] = copy.deepcopy(item[name])
        for merged in _listed(_custom(item), "merged"):
            if merged.get("at") == entry.get("at") and merged.get("source") == entry.get("source"):
                for name, value in (merged.get("fields") or {}).items():
                    if "." not in name:
                        out[name] = copy.deepcopy(value)
    out.setdefault("type", item.get("type", "document"))
    first = entries[0]
    out["custom"] = {"schema": _custom(item).get("schema"), "added": first.get("at"),
                     "sources": [{"source": first.get("source"), "at": first.get("at")}]}
    if out["custom"]["schema"] is None:
        del out["custom"]["schema"]
    return out


def _from_backup(path: Path, alias: str) -> Item | None:
    """The newest backup's work stored under the key *alias*, if any backup holds one."""
    import orjson

    from refcli.store import backup_dir, history

    needle = b'{"id":' + orjson.dumps(alias)
    for entry in reversed(history(path)):
        data = (backup_dir(path) / entry["backup"]).read_bytes()
        if needle not in data:
            continue
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError:
            continue
        for found in items if isinstance(items, list) else ():
            if isinstance(found, dict) and found.get("id") == alias:
                return found
    return None

