"""What CSL processors accept: the CSL-JSON schema, and citeproc-js itself.

``schema_errors`` checks items against the CSL project's CSL-JSON input schema
(``tests/fixtures/csl-schema/csl-data.json``, MIT, licence beside it), with the four
CSL 1.0.2 variables that schema file predates (``part-number``, ``printing-number``,
``supplement-number``, ``license``: refcli's vocabulary has them, citeproc-js reads
them) added with the shape of their kind; everything else (types, name objects,
date objects, no unknown top-level keys) is the schema's own.

``citeproc_js`` renders every item's citation and bibliography entry with
citeproc-js (npm ``citeproc`` 2.4.63, installed under ``build/npm`` by
``make system-deps``) through ``scripts/csl_clusters_js.mjs``; None when node or
citeproc-js is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from helpers import ROOT

SCHEMA = ROOT / "tests" / "fixtures" / "csl-schema" / "csl-data.json"
NPM_MODULES = ROOT / "build" / "npm" / "node_modules"
_NEWER = {"part-number": "number", "printing-number": "number", "supplement-number": "number", "license": "standard"}


@cache
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    props = schema["items"]["properties"]
    for var, kind in _NEWER.items():
        props.setdefault(var, {"type": ["string", "number"]} if kind == "number" else {"type": "string"})
    return jsonschema.Draft7Validator(schema)


def schema_errors(items: list[dict]) -> list[str]:
    return [f"item {list(e.path)[:1]} ({items[e.path[0]].get('id') if e.path else '-'}): {e.message}"
            for e in _validator().iter_errors(items)]


def _node_path() -> str | None:
    for candidate in (os.environ.get("NODE_PATH", ""), str(NPM_MODULES)):
        if candidate and (Path(candidate) / "citeproc").is_dir():
            return candidate
    return None


def citeproc_js_available() -> bool:
    return shutil.which("node") is not None and _node_path() is not None


def citeproc_js(items: list[dict], tmp: Path, style: Path, locale_dir: Path) -> subprocess.CompletedProcess | None:
    """citeproc-js on *items*: each cited once, then the bibliography."""
    node_path = _node_path()
    if shutil.which("node") is None or node_path is None:
        return None
    data = {"items": items, "clusters": [{"citationItems": [{"id": i["id"]}]} for i in items]}
    (tmp / "clusters.json").write_text(json.dumps(data))
    return subprocess.run(
        ["node", str(ROOT / "scripts" / "csl_clusters_js.mjs"), "--style", str(style), "--locale-dir",
         str(locale_dir), "--input", str(tmp / "clusters.json")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NODE_PATH": node_path})
