#!/usr/bin/env python3
"""Train the feature CRF of the reference parser, shipped as ``src/refcli/refparse/crf.npz``.

    .venv/bin/python -m scripts.train_refparse    # the shipped crf.npz and lexicon.json, ~6 min

python-crfsuite trains the model (to ``build/refparse.crfsuite``); its weights are
exported to ``crf.npz`` (``refcli.refparse.crf.export``), which the parser runs in numpy
together with the network of ``scripts/train_refparse_nn.py`` (see ``refcli.refparse``).

The data (licences in ``src/refcli/refparse/NOTICE``, which must list every set a
shipped model was trained on): AnyStyle's hand-labelled references (BSD 2-clause),
split by a hash of their id: one in five is held out
(``refcli.refparse.split.is_heldout``) and never trained on, so
``benchmarks/refparse_eval.py`` scores on strings the model has not seen; ``--plos``,
PLOS JATS-tagged biomedical references (CC BY), split by article so that one article's
list is never on both sides; ``--linkedbooks``, a seeded sample (``--n-linkedbooks``) of
LinkedBooks' own train split (MIT; Italian humanities footnotes, OCR'd), whose test split
is held out (``split.record_heldout``); ``--noise``, the share of the AnyStyle, PLOS and
synthetic strings trained on twice, the second time damaged as PDF text damages it
(``scripts/pdf_noise.py``: spaces lost or added at punctuation, line-break hyphens,
glued identifiers, a year glued to the title, ligatures, accents, page dashes);
``--reports``, synthetic reports in a numbered series (``synth_refparse.reports``). The
defaults are the shipped models' recipe (since issue 16; the models shipped before were
AnyStyle's alone: ``--plos none --linkedbooks none --noise 0 --reports 0``); both
trainers with their defaults rebuild the shipped files byte for byte. The measurements
are in benchmarks/refparse.md.

What goes in, all deterministic (seeded), so a rebuild gives the same model:
the training references (and any PDF-damaged copies; book titles labelled ``container-title`` mended, see
``clean_labels``); synthetic strings printed from their fields in ten CSL styles
and GOST templates (``scripts/synth_refparse.py``; 400 per style + 300 GOST: more
helps printed styles a little and costs the AnyStyle dev slice); and a word
lexicon (``lexicon.json``, written next to the model). ``--dev`` also leaves out
the dev slice, for ``benchmarks/refparse_eval.py --dev --model OUT``.
Measured choices (dev slice, on the AnyStyle-only recipe shipped before): feature.minfreq 1 (every feature seen once kept;
the L1 penalty prunes) beats 2: entirely correct 49.3% -> 52.3%, headline
0.900 -> 0.904, model 3.6 -> 5.2 MB. Then c1 (L1) with c2 0.01, entirely correct /
headline: 0.01 51.9% / 0.904, 0.02 53.9% / 0.908, 0.03 53.6% / 0.906,
0.05 52.5% / 0.905; with c1 0.02, c2 0.005 52.6% and c2 0.02 53.0% (c2 0.01 kept).
Then 250 iterations 53.0% and 200 strings per style 53.1% (CSL styles 79%
instead of 81%): 150 iterations and 400 per style kept. feature.possible_states
changes nothing (the L1 penalty keeps every generated state feature at zero: a
byte-identical model); two cheap running features (a colon or a '//' seen so
far, the next-word bigram) cost 1 point (52.8%) and were left out.
Tried and dropped: a stacked second CRF over the first one's labels, marginals,
runner-up labels and span order, trained on cross-fitted halves (git history,
"stacked second pass"): on the dev slice +0.3 to +0.6 points entirely correct
(52.5% -> 52.8% / 53.1% with c1 0.05 / 0.15 for the second model), headline
level, at ~750 references/s instead of ~1,250 (below the 1,000/s floor) -- the
segment-bag features already carry most of what it adds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path
from typing import Any

from refcli.refparse import CRF_PATH
from refcli.refparse.crf import export
from refcli.refparse.features import LEXICON_PATH, build_lexicon, sequence_features
from refcli.refparse.split import record_dev, record_heldout

ROOT = Path(__file__).resolve().parents[1]

REFERENCES = ROOT.parent / "shared" / "data" / "references"
DEFAULT_DATA = REFERENCES / "anystyle-gold.jsonl"
DEFAULT_PLOS = REFERENCES / "plos-jats.jsonl"
DEFAULT_LINKEDBOOKS = REFERENCES / "linkedbooks.jsonl"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def clean_labels(tokens: list[str], labels: list[str]) -> list[str]:
    """The labelled data's one systematic slip, mended: a book's own title labelled
    ``container-title`` when the reference has no other title ("Boothby, R. (1991).
    Death and desire. New York: Routledge."). A container introduced by "In" or
    following its editors stays what it is."""
    if "title" in labels or "container-title" not in labels:
        return labels
    i = labels.index("container-title")
    if tokens[i].lower().strip(":") in ("in", "dans", "im", "en") or i and labels[i - 1] == "editor":
        return labels
    return ["title" if tag == "container-title" else tag for tag in labels]


def _half(record_id: str) -> int:
    return hashlib.sha1(b"lexicon:" + record_id.encode()).digest()[0] % 2


def training_records(data: Path, dev: bool, plos: Path | None = None,
                     linkedbooks: Path | None = None, n_linkedbooks: int = 2000,
                     seed: int = 1) -> list[dict]:
    """The labelled references trained on: ``data``'s training split (AnyStyle's), PLOS's
    articles on the training side (split by article, ``split.record_heldout``), and a seeded
    sample of ``n_linkedbooks`` from LinkedBooks' own train split (3x AnyStyle's size and
    OCR'd Italian footnotes: all of it would outweigh the rest). A set that is absent is
    left out (``../shared`` may be missing its newer files); LinkedBooks' ``other`` label is
    read as ``note``, the nearest of AnyStyle's labels."""
    def usable(r: dict) -> bool:
        return bool(r["tokens"]) and not record_heldout(r) and not (dev and record_dev(r))

    records = [r for r in load(data) if usable(r)]
    if plos is not None and plos.exists():
        records += [r for r in load(plos) if usable(r)]
    if linkedbooks is not None and linkedbooks.exists() and n_linkedbooks:
        pool = [r for r in load(linkedbooks) if usable(r) and r.get("split") == "train"]
        sample = random.Random(seed).sample(pool, min(n_linkedbooks, len(pool)))
        records += [{**r, "tokens": [[t, "note" if lab == "other" else lab] for t, lab in r["tokens"]]}
                    for r in sample]
    return records


