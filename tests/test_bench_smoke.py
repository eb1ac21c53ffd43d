"""A tiny run of the benchmark suite: the harness works and reports every command."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_suite_smoke(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    items = bench.generate(500)
    assert len({i["id"] for i in items}) == 500
    assert 0 < sum(1 for i in items if i.get("DOI")) < 500
    result = bench.main(["--sizes", "60", "--runs", "1", "--out", str(tmp_path / "r.md")])
    whats = {r["what"] for r in result["rows"]}
    assert {"refcli --help", "search author:smith", "show KEY", "add one DOI-less entry",
            "import a document with 300 references"} <= whats
    assert all(r["status"] == 0 for r in result["rows"]), [r for r in result["rows"] if r["status"]]
    assert "| 60 | search bayesian |" in (tmp_path / "r.md").read_text()
