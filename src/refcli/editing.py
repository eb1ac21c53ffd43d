"""Editing one item in the user's editor, safely.

The editor command is split with ``shlex`` and run without a shell, on a private
temporary file (mode 0600). The edited text must be one valid CSL-JSON item with
the same key; anything else is refused and the library is left as it was.

Editing takes minutes, and the library is not locked meanwhile, so another
refcli may tag, merge or add to the same work. ``merge_edit`` therefore applies
only the difference the user made, field by field, to the item as it is when
saving; the same field changed on both sides is a conflict, and nothing is saved.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from refcli import formats
from refcli.errors import InputError, NotFoundError, RefcliError, UsageError
from refcli.library import Library, now_iso
from refcli.vocabulary import Item

# custom fields that are sets of names: both sides' additions and removals combine.
_SET_FIELDS = ("custom.tags", "custom.aliases")
_TEMP_PREFIX = "refcli-edit-"


class EditConflict(RefcliError):
    """The user and another command changed the same field: nothing is saved."""

    exit_code = 1


def editor_command() -> list[str]:
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var)
        if value:
            return shlex.split(value)
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise UsageError("no editor: set $EDITOR (e.g. export EDITOR=nano)")


def check_item(data: Any, key: str, where: str) -> dict[str, Any]:
    """One CSL-JSON item with the given key, in the shape the library stores."""
    import orjson

    if not isinstance(data, dict):
        raise InputError("the edited text must be one JSON object (a CSL-JSON item)", where)
    if data.get("id") != key:
        raise InputError(f"the key cannot change (was '{key}', now '{data.get('id')}')", where)
    result = formats.read(orjson.dumps([data]).decode(), "csljson", source=where)
    if result.problems:
        raise InputError(result.problems[0].message, where)
    return result.items[0]


def run_editor(original: bytes, label: str, suffix: str, limit: int | None = None) -> bytes:
    """*original* opened in the user's editor in a private temporary file; the file's
    bytes afterwards (at most *limit* + 1 of them, so a caller can refuse more)."""
    command = editor_command()
    remove_dead_editor_files()
    # The pid in the name lets a later edit remove what a killed one left behind.
    safe_label = re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:40]
    fd, name = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-{safe_label}-", suffix=suffix)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, original)
        os.close(fd)
        try:
            status = subprocess.call([*command, name])
        except OSError as exc:
            raise UsageError(f"cannot run editor '{command[0]}': {exc.strerror}") from None
        if status != 0:
            raise UsageError(f"editor exited with status {status}; nothing saved")
        with open(name, "rb") as fh:
            return fh.read() if limit is None else fh.read(limit + 1)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def edit_item(item: dict[str, Any]) -> dict[str, Any] | None:
    """Open *item* in the editor; the checked new item, or None if nothing changed."""
    import orjson

    original = orjson.dumps(item, option=orjson.OPT_INDENT_2) + b"\n"
    text = run_editor(original, str(item["id"]), ".json")
    if text == original:
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line = text[: exc.pos].count(b"\n") + 1 if exc.pos is not None else "?"
        raise InputError(f"not valid JSON ({exc.msg}); nothing saved", f"line {line}") from None
    return check_item(data, str(item["id"]), "edited item")


def remove_dead_editor_files() -> None:
    """Delete the edit files of refcli processes that were killed while editing."""
    from refcli.store import remove_dead_temp_files

    remove_dead_temp_files(Path(tempfile.gettempdir()), f"{_TEMP_PREFIX}*",
                           re.compile(rf"\A{_TEMP_PREFIX}(\d+)-"))


_MISSING = object()


def _merge_value(field: str, base: Any, mine: Any, theirs: Any) -> Any:
    """One field, three ways: the side that changed it wins; both changing it the same
    way agree; set-like lists combine both sides' additions and removals; anything
    else is a conflict."""
    if mine in (base, theirs):
        return theirs
    if theirs == base:
        return mine
    if field in _SET_FIELDS and all(isinstance(v, list) or v is _MISSING for v in (base, mine, theirs)):
        b, m, t = ([] if v is _MISSING else v for v in (base, mine, theirs))
        removed = [v for v in b if v not in m]
        out = [v for v in t if v not in removed] + [v for v in m if v not in b and v not in t]
        return out if out or theirs is not _MISSING else _MISSING
    raise EditConflict(f"'{field}' was changed by another refcli command while you edited this work;"
                       " nothing was saved")


def _dict(value: Any) -> Item:
    return {} if value is _MISSING else value


def _merge_fields(base: Item, mine: Item, theirs: Item, prefix: str = "") -> Item:
    out: Item = {}
    for field in [*theirs, *(f for f in mine if f not in theirs), *(f for f in base if f not in theirs and f not in mine)]:
        b, m, t = (d.get(field, _MISSING) for d in (base, mine, theirs))
        if field == "custom" and not prefix and all(isinstance(v, dict) or v is _MISSING for v in (b, m, t)):
            value: Any = _merge_fields(_dict(b), _dict(m), _dict(t), prefix="custom.")
        elif prefix and field == "modified":
            value = t if m == b else m  # bookkeeping: set again below
        else:
            value = _merge_value(prefix + field, b, m, t)
        if value is not _MISSING:
            out[field] = value
    return out


def save_edit(lib: Library, before: Item, edited: Item) -> Item:
    """Save the work *before* as the user *edited* it, into the work as it is now in
    *lib* (``merge_edit``); the changed fields are marked so that ``refcli update``
    never overwrites them."""
    from refcli.update import mark_edited

    mark_edited(before, edited)
    key = str(before["id"])
    current = lib.get(key)
    if current is None:
        raise NotFoundError(f"'{key}' was removed while you edited it")
    return lib.replace(key, merge_edit(before, edited, current))  # keeps what others changed meanwhile


def merge_edit(base: Item, mine: Item, theirs: Item) -> Item:
    """*theirs* (the stored item now) with the changes the user made to *base* (the item
    as opened in the editor) to get *mine*. Raises ``EditConflict`` when a field the
    user changed was changed differently meanwhile; a change made meanwhile to any
    other field (a tag, a DOI, an alias from a merge) is kept."""
    if str(theirs.get("id")) != str(base.get("id")):
        raise EditConflict(f"'{base.get('id')}' was merged into '{theirs.get('id')}' while you edited it;"
                           " nothing was saved")
    with contextlib.suppress(InputError):  # read back as the editor's text is: untouched fields never differ
        base = check_item(base, str(base.get("id")), "stored item")
    merged = _merge_fields(base, mine, theirs)
    if isinstance(merged.get("custom"), dict) and merged != theirs:
        merged["custom"]["modified"] = now_iso()
    return merged
