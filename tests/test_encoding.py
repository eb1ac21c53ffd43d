"""Undeclared encodings: each line decoded on its own (refcli.encoding)."""

from refcli.encoding import decode_lines
from refcli.formats import decode_bytes, read


def test_each_line_keeps_its_own_encoding():
    data = ("Naïve café\n".encode() + "Café crème\n".encode("cp1252")
            + "Список литературы\n".encode("cp1251"))
    assert decode_lines(data).splitlines() == ["Naïve café", "Café crème", "Список литературы"]


def test_bibtex_with_records_in_three_encodings():
    data = ("@article{a, title={Naïve café}, year={2001}}\n".encode()
            + "@article{b, title={Crème brûlée}, year={2002}}\n".encode("cp1252")
            + "@article{c, title={Внешняя политика Японии}, year={2003}}\n".encode("cp1251"))
    titles = [item["title"] for item in read(decode_bytes(data, "mixed.bib"), "bibtex").items]
    assert titles == ["Naïve café", "Crème brûlée", "Внешняя политика Японии"]


def test_utf8_bom_is_dropped_before_line_decoding():
    data = b"\xef\xbb\xbf" + "TY  - JOUR\nTI  - Éé\n".encode() + "AU  - Müller\n".encode("cp1252")
    assert decode_bytes(data, "x.ris") == "TY  - JOUR\nTI  - Éé\nAU  - Müller\n"
