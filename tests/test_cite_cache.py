"""refcli.cite: the on-disk cache of finished citations keys on what was asked."""

from __future__ import annotations

from refcli import cite

ITEM = {"id": "nagel1974", "type": "article-journal", "title": "What is it like to be a bat?",
        "author": [{"family": "Nagel", "given": "Thomas"}], "container-title": "The Philosophical Review",
        "volume": "83", "page": "435-450", "issued": {"date-parts": [[1974]]},
        "custom": {"tags": ["x"]}}


def test_parts_are_part_of_the_cache_key(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCLI_CACHE_DIR", str(tmp_path))
    bib_only = cite.render([ITEM], "apa", parts=["bibliography"])
    assert bib_only["citation"] == "" and bib_only["citations"] == {}
    full = cite.render([ITEM], "apa")  # must not be answered by the bibliography-only entry
    assert full["citation"] == "(Nagel, 1974)"
    assert full["citations"] == {"nagel1974": "(Nagel, 1974)"}
    assert full["bibliography"] == bib_only["bibliography"]
    assert len(list((tmp_path / "cite").glob("*.json"))) == 2
    # a second ask with the same parts (any order, any iterable) is a cache hit
    again = cite.render([ITEM], "apa", parts=("bibliography",))
    assert again == bib_only
    assert len(list((tmp_path / "cite").glob("*.json"))) == 2
