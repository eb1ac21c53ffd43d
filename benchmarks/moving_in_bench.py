"""Time the readers and writers issue 15 / issue 13 touched, in-process.

Usage: python -m benchmarks.moving_in_bench [N]   (default N = 100000)

1. RIS continuation lines: one record whose abstract runs over 200,000 and
   1,000,000 lines (was 39 s for 200k: quadratic joining).
2. BibTeX export of N works of the suite's synthetic library (``generate.make_bib``)
   as LaTeX for pdflatex (the default) and with ``unicode=True``: the cost of
   encoding non-ASCII characters as LaTeX.
"""

from __future__ import annotations

import sys
import time

from benchmarks.generate import make_bib


def ris_continuations(lines: int) -> None:
    from refcli import formats

    text = "TY  - JOUR\nTI  - Long\nAB  - start\n" + "continued text of the abstract\n" * lines + "ER  - \n"
    t0 = time.perf_counter()
    result = formats.read(text, "ris")
    elapsed = time.perf_counter() - t0
    print(f"RIS, {lines:>9,} continuation lines ({len(text) / 1e6:5.1f} MB): read {elapsed:6.2f} s, "
          f"{len(result.items)} item, abstract {len(result.items[0]['abstract']) / 1e6:.1f} MB")


def bibtex_write(n: int) -> None:
    from refcli import formats

    items = formats.read(make_bib(n), "bibtex").items
    for unicode in (False, True):
        t0 = time.perf_counter()
        out = formats.write(items, "bibtex", unicode=unicode)
        print(f"BibTeX write, {n:,} works, unicode={unicode!s:5}: {time.perf_counter() - t0:5.2f} s, "
              f"{len(out) / 1e6:.1f} MB, ASCII: {out.isascii()}")


if __name__ == "__main__":
    ris_continuations(200_000)
    ris_continuations(1_000_000)
    bibtex_write(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
