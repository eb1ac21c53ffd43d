"""refcli's benchmark suite: the one command (issue 5).

    python -m benchmarks.run                       # 1k, 10k, 100k; refcli and floors
    python -m benchmarks.run --sizes 1k,10k --peers pubs,papis
    python -m benchmarks.run --sizes 1k,10k --peers pubs:1k:10k,papis:1k   # per-peer sizes
    python -m benchmarks.run --sizes 200 --runs 1 --warmup 0   # a quick look

Generates seeded libraries (``generate.py``), then times every command as fresh
processes (median of ``--runs`` after ``--warmup``, peak RSS via ``os.wait4``) in
an isolated environment (HOME, XDG dirs, REFCLI_LIBRARY and REFCLI_CACHE_DIR in
the work dir; DOI look-ups pointed at a closed port so nothing uses the network).
Prints one Markdown table of medians with ratios to the floor (``python -c
pass``, a minimal Typer app's ``--help``, an orjson load of the store) and to
each peer, and checks the issue's targets. Writes the table and raw JSON under
``--out``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import write_library
from benchmarks.measure import Result, measure, run_once

HERE = Path(__file__).resolve().parent

TYPER_APP = '''import typer

app = typer.Typer(add_completion=False)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye() -> None:
    """Say bye."""


app()
'''

ONE_ENTRY = "@article{lonely2024,\n  author = {Nobody, Nemo},\n  title = {A work without a DOI},\n  journal = {Nowhere},\n  year = {2024}\n}\n"


@dataclass
class Case:
    """One timed operation on one library size, with the floor and target it is judged by."""

    name: str
    size: int
    argv: list[str]
    floor: str = "typer --help"
    target: float | None = None  # seconds
    rss_target: float | None = None  # MB
    floor_target: float | None = None  # at most this many times the floor
    setup: Callable[[], None] | None = None
    library: Path | None = None  # refcli's REFCLI_LIBRARY for this case
    ok_codes: tuple[int, ...] = (0,)  # exit statuses that mean it worked
    results: dict[str, Result] = field(default_factory=dict)  # tool -> result


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


class Workspace:
    """The isolated environment: one directory per library size, restored before write runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        home = root / "home"
        for sub in ("", ".config", ".cache", ".local/share"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local/share"), "LANG": "C.UTF-8", "NO_COLOR": "1",
            "COLUMNS": "120", "REFCLI_DOI_URL": "http://127.0.0.1:9", "REFCLI_HTTP_TIMEOUT": "1",
        }
        if "PYTHONPATH" in os.environ:  # so a worktree's src/ is what gets measured
            self.env["PYTHONPATH"] = os.environ["PYTHONPATH"]

    def refcli_env(self, library: Path) -> dict[str, str]:
        return {**self.env, "REFCLI_LIBRARY": str(library),
                "REFCLI_CACHE_DIR": str(library.parent / "cache")}

    def pristine(self, n: int) -> Path:
        """A warm copy of the N-item store (its index built) that write runs are reset to."""
        lib = self.root / f"pristine-{n}" / "library.json"
        if not lib.exists():
            _, store = write_library(n, self.data)
            lib.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(store, lib)
        return lib

    def restorer(self, n: int, refcli: list[str], empty: bool = False) -> tuple[Path, Callable[[], None]]:
        """(library path, setup) where setup resets it to the pristine (or no) library.

        The library is a hard link to the pristine file (same inode, size and mtime,
        so refcli's index stays valid); refcli's atomic rename leaves the pristine
        file untouched. The index is built once for this path (*refcli* ``show``)
        and copied back each time, since writes update it in place.
        """
        work = self.root / f"work-{n}{'-empty' if empty else ''}"
        lib, snapshot = work / "library.json", self.root / f"index-{n}"
        pristine = self.pristine(n)

        def setup() -> None:
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            if empty:
                return
            os.link(pristine, lib)
            if snapshot.exists():
                shutil.copytree(snapshot, work / "cache")

        if not empty:  # built anew by each run: another version's index would be rebuilt in every timed run
            shutil.rmtree(snapshot, ignore_errors=True)
            setup()
            run_once([*refcli, "show", "key0"], self.refcli_env(lib), self.root, 600)
            if (work / "cache").exists():
                shutil.copytree(work / "cache", snapshot)
        return lib, setup


