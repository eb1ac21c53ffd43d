"""pandoc and the keys of merged works (issue 15), with the real pandoc and biber:
BibLaTeX's ``ids`` written so that both resolve every old key, and, for CSL-JSON
(which has no aliases), ``export --cited-in`` writing each work under the key the
draft uses, once."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")

BIB = """@article{new2020,
  author = {Smith, Ann}, title = {Crystal growth}, journal = {J. Cryst.}, year = {2020}, doi = {10.1000/xyz}
}
@article{old2019,
  author = {Smith, Ann}, title = {Crystal growth}, journal = {J. Cryst.}, year = {2020}, doi = {10.1000/XYZ}
}
@article{smith20b,
  author = {Smith, Ann}, title = {Crystal growth}, journal = {J. Cryst.}, year = {2020},
  doi = {https://doi.org/10.1000/xyz}
}
"""
KEYS = ("old2019", "smith20b", "new2020")


@pytest.fixture
def merged(refcli, library: Path, tmp_path: Path):
    (tmp_path / "m.bib").write_text(BIB)
    res = refcli("add", str(tmp_path / "m.bib"))
    assert res.code == 0, res.err
    assert [i["id"] for i in json.loads(library.read_text())] == ["new2020"]  # one work, two former keys
    (tmp_path / "draft.md").write_text("See [@old2019], [@smith20b], again [@new2020].\n")
    return refcli


def _pandoc(tmp_path: Path, bibliography: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pandoc", "--citeproc", "--bibliography", bibliography, "-t", "plain", "draft.md"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)


def test_biblatex_ids_resolve_in_pandoc_and_biber(merged, tmp_path: Path) -> None:
    res = merged("export", "--format", "biblatex", "-o", str(tmp_path / "refs.bib"))
    assert res.code == 0 and "ids = {old2019 , smith20b}" in (tmp_path / "refs.bib").read_text()
    proc = _pandoc(tmp_path, "refs.bib")
    assert proc.returncode == 0 and "not found" not in proc.stderr, proc.stderr
    assert proc.stdout.count("Crystal") == 1
    if not (shutil.which("biber") and shutil.which("pdflatex")):
        return
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\\usepackage[backend=biber]{biblatex}"
                                      "\\addbibresource{refs.bib}\\begin{document}\\cite{" + ",".join(KEYS) + "}"
                                      "\\printbibliography\\end{document}\n")
    for cmd in (["pdflatex", "-interaction=nonstopmode", "doc"], ["biber", "doc"],
                ["pdflatex", "-interaction=nonstopmode", "doc"], ["pdflatex", "-interaction=nonstopmode", "doc"]):
        run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
    assert "undefined" not in (tmp_path / "doc.log").read_text(errors="replace").lower()


def test_cited_in_export_makes_an_old_key_citable_from_pandoc_once(merged, tmp_path: Path) -> None:
    (tmp_path / "draft.md").write_text("See [@smith20b], and again [@smith20b, p. 3].\n")
    res = merged("export", "--cited-in", str(tmp_path / "draft.md"), "--format", "csl-json",
                 "-o", str(tmp_path / "refs.json"))
    assert res.code == 0, res.err
    assert [i["id"] for i in json.loads((tmp_path / "refs.json").read_text())] == ["smith20b"]
    proc = _pandoc(tmp_path, "refs.json")
    assert proc.returncode == 0 and "not found" not in proc.stderr, proc.stderr
    assert proc.stdout.count("Crystal") == 1 and "2020a" not in proc.stdout  # one work, listed once