def _noised(pairs: list[tuple[list[str], list[str]]], share: float, seed: int
            ) -> list[tuple[int, tuple[list[str], list[str]]]]:
    """PDF-damaged copies (``scripts/pdf_noise.py``) of a seeded ``share`` of the strings,
    each with the index of the string it was made from."""
    from scripts.pdf_noise import noisy

    rng = random.Random(seed)
    out = []
    for i, (tokens, labels) in enumerate(pairs):
        if rng.random() < share:
            copy = noisy(tokens, labels, rng)
            if copy[0] != tokens:
                out.append((i, copy))
    return out


def training_data(data: Path, dev: bool, clean: bool, seed: int, per_style: int, n_gost: int,
                  noise: float = 0.0, reports: int = 0, double_issues: float = 0.0, **sets: Any
                  ) -> tuple[list[tuple[list[str], list[list[str]], list[str]]], dict[str, str], int]:
    """Every training sequence as (tokens, features, labels), the lexicon to ship, and the
    number of labelled references: shared by the CRF and the network (train_refparse_nn.py),
    so both learn from exactly the same strings and features. ``noise``: the share of the
    AnyStyle, PLOS and synthetic strings also trained on as PDF text gives them
    (``_noised``); ``reports``: synthetic reports in a numbered series
    (``synth_refparse.reports``); ``sets``: ``training_records``' other keywords."""
    records = training_records(data, dev, seed=seed, **sets)
    pairs = [([t for t, _ in r["tokens"]], [label for _, label in r["tokens"]]) for r in records]
    if clean:
        pairs = [(tokens, clean_labels(tokens, labels)) for tokens, labels in pairs]
    # The lexicon shipped is built from every training reference; while training, each
    # half of the data sees the lexicon of the other half only, so the model learns how
    # often a word's usual field is wrong instead of trusting its own labels.
    half = [_half(r["id"]) for r in records]
    halves = [[p for h, p in zip(half, pairs, strict=True) if h == k] for k in (0, 1)]
    lexicons = [build_lexicon(halves[1]), build_lexicon(halves[0])]
    out = [(tokens, sequence_features(tokens, lexicons[k]), labels) for k in (0, 1) for tokens, labels in halves[k]]
    # LinkedBooks is OCR'd already; its strings are not damaged again
    clean_side = [p for r, p in zip(records, pairs, strict=True) if not r["source"].startswith("linkedbooks")]
    sides = [h for r, h in zip(records, half, strict=True) if not r["source"].startswith("linkedbooks")]
    out += [(tokens, sequence_features(tokens, lexicons[sides[i]]), labels)
            for i, (tokens, labels) in _noised(clean_side, noise, seed)]
    from scripts.synth_refparse import synthetic

    printed = [r for r in records if not r["source"].startswith("linkedbooks")]
    extra = synthetic(printed, seed, per_style, n_gost, reports, double_issues) if per_style or n_gost or reports \
        else []
    out += [(tokens, sequence_features(tokens, lexicons[0]), labels) for tokens, labels in extra]
    out += [(tokens, sequence_features(tokens, lexicons[0]), labels) for _, (tokens, labels) in
            _noised(extra, noise, seed + 1)]
    return out, build_lexicon(pairs), len(records)