@functools.cache
def pick_key(n: int) -> str:
    """A key in the middle of the N-work library that no other key starts with.

    The peers match keys as substrings (``pubs list citekey:key1`` and ``papis list
    ref:key1`` also find key10..key19999), so the key has as many digits as the
    largest one; works dropped as DOI duplicates are skipped.
    """
    from benchmarks.generate import make_items

    keys = {item["id"] for item in make_items(n)}
    width = len(str(n - 1))
    return next(f"key{i}" for i in range(n // 2, n) if len(str(i)) == width and f"key{i}" in keys)


def refcli_command() -> list[str]:
    """The installed console script beside this Python (what users run), else ``-m refcli``."""
    script = Path(sys.executable).with_name("refcli")
    return [str(script)] if script.exists() else [sys.executable, "-m", "refcli"]


def floor_cases(ws: Workspace, sizes: list[int]) -> list[Case]:
    """What any Python CLI pays: interpreter start, Typer, and reading the store's JSON."""
    app = ws.root / "minimal_typer.py"
    app.write_text(TYPER_APP)
    py = sys.executable
    cases = [Case("python -c pass", 0, [py, "-c", "pass"], floor=""),
             Case("typer --help", 0, [py, str(app), "--help"], floor="")]
    for n in sizes:
        store = ws.pristine(n)
        load = "import gc, orjson, sys; gc.{}(); orjson.loads(open(sys.argv[1], 'rb').read())"
        cases.append(Case("orjson load (GC off)", n, [py, "-c", load.format("disable"), str(store)], floor=""))
        cases.append(Case("orjson load (GC on)", n, [py, "-c", load.format("enable"), str(store)], floor=""))
    return cases


def refcli_cases(ws: Workspace, sizes: list[int], doc: Path | None) -> list[Case]:
    """Every command the issue names, at every size (the targets are for 100k unless said)."""
    rc = refcli_command()
    one = ws.root / "one-entry.bib"
    one.write_text(ONE_ENTRY)
    cases = [Case("--help", 0, [*rc, "--help"], floor_target=1.1)]
    small = min(sizes)
    for n in sizes:
        lib = ws.pristine(n)
        bib = ws.data / f"library-{n}.bib"
        key = pick_key(n)
        read = {"search author:smith": ["search", "author:smith"],
                "search bayesian": ["search", "bayesian"],
                "search year:2010..2015 tag:x": ["search", "year:2010..2015", "tag:x"],
                "show KEY": ["show", key]}
        for name, args in read.items():
            ok = (0, 1) if args[0] == "search" else (0,)  # like grep, 1 means "nothing found"
            cases.append(Case(name, n, [*rc, *args], target=0.3, rss_target=300, library=lib,
                              ok_codes=ok))
        cases.append(Case("cite KEY --style apa", n, [*rc, "cite", key, "--style", "apa"],
                          target=0.3, library=lib))
        for fmt in ("bibtex", "csl-json"):
            cases.append(Case(f"export --format {fmt}", n, [*rc, "export", "--format", fmt],
                              floor="orjson load (GC off)", target=3.0, library=lib))
        # BibTeX entries of unchanged works come from refcli's export cache; this is the first export.
        export_cache = lib.parent / "cache" / "export"
        cases.append(Case("export --format bibtex, cold", n, [*rc, "export", "--format", "bibtex"],
                          floor="orjson load (GC off)", target=3.0, library=lib,
                          setup=lambda c=export_cache: shutil.rmtree(c, ignore_errors=True)))
        work, reset = ws.restorer(n, rc)
        cases.append(Case("add one DOI-less entry", n, [*rc, "add", str(one)], target=0.5,
                          setup=reset, library=work))
        cases.append(Case("tag KEY +later", n, [*rc, "tag", key, "+later"], setup=reset, library=work))
        cases.append(Case("remove KEY", n, [*rc, "remove", key, "--yes"], setup=reset, library=work))
        other = ws.data / "other-1000.bib"  # other works than the library's own (another seed)
        if not other.exists():
            from benchmarks.generate import make_bib

            other.write_text(make_bib(1000, seed=7).replace("{key", "{other"), encoding="utf-8")
        cases.append(Case("add a .bib of 1,000", n, [*rc, "add", str(other)], setup=reset,
                          library=work))
        if doc is not None:
            cases.append(Case("import a document, 300 refs", n, [*rc, "import", str(doc)],
                              setup=reset, library=work))
        empty, fresh = ws.restorer(n, rc, empty=True)
        cases.append(Case(f"add the whole {label(n)} .bib (empty library)", n, [*rc, "add", str(bib)],
                          target={10_000: 2.0, 100_000: 20.0}.get(n), setup=fresh, library=empty))
    # cite --all over a 1,000-item library (or the smallest one asked for): cold and unchanged.
    # The targets are for 1,000 items; another size is timed without one.
    n = 1000 if 1000 in sizes else small
    lib = ws.pristine(n)
    cache = lib.parent / "cache"
    cite_all = [*rc, "cite", "--all", "--style", "apa"]
    cases.append(Case(f"cite --all ({label(n)} items) cold", n, cite_all, target=3.0 if n == 1000 else None, library=lib,
                      setup=lambda: shutil.rmtree(cache, ignore_errors=True)))
    cases.append(Case(f"cite --all ({label(n)} items) unchanged", n, cite_all,
                      target=0.5 if n == 1000 else None, library=lib))
    return cases


def run_cases(ws: Workspace, cases: list[Case], tool: str, runs: int, warmup: int,
              env_for: Callable[[Case], dict[str, str]], timeout: float) -> None:
    """Measure each case with *tool*, printing progress on stderr as it goes."""
    for case in cases:
        t0 = time.perf_counter()
        result = measure(case.argv, env_for(case), ws.root, runs=runs, warmup=warmup,
                         setup=case.setup, timeout=timeout, ok_codes=case.ok_codes)
        case.results[tool] = result
        shown = f"{result.median:.3f} s, {result.rss_mb:.0f} MB" if result.ok else f"FAILED ({result.error})"
        print(f"  {tool:7s} {label(case.size) if case.size else '':>5s} {case.name}: {shown}"
              f"  [{time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def _cell(res: Result) -> str:
    """A failed result's cell; a deliberate "not timed" note is not a failure."""
    error = res.error or "no runs"
    return error if error.startswith("not timed") else f"FAILED ({error})"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


PEER_SPEEDUP = 5.0  # the issue: at least this many times faster than each peer ...
PEER_SPEEDUP_AT = 10_000  # ... on a library of this size, for every operation


def verdict(case: Case, floor: float | None) -> str:
    """'ok' or what missed, against the issue's targets for this case (blank: none apply)."""
    res = case.results.get("refcli")
    if res is None or not res.ok:
        return "FAILED"
    missed, judged = [], False
    if case.target is not None:
        judged = True
        if res.median > case.target:
            missed.append(f"> {case.target:g} s")
    if case.rss_target is not None:
        judged = True
        if res.rss_mb > case.rss_target:
            missed.append(f"> {case.rss_target:g} MB")
    if case.floor_target is not None and floor:
        judged = True
        if res.median > case.floor_target * floor:
            missed.append(f"> {case.floor_target:g}× floor")
    if case.size == PEER_SPEEDUP_AT:
        for tool, other in case.results.items():
            if tool != "refcli" and other.ok:
                judged = True
                if other.median < PEER_SPEEDUP * res.median:
                    missed.append(f"< {PEER_SPEEDUP:g}× {tool}")
    if not judged:
        return ""
    return "ok" if not missed else "MISS " + ", ".join(missed)


def table(cases: list[Case], floors: list[Case], peers: list[str]) -> str:
    """The Markdown results table: medians, peak RSS, ratios to the floor and to each peer."""
    floor_of = {(c.name, c.size): c.results["floor"].median for c in floors if "floor" in c.results}
    head = ["operation", "size", "refcli s", "RSS MB", "floor s", "× floor"]
    for peer in peers:
        head += [f"{peer} s", f"{peer} ÷ refcli"]
    head.append("target")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in floors:
        res = c.results.get("floor")
        ok = res is not None and res.ok
        row = [f"floor: {c.name}", label(c.size) if c.size else "", _fmt(res.median) if ok else
               _cell(res) if res else "–", f"{res.rss_mb:.0f}" if ok else "–", "", ""]
        lines.append("| " + " | ".join(row + ["", ""] * len(peers) + [""]) + " |")
    for c in cases:
        res = c.results.get("refcli")
        floor = floor_of.get((c.floor, 0)) or floor_of.get((c.floor, c.size)) if c.floor else None
        mine = res.median if res and res.ok else None
        row = [c.name, label(c.size) if c.size else "",
               _fmt(mine) if res and res.ok else _cell(res) if res else "–",
               f"{res.rss_mb:.0f}" if res and res.ok else "–", _fmt(floor), _ratio(mine, floor)]
        for peer in peers:
            p = c.results.get(peer)
            if p is None:
                row += ["–", "–"]
            elif not p.ok:
                row += [_cell(p), "–"]
            else:
                row += [_fmt(p.median), _ratio(p.median, mine)]
        row.append(verdict(c, floor))
        lines.append("| " + " | ".join(row).replace("\n", " ") + " |")
    return "\n".join(lines) + "\n"


def document(root: Path) -> Path:
    """A plain-text paper with 300 references (the generator ``import_bench.py`` uses)."""
    from benchmarks.import_bench import document as make_document

    path = root / "paper-300-refs.txt"
    if not path.exists():
        path.write_bytes(make_document(300))
    return path


def load_peer_results(path: Path, cases: list[Case]) -> list[str]:
    """Put the peers' results of an earlier run (its results-*.json) into *cases*; the peers' names."""
    by_name = {(c.name, c.size): c for c in cases}
    names: list[str] = []
    for row in json.loads(path.read_text()):
        case = by_name.get((row["operation"], row["size"]))
        if row["tool"] in ("refcli", "floor") or case is None or row["tool"] in case.results:
            continue  # what this run timed itself wins
        case.results[row["tool"]] = Result(times=row["times"], rss_mb=row["rss_mb"], error=row["error"])
        names += [row["tool"]] if row["tool"] not in names else []
    return names


def header(sizes: list[int], runs: int, warmup: int, started: float) -> str:
    """Date, machine, commit and load, so a table can be compared with a later one."""
    import platform
    import statistics
    import subprocess

    from benchmarks.measure import LOAD_SAMPLES

    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(HERE), "status", "--porcelain", "--", "../src"],
                           capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    load = (f" · load average (1 min) during the run: median {statistics.median(LOAD_SAMPLES):.1f}, "
            f"range {min(LOAD_SAMPLES):.1f}-{max(LOAD_SAMPLES):.1f}" if LOAD_SAMPLES else "")
    return (f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))}-"
            f"{time.strftime('%H:%M UTC', time.gmtime())} · commit {commit}"
            f"{' (src modified)' if dirty else ''} · {os.cpu_count()} cores, {cpu} · "
            f"Python {platform.python_version()} · sizes {', '.join(label(n) for n in sizes)} · "
            f"median of {runs} fresh processes after {warmup} warm-up{load}\n")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="library sizes, e.g. 1k,10k (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default: 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default: 1)")
    parser.add_argument("--peers", default="", help="also time these: pubs,papis or pubs:1k:10k,papis:1k "
                        "(slow; see peers.py)")
    parser.add_argument("--peer-sizes", default="1k", help="sizes for peers named without any (default: %(default)s)")
    parser.add_argument("--peers-from", type=Path, help="take the peers' results from an earlier run's "
                        "results-*.json instead of timing them again (their code does not change with refcli's)")
    parser.add_argument("--no-document", action="store_true", help="skip the document import")
    parser.add_argument("--only", default="", help="time only the commands whose name contains one of "
                        "these comma-separated words, e.g. 'search author,show,add one' (floors still run)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one run is killed")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work dir and results (default: benchmarks/out)")
    args = parser.parse_args(argv)
    started = time.time()
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    default_peer_sizes = [parse_size(s) for s in args.peer_sizes.split(",") if s.strip()]
    peer_sizes = {}  # peer -> sizes it runs at
    for spec in (p.strip() for p in args.peers.split(",") if p.strip()):
        name, *at = spec.split(":")
        peer_sizes[name] = [parse_size(s) for s in at] or default_peer_sizes
    peers = list(peer_sizes)
    ws = Workspace(args.out.resolve())
    print(f"generating libraries {', '.join(label(n) for n in sizes)} in {ws.data}", file=sys.stderr)
    for n in sizes:
        ws.pristine(n)

    floors = floor_cases(ws, sizes)
    run_cases(ws, floors, "floor", args.runs, args.warmup, lambda c: ws.env, args.timeout)
    doc = None if args.no_document else document(ws.root)
    cases = refcli_cases(ws, sizes, doc)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        cases = [c for c in cases if any(w in c.name for w in wanted)]
    fallback = ws.root / "help-library.json"
    run_cases(ws, cases, "refcli", args.runs, args.warmup,
              lambda c: ws.refcli_env(c.library or fallback), args.timeout)
    if peers:
        import peers as peer_runners

        for name, at in peer_sizes.items():
            peer_runners.run(ws, cases, [name], [n for n in at if n in sizes], args.runs, args.warmup,
                             args.timeout)

    if args.peers_from:
        peers += [p for p in load_peer_results(args.peers_from, cases) if p not in peers]
    text = header(sizes, args.runs, args.warmup, started) + "\n" + table(cases, floors, peers)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (ws.root / f"results-{stamp}.md").write_text(text)
    raw = [{"operation": c.name, "size": c.size, "tool": tool, "times": r.times, "rss_mb": r.rss_mb,
            "error": r.error} for c in floors + cases for tool, r in c.results.items()]
    (ws.root / f"results-{stamp}.json").write_text(json.dumps(raw, indent=1))
    print(text)
    return text


if __name__ == "__main__":
    main()
