"""Files kept with works (add --attach, import), refcli open, refcli note, doctor's missing files."""

from __future__ import annotations

import hashlib
import shlex
import sys
import time

from helpers import read_library

BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann}, title = {Deep learning}, journal = {Nature}, year = {2015},
  doi = {10.1038/nature14539}}
@book{goodfellow2016deep, author = {Goodfellow, Ian}, title = {Deep Learning}, publisher = {MIT Press}, year = {2016}}
"""
PDF = b"%PDF-1.4\n% a stand-in file: attachments are kept as bytes, never parsed\n"


def _stock(refcli, tmp_path):
    (tmp_path / "lib.bib").write_text(BIB)
    assert refcli("add", str(tmp_path / "lib.bib")).code == 0


def test_attach_copies_under_content_hash(refcli, library, tmp_path):
    _stock(refcli, tmp_path)
    pdf = tmp_path / "Paper.PDF"
    pdf.write_bytes(PDF)
    result = refcli("add", "--attach", str(pdf), "lecun2015deep")
    assert result.code == 0, result.err
    digest = hashlib.sha256(PDF).hexdigest()
    [entry] = read_library(library)[0]["custom"]["files"]
    assert entry == {"path": f"files/{digest[:2]}/{digest}.pdf", "name": "Paper.PDF", "sha256": digest, "mode": "copy"}
    assert (library.parent / entry["path"]).read_bytes() == PDF
    pdf.unlink()  # the original may go: the library has its copy
    again = tmp_path / "copy.pdf"
    again.write_bytes(PDF)
    result = refcli("add", "--attach", str(again), "lecun2015deep")
    assert result.code == 0 and "already has this file" in result.err
    assert len(read_library(library)[0]["custom"]["files"]) == 1


def test_attach_link_mode_and_with_a_new_work(refcli, library, tmp_path, doi_server):
    pdf = tmp_path / "nature14539.pdf"
    pdf.write_bytes(PDF)
    result = refcli("add", "--attach", str(pdf), "10.1038/nature14539", extra_env={"REFCLI_ATTACH_MODE": "link"})
    assert result.code == 0, result.err
    [entry] = read_library(library)[0]["custom"]["files"]
    assert entry["path"] == str(pdf.resolve()) and entry["mode"] == "link"
    assert not (library.parent / "files").exists()
    assert refcli("add", "--attach", str(pdf), "a.bib", "b.bib").code == 2
    assert refcli("add", "--attach", str(tmp_path / "none.pdf"), "10.1038/nature14539").code == 65


def test_import_keeps_the_document_file(refcli, library, tmp_path):
    doc = tmp_path / "brief.txt"
    doc.write_text("A Policy Brief on Something Important\n\nJane Smith\n\n2024\n\n"
                   + "This brief discusses a matter of policy at length. " * 20 + "\n")
    result = refcli("import", str(doc))
    assert result.code == 0, result.err
    [item] = read_library(library)
    assert item["custom"]["files"][0]["name"] == "brief.txt"


def test_open_uses_the_file_else_the_doi(refcli, library, tmp_path):
    _stock(refcli, tmp_path)
    log = tmp_path / "opened.txt"
    script = tmp_path / "opener.py"
    script.write_text(f"import sys\nopen({str(log)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    env = {"REFCLI_OPENER": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"}
    assert refcli("open", "lecun2015deep", extra_env=env).code == 0
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(PDF)
    assert refcli("add", "--attach", str(pdf), "lecun2015deep").code == 0
    assert refcli("open", "lecun2015deep", extra_env=env).code == 0
    assert refcli("open", "goodfellow2016deep", extra_env=env).code == 3  # no file, DOI or URL
    for _ in range(50):
        if log.exists() and len(log.read_text().splitlines()) == 2:
            break
        time.sleep(0.1)
    first, second = log.read_text().splitlines()
    assert first == "https://doi.org/10.1038/nature14539"
    assert second.startswith(str(library.parent / "files")) and second.endswith(".pdf")


def test_note_is_written_in_the_editor_and_searchable(refcli, library, tmp_path):
    _stock(refcli, tmp_path)
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('# Reading\\nBackpropagation explained well.\\n')\n")
    env = {"EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"}
    result = refcli("note", "lecun2015deep", extra_env=env)
    assert result.code == 0, result.err
    assert refcli("note", "lecun2015deep", "--show").out == "# Reading\nBackpropagation explained well.\n"
    assert refcli("search", "backpropagation", "--keys").out == "lecun2015deep\n"
    assert refcli("note", "goodfellow2016deep", "--show").code == 3


def test_doctor_reports_missing_files(refcli, library, tmp_path):
    _stock(refcli, tmp_path)
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(PDF)
    assert refcli("add", "--attach", str(pdf), "lecun2015deep").code == 0
    assert refcli("doctor").code == 0
    entry = read_library(library)[0]["custom"]["files"][0]
    (library.parent / entry["path"]).unlink()
    result = refcli("doctor", "--json")
    assert result.code == 1
    assert [f["kind"] for f in result.json()["findings"]] == ["missing-file"]
