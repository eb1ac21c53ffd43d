"""`refcli update` (diff, --apply, hand edits kept) and retractions recorded from Crossref's
updated-by/update-to, against the local HTTP server's recorded answers."""

from __future__ import annotations

import shlex
import sys

from helpers import read_library

OLD_BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep Learning.}, journal = {Nature}, year = {2015}, volume = {520},
  doi = {10.1038/nature14539}}
"""


def test_update_shows_differences_and_applies_them_keeping_old_values(refcli, library, doi_server, tmp_path):
    (tmp_path / "old.bib").write_text(OLD_BIB)
    assert refcli("add", str(tmp_path / "old.bib")).code == 0
    result = refcli("update", "lecun2015deep")
    assert result.code == 0, result.err
    assert "lecun2015deep: volume: 520 -> 521" in result.out
    assert "lecun2015deep: page: (none) -> 436-444" in result.out
    assert read_library(library)[0]["volume"] == "520"  # a look, not a change

    result = refcli("update", "lecun2015deep", "--apply", "--json")
    assert result.code == 0, result.err
    [entry] = result.json()
    assert "volume" in entry["applied"]
    item = read_library(library)[0]
    assert item["volume"] == "521" and item["page"] == "436-444"
    merged = item["custom"]["merged"][-1]
    assert merged["source"] == "update 10.1038/nature14539" and merged["fields"]["volume"] == "520"
    assert refcli("update", "lecun2015deep").out.startswith("lecun2015deep: up to date")


def test_update_never_overwrites_a_hand_edit(refcli, library, doi_server, tmp_path):
    (tmp_path / "old.bib").write_text(OLD_BIB)
    assert refcli("add", str(tmp_path / "old.bib")).code == 0
    script = tmp_path / "editor.py"
    script.write_text("import json, sys\np = sys.argv[1]\nd = json.load(open(p)); d['volume'] = '521 (special)'\n"
                      "json.dump(d, open(p, 'w'))\n")
    assert refcli("edit", "lecun2015deep",
                  extra_env={"EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"}).code == 0
    assert read_library(library)[0]["custom"]["edited"] == ["volume"]
    result = refcli("update", "lecun2015deep", "--apply")
    assert "volume: 521 (special) -> 521 (edited by hand: kept)" in result.out
    item = read_library(library)[0]
    assert item["volume"] == "521 (special)" and item["page"] == "436-444"


def test_update_offline_is_one_line_per_work(refcli, library, doi_server, tmp_path):
    (tmp_path / "old.bib").write_text(OLD_BIB)
    assert refcli("add", str(tmp_path / "old.bib")).code == 0
    result = refcli("update", "lecun2015deep", extra_env={"REFCLI_DOI_URL": "http://127.0.0.1:9",
                                                          "REFCLI_HTTP_TIMEOUT": "0.5"})
    assert result.code == 69 and result.err.count("\n") == 1 and "cannot reach" in result.err


def test_retracted_work_is_stored_and_reported(refcli, library, doi_server, tmp_path):
    result = refcli("add", "10.1016/S0140-6736(97)11096-0", "10.1016/S0140-6736(10)60175-4")
    assert result.code == 0, result.err
    work, notice = read_library(library)
    assert work["custom"]["retracted"] == {"notice": "10.1016/s0140-6736(10)60175-4", "date": "2010-02-06"}
    assert notice["custom"]["updates"][0] == {"relation": "update-to", "type": "retraction",
                                              "DOI": "10.1016/s0140-6736(97)11096-0", "date": "2010-02-06",
                                              "label": "Retraction"}
    assert "retracted" not in notice["custom"]

    doctor = refcli("doctor", "--json")
    assert doctor.code == 1
    found = [f for f in doctor.json()["findings"] if f["kind"] == "retracted"]
    assert [f["key"] for f in found] == [work["id"]]

    cite = refcli("cite", work["id"], "--style", "apa")
    assert cite.code == 0 and f"warning: {work['id']} has been retracted (notice 10.1016/s0140-6736(10)60175-4" in cite.err

    (tmp_path / "m.aux").write_text(f"\\citation{{{work['id']}}}\n")
    export = refcli("export", "--cited-in", str(tmp_path / "m.aux"))
    assert export.code == 0 and "has been retracted" in export.err
