"""refcli doctor: finds what is broken, repairs it without losing anything, and undo reverts."""

import json

from conftest import read_library


def test_doctor_finds_and_fixes(refcli, library):
    broken = [
        {"id": "a2020", "type": "article-journal", "title": "A", "DOI": "https://doi.org/10.1234/ABC",
         "custom": {"cites": ["b2021", "ghost"]}},
        {"id": "b2021", "type": "book", "title": "B", "issued": {"date-parts": [[2025, 13, 45]]}},
        {"id": "b2021", "type": "book", "title": "B again"},
        {"id": "bad key", "type": "book", "title": "Spaces in key", "author": "not a list"},
        {"id": "c", "type": "article-journal", "title": "A twin", "DOI": "10.1234/abc"},
    ]
    library.write_text(json.dumps(broken))
    result = refcli("doctor", "--json")
    assert result.code == 1
    kinds = {f["kind"] for f in result.json()["findings"]}
    assert kinds >= {"duplicate-key", "bad-key", "duplicate-doi", "doi-spelling", "bad-field", "dangling-cites"}

    fixed = refcli("doctor", "--fix")
    assert fixed.code == 0, fixed.err
    items = {i["id"]: i for i in read_library(library)}
    assert len(items) == 4  # the DOI twin merged into a2020, nothing else dropped
    assert items["a2020"]["DOI"] == "10.1234/abc"
    assert items["a2020"]["custom"]["cites"] == ["b2021"]
    assert items["a2020"]["custom"]["invalid"]["cites"] == ["ghost"]
    assert items["a2020"]["custom"]["merged"][0]["fields"]["title"] == "A twin"
    assert items["b2021"]["custom"]["invalid"]["issued"] == {"date-parts": [[2025, 13, 45]]}
    assert "B again" in [i["title"] for i in items.values()]
    assert refcli("doctor").code == 0
    assert "doctor --fix" in refcli("undo").err
    assert json.loads(library.read_text()) == broken
