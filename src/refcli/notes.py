"""A Markdown note per work, kept in the item (``custom.notes``) so it travels with
the library, and written in the user's editor (``refcli note KEY``). The search
index folds the note into what bare search words match."""

from __future__ import annotations

from refcli.errors import UsageError
from refcli.vocabulary import Item

MAX_NOTE = 1_000_000


def edit_note(item: Item) -> str | None:
    """The note after the editor, or None when it did not change."""
    from refcli.editing import run_editor

    original = str((item.get("custom") or {}).get("notes") or "")
    data = run_editor(original.encode("utf-8"), f"note-{item['id']}", ".md", limit=MAX_NOTE)
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
