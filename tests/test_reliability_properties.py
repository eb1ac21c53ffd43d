"""Property tests (hypothesis): round trips, idempotence, and readers that never crash.

Generated data is the point: Unicode names, LaTeX specials and braces in every
field, and arbitrary bytes for the document reader.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcli.errors import RefcliError
from refcli.identifiers import normalize_doi

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a researcher may type: any letter, digit, space, and LaTeX's special characters.
_chars = st.characters(categories=("L", "N", "Zs"), exclude_characters="\u00a0\u2000\u2001")
_specials = st.sampled_from(list("&%$#_{}~^\\") + ["{}", "{a}", "\\&"])
text = st.lists(st.one_of(_chars, _specials), min_size=1, max_size=25).map("".join).map(str.strip).filter(bool)
names = st.lists(st.builds(lambda f, g: {"family": f, "given": g},
                           st.text(_chars, min_size=1, max_size=12).map(str.strip).filter(bool),
                           st.text(_chars, min_size=1, max_size=12).map(str.strip).filter(bool)),
                 min_size=1, max_size=3)


@FAST
@given(st.text(max_size=80))
def test_doi_normaliser_is_idempotent(value):
    once = normalize_doi(value)
    if once is not None:
        assert normalize_doi(once) == once
        assert normalize_doi(f"https://doi.org/{once}") == once
        assert once == once.lower()


@FAST
@given(st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9._;()/-]{1,30}", fullmatch=True))
def test_every_doi_survives_its_spellings(doi):
    once = normalize_doi(doi)
    if once is not None:
        for spelling in (f"doi:{once}", f"http://dx.doi.org/{once}", once.upper()):
            assert normalize_doi(spelling) == once


def _name(name: dict) -> list[str]:
    """Every word of a name: lower-case words may come back as particles ('van' Gogh,
    'Vincent van'), which is CSL's way of keeping them, so only loss or change counts."""
    return sorted(" ".join(str(v) for k, v in name.items() if k != "parse-names").split())


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("fmt", ["csljson", "bibtex", "ris"])
@FAST
@given(title=text, authors=names, year=st.integers(1500, 2100), volume=st.integers(1, 999))
def test_export_import_round_trip(fmt, title, authors, year, volume):
    from refcli import formats

    if fmt == "bibtex" and not _balanced(title):
        title = title.replace("{", "").replace("}", "") or "x"
    if fmt == "bibtex":  # '#' in a braced value: known bug, see test_bibtex_hash_in_braced_value
        title = title.replace("#", "") or "x"
    if fmt in ("ris", "bibtex"):  # both read a run of spaces as one (BibTeX itself does)
        title = " ".join(title.split()) or "x"
    item = {"id": "k1", "type": "article-journal", "title": title, "author": authors,
            "issued": {"date-parts": [[year]]}, "volume": str(volume)}
    out = formats.write([item], fmt, unicode=True)  # the lossless form; LaTeX: test_formats_latex_export.py
    back = formats.read(out, fmt, source="roundtrip")
    assert not back.problems, (out, back.problems)
    assert len(back.items) == 1
    got = back.items[0]
    assert got["title"] == title, out
    assert [_name(a) for a in got["author"]] == [_name(a) for a in authors], out
    assert got["issued"]["date-parts"][0][0] == year
    assert str(got["volume"]) == str(volume)


@FAST
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.html", "x.md", "x.pdf"]))
def test_document_reader_never_crashes(data, name):
    documents = pytest.importorskip("refcli.documents")
    try:
        documents.read_document_bytes(data, name)
    except RefcliError as exc:
        assert str(exc) and "\n" not in str(exc)


@FAST
@given(st.text(max_size=400))
def test_reference_parser_never_raises(value):
    refparse = pytest.importorskip("refcli.refparse")
    parse = getattr(refparse, "parse_reference", None)
    if parse is None:
        pytest.skip("refcli.refparse.parse_reference has not landed yet")
    assert isinstance(parse(value), dict)


@FAST
@given(st.binary(max_size=2000))
def test_reference_file_reader_never_crashes(data):
    from refcli import formats

    try:
        text = formats.decode_bytes(data, "fuzz.bib")
        for fmt in (None, "bibtex", "ris", "csljson"):
            result = formats.read(text, fmt, source="fuzz.bib")
            assert isinstance(result.items, list)
    except RefcliError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_bibtex_hash_in_braced_value():
    """Regression: a braced value holding '#' once recursed forever (found by the round-trip property)."""
    from refcli import formats

    out = formats.write([{"id": "k1", "type": "article-journal", "title": "C# & F#"}], "bibtex")
    back = formats.read(out, "bibtex", source="x.bib")
    assert not back.problems and back.items[0]["title"] == "C# & F#"
