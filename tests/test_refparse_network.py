"""The neural labeller's numpy forward pass (equal to torch's, batch-independent) and the CRF marginals."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from refcli.refparse.crf import marginals
from refcli.refparse.network import CHAR_WIDTH, WORD_BUCKETS, Batch, Layout, Network

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["smith", "title", "journal"]
CHARS = "abcdefghijklmnopqrstuvwxyzJST.,()0123456789"
# (tokens, each token's features): explicit, so the test does not depend on features.py or the lexicon
STRINGS = [(["Smith,", "J.", "Title.", "Journal", "3(2)."],
            [["w=smith", "cap", "end=,"], ["initials", "cap"], ["w=title", "end=."], ["w=journal", "dict=journal"],
             ["hasdigit", "range"]]),
           (["Title"], [["w=title", "cap"]]),
           (["x", "y", "Journal"], [["w=x"], ["w=y"], ["w=journal", "cap"]])]
# Emissions of these strings computed once by the torch model of scripts/train_refparse_nn.py
# (make_model) holding the same weights (build with torch: see test_numpy_equals_torch_export).
TORCH_EMISSIONS = [
    [[-1.01714, -0.48950, 0.01278], [-0.90633, -0.23993, 0.27733], [-1.14827, -0.17101, 0.23553],
     [-1.13968, -0.14381, -0.02464], [-0.73315, 0.02510, 0.57901]],
    [[-1.22958, -0.51567, 0.25151]],
    [[-1.22563, -0.05666, 0.01748], [-1.21904, -0.24314, -0.10399], [-1.36492, -0.31621, 0.02929]],
]


def tiny_weights(seed: int = 0) -> dict:
    """A small random model in the layout the training script exports."""
    rng = np.random.default_rng(seed)
    dw, dc, nf, df, hidden, n_labels, buckets = 4, 3, 5, 4, 6, 3, 31

    def r(*shape):
        return rng.normal(0, 0.5, shape).astype(np.float32)

    w = {"word": r(1 + len(WORDS) + WORD_BUCKETS, dw), "char": r(4 + len(CHARS), dc), "feat": r(buckets + 1, df),
         "conv_w": r(CHAR_WIDTH * dc, nf), "conv_b": r(nf), "out_w": r(2 * hidden, n_labels), "out_b": r(n_labels),
         "trans": r(n_labels, n_labels), "start": r(n_labels), "end": r(n_labels)}
    w["word"][0] = w["char"][0] = w["feat"][buckets] = 0
    for prefix in ("fw_", "bw_"):
        w[prefix + "w_ih"], w[prefix + "w_hh"] = r(dw + nf + df, 4 * hidden), r(hidden, 4 * hidden)
        w[prefix + "b"] = r(4 * hidden)
    w.update(labels=np.array("a\nb\nc"), words=np.array("\n".join(WORDS)), chars=np.array(CHARS),
             feature_buckets=np.array(buckets))
    return w


def encoded(net, strings=STRINGS):
    return [[net.encoder.encode(t, f) for t, f in zip(tokens, feats, strict=True)] for tokens, feats in strings]


def emissions_by_string(net, strings=STRINGS):
    enc = encoded(net, strings)
    batch = Batch(enc)
    layout = Layout(batch.lengths)
    scores = net.emissions(net.project(net.token_vectors(batch)), layout)
    out = [None] * len(enc)
    for r, b in enumerate(layout.order):
        out[b] = scores[r, :layout.lengths[r]]
    return out


def test_numpy_forward_equals_torch():
    net = Network(tiny_weights())
    for got, want in zip(emissions_by_string(net), TORCH_EMISSIONS, strict=True):
        assert np.allclose(got, np.array(want), atol=2e-5)


def test_emissions_do_not_depend_on_batch_or_padding():
    net = Network(tiny_weights())
    together = emissions_by_string(net)
    for k, string in enumerate(STRINGS):
        alone = emissions_by_string(net, [string])[0]
        assert np.allclose(alone, together[k], atol=1e-6)
    reordered = emissions_by_string(net, STRINGS[::-1])[::-1]
    for a, b in zip(reordered, together, strict=True):
        assert np.allclose(a, b, atol=1e-6)


def test_unknown_words_and_characters_are_encoded_not_rejected():
    net = Network(tiny_weights())
    word, chars, feats = net.encoder.encode("Ünknöwn—word", ["never-seen-feature"])
    assert 1 + len(WORDS) <= word < net.encoder.n_words  # a hashed bucket
    assert chars[0] == 1 and 3 in chars  # begin mark, unknown characters
    assert feats[0] < 31 and set(feats[1:]) == {31}  # one hashed feature, the rest the zero row


def _brute_force_marginals(scores, trans, start, end):
    """Every label path scored and weighed (softmax over paths), summed per token and label."""
    n, n_labels = scores.shape
    paths = list(itertools.product(range(n_labels), repeat=n))
    values = np.array([start[p[0]] + end[p[-1]] + sum(scores[i, t] for i, t in enumerate(p))
                       + sum(trans[a, b] for a, b in itertools.pairwise(p)) for p in paths])
    weights = np.exp(values - values.max())
    probs = np.zeros((n, n_labels))
    for p, weight in zip(paths, weights, strict=True):
        probs[np.arange(n), p] += weight
    return probs / probs.sum(axis=1, keepdims=True)


def test_marginals_equal_brute_force_for_strings_of_every_length():
    rng = np.random.default_rng(3)
    lengths = np.array([5, 4, 2, 1])  # sorted longest first, as a Layout lays them out
    active = (np.arange(5)[None, :] < lengths[:, None]).sum(axis=0)
    scores = rng.normal(0, 3, (4, 5, 3))
    trans, start, end = rng.normal(0, 2, (3, 3)), rng.normal(0, 1, 3), rng.normal(0, 1, 3)
    probs = marginals(scores, lengths, active, trans, start, end)
    for b, n in enumerate(lengths):
        assert np.allclose(probs[b, :n], _brute_force_marginals(scores[b, :n], trans, start, end), atol=1e-9)
    # without start/end scores (the feature CRF has none), and with huge scores: no overflow
    big = marginals(scores * 200, lengths, active, trans)
    assert np.isfinite(big).all()
    assert np.allclose(big[0, :5], _brute_force_marginals(scores[0] * 200, trans, np.zeros(3), np.zeros(3)),
                       atol=1e-6)


def test_layout_sorts_longest_first_and_indexes_rows():
    layout = Layout(np.array([2, 0, 3]))
    assert layout.order.tolist() == [2, 0, 1]
    assert layout.lengths.tolist() == [3, 2, 0] and layout.active.tolist() == [2, 2, 1]
    assert layout.index[0].tolist() == [2, 3, 4] and layout.index[1, :2].tolist() == [0, 1]


def test_numpy_equals_torch_export():
    """With torch installed (the training venv), the exporter's layout matches the forward pass."""
    torch = pytest.importorskip("torch")
    import argparse

    from scripts.train_refparse_nn import build_encoder, export, make_model

    torch.manual_seed(0)
    sequences = [(tokens, [feats], ["a"] * len(tokens)) for tokens, feats in STRINGS]
    encoder = build_encoder(sequences, 1, 1, 31)
    args = argparse.Namespace(word_dim=4, char_dim=3, char_filters=5, feat_dim=4, hidden=6, dropout=0.0)
    model = make_model(torch, encoder, 3, args)
    for name, p in model.named_parameters():
        if name != "feat.weight":
            torch.nn.init.normal_(p, std=0.5)
    model.eval()
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "tiny.npz"
    export(model, encoder, ["a", "b", "c"], path)
    net = Network.load(path)
    with torch.no_grad():
        for name in ("word", "char", "feat"):  # the export stores embeddings in float16
            weight = getattr(model, name).weight
            weight.copy_(weight.half().float())
        enc = encoded(net)
        want = model.emissions(Batch(enc)).numpy()
    for k, got in enumerate(emissions_by_string(net)):
        assert np.allclose(got, want[k, :len(got)], atol=1e-5)


