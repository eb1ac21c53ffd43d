"""Exports that LaTeX and pandoc accept: real pdflatex + bibtex, pdflatex + biber and
pandoc --citeproc on what ``refcli export`` writes (issue 15, check 1).

The library is the examples plus a generated one with every CSL type, accented and
non-Latin names, maths in titles, keys BibTeX allows but other tools mangle, merged
keys, a work without fields and a file with a @preamble. Zero errors from every
tool, and every key that went in (merged ones included) can still be cited.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refcli import formats
from refcli.formats.latex import _char_table, non_ascii_to_latex

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TEX = all(shutil.which(t) for t in ("pdflatex", "bibtex"))
needs_tex = pytest.mark.skipif(not TEX, reason="pdflatex/bibtex not installed (scripts/install-system-deps.sh)")
needs_biber = pytest.mark.skipif(not (TEX and shutil.which("biber")), reason="biber not installed")
needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")

CSL_TYPES = """article article-journal article-magazine article-newspaper bill book broadcast
chapter classic collection dataset document entry entry-dictionary entry-encyclopedia event
figure graphic hearing interview legal_case legislation manuscript map motion_picture
musical_score pamphlet paper-conference patent performance periodical personal_communication
post post-weblog regulation report review review-book software song speech standard thesis
treaty webpage""".split()

NAMES = [
    {"family": "Müller", "given": "Jürgen"}, {"family": "Łukasiewicz", "given": "Jan"},
    {"family": "Ōe", "given": "Kenzaburō"}, {"family": "Стрельцов", "given": "Иван"},
    {"family": "Nguyễn", "given": "Thị Minh"}, {"literal": "毛泽东"},
    {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
    {"family": "Erdős", "given": "Pál"}, {"family": "O'Keeffe", "given": "Michael"},
    {"family": "Gödel", "given": "Kurt", "suffix": "Jr."}, {"literal": "World Health Organization"},
]
TITLES = [
    "Cu₂O thin films and α-helices", "E = mc² revisited", "On x ≤ y and ∞-categories",
    "Über die Vollständigkeit des Logikkalküls", "Σ-protocols for 50% of #hashtags & $costs",
    "Η γλώσσα των ελληνικών", "Ивановы тетради", "中文标题的研究", "עברית ספרות",
    "The “quoted” — dashed – title", "H₂SO₄ at 25 °C: a Ω-resistance study",
]
# Keys BibTeX accepts that refcli used to replace.
ODD_KEYS = ["O'Keeffe_1961", "smith*2000", "group/a:b", "Müller2001"]


def generated_items() -> list[dict]:
    items = []
    for i, ctype in enumerate(CSL_TYPES):
        items.append({
            "id": ODD_KEYS[i] if i < len(ODD_KEYS) else f"gen{i}",
            "type": ctype,
            "title": f"{TITLES[i % len(TITLES)]} (part {i})",
            "author": [NAMES[i % len(NAMES)], NAMES[(i + 3) % len(NAMES)]],
            "container-title": "Zeitschrift für Physik" if i % 2 else "Journal of Ξ",
            "issued": {"date-parts": [[1900 + i, 1 + i % 12]]},
            "publisher": "Éditions du Seuil", "publisher-place": "Kraków",
            "page": f"{i + 1}-{i + 9}", "volume": str(i), "DOI": f"10.5555/gen.{i}",
            "URL": f"https://example.org/wiki/Müller_{i}",
        })
    items.append({"id": "empty", "type": "article-journal"})  # a work with no fields at all
    return items


def merged_twins() -> list[dict]:
    """Other files' copies of three generated works (same DOI, own keys): they merge."""
    return [{"id": f"twin{i}", "type": "article-journal", "DOI": f"10.5555/gen.{i}",
             "title": f"{TITLES[i % len(TITLES)]} (part {i})"} for i in (5, 6, 7)]


