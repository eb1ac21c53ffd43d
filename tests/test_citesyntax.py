"""pandoc's citation syntax (refcli.citesyntax) and `refcli cite` with it."""

from __future__ import annotations

import json

import pytest

from refcli.citesyntax import locator_labels, parse, split_locator
from refcli.errors import UsageError


def cites(text: str) -> list[list[dict]]:
    return [c["citationItems"] for c in parse(text)]


def test_a_bracketed_citation_with_prefix_locators_and_several_cites():
    assert cites("[see @smith2020, p. 33; @doe2019, chap. 2]") == [[
        {"id": "smith2020", "prefix": "see", "label": "page", "locator": "33"},
        {"id": "doe2019", "label": "chapter", "locator": "2"}]]


def test_author_in_text_and_suppress_author():
    [in_text] = parse("@smith2020 [p. 4]")
    assert in_text["properties"]["mode"] == "composite"
    assert in_text["citationItems"] == [{"id": "smith2020", "label": "page", "locator": "4"}]
    assert parse("@smith2020")[0]["citationItems"] == [{"id": "smith2020"}]
    assert cites("[-@smith2020]") == [[{"id": "smith2020", "suppress-author": True}]]


@pytest.mark.parametrize("after, expected", [
    (", 33", {"label": "page", "locator": "33"}),  # a bare number is a page
    (", pp. 33-35 and passim", {"label": "page", "locator": "33-35", "suffix": "and passim"}),
    (", pp. 3–5, 7", {"label": "page", "locator": "3–5, 7"}),
    (", sec. 2.3", {"label": "section", "locator": "2.3"}),
    (", § 4", {"label": "section", "locator": "4"}),
    (", ¶ 12", {"label": "paragraph", "locator": "12"}),
    (", para. 4", {"label": "paragraph", "locator": "4"}),
    (", fig. 3b", {"label": "figure", "locator": "3b"}),
    (", vol. 2, p. 5", {"label": "volume", "locator": "2", "suffix": ", p. 5"}),
    (", chapters 1-3", {"label": "chapter", "locator": "1-3"}),
    (", p. iv", {"label": "page", "locator": "iv"}),
    (", l. 5", {"label": "line", "locator": "5"}),
    (", and elsewhere", {"suffix": ", and elsewhere"}),
    (" emphasis added", {"suffix": "emphasis added"}),
    ("", {}),
])
def test_locators_are_read_with_the_csl_locator_terms(after, expected):
    assert split_locator(after) == expected


def test_labels_come_from_the_locale_terms():
    en = locator_labels("en-US")
    assert en["p."] == "page" and en["pp."] == "page" and en["chap."] == "chapter" and en["§"] == "section"
    de = locator_labels("de-DE")
    assert de["s."] == "page" and de["kap."] == "chapter"  # German short forms, English still known
    assert split_locator(", S. 12", "de-DE") == {"label": "page", "locator": "12"}


def test_several_citations_in_one_text_keep_their_order():
    got = parse("@a says [@b, §3] and [see @{odd key}]; mail x@y.org")
    assert [c["citationItems"][0]["id"] for c in got] == ["a", "b", "odd key"]
    assert got[0]["properties"] == {"mode": "composite"} and got[1]["properties"] == {}


def test_a_bare_key_is_one_citation():
    assert cites("smith2020") == [[{"id": "smith2020"}]]


@pytest.mark.parametrize("text", ["[see p. 33]", "two words", "", "[@a; p. 3]"])
def test_unreadable_citations_are_usage_errors(text):
    with pytest.raises(UsageError):
        parse(text)


# --- through the CLI ----------------------------------------------------------------------

ITEMS = [
    {"id": "smith2020", "type": "book", "title": "One", "publisher": "P",
     "author": [{"family": "Smith", "given": "John"}], "issued": {"date-parts": [[2020]]}},
    {"id": "smith2021", "type": "book", "title": "Three", "publisher": "P",
     "author": [{"family": "Smith", "given": "John"}], "issued": {"date-parts": [[2021]]}},
    {"id": "doe2019", "type": "article-journal", "title": "Two", "container-title": "J",
     "author": [{"family": "Doe", "given": "Jane"}], "issued": {"date-parts": [[2019]]}},
]


@pytest.fixture
def items(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps(ITEMS))
    return path


def test_cli_pandoc_syntax_one_citation_per_argument(refcli, items):
    result = refcli("cite", "--from", str(items), "--style", "apa",
                    "[see @smith2020, p. 33; @doe2019, chap. 2]", "@smith2020 [p. 4]", "[-@smith2020]",
                    "[@smith2020; @smith2021]")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:4] == ["(Doe, 2019, Chapter 2; see Smith, 2020, p. 33)", "Smith (2020, p. 4)", "(2020)",
                         "(Smith, 2020, 2021)"]
    assert lines[4] == "" and lines[5].startswith("Doe, J. (2019)")


