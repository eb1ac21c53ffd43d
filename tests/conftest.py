"""Shared fixtures: an isolated environment per test and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Test files import these from helpers; the names stay here for tests written before
# helpers existed (other branches in flight import them from conftest).
from helpers import EXAMPLES, ROOT, SHARED, Result, read_library  # noqa: F401

# The slow tier (left out of `make check`, run by `make test` and CI): whole files of
# process loops, kills, fuzzing and every-style runs, and single tests that take
# seconds alone. Kept here in one list so that marking a test slow touches no test file.
SLOW_FILES = {
    "test_bench_smoke.py", "test_concurrency_crash.py", "test_csl_styles.py",
    "test_reliability_concurrency.py", "test_reliability_crash.py", "test_reliability_fuzz.py",
}
SLOW_TESTS = {  # 5 s or more in a full run (--durations) on the shared 2-core machine
    "test_cli_core.py::test_help_on_every_command_has_examples",
    "test_cli_core.py::test_search_show_tag_remove_undo",
    "test_cli_files.py::test_cite_errors_are_one_line",
    "test_cli_import.py::test_import_examples_dry_run_and_bad_files",
    "test_cli_import.py::test_parse_streams_many_lines_in_order",
    "test_cli_import.py::test_seed_article_and_brief",
    "test_csl.py::test_resolve_style",
    "test_formats_bad_input.py::test_fifty_megabyte_field",
    "test_reliability_http.py::test_resolver_fault_is_a_clear_bounded_error",
    "test_reliability_inputs.py::test_fifty_megabyte_field",
    "test_settings.py::test_style_index_goes_to_the_refcli_cache_dir",
    "test_registries.py::test_offline_is_one_line_in_bounded_time",  # four look-ups' retries
    "test_cited_in.py::test_biblatex_aux_and_tex_compile_with_biber",
    "test_library.py::test_every_change_writes_the_same_bytes_in_both_modes",  # 30 pairs of libraries
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        file = item.path.name
        if file in SLOW_FILES or f"{file}::{item.originalname}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private library, cache and editor for each test; never the user's own."""
    values = {
        "REFCLI_LIBRARY": str(tmp_path / "library.json"),
        "REFCLI_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "xdgcache"),  # must stay empty: REFCLI_CACHE_DIR holds all
        "XDG_CONFIG_HOME": str(tmp_path / "xdgconfig"),  # no user's config.toml
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "REFCLI_DOI_URL": "http://127.0.0.1:9",  # closed port: no test reaches the internet
        "REFCLI_ARXIV_URL": "http://127.0.0.1:9", "REFCLI_ISBN_URL": "http://127.0.0.1:9",
        "REFCLI_PUBMED_URL": "http://127.0.0.1:9", "REFCLI_PMC_URL": "http://127.0.0.1:9",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REFCLI_CONFIG", raising=False)
    return values


@pytest.fixture
def library(env) -> Path:
    return Path(env["REFCLI_LIBRARY"])


@pytest.fixture
def refcli(env):
    """Run the installed CLI in a fresh process, as a user would."""

    def run(*args: str, input: str | None = None, extra_env: dict | None = None,
            timeout: float = 120) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "refcli", *args], input=input, capture_output=True,
            text=True, timeout=timeout, env={**os.environ, **(extra_env or {})},
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def doi_server(env, monkeypatch):
    from doiserver import DOIServer

    with DOIServer() as server:
        monkeypatch.setenv("REFCLI_DOI_URL", server.url)
        monkeypatch.setenv("REFCLI_SEARCH_URL", f"{server.url}/works")
        yield server


@pytest.fixture
def registries(doi_server, monkeypatch):
    """doi_server also standing in for arXiv, Open Library, NCBI and landing pages."""
    for name, path in (("REFCLI_ARXIV_URL", "/arxiv/query"), ("REFCLI_ISBN_URL", "/openlibrary/api/books"),
                       ("REFCLI_PUBMED_URL", "/eutils"), ("REFCLI_PMC_URL", "/idconv/articles/")):
        monkeypatch.setenv(name, doi_server.url + path)
    return doi_server
