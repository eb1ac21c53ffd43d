"""Reference strings → CSL-JSON items.

Two labellers read each token of a reference (author, title, journal, date,
volume, pages …) and their opinions are averaged: a conditional random field over
hand-made features (``features.py``; trained with python-crfsuite, run in numpy by
``crf.py``) and a BiLSTM-CRF over words, characters and the token's own features
(``network.py``). Each gives every token's label probabilities (forward-backward);
the label with the highest mean wins. On the dev slice the pair beats either alone
(benchmarks/refparse.md). ``refcli.refparse.fields`` turns the labelled spans into
clean CSL fields; identifiers (DOI, URL, ISBN, arXiv, PMID) are taken by exact
rules, never by a model. The weights and the word list beside them
(``lexicon.json``) are made by ``scripts/train_refparse.py`` and
``scripts/train_refparse_nn.py`` from AnyStyle's, PLOS's and LinkedBooks' labelled
references, synthetic strings and PDF-damaged copies (see NOTICE). numpy is imported
only on the parse path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from refcli.printed import REPEATED_AUTHORS, YEAR

CRF_PATH = Path(__file__).with_name("crf.npz")
NET_PATH = Path(__file__).with_name("labeller.npz")
MAX_TOKENS = 400  # a "reference" longer than this is a paragraph; label only its start
BATCH = 256  # strings labelled together (numpy works a batch at a time)
CRF_SHARE = 0.5  # weight of the CRF's probabilities in the average (chosen on the dev slice)


@lru_cache(maxsize=1)
def _models() -> tuple[Any, Any]:
    from refcli.refparse.crf import LinearCRF
    from refcli.refparse.network import Network

    net = Network.load(NET_PATH)
    return LinearCRF.load(CRF_PATH).reordered(net.labels), net


def label_many(texts: Sequence[str]) -> list[list[tuple[str, str]]]:
    """(token, label) pairs for each of a batch of reference strings."""
    from refcli.refparse.crf import marginals
    from refcli.refparse.features import sequence_features, tokens_of
    from refcli.refparse.network import Layout, np

    tokens = [tokens_of(text)[:MAX_TOKENS] for text in texts]
    out: list[list[tuple[str, str]]] = [[] for _ in tokens]
    if not any(tokens):
        return out
    crf, net = _models()
    layout = Layout(np.array([len(t) for t in tokens], dtype=np.int64))
    w = net.w
    scores = np.stack([net.emissions(net.inputs(tokens), layout),
                       crf.scores([sequence_features(t) for t in tokens])[layout.index]])
    zero = np.zeros_like(w["start"])
    both = marginals(scores, layout.lengths, layout.active, np.stack([w["trans"], crf.trans]),
                     np.stack([w["start"], zero]), np.stack([w["end"], zero]))
    probs = (1 - CRF_SHARE) * both[0] + CRF_SHARE * both[1]
    labels = net.labels
    for b, n, row in zip(layout.order.tolist(), layout.lengths.tolist(), probs.argmax(axis=2).tolist(), strict=True):
        out[b] = [(token, labels[k]) for token, k in zip(tokens[b], row[:n], strict=True)]
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
    from refcli.documents.repair import repair
    from refcli.encoding import spell_ligatures
    from refcli.refparse.byline import colon_byline
    from refcli.refparse.corporate import corporate_author
    from refcli.refparse.cut import cut_identifiers, respace
    from refcli.refparse.fields import to_csl

    texts = [repair(spell_ligatures(str(text or ""))) for text in texts]  # strings copied out of PDFs
    # The labeller reads each string without its identifiers; the rules that build the
    # item read the whole string (they take the identifiers from it).
    bare = [respace(cut_identifiers(text)) for text in texts]
    labelled: Sequence[list[tuple[str, str]] | None]
    try:
        labelled = label_many(bare)
    except Exception:  # noqa: BLE001 - one bad string must not cost the others their labels
        labelled = [_safe_label(text) for text in bare]
    out = []
    for text, pairs in zip(texts, labelled, strict=True):
        try:
            item = to_csl(text, pairs) if pairs is not None else _fallback(text)
            corporate_author(text, item)
            colon_byline(text, item)
            out.append(item)
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


def repeated_authors(text: str, previous: str) -> str:
    """*text* with Chicago's and MLA's "———." (same authors as the entry before)
    replaced by *previous*'s authors; "———, and Mary Roe." repeats only its first author."""
    dashes = REPEATED_AUTHORS.match(text)
    if not dashes:
        return text
    authors = authors_of(previous)
    if re.match(r"\s*,\s*(?:and|&)\s", text[dashes.end():]):
        from refcli.printed import parse_names

        first = (parse_names(authors)[0] or [{}])[0]
        if first.get("family"):
            authors = ", ".join(filter(None, (first["family"], first.get("given"))))
    rest = text[dashes.end():]
    return authors + (rest[1:] if authors.endswith(".") and rest.startswith(".") else rest)


_AUTHORS_END = re.compile(
    rf"[.,]?\s*(?=\(?{YEAR}[a-z]?\)?[.,:;]|[“\"«„]|\(?n\.\s?d\.)"
)


def authors_of(reference: str) -> str:
    """The author part at the start of *reference* (for resolving "———.").

    The tokens the reference parser labels as authors: in a notes-bibliography list
    the year comes last and full stops end initials too, so neither marks where
    "Said, Edward W. Orientalism. New York: Pantheon, 1978." stops naming people.
    """
    words: list[str] = []
    for token, tag in label(reference):
        if tag == "author":
            words.append(token)
        elif words or tag != "citation-number":
            break
    if words:
        authors = " ".join(words).rstrip(" ,;:")
        return authors if re.search(r"\b\w\.$", authors) else authors.rstrip(".")  # "Edward W." keeps its stop
    match = _AUTHORS_END.search(reference)
    if match and match.start() > 0:
        return reference[:match.start()].rstrip(" .,")
    # No year or quote: authors end at the first ". " that follows a word, not an initial.
    match = re.search(r"(?<=\w\w)\.\s", reference)
    return reference[:match.start()] if match else reference


def parse_references(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse a list of reference strings lazily, in order (the model is loaded once, strings
    are labelled BATCH at a time); an entry opening with "———." has the authors of the entry before it."""
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
