"""refcli doctor: the checks and repairs of refcli.doctor, and the CLI around them."""

from __future__ import annotations

import copy
import json

from helpers import read_library
from refcli import doctor


def _work(key, **fields):
    return {"id": key, "type": "article-journal", "title": f"Title {key}", **fields}


def _kinds(findings):
    return sorted((f.kind, f.key) for f in findings)


def test_healthy_library_has_no_findings():
    items = [_work("a", DOI="10.5555/a", issued={"date-parts": [[2020, 2, 29]]},
                   author=[{"family": "A", "given": "B"}], custom={"cites": ["b"], "tags": ["x"]}),
             _work("b", issued={"date-parts": [[2019, 22]]})]  # month 22 is a season
    assert doctor.check(items) == []
    assert doctor.fix(items) == (items, [])


def test_duplicate_keys_and_missing_key_are_renamed():
    items = [_work("smith2020"), _work("smith2020", title="Other"), {"type": "book", "title": "No key"}]
    assert _kinds(doctor.check(items)) == [("duplicate-id", "smith2020"), ("missing-id", None)]
    fixed, done = doctor.fix(items)
    keys = [i["id"] for i in fixed]
    assert keys[0] == "smith2020" and len(set(keys)) == 3 and all(keys)
    assert items[1]["id"] == "smith2020", "fix() must not change its input"
    assert doctor.check(fixed) == []
    assert any("key changed" in d for d in done) and any("key assigned" in d for d in done)


def test_duplicate_dois_are_merged_losing_nothing():
    items = [_work("a", DOI="10.5555/X", custom={"tags": ["one"]}),
             _work("b", DOI="https://doi.org/10.5555/x", volume="7", custom={"tags": ["two"]}),
             _work("c", custom={"cites": ["b", "a"]})]
    found = doctor.check(items)
    assert ("duplicate-doi", "b") in _kinds(found)
    assert ("bad-doi", "a") in _kinds(found)  # upper case is not canonical
    fixed, done = doctor.fix(items)
    by_key = {i["id"]: i for i in fixed}
    assert sorted(by_key) == ["a", "c"]
    assert by_key["a"]["DOI"] == "10.5555/x" and by_key["a"]["volume"] == "7"
    assert by_key["a"]["custom"]["tags"] == ["one", "two"]
    assert "b" in by_key["a"]["custom"]["aliases"]
    assert by_key["c"]["custom"]["cites"] == ["a"]  # the link to b now points at a, once
    assert any("merged into a" in d for d in done)
    assert doctor.check(fixed) == []


def test_invalid_doi_is_reported_but_not_guessed():
    items = [_work("a", DOI="not-a-doi")]
    assert [(f.kind, f.fixable) for f in doctor.check(items)] == [("bad-doi", False)]
    assert doctor.fix(items)[0] == items


def test_bad_dates_keep_their_valid_parts():
    items = [_work("a", issued={"date-parts": [[2025, 13, 45]]}),
             _work("b", issued={"date-parts": [["2020", "2", "31x"]]}),
             _work("c", accessed="yesterday"),
             _work("d", issued={"date-parts": [["x"]]})]
    found = doctor.check(items)
    assert [(f.kind, f.key) for f in found] == [("bad-date", k) for k in "abcd"]
    assert "2025-13-45" in found[0].message
    fixed, _ = doctor.fix(items)
    by_key = {i["id"]: i for i in fixed}
    assert by_key["a"]["issued"] == {"date-parts": [[2025]], "raw": "2025-13-45"}
    assert by_key["b"]["issued"]["date-parts"] == [[2020, 2]]
    assert by_key["c"]["accessed"] == {"literal": "yesterday"}
    assert by_key["d"]["issued"] == {"raw": "x"}
    assert doctor.check(fixed) == []


def test_names_types_fields_and_custom():
    items = [_work("a", author="Plato", editor=[{"family": ""}, {"family": "Ed"}], type="journal",
                   title=["Part one", "Part two"], custom={"tags": "solo"}),
             _work("b", custom="oops")]
    kinds = _kinds(doctor.check(items))
    assert kinds == [("bad-custom", "a"), ("bad-custom", "b"), ("bad-field", "a"),
                     ("bad-name", "a"), ("bad-name", "a"), ("bad-type", "a")]
    fixed, _ = doctor.fix(items)
    a = fixed[0]
    assert a["author"] == [{"literal": "Plato"}] and a["editor"] == [{"family": "Ed"}]
    assert a["type"] == "document" and a["custom"]["original-type"] == "journal"
    assert a["title"] == "Part one; Part two" and a["custom"]["tags"] == ["solo"]
    assert [(f.kind, f.key, f.fixable) for f in doctor.check(fixed)] == [("bad-custom", "b", False)]


def test_dangling_cites_are_dropped_but_aliases_count():
    items = [_work("a", custom={"cites": ["gone", "b", "old-b"]}),
             _work("b", custom={"aliases": ["old-b"]})]
    assert _kinds(doctor.check(items)) == [("dangling-cite", "a")]
    fixed, done = doctor.fix(items)
    assert fixed[0]["custom"]["cites"] == ["b", "old-b"]
    assert done == ["a: removed links to missing works gone"]


def test_cli_doctor_reports_then_fixes_with_a_backup(refcli, library):
    items = [_work("a", DOI="10.5555/d", custom={"cites": ["zz"]}), _work("b", DOI="10.5555/D"),
             _work("c", issued={"date-parts": [[2025, 13, 45]]})]
    library.write_text(json.dumps(items))
    original = library.read_bytes()
    res = refcli("doctor", "--json")
    assert res.code == 1
    kinds = sorted((f["kind"], f["key"]) for f in res.json()["findings"])
    assert kinds == [("bad-date", "c"), ("bad-doi", "b"), ("dangling-cite", "a"), ("duplicate-doi", "b")]
    assert library.read_bytes() == original  # checking writes nothing
    res = refcli("doctor", "--fix")
    assert res.code == 0, res.err
    assert "fixed" in res.out + res.err
    after = read_library(library)
    assert [i["id"] for i in after] == ["a", "c"] and after[1]["issued"]["date-parts"] == [[2025]]
    assert refcli("doctor").code == 0
    res = refcli("undo")
    assert res.code == 0 and "doctor" in res.out + res.err
    assert json.loads(library.read_bytes()) == json.loads(original)


def test_fix_is_idempotent_on_a_messy_library():
    items = [_work("a", DOI="10.5555/X"), _work("a", DOI="10.5555/x"), _work("b", author="X"),
             {"title": "k"}, _work("c", custom={"cites": ["a", "q"]})]
    once, _ = doctor.fix(copy.deepcopy(items))
    twice, done = doctor.fix(once)
    assert twice == once and done == []


def test_day_beyond_the_end_of_its_month_is_invalid():
    from refcli.formats.dates import parse_date

    assert parse_date("2024-02-29") == {"date-parts": [[2024, 2, 29]]}
    assert parse_date("2023-02-29") == {"date-parts": [[2023, 2]], "raw": "2023-02-29"}
    items = [_work("a", issued={"date-parts": [[2023, 4, 31]]})]
    assert [f.kind for f in doctor.check(items)] == ["bad-date"]
