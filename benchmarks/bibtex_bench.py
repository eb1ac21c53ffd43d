"""Time refcli.formats on a seeded synthetic BibTeX library (issue 5).

Usage: python benchmarks/bibtex_bench.py [N ...]   (default: 10000 100000)

The generated file is what a big real library looks like: accents written as
LaTeX (``{\\"u}``, ``\\'e``, ``\\c{c}``), brace-protected acronyms, particles,
organisation authors, en-dashes, math, month macros, ~2 % duplicate DOIs. Targets:
read 10k <= 2 s, read 100k <= 20 s, write 100k <= 3 s.
"""

from __future__ import annotations

import random
import sys
import time

GIVEN = ["Laurens", "Geoffrey", "J{\\\"u}rgen", "Fran{\\c{c}}ois", "Ren\\'e", "Yann",
         "{\\v{S}}t\\v{e}p\\'an", "Ma\\l{}gorzata", "J.~R.", "Bernhard", "Ana", "Zo{\\\"e}"]
FAMILY = ["Maaten", "Hinton", "Schmidhuber", "Chollet", "Descartes", "LeCun",
          "Sch{\\\"o}lkopf", "Nov\\'ak", "Garc{\\'\\i}a", "M{\\\"u}ller", "Stra{\\ss}e", "{\\O}rsted"]
PARTICLE = ["", "", "", "", "van der ", "de ", "von "]
WORDS = ["learning", "deep", "{DNA}", "networks", "{Bayesian}", "inference", "na\\\"ive",
         "models", "of", "the", "$\\alpha$-stable", "{\\&}", "large-scale", "{GPU}", "caf\\'e"]
JOURNALS = ["Nature", "Journal of Machine Learning Research", "Phys.~Rev.~{B}", "Science"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def make_bib(n: int, seed: int = 42) -> str:
    """A reproducible .bib text with *n* entries."""
    rnd = random.Random(seed)
    out: list[str] = []
    dois: list[str] = []
    for i in range(n):
        authors = []
        for _ in range(rnd.randint(1, 6)):
            if rnd.random() < 0.03:
                authors.append("{World Health Organization}")
            else:
                authors.append(f"{rnd.choice(PARTICLE)}{rnd.choice(FAMILY)}, {rnd.choice(GIVEN)}")
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12)))
        if dois and rnd.random() < 0.02:
            doi = rnd.choice(dois)
        else:
            doi = f"10.{1000 + i % 9000}/bench.{i}"
            dois.append(doi)
        first = rnd.randint(1, 900)
        kind = rnd.random()
        if kind < 0.6:
            head = f"@article{{key{i},\n  journal = {{{rnd.choice(JOURNALS)}}},\n  volume = {rnd.randint(1, 600)},\n  number = {{{rnd.randint(1, 12)}}},"
        elif kind < 0.85:
            head = f"@inproceedings{{key{i},\n  booktitle = {{Proceedings of the {rnd.randint(1, 40)}th Conference on {rnd.choice(WORDS)}}},\n  address = {{Montr\\'eal, Canada}},"
        else:
            head = f"@book{{key{i},\n  publisher = {{MIT Press}},\n  address = {{Cambridge, MA}},"
        out.append(
            f"{head}\n  author = {{{' and '.join(authors)}}},\n  title = {{{title}}},\n"
            f"  year = {rnd.randint(1950, 2025)},\n  month = {rnd.choice(MONTHS)},\n"
            f"  pages = {{{first}--{first + rnd.randint(1, 30)}}},\n  doi = {{{doi}}},\n"
            f"  keywords = {{{rnd.choice(WORDS)}, {rnd.choice(WORDS)}}},\n"
            f"  file = {{:papers/key{i}.pdf:PDF}},\n}}\n"
        )
    return "\n".join(out)


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
