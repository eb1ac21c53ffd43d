"""Completing parsed references from registries, against the local test server."""

import pytest

from refcli import resolve
from refcli.errors import NetworkError, NotFoundError
from refcli.importer import resolver_for


def test_fetch_cleans_registry_answer(doi_server):
    item = resolve.fetch("https://doi.org/10.1016/S0140-6736(20)30183-5")
    assert item["DOI"] == "10.1016/s0140-6736(20)30183-5"
    assert item["ISSN"] == "0140-6736" and item["page"] == "497-506"
    assert all(set(name) <= {"family", "given"} for name in item["author"])  # no affiliation noise
    assert "id" not in item and "license" not in item


@pytest.mark.parametrize("doi, error, text", [
    ("10.5555/missing", NotFoundError, "DOI not found"),
    ("10.9999/always-500", NetworkError, "HTTP 500"),
    ("10.9999/garbage", NetworkError, "invalid JSON"),
    ("10.9999/wrong-shape", NetworkError, "not CSL-JSON"),
    ("10.9999/huge", NetworkError, "too large"),
    ("10.9999/redirect-loop", NetworkError, "redirects"),
])
def test_resolver_faults_are_clear_errors(doi_server, monkeypatch, doi, error, text):
    monkeypatch.setattr(resolve, "_retry_after", lambda value, attempt: 0.01)
    with pytest.raises(error, match=text):
        resolve.fetch(doi, use_cache=False)


def test_bibliographic_search_accepts_only_convincing_hits(doi_server):
    raw = "Hochreiter S, Schmidhuber J. Long short-term memory. Neural Comput. 1997;9(8):1735-80."
    item = resolve.search_bibliographic(raw)
    assert item["DOI"] == "10.1162/neco.1997.9.8.1735"
    assert item["type"] == "article-journal" and item["container-title"] == "Neural Computation"
    assert item["author"][1] == {"family": "Schmidhuber", "given": "Jürgen"}
    assert item["issued"] == {"date-parts": [[1997, 11, 1]]}
    assert resolve.search_bibliographic("Nobody N. An unknown pamphlet. Nowhere Press; 1901.") is None


def test_resolver_for_import_prefers_registry_and_keeps_parsed_extras(doi_server):
    complete = resolver_for()
    parsed = {"type": "article-journal", "title": "Deep learning", "DOI": "10.1038/nature14539",
              "note": "parsed note", "author": [{"family": "Lecun"}]}
    combined = complete(parsed, "raw")
    assert combined["author"][0] == {"family": "LeCun", "given": "Yann"}
    assert combined["note"] == "parsed note"
    offline = {"type": "book", "title": "X", "DOI": "10.5555/missing"}
    assert complete(offline, "raw") == offline  # an unknown DOI leaves the parse as it was


@pytest.mark.parametrize("doi", ["10.9999/stall", "10.9999/reset"])
def test_stalled_or_reset_connection_fails_in_bounded_time(doi_server, monkeypatch, doi):
    import time

    monkeypatch.setenv("REFCLI_HTTP_TIMEOUT", "0.5")
    monkeypatch.setattr(resolve, "_retry_after", lambda value, attempt: 0.01)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out|cannot reach"):
        resolve.fetch(doi, use_cache=False)
    assert time.monotonic() - started < 10
