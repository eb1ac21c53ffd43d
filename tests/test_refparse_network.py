"""The neural labeller's numpy forward pass: equal to torch's, batch-independent, exact Viterbi."""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

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


def _brute_force(scores, trans, start, end):
    best, path = -np.inf, None
    for tags in itertools.product(range(scores.shape[1]), repeat=len(scores)):
        value = start[tags[0]] + end[tags[-1]] + sum(scores[i, t] for i, t in enumerate(tags))
        value += sum(trans[a, b] for a, b in itertools.pairwise(tags))
        if value > best:
            best, path = value, list(tags)
    return path


def test_viterbi_finds_the_best_path():
    net = Network(tiny_weights())
    rng = np.random.default_rng(3)
    lengths = np.array([5, 4, 2, 1])  # sorted longest first, as emissions returns them
    scores = rng.normal(0, 2, (4, 5, 3)).astype(np.float32)
    active = (np.arange(5)[None, :] < lengths[:, None]).sum(axis=0)
    paths = net.viterbi(scores, active)
    w = net.w
    for b, n in enumerate(lengths):
        assert paths[b, :n].tolist() == _brute_force(scores[b, :n], w["trans"], w["start"], w["end"])


def test_tag_of_a_batch_equals_tag_one_by_one():
    net = Network(tiny_weights(seed=5))
    enc = encoded(net)
    assert net.tag_encoded(enc) == [net.tag_encoded([e])[0] for e in enc]
    assert [len(x) for x in net.tag_encoded(enc)] == [5, 1, 3]


def test_numpy_equals_torch_export():
    """With torch installed (the training venv), the exporter's layout matches the forward pass."""
    torch = pytest.importorskip("torch")
    import argparse

    sys.path.insert(0, str(ROOT / "scripts"))
    from train_refparse_nn import build_encoder, export, make_model

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
