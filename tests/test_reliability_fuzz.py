"""Run the atheris fuzz targets for a bounded time (CI budget: 2 x 10 s)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "fuzz" / "run.py"


def test_fuzz_targets_find_no_crash():
    pytest.importorskip("atheris")
    proc = subprocess.run([sys.executable, str(RUNNER), "10"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    runs = {m[0]: int(m[1]) for m in re.findall(r"(\w+\.py): (\d+) executions", proc.stdout)}
    assert set(runs) == {"fuzz_bibtex.py", "fuzz_documents.py"} and min(runs.values()) > 1000, proc.stdout
    print(proc.stdout)
