"""refcli import / refs / cited-by / parse through the real CLI, on the seeds and our examples."""

import json

import pytest

from helpers import EXAMPLES, SHARED, read_library

SEED_ARTICLE = SHARED / "seeds" / "004_3755230045b1e005.txt"
SEED_BRIEF = SHARED / "seeds" / "000_ac52a2cc3eec390d.txt"
needs_seeds = pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="../shared/seeds not present")


def year(item):
    return item["issued"]["date-parts"][0][0]


@needs_seeds
def test_seed_article_and_brief(refcli, library):
    result = refcli("import", str(SEED_ARTICLE), "--json")
    assert result.code == 0, result.err
    data = result.json()
    doc = data["document"]
    assert doc["title"] == "Japan's foreign policy in the era of Trump 2.0: Will there be changes?"
    assert doc["author"][0]["family"] == "Kistanov" and year(doc) == 2025
    assert doc["container-title"] == "Japanese Studies in Russia"
    assert doc["issue"] == "3" and doc["page"] == "5-25"
    assert doc["DOI"] == "10.55105/2500-2872-2025-3-5-25"
    refs = data["references"]
    assert len(refs) == 11 and data["new"] == 11 and data["merged"] == 0
    assert len([r for r in refs if r.get("DOI")]) == 3
    assert doc["custom"]["cites"] == [r["id"] for r in refs]

    brief = refcli("import", str(SEED_BRIEF), "--json").json()
    assert brief["document"]["type"] == "report"
    assert brief["document"]["author"][0]["family"] == "Lee"
    assert brief["references"] == []

    # refs / cited-by follow the links
    listed = refcli("refs", doc["id"], "--json").json()
    assert [r["id"] for r in listed] == [r["id"] for r in refs]
    citing = refcli("cited-by", refs[0]["id"], "--json").json()
    assert [c["id"] for c in citing] == [doc["id"]]

    # importing both again adds nothing, not even a link
    before = library.read_bytes()
    again = refcli("import", str(SEED_ARTICLE), str(SEED_BRIEF), "--json").json()
    assert [d["new"] for d in again] == [0, 0] and again[0]["merged"] == 11
    assert library.read_bytes() == before


def test_import_examples_dry_run_and_bad_files(refcli, library, tmp_path):
    docs = sorted(p.with_name(p.name.removesuffix(".expected.json"))
                  for p in (EXAMPLES / "documents").glob("*.expected.json"))
    dry = refcli("import", *map(str, docs), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert not library.exists()
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"\x00\x01\x02 not a pdf at all" * 20)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = refcli("import", str(junk), *map(str, docs), str(empty), "--json")
    assert result.code != 0
    assert "junk.pdf" in result.err and "empty.txt" in result.err
    imported = result.json()
    assert len(imported) == len(docs)
    stored = read_library(library)
    assert len(stored) == len({i["id"] for i in stored}) > len(docs)
    for entry, expected_file in zip(imported, docs, strict=True):
        expected = json.loads((expected_file.parent / f"{expected_file.name}.expected.json").read_text())
        doc = expected.get("item") or expected.get("document") or {}
        if doc.get("title"):
            assert entry["document"]["title"] == doc["title"], expected_file.name


def test_import_russian_gost_list_with_transliterated_keys(refcli, library):
    result = refcli("import", str(EXAMPLES / "documents" / "russian-note.txt"), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["document"]["id"] == "ivanova2025yaponiya"
    refs = report["references"]
    assert [r["id"] for r in refs] == ["kaspe2025imperiya", "kistanov2024treugolnik", "trenin2025revizionist",
                                       "samuels2007securing"]
    kistanov = refs[1]
    assert kistanov["author"] == [{"family": "Кистанов", "given": "В. О."}]
    assert kistanov["title"] == "Треугольник Япония — США — Южная Корея: насколько прочным окажется новый альянс?"
    assert (kistanov["container-title"], kistanov["issue"], kistanov["page"]) == ("Проблемы Дальнего Востока", "2", "7-20")
    assert (refs[2]["volume"], refs[2]["DOI"]) == ("23", "10.31278/1810-6439-2025-23-3-35-51")
    assert (refs[3]["type"], refs[3]["publisher"], refs[3]["publisher-place"]) == (
        "book", "Cornell University Press", "Ithaca")
    assert refcli("refs", "ivanova2025yaponiya", "--json").json()[2]["id"] == "trenin2025revizionist"


def test_parse_streams_many_lines_in_order(refcli):
    lines = [f"Author{n}, A. ({1950 + n % 70}). Title number {n}. Journal of Things, {n % 90 + 1}(2), 1-{n % 50 + 5}."
             for n in range(2000)]
    result = refcli("parse", "--json", input="\n".join(lines) + "\n")
    assert result.code == 0, result.err
    items = result.json()
    assert len(items) == 2000
    assert items[7]["author"][0]["family"] == "Author7"
    assert items[1999]["issued"]["date-parts"][0][0] == 1950 + 1999 % 70
    one = refcli("parse", "--json", "LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. "
                 "Nature, 521(7553), 436–444. https://doi.org/10.1038/nature14539").json()
    assert one[0]["DOI"] == "10.1038/nature14539" and one[0]["title"] == "Deep learning"
