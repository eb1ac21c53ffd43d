"""Readers, writers and format detection (refcli.formats) on real example files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcli import formats
from refcli.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).parent / "fixtures" / "formats"


@pytest.fixture(scope="module")
def library() -> dict[str, dict]:
    result = formats.read_path(EXAMPLES / "library.bib")
    assert result.problems == []
    return {item["id"]: item for item in result.items}


def test_bib_article_mapping(library: dict[str, dict]) -> None:
    item = library["lecun2015deep"]
    assert item["type"] == "article-journal"
    assert item["title"] == "Deep learning"
    assert item["container-title"] == "Nature"
    assert (item["volume"], item["issue"], item["page"]) == ("521", "7553", "436-444")
    assert item["issued"] == {"date-parts": [[2015, 5]]}
    assert item["DOI"] == "10.1038/nature14539"
    assert item["keyword"] == "deep learning, review"
    assert item["abstract"].startswith("Deep learning allows computational models")
    assert [a["family"] for a in item["author"]] == ["LeCun", "Bengio", "Hinton"]
    extras = item["custom"]["bibtex"]
    assert extras["type"] == "article"
    assert extras["fields"] == {
        "file": "Full Text PDF:papers/LeCun2015.pdf:application/pdf",
        "timestamp": "2024-03-01T10:00:00Z",
    }


def test_bib_names_accents_strings_and_types(library: dict[str, dict]) -> None:
    assert library["vandermaaten2008visualizing"]["author"][0] == {
        "family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"
    }
    assert library["vandermaaten2008visualizing"]["title"] == "Visualizing Data using t-SNE"
    assert library["vandermaaten2008visualizing"]["custom"]["bibtex"]["fields"] == {"groups": "embeddings"}
    assert library["hochreiter1997long"]["author"][1] == {"family": "Schmidhuber", "given": "Jürgen"}
    assert library["hochreiter1997long"]["container-title"] == "Neural Computation"  # @string
    assert library["vaswani2017attention"]["author"][6] == {"family": "Kaiser", "given": "Łukasz"}
    assert library["python-reference"]["author"] == [{"literal": "Python Software Foundation"}]
    assert library["python-reference"]["type"] == "webpage"
    assert library["python-reference"]["accessed"] == {"date-parts": [[2024, 5, 1]]}
    chapter = library["rumelhart1986learning"]
    assert chapter["type"] == "chapter"
    assert [e["family"] for e in chapter["editor"]] == ["Rumelhart", "McClelland"]
    assert chapter["container-title"].startswith("Parallel Distributed Processing")
    assert (chapter["publisher"], chapter["publisher-place"]) == ("MIT Press", "Cambridge, MA")
    report = library["krizhevsky2009learning"]
    assert (report["type"], report["publisher"]) == ("report", "University of Toronto")
    thesis = library["shannon1940algebra"]
    assert (thesis["type"], thesis["genre"]) == ("thesis", "PhD thesis")
    assert thesis["publisher"] == "Massachusetts Institute of Technology"
    assert library["he2016deep"]["type"] == "paper-conference"
    assert library["he2016deep"]["container-title"].startswith("Proceedings of the IEEE Conference")
    assert library["goodfellow2016deep"]["ISBN"] == "978-0-262-03561-3"
    assert library["kingma2015adam"]["URL"] == "https://arxiv.org/abs/1412.6980"
    assert library["kingma2015adam"]["custom"]["bibtex"]["fields"]["eprint"] == "1412.6980"


def test_bibtex_export_keeps_extras_and_conventions(library: dict[str, dict]) -> None:
    text = formats.write([library["lecun2015deep"], library["python-reference"]], "bibtex")
    assert "@article{lecun2015deep," in text
    assert "pages = {436--444}" in text
    assert "month = may" in text
    assert "file = {Full Text PDF:papers/LeCun2015.pdf:application/pdf}" in text
    assert "@misc{python-reference," in text
    assert "howpublished = {\\url{https://docs.python.org/3/reference/}}" in text
    assert "author = {{Python Software Foundation}}" in text
    latex = formats.write([library["lecun2015deep"], library["python-reference"]], "biblatex")
    assert "date = {2015-05}" in latex
    assert "journaltitle = {Nature}" in latex
    assert "@online{python-reference," in latex
    assert "urldate = {2024-05-01}" in latex


def test_write_protects_title_capitals_and_escapes() -> None:
    item = {"id": "x", "type": "article-journal", "title": "DNA & RNA in the iPhone: 50% of #1",
            "author": [{"family": "O'Neil", "given": "Cathy"}],
            "custom": {"etal": ["author"]}}
    text = formats.write([item], "bibtex")
    assert r"title = {{DNA} \& {RNA} in the {iPhone}: 50\% of \#1}" in text
    assert "author = {O'Neil, Cathy and others}" in text


def test_write_makes_keys_unique_and_valid() -> None:
    items = [
        {"type": "book", "title": "A", "author": [{"family": "Smith"}], "issued": {"date-parts": [[2020]]}},
        {"type": "book", "title": "B", "author": [{"family": "Smith"}], "issued": {"date-parts": [[2020]]}},
        {"id": "bad key{x}", "type": "book", "title": "C"},
    ]
    text = formats.write(items, "bibtex")
    assert "@book{smith2020," in text and "@book{smith2020-2," in text and "@book{badkeyx," in text
    keys = [i["id"] for i in formats.read(text, "bibtex").items]
    assert keys == ["smith2020", "smith2020-2", "badkeyx"]


def test_thesis_and_report_types_both_ways() -> None:
    items = [
        {"id": "m", "type": "thesis", "genre": "Master's thesis", "title": "T", "publisher": "ETH Zürich"},
        {"id": "r", "type": "report", "title": "R", "publisher": "CERN", "number": "CERN-TH-1"},
    ]
    text = formats.write(items, "bibtex")
    assert "@mastersthesis{m," in text and 'school = {ETH Z{\\"{u}}rich}' in text
    assert "@techreport{r," in text and "institution = {CERN}" in text and "number = {CERN-TH-1}" in text
    back = formats.read(text, "bibtex").items
    assert back[0]["genre"] == "Master's thesis" and back[0]["publisher"] == "ETH Zürich"
    assert back[1]["number"] == "CERN-TH-1" and "issue" not in back[1]


def test_ris_mendeley_file(library: dict[str, dict]) -> None:
    raw = (EXAMPLES / "library.ris").read_bytes()
    assert b"\r\n" in raw  # Mendeley writes CRLF
    result = formats.read_path(EXAMPLES / "library.ris")
    assert result.problems == []
    items = result.items
    assert len(items) == 7
    deep = next(i for i in items if i.get("DOI") == "10.1038/nature14539")
    assert deep["DOI"] == library["lecun2015deep"]["DOI"]  # the merge the demo shows
    assert deep["issued"] == {"date-parts": [[2015, 5, 28]]}
    assert deep["page"] == "436-444" and deep["issue"] == "7553"
    assert deep["custom"]["ris"]["fields"]["L1"][0].endswith("Deep learning.pdf")
    go = next(i for i in items if i.get("DOI") == "10.1038/nature16961")
    assert go["author"][5] == {"family": "Driessche", "given": "George", "non-dropping-particle": "van den"}
    book = items[-1]
    assert (book["type"], book["publisher"], book["publisher-place"]) == ("book", "Springer", "New York")
    assert book["ISBN"] == "978-0-387-31073-2"


def test_ris_write_read_round_trip(library: dict[str, dict]) -> None:
    items = list(library.values())
    back = formats.read(formats.write(items, "ris"), "ris").items
    assert len(back) == len(items)
    for a, b in zip(items, back, strict=True):
        assert b["title"] == a["title"]
        assert b.get("DOI") == a.get("DOI")
        assert b["type"] == a["type"]
        assert b.get("author") == a.get("author")
        assert (b.get("issued") or {}).get("date-parts") == (a.get("issued") or {}).get("date-parts")


def test_ris_problems_have_line_numbers() -> None:
    text = "TY  - JOUR\nTI  - One\nER  - \nAU  - Stray, Tag\nTY  - BOGUS\nTI  - Two\n"
    result = formats.read(text, "ris", source="x.ris")
    assert [i["title"] for i in result.items] == ["One", "Two"]
    messages = [str(p) for p in result.problems]
    assert "x.ris:4: tag AU outside a record (no TY) ignored" in messages
    assert any(m.startswith("x.ris:5: unknown RIS type 'BOGUS'") for m in messages)
    assert "x.ris:5: record has no ER line at the end of the file" in messages


@pytest.mark.parametrize(
    "text",
    [
        '[{"id": "a", "type": "book", "title": "T"}]',
        '{"id": "a", "type": "book", "title": "T"}',
        '{"items": [{"id": "a", "type": "book", "title": "T"}]}',
    ],
)
def test_csljson_shapes(text: str) -> None:
    result = formats.read(text, source="x.json")
    assert result.items == [{"id": "a", "type": "book", "title": "T"}]


def test_csljson_bad_items_reported_by_index() -> None:
    text = json.dumps([
        {"id": "ok", "type": "book", "issued": {"date-parts": [[2001]]}},
        {"id": "b", "author": "Smith"},
        {"id": "c", "issued": "2001"},
        "junk",
    ])
    result = formats.read(text, "csljson", source="x.json")
    assert [i["id"] for i in result.items] == ["ok"]
    assert [p.where for p in result.problems] == ["x.json[1] (b)", "x.json[2] (c)", "x.json[3]"]
    assert "author" in result.problems[0].message


def test_csljson_round_trip(library: dict[str, dict]) -> None:
    items = list(library.values())
    assert formats.read(formats.write(items, "csljson"), "csljson").items == items


@pytest.mark.parametrize(
    ("text", "name", "fmt"),
    [
        ("@article{a, title={x}}", None, "bibtex"),
        ("% comment\n\n  @Book{a, title={x}}", "refs.txt", "bibtex"),
        ("\ufeffTY  - JOUR\r\nTI  - x\r\nER  - \r\n", None, "ris"),
        ('[{"id": "a"}]', "a.bib", "csljson"),
        ('  {"items": []}', None, "csljson"),
        ("just some text", None, None),
        ("", None, None),
        # Content that is both: an abstract quoting a RIS line; the extension decides.
        ("@misc{a, abstract={\nTY  - JOUR\n}}", "x.ris", "ris"),
        ("@misc{a, abstract={\nTY  - JOUR\n}}", "x.bib", "bibtex"),
    ],
)
def test_detect_format(text: str, name: str | None, fmt: str | None) -> None:
    assert formats.detect_format(text, name) == fmt


def test_unknown_format_is_input_error() -> None:
    with pytest.raises(InputError):
        formats.write([], "endnote")
    with pytest.raises(InputError):
        formats.read("x", "endnote")


def test_csl_json_raw_beside_valid_date_parts_is_not_a_problem():
    """Only a date refcli itself parsed and could not read whole keeps ``raw`` as a loss;
    CSL-JSON may carry ``raw`` beside its parts legitimately."""
    item = {"id": "a", "type": "book", "title": "T",
            "issued": {"date-parts": [[2015, 5, 28]], "raw": "2015-05-28"}}
    result = formats.read(json.dumps([item]), "csljson")
    assert result.problems == [] and result.items[0]["issued"] == item["issued"]