def test_cli_note_style_numbers_notes_and_json_has_each_citation(refcli, items):
    result = refcli("cite", "--from", str(items), "--style", "chicago-notes-bibliography", "--json",
                    "[@smith2020, p. 4]", "[@smith2020, p. 5]", "[@doe2019]")
    assert result.code == 0, result.err
    data = result.json()
    assert [(c["input"], c["citation"], c["note"]) for c in data["clusters"]] == [
        ("[@smith2020, p. 4]", "John Smith, One (P, 2020), 4.", 1),
        ("[@smith2020, p. 5]", "Smith, One, 5.", 2),
        ("[@doe2019]", "Jane Doe, “Two,” J, 2019.", 3)]
    assert [e["id"] for e in data["bibliography"]] == ["doe2019", "smith2020"]
    text = refcli("cite", "--from", str(items), "--style", "chicago-notes-bibliography", "--citation-only",
                  "[@smith2020, p. 4]", "[@smith2020, p. 5]")
    assert text.out.splitlines() == ["1. John Smith, One (P, 2020), 4.", "2. Smith, One, 5."]


def test_cli_bare_keys_stay_one_citation(refcli, items):
    result = refcli("cite", "--from", str(items), "--style", "apa", "--citation-only", "smith2021", "smith2020")
    assert result.out.strip() == "(Smith, 2020, 2021)"


def test_cli_numeric_styles_collapse_ranges(refcli, items):
    result = refcli("cite", "--from", str(items), "--style", "nature", "--citation-only",
                    "[@smith2020; @smith2021; @doe2019]")
    assert result.out.strip() == "1–3"


def test_cli_unreadable_entry_is_named_the_rest_printed_exit_65(refcli, tmp_path):
    bad = {"id": "kaputt", "type": "book", "title": "X", "issued": 2015}  # not a date object
    path = tmp_path / "items.json"
    path.write_text(json.dumps([*ITEMS, bad]))
    result = refcli("cite", "--from", str(path), "--all", "--style", "apa")
    assert result.code == 65
    assert "items.json[3]" in result.err and "issued" in result.err
    assert "Smith, J. (2020). One. P." in result.out and "(Doe, 2019; Smith, 2020, 2021)" in result.out


def test_cli_item_the_engine_cannot_render_is_named_with_its_field(refcli, tmp_path):
    # the case: a conference paper whose date is a range (7-9 May 2015)
    # broke APA for every item; it still does, alone
    bad = {"id": "kingma2015", "type": "paper-conference", "title": "Adam", "event": "ICLR",
           "author": [{"family": "Kingma", "given": "Diederik"}],
           "issued": {"date-parts": [[2015, 5, 7], [2015, 5, 9]]}}
    path = tmp_path / "items.json"
    path.write_text(json.dumps([*ITEMS, bad]))
    result = refcli("cite", "--from", str(path), "--all", "--style", "apa", "--json")
    data = result.json()
    assert {"doe2019", "smith2020", "smith2021"} <= {e["id"] for e in data["bibliography"]}
    if data["errors"]:  # the engine still fails on it: named, with the field, exit 65
        assert result.code == 65 and "item kingma2015 (field issued)" in result.err
        assert data["errors"][0]["field"] == "issued"
    else:  # once the engine renders it, it is simply there
        assert result.code == 0 and "kingma2015" in [e["id"] for e in data["bibliography"]]


def test_cli_duplicate_ids_warn_and_use_the_first(refcli, tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([*ITEMS, {**ITEMS[0], "title": "Second copy"}]))
    result = refcli("cite", "--from", str(path), "--all", "--style", "apa", "--bibliography-only")
    assert result.code == 0, result.err
    assert "duplicate id" in result.err and "smith2020" in result.err
    assert "One" in result.out and "Second copy" not in result.out


def test_cli_unknown_key_in_citation(refcli, items):
    result = refcli("cite", "--from", str(items), "[@nobody, p. 3]")
    assert result.code == 3 and "nobody" in result.err
    assert refcli("cite", "--from", str(items), "[see p. 3]").code == 2


def test_cli_help_shows_the_syntax_with_its_brackets(refcli):
    result = refcli("cite", "--help", extra_env={"COLUMNS": "200"})
    assert '"[see @lecun2015deep, p. 33; @he2016deep, chap. 2]"' in result.out
    assert "'[-@key]'" in result.out
