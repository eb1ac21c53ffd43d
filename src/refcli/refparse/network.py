"""The neural token labeller's forward pass, in numpy (no torch at run time).

A BiLSTM-CRF trained by ``scripts/train_refparse_nn.py`` reads each token through
three inputs: a word embedding (lower-cased word; rare words share a few hashed
buckets), a character CNN (max-pooled over a fixed window, so a token's vector
never depends on the other tokens of its batch), and the token's hand-made CRF
features (``features.sequence_features``) hashed into an embedding bag - the
network keeps what the feature CRF knows and adds what a whole-string recurrent
reader sees. Strings are labelled in batches (padded per batch); every step is
masked or run per sequence length, so a string's labels never depend on the
batch it came in.

numpy is imported here, and this module is imported only on the parse path.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path

# The matrices here are small (a batch by a few hundred): BLAS threads only contend, and on a
# busy machine they made the forward pass ten times slower. Set before numpy loads BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

WORD_BUCKETS = 64  # rows shared by words outside the vocabulary, by a hash of the word
CHAR_WINDOW = 20  # begin mark + up to 18 characters + end mark, zero-padded
CHAR_WIDTH = 3  # char CNN filter width
FEATURES = 24  # a token's own features, padded with the zero row (it has 7-20)
_BOW, _EOW, _UNK = 1, 2, 3  # char ids; 0 pads; real characters from 4

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
        from refcli.refparse.features import core_word

        word = core_word(token) or token.lower()
        word_id = self.words.get(word)
        if word_id is None:
            word_id = 1 + len(self.words) + stable_hash(word) % WORD_BUCKETS
        get = self.chars.get
        chars = [_BOW, *(get(c, _UNK) for c in token[:CHAR_WINDOW - 2]), _EOW]
        known = self._feature_ids
        if len(known) > 200_000:
            known.clear()
        feat_ids = [known[f] if f in known else known.setdefault(f, stable_hash(f) % self.feature_buckets)
                    for f in feats[:FEATURES]]
        return (word_id, tuple(chars + [0] * (CHAR_WINDOW - len(chars))),
                tuple(feat_ids + [self.feature_buckets] * (FEATURES - len(feat_ids))))

    def token(self, token: str) -> TokenIds:
        """Ids of a token with its features from the shipped lexicon."""
        from refcli.refparse.features import own_features, shipped_lexicon

        return self.encode(token, own_features(token, shipped_lexicon()))


class Batch:
    """Encoded strings: one row per token (all strings' tokens in a row) and each string's length."""

    def __init__(self, encoded: Sequence[Sequence[TokenIds]]) -> None:
        self.lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
        flat = [t for ids in encoded for t in ids]
        self.words = np.array([t[0] for t in flat], dtype=np.int64)
        self.chars = np.array([t[1] for t in flat], dtype=np.int64).reshape(-1, CHAR_WINDOW)
        self.feats = np.array([t[2] for t in flat], dtype=np.int64).reshape(-1, FEATURES)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


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
        for prefix in ("fw_", "bw_"):  # gates reordered i, f, o, g: one sigmoid over a contiguous slice
            hidden = w[prefix + "w_hh"].shape[0]
            cols = np.r_[0:2 * hidden, 3 * hidden:4 * hidden, 2 * hidden:3 * hidden]
            for name in ("w_ih", "w_hh", "b"):
                w[prefix + name] = np.ascontiguousarray(w[prefix + name][..., cols])
        w["w_ih"] = np.concatenate([w["fw_w_ih"], w["bw_w_ih"]], axis=1)  # both directions in one product
        w["b"] = np.concatenate([w["fw_b"], w["bw_b"]])
        self.w = w
        self._inputs: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, path: Path) -> Network:
        with np.load(path, allow_pickle=False) as data:
            return cls({k: data[k] for k in data.files})

    def token_vectors(self, batch: Batch) -> np.ndarray:
        """Each token's input vector: word embedding, char CNN, sum of its features' embeddings."""
        w = self.w
        word = w["word"][batch.words]
        # char CNN over a fixed window: (N, window, dc) -> windows of CHAR_WIDTH -> filters -> max
        emb = w["char"][batch.chars]
        n, width = emb.shape[0], CHAR_WINDOW - CHAR_WIDTH + 1
        windows = np.concatenate([emb[:, k:k + width] for k in range(CHAR_WIDTH)], axis=2)
        conv = windows.reshape(n * width, -1) @ w["conv_w"] + w["conv_b"]
        char = np.tanh(conv.reshape(n, width, -1).max(axis=1))
        bag = w["feat"][batch.feats].sum(axis=1)
        return np.concatenate([word, char, bag], axis=1)

    def _lstm(self, pre: np.ndarray, index: np.ndarray, active: np.ndarray, prefix: str, out: np.ndarray) -> None:
        """One LSTM direction: step t reads the input terms of rows ``index[:k, t]`` of ``pre``
        for the ``k = active[t]`` strings still running (sorted longest first) and writes their
        states to the same rows of ``out`` (gates i, f, o, g). Nothing padded is built."""
        w_hh = self.w[prefix + "w_hh"]
        hidden = w_hh.shape[0]
        h = np.zeros((len(index), hidden), np.float32)
        c = np.zeros((len(index), hidden), np.float32)
        for t in range(index.shape[1]):
            k = active[t]
            rows = index[:k, t]
            gates = pre[rows] + h[:k] @ w_hh
            ifo = _sigmoid(gates[:, :3 * hidden])
            c[:k] = ifo[:, hidden:2 * hidden] * c[:k] + ifo[:, :hidden] * np.tanh(gates[:, 3 * hidden:])
            h[:k] = ifo[:, 2 * hidden:] * np.tanh(c[:k])
            out[rows] = h[:k]

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Input vectors -> both LSTM directions' input terms (N, 8H)."""
        return vectors @ self.w["w_ih"] + self.w["b"]

    def inputs(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Projected input vectors of all the tokens, string after string. They depend on the
        token alone, so each is computed once and cached (reference lists repeat words; the
        projection is most of the network's arithmetic). Bounded: ~2 kB a token."""
        cache = self._inputs
        new = list(dict.fromkeys(t for tokens in token_lists for t in tokens if t not in cache))
        if len(cache) + len(new) > 50_000:
            cache.clear()
            new = list(dict.fromkeys(t for tokens in token_lists for t in tokens))
        if new:
            rows = self.project(self.token_vectors(Batch([[self.encoder.token(t) for t in new]])))
            cache.update(zip(new, rows, strict=True))
        return np.stack([cache[t] for tokens in token_lists for t in tokens])

    def emissions(self, pre: np.ndarray, layout: Layout) -> np.ndarray:
        """Label scores (B, T, L) of strings laid out by ``layout`` (their tokens' projected
        inputs in a row, see ``inputs``)."""
        w = self.w
        gates = pre.shape[1] // 2
        half = gates // 4
        forward = np.zeros((len(pre), half), np.float32)
        backward = np.zeros((len(pre), half), np.float32)
        self._lstm(pre[:, :gates], layout.index, layout.active, "fw_", forward)
        # the backward direction reads each string from its own last token
        rev = np.where(layout.mask, layout.starts[:, None] + layout.lengths[:, None] - 1 - layout.steps[None, :], 0)
        self._lstm(pre[:, gates:], rev, layout.active, "bw_", backward)
        out_w = w["out_w"]
        return (forward @ out_w[:half] + backward @ out_w[half:] + w["out_b"])[layout.index]

    def viterbi(self, scores: np.ndarray, active: np.ndarray) -> np.ndarray:
        """Best label path (B, T) of strings sorted longest first (``active[t]`` of them have a
        token t) under the CRF's transition scores."""
        trans = self.w["trans"][None]
        n_batch, n_steps, _ = scores.shape
        best = self.w["start"] + scores[:, 0]
        back = np.zeros(scores.shape, np.int64)
        for t in range(1, n_steps):
            k = active[t]
            cand = best[:k, :, None] + trans
            arg = cand.argmax(axis=1)
            back[:k, t] = arg
            best[:k] = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0] + scores[:k, t]
        tags = np.zeros((n_batch, n_steps), np.int64)
        current = (best + self.w["end"]).argmax(axis=1)
        for t in range(n_steps - 1, -1, -1):
            tags[:, t] = current
            k = active[t]
            if t:
                current[:k] = back[np.arange(k), t, current[:k]]
        return tags

    def tag(self, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
        """Labels of each string's tokens (features from the shipped lexicon)."""
        if not any(token_lists):
            return [[] for _ in token_lists]
        lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
        return self._decode(self.inputs(token_lists), lengths)

    def tag_encoded(self, encoded: Sequence[Sequence[TokenIds]]) -> list[list[str]]:
        """Labels of strings given as token ids (training's check, with its own features)."""
        batch = Batch(encoded)
        return self._decode(self.project(self.token_vectors(batch)), batch.lengths)

    def _decode(self, pre: np.ndarray, lengths: np.ndarray) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in lengths]
        if not lengths.any():
            return out
        layout = Layout(lengths)
        scores = self.emissions(pre, layout)
        labels = self.labels
        for b, n, row in zip(layout.order.tolist(), layout.lengths.tolist(),
                             self.viterbi(scores, layout.active).tolist(), strict=True):
            out[b] = [labels[k] for k in row[:n]]
        return out

