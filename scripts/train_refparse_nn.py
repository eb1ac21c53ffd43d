#!/usr/bin/env python3
"""Train the neural token labeller (BiLSTM-CRF) of the reference parser, shipped as
``src/refcli/refparse/labeller.npz``.

    python3 -m venv /work/venv-train && /work/venv-train/bin/pip install torch==2.13.0  # CPU wheel
    /work/venv-train/bin/pip install -e . python-crfsuite numpy
    /work/venv-train/bin/python -m scripts.train_refparse_nn                  # ~5-6 min, one core
    /work/venv-train/bin/python -m scripts.train_refparse_nn --dev --out build/dev-net.npz

Torch is needed only here (the optional extra ``train``; never install an unpinned
``torch``, it pulls CUDA); the parser runs the forward pass in numpy
(``refcli.refparse.network``) and averages the network's label probabilities with the
feature CRF's (``refcli.refparse.label_many``). The training strings and their CRF
features are exactly the CRF's (``train_refparse.training_data``: the training splits of
AnyStyle, PLOS and LinkedBooks, PDF-damaged copies, mended labels, synthetic CSL/GOST
strings and reports, cross-fitted lexicon; the same options and defaults), never the
held-out split. One thread, seeded, batches in a seeded order: a rebuild gives the same weights.

Per token the network reads a word embedding (lower-cased; words seen once share 64
hashed buckets), a char CNN (16-dim chars, 48 filters of width 3, max-pooled) and the
token's own CRF features (``features.own_features``) hashed into 16k buckets of a
summed 32-dim embedding; a BiLSTM (96 per direction) reads the whole string and a CRF
layer scores label transitions. Adam 2e-3 (x0.9 an epoch), dropout 0.3, batches of
32, and the exported weights are an exponential moving average (0.998 a step).
With ``--dev`` the dev slice is left out and the averaged weights' token accuracy
printed after every epoch; ``benchmarks/refparse_eval.py --dev --model build/dev.crf.npz
--net build/dev-net.npz`` scores the pair.
Measured on the dev slice (headline / entirely correct, the average with the CRF; the
table is in benchmarks/refparse.md): hidden 96 0.908 / 54.5 %, 128 0.910 / 54.5 %, 64
0.905 / 52.5 %; without weight averaging 0.906 / 53.6 %; dev token accuracy peaks at
7-9 epochs with averaging. The network fed all the CRF's features (not only the
token's own) reached the same token accuracy at 4x the per-token cost.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

from refcli.refparse.features import core_word, sequence_features
from refcli.refparse.network import CHAR_WIDTH, Batch, Encoder
from refcli.refparse.split import record_dev, record_heldout
from scripts.train_refparse import (
    add_data_arguments,
    clean_labels,
    data_options,
    load,
    training_data,
)

ROOT = Path(__file__).resolve().parents[1]


def build_encoder(sequences: list, min_word: int, min_char: int, feature_buckets: int) -> Encoder:
    words: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for tokens, _feats, _labels in sequences:
        for token in tokens:
            words[core_word(token) or token.lower()] += 1
            chars.update(token)
    return Encoder(sorted(w for w, n in words.items() if n >= min_word),
                   "".join(sorted(c for c, n in chars.items() if n >= min_char)), feature_buckets)


def make_model(torch, encoder: Encoder, n_labels: int, args: argparse.Namespace):  # noqa: ANN001, ANN201
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word = nn.Embedding(encoder.n_words, args.word_dim, padding_idx=0)
            self.char = nn.Embedding(encoder.n_chars, args.char_dim, padding_idx=0)
            self.conv = nn.Conv1d(args.char_dim, args.char_filters, CHAR_WIDTH)
            self.feat = nn.Embedding(encoder.feature_buckets + 1, args.feat_dim, padding_idx=encoder.feature_buckets)
            nn.init.normal_(self.feat.weight, std=0.05)
            with torch.no_grad():
                self.feat.weight[encoder.feature_buckets].zero_()
            self.drop = nn.Dropout(args.dropout)
            self.lstm = nn.LSTM(args.word_dim + args.char_filters + args.feat_dim, args.hidden,
                                batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * args.hidden, n_labels)
            self.trans = nn.Parameter(torch.zeros(n_labels, n_labels))
            self.start = nn.Parameter(torch.zeros(n_labels))
            self.end = nn.Parameter(torch.zeros(n_labels))

        def emissions(self, batch: Batch):  # noqa: ANN201
            words = self.word(torch.from_numpy(batch.words))
            chars = self.char(torch.from_numpy(batch.chars)).transpose(1, 2)
            chars = torch.tanh(self.conv(chars).max(dim=2).values)
            bag = self.feat(torch.from_numpy(batch.feats)).sum(dim=1)
            x = self.drop(torch.cat([words, chars, bag], dim=1))
            lengths = torch.from_numpy(batch.lengths)
            padded = nn.utils.rnn.pad_sequence(torch.split(x, batch.lengths.tolist()), batch_first=True)
            packed = nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
            return self.out(self.drop(out))

        def nll(self, scores, tags, mask):  # noqa: ANN001, ANN201
            """Negative log-likelihood of the gold paths under the linear-chain CRF (summed)."""
            n_batch, n_steps, _ = scores.shape
            rows = torch.arange(n_batch)
            gold = self.start[tags[:, 0]] + scores[rows, 0, tags[:, 0]]
            alpha = self.start + scores[:, 0]
            for t in range(1, n_steps):
                live = mask[:, t]
                step = scores[rows, t, tags[:, t]] + self.trans[tags[:, t - 1], tags[:, t]]
                gold = gold + step * live
                nxt = torch.logsumexp(alpha[:, :, None] + self.trans[None], dim=1) + scores[:, t]
                alpha = torch.where(live[:, None], nxt, alpha)
            last = tags[rows, mask.sum(1) - 1]
            gold = gold + self.end[last]
            return (torch.logsumexp(alpha + self.end, dim=1) - gold).sum()

    return Net()


def export(model, encoder: Encoder, labels: list[str], path: Path) -> None:  # noqa: ANN001
    """Weights as numpy arrays, laid out for refcli.refparse.network (embeddings in float16)."""
    import numpy as np

    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    conv = sd["conv.weight"]  # (filters, char_dim, width) -> (width * char_dim, filters)
    words = sorted(encoder.words, key=encoder.words.get)
    chars = "".join(sorted(encoder.chars, key=encoder.chars.get))
    out = {
        "word": sd["word.weight"].astype(np.float16), "char": sd["char.weight"].astype(np.float16),
        "feat": sd["feat.weight"].astype(np.float16),
        "conv_w": conv.transpose(2, 1, 0).reshape(-1, conv.shape[0]), "conv_b": sd["conv.bias"],
        "out_w": sd["out.weight"].T.copy(), "out_b": sd["out.bias"],
        "trans": sd["trans"], "start": sd["start"], "end": sd["end"],
        "labels": np.array("\n".join(labels)), "words": np.array("\n".join(words)), "chars": np.array(chars),
        "feature_buckets": np.array(encoder.feature_buckets),
    }
    for prefix, suffix in (("fw_", ""), ("bw_", "_reverse")):
        out[prefix + "w_ih"] = sd[f"lstm.weight_ih_l0{suffix}"].T.copy()
        out[prefix + "w_hh"] = sd[f"lstm.weight_hh_l0{suffix}"].T.copy()
        out[prefix + "b"] = sd[f"lstm.bias_ih_l0{suffix}"] + sd[f"lstm.bias_hh_l0{suffix}"]
    np.savez_compressed(path, **out)


def own(feats: list[list[str]]) -> list[list[str]]:
    """Each token's own features out of its sequence features (they come first, up to "pos=")."""
    return [f[:next(i for i, x in enumerate(f) if x.startswith("pos="))] for f in feats]


