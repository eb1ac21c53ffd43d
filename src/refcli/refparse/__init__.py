"""Reference strings → CSL-JSON items.

A conditional random field (python-crfsuite) labels each token of a reference
(author, title, journal, date, volume, pages …); ``refcli.refparse.fields``
turns the labelled spans into clean CSL fields; identifiers (DOI, URL, ISBN,
arXiv, PMID) are taken by exact rules, never by the model. The model and the
word list beside it (``lexicon.json``) are made by ``scripts/train_refparse.py``
from AnyStyle's labelled data and synthetic strings (see NOTICE).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("model.crfsuite")
MAX_TOKENS = 400  # a "reference" longer than this is a paragraph; label only its start


def second_model_path(first: Path) -> Path:
    """Where the stacked second-pass model lives beside a first-pass one (model.crfsuite -> model2.crfsuite)."""
    return first.with_name(first.stem + "2" + first.suffix)


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


@lru_cache(maxsize=1)
def _second_tagger() -> Any:
    """The stacked model, or None where only a first-pass model is installed."""
    import pycrfsuite

    path = second_model_path(MODEL_PATH)
    if not path.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def label(text: str) -> list[tuple[str, str]]:
    """(token, label) pairs for one reference string.

    Two passes: the first model labels the tokens; the second sees the same
    features plus the first one's labels and confidence across the whole string
    (``refcli.refparse.stacking``) and has the last word.
    """
    from refcli.refparse.features import sequence_features, tokens_of

    tokens = tokens_of(text)[:MAX_TOKENS]
    if not tokens:
        return []
    xseq = sequence_features(tokens)
    second = _second_tagger()
    if second is None:
        return list(zip(tokens, _tagger().tag(xseq), strict=True))
    from refcli.refparse.stacking import first_pass, stacked_features

    labels, marginals, alts = first_pass(_tagger(), xseq)
    return list(zip(tokens, second.tag(stacked_features(xseq, labels, marginals, alts)), strict=True))


def parse_reference(text: str) -> dict[str, Any]:
    """One reference string as a CSL-JSON item (without ``id``). Never raises on text."""
    from refcli.refparse.fields import to_csl

    text = str(text or "")
    try:
        return to_csl(text, label(text))
    except Exception:  # noqa: BLE001 - a parser that must read anything degrades, it does not fail
        return {"type": "document", "title": " ".join(text.split())[:500]} if text.strip() else {"type": "document"}


def parse_references(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse many strings lazily, in order (the model is loaded once)."""
    for text in texts:
        yield parse_reference(text)
