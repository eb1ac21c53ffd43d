"""A warning for each entry and field whose characters a pdflatex export had to
transliterate (issue 15): `--unicode` and other formats have none."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from refcli.formats.translit import library_transliterations, transliterations

WORKS = [
    {"id": "mao1937", "type": "book", "title": "矛盾论", "author": [{"family": "毛", "given": "泽东"}],
     "publisher": "Éditions du Seuil"},
    {"id": "agnon1966", "type": "book", "title": "סיפור פשוט", "container-title": "Schocken α-β"},
    {"id": "muller2001", "type": "article-journal", "title": "Über Cu₂O bei 300 °C", "author": [
        {"family": "Müller", "given": "Jürgen"}]},
]


@pytest.fixture
def added(refcli, tmp_path: Path):
    src = tmp_path / "works.json"
    src.write_text(json.dumps(WORKS, ensure_ascii=False), encoding="utf-8")
    res = refcli("add", str(src))
    assert res.code == 0, res.err
    return refcli


def _warnings(err: str) -> list[str]:
    return [line.removeprefix("warning: ") for line in err.splitlines() if line.startswith("warning: ")]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_each_transliterated_field_is_named_once(added, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "refs.bib"
    res = added("export", "--format", fmt, "-o", str(out))
    assert res.code == 0, res.err
    assert sorted(_warnings(res.err)) == [
        "agnon1966: title: 'סיפור' written as 'syfvr', 'פשוט' written as 'fsvt' "
        "(no LaTeX form; --unicode keeps them)",
        "mao1937: author: '毛' written as 'Mao', '泽东' written as 'ZeDong' (no LaTeX form; --unicode keeps them)",
        "mao1937: title: '矛盾论' written as 'MaoDunLun' (no LaTeX form; --unicode keeps them)",
    ]  # accents, Greek, subscripts and ° have LaTeX forms: no warning for muller2001
    text = out.read_text()
    assert text.isascii() and "MaoDunLun" in text and "syfvr" in text
    # the same lines for a selection as for the whole library
    res = added("export", "--format", fmt, "mao1937")
    assert len(_warnings(res.err)) == 2 and res.code == 0


def test_unicode_and_other_formats_warn_about_nothing(added) -> None:
    for args in (["--format", "biblatex", "--unicode"], ["--format", "csl-json"], ["--format", "ris"]):
        res = added("export", *args)
        assert res.code == 0 and _warnings(res.err) == [], (args, res.err)


def test_the_library_scan_agrees_with_the_items(added, library: Path) -> None:
    items = json.loads(library.read_text())
    assert library_transliterations(library, True) == transliterations(items, True)
    assert transliterations([{"id": "a", "type": "book", "title": "Müller α₂ 300 °C"}]) == []


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("bibtex") is None, reason="needs TeX Live")
def test_what_was_warned_about_compiles(added, tmp_path: Path) -> None:
    res = added("export", "--format", "bibtex", "-o", str(tmp_path / "refs.bib"))
    assert res.code == 0
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\\begin{document}"
                                      "\\cite{mao1937,agnon1966,muller2001}\\bibliographystyle{plain}"
                                      "\\bibliography{refs}\\end{document}\n")
    for cmd in (["pdflatex", "-interaction=nonstopmode", "doc"], ["bibtex", "doc"],
                ["pdflatex", "-interaction=nonstopmode", "doc"]):
        proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout[-2000:]
