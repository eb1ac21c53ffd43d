"""The importer's storing rules, with documents whose references arrive pre-structured."""

from dataclasses import dataclass, field

from refcli import store
from refcli.importer import store_document
from refcli.ingest import Ingest


@dataclass
class Doc:
    item: dict
    references: list
    reference_items: list
    warnings: list = field(default_factory=list)


def ref(family, year, title, **kw):
    return {"type": "article-journal", "author": [{"family": family, "given": "A."}],
            "issued": {"date-parts": [[year]]}, "title": title, **kw}


def make_doc(title, doi, refs):
    item = {"type": "article-journal", "title": title, "DOI": doi,
            "author": [{"family": "Writer", "given": "W."}], "issued": {"date-parts": [[2025]]}}
    return Doc(item, [f"raw {r.get('title')}" for r in refs], refs)


def run(path, *docs):
    with store.transaction(path, "import") as lib:
        ingest = Ingest(lib, "import")
        return [store_document(ingest, d, f"doc{n}.txt") for n, d in enumerate(docs)]


def test_cross_document_dedupe_links_and_reimport(tmp_path):
    path = tmp_path / "lib.json"
    shared = ref("LeCun", 2015, "Deep learning", DOI="10.1038/nature14539")
    doc1 = make_doc("First paper", "10.1234/one", [shared, ref("Smith", 2001, "Old work")])
    doc2 = make_doc("Second paper", "10.1234/two", [
        ref("LeCun", 2015, "Deep learning", DOI="https://doi.org/10.1038/NATURE14539"),
        ref("Smith", 2001, "Old work."),  # no DOI, same author/year, near-identical title
        ref("Jones", 2010, "New work"),
    ])
    first, second = run(path, doc1, doc2)
    assert (first.new, first.merged) == (2, 0)
    assert (second.new, second.merged) == (1, 2)
    lib = store.load(path)
    assert len(lib) == 5
    d1, d2 = lib.get("10.1234/one"), lib.get("10.1234/two")
    assert d1["custom"]["cites"] == ["lecun2015deep", "smith2001old"]
    assert d2["custom"]["cites"] == ["lecun2015deep", "smith2001old", "jones2010new"]
    assert d2["custom"]["reference_list"][0] == "raw Deep learning"
    assert [r["id"] for r in second.references] == ["lecun2015deep", "smith2001old", "jones2010new"]

    before = path.read_bytes()
    again = run(path, make_doc("First paper", "10.1234/one", [shared, ref("Smith", 2001, "Old work")]))
    assert (again[0].new, again[0].merged) == (0, 2)
    assert path.read_bytes() == before  # importing twice adds nothing, not even a link


def test_unusable_references_are_reported_not_stored(tmp_path):
    path = tmp_path / "lib.json"
    doc = make_doc("Paper", "10.1234/three", [{"type": "article"}, ref("Ok", 2000, "Fine")])
    [result] = run(path, doc)
    assert result.new == 1 and len(result.references) == 1
    assert any("could not make sense" in w for w in result.warnings)
