"""Files kept with a work: the PDF of a paper, a saved page.

``custom.files`` lists them, each ``{"path", "name", "sha256", "mode"}``. In ``copy``
mode (the default) the file is copied beside the library under its content hash
(``files/ab/ab12….pdf``), so two copies of one PDF are stored once and a renamed
or moved original does not matter; ``path`` is relative to the library's folder,
so a library moved with its folder keeps its files. In ``link`` mode only the
absolute path is kept. The mode is ``REFCLI_ATTACH_MODE`` or the config's
``attachments.mode``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from refcli.errors import InputError, UsageError
from refcli.terminal import path_text
from refcli.vocabulary import Item

MODES = ("copy", "link")


def mode() -> str:
    from refcli import settings

    value = os.environ.get("REFCLI_ATTACH_MODE") or settings.section("attachments").get("mode") or "copy"
    if value not in MODES:
        raise UsageError(f"attachment mode must be copy or link, got {value!r}")
    return str(value)


def files_dir(library: Path) -> Path:
    return library.parent / "files"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(library: Path, source: Path, how: str | None = None) -> dict[str, str]:
    """Keep *source* for the library (copied under its hash, or linked); its ``custom.files`` entry."""
    how = how or mode()
    shown = path_text(source)
    if how == "link" and shown != str(source):
        how = "copy"  # a name that is not UTF-8 cannot be written into the library's JSON: keep a copy
    try:
        if not source.is_file():
            raise InputError("no such file" if not source.exists() else "not a regular file", shown)
        digest = _sha256(source)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", shown) from None
    entry = {"name": path_text(source.name), "sha256": digest, "mode": how}
    if how == "link":
        return {"path": str(source.resolve()), **entry}
    target = files_dir(library) / digest[:2] / (digest + source.suffix.lower()[:10])
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"cannot copy into {target.parent} ({exc.strerror})", shown) from None
    return {"path": str(target.relative_to(library.parent)), **entry}


def attach(item: Item, entry: dict[str, str]) -> bool:
    """Add *entry* to the work's files unless the same content is there; whether it was added."""
    files = item.setdefault("custom", {}).setdefault("files", [])
    if any(isinstance(f, dict) and f.get("sha256") == entry["sha256"] for f in files):
        return False
    files.append(entry)
    return True


def resolve(library: Path, entry: dict[str, Any]) -> Path:
    """Where a ``custom.files`` entry's file is on disk."""
    path = Path(str(entry.get("path") or ""))
    return path if path.is_absolute() else library.parent / path


def missing(library: Path, items: list[Item]) -> list[tuple[str, str]]:
    """(key, path) of every listed file that is not on disk."""
    found = []
    for item in items:
        custom = item.get("custom")
        for entry in (custom.get("files") or []) if isinstance(custom, dict) else []:
            if isinstance(entry, dict) and not resolve(library, entry).is_file():
                found.append((str(item.get("id")), str(entry.get("path"))))
    return found


def opener() -> list[str]:
    """The system's "open with the default application" command (``REFCLI_OPENER`` overrides)."""
    import shlex
    import sys

    if os.environ.get("REFCLI_OPENER"):
        return shlex.split(os.environ["REFCLI_OPENER"])
    if sys.platform == "darwin":
        return ["open"]
    if sys.platform.startswith("win"):
        return ["cmd", "/c", "start", ""]
    if shutil.which("xdg-open"):
        return ["xdg-open"]
    raise UsageError("no program to open files with: install xdg-utils or set REFCLI_OPENER")


def open_target(library: Path, item: Item) -> str:
    """The first attached file that exists, else the work's DOI link or URL."""
    custom = item.get("custom")
    for entry in (custom.get("files") or []) if isinstance(custom, dict) else []:
        if isinstance(entry, dict) and resolve(library, entry).is_file():
            return str(resolve(library, entry))
    if item.get("DOI"):
        return f"https://doi.org/{item['DOI']}"
    url = str(item.get("URL") or "")
    if url.startswith(("http://", "https://")):
        return url
    from refcli.errors import NotFoundError

    raise NotFoundError(f"{item.get('id')} has no file, DOI or URL to open")
