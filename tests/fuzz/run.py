"""Run every fuzz target for a bounded time: ``python tests/fuzz/run.py [SECONDS_EACH]``.

Seeds come from tests/bad_inputs and tests/fixtures; crashes are written to
tests/fuzz/crashes/ (turn each into a regression test). Prints the executions
run per target; exits non-zero when a target crashed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
SEEDS = {
    "fuzz_bibtex.py": [".bib", ".ris", ".json"],
    "fuzz_documents.py": [".txt", ".html", ".md", ".pdf"],
}


def _corpus(target: str, into: Path) -> None:
    for folder in (TESTS / "bad_inputs", TESTS / "fixtures"):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in SEEDS[target] and path.stat().st_size < 200_000:
                shutil.copy(path, into / f"{path.parent.name}_{path.name}")


def run(target: str, seconds: int) -> tuple[int, bool]:
    """(executions, crashed) for one target."""
    crashes = HERE / "crashes"
    crashes.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        _corpus(target, corpus)
        proc = subprocess.run(
            [sys.executable, str(HERE / target), str(corpus), f"-max_total_time={seconds}",
             "-rss_limit_mb=2048", "-max_len=20000", f"-artifact_prefix={crashes}/", "-print_final_stats=1"],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(TESTS.parent / "src")},
        )
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", proc.stderr)
    crashed = proc.returncode != 0
    if crashed:
        print(proc.stderr[-3000:], file=sys.stderr)
    return (int(runs[-1]) if runs else 0), crashed


def main() -> int:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    failed = False
    for target in SEEDS:
        executions, crashed = run(target, seconds)
        print(f"{target}: {executions} executions in {seconds} s, {'CRASH' if crashed else 'no crash'}")
        failed |= crashed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
