#!/usr/bin/env python3
"""Score the reference parser on the held-out split it was never trained on.

    .venv/bin/python benchmarks/refparse_eval.py [--data ../shared/data/references/anystyle-gold.jsonl]

Writes predictions to benchmarks/out/refparse-pred.jsonl, runs the shared scorer
(../shared/tools/refdata/evaluate.py) with the fields of issue 3 (author, title,
container-title, date, volume, issue, pages, DOI, publisher), prints its table,
the references parsed per second on one core, and writes both to benchmarks/refparse.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
FIELDS = ["author", "title", "container-title", "date", "volume", "issue", "pages", "doi", "publisher"]


def main() -> None:
    from refcli.refparse import parse_reference
    from refcli.refparse.split import is_heldout

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "references" / "anystyle-gold.jsonl")
    parser.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "refparse.md")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no labelled data at {args.data} (../shared is not present)")

    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    gold = [json.loads(line) for line in args.data.open(encoding="utf-8") if line.strip()]
    held = [g for g in gold if is_heldout(g["id"])]
    parse_reference("warm-up, load the model")
    started = time.process_time()
    predictions = [parse_reference(g["raw"]) for g in held]
    rate = len(held) / (time.process_time() - started)

    pred_path, gold_path = out / "refparse-pred.jsonl", out / "refparse-gold.jsonl"
    with pred_path.open("w", encoding="utf-8") as fh:
        for g, item in zip(held, predictions, strict=True):
            fields = {k: v for k, v in item.items() if k not in ("type", "custom")}
            fh.write(json.dumps({"id": g["id"], "raw": g["raw"], "fields": fields}, ensure_ascii=False) + "\n")
    with gold_path.open("w", encoding="utf-8") as fh:
        for g in held:
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    scorer = SHARED / "tools" / "refdata" / "evaluate.py"
    scores = out / "refparse-scores.json"
    table = subprocess.run([sys.executable, str(scorer), str(pred_path), str(gold_path),
                            "--fields", *FIELDS, "--json", str(scores)],
                           capture_output=True, text=True, check=True).stdout
    result = json.loads(scores.read_text())
    by_source = []
    for source in sorted({g["source"] for g in held}):
        subset = out / f"refparse-gold-{source}.jsonl"
        subset.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in held if g["source"] == source),
                          encoding="utf-8")
        part = out / f"refparse-scores-{source}.json"
        subprocess.run([sys.executable, str(scorer), str(pred_path), str(subset), "--fields", *FIELDS,
                        "--json", str(part)], capture_output=True, text=True, check=True)
        r = json.loads(part.read_text())
        by_source.append(f"| {source} | {r['scored']} | {r['headline']['f1']:.3f} | {r['micro_exact']['f1']:.3f} "
                         f"| {100 * r['whole_reference_correct']:.1f}% |")
    summary = (f"held-out references: {len(held)} (of {len(gold)}; split by a hash of the id, never trained on)\n"
               f"micro F1 (exact, {', '.join(FIELDS)}): {result['micro_exact']['f1']:.3f}\n"
               f"headline F1 (names by word overlap): {result['headline']['f1']:.3f}\n"
               f"entirely correct: {100 * result['whole_reference_correct']:.1f}%\n"
               f"speed: {rate:.0f} references/second (one core, CPU time)\n")
    print(table)
    print(summary)
    args.report.write_text(
        "# Reference parser: held-out scores\n\n"
        "Produced by `benchmarks/refparse_eval.py` (scorer: `../shared/tools/refdata/evaluate.py`).\n\n"
        f"```\n{summary}```\n\n{table}\n\n## By set\n\nThe sets differ in character: gold/core/good are clean, "
        "bad/ugly are OCR-ish and messy.\n\n| set | n | headline F1 | micro F1 (exact) | entirely correct |\n"
        "|---|---:|---:|---:|---:|\n" + "\n".join(by_source) + "\n")


if __name__ == "__main__":
    main()
