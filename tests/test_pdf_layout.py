"""What the page shows: entries set apart by space, running feet of two lines (issue 16).

The PDF is typeset here by pdflatex from real bibliographic facts: a two-column paper
whose ABNT-style list has no numbers and no hanging indent (only the space between
entries tells them apart, and organisations are authors), and whose every page carries
a two-line citation foot above its page number, as JOSE prints it.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ENTRIES = [
    "Bradford, S. C. Sources of information on specific subjects. Engineering, v. 137, p. 85-86, 1934.",
    "Brasil. Lei nº 12.527, de 18 de novembro de 2011. Regula o acesso a informações previsto no inciso "
    "XXXIII do art. 5º da Constituição Federal. Diário Oficial da União, Brasília, 2011.",
    "Garfield, E. Citation indexes for science: a new dimension in documentation through association "
    "of ideas. Science, v. 122, n. 3159, p. 108-111, 1955. Doi: https://doi.org/10.1126/science.122.3159.108.",
    "Hirsch, J. E. An index to quantify an individual's scientific research output. Proceedings of the "
    "National Academy of Sciences, v. 102, n. 46, p. 16569-16572, 2005. "
    "Doi: https://doi.org/10.1073/pnas.0507655102.",
    "Instituto Brasileiro de Geografia e Estatística. Censo Demográfico 2010: características da "
    "população e dos domicílios. Rio de Janeiro: IBGE, 2011.",
    "Lotka, A. J. The frequency distribution of scientific productivity. Journal of the Washington "
    "Academy of Sciences, v. 16, n. 12, p. 317-323, 1926.",
    "Moed, H. F. Citation Analysis in Research Evaluation. Dordrecht: Springer, 2005.",
    "National Science Board. Science and Engineering Indicators 2018. Alexandria: National Science "
    "Foundation, 2018.",
    "Organisation for Economic Co-operation and Development. Frascati Manual 2015: Guidelines for "
    "Collecting and Reporting Data on Research and Experimental Development. Paris: OECD Publishing, 2015.",
    "Price, D. J. de S. Networks of scientific papers. Science, v. 149, n. 3683, p. 510-515, 1965. "
    "Doi: https://doi.org/10.1126/science.149.3683.510.",
    "Small, H. Co-citation in the scientific literature: a new measure of the relationship between two "
    "documents. Journal of the American Society for Information Science, v. 24, n. 4, p. 265-269, 1973.",
]
FOOT = ("Ferreira, A. L. (2026). Counting Citations in Two Languages. Journal of Bibliometric Notes, "
        "3(12), 41.")

_BODY = ("Citation counts have been read as a measure of influence since the first citation indexes "
         "appeared, and their limits have been discussed for as long. ")


# Author-year entries in a hanging indent, no space between them; two open with a lower-case
# particle and one with a corporate name, which no shape of an author's name announces.
HANGING = [
    "de Solla Price, D. J. 1965. Networks of scientific papers. Science 149: 510-515.",
    "Garfield, E. 1955. Citation indexes for science: a new dimension in documentation through "
    "association of ideas. Science 122: 108-111.",
    "Hirsch, J. E. 2005. An index to quantify an individual's scientific research output. Proceedings of "
    "the National Academy of Sciences of the United States of America 102: 16569-16572.",
    "National Science Board 2018. Science and Engineering Indicators 2018. Alexandria, VA: National "
    "Science Foundation.",
    "Small, H. 1973. Co-citation in the scientific literature: a new measure of the relationship between "
    "two documents. Journal of the American Society for Information Science 24: 265-269.",
    "van Raan, A. F. J. 2005. Fatal attraction: conceptual and methodological problems in the ranking of "
    "universities by bibliometric methods. Scientometrics 62: 133-143.",
    "Waltman, L. 2016. A review of the literature on citation impact indicators. Journal of Informetrics "
    "10: 365-391.",
]
LIST_STYLES = {  # the list's setting, and what opens each entry
    "spaced": (r"\setlength{\parindent}{0pt}\setlength{\parskip}{5pt}", ""),
    "hanging": (r"\setlength{\parindent}{0pt}\setlength{\parskip}{0pt}", r"\hangindent=1.5em\hangafter=1 "),
}


def _tex(style: str, items: list[str]) -> str:
    escape = {"&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#"}
    setting, opening = LIST_STYLES[style]
    entries = "\n\n".join(opening + "".join(escape.get(ch, ch) for ch in entry) for entry in items)
    body = "\n\n".join(_BODY * 6 for _ in range(24))
    return rf"""\documentclass[twocolumn,10pt]{{article}}
