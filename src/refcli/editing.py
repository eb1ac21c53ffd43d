"""Editing one item in the user's editor, safely.

The editor command is split with ``shlex`` and run without a shell, on a private
temporary file (mode 0600). The edited text must be one valid CSL-JSON item with
the same key; anything else is refused and the library is left as it was.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from typing import Any

from refcli import formats
from refcli.errors import InputError, UsageError


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


def edit_item(item: dict[str, Any]) -> dict[str, Any] | None:
    """Open *item* in the editor; the checked new item, or None if nothing changed."""
    import orjson

    command = editor_command()
    original = orjson.dumps(item, option=orjson.OPT_INDENT_2) + b"\n"
    fd, name = tempfile.mkstemp(prefix=f"refcli-{item['id']}-", suffix=".json")
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
            text = fh.read()
    finally:
        if os.path.exists(name):
            os.unlink(name)
    if text == original:
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line = text[: exc.pos].count(b"\n") + 1 if exc.pos is not None else "?"
        raise InputError(f"not valid JSON ({exc.msg}); nothing saved", f"line {line}") from None
    return check_item(data, str(item["id"]), "edited item")
