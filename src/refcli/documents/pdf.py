"""PDF files: the text layer (via pypdf), page furniture removed, and the file's metadata.

Running headers and footers are found per page, not per line of text: a line that
opens or closes most pages (page numbers masked) is furniture wherever it appears,
and would otherwise land in the middle of a reference.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from refcli.errors import InputError

MAX_PDF_BYTES = 200 * 1024 * 1024

_JUNK_TITLE = re.compile(r"^(?:microsoft\s+\w+\s*-|untitled|document\d*$)|\.(?:docx?|pdf|tex|indd|odt|rtf)$",
                         re.IGNORECASE)


@dataclass
class PdfText:
    text: str
    info: dict[str, Any] = field(default_factory=dict)


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    if len(pages) < 2:
        return pages
    edge: Counter[str] = Counter()
    for lines in pages:
        keys = {re.sub(r"\d+", "#", line.strip()) for line in lines[:2] + lines[-2:] if line.strip()}
        edge.update(keys)
    threshold = max(2, len(pages) // 2)
    furniture = {key for key, n in edge.items() if n >= threshold}
    cleaned = []
    for lines in pages:
        edges = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        cleaned.append([line for i, line in enumerate(lines)
                        if not (i in edges and re.sub(r"\d+", "#", line.strip()) in furniture)])
    return cleaned


def read(data: bytes, name: str) -> PdfText:
    """Text and metadata of a PDF, or InputError (encrypted, damaged, no text layer)."""
    if len(data) > MAX_PDF_BYTES:
        raise InputError(f"PDF of {len(data) / 2**20:.0f} MB is too large to import", where=name)
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files log noise, not errors
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is encrypted with a password", where=name)
        pages = [(page.extract_text() or "").replace("\r", "\n").split("\n") for page in reader.pages]
        info = _info(reader)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf on a damaged file can raise almost anything
        # (zlib.error, struct.error, KeyError ...); the user needs one line, not its internals.
        if type(exc).__name__ == "DependencyError":
            raise InputError("the PDF is AES-encrypted and the 'cryptography' package is missing",
                             where=name) from exc
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise InputError(f"cannot read this PDF ({detail})", where=name) from exc
    pages = _strip_furniture(pages)
    text = "\n".join("\n".join(lines) for lines in pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise InputError("the PDF has no text layer (a scan?); run OCR on it first", where=name)
    return PdfText(text, info)


def _info(reader: Any) -> dict[str, Any]:
    """Title, author, date, DOI and subject from the document info and XMP."""
    out: dict[str, Any] = {}
    meta = reader.metadata or {}
    title = str(meta.get("/Title") or "").strip()
    if title and not _JUNK_TITLE.search(title):
        out["title"] = title
    author = str(meta.get("/Author") or "").strip()
    if author:
        out["author"] = author
    date = getattr(meta, "creation_date_raw", None) or meta.get("/CreationDate")
    if date:
        out["date"] = str(date)
    subject = str(meta.get("/Subject") or "").strip()
    if subject:
        out["subject"] = subject
    try:
        xmp = reader.xmp_metadata
    except Exception:  # noqa: BLE001 - malformed XMP is common and never fatal
        xmp = None
    if xmp is not None:
        try:
            titles = xmp.dc_title or {}
            if titles and "title" not in out:
                value = next(iter(titles.values()))
                if value and not _JUNK_TITLE.search(value):
                    out["title"] = value
            if xmp.dc_creator and "author" not in out:
                out["authors"] = list(xmp.dc_creator)
            if xmp.dc_identifier:
                out["identifier"] = str(xmp.dc_identifier)
        except Exception:  # noqa: BLE001 - see above
            pass
    return out
