"""A smoke run of the benchmark suite (benchmarks/run.py) at a tiny size, no peers.

The suite itself is not part of the test run (it takes minutes); this checks the
harness still generates libraries, runs refcli's commands as fresh processes,
records failures instead of crashing, and prints the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import measure  # noqa: E402


def test_generator_is_seeded_and_both_forms_agree() -> None:
    assert generate.make_bib(30) == generate.make_bib(30)
    assert generate.make_bib(30, seed=1) != generate.make_bib(30)
    bib = generate.make_bib(300)
    items = generate.make_items(300)
    assert bib.count("\n@") + 1 == 300
    assert {"@article{", "@book{", "@inproceedings{", "@incollection{"} <= {
        line.split("{")[0] + "{" for line in bib.splitlines() if line.startswith("@")}
    assert '{\\"u}' in bib or "\\'e" in bib  # accents written as LaTeX
    assert 0 < 300 - len(items) < 20  # ~2 % DOI duplicates, kept once in the store
    assert len({i["DOI"] for i in items}) == len(items)
    first = items[0]
    entry = bib.split("\n@")[0]
    assert first["id"] == "key0" and f"doi = {{{first['DOI']}}}" in entry
    assert f"year = {{{first['issued']['date-parts'][0][0]}}}" in entry
    assert first["title"].startswith("café") and entry.count("caf\\'e") >= 1
    assert any(n.get("family") == "Müller" for i in items for n in i["author"])


def test_measure_records_failures_and_rss(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    good = measure.measure([sys.executable, "-c", "x = bytearray(50_000_000)"], env, tmp_path,
                           runs=2, warmup=0)
    assert good.ok and len(good.times) == 2 and good.rss_mb > 50
    bad = measure.measure([sys.executable, "-c", "import sys; sys.exit('no such part')"], env,
                          tmp_path, runs=2, warmup=0)
    assert not bad.ok and bad.error == "exit 1: no such part" and bad.median is None
    slow = measure.measure([sys.executable, "-c", "import time; time.sleep(5)"], env, tmp_path,
                           runs=1, warmup=0, timeout=0.5)
    assert not slow.ok and "timed out" in (slow.error or "")


def test_suite_smoke_run(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    import run

    text = run.main(["--sizes", "40", "--runs", "1", "--warmup", "0", "--no-document",
                     "--out", str(tmp_path)])
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in text.splitlines()[3:]}
    for name in ("floor: python -c pass", "floor: typer --help", "--help", "search author:smith",
                 "show KEY", "export --format bibtex", "add one DOI-less entry",
                 "add the whole 40 .bib (empty library)"):
        assert name in rows, name
        assert float(rows[name][2]) > 0, rows[name]  # a real time, not FAILED
    assert rows["search author:smith"][5].endswith("×")
    assert list(tmp_path.glob("results-*.md")) and list(tmp_path.glob("results-*.json"))
    # write runs were reset: the pristine store never saw the added entry
    assert b"lonely2024" not in (tmp_path / "pristine-40" / "library.json").read_bytes()
