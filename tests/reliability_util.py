"""Helpers shared by the reliability tests: synthetic CSL-JSON items and CLI commands.

Kept apart from conftest so the kill loops can build argv lists without fixtures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def item(group: int, n: int) -> dict:
    """A distinct, dedupe-proof work: its own DOI, author, year and title."""
    return {
        "id": f"tmp{group}x{n}",
        "type": "article-journal",
        "title": f"Reliability study {group} number {n} on item {group * 1000 + n}",
        "author": [{"family": f"Writer{group}n{n}", "given": "Ada"}],
        "issued": {"date-parts": [[1900 + (group * 37 + n) % 120]]},
        "DOI": f"10.5555/rel.{group}.{n}",
    }


def write_items(path: Path, items: list[dict]) -> Path:
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def cli_env(extra: dict | None = None) -> dict:
    """The current (fixture-isolated) environment with our source tree first on the path."""
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    return env


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "refcli", *args]


def popen(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(cli_argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=cli_env(), **kw)


def dois(items: list[dict]) -> list[str]:
    return [i.get("DOI", "").lower() for i in items]
