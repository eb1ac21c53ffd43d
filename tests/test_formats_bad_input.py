"""Bad input: each case gives an InputError or a located Problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcli import formats
from refcli.errors import InputError

GOOD = "@misc{good, title={Fine}}\n"


def test_unbalanced_braces_reports_line_and_keeps_good_entries() -> None:
    text = "@article{a, title={One}}\n\n@book{broken, title={Unbalanced\n" + GOOD
    result = formats.read(text, "bibtex", source="refs.bib")
    assert [i["id"] for i in result.items] == ["a", "good"]
    assert len(result.problems) == 1
    assert result.problems[0].where == "refs.bib:3 (entry broken)"
    assert "entry skipped" in result.problems[0].message


def test_truncated_entry_at_end_of_file() -> None:
    result = formats.read(GOOD + "@article{cut, title={abc}, author={X", "bibtex", source="t.bib")
    assert [i["id"] for i in result.items] == ["good"]
    assert result.problems[0].where == "t.bib:2 (entry cut)"
    assert "end of file" in result.problems[0].message


def test_duplicate_keys_are_read_suffixed_and_reported() -> None:
    text = "@misc{k, title={First}}\n@misc{k, title={Second}}\n"
    result = formats.read(text, "bibtex", source="d.bib")
    assert [(i["id"], i["title"]) for i in result.items] == [("k", "First"), ("k-2", "Second")]
    assert [str(p) for p in result.problems] == [
        "d.bib:2 (entry k): duplicate key 'k': entry read as 'k-2'"
    ]


def test_deep_brace_nesting() -> None:
    text = "@article{deep, title={" + "{" * 10000 + "x" + "}" * 10000 + "}}\n" + GOOD
    result = formats.read(text, "bibtex")
    assert [i["title"] for i in result.items] == ["x", "Fine"]


def test_deep_unbalanced_nesting() -> None:
    text = "@article{deep, title={" + "{" * 10000 + "x}\n" + GOOD
    result = formats.read(text, "bibtex", source="n.bib")
    assert result.problems and result.problems[0].where.startswith("n.bib:1")


def test_fifty_megabyte_field() -> None:
    text = "@article{big, abstract={" + "word " * 10_000_000 + "}}\n" + GOOD
    result = formats.read(text, "bibtex")
    assert [i["id"] for i in result.items] == ["big", "good"]
    assert len(result.items[0]["abstract"]) == 50_000_000 - 1


def test_bad_doi_is_kept_and_reported() -> None:
    result = formats.read("@misc{a, doi={not a doi}}", "bibtex", source="x.bib")
    assert "DOI" not in result.items[0]
    assert result.items[0]["custom"]["bibtex"]["fields"]["doi"] == "not a doi"
    assert result.problems[0].where == "x.bib:1 (entry a)"


@pytest.mark.parametrize("fmt", [None, "bibtex", "ris", "csljson"])
@pytest.mark.parametrize("text", ["", "   \n\t", "\x00\x01\x02binary\x00"])
def test_empty_and_binary_text(text: str, fmt: str | None) -> None:
    with pytest.raises(InputError) as err:
        formats.read(text, fmt, source="x")
    assert err.value.where == "x"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("no entries here", "bibtex"),
        ("no tags here", "ris"),
        ('{"not": "items"}', "csljson"),
        ("[1, 2", "csljson"),
        ("42", "csljson"),
        ("hello world", None),
    ],
)
def test_not_the_format_at_all(text: str, fmt: str | None) -> None:
    with pytest.raises(InputError) as err:
        formats.read(text, fmt, source="f.txt")
    assert err.value.where == "f.txt"
    assert "\n" not in str(err.value)


def test_read_path_decodings(tmp_path: Path) -> None:
    bom = tmp_path / "bom.bib"
    bom.write_bytes("\ufeff@misc{a, title={Über}}".encode())
    assert formats.read_path(bom).items[0]["title"] == "Über"
    latin = tmp_path / "latin.bib"
    latin.write_bytes("@misc{a, title={Café – naïve}}".encode("cp1252"))
    assert formats.read_path(latin).items[0]["title"] == "Café – naïve"
    binary = tmp_path / "x.pdf"
    binary.write_bytes(b"%PDF-1.7\n\x00\x00\xff\xd8 @misc{a,}")
    with pytest.raises(InputError, match="binary"):
        formats.read_path(binary)
    with pytest.raises(InputError) as err:
        formats.read_path(tmp_path / "missing.bib")
    assert err.value.where.endswith("missing.bib")


def test_ris_truncated_and_junk() -> None:
    result = formats.read("TY  - JOUR\nTI  - Cut off\nAU  - Doe, J", "ris", source="r.ris")
    assert result.items[0]["title"] == "Cut off"
    assert result.problems[0].where == "r.ris:1"
