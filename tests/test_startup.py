"""What an everyday command imports: heavy libraries only where they are used.

``python -X importtime`` lists every module a process imported; a command whose list
grows a heavy library has become slower for everyone, which this catches when the
change is made instead of in a benchmark later. The figures themselves are in
benchmarks/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import EXAMPLES

# Never needed to parse arguments, print help, search or show.
HEAVY = {"citeproc", "httpx", "numpy", "lxml", "pypdf", "bibtexparser", "rapidfuzz", "pylatexenc",
         "rispy", "cryptography", "anyascii", "pydantic", "tomllib"}


def imported(args: list[str]) -> set[str]:
    """The top-level names of every module ``refcli *args`` imports (stdout a pipe)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "refcli", *args],
                          capture_output=True, text=True, env=os.environ, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "refcli" in names  # the listing was read
    return names


@pytest.fixture
def small_library(refcli):
    assert refcli("add", str(EXAMPLES / "library.bib")).code == 0


def test_help_imports_nothing_heavy(env):
    assert imported(["--help"]) & HEAVY == set()


@pytest.mark.parametrize("args", [["search", "deep"], ["search", "--json", "author:lecun"],
                                  ["show", "lecun2015deep"], ["search", "--keys", "year:2015"]])
def test_search_and_show_into_a_pipe_import_nothing_heavy_nor_rich(small_library, args):
    loaded = imported(args)
    assert loaded & (HEAVY | {"rich"}) == set(), args


def test_with_the_library_named_only_a_default_from_the_config_looks_for_it(small_library):
    # REFCLI_LIBRARY is set (the env fixture): only a default the config file may change
    # (cite's style, export's format) is worth platformdirs and tomllib.
    for args in (["search", "deep"], ["show", "lecun2015deep"], ["tag", "lecun2015deep", "+x"],
                 ["export", "--format", "ris"]):
        assert "platformdirs" not in imported(args), args
    assert "platformdirs" in imported(["export"])


def test_the_guard_sees_a_heavy_import(small_library):
    assert "citeproc" in imported(["cite", "lecun2015deep"])
