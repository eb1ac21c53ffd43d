"""`refcli sync`: registered files follow every change to the library (add, edit, tag,
remove, undo, import), are written atomically, and only when their text changes."""

from __future__ import annotations

import json
import shlex
import sys

import pytest

BIB = r"""
@article{doe2020alpha, author = {Doe, Jane}, title = {Alpha}, journal = {Journal}, year = {2020}}
@article{roe2021beta, author = {Roe, Rick}, title = {Beta}, journal = {Journal}, year = {2021}}
"""
MORE = r"""
@book{poe2019gamma, author = {Poe, Edgar}, title = {Gamma}, publisher = {Press}, year = {2019}}
"""


@pytest.fixture
def stocked(refcli, tmp_path):
    (tmp_path / "lib.bib").write_text(BIB)
    (tmp_path / "more.bib").write_text(MORE)
    assert refcli("add", str(tmp_path / "lib.bib")).code == 0
    return refcli


def _ids(path):
    return [item["id"] for item in json.loads(path.read_text())]


def test_synced_file_follows_every_change(stocked, tmp_path):
    out = tmp_path / "out" / "thesis.json"
    out.parent.mkdir()
    result = stocked("sync", "add", str(out), "--format", "csl-json", "--query", "tag:thesis")
    assert result.code == 0, result.err
    assert _ids(out) == []

    assert stocked("tag", "doe2020alpha", "+thesis").code == 0
    assert _ids(out) == ["doe2020alpha"]

    assert stocked("add", str(tmp_path / "more.bib"), "--tag", "thesis").code == 0
    assert _ids(out) == ["doe2020alpha", "poe2019gamma"]

    script = tmp_path / "editor.py"
    script.write_text("import json, sys\np = sys.argv[1]\nd = json.load(open(p)); d['title'] = 'Alpha, revised'\n"
                      "json.dump(d, open(p, 'w'))\n")
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    assert stocked("edit", "doe2020alpha", extra_env={"EDITOR": editor}).code == 0
    assert json.loads(out.read_text())[0]["title"] == "Alpha, revised"

    assert stocked("remove", "poe2019gamma", "--yes").code == 0
    assert _ids(out) == ["doe2020alpha"]
    assert stocked("undo").code == 0
    assert _ids(out) == ["doe2020alpha", "poe2019gamma"]

    doc = tmp_path / "brief.txt"
    doc.write_text("A Policy Brief on Something Important\n\nJane Smith\n\n2024\n\n"
                   + "This brief discusses a matter of policy at length. " * 20 + "\n")
    result = stocked("import", str(doc), "--tag", "thesis")
    assert result.code == 0, result.err
    assert len(_ids(out)) == 3

    listed = stocked("sync", "--json")
    assert listed.code == 0
    [entry] = listed.json()
    assert entry["path"] == str(out) and entry["status"] == "unchanged" and entry["works"] == 3


def test_unchanged_text_is_not_rewritten(stocked, tmp_path):
    out = tmp_path / "all.bib"
    assert stocked("sync", "add", str(out)).code == 0
    before = out.stat()
    assert stocked("tag", "doe2020alpha", "+x").code == 0  # tags are not in BibTeX
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stocked("remove", "roe2021beta", "--yes").code == 0
    assert "roe2021beta" not in out.read_text() and out.stat().st_ino != before.st_ino


@pytest.mark.skipif(not __import__("shutil").which("pdflatex"), reason="pdflatex not installed")
def test_cited_in_aux_follows_the_manuscript(stocked, tmp_path):
    import subprocess

    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\\begin{document}\\cite{doe2020alpha}\\bibliographystyle{plain}"
        "\\bibliography{thesis}\\end{document}\n")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "main.tex"], cwd=tmp_path, capture_output=True,
                   timeout=120)
    out = tmp_path / "thesis.bib"
    result = stocked("sync", "add", str(out), "--format", "biblatex", "--cited-in", str(tmp_path / "main.aux"))
    assert result.code == 0, result.err
    assert "{doe2020alpha," in out.read_text() and "roe2021beta" not in out.read_text()
    (tmp_path / "main.aux").write_text("\\relax\n\\citation{doe2020alpha}\n\\citation{roe2021beta}\n")
    result = stocked("sync")
    assert result.code == 0 and "2 works, written" in result.out
    assert "{roe2021beta," in out.read_text()


def test_a_target_that_cannot_be_written_does_not_fail_the_change(stocked, tmp_path):
    out = tmp_path / "gone" / "x.bib"
    out.parent.mkdir()
    assert stocked("sync", "add", str(out)).code == 0
    out.unlink()
    out.parent.rmdir()
    out.parent.write_text("a file where the folder was")
    result = stocked("tag", "doe2020alpha", "+y")
    assert result.code == 0
    assert "warning: sync" in result.err and "not written" in result.err
    assert stocked("sync").code == 74


def test_register_remove_and_errors(stocked, tmp_path, library):
    assert stocked("sync", "add", str(tmp_path / "a.bib"), "--format", "nope").code == 2
    assert stocked("sync", "add", str(library)).code == 2
    assert stocked("sync", "add", str(tmp_path / "a.bib"), "--cited-in", "x.aux", "--query", "y").code == 2
    assert stocked("sync", "remove", str(tmp_path / "a.bib")).code == 3
    assert stocked("sync", "add", str(tmp_path / "a.bib")).code == 0
    assert stocked("sync", "remove", str(tmp_path / "a.bib")).code == 0
    result = stocked("sync")
    assert result.code == 0 and "no synced files" in result.err
