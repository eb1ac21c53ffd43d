"""The library facade (`refcli.library.Library`): each change keeps links and look-ups
right by itself, the same over both storage modes (whole file, or through the index)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import read_library
from refcli import index, store
from refcli.errors import NotFoundError, UsageError
from refcli.library import check_tag_changes


def item(key, **fields):
    return {"id": key, "type": "article-journal", "title": f"Title {key}", **fields}


def _linked() -> list[dict]:
    """Works that link to "gone" (and its former key "old-gone") every way refcli links."""
    return [
        item("gone", DOI="10.1234/gone", custom={"aliases": ["old-gone"]}),
        item("doc", custom={"cites": ["a", "gone", "b"]}),
        item("doc2", custom={"cites": ["old-gone"]}),
        item("pre", custom={"related": [{"key": "gone", "relation": "preprint-of"},
                                        {"key": "a", "relation": "erratum-of"}]}),
        item("dup", custom={"possible-duplicates": [{"key": "gone", "score": 0.8}], "distinct": ["gone"]}),
        item("a"), item("b"),
    ]


@pytest.fixture(params=["lazy", "whole"])
def mode(request, monkeypatch):
    if request.param == "whole":
        monkeypatch.setattr(index, "synced", lambda *a: (_ for _ in ()).throw(RuntimeError("no index")))
    return request.param


def _stored(path, items):
    store.atomic_write(path, store.dumps(items))
    with store.transaction(path, "index"):  # builds the index, so the next one is lazy
        pass


def test_remove_drops_every_link_to_the_work_in_the_others(env, tmp_path, mode):
    path = tmp_path / "library.json"
    _stored(path, _linked())
    with store.transaction(path, "remove") as lib:
        assert lib.lazy == (mode == "lazy")
        lib.remove("gone")
        assert lib.get("gone") is None and lib.get("old-gone") is None and lib.get("10.1234/gone") is None
    works = {i["id"]: i for i in json.loads(path.read_text())}
    assert "gone" not in works
    assert works["doc"]["custom"]["cites"] == ["a", "b"]
    assert works["doc2"]["custom"]["cites"] == []
    assert works["pre"]["custom"]["related"] == [{"key": "a", "relation": "erratum-of"}]
    assert works["dup"]["custom"] == {}
    assert works["a"] == item("a") and works["b"] == item("b")  # lines without a link untouched


def test_both_modes_write_the_same_bytes(env, tmp_path, monkeypatch):
    paths = {m: tmp_path / f"{m}.json" for m in ("lazy", "whole")}
    for path in paths.values():
        _stored(path, _linked())

    def change(lib):
        lib.remove("gone")
        lib.retag("a", ["+x", "+y", "-x"], "2026-01-01T00:00:00Z")
        lib.replace("b", item("b", DOI="10.1234/b"))
        assert lib.get("10.1234/b")["id"] == "b"  # found by its new DOI: no reindex needed

    with store.transaction(paths["lazy"], "change") as lib:
        assert lib.lazy
        change(lib)
    monkeypatch.setattr(index, "synced", lambda *a: (_ for _ in ()).throw(RuntimeError("no index")))
    with store.transaction(paths["whole"], "change") as lib:
        assert not lib.lazy
        change(lib)
    assert paths["lazy"].read_bytes() == paths["whole"].read_bytes()


def test_retag_and_its_input(env, tmp_path, mode):
    path = tmp_path / "library.json"
    _stored(path, [item("a", custom={"tags": ["keep", "drop"]}), item("lecun2015deep")])
    with store.transaction(path, "tag") as lib:
        got = lib.retag("a", ["-drop", "+new", "+keep"], "2026-01-01T00:00:00Z")
    assert got["custom"]["tags"] == ["keep", "new"] and got["custom"]["modified"] == "2026-01-01T00:00:00Z"
    with store.transaction(path, "tag") as lib:
        lib.retag("a", ["-keep", "-new"], "2026-01-02T00:00:00Z")
    assert "tags" not in read_library(path)[0]["custom"]
    with pytest.raises(UsageError, match="look like"):
        check_tag_changes(["oops"])
    with pytest.raises(NotFoundError, match="did you mean: lecun2015deep"), store.transaction(path, "tag") as lib:
        lib.retag("lecun2015", ["+x"], "now")


def test_merge_moves_citations_and_unmerge_moves_them_back(env, tmp_path, mode):
    from refcli import review

    path = tmp_path / "library.json"
    _stored(path, [item("kept"), item("other", DOI="10.1234/other"),
                   item("doc", custom={"cites": ["x", "other", "y"]}),
                   item("both", custom={"cites": ["kept", "other"]})])
    with store.transaction(path, "merge") as lib:
        review.merge_works(lib, "kept", ["other"], "2026-01-01T00:00:00Z")
        assert lib.get("other")["id"] == "kept" and lib.get("10.1234/other")["id"] == "kept"
    works = {i["id"]: i for i in read_library(path)}
    assert works["doc"]["custom"]["cites"] == ["x", "kept", "y"]
    assert works["both"]["custom"]["cites"] == ["kept"]
    with store.transaction(path, "unmerge") as lib:
        review.unmerge(lib, "kept", "other", "2026-01-02T00:00:00Z")
    works = {i["id"]: i for i in read_library(path)}
    assert works["doc"]["custom"]["cites"] == ["x", "other", "y"]
    assert works["both"]["custom"]["cites"] == ["kept", "other"]
    assert not any("cited-by" in s for s in works["kept"]["custom"].get("sources", []))


def test_unmerge_cli_restores_the_citations_merge_moved(refcli, library):
    """`refcli merge` re-points the works citing the merged-in work to the kept key;
    `refcli unmerge` must point them back, or the split-off work loses its citations."""
    store.atomic_write(library, store.dumps([
        item("smith2020", author=[{"family": "Smith", "given": "A."}], issued={"date-parts": [[2020]]}),
        item("smith2020a", author=[{"family": "Smith", "given": "A."}], issued={"date-parts": [[2020]]},
             note="preprint"),
        item("thesis", custom={"cites": ["smith2020a", "other"]}),
        item("other"),
    ]))
    assert refcli("merge", "smith2020", "smith2020a").code == 0
    assert {i["id"]: i for i in read_library(library)}["thesis"]["custom"]["cites"] == ["smith2020", "other"]
    split = refcli("unmerge", "smith2020", "smith2020a")
    assert split.code == 0, split.err
    works = {i["id"]: i for i in read_library(library)}
    assert works["thesis"]["custom"]["cites"] == ["smith2020a", "other"]
    assert [c["id"] for c in refcli("cited-by", "smith2020a", "--json").json()] == ["thesis"]
    assert refcli("cited-by", "smith2020", "--json").json() == []


def test_add_gives_a_key_never_used_and_stamps_the_work(tmp_path):
    from refcli.library import Library

    lib = Library(tmp_path / "x.json", [item("lecun2015deep", custom={"aliases": ["lecun2015deepa"]})])
    record = {"type": "article-journal", "title": "Deep learning", "author": [{"family": "LeCun"}],
              "issued": {"date-parts": [[2015]]}}
    added = lib.add(record, "test", "2026-01-01T00:00:00Z")
    assert added["id"] == "lecun2015deepb"  # neither the key nor the former key
    assert added["custom"]["sources"] == [{"source": "test", "at": "2026-01-01T00:00:00Z"}]
    assert lib.get("lecun2015deepb") is added and len(lib) == 2


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(["remove", "retag", "replace", "merge", "append"]),
                              st.integers(0, 7), st.integers(0, 7)), max_size=8))
def test_every_change_writes_the_same_bytes_in_both_modes(env, tmp_path_factory, monkeypatch, ops):
    """Whatever mix of facade changes a command makes, the library held through the
    index writes what the fully parsed one writes: links and look-ups included."""
    folder = tmp_path_factory.mktemp("lib")
    works = [item(f"k{n}", DOI=f"10.1234/k{n}", custom={
        "cites": [f"k{(n + 1) % 8}", f"k{(n + 3) % 8}"],
        "related": [{"key": f"k{(n + 2) % 8}", "relation": "preprint-of"}],
        **({"distinct": [f"k{(n + 5) % 8}"]} if n % 2 else {})}) for n in range(8)]
    paths = {m: folder / f"{m}.json" for m in ("lazy", "whole")}
    for path in paths.values():
        _stored(path, works)

    def apply(lib) -> None:
        for n, (op, a, b) in enumerate(ops):
            first, second = lib.get(f"k{a}"), lib.get(f"k{b}")
            if op == "remove" and first is not None:
                lib.remove(f"k{a}")
            elif op == "retag" and first is not None:
                lib.retag(f"k{a}", [f"+t{b}", f"-t{n % 3}"], "2026-01-01T00:00:00Z")
            elif op == "replace" and first is not None:
                lib.replace(f"k{a}", {**first, "title": f"edited {n}", "DOI": f"10.1234/e{n}"})
            elif op == "merge" and first is not None and second is not None and first is not second:
                lib.merge(f"k{a}", f"k{b}", f"refcli merge k{a} k{b}", "2026-01-01T00:00:00Z")
            elif op == "append" and not lib.has_key(f"new{n}"):
                lib.append(item(f"new{n}", custom={"cites": [str(first["id"])] if first is not None else []}))
            assert lib.get(f"10.1234/e{n}") is None or lib.get(f"10.1234/e{n}")["title"] == f"edited {n}"

    with store.transaction(paths["lazy"], "ops") as lib:
        assert lib.lazy
        apply(lib)
    with monkeypatch.context() as m:
        m.setattr(index, "synced", lambda *a: (_ for _ in ()).throw(RuntimeError("no index")))
        with store.transaction(paths["whole"], "ops") as lib:
            assert not lib.lazy
            apply(lib)
    assert paths["lazy"].read_bytes() == paths["whole"].read_bytes()
    kept = {i["id"] for i in read_library(paths["lazy"])}
    for work in read_library(paths["lazy"]):  # nothing links to a removed work
        custom = work.get("custom") or {}
        assert set(custom.get("cites", [])) <= kept | {a for w in read_library(paths["lazy"])
                                                       for a in (w.get("custom") or {}).get("aliases", [])}
