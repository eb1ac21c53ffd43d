"""Identifiers cut before labelling, spacing repaired, as PDF text prints references."""

import pytest

from refcli import refparse
from refcli.refparse.cut import cut_identifiers, respace


@pytest.mark.parametrize("text, want", [
    ("Ellis J. et al., Annu. Rev. Nucl. Part. Sci. 55 (2005) 1, doi :10.1146/annurev.nucl.55.090704.151502,"
     "arXiv :hep-ph/0502180.", "Ellis J. et al., Annu. Rev. Nucl. Part. Sci. 55 (2005) 1"),
    ("Smith J. A title. Nature. 2001;409:860-921. doi: 10.1038/35057062. PMID: 11237011.",
     "Smith J. A title. Nature. 2001;409:860-921."),
    ("Lee K. Thing. Nat Genet. 2013. doi:10.1038/ng. 2653", "Lee K. Thing. Nat Genet. 2013."),
    ("Takeda. Vedolizumab. Product monograph [Available from: http://www.example.com/a.pdf].",
     "Takeda. Vedolizumab. Product monograph."),
    ("https://example.org/only-a-link", "https://example.org/only-a-link"),
    # A DOI that PDF text broke where no rule can join it stays whole rather than half cut.
    ("Roy A. A model. Hydrol Process 12: 1371. http://dx.doi.org/10.1002/(SICI)1099- 1085(19980630)12:8<1371::AID>3.0.CO;2-C.",
     "Roy A. A model. Hydrol Process 12: 1371. http://dx.doi.org/10.1002/(SICI)1099- 1085(19980630)12:8<1371::AID>3.0.CO;2-C."),
])
def test_cut_identifiers(text, want):
    assert cut_identifiers(text) == want


def test_respace():
    assert respace("Physics ,43 (3):199-220,Aug 1975 .") == "Physics, 43 (3):199-220, Aug 1975."
    assert respace("pp. 1,234-5; 12,000 cases") == "pp. 1,234-5; 12,000 cases"
    assert respace("in seals and walruses.Can. J. Zool.70, 1953") == "in seals and walruses. Can. J. Zool. 70, 1953"
    assert respace("Morrow ALet al.2004 Milk. Vaccine21, 3365") == "Morrow AL et al. 2004 Milk. Vaccine 21, 3365"
    assert respace("Aux sources, t.1, Add.1 [x]") == "Aux sources, t.1, Add.1 [x]"


def test_identifiers_come_back_as_fields_and_the_rest_is_labelled_without_them():
    item = refparse.parse_reference("Smith J, Jones K. A great title. Nature. 2001;409:860-921. "
                                    "doi: 10.1038/35057062. PMID: 11237011.")
    assert item["DOI"] == "10.1038/35057062" and item["PMID"] == "11237011"
    assert item["issued"] == {"date-parts": [[2001]]}
    assert (item["volume"], item["page"]) == ("409", "860-921")


def test_capitalised_particle_starts_the_family_name():
    item = refparse.parse_reference("Van der Linden ML, Smith J. Gait in children. Gait Posture. 2003;16:601-2.")
    assert item["author"][0] == {"family": "Van der Linden", "given": "ML"}
    item = refparse.parse_reference("van der Maaten L, Hinton G. Visualizing data using t-SNE. J Mach Learn Res. "
                                    "2008;9:2579-605.")
    assert item["author"][0] == {"family": "Maaten", "given": "L", "non-dropping-particle": "van der"}


def test_glued_identifiers_of_pdf_text_come_back_whole():
    item = refparse.parse_reference("Ellis J. et al., Annu. Rev. Nucl. Part. Sci. 55 (2005) 1, "
                                    "doi :10.1146/annurev.nucl.55.090704.151502,arXiv :hep-ph/0502180.")
    assert item["DOI"] == "10.1146/annurev.nucl.55.090704.151502"
    assert item["number"] == "arXiv:hep-ph/0502180"
    assert item.get("page") != "hep-ph/0502180"
