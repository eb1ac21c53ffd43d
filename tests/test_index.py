"""The derived index is a cache: stale, damaged, old or unwritable, it never gives wrong answers."""

import json
import os

from refcli import index, search, store


def _keys(path, query):
    where, params = search.to_sql(search.parse_query(query))
    with index.fresh(path) as idx:
        return [i["id"] for i in idx.query(where, params)]


def items(*titles):
    return [{"id": f"k{n}", "type": "book", "title": t} for n, t in enumerate(titles)]


def test_damaged_index_is_rebuilt(env, tmp_path):
    path = tmp_path / "lib.json"
    store.atomic_write(path, store.dumps(items("Alpha", "Beta")))
    assert _keys(path, "beta") == ["k1"]
    index.index_path(path).write_bytes(b"this is not sqlite" * 100)
    assert _keys(path, "beta") == ["k1"]


def test_unwritable_cache_dir_falls_back_to_memory(env, tmp_path, monkeypatch):
    path = tmp_path / "lib.json"
    store.atomic_write(path, store.dumps(items("Alpha", "Beta")))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir should be")
    monkeypatch.setenv("REFCLI_CACHE_DIR", str(blocker / "cache"))
    assert _keys(path, "alpha") == ["k0"]


def test_same_size_same_mtime_edit_is_still_seen(env, tmp_path):
    """A rewrite through rename changes the inode, so even an identical size and mtime is caught."""
    path = tmp_path / "lib.json"
    store.atomic_write(path, store.dumps(items("Alpha", "Beta")))
    assert _keys(path, "beta") == ["k1"]
    st = os.stat(path)
    store.atomic_write(path, store.dumps(items("Alpha", "Gamm")))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _keys(path, "beta") == [] and _keys(path, "gamm") == ["k1"]


def test_pretty_printed_library_from_another_tool(env, tmp_path):
    path = tmp_path / "lib.json"
    path.write_text(json.dumps(items("Alpha", "Beta"), indent=2))
    assert _keys(path, "alpha") == ["k0"]
    with store.transaction(path, "tag") as lib:
        assert not lib.lazy  # not refcli's layout: parsed whole, then written in it
        lib.get("k1")["note"] = "x"
    assert store.split_lines(path.read_bytes()) is not None
    assert _keys(path, "beta") == ["k1"]
