"""The DOI resolver against a misbehaving server, through `refcli add` (issue 6).

Each fault (500s, 429 with Retry-After, a stalled or dripping response,
garbage JSON, a 100 MB body, a reset connection, a redirect loop or to file://)
must end in a one-line error within bounded time, a non-zero exit and an
untouched library. REFCLI_HTTP_TIMEOUT keeps the waits short.
"""

from __future__ import annotations

import time

import pytest

from helpers import read_library
from reliability_util import item, write_items

FAST = {"REFCLI_HTTP_TIMEOUT": "1"}


@pytest.fixture
def seeded(refcli, library, tmp_path) -> bytes:
    assert refcli("add", str(write_items(tmp_path / "seed.json", [item(4, 1)]))).code == 0
    return library.read_bytes()


@pytest.mark.parametrize("doi, text, limit", [
    ("10.9999/always-500", "HTTP 500", 30),
    ("10.9999/garbage", "invalid JSON", 10),
    ("10.9999/wrong-shape", "not CSL-JSON", 10),
    ("10.9999/huge", "too large", 20),
    ("10.9999/stall", "timed out", 30),
    ("10.9999/drip", "too slow", 30),
    ("10.9999/reset", "cannot reach", 30),
    ("10.9999/redirect-loop", "redirects", 10),
    ("10.9999/redirect-file", "", 10),
])
def test_resolver_fault_is_a_clear_bounded_error(refcli, doi_server, library, seeded, doi, text, limit):
    started = time.monotonic()
    res = refcli("add", doi, "--no-cache", extra_env=FAST, timeout=limit + 30)
    took = time.monotonic() - started
    assert res.code == 69, (res.code, res.err)
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and doi in lines[0] and text in lines[0], res.err
    assert took < limit, f"{doi}: took {took:.1f} s"
    assert library.read_bytes() == seeded
    assert not list((library.parent / "cache").rglob("*9999*")), "a bad answer was cached"


def test_rate_limit_is_honoured_then_the_work_is_added(refcli, doi_server, library, seeded):
    res = refcli("add", "10.9999/rate-limited", "--no-cache", extra_env=FAST)
    assert res.code == 0, res.err
    assert doi_server.counts["10.9999/rate-limited"] == 2  # waited Retry-After, asked once more
    assert "10.1109/cvpr.2016.90" in {i.get("DOI") for i in read_library(library)}


def test_only_http_resolvers(refcli, library, seeded):
    res = refcli("add", "10.5555/anything", "--no-cache",
                 extra_env={**FAST, "REFCLI_DOI_URL": "file:///etc"})
    assert res.code == 69 and "http" in res.err
    assert library.read_bytes() == seeded
