"""PDF files: the text layer (via PDFium), page furniture removed, the first page's type
sizes, and the file's metadata.

PDFium (pypdfium2, Apache-2.0/BSD-3) was chosen over pypdf by measurement on the 22 real
PDFs of shared/data/pdfs (benchmarks/pdf.md): ten times faster for the same text, and it
gives every character's box, so the title is read as the largest type near the top of the
first page instead of guessed from line order.

Running headers and footers are found per page, not per line of text: a line among the
first or last three of most pages (page numbers masked) is furniture wherever it appears,
and would otherwise land in the middle of a reference. Vertical space between two lines
of a column becomes a blank line in the text: lists that set their entries apart only
by space are cut there.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from refcli.errors import InputError

MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
"""A book is far shorter; a page tree that names more pages is a bomb, not a document."""
MAX_TEXT_CHARS = 20_000_000

_JUNK_TITLE = re.compile(r"^(?:microsoft\s+\w+\s*-|untitled|document\d*$)|\.(?:docx?|pdf|tex|indd|odt|rtf)$",
                         re.IGNORECASE)
# C0/C1 controls that PDF text layers use for dashes and ligatures (cp1252 bytes read as
# Latin-1: \x96 en dash, \x97 em dash; \x02 for "fi" in some TeX fonts).
_CONTROL_MEANING = {"\x96": "–", "\x97": "—", "\x93": "“", "\x94": "”", "\x91": "‘", "\x92": "’",
                    "\x02": "fi", "\x03": "fl", "\x85": "…"}
# Controls, and private-use code points (symbol fonts' bullets, stars and icons).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff]")


@dataclass
class Line:
    """A line of the first page: its type size and its top edge, from the page's top."""

    size: float
    top: float
    text: str


@dataclass
class PdfText:
    text: str
    info: dict[str, Any] = field(default_factory=dict)
    head: list[Line] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)
    """The running heads and feet removed from the pages, once each (journals print the
    paper's DOI and citation line there)."""


def clean(text: str) -> str:
    """A page's text as lines: PDFium's line breaks, its marks for a hyphen at a line's end
    (U+FFFE) kept as a hyphen that ends the line, control characters read as what they print."""
    from refcli.documents.repair import repair

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n").replace("\ufffd", "")
    return repair(_CONTROLS.sub(lambda m: _CONTROL_MEANING.get(m.group(0), "" if m.group(0) >= "\ue000" else " "),
                                text))


_EDGE_LINES = 3
"""Lines at each end of a page looked at for furniture: a two-line running foot and the
page number under it (JOSE prints the paper's whole citation there)."""


