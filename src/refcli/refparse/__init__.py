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


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def label(text: str) -> list[tuple[str, str]]:
    """(token, label) pairs for one reference string."""
    from refcli.refparse.features import sequence_features, tokens_of

    tokens = tokens_of(text)[:MAX_TOKENS]
    if not tokens:
        return []
    return list(zip(tokens, _tagger().tag(sequence_features(tokens)), strict=True))


def parse_reference(text: str) -> dict[str, Any]:
    """One reference string as a CSL-JSON item (without ``id``). Never raises on text."""
    from refcli.encoding import spell_ligatures
    from refcli.refparse.fields import to_csl

    text = spell_ligatures(str(text or ""))  # strings copied out of PDFs
    try:
        return to_csl(text, label(text))
    except Exception:  # noqa: BLE001 - a parser that must read anything degrades, it does not fail
        return {"type": "document", "title": " ".join(text.split())[:500]} if text.strip() else {"type": "document"}


def parse_references(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse a list of reference strings lazily, in order (the model is loaded once);
    an entry opening with "———." has the authors of the entry before it."""
    from refcli.documents.references import repeated_authors

    previous = None
    for text in texts:
        text = repeated_authors(str(text or ""), previous) if previous else text
        yield parse_reference(text)
        previous = text
