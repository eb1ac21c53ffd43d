"""`refcli export --cited-in`: real pdflatex + bibtex (natbib) and pdflatex + biber
(biblatex) documents compiled here, and a pandoc Markdown draft rendered by pandoc."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refcli.manuscripts import Cited, scan_markdown, scan_tex

LIBRARY_BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep learning}, journal = {Nature}, year = {2015}, volume = {521}, pages = {436--444},
  doi = {10.1038/nature14539}}
@inproceedings{he2016deep, author = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  title = {Deep Residual Learning for Image Recognition}, pages = {770--778}, crossref = {cvpr2016}}
@proceedings{cvpr2016, title = {Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition},
  booktitle = {Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition},
  year = {2016}, publisher = {IEEE}}
@book{goodfellow2016deep, author = {Goodfellow, Ian and Bengio, Yoshua and Courville, Aaron},
  title = {Deep Learning}, publisher = {MIT Press}, year = {2016}}
@article{hochreiter1997long, author = {Hochreiter, Sepp and Schmidhuber, J{\"u}rgen},
  title = {Long Short-Term Memory}, journal = {Neural Computation}, year = {1997}, volume = {9},
  number = {8}, pages = {1735--1780}}
@misc{notcited2020, author = {Nobody, Anne}, title = {Never cited}, year = {2020}}
"""
# The same work as lecun2015deep under another key: merged, "LeCun2015" becomes an alias.
ALIAS_BIB = r"""
@article{LeCun2015, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep learning}, journal = {Nature}, year = {2015}, doi = {10.1038/nature14539}}
"""

needs_latex = pytest.mark.skipif(not shutil.which("pdflatex") or not shutil.which("bibtex"),
                                 reason="pdflatex/bibtex not installed")
needs_biber = pytest.mark.skipif(not shutil.which("pdflatex") or not shutil.which("biber"),
                                 reason="pdflatex/biber not installed")
needs_pandoc = pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc not installed")


@pytest.fixture
def stocked(refcli, tmp_path):
    (tmp_path / "lib.bib").write_text(LIBRARY_BIB)
    (tmp_path / "alias.bib").write_text(ALIAS_BIB)
    assert refcli("add", str(tmp_path / "lib.bib")).code == 0
    result = refcli("add", str(tmp_path / "alias.bib"))
    assert result.code == 0 and "merged" in result.err
    return refcli


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


def _pdflatex(cwd: Path) -> None:
    proc = _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"], cwd)
    assert proc.returncode == 0, proc.stdout[-2000:]


# ------------------------------------------------------------------ scanners


def test_tex_scanner_reads_every_cite_form():
    cited = Cited()
    scan_tex(r"""
\citep{a, b} \citet*[p.~3]{c} \citealp[see][ch.~2]{d}
\parencite{e}\textcite{f} \autocite[12]{g} \footcite{h,i} \citeauthor{j}
\cites(see)(and more)[3]{k}[4]{l}{m} \parencites{n}{o}
% \cite{commented}
\citestyle{plain} \nocite{p} 50\% \cite{q}
\nocite{*}
""", cited)
    assert cited.keys == list("abcdefghijklmnopq")
    assert cited.everything


def test_markdown_scanner_reads_pandoc_citations():
    cited = Cited()
    scan_markdown("""---
title: Draft
nocite: |
  @z
---
As [@a; @b, p. 3] and [-@c] show, @d says so. Mail me at me@example.org.
See @{e.f:2020}. `@code` is not one, and neither is this:

```
@fenced
```
""", cited)
    assert cited.keys == ["z", "a", "b", "c", "d", "e.f:2020"]


# ------------------------------------------------------------------ key lists


def test_export_a_list_of_keys(stocked, tmp_path):
    result = stocked("export", "lecun2015deep", "goodfellow2016deep")
    assert result.code == 0, result.err
    # BibTeX repeats a merged work under its former key (README, "merged keys"): LeCun2015 too
    assert result.out.count("@") == 3 and "{lecun2015deep," in result.out and "{LeCun2015," in result.out
    result = stocked("export", "key:lecun2015deep", "key:goodfellow2016deep", "--format", "csl-json")
    assert [i["id"] for i in json.loads(result.out)] == ["lecun2015deep", "goodfellow2016deep"]
    result = stocked("export", "key:lecun2015deep", "key:nosuchkey2020")
    assert result.code == 3 and "'nosuchkey2020' is not in the library" in result.err


# ------------------------------------------------------------------ natbib + bibtex


NATBIB_MAIN = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
Deep learning \citep{LeCun2015, goodfellow2016deep}.
\include{chap1}
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""
NATBIB_CHAP = r"""\section{Chapter}
\citet*[p.~3]{he2016deep} and \citealp{hochreiter1997long}.
"""


