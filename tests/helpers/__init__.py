"""What several test files share: the project's paths and reading a library file.

Imported as ``helpers`` (pytest puts ``tests/`` on ``sys.path``); fixtures stay in
``conftest.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"  # ../shared beside the project root, when present


@dataclass
class Result:
    """A finished ``refcli`` process: exit code and what it printed."""

    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def read_library(path: Path) -> list[dict]:
    return json.loads(path.read_text()) if path.exists() else []
