"""The core commands through the real entry point, against a real local DOI server."""

import json

from helpers import read_library

SPELLINGS = [
    "10.1038/nature14539",
    "doi:10.1038/NATURE14539",
    "https://doi.org/10.1038/nature14539",
    "http://dx.doi.org/10.1038/Nature14539",
    "DOI: 10.1038/nature14539.",
]


def test_same_doi_spelled_five_ways_is_one_item(refcli, library, doi_server):
    result = refcli("add", *SPELLINGS, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["added"] == ["lecun2015deep"]
    assert report["unchanged"] == ["lecun2015deep"] * 4
    items = read_library(library)
    assert len(items) == 1
    item = items[0]
    assert item["title"] == "Deep learning" and item["DOI"] == "10.1038/nature14539"
    assert item["author"][0] == {"family": "LeCun", "given": "Yann"}
    assert item["issued"] == {"date-parts": [[2015, 5, 27]]}
    assert item["container-title"] == "Nature" and item["page"] == "436-444"
    assert "indexed" not in item and "score" not in item  # registry bookkeeping dropped
    # content negotiation asked for CSL-JSON, and only once (then cache / library)
    assert doi_server.requests[0][1] == "application/vnd.citationstyles.csl+json"
    assert len(doi_server.requests) == 1


def test_unknown_doi_is_one_line_error_and_library_untouched(refcli, library, doi_server):
    assert refcli("add", "10.1038/nature14539").code == 0
    before = library.read_bytes()
    result = refcli("add", "10.5555/does-not-exist")
    assert result.code == 3
    assert result.err.strip() == "error: DOI not found: 10.5555/does-not-exist"
    assert library.read_bytes() == before


def test_offline_resolver_gives_clear_error(refcli, library):
    result = refcli("add", "10.1038/nature14539")  # REFCLI_DOI_URL points at a closed port
    assert result.code == 69
    assert "cannot reach the DOI resolver" in result.err
    assert not library.exists()


def test_not_a_doi_or_file(refcli, library):
    result = refcli("add", "nature14539")
    assert result.code == 2 and "not a file, DOI or '-'" in result.err


def test_retry_after_503_and_429(refcli, library, doi_server):
    result = refcli("add", "10.9999/flaky", "10.9999/rate-limited", "--json")
    assert result.code == 0, result.err
    assert sorted(result.json()["added"]) == ["he2016deep", "lecun2015deep"]


def test_search_show_tag_remove_undo(refcli, library, doi_server):
    assert refcli("add", SPELLINGS[0], "10.1109/CVPR.2016.90",
                  "10.1016/S0140-6736(20)30183-5", "--tag", "ml").code == 0

    def keys(*query):
        result = refcli("search", *query, "--json")
        return [i["id"] for i in result.json()] if result.out else []

    assert keys() == ["lecun2015deep", "he2016deep", "huang2020clinical"]
    assert keys("author:lecun") == ["lecun2015deep"]
    assert keys("deep") == ["lecun2015deep", "he2016deep"]
    assert keys('"residual learning"') == ["he2016deep"]
    assert keys("year:2016..2020") == ["he2016deep", "huang2020clinical"]
    assert keys("journal:lancet", "type:article") == ["huang2020clinical"]
    assert keys("doi:https://doi.org/10.1109/cvpr.2016.90") == ["he2016deep"]
    assert keys("deep", "-residual") == ["lecun2015deep"]
    assert keys("WUHAN") == ["huang2020clinical"]
    assert refcli("search", "year:20x").code == 2

    assert refcli("tag", "he2016deep", "+thesis", "-ml").out.split() == ["thesis"]
    assert keys("tag:thesis") == ["he2016deep"]
    assert keys("tag:ml") == ["lecun2015deep", "huang2020clinical"]

    shown = refcli("show", "https://doi.org/10.1109/cvpr.2016.90", "--json").json()
    assert shown["id"] == "he2016deep" and shown["custom"]["tags"] == ["thesis"]
    panel = refcli("show", "he2016deep").out
    assert "Deep Residual Learning for Image Recognition" in panel and "He, Kaiming" in panel
    assert refcli("show", "nobody2020").code == 3
    missed = refcli("show", "he2016")  # a mistyped key names the keys it may have meant
    assert missed.code == 3 and missed.err.strip().endswith("no work with key or DOI 'he2016' in the library; "
                                                            "did you mean: he2016deep")
    assert refcli("tag", "huang", "+x").err.strip().endswith("did you mean: huang2020clinical")

    result = refcli("remove", "he2016deep", "--yes")
    assert result.code == 0 and keys() == ["lecun2015deep", "huang2020clinical"]
    assert refcli("remove", "he2016deep").code != 0  # no longer there, and never asks off a TTY
    undone = refcli("undo")
    assert "remove he2016deep" in undone.err
    assert keys() == ["lecun2015deep", "he2016deep", "huang2020clinical"]


def test_search_sees_changes_made_outside_refcli(refcli, library, doi_server):
    assert refcli("add", "10.1038/nature14539").code == 0
    assert refcli("search", "deep", "--json").json()[0]["id"] == "lecun2015deep"
    items = json.loads(library.read_text())
    items[0]["title"] = "Shallow thoughts"
    library.write_text(json.dumps(items))  # e.g. a git pull or a hand edit
    assert refcli("search", "deep", "--json").json() == []
    assert refcli("search", "shallow", "--json").json()[0]["id"] == "lecun2015deep"


def test_edit_through_editor_without_shell(refcli, library, doi_server, tmp_path):
    assert refcli("add", "10.1038/nature14539").code == 0
    script = tmp_path / "fake editor.py"
    script.write_text(
        "import json, os, stat, sys\n"
        "p = sys.argv[1]\n"
        "assert stat.S_IMODE(os.stat(p).st_mode) == 0o600\n"
        "d = json.load(open(p)); d['note'] = 'edited'\n"
        "json.dump(d, open(p, 'w'))\n")
    import shlex
    import sys
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    result = refcli("edit", "lecun2015deep", extra_env={"EDITOR": editor})
    assert result.code == 0, result.err
    assert read_library(library)[0]["note"] == "edited"

    before = library.read_bytes()
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nopen(sys.argv[1], 'w').write('{broken')\n")
    result = refcli("edit", "lecun2015deep", extra_env={"EDITOR": f"{sys.executable} {bad}"})
    assert result.code == 65 and "not valid JSON" in result.err
    assert library.read_bytes() == before


def test_help_on_every_command_has_examples(refcli):
    for command in ("add", "search", "show", "remove", "tag", "edit", "cite", "styles", "export", "undo"):
        result = refcli(command, "--help")
        assert result.code == 0 and "Example" in result.out, command


def test_status_lines_show_values_literally_with_and_without_colour(refcli, tmp_path):
    """Keys and titles with brackets are text, not rich markup, on both output paths."""
    src = tmp_path / "odd.json"
    src.write_text(json.dumps([{"id": "smith[2020]", "type": "book", "title": "[bold]Not markup[/bold]",
                                "author": [{"family": "Smith"}], "issued": {"date-parts": [[2020]]}}]))
    plain = refcli("add", str(src))
    assert plain.code == 0 and f"{src}: 1 added, 0 merged, 0 already present" in plain.err
    assert "\x1b[" not in plain.err
    key = plain.err.split("added ")[-1].strip()
    assert key == "smith[2020]"  # a key BibTeX accepts is kept as it is
    twin = tmp_path / "twin.json"  # the same work under another bracketed key: a merge
    twin.write_text(src.read_text().replace("smith[2020]", "smith[2020]b"))
    again = refcli("add", str(twin), extra_env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in again.err  # styled for a terminal
    assert f"(smith[2020]b) into \x1b[36m{key}\x1b[0m" in again.err
    assert "removed " + key in refcli("remove", key, "--yes").err
