"""A Markdown note per work, kept in the item (``custom.notes``) so it travels with
the library, and written in the user's editor (``refcli note KEY``). The search
index folds the note into what bare search words match."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Any

from refcli.errors import UsageError

Item = dict[str, Any]
MAX_NOTE = 1_000_000


def edit_note(item: Item) -> str | None:
    """The note after the editor, or None when it did not change."""
    from refcli.editing import editor_command

    command = editor_command()
    original = str((item.get("custom") or {}).get("notes") or "")
    fd, name = tempfile.mkstemp(prefix=f"refcli-note-{item['id']}-", suffix=".md")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, original.encode("utf-8"))
        os.close(fd)
        try:
            status = subprocess.call([*command, name])
        except OSError as exc:
            raise UsageError(f"cannot run editor '{command[0]}': {exc.strerror}") from None
        if status != 0:
            raise UsageError(f"editor exited with status {status}; nothing saved")
        with open(name, "rb") as fh:
            data = fh.read(MAX_NOTE + 1)
    finally:
        if os.path.exists(name):
            os.unlink(name)
    if len(data) > MAX_NOTE:
        raise UsageError(f"a note is limited to {MAX_NOTE // 1000} kB; nothing saved")
    text = data.decode("utf-8", errors="replace")
    return None if text == original else text


def set_note(item: Item, text: str) -> None:
    custom = item.setdefault("custom", {})
    if text.strip():
        custom["notes"] = text
    else:
        custom.pop("notes", None)
