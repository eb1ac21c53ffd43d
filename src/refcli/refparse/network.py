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

    def encode(self, token: str, feats: Sequence[str]) -> TokenIds:
        from refcli.refparse.features import core_word

        word = core_word(token) or token.lower()
        word_id = self.words.get(word)
        if word_id is None:
            word_id = 1 + len(self.words) + stable_hash(word) % WORD_BUCKETS
        get = self.chars.get
        chars = [_BOW, *(get(c, _UNK) for c in token[:CHAR_WINDOW - 2]), _EOW]
        feat_ids = [stable_hash(f) % self.feature_buckets for f in feats[:FEATURES]]
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
        self._vectors: dict[str, np.ndarray] = {}

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

    def _lstm(self, pre: np.ndarray, active: np.ndarray, prefix: str) -> np.ndarray:
        """One LSTM direction over (B, T, 4H) input projections, strings sorted longest first:
        step t updates only the ``active[t]`` strings still running (gates i, f, o, g)."""
        w_hh = self.w[prefix + "w_hh"]
        n_batch, n_steps, _ = pre.shape
        hidden = w_hh.shape[0]
        h = np.zeros((n_batch, hidden), np.float32)
        c = np.zeros((n_batch, hidden), np.float32)
        out = np.zeros((n_batch, n_steps, hidden), np.float32)
        for t in range(n_steps):
            k = active[t]
            gates = pre[:k, t] + h[:k] @ w_hh
            ifo = _sigmoid(gates[:, :3 * hidden])
            c[:k] = ifo[:, hidden:2 * hidden] * c[:k] + ifo[:, :hidden] * np.tanh(gates[:, 3 * hidden:])
            h[:k] = ifo[:, 2 * hidden:] * np.tanh(c[:k])
            out[:k, t] = h[:k]
        return out

    def vectors(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Input vectors of all the tokens, string after string. A token's vector depends on
        the token alone, so it is computed once and cached (reference lists repeat words)."""
        cache = self._vectors
        new = list(dict.fromkeys(t for tokens in token_lists for t in tokens if t not in cache))
        if len(cache) + len(new) > 100_000:
            cache.clear()
            new = list(dict.fromkeys(t for tokens in token_lists for t in tokens))
        if new:
            rows = self.token_vectors(Batch([[self.encoder.token(t) for t in new]]))
            cache.update(zip(new, rows, strict=True))
        return np.stack([cache[t] for tokens in token_lists for t in tokens])

    def emissions(self, vectors: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Label scores (B, T, L) of the strings (``lengths`` tokens each, their vectors in a row)
        sorted longest first, with their lengths and the order (index into the batch) they are in."""
        w = self.w
        order = np.argsort(-lengths, kind="stable")
        starts = (np.cumsum(lengths) - lengths)[order]
        lengths = lengths[order]
        steps = np.arange(int(lengths[0]))
        mask = steps[None, :] < lengths[:, None]
        active = mask.sum(axis=0)
        forward = np.where(mask, starts[:, None] + steps[None, :], 0)
        backward = np.where(mask, starts[:, None] + lengths[:, None] - 1 - steps[None, :], 0)
        pre = vectors @ w["w_ih"] + w["b"]
        gates = pre.shape[1] // 2
        hidden = np.zeros((len(vectors), gates // 2), np.float32)
        half = hidden.shape[1] // 2
        # the backward direction reads each string from its own last token
        hidden[forward[mask], :half] = self._lstm(pre[:, :gates][forward], active, "fw_")[mask]
        hidden[backward[mask], half:] = self._lstm(pre[:, gates:][backward], active, "bw_")[mask]
        scores = hidden @ w["out_w"] + w["out_b"]
        return scores[forward], lengths, active

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
        return self._decode(self.vectors(token_lists), lengths)

    def tag_encoded(self, encoded: Sequence[Sequence[TokenIds]]) -> list[list[str]]:
        """Labels of strings given as token ids (training's check, with its own features)."""
        batch = Batch(encoded)
        return self._decode(self.token_vectors(batch), batch.lengths)

    def _decode(self, vectors: np.ndarray, lengths: np.ndarray) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in lengths]
        if not lengths.any():
            return out
        scores, sorted_lengths, active = self.emissions(vectors, lengths)
        order = np.argsort(-lengths, kind="stable")
        labels = self.labels
        for b, n, row in zip(order.tolist(), sorted_lengths.tolist(), self.viterbi(scores, active).tolist(),
                             strict=True):
            out[b] = [labels[k] for k in row[:n]]
        return out


def marginals(scores: np.ndarray, lengths: np.ndarray, trans: np.ndarray, start: np.ndarray,
              end: np.ndarray) -> np.ndarray:
    """Per-token label probabilities under a linear-chain CRF (forward-backward in log space),
    padded (B, T, L); used to average the network with the feature CRF."""
    n_batch, n_steps, n_labels = scores.shape
    alpha = np.zeros(scores.shape, np.float64)
    beta = np.zeros(scores.shape, np.float64)
    alpha[:, 0] = start + scores[:, 0]
    for t in range(1, n_steps):
        alpha[:, t] = _logsumexp(alpha[:, t - 1, :, None] + trans[None], axis=1) + scores[:, t]
    last = np.maximum(lengths - 1, 0)
    rows = np.arange(n_batch)
    beta[rows, last] = end
    for t in range(n_steps - 2, -1, -1):
        inner = _logsumexp(trans[None] + (scores[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
        beta[:, t] = np.where((t < last)[:, None], inner, beta[:, t])
    log_z = _logsumexp(alpha[rows, last] + end, axis=1)
    return np.exp(alpha + beta - log_z[:, None, None])


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))).squeeze(axis)
