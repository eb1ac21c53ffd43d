"""PDF text repair, identifiers as PDF text prints them, and the title block (issue 16)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refcli import refparse
from refcli.documents.pdf import Line, clean
from refcli.documents.repair import repair
from refcli.documents.titleblock import from_head, page_year
from refcli.refparse.fields import printed_dois


@pytest.mark.parametrize(("text", "want"), [
    ("Ko¨nneke M, Agogue´ H", "Könneke M, Agogué H"),
    ("ˇReh˚uˇrek R", "Řehůřek R"),
    ("Lancet 2012;380:772e81.", "Lancet 2012;380:772–81."),
    ("BMJ 2003;16:601\u20112", "BMJ 2003;16:601-2"),
    ("a value of 10e5 and e.g. Smith", "a value of 10e5 and e.g. Smith"),
    ("Plain text stays as it is.", "Plain text stays as it is."),
])
def test_repair(text, want):
    assert repair(text) == want


def test_clean_reads_control_characters_as_what_they_print():
    assert clean("MonetDB/X100 \x97 A DBMS, pages 17\x9622, Scienti\x02c") == \
        "MonetDB/X100 — A DBMS, pages 17–22, Scientific"
    assert clean("approxi\ufffemately\r\nnext") == "approxi-\nmately\nnext"


@pytest.mark.parametrize(("text", "want"), [
    ("doi :10.1146/annurev.nucl.55.090704.151502,arXiv :hep-ph/050218", "10.1146/annurev.nucl.55.090704.151502"),
    ("doi: 10.1103/PhysRevD.7.2333.URL https://link", "10.1103/PhysRevD.7.2333"),
    ("doi:10. 1103/PhysRevD.10.2445", "10.1103/PhysRevD.10.2445"),
    ("Nat Genet 2013; 45: 580–585, doi: 10.1038/ng. 2653.", "10.1038/ng.2653"),
    ("doi: 10.2981/0909-6396(2005)11[101:EORCCS]2.0.CO;2", "10.2981/0909-6396(2005)11[101:EORCCS]2.0.CO;2"),
    ("https://doi.org/10.1016/0009-2614(80) 80396-4", "10.1016/0009-2614(80)80396-4"),
    ("https://doi.org/10.1136/practneurol-2013-000758.", "10.1136/practneurol-2013-000758"),
    ("doi:10.1000/xyz. Accessed 2 May 2020", "10.1000/xyz"),
])
def test_printed_dois(text, want):
    assert printed_dois(text) == [want]
    assert refparse.parse_reference(f"Smith J. A title. J Stuff. 2001;1:2-3. {text}")["DOI"] == want


def test_title_is_the_largest_type_near_the_top_and_the_byline_follows():
    lines = [
        Line(40.0, 30, "metabolites"),  # a journal's one-word logo
        Line(13.3, 50, "Metabolites 2014, 4, 932-945; doi:10.3390/metabo4040932"),
        Line(19.9, 170, "Volatile Metabolite Profiling of Durum Wheat Kernels"),
        Line(19.9, 192, "Contaminated by Fusarium poae"),
        Line(13.3, 230, "Marzia Beccaccioli 1, Massimo Reverberi 2,* and Valeria Scala 3"),
        Line(10.0, 250, "1 Department of Environmental Biology, Sapienza University, Rome"),
        Line(13.3, 500, "Body text " * 30),
        Line(13.3, 520, "Body text " * 30),
    ]
    item = from_head(lines)
    assert item["title"] == "Volatile Metabolite Profiling of Durum Wheat Kernels Contaminated by Fusarium poae"
    assert item["author"][0]["family"] == "Beccaccioli"
    assert page_year("\n".join(line.text for line in lines), 2030) == 2014


def test_year_from_the_dating_lines_not_from_cited_years():
    page = "Published: 02 January 2026\nSmith (2031) and Jones (2019) said so.\n© 2025 the authors"
    assert page_year(page, 2027) == 2026


def test_byline_skips_orcids_a_translated_title_and_a_sidebar():
    lines = [
        Line(24.9, 100, "A publicação científica brasileira e chinesa"),
        Line(24.9, 125, "indexada na Web of Science"),
        Line(11.1, 150, "Conflito de interesses"),  # a sidebar beside the title block
        Line(19.8, 160, "The Brazilian and Chinese scientific publication"),
        Line(11.1, 170, "Os autores declaram não haver"),
        Line(11.1, 180, "conflito de interesses."),
        Line(11.1, 190, "Contribuições"),
        Line(11.1, 200, "Financiamento"),
        Line(11.7, 210, "Laura Lavínia Sabino dos Santos1 0000-0003-4608-752X , Rosângela Rodrigues2 ,"),
        Line(11.1, 600, "Body text " * 30),
    ]
    assert from_head(lines)["author"][0]["family"] == "Santos"


def test_document_doi_from_its_own_citation_feet_and_lines():
    from refcli.documents.owndoi import document_doi

    f1000 = ["First published: 12 Aug 2014, 3:190 (doi: 10.12688/f1000research.4767.1)",
             "How to cite this article: Frazier BS and Ulrich GF. Longevity of sharks",
             "estimates [v2] F1000Research 2015, 3:190 (doi: 10.12688/f1000research.4767.2)",
             "Copyright: © 2015 Frazier BS et al."]
    assert document_doi(f1000, page_one="\n".join(f1000), furniture=[], cited=set(),
                        section=None) == "10.12688/f1000research.4767.2"  # the version cited, not the first
    bmc = ["References", "1. Smith J: A work. J Stuff 2001, 1:2. doi:10.1000/cited",
           "doi:10.1186/1471-2148-14-70", "Cite this article as: Barnett et al.: Revealing the history."]
    assert document_doi(bmc, page_one="", furniture=[], cited={"10.1000/cited"},
                        section=(1, 3)) == "10.1186/1471-2148-14-70"
    feet = ["Body.", "See doi:10.1000/cited for more."]
    assert document_doi(feet, page_one="doi:10.1000/cited", furniture=["J Stuff 2014 doi:10.1136/bmj.1"],
                        cited={"10.1000/cited"}, section=None) == "10.1136/bmj.1"
    assert document_doi(feet, page_one="", furniture=[], cited=set(), section=None) is None


def test_the_doi_above_a_papers_own_citation_is_not_the_last_references():
    from refcli.documents.references import extract

    lines = ["Text.", "References", "1. Smith J: A work. J Stuff 2001, 1:2-3.",
             "2. Jones K: Another work. J Stuff 2002, 2:3-4.", "doi:10.1186/1471-2148-14-70",
             "Cite this article as: Barnett et al.: Revealing the history. BMC 2014 14:70."]
    refs, _ = extract(lines)
    assert refs[-1] == "Jones K: Another work. J Stuff 2002, 2:3-4."


def test_a_supplements_own_reference_list_is_not_the_papers():
    from refcli.documents.references import extract

    body = [f"Body text of the paper, line {i}, as Smith (2001) said." for i in range(40)]
    main = [f"Author{i}, A. ({1990 + i}). Paper number {i}. J Stuff {i}:1-2." for i in range(6)]
    supplement = [f"Other{i}, B. ({1970 + i}). Supplement work {i}. J Else {i}:3-4." for i in range(9)]
    lines = (["Contents", "1 Introduction", "References", "Supplementary material"] + body
             + ["References"] + main + ["Supplementary Material", "Table S1 shows the sites."]
             + ["REFERENCES"] + supplement)
    refs, _ = extract(lines)
    assert [ref.split(",")[0] for ref in refs] == [f"Author{i}" for i in range(6)]


def test_author_year_entries_split_after_a_broken_doi_and_not_at_a_publishers_place():
    from refcli.documents.references import segment

    lines = [
        "Chalmeau, R., and Gallo, A. (1993). Social constraints determine what is",
        "learned in the chimpanzee. Behav. Processes 28, 173–179. doi: 10.1016/0376-",
        "6357(93)90090-E",
        "Clutton-Brock, J. (1984). “Dog,” in Evolution of Domesticated Animals, ed I. L.",
        "Mason (London: Longman), 198–211.",
        "Mech, D. (1970). The Wolf: The Ecology and Behaviour of an Endangered Species.",
        "Garden City, NY: Natural History Press.",
        "Mech, L. D., and Boitani, L. (2003). “Wolf social ecology,” in Wolves: Behavior,",
        "Ecology, and Conservation, eds L. D. Mech and L. Boitani (Chicago; London:",
        "University of Chicago Press), 1–34.",
    ]
    refs = segment(lines)
    assert [ref[:12] for ref in refs] == ["Chalmeau, R.", "Clutton-Broc", "Mech, D. (19", "Mech, L. D.,"]
    assert refs[2].endswith("Garden City, NY: Natural History Press.")


# ------------------------------------------------------------------ the LaTeX example

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "documents" / "resnet-note.pdf"


def _bib_facts() -> list[dict[str, str]]:
    """First author's family name, year and DOI of every entry of the example's .bib."""
    text = EXAMPLE.with_suffix(".bib").read_text("utf-8")
    facts = []
    for entry in text.split("@")[1:]:
        first = re.search(r"author\s*=\s*\{([^}]*?)(?: and |\})", entry).group(1)  # type: ignore[union-attr]
        facts.append({"family": first.split()[-1], "year": int(re.search(r"year\s*=\s*\{(\d{4})", entry).group(1)),
                      "DOI": (re.search(r"doi\s*=\s*\{([^}]+)\}", entry) or [None, None])[1]})
    return sorted(facts, key=lambda f: f["family"].lower())


def _check_example(path: Path) -> None:
    from refcli import documents, importer

    doc = documents.read_document(path)
    assert doc.item["title"] == "Residual Networks in Context: A Reading Note on Very Deep Image Classifiers"
    assert doc.item["author"][0] == {"family": "Ferreira", "given": "Ana Lúcia"}
    assert doc.item["issued"] == {"date-parts": [[2026]]}
    assert "DOI" not in doc.item  # the DOIs on page 1 are its references', not its own
    items = importer.parse_references(doc)
    facts = _bib_facts()
    assert len(items) == len(facts) == 9
    for item, fact in zip(items, facts, strict=True):
        assert item["author"][0]["family"] == fact["family"]
        assert item["issued"]["date-parts"][0][0] == fact["year"]
        assert item.get("DOI") == fact["DOI"]
    assert "Léon Bottou" in doc.references[4]  # TeX's separate accent joined to its vowel


def test_latex_two_column_natbib_example():
    _check_example(EXAMPLE)


@pytest.mark.skipif(not shutil.which("pdflatex") or not shutil.which("bibtex"), reason="no TeX installed")
def test_latex_example_rebuilt_with_pdflatex(tmp_path):
    for suffix in (".tex", ".bib"):
        shutil.copy(EXAMPLE.with_suffix(suffix), tmp_path)
    steps = [["pdflatex", "-interaction=nonstopmode", "resnet-note"], ["bibtex", "resnet-note"],
             ["pdflatex", "-interaction=nonstopmode", "resnet-note"], ["pdflatex", "-interaction=nonstopmode", "resnet-note"]]
    for step in steps:
        subprocess.run(step, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    _check_example(tmp_path / "resnet-note.pdf")
