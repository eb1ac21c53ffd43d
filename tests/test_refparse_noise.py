"""PDF-extraction noise for the parser's training strings, and the mix of labelled sets trained on."""

import json
import random
import unicodedata
from itertools import groupby

import pytest
from scripts import pdf_noise
from scripts.pdf_noise import noisy

from helpers import SHARED
from refcli.refparse.split import record_dev, record_heldout

REFERENCES = SHARED / "data" / "references"

TOKENS = ("Lee, W. C. and Chavez, Y. E. (2003). Energy-efficient Communication in Könneke's "
          "field experiments. Journal of Applied Physics, 43(3), 199-220. doi: 10.1103/PhysRevD.7.2333").split()
LABELS = (["author"] * 7 + ["date"] + ["title"] * 6 + ["journal"] * 4 + ["volume", "pages"] + ["doi"] * 2)


def fields(tokens, labels):
    """Each field's text with spaces, hyphens and the damage's marks taken out, in order."""
    out = []
    for label, group in groupby(zip(tokens, labels, strict=True), key=lambda pair: pair[1]):
        text = "".join(token for token, _ in group)
        text = unicodedata.normalize("NFKD", text)
        out.append((label, "".join(ch for ch in text if ch.isascii() and ch.isalnum()).lower()))
    return out


def subsequence(short, long):
    rest = iter(long)
    return all(ch in rest for ch in short)


def test_example_is_aligned():
    assert len(TOKENS) == len(LABELS)


def test_noise_is_seeded_and_keeps_every_field_in_order():
    changed = 0
    for seed in range(200):
        tokens, labels = noisy(TOKENS, LABELS, random.Random(seed))
        assert (tokens, labels) == noisy(TOKENS, LABELS, random.Random(seed))
        assert len(tokens) == len(labels) and all(tokens)
        assert [label for label, _ in fields(tokens, labels)] == [label for label, _ in fields(TOKENS, LABELS)]
        changed += tokens != TOKENS
        # letters and digits of each field survive, bar a lost ligature ("ffi")
        for (_, before), (_, after) in zip(fields(TOKENS, LABELS), fields(tokens, labels), strict=True):
            assert subsequence(after.replace("e", ""), before.replace("e", "")) and len(before) - len(after) <= 3
    assert changed > 150


def test_glue_stays_inside_a_field():
    tokens, labels = pdf_noise._glue(TOKENS, LABELS, random.Random(1), rate=1.0)
    assert tokens[0] == "Lee,W.C.and" or tokens[0].startswith("Lee,W.C.")
    assert "Chavez,Y.E." in "".join(tokens)
    assert "(2003)." in tokens  # the date is its own field: never glued to the names
    joined = dict(zip(labels, tokens, strict=True))
    assert joined["doi"] == "doi:10.1103/PhysRevD.7.2333"
    assert joined["pages"] == "199-220."


def test_space_before_punctuation_and_line_break_hyphens():
    rng = random.Random(4)
    tokens, labels = pdf_noise._split_words(TOKENS, LABELS, rng, space_before=1.0)
    assert tokens[:2] == ["Lee", ","]
    assert labels[:2] == ["author", "author"]
    saved = dict(pdf_noise.RATES)
    try:
        pdf_noise.RATES.update(hyphen_kept=0.0, hyphen_split=1.0)
        tokens, labels = pdf_noise._split_words(["Communication"], ["title"], rng, space_before=0.0)
        assert len(tokens) == 2 and tokens[0].endswith("-") and "".join(tokens).replace("-", "") == "Communication"
        assert labels == ["title", "title"]
    finally:
        pdf_noise.RATES.update(saved)


def test_character_damage():
    rng = random.Random(0)
    assert pdf_noise._accent_damage("Könneke", rng) in ("Ko\u00a8nneke", "K\u00a8onneke")
    damaged = {pdf_noise._ligature_damage("Scientific", random.Random(s)) for s in range(40)}
    assert damaged == {"Scienti\ufb01c", "Scienti\x02c", "Scienti\x03c", "Scientic"}
    seen = set()
    for seed in range(200):
        seen.add(pdf_noise._per_token(["199-220."], ["pages"], random.Random(seed))[0])
    assert {"199\u2013220.", "199\u2011220.", "199\x96220.", "199e220.", "199-220."} <= seen
    # a hyphen inside a word of the title goes, one in a page range or a name never does
    lost = {pdf_noise._per_token(["Energy-saving"], ["title"], random.Random(s))[0] for s in range(40)}
    assert lost == {"Energy-saving", "Energysaving"}
    assert {pdf_noise._per_token(["Shen-Orr"], ["author"], random.Random(s))[0] for s in range(40)} == {"Shen-Orr"}


def test_split_doi_keeps_both_halves_labelled():
    saved = dict(pdf_noise.RATES)
    try:
        pdf_noise.RATES["identifier"] = 3.0
        tokens, labels = pdf_noise._split_identifier(["doi:10.1103/PhysRevD.10.2445"], ["doi"], random.Random(0))
    finally:
        pdf_noise.RATES.update(saved)
    assert tokens == ["doi:10.", "1103/PhysRevD.10.2445"] and labels == ["doi", "doi"]


def test_split_units_never_straddle():
    """PLOS by article, LinkedBooks by its own split, everything else by id."""
    assert record_heldout({"id": "x", "split": "test"}) and not record_heldout({"id": "x", "split": "train"})
    assert record_dev({"id": "x", "split": "valid"}) and not record_dev({"id": "x", "split": "test"})
    files = [f"journal.pone.{i:07d}.xml" for i in range(200)]
    held = [f for f in files if record_heldout({"id": "plos-jats:1", "file": f})]
    assert 10 < len(held) < 80
    for f in files:  # every reference of an article falls on the article's side
        assert len({record_heldout({"id": f"plos-jats:{i}", "file": f}) for i in range(20)}) == 1


def test_training_records_mix_the_sets_without_held_out_strings():
    plos, linkedbooks = REFERENCES / "plos-jats.jsonl", REFERENCES / "linkedbooks.jsonl"
    if not (plos.exists() and linkedbooks.exists()):
        pytest.skip("../shared/data/references not present")
    from scripts.train_refparse import DEFAULT_DATA, training_records

    records = training_records(DEFAULT_DATA, dev=False, plos=plos, linkedbooks=linkedbooks, n_linkedbooks=500)
    by_source = {}
    for r in records:
        by_source.setdefault(r["source"].split("-")[0], []).append(r)
    assert len(by_source["linkedbooks"]) == 500
    assert {r["split"] for r in by_source["linkedbooks"]} == {"train"}
    assert all(label != "other" for r in by_source["linkedbooks"] for _, label in r["tokens"])
    trained_files = {r["file"] for r in by_source["plos"]}
    with plos.open(encoding="utf-8") as fh:
        held_files = {r["file"] for r in map(json.loads, fh) if record_heldout(r)}
    assert trained_files and held_files and not trained_files & held_files
    assert not any(record_heldout(r) for r in by_source["anystyle"])
    again = training_records(DEFAULT_DATA, dev=False, plos=plos, linkedbooks=linkedbooks, n_linkedbooks=500)
    assert [r["id"] for r in again] == [r["id"] for r in records]
