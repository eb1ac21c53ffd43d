"""A git merge driver for the library, so a lab can share one in a repository.

Line-based merging fails on a library exactly when it matters: two people who
each add a reference on the same day both insert a line before the closing
``]``, and git reports a conflict. This driver merges by item instead: it
compares base, ours and theirs key by key, keeps every addition from both sides,
takes each side's edits, and when both sides edited the same item keeps ours and
records theirs in ``custom.merged`` (the same rule as any other merge). The same
work added on both sides under different keys becomes one item; two different
works that happen to get the same key keep both, the second with a new key.
"""

from __future__ import annotations

from pathlib import Path

from refcli import libfile, store
from refcli.dedupe import Matcher, merge
from refcli.errors import UsageError
from refcli.keys import unique_key
from refcli.store import now_iso
from refcli.vocabulary import Item


def merge3(base: list[Item], ours: list[Item], theirs: list[Item]) -> list[Item]:
    """The merged library; never fails, never drops an item one side still has."""
    when = now_iso()
    b = {str(i.get("id")): i for i in base}
    o = {str(i.get("id")): i for i in ours}
    t = {str(i.get("id")): i for i in theirs}

    result: list[Item] = []
    for key, mine in o.items():
        old, other = b.get(key), t.get(key)
        if other is None:
            if old is not None and old == mine:
                continue  # they deleted it and we did not touch it
            result.append(mine)
        elif other == mine or (old is not None and other == old):
            result.append(mine)  # only we changed it (or nobody, or both the same way)
        elif old is not None and mine == old:
            result.append(other)  # only they changed it
        elif old is not None or _same_work(mine, other):
            merged = _copy(mine)
            merge(merged, other, "git merge (their side)", when)
            result.append(merged)
        else:
            result.append(mine)  # two different works under one new key: handled below

    matcher = Matcher(result)
    taken = {str(i.get("id")) for i in result}
    for key, other in t.items():
        if key in o and (key in b or _same_work(o[key], other) or other == o[key]):
            continue
        old = b.get(key)
        if key not in o and old is not None and old == other:
            continue  # we deleted it and they did not touch it
        twin = matcher.find(other)
        if twin is not None:
            merge(twin, other, "git merge (their side)", when)
            continue
        if key in taken:
            other = {**other, "id": unique_key(key, taken)}
        taken.add(str(other["id"]))
        result.append(other)
        matcher.add(other)
    return result


def _same_work(a: Item, b: Item) -> bool:
    return Matcher([a]).find(b) is not None


def _copy(item: Item) -> Item:
    import orjson

    return orjson.loads(orjson.dumps(item))


def merge_files(base: Path, ours: Path, theirs: Path) -> int:
    """Git's ``%O %A %B``: write the merge into *ours*; the number of items written."""
    items = merge3(*(libfile.parse(libfile.read_bytes(p), p) for p in (base, ours, theirs)))
    store.atomic_write(ours, libfile.dumps(items))
    return len(items)


def setup(library: Path, command: str = "refcli") -> str:
    """Register the driver in the library's git repository; returns what was done."""
    import subprocess

    folder = library.resolve().parent
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise UsageError(f"{folder} is not inside a git repository") from None
    subprocess.run(["git", "-C", top, "config", "merge.refcli.name", "refcli library merge"], check=True)
    subprocess.run(["git", "-C", top, "config", "merge.refcli.driver",
                    f"{command} git-merge %O %A %B"], check=True)
    relative = library.resolve().relative_to(Path(top).resolve()).as_posix()
    _add_line(Path(top) / ".gitattributes", f"{relative} merge=refcli")
    # The lock and the backups are this machine's, not the lab's.
    parent = relative.rpartition("/")[0]
    for private in (f".{library.name}.lock", f".{library.name}.backups/"):
        _add_line(Path(top) / ".gitignore", f"{parent}/{private}" if parent else private)
    return f"git in {top} now merges {relative} item by item (see .gitattributes, .gitignore)"


def _add_line(path: Path, line: str) -> None:
    existing = path.read_text() if path.exists() else ""
    if line not in existing.splitlines():
        path.write_text(existing + ("\n" if existing and not existing.endswith("\n") else "") + line + "\n")
