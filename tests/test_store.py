import json
import os
import stat

import pytest

from refcli import store
from refcli.errors import LibraryError


def item(key, **fields):
    return {"id": key, "type": "article-journal", "title": f"Title {key}", **fields}


def test_library_file_is_a_csl_json_array_one_item_per_line(tmp_path):
    path = tmp_path / "lib.json"
    with store.transaction(path, "add") as lib:
        lib.append(item("a2020x"))
        lib.append(item("b2021y", title="Ünïcode “quotes”"))
    text = path.read_text()
    assert json.loads(text)[1]["title"] == "Ünïcode “quotes”"
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4


def test_unchanged_transaction_writes_nothing(tmp_path):
    path = tmp_path / "lib.json"
    with store.transaction(path, "add") as lib:
        lib.append(item("a"))
    before = os.stat(path)
    with store.transaction(path, "noop"):
        pass
    after = os.stat(path)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_failed_transaction_leaves_library_as_it_was(tmp_path):
    path = tmp_path / "lib.json"
    with store.transaction(path, "add") as lib:
        lib.append(item("a"))
    data = path.read_bytes()
    with pytest.raises(RuntimeError), store.transaction(path, "broken") as lib:
        lib.append(item("b"))
        raise RuntimeError("boom")
    assert path.read_bytes() == data


def test_backups_and_undo(tmp_path):
    path = tmp_path / "lib.json"
    with store.transaction(path, "add a") as lib:
        lib.append(item("a"))
    with store.transaction(path, "add b") as lib:
        lib.append(item("b"))
    assert [i["id"] for i in store.load(path)] == ["a", "b"]
    assert store.undo(path) == "add b"
    assert [i["id"] for i in store.load(path)] == ["a"]
    assert store.undo(path) == "add a"
    assert store.load(path).items == []
    with pytest.raises(LibraryError, match="nothing to undo"):
        store.undo(path)


def test_newer_format_is_refused(tmp_path):
    path = tmp_path / "lib.json"
    path.write_text(json.dumps([item("a", custom={"schema": store.SCHEMA + 1})]))
    with pytest.raises(LibraryError, match="newer refcli"):
        store.load(path)


def test_broken_library_names_the_line(tmp_path):
    path = tmp_path / "lib.json"
    path.write_text('[\n{"id": "a"},\n{"id": \n]\n')
    with pytest.raises(LibraryError, match=r"lib.json:4"):
        store.load(path)


def test_write_failure_keeps_old_library(tmp_path):
    path = tmp_path / "ro" / "lib.json"
    with store.transaction(path, "add") as lib:
        lib.append(item("a"))
    data = path.read_bytes()
    os.chmod(path.parent, stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(path.parent, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(LibraryError, match="left unchanged"), store.transaction(path, "x") as lib:
            lib.append(item("b"))
    finally:
        os.chmod(path.parent, stat.S_IRWXU)
    assert path.read_bytes() == data


def test_rename_failure_keeps_old_library(tmp_path, monkeypatch):
    path = tmp_path / "lib.json"
    with store.transaction(path, "add") as lib:
        lib.append(item("a"))
    data = path.read_bytes()

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", no_space)
    with pytest.raises(LibraryError, match="disk full"), store.transaction(path, "x") as lib:
        lib.append(item("b"))
    assert path.read_bytes() == data
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_lookup_by_key_alias_and_any_doi_spelling(tmp_path):
    lib = store.Library(tmp_path / "x.json", [item("a", DOI="10.1038/nature14539",
                                                   custom={"aliases": ["LeCun2015"]})])
    assert lib.get("a")["id"] == "a"
    assert lib.get("LeCun2015")["id"] == "a"
    assert lib.get("https://doi.org/10.1038/NATURE14539")["id"] == "a"
    assert lib.get("nope") is None
