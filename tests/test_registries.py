"""Adding works by arXiv id, ISBN, PMID, PMCID and landing-page URL, against a real
HTTP server on 127.0.0.1 serving recorded registry answers (tests/fixtures/registries)."""

from __future__ import annotations

import time

import pytest

from helpers import read_library
from refcli.identifiers import classify


@pytest.mark.parametrize("text, expected", [
    ("arXiv:1706.03762", ("arxiv", "1706.03762")),
    ("1706.03762v2", ("arxiv", "1706.03762v2")),
    ("hep-th/9901001", ("arxiv", "hep-th/9901001")),
    ("https://arxiv.org/abs/1706.03762v5", ("arxiv", "1706.03762v5")),
    ("https://arxiv.org/pdf/1706.03762.pdf", ("arxiv", "1706.03762")),
    ("isbn:9780262035613", ("isbn", "9780262035613")),
    ("978-0-262-03561-3", ("isbn", "9780262035613")),
    ("0262035618", ("isbn", "0262035618")),
    ("pmid:29456789", ("pmid", "29456789")),
    ("pmcid:PMC5827812", ("pmcid", "PMC5827812")),
    ("PMC5827812", ("pmcid", "PMC5827812")),
    ("https://doi.org/10.1038/NATURE14539", ("doi", "10.1038/nature14539")),
    ("https://www.nature.com/articles/nature14539", ("url", "https://www.nature.com/articles/nature14539")),
    ("0262035619", None),  # wrong check digit
    ("29456789", None),  # a bare number is not taken for a PMID
    ("javascript:alert(1)", None),
])
def test_classify(text, expected):
    assert classify(text) == expected


def _only(library):
    items = read_library(library)
    assert len(items) == 1, items
    return items[0]


@pytest.mark.parametrize("spelling", ["arXiv:1706.03762", "1706.03762v7", "https://arxiv.org/abs/1706.03762"])
def test_add_arxiv(refcli, library, registries, spelling):
    result = refcli("add", spelling)
    assert result.code == 0, result.err
    item = _only(library)
    assert item["title"] == "Attention Is All You Need"
    assert item["author"][0] == {"family": "Vaswani", "given": "Ashish"}
    assert len(item["author"]) == 8
    assert item["issued"] == {"date-parts": [[2017, 6, 12]]}
    assert item["DOI"] == "10.48550/arxiv.1706.03762"
    assert item["number"] == "arXiv:1706.03762" and item["publisher"] == "arXiv"
    assert item["abstract"].startswith("The dominant sequence") and "\n" not in item["abstract"]
    assert item["id"] == "vaswani2017attention"


def test_arxiv_again_needs_no_network_and_other_spellings_are_the_same_work(refcli, library, registries):
    assert refcli("add", "arXiv:1706.03762").code == 0
    before = len(registries.requests)
    result = refcli("add", "https://arxiv.org/abs/1706.03762v3")
    assert result.code == 0 and "already present" in result.err
    assert len(registries.requests) == before
    assert len(read_library(library)) == 1


def test_old_style_arxiv_links_to_its_published_version_without_merging(refcli, library, registries):
    assert refcli("add", "hep-th/9711200").code == 0, "preprint"
    result = refcli("add", "10.1023/A:1026654312961")
    assert result.code == 0, result.err
    preprint, published = read_library(library)
    assert preprint["custom"]["published"] == "10.1023/a:1026654312961"
    assert preprint["DOI"] == "10.48550/arxiv.hep-th/9711200"
    assert published["container-title"] == "International Journal of Theoretical Physics"
    assert preprint["custom"]["related"] == [{"key": published["id"], "relation": "preprint-of"}]
    assert published["custom"]["related"] == [{"key": preprint["id"], "relation": "published-as-of"}]
    assert preprint["id"] != published["id"]


def test_published_first_then_preprint_links_too(refcli, library, registries):
    assert refcli("add", "10.1023/A:1026654312961").code == 0
    assert refcli("add", "arXiv:hep-th/9711200").code == 0
    published, preprint = read_library(library)
    assert published["custom"]["related"] == [{"key": preprint["id"], "relation": "published-as-of"}]
    assert preprint["custom"]["related"] == [{"key": published["id"], "relation": "preprint-of"}]


def test_unknown_arxiv_id_is_one_line_not_found(refcli, library, registries):
    result = refcli("add", "arXiv:9999.99999")
    assert result.code == 3
    assert result.err.strip().count("\n") == 0 and "arXiv has no paper 9999.99999" in result.err
    assert not library.exists()


def test_add_isbn(refcli, library, registries):
    for spelling in ("isbn:9780262035613", "0262035618", "978-0-262-03561-3"):
        result = refcli("add", spelling)
        assert result.code == 0, result.err
    item = _only(library)  # three spellings, one book
    assert item["type"] == "book" and item["title"] == "Deep Learning"
    assert [a["family"] for a in item["author"]] == ["Goodfellow", "Bengio", "Courville"]
    assert item["publisher"] == "The MIT Press" and item["publisher-place"] == "Cambridge, Massachusetts"
    assert item["issued"] == {"date-parts": [[2016]]} and item["number-of-pages"] == "775"
    assert "9780262035613" in item["ISBN"]