def dev_sequences(data: Path, lexicon: dict[str, str]) -> list:
    return [(tokens, sequence_features(tokens, lexicon), clean_labels(tokens, labels))
            for r in load(data) if record_dev(r) and not record_heldout(r) and r["tokens"]
            for tokens, labels in [([t for t, _ in r["tokens"]], [lab for _, lab in r["tokens"]])]]


def accuracy(path: Path, sequences: list) -> float:
    """Token accuracy of the exported weights alone (numpy forward pass, most probable label)."""
    from refcli.refparse.crf import marginals
    from refcli.refparse.network import Layout, Network

    net = Network.load(path)
    right = total = 0
    for start in range(0, len(sequences), 256):
        chunk = sequences[start:start + 256]
        batch = Batch([[net.encoder.encode(t, f) for t, f in zip(tokens, own(feats), strict=True)]
                       for tokens, feats, _ in chunk])
        layout = Layout(batch.lengths)
        w = net.w
        best = marginals(net.emissions(net.project(net.token_vectors(batch)), layout), layout.lengths,
                         layout.active, w["trans"], w["start"], w["end"]).argmax(axis=2)
        for b, n, row in zip(layout.order, layout.lengths, best, strict=True):
            right += sum(net.labels[k] == gold for k, gold in zip(row[:n], chunk[b][2], strict=True))
            total += int(n)
    return right / total


