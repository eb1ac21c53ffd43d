"""Organisations as authors, and Vancouver bylines closed by a colon, as printed (issue 16)."""

import pytest

from refcli import refparse
from refcli.refparse.corporate import organisation


@pytest.mark.parametrize(("text", "body", "title"), [
    ("NBS – National Bureau of Statistics of China. China Labour Statistical Yearbook, several editions.",
     "NBS – National Bureau of Statistics of China", "China Labour Statistical"),
    ("United Nations Educational, Scientific and Cultural Organization. UNESCO Science Report: towards 2030. "
     "Paris: UNESCO Publishing, 2015.",
     "United Nations Educational, Scientific and Cultural Organization", "UNESCO Science Report: towards 2030"),
    ("Clinical and Laboratory Standards Institute. 2008. Reference Method for Broth Dilution Antifungal "
     "Susceptibility Testing of Filamentous Fungi. Wayne, PA: CLSI.",
     "Clinical and Laboratory Standards Institute",
     "Reference Method for Broth Dilution Antifungal Susceptibility Testing of Filamentous Fungi"),
    ("ATLAS and CMS Collaborations, “Procedure for the LHC Higgs boson search combination in Summer 2011”, "
     "Technical Report ATL-PHYS-PUB 2011-11, 2011.", "ATLAS and CMS Collaborations", None),
])
def test_an_opening_organisation_is_the_author_not_the_title(text, body, title):
    item = refparse.parse_reference(text)
    assert item["author"][0] == {"literal": body}
    if title:
        assert item["title"].startswith(title)
    assert body not in item.get("title", "")


@pytest.mark.parametrize("text", [
    "Board, J. A. 2001. Growth of seedlings under shade. Journal of Ecology 89: 1-10.",
    "Smith J, Jones K. Institute of Medicine report on errors. J Med 2001;3:1-2.",
    "Price, D. J. S.; Beaver, D. Collaboration in an invisible college. American Psychologist, v. 21, n. 11, "
    "p. 1011-1018, 1966.",
    "Hunter JD. Matplotlib: A 2D graphics environment. Computing in Science & Engineering 2007;9:90-5.",
])
def test_people_are_no_organisation(text):
    assert organisation(text) is None


@pytest.mark.parametrize(("text", "families", "title"), [
    ("Lorenzen ED, Heller R, Siegismund HR: Comparative phylogeography of African savannah ungulates. "
     "Mol Ecol 2012, 21(15):3656-3670.", ["Lorenzen", "Heller", "Siegismund"],
     "Comparative phylogeography of African savannah ungulates"),
    ("Mace GM: The role of taxonomy in species conservation. Philos Trans R Soc Lond B Biol Sci 2004, "
     "359(1444):711-719.", ["Mace"], "The role of taxonomy in species conservation"),
    ("Drummond AJ, Suchard MA, Xie D, Rambaut A: Bayesian phylogenetics with BEAUti and the BEAST 1.7. "
     "Mol Biol Evol 2012, 29(8):1969-1973.", ["Drummond", "Suchard", "Xie", "Rambaut"],
     "Bayesian phylogenetics with BEAUti and the BEAST 1.7"),
])
def test_a_vancouver_byline_closed_by_a_colon(text, families, title):
    item = refparse.parse_reference(text)
    assert [name["family"] for name in item["author"]] == families
    assert item["title"] == title


def test_vancouver_initials_that_spell_an_editor_mark_are_initials():
    from refcli.printed import parse_names

    names, _ = parse_names("Lorenzen ED, Heller R, Müller HG")
    assert names == [{"family": "Lorenzen", "given": "ED"}, {"family": "Heller", "given": "R"},
                     {"family": "Müller", "given": "HG"}]
    assert parse_names("Smith J, Jones K (eds)")[0] == [{"family": "Smith", "given": "J"},
                                                        {"family": "Jones", "given": "K"}]