PREAMBLE_BIB = r"""@preamble{ "\newcommand{\noopsort}[1]{}" }

@book{knuth1973a,
  author = {Knuth, Donald E.},
  title = {The Art of Computer Programming, Volume 3},
  publisher = {Addison-Wesley},
  year = {{\noopsort{1973b}}1973}
}
"""


def _run(cmd: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          errors="replace")


def _cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    import os

    proc = subprocess.run([sys.executable, "-m", "refcli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def built(env, tmp_path) -> dict:
    """The library built through the CLI from the examples and the generated files."""
    gen = tmp_path / "generated.json"
    gen.write_text(json.dumps(generated_items(), ensure_ascii=False), encoding="utf-8")
    twins = tmp_path / "twins.json"
    twins.write_text(json.dumps(merged_twins()), encoding="utf-8")
    pre = tmp_path / "knuth.bib"
    pre.write_text(PREAMBLE_BIB, encoding="utf-8")
    sources = [EXAMPLES / "library.bib", EXAMPLES / "library.ris", gen, twins, pre]
    sources += sorted(p for p in EXAMPLES.glob("formats/*") if p.is_file())
    keys_in: set[str] = set()
    for source in sources:
        proc = _cli(["add", str(source), "--json"], env)
        assert proc.returncode == 0, (source, proc.stderr)
        keys_in.update(_source_keys(source))
    library = json.loads(Path(env["REFCLI_LIBRARY"]).read_text(encoding="utf-8"))
    return {"env": env, "dir": tmp_path, "library": library, "keys_in": keys_in}


def _source_keys(path: Path) -> set[str]:
    result = formats.read_path(path)
    return {str(i["id"]) for i in result.items if i.get("id")}


def _citable(library: list[dict]) -> tuple[list[str], list[str]]:
    ids = [str(i["id"]) for i in library]
    aliases = [a for i in library for a in (i.get("custom") or {}).get("aliases", [])]
    return ids, aliases


def test_every_key_that_went_in_is_kept(built) -> None:
    ids, aliases = _citable(built["library"])
    assert set(ODD_KEYS) <= set(ids)
    assert {"twin5", "twin6", "twin7"} <= set(aliases)
    assert built["keys_in"] <= set(ids) | set(aliases)


def _latex_log_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!")]


@needs_tex
def test_pdflatex_and_bibtex_compile_the_bibtex_export_citing_every_key(built) -> None:
    tmp, env = built["dir"], built["env"]
    proc = _cli(["export", "--format", "bibtex", "-o", str(tmp / "refs.bib")], env)
    assert proc.returncode == 0, proc.stderr
    text = (tmp / "refs.bib").read_text(encoding="utf-8")
    assert all(line.isascii() for line in text.splitlines() if not line.startswith("@"))  # keys are the user's
    assert "@preamble{" in text and "Cu$_{2}$O" in text
    ids, aliases = _citable(built["library"])
    keys = ids + aliases
    doc = tmp / "doc.tex"
    doc.write_text("\\documentclass{article}\n\\begin{document}\n\\cite{" + ",".join(keys)
                   + "}\n\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n")
    first = _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], tmp)
    bib = _run(["bibtex", "doc"], tmp)
    assert "error message" not in bib.stdout, bib.stdout
    for _ in range(2):
        last = _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], tmp)
    log = (tmp / "doc.log").read_text(encoding="latin-1")
    assert first.returncode in (0, 1)  # first pass: citations undefined is expected
    assert last.returncode == 0 and not _latex_log_errors(log), _latex_log_errors(log)[:5]
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log)[:5]
    bbl = (tmp / "doc.bbl").read_text(encoding="utf-8")
    assert all(f"\\bibitem{{{k}}}" in bbl for k in keys)


