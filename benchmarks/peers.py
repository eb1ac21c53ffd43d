"""The peers, pubs and papis, set up and timed on the same libraries as refcli (issue 5).

Each lives in its own virtual environment under ``benchmarks/.peers/`` (gitignored),
created on first use from PyPI: pubs 0.9 needs ``bibtexparser<2`` and
``pyparsing``, which would clash with refcli's bibtexparser 2. Each runs with its
own HOME and XDG dirs inside the work dir, so no real configuration is touched.

Their bulk imports are slow (pubs ~4 s per 1k, papis ~100 s per 1k), so the
import is timed once (no warm-up) and its result is kept as the library the other
commands read; every other command gets the same warm-up and runs as refcli's.

    python -m benchmarks.peers --install     # create both venvs ahead of time
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import Result, measure, run_once

VENVS = Path(__file__).resolve().parent / ".peers"
PACKAGES = {"pubs": ["pubs==0.9.0", "bibtexparser<2", "pyparsing"], "papis": ["papis"]}


def ensure_venv(peer: str) -> Path:
    """The peer's executable, creating its venv first when missing."""
    venv = VENVS / f"{peer}-venv"
    exe = venv / "bin" / peer
    if not exe.exists():
        print(f"creating {venv} ({' '.join(PACKAGES[peer])})", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *PACKAGES[peer]], check=True)
    return exe