TMP = ROOT / "build" / "net-epoch.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "refcli" / "refparse" / "labeller.npz")
    parser.add_argument("--dev", action="store_true", help="leave out the dev slice and score it every epoch")
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--word-dim", type=int, default=48)
    parser.add_argument("--char-dim", type=int, default=16)
    parser.add_argument("--char-filters", type=int, default=48)
    parser.add_argument("--feat-dim", type=int, default=32)
    parser.add_argument("--feature-buckets", type=int, default=1 << 14)
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--ema", type=float, default=0.998, help="weight averaging decay per step (0: none)")
    parser.add_argument("--min-word", type=int, default=2)
    parser.add_argument("--per-style", type=int, default=400)
    parser.add_argument("--gost", type=int, default=300)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    started = time.time()
    sequences, lexicon, n_records = training_data(args.data, args.dev, True, args.seed, args.per_style, args.gost,
                                                  **data_options(args))
    labels = sorted({tag for _, _, tags in sequences for tag in tags})
    index = {tag: i for i, tag in enumerate(labels)}
    encoder = build_encoder(sequences, args.min_word, 5, args.feature_buckets)
    dev = dev_sequences(args.data, lexicon) if args.dev else []
    print(f"{n_records} references + {len(sequences) - n_records} synthetic, {len(labels)} labels, "
          f"{len(encoder.words)} words, {len(encoder.chars)} chars ({time.time() - started:.0f} s)", flush=True)
    encoded = [([encoder.encode(t, f) for t, f in zip(tokens, own(feats), strict=True)], [index[t] for t in tags])
               for tokens, feats, tags in sequences]
    model = make_model(torch, encoder, len(labels), args)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    # an exponential moving average of the weights is what gets exported: steadier than the
    # last step's weights (dev token accuracy swung by half a point from epoch to epoch)
    averaged = make_model(torch, encoder, len(labels), args)
    averaged.load_state_dict(model.state_dict())
    averaged.eval()
    # batches of similar length (less padding), in a seeded order
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][1]), i))
    batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(batches)
        total = 0.0
        for chosen in batches:
            batch = Batch([encoded[i][0] for i in chosen])
            tags = torch.nn.utils.rnn.pad_sequence([torch.tensor(encoded[i][1]) for i in chosen], batch_first=True)
            mask = torch.arange(tags.shape[1])[None, :] < torch.from_numpy(batch.lengths)[:, None]
            loss = model.nll(model.emissions(batch), tags, mask)
            optimiser.zero_grad()
            (loss / len(chosen)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            with torch.no_grad():
                for a, p in zip(averaged.parameters(), model.parameters(), strict=True):
                    a.mul_(args.ema).add_(p, alpha=1 - args.ema)
            total += loss.item()
        for group in optimiser.param_groups:
            group["lr"] *= 0.9
        model.eval()
        line = f"epoch {epoch}: loss {total / len(encoded):.3f} ({time.time() - started:.0f} s)"
        if dev:
            export(averaged if args.ema else model, encoder, labels, TMP)
            line += f", dev token accuracy {accuracy(TMP, dev):.4f}"
        print(line, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    export(averaged if args.ema else model, encoder, labels, args.out)
    if args.out.with_suffix(".lexicon.json") != args.out and args.dev:
        import json

        args.out.with_suffix(".lexicon.json").write_text(json.dumps(lexicon, ensure_ascii=False, indent=0) + "\n",
                                                         encoding="utf-8")
    print(f"trained in {time.time() - started:.0f} s -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