REFERENCES = [
    "LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. Nature, 521(7553), 436–444.",
    "Hochreiter S, Schmidhuber J. Long short-term memory. Neural Comput. 1997;9(8):1735-80.",
    "Goodfellow, Ian, Yoshua Bengio, and Aaron Courville. 2016. Deep Learning. Cambridge, MA: MIT Press.",
    "",
    "Кистанов В.О. Треугольник Япония — США — Южная Корея // Проблемы Дальнего Востока. 2024. № 2. С. 7–20.",
    "x",
]


def test_shipped_labels_do_not_depend_on_the_batch():
    from refcli.refparse import label, label_many

    together = label_many(REFERENCES)
    assert together == [label(text) for text in REFERENCES]
    assert label_many(REFERENCES[::-1])[::-1] == together
    assert together[3] == [] and [t for t, _ in together[0]][:2] == ["LeCun,", "Y.,"]
    assert together[0][0][1] == "author" and together[0][7] == ("(2015).", "date")


def test_parse_references_batches_lazily_with_the_same_items(monkeypatch):
    import refcli.refparse as refparse

    monkeypatch.setattr(refparse, "BATCH", 2)
    streamed = refparse.parse_references(iter(REFERENCES))
    first = next(streamed)  # the first batch is parsed before the rest is read
    assert first == refparse.parse_reference(REFERENCES[0])
    assert [first, *streamed] == [refparse.parse_reference(text) for text in REFERENCES]
