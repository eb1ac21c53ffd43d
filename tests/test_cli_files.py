"""Files in and out through the real CLI: add, show, export round trip, cite, pandoc."""

import json
import re
import shutil
import subprocess

import pytest

from helpers import EXAMPLES, read_library


@pytest.fixture
def examples(refcli, library):
    result = refcli("add", str(EXAMPLES / "library.bib"), str(EXAMPLES / "library.ris"), "--json")
    assert result.code == 0, result.err
    return result.json()


def test_moving_in_keeps_keys_merges_duplicates_and_loses_nothing(refcli, library, examples):
    assert "lecun2015deep" in examples["added"]
    # the RIS copy of "Deep learning" (same DOI) merged into the BibTeX one
    assert [m["into"] for m in examples["merged"]] == ["lecun2015deep"]
    shown = refcli("show", "lecun2015deep", "--json").json()
    bibtex_extras = shown["custom"]["bibtex"]["fields"]
    assert "file" in bibtex_extras and "timestamp" in bibtex_extras  # Better BibTeX fields kept
    assert shown["keyword"] and shown["abstract"]
    assert any(s["source"].endswith("library.ris") for s in shown["custom"]["sources"])
    # adding the same files again changes nothing at all
    before = library.read_bytes()
    again = refcli("add", str(EXAMPLES / "library.bib"), str(EXAMPLES / "library.ris"), "--json").json()
    assert again["added"] == [] and again["merged"] == []
    assert library.read_bytes() == before


def test_export_then_add_into_empty_library_round_trips(refcli, library, examples, tmp_path):
    items = {i["id"]: i for i in read_library(library)}
    for fmt in ("bibtex", "biblatex", "ris", "csl-json"):
        out = tmp_path / f"export.{fmt}"
        assert refcli("export", "--format", fmt, "-o", str(out)).code == 0
        other = tmp_path / f"lib-{fmt}.json"
        result = refcli("--library", str(other), "add", str(out), "--json")
        assert result.code == 0, result.err
        back = {i["DOI"] if i.get("DOI") else i["title"]: i for i in read_library(other)}
        assert len(back) == len(items), fmt
        for item in items.values():
            twin = back[item["DOI"] if item.get("DOI") else item["title"]]
            assert twin["title"] == item["title"], fmt
            assert twin.get("issued", {}).get("date-parts", [[None]])[0][0] == \
                item.get("issued", {}).get("date-parts", [[None]])[0][0], (fmt, item["id"])
            names = [n.get("family") or n.get("literal") for n in item.get("author", [])]
            assert [n.get("family") or n.get("literal") for n in twin.get("author", [])] == names, fmt


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed (make test installs it)")
def test_the_library_file_itself_is_a_pandoc_bibliography(refcli, library, examples, tmp_path):
    """User story 4: the library is plain CSL-JSON, so pandoc cites from it unchanged."""
    draft = tmp_path / "draft.md"
    draft.write_text("See @lecun2015deep and [@vandermaaten2008visualizing].\n\n# References\n")
    proc = subprocess.run(["pandoc", "--citeproc", "--bibliography", str(library), "-t", "plain",
                           "--wrap=none", str(draft)], capture_output=True, text=True, check=True)
    assert "[WARNING]" not in proc.stderr, proc.stderr
    assert "See LeCun, Bengio, and Hinton (2015) and (van der Maaten and Hinton 2008)." in proc.stdout
    assert "“Deep Learning.” Nature 521 (7553): 436–44. https://doi.org/10.1038/nature14539." \
        in proc.stdout
    assert "“Visualizing Data Using t-SNE.” Journal of Machine Learning Research" in proc.stdout


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed (make test installs it)")
def test_pandoc_reads_exported_bibtex_like_our_csl_json(refcli, library, examples, tmp_path):
    out = tmp_path / "lib.bib"
    assert refcli("export", "-o", str(out)).code == 0
    proc = subprocess.run(["pandoc", "-f", "bibtex", "-t", "csljson", str(out)],
                          capture_output=True, text=True, check=True)
    theirs = {i["id"]: i for i in json.loads(proc.stdout)}
    ours = {i["id"]: i for i in read_library(library)}
    assert set(theirs) == set(ours)
    for key, item in ours.items():
        assert theirs[key]["title"].replace("’", "'") == item["title"].replace("’", "'"), key
        assert [n.get("family") for n in theirs[key].get("author", [])] == \
            [n.get("family") for n in item.get("author", [])], key
        if item.get("issued", {}).get("date-parts"):
            assert theirs[key]["issued"]["date-parts"][0][0] == item["issued"]["date-parts"][0][0]


