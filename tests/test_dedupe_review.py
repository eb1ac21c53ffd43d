"""Deduplication as a user meets it: one `add` of several files, reviewing possible
duplicates (`duplicates`, `--not`), `merge` and `unmerge` by hand, `doctor`, and
`add DOI` completing a work already in the library (real local DOI server)."""

from __future__ import annotations

import json

from conftest import read_library

PART_1 = """@article{shannon1948a,
  author = {Shannon, Claude E.}, title = {A Mathematical Theory of Communication},
  journal = {Bell System Technical Journal}, year = {1948}, volume = {27}, number = {3}, pages = {379--423}
}
"""
PART_1_AGAIN = """@article{Shannon48,
  author = {C. E. Shannon}, title = {A mathematical theory of communication},
  journal = {Bell Syst. Tech. J.}, year = {1948}, volume = {27}, number = {3}, pages = {379-423},
  note = {Part I}
}
"""
PART_2 = """@article{shannon1948b,
  author = {Shannon, Claude E.}, title = {A Mathematical Theory of Communication},
  journal = {Bell System Technical Journal}, year = {1948}, volume = {27}, number = {4}, pages = {623--656}
}
"""
CORMEN = """@book{cormen2009,
  author = {Cormen, Thomas H. and Leiserson, Charles E. and Rivest, Ronald L. and Stein, Clifford},
  title = {Introduction to Algorithms}, publisher = {MIT Press}, year = {2009}, edition = {3}
}
"""
CORMEN_NO_YEAR = """@book{cormenalgo,
  author = {Cormen, T. H. and Leiserson, C. E. and Rivest, R. L. and Stein, C.},
  title = {Introduction to algorithms}
}
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_two_files_of_one_add_are_deduplicated_against_each_other(refcli, library, tmp_path):
    a = _write(tmp_path, "a.bib", PART_1)
    b = _write(tmp_path, "b.bib", PART_1_AGAIN + PART_2)
    result = refcli("add", a, b, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["merged"] == [{"from": "Shannon48", "into": "shannon1948a", "fields": report["merged"][0]["fields"]}]
    items = read_library(library)
    assert sorted(i["id"] for i in items) == ["shannon1948a", "shannon1948b"]  # part 2 stays its own work
    kept = next(i for i in items if i["id"] == "shannon1948a")
    assert kept["custom"]["aliases"] == ["Shannon48"]
    assert any(s.get("key") == "Shannon48" for s in kept["custom"]["sources"])


def test_possible_duplicates_are_listed_dismissed_and_reported_by_doctor(refcli, library, tmp_path):
    assert refcli("add", _write(tmp_path, "c.bib", CORMEN)).code == 0
    result = refcli("add", _write(tmp_path, "d.bib", CORMEN_NO_YEAR), "--json")
    assert result.code == 0 and result.json()["added"] == ["cormenalgo"]
    assert result.json()["possible_duplicates"] == [{"key": "cormenalgo", "of": ["cormen2009"]}]
    listed = refcli("duplicates", "--json")
    assert listed.code == 0, listed.err
    pairs = listed.json()
    assert [(p["a"], p["b"]) for p in pairs] in ([("cormenalgo", "cormen2009")], [("cormen2009", "cormenalgo")])
    pair = pairs[0]
    assert pair["verdict"] == "maybe" and pair["recorded"] and 0 < pair["score"] < 1
    assert "authors agree" in pair["for"] and "a year is missing" in pair["against"]
    text = refcli("duplicates", "cormen")
    assert "possible duplicate" in text.out and "against: a year is missing" in text.out
    assert refcli("duplicates", "nothing-like-this", "--json").json() == []
    doctor = refcli("doctor", "--json")
    assert doctor.code == 1
    assert [f["kind"] for f in doctor.json()["findings"]] == ["possible-duplicate"]
    dismissed = refcli("duplicates", "--not", "cormen2009", "cormenalgo", "--json")
    assert dismissed.code == 0 and dismissed.json() == {"distinct": ["cormen2009", "cormenalgo"]}
    assert refcli("duplicates", "--json").json() == []
    assert refcli("doctor").code == 0
    items = {i["id"]: i for i in read_library(library)}
    assert items["cormenalgo"]["custom"]["distinct"] == ["cormen2009"]
    assert "possible-duplicates" not in items["cormenalgo"]["custom"]
    bad = refcli("duplicates", "--not", "cormen2009")
    assert bad.code == 2 and "two keys" in bad.err
    second = CORMEN_NO_YEAR.replace("cormenalgo", "cormen2nd").replace("algorithms}", "algorithms}, edition = {2}")
    added = refcli("add", _write(tmp_path, "e.bib", second))
    assert added.code == 0 and "1 work may duplicate works already there: refcli duplicates" in added.err
    item = {i["id"]: i for i in read_library(library)}["cormen2nd"]
    assert item["custom"]["related"] == [{"key": "cormen2009", "relation": "edition-of"}]


def test_merge_by_hand_then_unmerge_restores_the_work_exactly(refcli, library, tmp_path):
    assert refcli("add", _write(tmp_path, "c.bib", CORMEN + CORMEN_NO_YEAR)).code == 0
    before = {i["id"]: i for i in read_library(library)}
    assert refcli("tag", "cormenalgo", "+reading").code == 0
    before = {i["id"]: i for i in read_library(library)}
    merged = refcli("merge", "cormen2009", "cormenalgo", "--json")
    assert merged.code == 0, merged.err
    assert merged.json()["kept"] == "cormen2009"
    items = read_library(library)
    assert [i["id"] for i in items] == ["cormen2009"]
    assert items[0]["custom"]["aliases"] == ["cormenalgo"] and "reading" in items[0]["custom"]["tags"]
    assert refcli("show", "cormenalgo", "--json").json()["id"] == "cormen2009"  # the old key still finds it
    split = refcli("unmerge", "cormen2009", "cormenalgo", "--json")
    assert split.code == 0, split.err
    assert split.json()["from"] == "backup"
    items = {i["id"]: i for i in read_library(library)}
    restored = items["cormenalgo"]
    assert {k: v for k, v in restored.items() if k != "custom"} == {
        k: v for k, v in before["cormenalgo"].items() if k != "custom"}
    assert restored["custom"]["tags"] == ["reading"]
    assert "aliases" not in items["cormen2009"]["custom"]
    assert items["cormen2009"]["custom"]["distinct"] == ["cormenalgo"]
    assert refcli("duplicates", "--json").json() == []  # not proposed again
    wrong = refcli("unmerge", "cormen2009", "nokey")
    assert wrong.code == 2 and "not a key merged into" in wrong.err


def test_unmerge_of_a_merge_made_by_add_rebuilds_the_record(refcli, library, tmp_path):
    a = _write(tmp_path, "a.bib", PART_1)
    b = _write(tmp_path, "b.bib", PART_1_AGAIN)
    assert refcli("add", a, b).code == 0
    item = read_library(library)[0]
    assert item["custom"]["aliases"] == ["Shannon48"] and item["note"] == "Part I"
    split = refcli("unmerge", "shannon1948a", "Shannon48", "--json")
    assert split.code == 0, split.err
    restored = split.json()["restored"]
    assert split.json()["from"] == "record"
    assert restored["id"] == "Shannon48" and restored["note"] == "Part I"
    assert restored["container-title"] == "Bell Syst. Tech. J."  # its own value, from custom.merged
    assert restored["title"] == "A Mathematical Theory of Communication"  # agreed (folded equal)
    items = {i["id"]: i for i in read_library(library)}
    assert "note" not in items["shannon1948a"] and "merged" not in items["shannon1948a"]["custom"]


def test_add_doi_of_a_work_in_the_library_completes_it(refcli, library, tmp_path, doi_server):
    partial = """@article{lecun2015deep, author = {LeCun, Yann}, title = {Deep learning},
      year = {2015}, doi = {10.1038/nature14539}}\n"""
    assert refcli("add", _write(tmp_path, "p.bib", partial)).code == 0
    result = refcli("add", "10.1038/nature14539", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["merged"][0]["into"] == "lecun2015deep"
    item = read_library(library)[0]
    assert item["container-title"] == "Nature" and item["page"] == "436-444" and item["volume"] == "521"
    assert item["type"] == "article-journal"  # filled from the registry, not a false "document"
    assert all("type" not in m["fields"] for m in item["custom"].get("merged", []))
    requests = len(doi_server.requests)
    again = refcli("add", "10.1038/nature14539", "--json")
    assert again.json()["unchanged"] == ["lecun2015deep"] and len(doi_server.requests) == requests  # cached
    assert refcli("add", "10.1038/nature14539", "--no-cache").code == 0
    assert len(doi_server.requests) == requests + 1  # --no-cache asks the registry again


def test_add_doi_of_a_known_work_offline_changes_nothing(refcli, library, tmp_path):
    partial = """@article{lecun2015deep, author = {LeCun, Yann}, title = {Deep learning},
      year = {2015}, doi = {10.1038/nature14539}}\n"""
    assert refcli("add", _write(tmp_path, "p.bib", partial)).code == 0
    before = library.read_bytes()
    result = refcli("add", "10.1038/nature14539", "--json")  # the resolver is a closed port
    assert result.code == 0, result.err
    assert json.loads(result.out)["unchanged"] == ["lecun2015deep"]
    assert library.read_bytes() == before


def test_doctor_fix_never_merges_a_chapter_into_the_book_whose_doi_it_carries(refcli, library, tmp_path):
    bib = """@book{handbook, editor = {Weingast, Barry R. and Wittman, Donald A.},
      title = {The Oxford Handbook of Political Economy}, publisher = {Oxford University Press}, year = {2006},
      doi = {10.1093/oxfordhb/9780199548477.001.0001}}
    @incollection{reach, author = {Weingast, Barry R. and Wittman, Donald A.}, title = {The Reach of Political Economy},
      booktitle = {The Oxford Handbook of Political Economy}, pages = {3--25}, year = {2006},
      doi = {10.1093/oxfordhb/9780199548477.001.0001}}
    """
    result = refcli("add", _write(tmp_path, "h.bib", bib), "--json")
    assert result.code == 0 and sorted(result.json()["added"]) == ["handbook", "reach"]
    assert result.json()["related"] == [{"key": "reach", "to": "handbook", "relation": "chapter-of"}]
    doctor = refcli("doctor", "--fix", "--json")
    assert [(f["kind"], f["key"], f["fixable"]) for f in doctor.json()["findings"]] == [("shared-doi", "reach", False)]
    assert sorted(i["id"] for i in read_library(library)) == ["handbook", "reach"]


def test_a_notice_and_a_translation_added_later_are_linked_to_their_stored_works(refcli, library, tmp_path):
    """The second `add` reads the stored library through its index (lazy mode): the
    retraction is signed by the editors and the translation names the original by its
    original-title, so neither shares a first author and year with its work."""
    paper = {"id": "wakefield1998", "type": "article-journal",
             "title": "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental "
                      "disorder in children",
             "author": [{"family": "Wakefield", "given": "A. J."}, {"family": "Murch", "given": "S. H."}],
             "issued": {"date-parts": [[1998]]}, "container-title": "The Lancet", "volume": "351",
             "issue": "9103", "page": "637-641"}
    original = {"id": "eco1980", "type": "book", "title": "Il nome della rosa",
                "author": [{"family": "Eco", "given": "Umberto"}], "issued": {"date-parts": [[1980]]},
                "publisher": "Bompiani"}
    assert refcli("add", _write(tmp_path, "first.json", json.dumps([paper, original]))).code == 0
    notice = {"id": "retraction2010", "type": "article-journal",
              "title": "Retraction—Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
                       "developmental disorder in children",
              "author": [{"literal": "The Editors of The Lancet"}], "issued": {"date-parts": [[2010]]},
              "container-title": "The Lancet", "volume": "375", "issue": "9713", "page": "445"}
    translation = {"id": "eco1983", "type": "book", "title": "The name of the rose",
                   "original-title": "Il nome della rosa", "author": [{"family": "Eco", "given": "Umberto"}],
                   "translator": [{"family": "Weaver", "given": "William"}], "issued": {"date-parts": [[1983]]},
                   "publisher": "Harcourt Brace Jovanovich"}
    assert refcli("add", _write(tmp_path, "later.json", json.dumps([notice, translation]))).code == 0
    items = {i["id"]: i for i in read_library(library)}
    assert len(items) == 4
    assert {"key": "wakefield1998", "relation": "retraction-of"} in items["retraction2010"]["custom"]["related"]
    assert {"key": "eco1980", "relation": "translation-of"} in items["eco1983"]["custom"]["related"]