@needs_latex
def test_natbib_aux_with_included_chapter_compiles(stocked, tmp_path):
    doc = tmp_path / "natbib"
    doc.mkdir()
    (doc / "main.tex").write_text(NATBIB_MAIN)
    (doc / "chap1.tex").write_text(NATBIB_CHAP)
    _pdflatex(doc)
    assert "\\@input{chap1.aux}" in (doc / "main.aux").read_text()
    result = stocked("export", "--cited-in", str(doc / "main.aux"), "-o", str(doc / "refs.bib"))
    assert result.code == 0, result.err
    bib = (doc / "refs.bib").read_text()
    assert "{LeCun2015," in bib and "{lecun2015deep," not in bib  # the key the manuscript uses
    assert "{cvpr2016," in bib  # the crossref parent came along ...
    assert bib.index("{he2016deep,") < bib.index("{cvpr2016,")  # ... after its child
    assert "notcited2020" not in bib
    proc = _run(["bibtex", "main"], doc)
    assert proc.returncode == 0, proc.stdout
    assert "Warning--I didn't find a database entry" not in proc.stdout
    _pdflatex(doc)
    _pdflatex(doc)
    log = (doc / "main.log").read_text(errors="replace")
    assert not re.search(r"Citation `[^']*' on page \d+ undefined", log)
    bbl = (doc / "main.bbl").read_text()
    for key in ("LeCun2015", "goodfellow2016deep", "he2016deep", "hochreiter1997long"):
        assert f"{{{key}}}" in bbl


@needs_latex
def test_missing_keys_are_listed_with_suggestions(stocked, tmp_path):
    doc = tmp_path / "missing"
    doc.mkdir()
    (doc / "main.tex").write_text(NATBIB_MAIN.replace("goodfellow2016deep", "goodfelow2016deep"))
    (doc / "chap1.tex").write_text(NATBIB_CHAP)
    _pdflatex(doc)
    result = stocked("export", "--cited-in", str(doc / "main.aux"), "-o", str(doc / "refs.bib"))
    assert result.code == 3
    assert "'goodfelow2016deep' is not in the library; did you mean: goodfellow2016deep" in result.err
    assert "{LeCun2015," in (doc / "refs.bib").read_text()  # the rest is written


# ------------------------------------------------------------------ biblatex + biber


BIBLATEX_MAIN = r"""\documentclass{article}
\usepackage[backend=biber,style=authoryear]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\textcite{lecun2015deep} and \parencite[12]{goodfellow2016deep};
\cites(see)()[770]{he2016deep}{hochreiter1997long}.
\printbibliography
\end{document}
"""


@needs_biber
def test_biblatex_aux_and_tex_compile_with_biber(stocked, tmp_path):
    doc = tmp_path / "biblatex"
    doc.mkdir()
    (doc / "main.tex").write_text(BIBLATEX_MAIN)
    _pdflatex(doc)
    assert "\\abx@aux@cite" in (doc / "main.aux").read_text()
    for source in ("main.aux", "main.tex"):
        result = stocked("export", "--cited-in", str(doc / source), "--format", "biblatex",
                         "-o", str(doc / "refs.bib"))
        assert result.code == 0, result.err
        bib = (doc / "refs.bib").read_text()
        assert bib.count("\n@") + bib.startswith("@") == 5, bib  # 4 cited + the crossref parent
    proc = _run(["biber", "main"], doc)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert not re.search(r"WARN - .*(not found|I didn't find)", proc.stdout)
    _pdflatex(doc)
    bbl = (doc / "main.bbl").read_text()
    for key in ("lecun2015deep", "goodfellow2016deep", "he2016deep", "hochreiter1997long"):
        assert f"\\entry{{{key}}}" in bbl


# ------------------------------------------------------------------ pandoc


DRAFT = """---
title: A draft
---

Deep networks [@LeCun2015; @goodfellow2016deep, chap. 6] learn features; residual
ones [-@he2016deep] go deeper, as @hochreiter1997long found for memory.
"""


@needs_pandoc
def test_pandoc_draft(stocked, tmp_path):
    (tmp_path / "draft.md").write_text(DRAFT)
    result = stocked("export", "--cited-in", str(tmp_path / "draft.md"), "--format", "csl-json",
                     "-o", str(tmp_path / "refs.json"))
    assert result.code == 0, result.err
    ids = [i["id"] for i in json.loads((tmp_path / "refs.json").read_text())]
    assert ids == ["LeCun2015", "goodfellow2016deep", "he2016deep", "hochreiter1997long", "cvpr2016"]
    proc = _run(["pandoc", "--citeproc", "--bibliography", "refs.json", "draft.md", "-t", "plain"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not found" not in proc.stderr
    assert "LeCun" in proc.stdout and "Hochreiter" in proc.stdout


def test_unreadable_manuscript(stocked, tmp_path):
    result = stocked("export", "--cited-in", str(tmp_path / "nope.aux"))
    assert result.code == 65 and "nope.aux: no such file" in result.err
    (tmp_path / "bin.tex").write_bytes(b"\x00\x01binary")
    result = stocked("export", "--cited-in", str(tmp_path / "bin.tex"))
    assert result.code == 65 and "binary" in result.err