def _edges(lines: list[str]) -> set[int]:
    """Indices of the first and last non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])


def _strip_furniture(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """The pages without their running heads and feet, and those lines (once each)."""
    if len(pages) < 2:
        return pages, []
    edge: Counter[str] = Counter()
    for lines in pages:
        edge.update({re.sub(r"\d+", "#", lines[i].strip()) for i in _edges(lines)})
    threshold = max(2, len(pages) // 2)
    furniture = {key for key, n in edge.items() if n >= threshold}
    cleaned = []
    removed: dict[str, None] = {}
    for lines in pages:
        edges = _edges(lines)
        kept = []
        for i, line in enumerate(lines):
            if i in edges and re.sub(r"\d+", "#", line.strip()) in furniture:
                removed[line.strip()] = None
            else:
                kept.append(line)
        cleaned.append(kept)
    return cleaned, list(removed)


def _open(data: bytes, name: str) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise InputError("the PDF is encrypted with a password", where=name) from exc
        raise InputError(f"cannot read this PDF ({' '.join(message.split())[:160]})", where=name) from exc


def read(data: bytes, name: str) -> PdfText:
    """Text and metadata of a PDF, or InputError (encrypted, damaged, no text layer)."""
    if len(data) > MAX_PDF_BYTES:
        raise InputError(f"PDF of {len(data) / 2**20:.0f} MB is too large to import", where=name)
    document = _open(data, name)
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise InputError(f"the PDF claims {count} pages (more than {MAX_PAGES}): not imported",
                             where=name)
        pages: list[list[str]] = []
        head: list[Line] = []
        total = 0
        seen: set[int] = set()
        for number in range(count):
            page = document[number]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            if number == 0:
                head = _lines_with_size(textpage, raw, page.get_size()[1])
            text = clean(_mark_paragraphs(textpage, raw))
            # A page tree that names one page many times shows it once (it would also be
            # taken for a running head on every page and stripped whole).
            if len(text.strip()) > 40 and hash(text) in seen:
                continue
            seen.add(hash(text))
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise InputError(f"the PDF's text is over {MAX_TEXT_CHARS // 1_000_000} million characters: "
                                 "not imported", where=name)
            pages.append(text.split("\n"))
            textpage.close()
            page.close()
        info = _info(document, data)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - PDFium on a damaged file raises its own errors;
        # the user needs one line, not its internals.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise InputError(f"cannot read this PDF ({detail})", where=name) from exc
    finally:
        document.close()
    pages, furniture = _strip_furniture(pages)
    text = "\n".join("\n".join(lines) for lines in pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise InputError("the PDF has no text layer (a scan?); run OCR on it first", where=name)
    return PdfText(text, info, head, furniture)


_GAP_RATIO = 1.15
_GAP_MIN = 1.0
"""A line sits a paragraph's gap below the one above when their distance exceeds the
usual line pitch around them by this ratio and by this many points."""
_LINE = re.compile(r"[^\r\n\ufffe]*(?:\r\n|[\r\n\ufffe]|$)")
_INK = re.compile(r"[^\s\ufffe]")


def _mark_paragraphs(textpage: Any, raw: str) -> str:
    """*raw* with what the page shows of its paragraphs: a blank line where it leaves
    vertical space between two lines of one column in one type size (a list set without
    hanging indents or numbers, ABNT, F1000), and four spaces before a line set in from
    its column's left edge (a hanging indent), which text alone loses.

    Each line is placed by its first character's origin (a few look-ups per line). The usual
    pitch is the lower quartile of the pitches of the nearby lines, so a list whose
    every entry is two lines long still shows its gaps. A column's edge is the leftmost
    start of a line in that type size within three type sizes to the left."""
    import ctypes

    import pypdfium2

    pdfium_c = pypdfium2.raw

    x, y = ctypes.c_double(), ctypes.c_double()
    boxes: list[tuple[int, bool, float, float, float]] = []
    for line in _LINE.finditer(raw[:200_000]):
        first = _INK.search(line.group(0))
        if first is None or len(boxes) >= 2000:
            continue
        index = line.start() + first.start()
        # The glyph's origin (its baseline, whatever its letter) and the larger of the font's
        # size and its box's height (some PDFs set type at size 1 and scale it; some
        # fonts' boxes are the ink's, "a" shorter than "d").
        if not pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y)):
            continue
        try:
            _, bottom, _, top = textpage.get_charbox(index, loose=True)
        except Exception:  # noqa: BLE001 - a generated character without a box
            continue
        left, top, size = x.value, y.value, max(top - bottom, pdfium_c.FPDFText_GetFontSize(textpage.raw, index))
        # A line after a hyphen's break continues a word, one that opens in lower case a
        # sentence: never a paragraph's start (a line of CJK type stands taller).
        joined = line.start() > 0 and raw[line.start() - 1] == "\ufffe" or first.group(0).islower()
        boxes.append((line.start(), joined, left, top, size))
    pitches: list[float | None] = [None]
    for (_, _, left0, top0, size0), (_, _, left1, top1, size1) in zip(boxes, boxes[1:], strict=False):
        pitch = top0 - top1
        same = abs(size0 - size1) <= 0.2 * size0 and abs(left0 - left1) <= 4 * size0
        pitches.append(pitch if same and 0 < pitch < 3 * size0 else None)
    # Line starts by type size (in points, rounded): a page number or a vertical line of
    # text in the margin is no column's edge.
    lefts: dict[int, list[float]] = {}
    for box in boxes:
        lefts.setdefault(round(box[4]), []).append(box[2])
    for starts in lefts.values():
        starts.sort()
    edits: list[tuple[int, str]] = []
    for i, (start, joined, left, _, size) in enumerate(boxes):
        gap = pitches[i]
        if gap is not None and not joined and start > 0:
            near = sorted(p for p in pitches[max(1, i - 6):i + 7] if p is not None)
            usual = near[(len(near) - 1) // 4]
            if len(near) >= 4 and gap > usual * _GAP_RATIO and gap - usual >= _GAP_MIN:
                edits.append((start, "\n"))
        edge = min(row[bisect.bisect_left(row, left - 3 * size)]
                   for points in (round(size) - 1, round(size), round(size) + 1)
                   if (row := lefts.get(points)) and row[-1] >= left - 3 * size)
        if left - edge > 0.6 * size:
            edits.append((start, "    "))
    if not edits:
        return raw
    pieces, last = [], 0
    for at, text in edits:
        pieces.append(raw[last:at])
        pieces.append(text)
        last = at
    pieces.append(raw[last:])
    return "".join(pieces)


def _lines_with_size(textpage: Any, raw: str, height: float) -> list[Line]:
    """The first page's lines with the median height of their characters' boxes (the box
    PDFium derives from the font's size, not the glyph's ink), top of page first."""
    lines: list[Line] = []
    sizes: list[float] = []
    top = 0.0
    start = 0
    limit = min(len(raw), 20_000)
    for i in range(limit + 1):
        ch = raw[i] if i < limit else "\n"
        if ch in "\r\n\ufffe":
            text = clean(raw[start:i]).strip()
            if text and sizes:
                lines.append(Line(round(statistics.median(sizes), 1), round(height - top, 1), text))
            sizes, top, start = [], 0.0, i + 1
            continue
        if ch.isspace():
            continue
        try:
            _, bottom, _, upper = textpage.get_charbox(i, loose=True)
        except Exception:  # noqa: BLE001 - a generated character without a box
            continue
        sizes.append(upper - bottom)
        top = max(top, upper)
    return lines


_XMP = re.compile(rb"<x:xmpmeta.{0,65536}?</x:xmpmeta>", re.DOTALL)
_XMP_FIELD = {
    "title": re.compile(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", re.DOTALL),
    "identifier": re.compile(r"<(?:dc:identifier|prism:doi)>(.*?)</", re.DOTALL),
}


def _info(document: Any, data: bytes) -> dict[str, Any]:
    """Title, author, date, DOI and subject from the document info and XMP."""
    out: dict[str, Any] = {}
    try:
        meta = document.get_metadata_dict(skip_empty=True)
    except Exception:  # noqa: BLE001 - a damaged info dictionary is never fatal
        meta = {}
    title = str(meta.get("Title") or "").strip()
    if title and not _JUNK_TITLE.search(title):
        out["title"] = title
    for key, name in (("Author", "author"), ("CreationDate", "date"), ("Subject", "subject")):
        value = str(meta.get(key) or "").strip()
        if value:
            out[name] = value
    # XMP is an XML packet, mostly stored uncompressed; read by pattern, never parsed as XML.
    packet = _XMP.search(data)
    if packet:
        xmp = packet.group(0).decode("utf-8", errors="replace")
        for name, pattern in _XMP_FIELD.items():
            found = pattern.search(xmp)
            if found and found.group(1).strip() and name not in out:
                value = re.sub(r"<[^>]+>", "", found.group(1)).strip()
                if not (name == "title" and _JUNK_TITLE.search(value)):
                    out[name] = value
    return out
