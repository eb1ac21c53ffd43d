from refcli import store
from refcli.dedupe import Matcher, fold, merge
from refcli.ingest import Ingest
from refcli.keys import assign_key, base_key


def art(**kw):
    base = {"type": "article-journal", "title": "Deep learning",
            "author": [{"family": "LeCun", "given": "Yann"}], "issued": {"date-parts": [[2015]]}}
    base.update(kw)
    return base


def test_keys_are_family_year_word_and_never_reused():
    assert base_key(art()) == "lecun2015deep"
    assert base_key(art(author=[{"family": "Müller"}], title="The Über-analysis")) == "muller2015uber"
    assert base_key({"title": "Untitled"}) == "untitled"
    assert assign_key(art(), {"lecun2015deep"}) == "lecun2015deepa"
    assert assign_key(art(id="LeCun:2015"), set()) == "LeCun:2015"
    assert assign_key(art(id="bad key with spaces"), set()) == "lecun2015deep"


def test_keys_of_other_scripts_are_transliterated():
    """A Cyrillic or Chinese name is spelled in ASCII (as Better BibTeX does), not dropped."""
    russian = art(author=[{"family": "Стрельцов", "given": "Д. В."}], title="О японской модели внешней политики",
                  issued={"date-parts": [[2019]]})
    assert base_key(russian) == "streltsov2019yaponskoy"  # "О" is a stop word
    chinese = art(author=[{"family": "王"}], title="中国经济发展的新常态与结构性改革研究")
    assert base_key(chinese) == "wang2015zhongguojingjifazhan"  # the unspaced title's word is capped
    assert base_key(art(author=[{"family": "Đorđević"}])) == "dordevic2015deep"


def test_similar_keys_for_a_mistyped_key():
    from refcli.keys import similar_keys

    keys = ["lecun2015deep", "lecun1998gradient", "he2016deep", "LeCun:2015"]
    assert similar_keys("lecun2015", keys) == ["lecun2015deep"]
    assert similar_keys("LECUN", keys) == ["LeCun:2015", "lecun2015deep", "lecun1998gradient"]
    assert similar_keys("lecun2099", keys) == ["LeCun:2015", "lecun2015deep", "lecun1998gradient"]  # by name
    assert similar_keys("x", keys) == [] and similar_keys("zhang2020", keys) == []


def test_fold_is_case_accent_and_punctuation_insensitive():
    assert fold("Müller, J.-P.") == fold("muller j p")


def test_matcher_doi_and_fuzzy_title():
    m = Matcher([art(id="k1", DOI="10.1038/nature14539")])
    assert m.find(art(DOI="https://doi.org/10.1038/NATURE14539", title="other"))["id"] == "k1"
    assert m.find(art(title="Deep Learning.")) is not None          # near-identical, no DOI
    assert m.find(art(title="Deep learning II: the sequel")) is None
    assert m.find(art(issued={"date-parts": [[2016]]})) is None      # other year
    assert m.find(art(title="Deep learning", DOI="10.1000/other")) is None  # two DOIs differ


def test_merge_fills_keeps_conflicts_and_is_idempotent():
    existing = art(id="k1", volume="521")
    incoming = art(id="LeCun2015", volume="522", page="436-444", custom={"tags": ["ml"]})
    changed = merge(existing, incoming, "x.bib", "2026-01-01T00:00:00Z")
    assert existing["page"] == "436-444" and existing["volume"] == "521"
    assert existing["custom"]["merged"][0]["fields"] == {"volume": "522"}
    assert existing["custom"]["tags"] == ["ml"]
    assert existing["custom"]["aliases"] == ["LeCun2015"]
    assert "page" in changed
    snapshot = repr(existing)
    incoming2 = art(id="LeCun2015", volume="521", page="436-444", custom={"tags": ["ml"]})
    assert merge(existing, incoming2, "x.bib", "2026-01-02T00:00:00Z") == []
    assert repr(existing) == snapshot


def test_ingest_adding_the_same_records_twice_adds_nothing(tmp_path):
    path = tmp_path / "lib.json"
    records = [art(id="a1"), art(title="Other work", DOI="10.1234/x"), art(title="Other work", DOI="10.1234/X")]
    with store.transaction(path, "add") as lib:
        ing = Ingest(lib, "f.bib")
        statuses = [ing.add(dict(r)).status for r in records]
    assert statuses == ["added", "added", "unchanged"]
    data = path.read_bytes()
    with store.transaction(path, "again") as lib:
        ing = Ingest(lib, "f.bib")
        assert [ing.add(dict(r)).status for r in records] == ["unchanged"] * 3
    assert path.read_bytes() == data