@needs_biber
def test_pdflatex_and_biber_compile_the_biblatex_export_citing_every_key(built) -> None:
    tmp, env = built["dir"], built["env"]
    proc = _cli(["export", "--format", "biblatex", "-o", str(tmp / "refs.bib")], env)
    assert proc.returncode == 0, proc.stderr
    assert "ids = {twin5}" in (tmp / "refs.bib").read_text(encoding="utf-8")
    ids, aliases = _citable(built["library"])
    doc = tmp / "doc.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
                   "\\addbibresource{refs.bib}\n\\begin{document}\n\\cite{" + ",".join(ids + aliases)
                   + "}\n\\printbibliography\n\\end{document}\n")
    _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], tmp)
    biber = _run(["biber", "doc"], tmp, timeout=300)
    assert biber.returncode == 0 and "ERROR" not in biber.stdout, biber.stdout[-2000:]
    for _ in range(2):  # biblatex resolves ids on the second pass
        last = _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], tmp)
    log = (tmp / "doc.log").read_text(encoding="latin-1")
    assert last.returncode == 0 and not _latex_log_errors(log), _latex_log_errors(log)[:5]
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log)[:5]


@needs_pandoc
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csl-json"])
def test_pandoc_citeproc_reads_each_export_and_finds_every_key(built, fmt) -> None:
    tmp, env = built["dir"], built["env"]
    out = tmp / ("refs.json" if fmt == "csl-json" else "refs.bib")
    assert _cli(["export", "--format", fmt, "-o", str(out)], env).returncode == 0
    ids, aliases = _citable(built["library"])
    # BibTeX repeats merged works under their old keys; BibLaTeX has them in ids, which
    # pandoc does not read, nor does it see a key with an apostrophe biber cannot read.
    keys = ids + aliases if fmt == "bibtex" else [k.replace("'", "") if fmt == "biblatex" else k for k in ids]
    (tmp / "doc.md").write_text("; ".join(f"[@{{{k}}}]" for k in keys) + "\n", encoding="utf-8")
    proc = _run(["pandoc", "--citeproc", "--bibliography", str(out), "-t", "plain", "doc.md"], tmp)
    assert proc.returncode == 0, proc.stderr
    assert "not found" not in proc.stderr and "rror" not in proc.stderr, proc.stderr[:2000]


@needs_pandoc
def test_pandoc_accepts_the_stored_library_itself(built) -> None:
    ids, _ = _citable(built["library"])
    (built["dir"] / "doc.md").write_text("; ".join(f"[@{{{k}}}]" for k in ids) + "\n")
    proc = _run(["pandoc", "--citeproc", "--bibliography", built["env"]["REFCLI_LIBRARY"],
                 "-t", "plain", "doc.md"], built["dir"])
    assert proc.returncode == 0 and "not found" not in proc.stderr, proc.stderr[:2000]


@needs_tex
def test_the_examples_compile_before_and_after_a_round_trip(env, tmp_path) -> None:
    """The original .bib compiles, and so does refcli's export of it."""
    def compiles(bib: Path) -> bool:
        work = tmp_path / bib.stem
        work.mkdir()
        shutil.copy(bib, work / "refs.bib")
        (work / "doc.tex").write_text("\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
                                      "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n")
        _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], work)
        bib_run = _run(["bibtex", "doc"], work)
        last = _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], work)
        log = (work / "doc.log").read_text(encoding="latin-1")
        return "error message" not in bib_run.stdout and last.returncode == 0 and not _latex_log_errors(log)

    assert compiles(EXAMPLES / "library.bib")
    assert _cli(["add", str(EXAMPLES / "library.bib")], env).returncode == 0
    assert _cli(["export", "-o", str(tmp_path / "exported.bib")], env).returncode == 0
    assert compiles(tmp_path / "exported.bib")


@needs_tex
def test_every_character_of_the_table_compiles_in_plain_pdflatex(tmp_path) -> None:
    """latex_chars.json holds only what pdflatex sets without error or lost glyph."""
    chars = "".join(_char_table())
    body = "\n".join(f"x{non_ascii_to_latex(c)}x\\par" for c in chars)
    (tmp_path / "t.tex").write_text("\\documentclass{article}\n\\tracinglostchars=3\n\\begin{document}\n"
                                    + body + "\n\\end{document}\n", encoding="ascii")
    proc = _run(["pdflatex", "-interaction=nonstopmode", "t.tex"], tmp_path)
    log = (tmp_path / "t.log").read_text(encoding="latin-1")
    assert proc.returncode == 0 and not _latex_log_errors(log), _latex_log_errors(log)[:5]
    assert len(chars) > 700