\usepackage[utf8]{{inputenc}}
\usepackage[T1]{{fontenc}}
\usepackage{{lmodern}}
\usepackage[a4paper,margin=2cm,footskip=1.2cm]{{geometry}}
\usepackage{{fancyhdr}}
\pagestyle{{fancy}}
\fancyhf{{}}
\renewcommand{{\headrulewidth}}{{0pt}}
\fancyfoot[L]{{\footnotesize {FOOT}\\ https://doi.org/10.99999/jbn.00041.}}
\fancyfoot[R]{{\footnotesize\thepage}}
\title{{Counting Citations in Two Languages}}
\author{{Ana Lúcia Ferreira}}
\date{{2026}}
\begin{{document}}
\maketitle
\thispagestyle{{fancy}}
\section{{Introduction}}
{body}
\section*{{Referências}}
{setting}
{entries}

\end{{document}}
"""


def _typeset(work: Path, style: str, items: list[str]) -> Path:
    if not shutil.which("pdflatex"):
        pytest.skip("no TeX installed")
    (work / "paper.tex").write_text(_tex(style, items), encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "paper.tex"], cwd=work, capture_output=True,
                   timeout=120, check=False)
    pdf = work / "paper.pdf"
    if not pdf.exists():
        pytest.skip("pdflatex could not build the example")
    return pdf


@pytest.fixture(scope="module")
def spaced_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _typeset(tmp_path_factory.mktemp("spaced"), "spaced", ENTRIES)


@pytest.fixture(scope="module")
def hanging_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _typeset(tmp_path_factory.mktemp("hanging"), "hanging", HANGING)


def test_entries_set_apart_by_space_are_cut_there(spaced_pdf: Path) -> None:
    from refcli import documents

    refs = documents.read_document(spaced_pdf).references
    assert [ref.split(".")[0] for ref in refs] == [entry.split(".")[0] for entry in ENTRIES]
    assert refs[3].endswith("pnas.0507655102.")


def test_a_two_line_running_foot_stays_out_of_the_references(spaced_pdf: Path) -> None:
    from refcli.documents import pdf

    result = pdf.read(spaced_pdf.read_bytes(), spaced_pdf.name)
    assert "Counting Citations in Two Languages. Journal" not in result.text
    assert any(line.startswith("Ferreira, A. L. (2026)") for line in result.furniture)


def test_a_hanging_indent_starts_each_entry(hanging_pdf: Path) -> None:
    from refcli import documents

    refs = documents.read_document(hanging_pdf).references
    assert [ref.split(".")[0] for ref in refs] == [entry.split(".")[0] for entry in HANGING]


@pytest.mark.parametrize(("lines", "want"), [
    (["Science 298, 1634–1636. doi: 10.1126/sci-", "ence.1072702"], "Science 298, 1634–1636. doi: 10.1126/science.1072702"),
    (["J. Dairy Sci. 88, 3402–3410. (doi:10.3168/jds.S0022-0302", "(05)73024-1)"],
     "J. Dairy Sci. 88, 3402–3410. (doi:10.3168/jds.S0022-0302(05)73024-1)"),
    (["Behav. Processes 28, 173–179. doi: 10.1016/0376-", "6357(93)90090-E"],
     "Behav. Processes 28, 173–179. doi: 10.1016/0376-6357(93)90090-E"),
    (["https://edition.cnn.com/2023/10/06/economy/china-economy-real-estate-crisis-", "hnk/index.html."],
     "https://edition.cnn.com/2023/10/06/economy/china-economy-real-estate-crisis-hnk/index.html."),
    (["Nature. doi:10.1038/nature14539", "(2015) is cited."], "Nature. doi:10.1038/nature14539 (2015) is cited."),
])
def test_a_doi_broken_at_a_lines_end_is_joined_as_printed(lines, want):
    from refcli.documents.references import join_lines

    assert join_lines(lines) == want
