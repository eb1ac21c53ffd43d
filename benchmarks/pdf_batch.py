#!/usr/bin/env python3
"""Wall time of one `refcli import` of 100 real PDFs, as a researcher's folder is imported.

    .venv/bin/python -m benchmarks.pdf_batch [--count 100]

The 22 PDFs of ../shared/data/pdfs (290 pages, ~13 per PDF) are linked under 100 names in a
temporary folder (each file read and parsed again; the library merges the repeats), then
`refcli import DIR/*.pdf` runs once into a fresh library (``--runs N``: N times, each into
a fresh library). Prints the wall time, the CPU time of the command and its workers (per PDF
too), and the machine's load average (1 min) before and after: on a machine other work shares,
the wall time measures the others as well, so the CPU time divided by the cores is given too,
the wall time the same work would take on idle cores if the workers kept them all busy (a
lower bound: start-up and the last PDFs run on fewer cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pdfs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    pdfs = sorted(DATA.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs at {DATA}", file=sys.stderr)
        return 1
    refcli = Path(sys.executable).with_name("refcli")
    cores = os.cpu_count() or 1
    pages = _pages([pdfs[i % len(pdfs)] for i in range(args.count)])
    print(f"{args.count} PDFs ({len(pdfs)} real PDFs repeated, {pages} pages), {cores} cores")
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "papers"
            folder.mkdir()
            names = []
            for i in range(args.count):
                link = folder / f"{i:03d}-{pdfs[i % len(pdfs)].name}"
                link.symlink_to(pdfs[i % len(pdfs)])
                names.append(str(link))
            env = dict(os.environ, REFCLI_LIBRARY=str(Path(tmp) / "library.json"), NO_COLOR="1")
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run([str(refcli), "import", *names], env=env, capture_output=True, text=True,
                                  check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        failed = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        print(f"run {run + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU (command and workers; {cpu / args.count:.2f} s "
              f"per PDF; / {cores} cores = {cpu / cores:.1f} s), load {load:.1f} -> {os.getloadavg()[0]:.1f}; "
              f"exit {done.returncode}, {len(failed)} failed")
        for line in failed[:5]:
            print(f"  {line}")
    return 0


def _pages(pdfs: list[Path]) -> int:
    import pypdfium2 as pdfium

    counts: dict[Path, int] = {}
    for pdf in set(pdfs):
        document = pdfium.PdfDocument(pdf)
        counts[pdf] = len(document)
        document.close()
    return sum(counts[pdf] for pdf in pdfs)


if __name__ == "__main__":
    sys.exit(main())
