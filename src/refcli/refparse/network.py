"""The neural token labeller's forward pass, in numpy (no torch at run time).

A BiLSTM-CRF trained by ``scripts/train_refparse_nn.py`` reads each token through
three inputs: a word embedding (lower-cased word; rare words share a few hashed
buckets), a character CNN (max-pooled over a fixed window, so a token's vector
never depends on the other tokens of its batch), and the token's own hand-made
features (``features.own_features``) hashed into a summed embedding. A token's
input depends on the token alone, so it is computed once and cached; the BiLSTM
then reads whole strings. ``refcli.refparse.label_many`` averages its label
probabilities with the feature CRF's (``crf.py``). Strings come in batches, sorted
longest first (``Layout``); each step touches only the strings still running, so a
string's labels never depend on the batch it came in.

numpy is imported here, and this module is imported only on the parse path.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from itertools import repeat
from pathlib import Path
from typing import cast

# The matrices here are small (a batch by a few hundred): BLAS threads only contend, and on a
# busy machine they made the forward pass ten times slower. Set before numpy loads BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from refcli.refparse.features import core_word, own_features, shipped_lexicon  # noqa: E402

WORD_BUCKETS = 64  # rows shared by words outside the vocabulary, by a hash of the word
CHAR_WINDOW = 20  # begin mark + up to 18 characters + end mark, zero-padded
CHAR_WIDTH = 3  # char CNN filter width
FEATURES = 24  # a token's own features, padded with the zero row (it has 7-20)
_BOW, _EOW, _UNK = 1, 2, 3  # char ids; 0 pads; real characters from 4

INPUT_CACHE = 30_000  # tokens whose projected inputs are kept (float16, 1.5 kB each at hidden 96)

TokenIds = tuple[int, tuple[int, ...], tuple[int, ...]]


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (Python's ``hash`` of a str is salted)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class Encoder:
    """Token -> word id, char ids and feature ids, exactly as in training."""

    def __init__(self, words: Sequence[str], chars: str, feature_buckets: int) -> None:
        self.words = {w: i + 1 for i, w in enumerate(words)}  # 0 pads
        self.chars = {c: i + 4 for i, c in enumerate(chars)}
        self.feature_buckets = feature_buckets  # + one zero row (the padding) at the end
        self.n_words = 1 + len(words) + WORD_BUCKETS
        self.n_chars = 4 + len(chars)
        self._feature_ids: dict[str, int] = {}  # feature -> bucket: "cap", "end=," recur endlessly

    def encode(self, token: str, feats: Sequence[str]) -> TokenIds:
        word = core_word(token) or token.lower()
        word_id = self.words.get(word)
        if word_id is None:
            word_id = 1 + len(self.words) + stable_hash(word) % WORD_BUCKETS
        chars = [_BOW, *map(self.chars.get, token[:CHAR_WINDOW - 2], repeat(_UNK)), _EOW]
        known = self._feature_ids
        if len(known) > 200_000:
            known.clear()
        feat_ids = list(map(known.get, feats[:FEATURES]))
        if None in feat_ids:
            feat_ids = [known.setdefault(f, stable_hash(f) % self.feature_buckets) if i is None else i
                        for f, i in zip(feats, feat_ids, strict=False)]
        return (word_id, tuple(chars + [0] * (CHAR_WINDOW - len(chars))),
                tuple(cast("list[int]", feat_ids) + [self.feature_buckets] * (FEATURES - len(feat_ids))))

    def token(self, token: str) -> TokenIds:
        """Ids of a token with its features from the shipped lexicon."""
        return self.encode(token, own_features(token, shipped_lexicon()))


class Batch:
    """Encoded strings: one row per token (all strings' tokens in a row) and each string's length."""

    def __init__(self, encoded: Sequence[Sequence[TokenIds]]) -> None:
        self.lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
        flat = [t for ids in encoded for t in ids]
        self.words = np.array([t[0] for t in flat], dtype=np.int64)
        self.chars = np.array([t[1] for t in flat], dtype=np.int64).reshape(-1, CHAR_WINDOW)
        self.feats = np.array([t[2] for t in flat], dtype=np.int64).reshape(-1, FEATURES)


class Layout:
    """Strings of a batch sorted longest first, for step-by-step passes that at step t touch
    only the ``active[t]`` strings still running; ``index[b, t]`` is the row of string b's
    token t among all the batch's tokens (string after string), 0 past its end."""

    def __init__(self, lengths: np.ndarray) -> None:
        self.order = np.argsort(-lengths, kind="stable")
        self.starts = (np.cumsum(lengths) - lengths)[self.order]
        self.lengths = lengths[self.order]
        self.steps = np.arange(int(self.lengths[0]) if len(lengths) else 0)
        self.mask = self.steps[None, :] < self.lengths[:, None]
        self.active = self.mask.sum(axis=0)
        self.index = np.where(self.mask, self.starts[:, None] + self.steps[None, :], 0)


class Network:
    """The trained weights (an ``.npz`` written by the training script) and the forward pass."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        w = {k: np.asarray(v, dtype=np.float32) if v.dtype.kind == "f" else v for k, v in weights.items()}
        self.labels: list[str] = str(weights["labels"]).split("\n")
        words = str(weights["words"]).split("\n") if str(weights["words"]) else []
        self.encoder = Encoder(words, str(weights["chars"]), int(weights["feature_buckets"]))
        for prefix in ("fw_", "bw_"):
            # gates reordered i, f, o, g (one sigmoid over a contiguous slice) and i, f, o halved:
            # sigmoid(x) = (tanh(x / 2) + 1) / 2, so the step needs no scaling of its own
            hidden = w[prefix + "w_hh"].shape[0]
            cols = np.r_[0:2 * hidden, 3 * hidden:4 * hidden, 2 * hidden:3 * hidden]
            scale = np.r_[np.full(3 * hidden, 0.5), np.ones(hidden)].astype(np.float32)
            for name in ("w_ih", "w_hh", "b"):
                w[prefix + name] = np.ascontiguousarray(w[prefix + name][..., cols] * scale)
        dc = w["char"].shape[1]  # each char's contribution to each filter at each of its CHAR_WIDTH taps
        w["char_taps"] = np.stack([w["char"] @ w["conv_w"][k * dc:(k + 1) * dc] for k in range(CHAR_WIDTH)])
        w["w_ih"] = np.concatenate([w["fw_w_ih"], w["bw_w_ih"]], axis=1)  # both directions in one product
        w["w_hh"] = np.stack([w["fw_w_hh"], w["bw_w_hh"]])
        w["b"] = np.concatenate([w["fw_b"], w["bw_b"]])
        self.w = w
        self._rows: dict[str, int] = {}  # token -> its row of _store (see inputs)
        self._store = np.empty((0, 0), np.float32)

    @classmethod
    def load(cls, path: Path) -> Network:
        with np.load(path, allow_pickle=False) as data:
            return cls({k: data[k] for k in data.files})

    def token_vectors(self, batch: Batch) -> np.ndarray:
        """Each token's input vector: word embedding, char CNN, sum of its features' embeddings
        (in chunks of 512 tokens, so the per-position temporaries stay in the CPU cache)."""
        if len(batch.words) > 512:
            return np.concatenate([self._token_vectors(batch.words[i:i + 512], batch.chars[i:i + 512],
                                                       batch.feats[i:i + 512])
                                   for i in range(0, len(batch.words), 512)])
        return self._token_vectors(batch.words, batch.chars, batch.feats)

    def _token_vectors(self, words: np.ndarray, chars: np.ndarray, feats: np.ndarray) -> np.ndarray:
        w = self.w
        # char CNN over a fixed window, max-pooled: a filter's response at a position is the sum
        # of what each character in its window contributes, looked up (char_taps, see __init__)
        width = CHAR_WINDOW - CHAR_WIDTH + 1
        taps = w["char_taps"]
        conv = taps[0][chars[:, :width]]
        for k in range(1, CHAR_WIDTH):
            conv += taps[k][chars[:, k:k + width]]
        char = np.tanh(conv.max(axis=1) + w["conv_b"])
        return np.concatenate([w["word"][words], char, w["feat"][feats].sum(axis=1)], axis=1)

    def _bilstm(self, pre: np.ndarray, layout: Layout) -> np.ndarray:
        """Both LSTM directions, stepped together: step t reads, for the ``k = active[t]``
        strings still running (sorted longest first), the input terms of token t (forward)
        and of token length-1-t (backward) from ``pre`` (N, 8H), and writes their states to
        the same rows of the result (N, 2H). Nothing padded is built (gates i, f, o, g)."""
        w_hh = self.w["w_hh"]  # (2, H, 4H)
        hidden = w_hh.shape[1]
        n = len(pre)
        inputs = pre.reshape(2 * n, 4 * hidden)  # row 2i: token i's forward terms, 2i + 1: its backward ones
        # the backward direction reads each string from its own last token
        rev = np.where(layout.mask, layout.starts[:, None] + layout.lengths[:, None] - 1 - layout.steps[None, :], 0)
        out = np.zeros((2 * n, hidden), np.float32)  # the same rows: as (N, 2H), both states of each token
        h = np.zeros((2, len(layout.index), hidden), np.float32)
        c = np.zeros_like(h)
        gates = np.empty((2, len(layout.index), 4 * hidden), np.float32)
        steps = np.concatenate([2 * layout.index.T[:, None], 2 * rev.T[:, None] + 1], axis=1)  # (T, 2, B)
        for t in range(len(layout.steps)):
            k = layout.active[t]
            rows = steps[t, :, :k].reshape(-1)
            g = gates[:, :k]  # every step in place: the arrays are small, passes over memory are the cost
            np.matmul(h[:, :k], w_hh, out=g)
            g += inputs[rows].reshape(2, k, -1)
            ifo, cand = g[:, :, :3 * hidden], g[:, :, 3 * hidden:]
            np.tanh(ifo, out=ifo)
            ifo += 1.0
            ifo *= 0.5
            np.tanh(cand, out=cand)
            cand *= ifo[:, :, :hidden]
            ck, hk = c[:, :k], h[:, :k]
            ck *= ifo[:, :, hidden:2 * hidden]
            ck += cand
            np.tanh(ck, out=hk)
            hk *= ifo[:, :, 2 * hidden:]
            out[rows] = hk.reshape(2 * k, hidden)
        return out.reshape(n, 2 * hidden)

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Input vectors -> both LSTM directions' input terms (N, 8H)."""
        return vectors @ self.w["w_ih"] + self.w["b"]

    def inputs(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Projected input vectors of all the tokens, string after string (float16). They depend on the
        token alone, so each is computed once and kept (reference lists repeat words; the
        projection is most of the network's arithmetic): rows of one array reserved for
        INPUT_CACHE tokens (growing it by copies cost more than the arithmetic it saves), in
        float16: half the memory traffic, steadier on a busy machine (dev labels unchanged)."""
        rows = self._rows
        new = list(dict.fromkeys(t for tokens in token_lists for t in tokens if t not in rows))
        if len(rows) + len(new) > INPUT_CACHE:
            rows.clear()
            new = list(dict.fromkeys(t for tokens in token_lists for t in tokens))
        if len(new) > INPUT_CACHE:  # one enormous batch: nothing kept
            return self.project(self.token_vectors(Batch([[self.encoder.token(t) for tokens in token_lists
                                                           for t in tokens]])))
        if new:
            fresh = self.project(self.token_vectors(Batch([[self.encoder.token(t) for t in new]])))
            if not len(self._store):  # reserved once: only the rows written are ever paged in
                self._store = np.empty((INPUT_CACHE, fresh.shape[1]), np.float16)
            start = len(rows)
            self._store[start:start + len(new)] = fresh
            rows.update(zip(new, range(start, start + len(new)), strict=True))
        total = sum(map(len, token_lists))
        return self._store[np.fromiter((rows[t] for tokens in token_lists for t in tokens), np.int64, total)]

    def emissions(self, pre: np.ndarray, layout: Layout) -> np.ndarray:
        """Label scores (B, T, L) of strings laid out by ``layout`` (their tokens' projected
        inputs in a row, see ``inputs``)."""
        return (self._bilstm(pre, layout) @ self.w["out_w"] + self.w["out_b"])[layout.index]
