"""refcli.export: whole-library export answers unchanged entries from its cache,
and always writes exactly what the writers write from the parsed items."""

from __future__ import annotations

import orjson
import pytest

from refcli import export, formats, store

ITEMS = [
    {"id": "nagel1974", "type": "article-journal", "title": "What is it like to be a bat?",
     "author": [{"family": "Nagel", "given": "Thomas"}], "container-title": "The Philosophical Review",
     "volume": "83", "page": "435-450", "issued": {"date-parts": [[1974, 10]]}},
    {"id": "gödel1931", "type": "article-journal", "title": "Über formal unentscheidbare Sätze",
     "author": [{"family": "Gödel", "given": "Kurt"}], "container-title": "Monatshefte für Mathematik",
     "issued": {"date-parts": [[1931]]}},
    # two ids that sanitise to one BibTeX key: the second must become "a-b-2" on every export
    {"id": "a b", "type": "book", "title": "One", "issued": {"date-parts": [[2001]]}},
    {"id": "a{b}", "type": "book", "title": "Two", "publisher": "P & Q", "issued": {"date-parts": [[2002]]}},
]


@pytest.fixture
def lib(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCLI_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "library.json"
    path.write_bytes(store.dumps(ITEMS))
    return path


def _cache_entries(tmp_path):
    (file,) = (tmp_path / "cache" / "export").glob("bibtex-*.json")
    return orjson.loads(file.read_bytes())["entries"]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris"])
def test_cold_and_warm_exports_equal_the_writer(lib, fmt):
    expected = formats.write(store.load(lib).items, fmt)
    assert export.export_library(lib, fmt) == (expected, 4)  # cold: fills the cache
    assert export.export_library(lib, fmt) == (expected, 4)  # warm: from the cache
    if fmt == "bibtex":
        assert "@book{ab,\n" in expected and "@book{ab-2,\n" in expected
        assert 'author = {G{\\"{o}}del, Kurt}' in expected and "P \\& Q" in expected


def test_a_changed_item_is_written_anew_and_the_cache_keeps_only_current_entries(lib, tmp_path):
    export.export_library(lib, "bibtex")
    assert len(_cache_entries(tmp_path)) == 4
    changed = [dict(ITEMS[0], title="What is it like to be a bat? (revised)"), *ITEMS[1:3]]
    lib.write_bytes(store.dumps(changed))
    text, count = export.export_library(lib, "bibtex")
    assert count == 3 and "(revised)" in text and "What is it like to be a bat?}" not in text
    assert text == formats.write(changed, "bibtex")
    assert len(_cache_entries(tmp_path)) == 3


def test_a_poisoned_cache_from_another_version_is_ignored(lib, tmp_path):
    export.export_library(lib, "bibtex")
    (file,) = (tmp_path / "cache" / "export").glob("bibtex-*.json")
    data = orjson.loads(file.read_bytes())
    data["version"] = "0.0.0-other"
    data["entries"] = {k: ["evil", "misc", "  title = {wrong}"] for k in data["entries"]}
    file.write_bytes(orjson.dumps(data))
    text, _ = export.export_library(lib, "bibtex")
    assert "evil" not in text and text == formats.write(ITEMS, "bibtex")
    file.write_bytes(b"\x00not json")
    assert export.export_library(lib, "bibtex")[0] == text


def test_other_layouts_and_empty_libraries(lib, tmp_path):
    pretty = tmp_path / "pretty.json"  # laid out by another tool: parsed whole, not cached
    pretty.write_text(formats.write(ITEMS, "csljson"))
    assert export.export_library(pretty, "bibtex")[0] == formats.write(ITEMS, "bibtex")
    assert export.export_library(tmp_path / "missing.json", "bibtex") == ("", 0)
    assert export.export_library(lib, "csljson")[0] == formats.write(ITEMS, "csljson")


def test_a_broken_line_is_reported_with_its_place(lib):
    lib.write_bytes(lib.read_bytes().replace(b'"title":"One"', b'"title":"One'))
    with pytest.raises(store.LibraryError) as exc:
        export.export_library(lib, "bibtex")
    assert "not valid JSON" in str(exc.value) and "library.json:4" in exc.value.where


@pytest.mark.parametrize("fmt", ["bibtex", "ris"])
def test_a_cache_of_the_wrong_shape_is_ignored_not_trusted(lib, tmp_path, fmt):
    expected = export.export_library(lib, fmt)[0]
    (file,) = (tmp_path / "cache" / "export").glob(f"{fmt}-*.json")
    data = orjson.loads(file.read_bytes())
    for bad in ("just a string", ["two", "strings"], ["a", "b", 3], None):
        data["entries"] = dict.fromkeys(data["entries"], bad)
        file.write_bytes(orjson.dumps(data))
        assert export.export_library(lib, fmt)[0] == expected
