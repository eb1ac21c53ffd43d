"""Small hostile PDFs written by the tests: page-tree repetition, XObject fan-out, and a
decompression bomb (issue 13). Each is a few kilobytes on disk."""

from __future__ import annotations

import zlib


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 is objects[i], with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 720 Td (A page of real text about reference managers.) Tj ET"


def page_tree_bomb(repeats: int = 1000) -> bytes:
    """A page tree whose one leaf is named *repeats* times."""
    kids = b" ".join(b"3 0 R" for _ in range(repeats))
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, repeats),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(_TEXT),
        _FONT,
    ])


def xobject_fanout(depth: int = 9, fanout: int = 10) -> bytes:
    """Form XObjects each drawing the next one *fanout* times: fanout**depth text draws."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /XObject << /X 6 0 R >> /Font << /F1 5 0 R >> >> >>",
        _stream(b"/X Do"),
        _FONT,
    ]
    for level in range(depth):
        number = 6 + level
        if level == depth - 1:
            body, resources = _TEXT, b"/Font << /F1 5 0 R >>"
        else:
            body = b" ".join(b"/X Do" for _ in range(fanout))
            resources = b"/XObject << /X %d 0 R >> /Font << /F1 5 0 R >>" % (number + 1)
        objects.append(_stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >>"
                               % resources))
    return _pdf(objects)


def decompression_bomb(megabytes: int = 400) -> bytes:
    """A content stream that inflates to *megabytes* MB (spaces and one text draw)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * 2**20
    packed = compressor.compress(_TEXT + b"\n")
    for _ in range(megabytes):
        packed += compressor.compress(chunk)
    packed += compressor.flush()
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        _FONT,
    ])
