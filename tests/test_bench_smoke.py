"""A smoke run of the benchmark suite (benchmarks/run.py) at a tiny size, no peers.

The suite itself is not part of the test run (it takes minutes); this checks the
harness still generates libraries, runs refcli's commands as fresh processes,
records failures instead of crashing, and prints the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from benchmarks import generate, measure


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


def test_pick_key_is_no_prefix_of_another_key() -> None:
    from benchmarks import run

    key = run.pick_key(1000)
    assert key == "key500"  # key500 is in the store (not a dropped DOI duplicate), 3 digits
    keys = {i["id"] for i in generate.make_items(1000)}
    assert key in keys and not any(k != key and k.startswith(key) for k in keys)


def test_verdict_checks_targets_and_peer_speedup() -> None:
    from benchmarks import run

    def case(size: int, mine: float, **peers: float) -> run.Case:
        c = run.Case("search bayesian", size, [], target=0.3, rss_target=300)
        c.results["refcli"] = measure.Result(times=[mine], rss_mb=50)
        for name, seconds in peers.items():
            c.results[name] = measure.Result(times=[seconds])
        return c

    assert run.verdict(case(10_000, 0.2, pubs=1.5), None) == "ok"
    assert run.verdict(case(10_000, 0.2, pubs=0.9, papis=2.0), None) == "MISS < 5× pubs"
    assert run.verdict(case(1_000, 0.4, pubs=0.9), None) == "MISS > 0.3 s"  # speed-up judged at 10k only
    bare = run.Case("add a .bib of 1,000", 1000, [])
    bare.results["refcli"] = measure.Result(times=[1.0])
    assert run.verdict(bare, None) == ""  # no target applies
    bare.results["refcli"] = measure.Result(error="exit 70")
    assert run.verdict(bare, None) == "FAILED"


def test_suite_smoke_run(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    from benchmarks import run

    text = run.main(["--sizes", "40", "--runs", "1", "--warmup", "0", "--out", str(tmp_path)])
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in text.splitlines()[3:]}
    names = ("floor: python -c pass", "floor: typer --help", "floor: orjson load (GC off)", "--help",
             "search author:smith", "search bayesian", "search year:2010..2015 tag:x", "show KEY",
             "cite KEY --style apa", "export --format bibtex", "export --format csl-json",
             "add one DOI-less entry", "tag KEY +later", "remove KEY", "add a .bib of 1,000",
             "import a document, 300 refs", "add the whole 40 .bib (empty library)",
             "cite --all (40 items) cold", "cite --all (40 items) unchanged")
    for name in names:
        assert name in rows, name
        assert 0 < float(rows[name][2]) < 60, rows[name]  # a real time, not FAILED
        if not name.startswith("floor"):
            assert float(rows[name][3]) > 5  # peak RSS in MB of a Python process
            assert rows[name][5].endswith("×")
    assert rows["show KEY"][6].strip(" |") == "ok" or rows["show KEY"][6].startswith("MISS")
    assert "load average (1 min) during the run: median" in text.splitlines()[0]
    assert list(tmp_path.glob("results-*.md")) and list(tmp_path.glob("results-*.json"))
    # write runs were reset: the pristine store never saw the added entry
    pristine = (tmp_path / "pristine-40" / "library.json").read_bytes()
    assert b"lonely2024" not in pristine and b"later" not in pristine
    assert f'"{run.pick_key(40)}"'.encode() in pristine  # remove did not reach it either


def test_peer_results_from_an_earlier_run(tmp_path: Path) -> None:
    import json

    from benchmarks import run

    show = run.Case("show KEY", 10_000, [], target=0.3)
    show.results["refcli"] = measure.Result(times=[0.2])
    earlier = [{"operation": "show KEY", "size": 10_000, "tool": "pubs", "times": [1.5, 1.7, 1.6],
                "rss_mb": 60.0, "error": None},
               {"operation": "show KEY", "size": 10_000, "tool": "refcli", "times": [9.0],
                "rss_mb": 1.0, "error": None},
               {"operation": "remove KEY", "size": 10_000, "tool": "papis", "times": [],
                "rss_mb": 0.0, "error": "exit 1"}]
    (tmp_path / "r.json").write_text(json.dumps(earlier))
    assert run.load_peer_results(tmp_path / "r.json", [show]) == ["pubs"]
    assert show.results["pubs"].median == 1.6 and show.results["refcli"].median == 0.2
    assert run.verdict(show, None) == "ok"  # 1.6 s is 8x refcli's 0.2 s
    assert "| show KEY | 10k | 0.200 |" in run.table([show], [], ["pubs"])
    assert "| 1.600 | 8.00× | ok |" in run.table([show], [], ["pubs"])
