"""Write a small text PDF by hand: the ``paper.pdf`` example and the tests' PDFs.

Hand-written PDF syntax (Helvetica, WinAnsiEncoding, one text line per ``Td``)
needs no PDF library at build time and gives a real text layer that pypdf reads
like any other file's. Run ``python examples/documents/make_pdf.py`` to rebuild
``paper.pdf``.
"""

from __future__ import annotations

from pathlib import Path


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages hold *pages* (lists of text lines); an empty list gives a page
    without text, like a scan. *info* becomes the document information dictionary."""
    objects: list[bytes] = []
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, lines in enumerate(pages):
        stream = b"BT /F1 10 Tf 12 TL 56 800 Td " + b" ".join(b"(" + _escape(line) + b") Tj T*"
                                                              for line in lines) + b" ET"
        if not lines:
            stream = b"0 0 1 rg 56 56 480 700 re f"  # a picture, no text
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    trailer_info = ""
    if info:
        entries = b" ".join(b"/" + k.encode() + b" (" + _escape(v) + b")" for k, v in info.items())
        objects.append(b"<< " + entries + b" >>")
        trailer_info = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PAPER_PAGES = [
    [
        "Attention Is All You Need",
        "Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit",
        "Google Brain",
        "Abstract",
        "The dominant sequence transduction models are based on complex recurrent or",
        "convolutional neural networks that include an encoder and a decoder.",
        "31st Conference on Neural Information Processing Systems (NIPS 2017), Long Beach, CA, USA.",
        "1",
    ],
    [
        "Residual connections [3] and layer normalization [1] are used around each sub-layer.",
        "References",
        "[1] Jimmy Lei Ba, Jamie Ryan Kiros, and Geoffrey E. Hinton. Layer normalization.",
        "arXiv preprint arXiv:1607.06450, 2016.",
        "[2] Dzmitry Bahdanau, Kyunghyun Cho, and Yoshua Bengio. Neural machine transla-",
        "tion by jointly learning to align and translate. CoRR, abs/1409.0473, 2014.",
        "[3] Kaiming He, Xiangyu Zhang, Shaoqing Ren, and Jian Sun. Deep residual learning",
        "2",
    ],
    [
        "for image recognition. In Proceedings of the IEEE Conference on Computer Vision and",
        "Pattern Recognition, pages 770\u2013778, 2016.",
        "[4] Sepp Hochreiter and J\u00fcrgen Schmidhuber. Long short-term memory. Neural computation,",
        "9(8):1735\u20131780, 1997.",
        "3",
    ],
]
PAPER_INFO = {
    "Title": "Attention Is All You Need",
    "Author": "Ashish Vaswani; Noam Shazeer; Niki Parmar; Jakob Uszkoreit",
    "Subject": "Neural Information Processing Systems 2017",
}


if __name__ == "__main__":
    target = Path(__file__).with_name("paper.pdf")
    target.write_bytes(make_pdf(PAPER_PAGES, PAPER_INFO))
    print(f"wrote {target}")
