"""Hostile and broken input through the real CLI (issue 6).

Every file in tests/bad_inputs/ (and a few generated at test time: a 50 MB
field, 10,000-deep nesting, a directory where a file is expected, a damaged
library) must end in one of three ways: a one-line error naming the file, a
non-zero exit and a byte-identical library; or, when some entries are good,
the good ones imported and the bad ones reported by file:line; or, for quirky
but valid files (BOM, CRLF, Latin-1), a correct import. Never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import read_library
from reliability_util import item, write_items

BAD = Path(__file__).resolve().parent / "bad_inputs"

# file -> command; each must be refused as a whole
REFUSED = {
    "binary_renamed.bib": "add", "binary_renamed.ris": "add", "binary_renamed.json": "add",
    "empty.bib": "add", "only_whitespace.ris": "add", "nul_bytes.bib": "add",
    "truncated.bib": "add", "truncated.json": "add", "wrong_shape_numbers.json": "add",
    "wrong_shape_string.json": "add", "binary_renamed.html": "import", "nul_bytes.txt": "import",
    "truncated.pdf": "import",
}


@pytest.fixture
def seeded(refcli, library, tmp_path) -> bytes:
    """A library with one work in it, so 'untouched' is not the trivial empty file."""
    assert refcli("add", str(write_items(tmp_path / "seed.json", [item(1, 1)]))).code == 0
    return library.read_bytes()


def _assert_refused(res, name: str, library: Path, before: bytes) -> None:
    assert res.code not in (0, 70), f"{name}: exit {res.code}\n{res.err}"
    lines = [line for line in res.err.strip().splitlines() if line.strip()]
    assert lines and name in lines[-1], f"{name}: error does not name the file: {res.err!r}"
    assert all(name in line for line in lines), f"{name}: more than a one-line error per file: {res.err!r}"
    assert "internal error" not in res.err
    assert library.read_bytes() == before, f"{name}: the library changed"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_file_is_refused_and_library_untouched(refcli, library, seeded, name):
    res = refcli(REFUSED[name], str(BAD / name))
    _assert_refused(res, name, library, seeded)


def test_corpus_is_all_covered():
    """Every corpus file is exercised by some test here (no silently dead corpus)."""
    covered = set(REFUSED) | {"mixed_good_bad.bib", "truncated.ris", "bom_crlf.bib", "bom.json",
                              "latin1.bib", "mixed_encoding.ris", "xxe.html", "xxe.xml.txt",
                              "invalid_utf8.txt", "invalid_doi.bib", "bad_date.json",
                              "bad_date.bib", "duplicate_keys.json", "wrong_shape_object.json",
                              "text_renamed.pdf", "unbalanced_braces.bib"}
    assert {p.name for p in BAD.iterdir()} <= covered


def test_good_entries_imported_bad_reported_by_line(refcli, library, seeded):
    res = refcli("add", str(BAD / "mixed_good_bad.bib"))
    assert res.code == 65, res.err
    assert "mixed_good_bad.bib:8" in res.err and "bad2002" in res.err
    got = {i.get("DOI") for i in read_library(library)}
    assert {"10.5555/good.2001", "10.5555/good.2003"} <= got
    titles = {i.get("title") for i in read_library(library)}
    assert "A perfectly good article" in titles and "Another good one" in titles


def test_truncated_ris_keeps_the_record_and_says_so(refcli, library, seeded):
    res = refcli("add", str(BAD / "truncated.ris"))
    assert res.code == 65 and "truncated.ris:1" in res.err
    assert "Cut off here" in {i.get("title") for i in read_library(library)}


def test_many_bad_entries_are_counted_not_listed_endlessly(refcli, library, seeded, tmp_path):
    good = "@article{ok%d, title={Good %d}, author={Ok, A}, year={2001}}\n"
    bad = "@article{bad%d, title={Broken %d\n"
    text = "".join(good % (n, n) for n in range(3)) + "".join(bad % (n, n) for n in range(30))
    (tmp_path / "many.bib").write_text(text)
    res = refcli("add", str(tmp_path / "many.bib"))
    assert res.code == 65
    assert "many.bib:" in res.err
    warnings = [line for line in res.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) <= 11  # the first few locations, then a count
    assert "and 20 more" in warnings[-1]
    assert {"Good 0", "Good 1", "Good 2"} <= {i.get("title") for i in read_library(library)}


@pytest.mark.parametrize("name,title,family", [
    ("bom_crlf.bib", "With a BOM and CRLF", "Bom"),
    ("bom.json", "JSON with BOM", "Bom"),
    ("latin1.bib", "Café society", "Müller"),
])
def test_quirky_but_valid_files_import_correctly(refcli, library, seeded, name, title, family):
    res = refcli("add", str(BAD / name))
    assert res.code == 0, res.err
    new = [i for i in read_library(library) if i.get("title") == title]
    assert len(new) == 1, [i.get("title") for i in read_library(library)]
    assert new[0]["author"][0]["family"] == family
    assert all("\r" not in json.dumps(v) for v in new[0].values())


def test_mixed_encoding_ris_decodes_each_record(refcli, library, seeded):
    assert refcli("add", str(BAD / "mixed_encoding.ris")).code == 0
    titles = {i.get("title") for i in read_library(library)}
    assert "Naïve café" in titles
    assert any(t and t.startswith("Caf") and "\ufffd" not in t for t in titles - {"Naïve café"})


def test_directory_where_a_file_is_expected(refcli, library, seeded, tmp_path):
    folder = tmp_path / "refs.bib"
    folder.mkdir()
    for command in ("add", "import"):
        res = refcli(command, str(folder))
        _assert_refused(res, "refs.bib", library, seeded)


def test_ten_thousand_deep_nesting(refcli, library, seeded, tmp_path):
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 10_000 + "]" * 10_000)
    _assert_refused(refcli("add", str(deep_json)), "deep.json", library, seeded)
    deep_bib = tmp_path / "deep.bib"
    deep_bib.write_text("@article{deep, title={" + "{" * 10_000 + "x" + "}" * 10_000 + "}, year={2000}}\n")
    res = refcli("add", str(deep_bib))
    assert res.code in (0, 65) and "internal error" not in res.err, res.err
    if res.code == 65:
        assert "deep.bib" in res.err


def test_fifty_megabyte_field(refcli, library, seeded, tmp_path):
    big = tmp_path / "big.bib"
    with big.open("w") as fh:
        fh.write("@article{big, title={Big abstract}, author={Big, B}, year={2000}, abstract={")
        fh.write("lorem ipsum " * (50 * 1024 * 1024 // 12))
        fh.write("}}\n")
    res = refcli("add", str(big), timeout=180)
    assert res.code in (0, 65) and "internal error" not in res.err, res.err
    if res.code:
        _assert_refused(res, "big.bib", library, seeded)
    else:
        assert "Big abstract" in {i.get("title") for i in read_library(library)}


@pytest.mark.parametrize("content", [
    b'[{"id": "a", "title": "cut', b"{\"not\": \"a list\"}", b"\x00\x01binary\xff", b"[1, 2]",
])
def test_damaged_library_is_reported_and_left_alone(refcli, library, tmp_path, content):
    library.write_bytes(content)
    res = refcli("add", str(write_items(tmp_path / "a.json", [item(3, 1)])))
    assert res.code == 74, res.err
    assert str(library) in res.err and len(res.err.strip().splitlines()) == 1
    assert library.read_bytes() == content


def test_library_path_is_a_directory(refcli, library, tmp_path):
    library.mkdir()
    res = refcli("add", str(write_items(tmp_path / "a.json", [item(3, 1)])))
    assert res.code == 74 and "directory" in res.err and len(res.err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["xxe.html", "xxe.xml.txt"])
def test_external_entities_are_never_resolved(refcli, library, seeded, name):
    res = refcli("import", str(BAD / name), "--json")
    assert "root:x:0" not in res.out + res.err
    assert "root:x:0" not in library.read_text()
    assert "internal error" not in res.err


def test_arbitrary_text_document_does_not_crash(refcli, library, seeded):
    refparse = pytest.importorskip("refcli.refparse")
    if not hasattr(refparse, "parse_references"):
        pytest.skip("refcli.refparse.parse_references has not landed yet")
    res = refcli("import", str(BAD / "invalid_utf8.txt"))
    assert res.code in (0, 65) and "internal error" not in res.err, res.err


def test_invalid_doi_is_reported_not_stored_as_doi(refcli, library, seeded):
    res = refcli("add", str(BAD / "invalid_doi.bib"))
    assert res.code == 65 and "invalid_doi.bib:1" in res.err and "not-a-doi" in res.err
    stored = [i for i in read_library(library) if i.get("title") == "Invalid DOI"]
    assert stored and "DOI" not in stored[0]


@pytest.mark.parametrize("name,key", [("bad_date.bib", "d2"), ("bad_date.json", "d1")])
def test_impossible_date_is_reported_and_kept_recoverable(refcli, library, seeded, name, key):
    res = refcli("add", str(BAD / name))
    assert res.code == 65 and name in res.err and key in res.err and "2025-13-45" in res.err
    stored = next(i for i in read_library(library) if i["id"] == key)
    assert stored["issued"] == {"date-parts": [[2025]], "raw": "2025-13-45"}