def test_latex_form_of_maths_accents_and_unsettable_characters() -> None:
    item = {"id": "k", "type": "article-journal", "title": "Cu₂O and α-helix at 25 °C",
            "author": [{"family": "Müller", "given": "Jürgen"}, {"literal": "毛泽东"}],
            "URL": "https://de.wikipedia.org/wiki/Müller"}
    text = formats.write([item], "bibtex")
    assert "Cu$_{2}$O" in text and "$\\alpha$-helix" in text
    assert 'M{\\"{u}}ller, J{\\"{u}}rgen' in text and "{MaoZeDong}" in text
    assert "url = {https://de.wikipedia.org/wiki/M%C3%BCller}" in text
    assert text.isascii()
    back = formats.read(text, "bibtex").items[0]
    assert back["title"] == item["title"] and back["author"][0] == item["author"][0]
    raw = formats.write([item], "bibtex", unicode=True)
    assert "Cu₂O" in raw and "Müller" in raw and "毛泽东" in raw


def test_merged_keys_are_exported_both_ways() -> None:
    item = {"id": "main", "type": "book", "title": "T", "custom": {"aliases": ["old", "b305c"]}}
    bibtex = formats.write([item], "bibtex")
    assert [m for m in re.findall(r"@book\{([^,]+),", bibtex)] == ["main", "old", "b305c"]
    biblatex = formats.write([item], "biblatex")
    assert "ids = {old , b305c}" in biblatex and biblatex.count("@book{") == 1


def test_a_work_without_fields_is_still_an_entry() -> None:
    text = formats.write([{"id": "e", "type": "article-journal"}], "biblatex")
    assert text == "@article{e,\n  note = {}\n}\n"


def test_preamble_and_noopsort_survive_a_round_trip() -> None:
    items = formats.read(PREAMBLE_BIB, "bibtex").items
    assert items[0]["issued"] == {"date-parts": [[1973]]}
    out = formats.write(items, "bibtex")
    assert out.startswith('@preamble{"\\newcommand{\\noopsort}[1]{}"}\n')
    assert "sortyear = {1973b}" in out


CROSSREF_BIB = r"""@proceedings{icml2015,
  editor = {Bach, Francis and Blei, David},
  title = {Proceedings of the 32nd International Conference on Machine Learning},
  booktitle = {Proceedings of the 32nd International Conference on Machine Learning},
  series = {Proceedings of Machine Learning Research},
  volume = {37},
  publisher = {PMLR},
  year = {2015}
}

@inproceedings{ioffe2015batch,
  author = {Ioffe, Sergey and Szegedy, Christian},
  title = {Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift},
  pages = {448--456},
  crossref = {icml2015}
}
"""


@needs_tex
def test_an_exported_selection_brings_its_crossref_parent_after_it(env, tmp_path) -> None:
    bib = tmp_path / "xref.bib"
    bib.write_text(CROSSREF_BIB, encoding="utf-8")
    assert _cli(["add", str(bib)], env).returncode == 0
    proc = _cli(["export", "key:ioffe2015batch", "-o", str(tmp_path / "refs.bib")], env)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    assert text.index("@inproceedings{ioffe2015batch,") < text.index("@proceedings{icml2015,")
    (tmp_path / "doc.tex").write_text("\\documentclass{article}\n\\begin{document}\n\\cite{ioffe2015batch}\n"
                                      "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n")
    _run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], tmp_path)
    bibtex = _run(["bibtex", "doc"], tmp_path)
    assert "error message" not in bibtex.stdout and "bad cross reference" not in bibtex.stdout, bibtex.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert "448--456" in bbl and "Proceedings of the 32nd" in bbl