class Peer:
    """One peer at one library size: its state dir (HOME + library), env and commands."""

    name = ""

    def __init__(self, root: Path, n: int, base_env: dict[str, str]) -> None:
        self.exe = str(ensure_venv(self.name))
        self.state = root / f"{self.name}-{n}"
        self.snapshot = root / f"{self.name}-{n}.snapshot"
        home = self.state / "home"
        self.lib = self.state / "lib"
        self.env = {**base_env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".local/share")}
        self.env.pop("PYTHONPATH", None)  # the peer's own venv only

    def init(self) -> None:
        """An empty, configured library (untimed set-up before each import run)."""
        shutil.rmtree(self.state, ignore_errors=True)
        for sub in ("home/.config", "home/.cache", "home/.local/share", "lib"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        self.configure()

    def configure(self) -> None:
        raise NotImplementedError

    def restore(self) -> None:
        """Back to the imported library (set-up before each write run)."""
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.copytree(self.snapshot, self.state, symlinks=True)

    def keep(self) -> None:
        shutil.rmtree(self.snapshot, ignore_errors=True)
        shutil.copytree(self.state, self.snapshot, symlinks=True)

    def commands(self, bib: Path, one: Path) -> dict[str, list[str] | None]:
        """refcli operation name -> this peer's equivalent (None: it has none)."""
        raise NotImplementedError


class Pubs(Peer):
    name = "pubs"

    @property
    def conf(self) -> str:
        return str(self.state / "pubsrc")

    def configure(self) -> None:
        run_once([self.exe, "-c", self.conf, "init", "-p", str(self.lib)], self.env, self.state, 60)

    def commands(self, bib: Path, one: Path, key: str, other: Path) -> dict[str, list[str] | None]:
        pubs = [self.exe, "-c", self.conf]
        return {
            "--help": [self.exe, "--help"],
            "search author:smith": [*pubs, "list", "author:smith"],
            "search bayesian": [*pubs, "list", "title:bayesian"],
            "search year:2010..2015 tag:x": [*pubs, "list", "year:2010-2015", "tag:x"],
            "show KEY": [*pubs, "list", f"citekey:{key}"],
            "export --format bibtex": [*pubs, "export"],
            "add one DOI-less entry": [*pubs, "add", str(one)],
            "tag KEY +later": [*pubs, "tag", key, "later"],
            "remove KEY": [*pubs, "remove", "-f", key],  # pubs reads "--force" as its global --force-colors
            "add a .bib of 1,000": [*pubs, "import", str(other)],
            "import": [*pubs, "import", str(bib)],
        }


class Papis(Peer):
    name = "papis"
    IMPORT_UP_TO = 1000  # larger libraries are laid out directly (see build)

    def configure(self) -> None:
        conf = self.state / "home" / ".config" / "papis" / "config"
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {self.lib}\n")

    def commands(self, bib: Path, one: Path, key: str, other: Path) -> dict[str, list[str] | None]:
        papis = [self.exe, "--color", "no"]
        return {
            "--help": [self.exe, "--help"],
            "search author:smith": [*papis, "list", "--all", "author:smith"],
            "search bayesian": [*papis, "list", "--all", "bayesian"],
            "search year:2010..2015 tag:x": None,  # no year ranges in papis' query language
            "show KEY": [*papis, "list", "--all", "--info", f"ref:{key}"],
            "export --format bibtex": [*papis, "export", "--all", "--format", "bibtex"],
            "add one DOI-less entry": [*papis, "add", "--batch", "--from", "bibtex", str(one)],
            "tag KEY +later": [*papis, "tag", "--batch", "--add", "later", f"ref:{key}"],
            "remove KEY": [*papis, "rm", "--force", f"ref:{key}"],
            "add a .bib of 1,000": None,  # ~90 s per 1,000 (see import): too slow to repeat
            "import": [*papis, "bibtex", "read", str(bib), "import", "--all", "--batch"],
        }

    def build(self, bib: Path, timeout: float) -> tuple[float, str]:
        """Lay the library out directly, as ``papis bibtex import`` would leave it.

        papis's import costs ~90 s per 1,000 works because every ``add`` first
        searches the library for a duplicate and then rewrites the whole pickled
        cache (quadratic), which would make a 10k library take the better part of
        an hour. This runs papis's own code for the per-document part (``bibtex_to_dict``,
        ``document.new``: papis_id, ref; ``get_document_unique_folder``; ``move``)
        and skips repeated DOIs as its duplicate check does; the cache is then
        built by one untimed ``papis cache reset``. Returns (seconds, last stderr line).
        """
        self.init()
        script = self.state / "build_papis.py"
        script.write_text(PAPIS_BUILD)
        python = str(Path(self.exe).with_name("python"))
        seconds, _, code, last, _ = run_once([python, str(script), str(bib), str(self.lib)], self.env,
                                          self.state, timeout)
        if code != 0:
            return seconds, f"exit {code}: {last}"
        run_once([self.exe, "cache", "reset"], self.env, self.state, timeout)
        return seconds, ""


# Runs inside papis's venv (see Papis.build).
PAPIS_BUILD = """
import os, sys
import papis.bibtex, papis.config, papis.document
from papis.paths import get_document_unique_folder

bib, lib = sys.argv[1], sys.argv[2]
dirumask = papis.config.getint("dir-umask")
folder_format = papis.config.getformatpattern("add-folder-name")
seen = set()
for data in papis.bibtex.bibtex_to_dict(bib):
    doi = str(data.get("doi", "")).lower()
    if doi and doi in seen:
        continue
    seen.add(doi)
    doc = papis.document.new(data)
    papis.document.move(doc, get_document_unique_folder(doc, lib, folder_name_format=folder_format),
                        dirumask=dirumask)
"""


PEERS: dict[str, type[Peer]] = {"pubs": Pubs, "papis": Papis}
BUILD_TIMEOUT = 3600.0


def run(ws: Any, cases: list[Any], peers: list[str], sizes: list[int], runs: int, warmup: int,
        timeout: float) -> None:
    """Time each peer on each size and store its results in the matching refcli cases."""
    from benchmarks.run import label, pick_key

    one = ws.root / "one-entry.bib"
    other = ws.data / "other-1000.bib"
    for name in peers:
        if name not in PEERS:
            print(f"unknown peer {name!r}: use {', '.join(PEERS)}", file=sys.stderr)
            continue
        for n in sizes:
            peer = PEERS[name](ws.root, n, ws.env)
            bib = ws.data / f"library-{n}.bib"
            commands = peer.commands(bib, one, pick_key(n), other)
            by_name = {(c.name, c.size): c for c in cases}

            def timed(case: Any, argv: list[str], setup: Callable[[], None] | None = None,
                      times: int = runs, warm: int = warmup, peer: Peer = peer, limit: float = timeout) -> None:
                result = measure(argv, peer.env, peer.state if peer.state.exists() else ws.root,
                                 runs=times, warmup=warm, setup=setup, timeout=limit)
                case.results[peer.name] = result
                shown = f"{result.median:.3f} s" if result.ok else f"FAILED ({result.error})"
                print(f"  {peer.name:7s} {label(case.size) if case.size else '':>5s} {case.name}: {shown}",
                      file=sys.stderr, flush=True)

            bulk = by_name.get((f"add the whole {label(n)} .bib (empty library)", n))
            # Building the library is set-up, not a timed run: it gets its own budget
            # (papis's direct layout of 10k takes ~10 min; --timeout is per command).
            budget = max(timeout, BUILD_TIMEOUT)
            if isinstance(peer, Papis) and n > Papis.IMPORT_UP_TO:
                seconds, error = peer.build(bib, budget)
                if bulk is not None:
                    bulk.results[name] = Result(error=error or f"not timed: built directly ({seconds:.0f} s)")
            elif bulk is not None:
                timed(bulk, commands["import"], setup=peer.init, times=1, warm=0, limit=budget)
                error = "" if bulk.results[name].ok else bulk.results[name].error
            else:
                peer.init()
                _, _, code, last, _ = run_once(commands["import"], peer.env, peer.state, budget)
                error = f"exit {code}: {last}" if code else ""
            if error:  # no library: its other commands would time an error message
                print(f"  {peer.name:7s} {label(n):>5s} library not built ({error}): not timed", file=sys.stderr)
                for op in commands:
                    if (op, n) in by_name and op != "--help":
                        by_name[(op, n)].results.setdefault(name, Result(error=f"library not built: {error}"))
                continue
            peer.keep()
            help_case = by_name.get(("--help", 0))
            if help_case is not None and name not in help_case.results:
                timed(help_case, commands["--help"])
            for op, argv in commands.items():
                case = by_name.get((op, n))
                if case is None or argv is None or op in ("--help", "import"):
                    continue
                timed(case, argv, setup=peer.restore if case.setup is not None else None)


def main() -> None:
    if "--install" in sys.argv:
        for peer in PEERS:
            print(ensure_venv(peer))
    else:
        print(__doc__)


if __name__ == "__main__":
    main()
