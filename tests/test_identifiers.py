import pytest
from hypothesis import given
from hypothesis import strategies as st

from refcli.identifiers import (
    find_arxiv_ids,
    find_dois,
    find_isbns,
    find_pmids,
    find_urls,
    normalize_doi,
    normalize_isbn,
)


@pytest.mark.parametrize("spelling", [
    "10.1038/nature14539",
    "10.1038/NATURE14539",
    "doi:10.1038/nature14539",
    "DOI: 10.1038/nature14539",
    "https://doi.org/10.1038/nature14539",
    "http://dx.doi.org/10.1038/nature14539",
    "https://www.doi.org/10.1038/Nature14539.",
    "  10.1038/nature14539, ",
    "https://doi.org/10.1038%2Fnature14539",
])
def test_every_spelling_of_a_doi_is_one_doi(spelling):
    assert normalize_doi(spelling) == "10.1038/nature14539"


def test_parentheses_that_belong_to_the_doi_stay():
    assert normalize_doi("10.1016/S0140-6736(20)30183-5.") == "10.1016/s0140-6736(20)30183-5"
    assert normalize_doi("(doi:10.1000/xyz123).") == "10.1000/xyz123"


@pytest.mark.parametrize("bad", ["", "nature14539", "10.10/abc", "doi:", "https://example.org/10"])
def test_non_dois_are_rejected(bad):
    assert normalize_doi(bad) is None


@given(st.text())
def test_normalize_doi_is_idempotent(text):
    once = normalize_doi(text)
    if once is not None:
        assert normalize_doi(once) == once


@given(st.from_regex(r"10\.[0-9]{4,6}/[a-zA-Z0-9().;:%/\]\[<>'\"!?,_-]{1,12}", fullmatch=True))
def test_the_canonical_shortcut_agrees_with_the_full_rules(doi):
    # A leading space takes the full path; a bare canonical DOI the shortcut.
    assert normalize_doi(doi) == normalize_doi(" " + doi)


def test_find_dois_in_text_including_a_line_break():
    text = ("Smith J. Title. Journal. 2020;1:2. doi:10.1016/S0140-6736(20)30183-5.\n"
            "Also https://doi.org/10.55105/2500-2872-\n2025-3-5-25 and (10.1000/abc).")
    assert find_dois(text) == [
        "10.1016/s0140-6736(20)30183-5", "10.55105/2500-2872-2025-3-5-25", "10.1000/abc"]


def test_isbn_check_digits():
    assert normalize_isbn("978-0-262-03561-3") == "9780262035613"
    assert normalize_isbn("0-262-03561-8") is None or normalize_isbn("0-262-03561-8")
    assert normalize_isbn("978-0-262-03561-4") is None
    assert find_isbns("MIT Press. ISBN 978-0-262-03561-3.") == ["9780262035613"]


def test_arxiv_pmid_url():
    assert find_arxiv_ids("arXiv:1706.03762v5 [cs.CL]") == ["1706.03762v5"]
    assert find_pmids("PMID: 26017442.") == ["26017442"]
    assert find_urls("See https://example.org/a_(b). Then") == ["https://example.org/a_(b)"]
