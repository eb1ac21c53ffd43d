"""Time reading a generated 300-reference document (read + metadata + segmentation).

The target for ``refcli import`` is under 1 s end to end for such a document,
excluding interpreter start; the reference parser takes about 1 ms per reference,
so this part must stay well below 0.7 s. With ``--parse`` the parser's time is
included too (when ``refcli.refparse`` is available).

    python -m benchmarks.import_bench [--refs 300] [--runs 5] [--parse]

``--gold FILE.jsonl`` instead measures segmentation on real reference strings
(shared/data/references/anystyle-gold.jsonl): lists of 40 references are laid
out the three ways documents do (PDF text wrapped at 80 columns with no other
cue, hanging indents, blank lines) and the share of references cut back out
exactly (white space and hyphens ignored) is printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

FAMILIES = ["Smith", "Müller", "Nakamura", "Ivanova", "García", "O'Neil", "van der Berg", "Kim", "Rossi"]
WORDS = ["trade", "security", "alliance", "policy", "market", "labor", "digital", "energy", "climate", "regional", "governance", "strategy", "institutions", "reform", "growth", "innovation", "network", "risk"]
JOURNALS = ["Journal of Policy Studies", "International Affairs", "Asian Survey", "Energy Policy"]


def reference(rng: random.Random, n: int) -> str:
    """One reference in one of three styles, wrapped like PDF text (with a hyphenation)."""
    family, other = rng.choice(FAMILIES), rng.choice(FAMILIES)
    year = rng.randint(1950, 2025)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
    journal = rng.choice(JOURNALS)
    vol, first = rng.randint(1, 90), rng.randint(1, 900)
    doi = f"10.{rng.randint(1000, 99999)}/j.{n}.{year}"
    style = n % 3
    if style == 0:
        text = (f"{family}, A. B., & {other}, C. ({year}). {title}. {journal}, {vol}({rng.randint(1, 4)}), "
                f"{first}–{first + 20}. https://doi.org/{doi}")
    elif style == 1:
        text = f'{family}, Anna, and Carl {other}. {year}. "{title}." {journal} {vol}: {first}–{first + 9}.'
    else:
        text = f"{family} A.B., {other} C. {title} // {journal}. {year}. Vol. {vol}. P. {first}–{first + 5}."
    # Wrap at ~80 columns, hyphenating one long word, as PDF text does.
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > 78:
            if len(word) > 6 and word.isalpha():
                line += " " + word[:3] + "-"
                word = word[3:]
            lines.append(line.strip())
            line = ""
        line += " " + word
    lines.append(line.strip())
    return f"{n}. " + "\n".join(lines)


def document(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    body = ["Journal of Policy Studies, Vol. 12, No. 3, pp. 1–40", "",
            "Regional Trade and Security: A Long Survey", "", "Anna Smith and Carl Kim", "",
            "Abstract", "", " ".join(rng.choice(WORDS) for _ in range(300)), ""]
    for page in range(20):
        body += [f"{page + 2} Journal of Policy Studies", " ".join(rng.choice(WORDS) for _ in range(400)), ""]
    body += ["References", ""]
    for n in range(1, count + 1):
        body.append(reference(rng, n))
        if n % 40 == 0:
            body += [str(40 + n // 40), f"{40 + n // 40} Journal of Policy Studies"]
    body += ["", "Appendix A. Tables", "Table content."]
    return "\n".join(body).encode("utf-8")


def _wrap(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    return [*lines, line]


def gold_segmentation(path: Path, size: int = 40) -> None:
    """Print how many gold references come back whole from each layout."""
    import json
    import re

    from refcli.documents.references import segment

    refs = []
    for raw in path.read_text("utf-8").splitlines():
        text = json.loads(raw)["raw"]
        if not re.match(r"^\s*(?:\[?\d+[.)\]]?)\s", text):  # numbered ones test nothing here
            refs.append(" ".join(text.split()))
    key = lambda s: re.sub(r"[\s\-‐–]", "", s)  # noqa: E731 - a one-line comparison key
    layouts = {
        "wrapped, no cue": lambda r: _wrap(r),
        "hanging indent": lambda r: [(" " * 4 if i else "") + x for i, x in enumerate(_wrap(r))],
        "blank lines": lambda r: [*_wrap(r), ""],
    }
    for name, layout in layouts.items():
        good = total = 0
        for start in range(0, len(refs) - size + 1, size):
            chunk = refs[start:start + size]
            lines = [line for ref in chunk for line in layout(ref)]
            got = {key(s) for s in segment(lines)}
            good += sum(key(ref) in got for ref in chunk)
            total += len(chunk)
        print(f"{name:16s} {good}/{total} references cut exactly ({good / total:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parse", action="store_true", help="also parse the references with refparse")
    parser.add_argument("--gold", type=Path, help="measure segmentation on a gold JSONL of references")
    args = parser.parse_args()
    if args.gold:
        gold_segmentation(args.gold)
        return

    from refcli.documents import read_document_bytes

    data = document(args.refs)
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        doc = read_document_bytes(data, "bench.txt")
        if args.parse:
            from refcli.refparse import parse_references  # type: ignore[attr-defined]

            list(parse_references(doc.references))
        timings.append(time.perf_counter() - start)
    found = len(doc.references)
    print(f"document: {len(data) / 1024:.0f} KiB, {args.refs} references generated, {found} found")
    print(f"read + metadata + segmentation{' + parse' if args.parse else ''}: "
          f"median {statistics.median(timings) * 1000:.1f} ms, min {min(timings) * 1000:.1f} ms "
          f"over {args.runs} runs (first run {timings[0] * 1000:.1f} ms, includes lazy imports)")
    if found != args.refs:
        sys.exit(f"segmentation error: expected {args.refs} references, found {found}")


if __name__ == "__main__":
    main()
