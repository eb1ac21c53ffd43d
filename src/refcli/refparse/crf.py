"""The feature CRF's scores and marginals in numpy, batched.

The linear-chain CRF is trained by python-crfsuite (``scripts/train_refparse.py``)
and exported to ``crf.npz``: its attributes (feature strings), their non-zero
weights per label and the label transitions. Scoring a batch here costs a fraction
of crfsuite's per-string calls, and, unlike crfsuite's one-call-per-token-and-label
``marginal``, gives every token's label probabilities at once, which the ensemble
with the network needs (``refcli.refparse.label_many``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from pathlib import Path

from refcli.refparse.network import np  # numpy as network.py loads it (one BLAS thread)


class LinearCRF:
    """State weights (attribute x label), transitions (label x label), labels."""

    def __init__(self, index: dict[str, int], weights: np.ndarray, trans: np.ndarray, labels: Sequence[str]) -> None:
        self.index = index  # attribute -> its row of weights; row 0: an unknown attribute, all zero
        self.weights = weights
        self.trans = trans
        self.labels = list(labels)

    @classmethod
    def load(cls, path: Path) -> LinearCRF:
        with np.load(path, allow_pickle=False) as data:
            labels = str(data["labels"]).split("\n")
            attributes = str(data["attributes"]).split("\n")
            weights = np.zeros((len(attributes) + 1, len(labels)), np.float32)
            weights[data["rows"], data["cols"]] = data["values"]
            index = {a: i for i, a in enumerate(attributes, 1)}
            return cls(index, weights, data["trans"].astype(np.float32), labels)

    def reordered(self, labels: Sequence[str]) -> LinearCRF:
        """The same model with its labels in the given order (the network's)."""
        perm = [self.labels.index(x) for x in labels]
        return LinearCRF(self.index, self.weights[:, perm], self.trans[np.ix_(perm, perm)], labels)

    def scores(self, feature_lists: Sequence[Sequence[Sequence[str]]]) -> np.ndarray:
        """State scores (N, L) of all the tokens of the strings, string after string."""
        tokens = [feats for features in feature_lists for feats in features]
        counts = np.fromiter(map(len, tokens), np.int64, len(tokens))
        flat = np.fromiter(map(self.index.get, chain.from_iterable(tokens), repeat(0)), np.int64, int(counts.sum()))
        # tokens have 30-80 attributes: lay them out (K, N), padded with the zero row, and add
        # K slabs of (N, L); numpy's per-segment reduceat is several times slower
        starts = np.cumsum(counts) - counts
        token = np.repeat(np.arange(len(tokens)), counts)
        table = np.zeros((int(counts.max()), len(tokens)), np.int64)
        table[np.arange(len(flat)) - starts[token], token] = flat
        out = self.weights[table[0]].copy()
        for row in table[1:]:
            out += self.weights[row]
        return out


def marginals(scores: np.ndarray, lengths: np.ndarray, active: np.ndarray, trans: np.ndarray,
              start: np.ndarray | float = 0.0, end: np.ndarray | float = 0.0) -> np.ndarray:
    """Per-token label probabilities ([M,] B, T, L) under linear-chain CRFs, from padded
    scores of strings sorted longest first (``lengths``; ``active[t]`` of them have a token t).
    With a leading axis M, M models (their own ``trans``, ``start``, ``end``) run in the same
    steps: the ensemble's two labellers cost one loop.

    Scaled forward-backward in probability space: one small matrix product per step
    instead of a log-sum-exp over (B, L, L); every step is normalised, so nothing overflows.
    Positions past a string's length are junk.
    """
    if scores.ndim == 3:
        return marginals(scores[None], lengths, active, np.asarray(trans)[None], np.asarray(start)[None],
                         np.asarray(end)[None])[0]
    n_models, n_batch, n_steps, n_labels = scores.shape
    start = np.broadcast_to(start, (n_models, n_labels))[:, None]
    end = np.broadcast_to(end, (n_models, n_labels))[:, None]
    # float32, each factor kept >= 1e-12 so a product of two (times a normalised alpha, >= 1/L
    # at its top) never underflows to an all-zero row; a label that improbable stays ~0
    emit = np.maximum(np.exp(scores - scores.max(axis=3, keepdims=True), dtype=np.float32), 1e-12)
    step = np.maximum(np.exp(trans - trans.max(axis=(1, 2), keepdims=True), dtype=np.float32), 1e-12)
    back = step.transpose(0, 2, 1).copy()
    alpha = np.ones(emit.shape, np.float32)  # past a string's end: junk, but no 0/0
    beta = np.ones(emit.shape, np.float32)
    first = np.exp(start) * emit[:, :, 0]
    alpha[:, :, 0] = first / first.sum(axis=2, keepdims=True)
    for t in range(1, n_steps):
        k = active[t]
        a = (alpha[:, :k, t - 1] @ step) * emit[:, :k, t]
        alpha[:, :k, t] = a / a.sum(axis=2, keepdims=True)
    beta[:, np.arange(n_batch), np.maximum(lengths - 1, 0)] = np.exp(end)
    for t in range(n_steps - 2, -1, -1):
        k = active[t + 1]  # the strings with a token after t
        b = (emit[:, :k, t + 1] * beta[:, :k, t + 1]) @ back
        beta[:, :k, t] = b / b.sum(axis=2, keepdims=True)
    out = alpha * beta
    return out / out.sum(axis=3, keepdims=True)


def export(model: Path, out: Path) -> None:
    """crfsuite model -> crf.npz (its text dump read back; only attributes with a weight kept)."""
    import tempfile

    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "dump.txt"
        tagger.dump(str(dump))
        lines = dump.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    labels = tagger.labels()
    label_index = {x: i for i, x in enumerate(labels)}
    trans = np.zeros((len(labels), len(labels)), np.float32)
    attributes: dict[str, int] = {}
    rows, cols, values = [], [], []
    section = ""
    for line in lines:
        if line.endswith("= {"):
            section = line.split()[0]
            continue
        if " --> " not in line or section not in ("TRANSITIONS", "STATE_FEATURES"):
            continue
        left, right = line.split(") ", 1)[1].rsplit(" --> ", 1)
        label, weight = right.rsplit(": ", 1)
        if section == "TRANSITIONS":
            trans[label_index[left], label_index[label]] = float(weight)
        else:
            rows.append(attributes.setdefault(left, len(attributes)) + 1)
            cols.append(label_index[label])
            values.append(float(weight))
    np.savez_compressed(out, labels=np.array("\n".join(labels)), attributes=np.array("\n".join(attributes)),
                        rows=np.array(rows, np.int32), cols=np.array(cols, np.int8),
                        values=np.array(values, np.float32), trans=trans)
