"""Reference strings → CSL-JSON items.

A conditional random field (python-crfsuite) labels each token of a reference
(author, title, journal, date, volume, pages …); ``refcli.refparse.fields``
turns the labelled spans into clean CSL fields; identifiers (DOI, URL, ISBN,
arXiv, PMID) are taken by exact rules, never by the model. The model and the
word list beside it (``lexicon.json``) are made by ``scripts/train_refparse.py``
from AnyStyle's labelled data and synthetic strings (see NOTICE).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("model.crfsuite")
NET_PATH = Path(__file__).with_name("labeller.npz")
CRF_PATH = Path(__file__).with_name("crf.npz")
MAX_TOKENS = 400  # a "reference" longer than this is a paragraph; label only its start
BATCH = 256  # strings labelled together by the network (numpy works per batch)
MODE = "crf"  # "crf", "net", "ensemble" (experiment switch, until measured)
MIX = 0.5


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


@lru_cache(maxsize=1)
def _network() -> Any:
    from refcli.refparse.network import Network

    return Network.load(NET_PATH)


@lru_cache(maxsize=1)
def _crf() -> Any:
    from refcli.refparse.crf import LinearCRF

    return LinearCRF.load(CRF_PATH)


def label_many(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    """(token, label) pairs for each of a batch of reference strings."""
    from refcli.refparse.features import sequence_features, tokens_of

    tokens = [tokens_of(text)[:MAX_TOKENS] for text in texts]
    if MODE == "crf":
        tagger = _tagger()
        return [list(zip(t, tagger.tag(sequence_features(t)), strict=True)) if t else [] for t in tokens]
    net = _network()
    if MODE == "net":
        tags = net.tag(tokens)
        return [list(zip(t, g, strict=True)) for t, g in zip(tokens, tags, strict=True)]
    from refcli.refparse.crf import marginals
    from refcli.refparse.network import Layout, np

    out: list[list[tuple[str, str]]] = [[] for _ in tokens]
    if not any(tokens):
        return out
    layout = Layout(np.array([len(t) for t in tokens], dtype=np.int64))
    w = net.w
    probs = marginals(net.emissions(net.inputs(tokens), layout), layout.lengths, layout.active,
                      w["trans"], w["start"], w["end"])
    crf = _crf()
    perm = [crf.labels.index(x) for x in net.labels]
    crf_scores = crf.scores([sequence_features(t) for t in tokens])[:, perm][layout.index]
    probs = (1 - MIX) * probs + MIX * marginals(crf_scores, layout.lengths, layout.active,
                                                crf.trans[np.ix_(perm, perm)])
    best = probs.argmax(axis=2).tolist()
    for b, n, row in zip(layout.order.tolist(), layout.lengths.tolist(), best, strict=True):
        out[b] = [(tok, net.labels[k]) for tok, k in zip(tokens[b], row[:n], strict=True)]
    return out


def label(text: str) -> list[tuple[str, str]]:
    """(token, label) pairs for one reference string."""
    return label_many([text])[0]


def parse_reference(text: str) -> dict[str, Any]:
    """One reference string as a CSL-JSON item (without ``id``). Never raises on text."""
    return parse_batch([text])[0]


def parse_batch(texts: Sequence[str]) -> list[dict[str, Any]]:
    """Independent reference strings as CSL-JSON items, labelled together (much faster per
    string than one at a time: the network works on a batch); never raises on text."""
    from refcli.encoding import spell_ligatures
    from refcli.refparse.fields import to_csl

    texts = [spell_ligatures(str(text or "")) for text in texts]  # strings copied out of PDFs
    try:
        labelled = label_many(texts)
    except Exception:  # noqa: BLE001 - one bad string must not cost the others their labels
        labelled = [_safe_label(text) for text in texts]
    out = []
    for text, pairs in zip(texts, labelled, strict=True):
        try:
            out.append(to_csl(text, pairs) if pairs is not None else _fallback(text))
        except Exception:  # noqa: BLE001 - a parser that must read anything degrades, it does not fail
            out.append(_fallback(text))
    return out


def _safe_label(text: str) -> list[tuple[str, str]] | None:
    try:
        return label(text)
    except Exception:  # noqa: BLE001
        return None


def _fallback(text: str) -> dict[str, Any]:
    return {"type": "document", "title": " ".join(text.split())[:500]} if text.strip() else {"type": "document"}


def parse_references(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse a list of reference strings lazily, in order (the model is loaded once, strings
    are labelled BATCH at a time); an entry opening with "———." has the authors of the entry before it."""
    from refcli.documents.references import repeated_authors

    previous = None
    chunk: list[str] = []
    for text in texts:
        text = repeated_authors(str(text or ""), previous) if previous else text
        chunk.append(text)
        previous = text
        if len(chunk) == BATCH:
            yield from parse_batch(chunk)
            chunk = []
    if chunk:
        yield from parse_batch(chunk)
