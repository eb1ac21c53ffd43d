#!/usr/bin/env python3
"""refcli's benchmark suite: fresh processes, median of N runs after a warm-up, peak RSS.

    .venv/bin/python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--out benchmarks/results.md]

Generates seeded libraries (articles, books, chapters, proceedings; accents and
LaTeX in the BibTeX; ~2 % duplicate DOIs), then times each command as a fresh
process against the floors (``python -c pass``, a minimal Typer app, orjson
loading the store). Write commands get a fresh copy of the library before every
run, so each run measures the same thing. Not part of the test run;
``tests/test_bench_smoke.py`` runs a tiny version of it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

FAMILIES = ["Smith", "Müller", "García", "Lee", "Kim", "Nguyen", "O'Brien", "Jones", "Wang", "Dubois",
            "Kowalski", "Rossi", "van der Berg", "Schröder", "Johansson", "Okafor", "Tanaka", "Ivanov"]
GIVEN = ["Anna", "José", "Li", "Ömer", "Chloé", "Søren", "Maria", "John", "Ana", "Pierre", "Yuki"]
WORDS = ("bayesian inference deep learning neural network social theory protein folding market "
         "policy climate model evidence causal analysis quantum graph language cell brain urban "
         "history memory health economic growth").split()
TYPES = ["article-journal"] * 6 + ["book", "chapter", "paper-conference"]
JOURNALS = ["Journal of Applied Statistics", "Nature", "Revue d'économie", "Zeitschrift für Soziologie",
            "Proceedings of the Royal Society A", "Annals of Mathematics"]


def generate(n: int, seed: int = 1) -> list[dict]:
    """*n* realistic CSL items; about 2 % reuse an earlier DOI (the same work twice)."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        kind = rng.choice(TYPES)
        item = {"id": f"b{i}", "type": kind,
                "title": " ".join(rng.choices(WORDS, k=rng.randint(4, 10))).capitalize(),
                "author": [{"family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)}
                           for _ in range(rng.randint(1, 4))],
                "issued": {"date-parts": [[rng.randint(1960, 2025)]]}}
        if kind == "article-journal":
            item.update({"container-title": rng.choice(JOURNALS), "volume": str(rng.randint(1, 90)),
                         "issue": str(rng.randint(1, 12)), "page": f"{(p := rng.randint(1, 900))}-{p + rng.randint(3, 30)}"})
        elif kind == "book":
            item.update({"publisher": "Oxford University Press", "publisher-place": "Oxford"})
        else:
            item.update({"container-title": "Handbook of " + rng.choice(WORDS).title(),
                         "editor": [{"family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)}],
                         "publisher": "Springer", "page": "1-20"})
        if rng.random() < 0.7:
            item["DOI"] = f"10.{rng.randint(1000, 9999)}/bench.{i}"
        if i > 50 and rng.random() < 0.02:
            item["DOI"] = items[rng.randrange(i)].get("DOI") or item.get("DOI")
        items.append(item)
    return items


# A child forked from this (large) process would report this process's memory as
# its own peak (Linux keeps the pre-exec high-water mark), so each command is
# started and measured by a small launcher process instead.
_LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def _time(cmd: list[str], env: dict, runs: int, setup=None) -> dict:
    """Median wall time and peak RSS of *cmd* as fresh processes."""
    times, peaks, status = [], [], 0
    for attempt in range(runs + 1):  # the first run warms the caches and is not counted
        if setup:
            setup()
        out = subprocess.run([PYTHON, "-c", _LAUNCHER, *cmd], env=env, capture_output=True,
                             text=True, check=True).stdout.split()
        elapsed, peak_kb, code = float(out[0]), int(out[1]), int(out[2])
        status = status or code
        if attempt:
            times.append(elapsed)
            peaks.append(peak_kb / 1024)
    return {"median_s": statistics.median(times), "peak_mb": max(peaks), "status": status}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from refcli import formats, store

    work = Path(tempfile.mkdtemp(prefix="refcli-bench-"))
    refcli = [PYTHON, "-m", "refcli"]
    mini = work / "mini_typer.py"
    mini.write_text("import typer\napp = typer.Typer()\n@app.command()\ndef hello(name: str = 'x'):\n"
                    "    '''Say hello.'''\n    print(name)\n@app.command()\ndef bye():\n    pass\napp()\n")
    rows: list[dict] = []

    def row(size: int, what: str, cmd: list[str], env: dict, **kw) -> None:
        result = _time(cmd, env, args.runs, **kw)
        rows.append({"size": size, "what": what, **result})
        failed = f"  (exit {result['status']})" if result["status"] else ""
        print(f"{size:>7} {what:<40} {result['median_s']:7.3f} s {result['peak_mb']:7.0f} MB{failed}", flush=True)

    base_env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}
    row(0, "floor: python -c pass", [PYTHON, "-c", "pass"], base_env)
    row(0, "floor: minimal Typer app --help", [PYTHON, str(mini), "--help"], base_env)
    row(0, "refcli --help", [*refcli, "--help"], base_env)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        folder = work / str(size)
        folder.mkdir()
        items = generate(size)
        bib = folder / "lib.bib"
        bib.write_text(formats.write(items, "bibtex"), encoding="utf-8")
        one = folder / "one.bib"
        one.write_text("@book{newone, author={Zed, Zoë}, title={A new book}, publisher={P}, year={2024}}\n")
        thousand = folder / "thousand.bib"
        thousand.write_text(formats.write(generate(1000, seed=99), "bibtex"), encoding="utf-8")
        library, pristine = folder / "library.json", folder / "pristine.json"
        env = {**base_env, "REFCLI_LIBRARY": str(library), "REFCLI_CACHE_DIR": str(folder / "cache")}

        def fresh(pristine: Path = pristine, library: Path = library) -> None:
            shutil.copyfile(pristine, library)
            for side in library.parent.glob(f".{library.name}.backups"):
                shutil.rmtree(side)

        def empty(library: Path = library) -> None:
            library.unlink(missing_ok=True)

        row(size, f"add .bib of {size} (empty library)", [*refcli, "add", str(bib)], env, setup=empty)
        subprocess.run([*refcli, "add", str(bib)], env=env, capture_output=True)
        shutil.copyfile(library, pristine)
        key = store.load(library).items[size // 2]["id"]
        row(size, "floor: orjson load of the store",
            [PYTHON, "-c", f"import gc, orjson; gc.disable(); orjson.loads(open({str(library)!r},'rb').read())"], env)
        row(size, "search author:smith", [*refcli, "search", "author:smith", "--json"], env)
        row(size, "search bayesian", [*refcli, "search", "bayesian", "--json"], env)
        row(size, "search year:2010..2015 tag:x", [*refcli, "search", "year:2010..2015", "tag:x", "--json"], env)
        row(size, "show KEY", [*refcli, "show", key], env)
        row(size, "cite KEY --style apa", [*refcli, "cite", key, "--style", "apa"], env)
        row(size, "add one DOI-less entry", [*refcli, "add", str(one)], env, setup=fresh)
        row(size, "add .bib of 1,000", [*refcli, "add", str(thousand)], env, setup=fresh)
        row(size, "tag KEY +x", [*refcli, "tag", key, "+x"], env, setup=fresh)
        row(size, "export --format bibtex", [*refcli, "export", "--format", "bibtex"], env)
        row(size, "export --format csl-json", [*refcli, "export", "--format", "csl-json"], env)
        if size == min(int(s) for s in args.sizes.split(",")):
            first = folder / "first1000.json"
            first.write_text(json.dumps(items[:1000]))
            row(size, "cite --all, 1,000 items, apa (cached)",
                [*refcli, "cite", "--from", str(first), "--all", "--style", "apa"], env)
            doc = folder / "doc300.txt"
            doc.write_text("A generated paper\n\nJane Doe\n\nReferences\n\n" + "\n\n".join(
                f"{n + 1}. {i['author'][0]['family']}, {i['author'][0]['given'][0]}. ({i['issued']['date-parts'][0][0]}). "
                f"{i['title']}. {i.get('container-title', 'Some Journal')}, {i.get('volume', '1')}, {i.get('page', '1-2')}."
                for n, i in enumerate(items[:300])))
            row(size, "import a document with 300 references", [*refcli, "import", str(doc), "--dry-run"], env)
    table = ["| size | what | median s | peak RSS MB | × minimal Typer |", "|---:|---|---:|---:|---:|"]
    typer_floor = next(r["median_s"] for r in rows if r["what"].startswith("floor: minimal Typer"))
    for r in rows:
        flag = "" if r["status"] == 0 else f" (exit {r['status']})"
        table.append(f"| {r['size'] or ''} | {r['what']}{flag} | {r['median_s']:.3f} | {r['peak_mb']:.0f} | "
                     f"{r['median_s'] / typer_floor:.2f} |")
    report = (f"# refcli benchmark results\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {args.runs} fresh "
              f"processes after a warm-up.\n\n" + "\n".join(table) + "\n")
    args.out.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return {"rows": rows, "report": report}


if __name__ == "__main__":
    main()