# What citeproc-js 2.4.63 (Zotero's engine) prints for the example item, through
# ../shared/tools/cslcmp/render_js.mjs; the leading number of numeric styles is layout.
EXPECTED_LECUN = {
    "apa": ("(LeCun et al., 2015)",
            "LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. Nature, 521(7553), 436–444. https://doi.org/10.1038/nature14539"),
    "ieee": ("[1]", "Y. LeCun, Y. Bengio, and G. Hinton, “Deep learning,” Nature, vol. 521, no. 7553, pp. 436–444, May 2015, doi: 10.1038/nature14539."),
    "chicago-author-date": ("(LeCun et al. 2015)",
                            "LeCun, Yann, Yoshua Bengio, and Geoffrey Hinton. 2015. “Deep Learning.” Nature 521 (7553): 436–44. https://doi.org/10.1038/nature14539."),
    "modern-language-association": ("(LeCun et al.)",
                                    "LeCun, Yann, et al. “Deep Learning.” Nature, vol. 521, no. 7553, May 2015, pp. 436–44, https://doi.org/10.1038/nature14539."),
    "harvard-cite-them-right": ("(LeCun, Bengio and Hinton, 2015)",
                                "LeCun, Y., Bengio, Y. and Hinton, G. (2015) “Deep learning,” Nature, 521(7553), pp. 436–444. Available at: https://doi.org/10.1038/nature14539."),
    "nature": ("1", "LeCun, Y., Bengio, Y. & Hinton, G. Deep learning. Nature 521, 436–444 (2015)."),
}


@pytest.mark.parametrize("style", sorted(EXPECTED_LECUN))
def test_cite_in_the_major_styles(refcli, library, examples, style):
    result = refcli("cite", "lecun2015deep", "--style", style, "--format", "text", "--json")
    assert result.code == 0, result.err
    data = result.json()
    citation, entry = EXPECTED_LECUN[style]
    assert data["citation"] == citation
    assert data["bibliography"][0]["id"] == "lecun2015deep"
    text = re.sub(r"^(\[\d+\]|\d+\.)\s*", "", data["bibliography"][0]["text"].strip())
    assert text == entry


def test_cite_from_file_contract_of_the_comparison_harness(refcli, tmp_path):
    items = tmp_path / "items.json"
    items.write_text(json.dumps([
        {"id": "a", "type": "book", "title": "One", "author": [{"family": "Watson", "given": "J."}],
         "issued": {"date-parts": [[1953]]}},
        {"id": "b", "type": "book", "title": "Two", "author": [{"family": "Watson", "given": "J."}],
         "issued": {"date-parts": [[1953]]}}]))
    result = refcli("cite", "--from", str(items), "--style", "apa", "--locale", "en-US",
                    "--format", "text", "--json", "--all")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) >= {"citation", "citations", "bibliography"}
    assert data["citations"] == {"a": "(Watson, 1953a)", "b": "(Watson, 1953b)"}
    assert [e["id"] for e in data["bibliography"]] == ["a", "b"]


def test_cite_errors_are_one_line(refcli, library, examples):
    result = refcli("cite", "lecun2015deep", "--style", "apaa")
    assert result.code == 3 and "did you mean: apa" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert refcli("cite", "nobody", "--style", "apa").code == 3
    assert refcli("cite", "--style", "apa").code == 2


def test_good_entries_go_in_bad_ones_are_named(refcli, library, tmp_path):
    mixed = tmp_path / "mixed.bib"
    mixed.write_text(
        "@article{good1, author={Doe, Jane}, title={A good entry}, journal={J}, year={2020}}\n"
        "@article{bad1, author={Doe, Jane, title={Unbalanced\n"
        "@book{good2, author={Roe, Richard}, title={Another good one}, publisher={P}, year={2019}}\n")
    result = refcli("add", str(mixed))
    assert result.code == 65
    assert "mixed.bib:2 (entry bad1)" in result.err
    assert [i["id"] for i in read_library(library)] == ["good1", "good2"]
    binary = tmp_path / "photo.bib"
    binary.write_bytes(bytes(range(256)) * 8)
    before = library.read_bytes()
    result = refcli("add", str(binary))
    assert result.code == 65 and "photo.bib" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert library.read_bytes() == before


def test_cite_results_are_cached_by_content(refcli, env, tmp_path):
    from pathlib import Path

    items = tmp_path / "items.json"
    record = {"id": "a", "type": "book", "title": "One", "author": [{"family": "Watson", "given": "J."}],
              "issued": {"date-parts": [[1953]]}}
    items.write_text(json.dumps([record]))
    args = ("cite", "--from", str(items), "--all", "--style", "apa", "--json")
    first = refcli(*args).json()
    cache = list((Path(env["REFCLI_CACHE_DIR"]) / "cite").glob("*.json"))
    assert len(cache) == 1 and refcli(*args).json() == first
    items.write_text(json.dumps([{**record, "title": "Two"}]))  # changed content: rendered anew
    assert "Two" in refcli(*args).json()["bibliography"][0]["text"]


def test_a_bulk_merge_lists_ten_merges_then_a_count(refcli, library, tmp_path):
    works = [{"id": f"w{n}", "type": "book", "title": f"Work number {n}", "DOI": f"10.5555/w{n}",
              "issued": {"date-parts": [[2000 + n]]}} for n in range(12)]
    (tmp_path / "a.json").write_text(json.dumps(works))
    assert refcli("add", str(tmp_path / "a.json")).code == 0
    (tmp_path / "b.json").write_text(json.dumps([{**w, "id": f"x{n}", "publisher": "P"}
                                                 for n, w in enumerate(works)]))
    res = refcli("add", str(tmp_path / "b.json"))
    assert res.code == 0, res.err
    assert "0 added, 12 merged" in res.err
    assert len([line for line in res.err.splitlines() if line.strip().startswith("merged")]) == 10
    assert "… and 2 more merges (--json lists them all)" in res.err
