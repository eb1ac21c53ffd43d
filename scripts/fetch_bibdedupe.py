"""Fetch BibDedupe's labelled systematic-review exports for ``benchmarks/dedupe_bench.py``.

BibDedupe (MIT, github.com/CoLRev-Environment/bib-dedupe) evaluates on exports of
real literature searches in which every duplicate was labelled by hand
(``records_pre_merged.csv``, ``merged_record_ids.csv``). They are not in any
package, so this downloads them from the repository at pinned commits into a
folder beside the project (``../dedupe-data`` by default), where the benchmark and
``tests/test_dedupe_matching.py`` look for them. Nothing is copied into the project.

    python -m scripts.fetch_bibdedupe [--into DIR]
"""

from __future__ import annotations

import argparse
import urllib.request
from pathlib import Path

RAW = "https://raw.githubusercontent.com/CoLRev-Environment/bib-dedupe"

# set -> (records path, commit), (labels path, commit): the versions whose ids agree
SETS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "haematology": (("data/haematology/records_pre_merged.csv", "3d653332572b05d8e4d191377a36c38c37910b09"),
                    ("data/haematology/merged_record_ids.csv", "a1be972e3ec943d0da7b21a693a8ded43fb5e38d")),
    "stroke": (("bib_dedupe/data/stroke/records_pre_merged.csv", "3908fd3b8b0e72b2c8287c0ae68734e43c2969b7"),
               ("data/stroke/merged_record_ids.csv", "b552cc1487aad11bd743b0b339d06862ed70fda6")),
    "cytology_screening": (
        ("data/cytology_screening/records_pre_merged.csv", "13c2bafa04c4d0a8244cb17ed7219816dd5c9807"),
        ("data/cytology_screening/merged_record_ids.csv", "b550e3410de6fa6ee9a07e39caab06adf5157861")),
    "respiratory": (("data/respiratory/records_pre_merged.csv", "13c2bafa04c4d0a8244cb17ed7219816dd5c9807"),
                    ("data/respiratory/merged_record_ids.csv", "a1be972e3ec943d0da7b21a693a8ded43fb5e38d")),
    "digital_work": (("data/digital_work/records_pre_merged.csv", "b552cc1487aad11bd743b0b339d06862ed70fda6"),
                     ("data/digital_work/merged_record_ids.csv", "b552cc1487aad11bd743b0b339d06862ed70fda6")),
}


def fetch(into: Path) -> None:
    for name, ((records, at), (labels, labels_at)) in SETS.items():
        folder = into / name
        folder.mkdir(parents=True, exist_ok=True)
        for path, commit, target in ((records, at, "records_pre_merged.csv"),
                                     (labels, labels_at, "merged_record_ids.csv")):
            with urllib.request.urlopen(f"{RAW}/{commit}/{path}", timeout=60) as response:
                (folder / target).write_bytes(response.read())
        print(f"{name}: {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=Path(__file__).resolve().parents[2] / "dedupe-data")
    fetch(parser.parse_args().into)


if __name__ == "__main__":
    main()
