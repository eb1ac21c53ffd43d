"""Time refcli.formats in-process on a seeded synthetic BibTeX library (issue 5).

Usage: python -m benchmarks.bibtex_bench [N ...]   (default: 10000 100000)

The .bib is the suite's own (``generate.make_bib``: LaTeX accents, brace-protected
acronyms, particles, organisation authors, month macros, ~2 % duplicate DOIs), so
these figures and ``run.py``'s ``add``/``export`` rows describe the same input;
this script leaves out interpreter start and the store, to show the reader and
writer alone. Targets: read 10k <= 2 s, read 100k <= 20 s, write 100k <= 3 s.
"""

from __future__ import annotations

import sys
import time

from benchmarks.generate import make_bib


def bench(n: int) -> None:
    from refcli import formats

    text = make_bib(n)
    t0 = time.perf_counter()
    result = formats.read(text, "bibtex", source=f"synthetic-{n}.bib")
    t1 = time.perf_counter()
    out = formats.write(result.items, "bibtex")
    t2 = time.perf_counter()
    print(
        f"n={n:>7}  size={len(text) / 1e6:6.1f} MB  read={t1 - t0:6.2f} s  "
        f"write={t2 - t1:6.2f} s  items={len(result.items)}  problems={len(result.problems)}  "
        f"out={len(out) / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["10000", "100000"]:
        bench(int(arg))
