"""Seeded generator of realistic benchmark libraries (issue 5).

One record model produces both forms of the same library, so every tool is fed
the same works:

* ``library-N.bib`` -- BibTeX as people keep it: accents written as LaTeX
  (``{\\"u}``, ``\\'e``, ``\\c{c}``), brace-protected acronyms, particles,
  organisation authors, month macros, en-dash page ranges;
* ``library-N.json`` -- refcli's store (a CSL-JSON array, one item per line),
  with the same works in Unicode, so ``search``/``show``/``cite``/``export`` can be
  timed on a big library without first paying for a bulk ``add``.

Mix: articles, books, chapters and proceedings papers; ~2 % of entries repeat an
earlier DOI (the dedupe path); every 7th work carries tag ``x``; family names
include ``Smith`` variants so ``author:smith`` finds a realistic share.

    python -m benchmarks.generate 1000 10000 --out benchmarks/out/data
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

# (Unicode, LaTeX) pairs: the JSON store gets the first, the .bib the second.
GIVEN = [("Laurens", "Laurens"), ("Geoffrey", "Geoffrey"), ("Jürgen", 'J{\\"u}rgen'),
         ("François", "Fran{\\c{c}}ois"), ("René", "Ren\\'e"), ("Yann", "Yann"),
         ("Štěpán", "{\\v{S}}t\\v{e}p\\'an"), ("Małgorzata", "Ma\\l{}gorzata"),
         ("Ana", "Ana"), ("Zoë", 'Zo{\\"e}'), ("John", "John"), ("Mary", "Mary")]
FAMILY = [("Maaten", "Maaten"), ("Hinton", "Hinton"), ("Schölkopf", 'Sch{\\"o}lkopf'),
          ("Novák", "Nov\\'ak"), ("García", "Garc{\\'\\i}a"), ("Müller", 'M{\\"u}ller'),
          ("Ørsted", "{\\O}rsted"), ("Tanaka", "Tanaka"), ("O'Neil", "O'Neil"),
          ("LeCun", "LeCun"), ("Nakamura", "Nakamura"), ("Ivanova", "Ivanova"),
          ("Rossi", "Rossi"), ("Kim", "Kim"), ("Brown", "Brown"), ("Chen", "Chen")]
# Rare on purpose, as in real libraries: `author:smith` and `bayesian` should find a few
# per cent of the works (a search's cost includes printing what it finds).
SMITHS = [("Smith", "Smith"), ("Smithson", "Smithson")]
SMITH_SHARE = 0.01  # of author names
BAYESIAN = ("Bayesian", "{Bayesian}")
BAYESIAN_SHARE = 0.005  # of title words
PARTICLE = ["", "", "", "", "", "van der", "de", "von"]
WORDS = [("learning", "learning"), ("deep", "deep"), ("DNA", "{DNA}"), ("networks", "networks"),
         ("inference", "inference"), ("naïve", 'na\\"ive'),
         ("models", "models"), ("of", "of"), ("the", "the"), ("stochastic", "stochastic"),
         ("&", "{\\&}"), ("large-scale", "large-scale"), ("GPU", "{GPU}"), ("café", "caf\\'e"),
         ("climate", "climate"), ("policy", "policy"), ("protein", "protein"),
         ("graphs", "graphs"), ("estimation", "estimation"), ("robust", "robust")]
JOURNALS = ["Nature", "Journal of Machine Learning Research", "Physical Review B", "Science",
            "Annals of Statistics", "Energy Policy"]
PUBLISHERS = [("MIT Press", "Cambridge, MA"), ("Springer", "Berlin"),
              ("Presses de l'Université de Montréal", "Montréal")]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# BibTeX entry type -> CSL type
KINDS = [("article", "article-journal", 0.55), ("inproceedings", "paper-conference", 0.2),
         ("incollection", "chapter", 0.12), ("book", "book", 0.13)]


def _kind(pick: float) -> tuple[str, str]:
    """The (BibTeX, CSL) type whose cumulative share first exceeds *pick*."""
    acc = 0.0
    for bib_type, csl_type, share in KINDS:
        acc += share
        if pick < acc:
            return bib_type, csl_type
    return KINDS[-1][0], KINDS[-1][1]


def _records(n: int, seed: int) -> list[dict[str, Any]]:
    """The library as neutral records; both output forms are rendered from these."""
    rnd = random.Random(seed)
    records: list[dict[str, Any]] = []
    dois: list[str] = []
    for i in range(n):
        authors = []
        for _ in range(rnd.randint(1, 5)):
            if rnd.random() < 0.02:
                authors.append({"literal": ("World Health Organization", "{World Health Organization}")})
            else:
                family = rnd.choice(SMITHS if rnd.random() < SMITH_SHARE else FAMILY)
                authors.append({"given": rnd.choice(GIVEN), "family": family,
                                "particle": rnd.choice(PARTICLE)})
        words = [BAYESIAN if rnd.random() < BAYESIAN_SHARE else rnd.choice(WORDS)
                 for _ in range(rnd.randint(4, 12))]
        if dois and rnd.random() < 0.02:
            doi = rnd.choice(dois)  # a duplicate: the same work exported twice
        else:
            doi = f"10.{1000 + i % 9000}/bench.{i}"
            dois.append(doi)
        bib_type, csl_type = _kind(rnd.random())
        first = rnd.randint(1, 900)
        records.append({
            "key": f"key{i}", "bib_type": bib_type, "csl_type": csl_type, "authors": authors,
            "title": words, "year": rnd.randint(1950, 2025), "month": rnd.randint(1, 12),
            "pages": (first, first + rnd.randint(1, 30)), "doi": doi,
            "journal": rnd.choice(JOURNALS), "volume": rnd.randint(1, 600),
            "issue": rnd.randint(1, 12), "publisher": rnd.choice(PUBLISHERS),
            "conf": rnd.randint(1, 40), "tag": i % 7 == 0,
        })
    return records


def _bib_name(a: dict[str, Any]) -> str:
    if "literal" in a:
        return a["literal"][1]
    particle = f"{a['particle']} " if a["particle"] else ""
    return f"{particle}{a['family'][1]}, {a['given'][1]}"


def _bib_entry(r: dict[str, Any]) -> str:
    fields = [("author", " and ".join(_bib_name(a) for a in r["authors"])),
              ("title", " ".join(w[1] for w in r["title"]))]
    kind = r["bib_type"]
    if kind == "article":
        fields += [("journal", r["journal"]), ("volume", str(r["volume"])), ("number", str(r["issue"]))]
    elif kind == "inproceedings":
        fields += [("booktitle", f"Proceedings of the {r['conf']}th Conference on {r['title'][0][1]}"),
                   ("address", "Montr\\'eal, Canada")]
    elif kind == "incollection":
        fields += [("booktitle", f"Handbook of {r['title'][-1][1]}"), ("publisher", r["publisher"][0]),
                   ("address", r["publisher"][1].replace("é", "\\'e"))]
    else:
        fields += [("publisher", r["publisher"][0].replace("é", "\\'e")),
                   ("address", r["publisher"][1].replace("é", "\\'e"))]
    fields += [("year", str(r["year"])), ("pages", f"{r['pages'][0]}--{r['pages'][1]}"),
               ("doi", r["doi"])]
    if r["tag"]:
        fields.append(("keywords", "x"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    month = f",\n  month = {MONTHS[r['month'] - 1]}"  # a macro, as JabRef writes it
    return f"@{kind}{{{r['key']},\n{body}{month}\n}}\n"


def _csl_name(a: dict[str, Any]) -> dict[str, str]:
    if "literal" in a:
        return {"literal": a["literal"][0]}
    name = {"family": a["family"][0], "given": a["given"][0]}
    if a["particle"]:
        name["non-dropping-particle"] = a["particle"]
    return name


def _csl_item(r: dict[str, Any], added: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": r["key"], "type": r["csl_type"], "author": [_csl_name(a) for a in r["authors"]],
        "title": " ".join(w[0] for w in r["title"]),
        "issued": {"date-parts": [[r["year"], r["month"]]]},
        "page": f"{r['pages'][0]}–{r['pages'][1]}", "DOI": r["doi"],
    }
    if r["bib_type"] == "article":
        item.update({"container-title": r["journal"], "volume": str(r["volume"]), "issue": str(r["issue"])})
    elif r["bib_type"] == "inproceedings":
        item.update({"container-title": f"Proceedings of the {r['conf']}th Conference on {r['title'][0][0]}",
                     "publisher-place": "Montréal, Canada"})
    else:
        item.update({"publisher": r["publisher"][0], "publisher-place": r["publisher"][1]})
        if r["bib_type"] == "incollection":
            item["container-title"] = f"Handbook of {r['title'][-1][0]}"
    item["custom"] = {"schema": 1, "added": added, "tags": ["x"] if r["tag"] else [],
                      "sources": ["generate.py"]}
    return item


def make_bib(n: int, seed: int = 42) -> str:
    """A reproducible .bib text with *n* entries (~2 % of them duplicate DOIs)."""
    return "\n".join(_bib_entry(r) for r in _records(n, seed))


def make_items(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """The same works as CSL-JSON store items; DOI duplicates are left out (a store holds them once)."""
    seen: set[str] = set()
    items = []
    for r in _records(n, seed):
        if r["doi"] in seen:
            continue
        seen.add(r["doi"])
        items.append(_csl_item(r, "2026-01-01T00:00:00Z"))
    return items


def write_library(n: int, out: Path, seed: int = 42) -> tuple[Path, Path]:
    """Write ``library-N.bib`` and ``library-N.json`` under *out* (reused when present)."""
    from refcli.store import dumps

    out.mkdir(parents=True, exist_ok=True)
    bib, store = out / f"library-{n}.bib", out / f"library-{n}.json"
    if not bib.exists():
        bib.write_text(make_bib(n, seed), encoding="utf-8")
    if not store.exists():
        store.write_bytes(dumps(make_items(n, seed)))
    return bib, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "data")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    for n in args.sizes:
        bib, store = write_library(n, args.out, args.seed)
        print(f"{bib} ({bib.stat().st_size / 1e6:.1f} MB), {store} ({store.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