def _optional_path(value: str) -> Path | None:
    return None if value.lower() == "none" else Path(value)


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that choose the training strings, the same for both trainers; the
    defaults are the shipped models' recipe."""
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--plos", type=_optional_path, default=DEFAULT_PLOS,
                        help="PLOS JATS references, training side ('none': left out)")
    parser.add_argument("--linkedbooks", type=_optional_path, default=DEFAULT_LINKEDBOOKS,
                        help="LinkedBooks references ('none': left out)")
    parser.add_argument("--n-linkedbooks", type=int, default=2000, help="LinkedBooks training strings sampled")
    parser.add_argument("--noise", type=float, default=0.3,
                        help="share of strings also trained on with PDF-extraction damage (scripts/pdf_noise.py)")
    parser.add_argument("--reports", type=int, default=400,
                        help="synthetic reports in a numbered series (scripts/synth_refparse.py: 'Sejong Policy Brief"
                             " 2025-02')")
    parser.add_argument("--double-issues", type=float, default=0.0,
                        help="share of the synthetic journal articles printed as a double issue ('97, nos. 3–4');"
                             " 0.07 measured in benchmarks/refparse.md, not shipped")


def data_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"noise": args.noise, "reports": args.reports, "plos": args.plos, "linkedbooks": args.linkedbooks,
            "n_linkedbooks": args.n_linkedbooks, "double_issues": args.double_issues}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--out", type=Path, default=CRF_PATH, help="the exported weights (.npz)")
    parser.add_argument("--crfsuite", type=Path, help="where crfsuite writes the model (default: build/, beside --out's name)")
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--c1", type=float, default=0.02)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--dev", action="store_true",
                        help="also leave out the dev slice (for benchmarks/refparse_eval.py --dev)")
    parser.add_argument("--per-style", type=int, default=400,
                        help="synthetic strings printed in each CSL style (scripts/synth_refparse.py)")
    parser.add_argument("--gost", type=int, default=300, help="synthetic GOST strings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action=argparse.BooleanOptionalAction, default=True,
                        help="mend book titles labelled container-title (see clean_labels)")
    parser.add_argument("--minfreq", type=int, default=1, help="CRFsuite feature.minfreq")
    args = parser.parse_args()

    import pycrfsuite

    sequences, lexicon, n_records = training_data(args.data, args.dev, args.clean, args.seed, args.per_style,
                                                  args.gost, **data_options(args))
    trainer = pycrfsuite.Trainer(verbose=False)
    for _tokens, feats, labels in sequences:
        trainer.append(feats, labels)
    trainer.set_params({
        "c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
        "feature.possible_transitions": True, "feature.minfreq": args.minfreq,
    })
    started = time.time()
    model = args.crfsuite or ROOT / "build" / ("refparse.crfsuite" if args.out == CRF_PATH else args.out.stem + ".crfsuite")
    model.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model))
    export(model, args.out)
    lexicon_path = LEXICON_PATH if args.out == CRF_PATH else args.out.with_suffix(".lexicon.json")
    lexicon_path.write_text(json.dumps(lexicon, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"trained on {n_records} references + {len(sequences) - n_records} synthetic in {time.time() - started:.0f} s"
          f" -> {model}, {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
