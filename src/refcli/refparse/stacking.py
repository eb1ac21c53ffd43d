"""Second-pass features: what the first labeller predicted, around a token and across the string.

A linear-chain CRF sees a token's neighbours and the label just before it, not the
shape of the whole reference: "a journal was already predicted, so this second
quoted block is not one", "the date came before this block", "this is the second
title-span". The second model (stacked, ``model2.crfsuite``) gets the first
model's labels and confidences as features, so it can learn those long-range
patterns. It is trained on first-pass predictions made by models that did not
see the string (cross-fitted halves in ``scripts/train_refparse.py``), so its
inputs look like the ones it gets at parse time.
"""

from __future__ import annotations

from typing import Any

# Labels whose position relative to a token says something about its field.
_ORDER_LABELS = frozenset(("author", "date", "title", "journal", "container-title", "editor", "publisher",
                           "location", "volume", "pages", "note", "edition", "collection-title", "genre"))
_NEIGHBOURS = (-2, -1, 1, 2)


def _confidence(p: float) -> str:
    return "lo" if p < 0.5 else "mid" if p < 0.8 else "hi" if p < 0.97 else "sure"


def first_pass(tagger: Any, xseq: list[list[str]]) -> tuple[list[str], list[float], list[str | None]]:
    """The first model's labels, their marginals, and the runner-up label where it hesitated."""
    labels = tagger.tag(xseq)
    marginals = [tagger.marginal(y, i) for i, y in enumerate(labels)]
    alts: list[str | None] = [None] * len(labels)
    candidates = None
    for i, p in enumerate(marginals):
        if p < 0.9:  # only where unsure: the full table of marginals is the costly part
            candidates = candidates or tagger.labels()
            best, alt = 0.0, None
            for y in candidates:
                if y != labels[i]:
                    q = tagger.marginal(y, i)
                    if q > best:
                        best, alt = q, y
            alts[i] = alt
    return labels, marginals, alts


def stacked_features(base: list[list[str]], labels: list[str], marginals: list[float],
                     alts: list[str | None]) -> list[list[str]]:
    """``base`` (the first pass's features, extended in place) plus the first pass's opinion."""
    n = len(labels)
    # Spans: runs of one predicted label.
    span_of: list[int] = []
    spans: list[tuple[str, int, int]] = []  # label, start, end (exclusive)
    for i, y in enumerate(labels):
        if not spans or spans[-1][0] != y:
            spans.append((y, i, i + 1))
        else:
            spans[-1] = (y, spans[-1][1], i + 1)
        span_of.append(len(spans) - 1)
    # For each span: how many earlier spans carried its label, which labels lie before / after it.
    nth: list[int] = []
    seen_count: dict[str, int] = {}
    before: list[list[str]] = []
    seen: list[str] = []
    for y, _, _ in spans:
        nth.append(seen_count.get(y, 0))
        seen_count[y] = seen_count.get(y, 0) + 1
        before.append([f"s:bef={x}" for x in seen])
        if y in _ORDER_LABELS and y not in seen:
            seen.append(y)
    after: list[list[str]] = [[] for _ in spans]
    seen = []
    for k in range(len(spans) - 1, -1, -1):
        y = spans[k][0]
        after[k] = [f"s:aft={x}" for x in seen]
        if y in _ORDER_LABELS and y not in seen:
            seen.append(y)
    span_feats = []
    for k, (y, start, end) in enumerate(spans):
        length = end - start
        f = [f"s:nth={y}|{min(nth[k], 2)}", f"s:slen={length if length < 4 else 4 if length < 8 else 8}",
             f"s:P={spans[k - 1][0] if k else 'BOS'}|{y}", f"s:N={y}|{spans[k + 1][0] if k + 1 < len(spans) else 'EOS'}",
             f"s:PP={spans[k - 2][0] if k > 1 else 'BOS'}", f"s:NN={spans[k + 2][0] if k + 2 < len(spans) else 'EOS'}",
             *before[k], *after[k]]
        span_feats.append(f)
    blocks = 0  # full-stop blocks ("seglast", see features._segments) crossed since the span began
    for i, f in enumerate(base):
        y = labels[i]
        k = span_of[i]
        if i == spans[k][1]:
            blocks = 0
        # "Lady freedom among us. The Electronic Text Center.": a title span running on into
        # a second block is often a title and its container.
        f.append(f"s:blk={y}|{min(blocks, 2)}")
        if "seglast" in f:
            blocks += 1
        f.append(f"s:L0={y}")
        f.append(f"s:L0c={y}|{_confidence(marginals[i])}")
        if alts[i]:
            f.append(f"s:alt={alts[i]}")
            f.append(f"s:pair={y}|{alts[i]}")
        for offset in _NEIGHBOURS:
            j = i + offset
            f.append(f"s:L{offset}={labels[j]}" if 0 <= j < n else f"s:L{offset}=_")
        if i == spans[k][1]:
            f.append("s:spanfirst")
        if i == spans[k][2] - 1:
            f.append("s:spanlast")
        f.extend(span_feats[k])
    return base