def test_unknown_isbn(refcli, library, registries):
    result = refcli("add", "isbn:9780306406157")
    assert result.code == 3 and "Open Library has no book with ISBN 9780306406157" in result.err


def test_add_pmid_goes_the_doi_way_and_keeps_pubmed_ids(refcli, library, registries):
    result = refcli("add", "pmid:31986264")
    assert result.code == 0, result.err
    item = _only(library)
    assert item["DOI"] == "10.1016/s0140-6736(20)30183-5"
    assert item["author"][0] == {"family": "Huang", "given": "Chaolin"}  # the DOI record's full names
    assert item["PMID"] == "31986264" and item["PMCID"] == "PMC7159299"
    # the same work by PMCID: merged, not added again
    result = refcli("add", "PMC7159299")
    assert result.code == 0 and len(read_library(library)) == 1


def test_pmid_without_doi_registry_uses_pubmed_record(refcli, library, registries):
    result = refcli("add", "pmid:31986264", extra_env={"REFCLI_DOI_URL": "http://127.0.0.1:9",
                                                        "REFCLI_HTTP_TIMEOUT": "0.5"})
    assert result.code == 0, result.err
    item = _only(library)
    assert item["title"] == "Clinical features of patients infected with 2019 novel coronavirus in Wuhan, China"
    assert item["author"][0] == {"family": "Huang", "given": "C."} and len(item["author"]) == 29
    assert item["container-title"] == "Lancet (London, England)"
    assert item["issued"] == {"date-parts": [[2020, 2, 15]]}
    assert (item["volume"], item["issue"], item["page"]) == ("395", "10223", "497-506")


def test_unknown_pmid_and_pmcid(refcli, library, registries):
    result = refcli("add", "pmid:99999999")
    assert result.code == 3 and "PubMed has no article with PMID 99999999" in result.err
    result = refcli("add", "PMC0000001")
    assert result.code == 3 and "PubMed Central has no article PMC0000001" in result.err
    assert not library.exists()


def test_landing_page_with_doi_goes_the_doi_way(refcli, library, registries):
    result = refcli("add", f"{registries.url}/pages/nature14539.html")
    assert result.code == 0, result.err
    item = _only(library)
    assert item["DOI"] == "10.1038/nature14539" and item["id"] == "lecun2015deep"
    assert any(path.startswith("/10.1038") for path, _ in registries.requests)


def test_landing_page_without_doi_uses_its_meta_tags(refcli, library, registries):
    result = refcli("add", f"{registries.url}/pages/neurips-attention.html")
    assert result.code == 0, result.err
    item = _only(library)
    assert item["title"] == "Attention is All you Need"
    assert item["container-title"] == "Advances in Neural Information Processing Systems"
    assert item["author"][6] == {"family": "Kaiser", "given": "Łukasz"}
    assert item["URL"].endswith("/pages/neurips-attention.html") and item["accessed"]


def test_missing_page(refcli, library, registries):
    result = refcli("add", f"{registries.url}/pages/gone.html")
    assert result.code == 3 and "no page at" in result.err


def test_responses_are_cached(refcli, library, registries):
    assert refcli("add", "isbn:9780262035613").code == 0
    assert refcli("remove", "goodfellow2016deep", "--yes").code == 0
    before = len(registries.requests)
    assert refcli("add", "isbn:9780262035613").code == 0
    assert len(registries.requests) == before
    assert refcli("add", "isbn:9780262035613", "--no-cache").code == 0
    assert len(registries.requests) == before + 1


def test_offline_is_one_line_in_bounded_time(refcli, library):
    start = time.monotonic()
    result = refcli("add", "arXiv:1706.03762", "isbn:9780262035613", "pmid:31986264", "PMC7159299",
                    extra_env={"REFCLI_HTTP_TIMEOUT": "1"})
    assert time.monotonic() - start < 40
    assert result.code == 69
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 4 and all(line.startswith("error: cannot reach") for line in lines), lines
    assert "the arXiv API" in lines[0] and "Open Library" in lines[1] and "PubMed" in lines[2]
    assert not library.exists()


def test_not_an_identifier(refcli, library):
    result = refcli("add", "hello-world")
    assert result.code == 2 and "not a file, DOI or '-'" in result.err


def test_preprint_and_proceedings_version_without_doi_stay_two_works(refcli, library, registries):
    assert refcli("add", "arXiv:1706.03762").code == 0
    result = refcli("add", f"{registries.url}/pages/neurips-attention.html")
    assert result.code == 0 and "1 added" in result.err
    assert len(read_library(library)) == 2
