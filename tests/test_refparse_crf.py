"""The feature CRF in numpy: exported from crfsuite, the same probabilities as crfsuite's."""

import numpy as np
import pytest

from refcli.refparse.crf import LinearCRF, export, marginals
from refcli.refparse.network import Layout

pycrfsuite = pytest.importorskip("pycrfsuite")

SEQUENCES = [
    ([["w=smith", "cap", "end=,"], ["initials"], ["w=deep", "cap"], ["w=learning", "end=."], ["w=nature", "cap"],
      ["year", "end=."]], ["author", "author", "title", "title", "journal", "date"]),
    ([["w=doe", "cap"], ["initials", "end=."], ["w=a", "cap"], ["w=book", "end=."], ["w=press", "dict=publisher"],
      ["year"]], ["author", "author", "title", "title", "publisher", "date"]),
    ([["w=lee", "cap", "end=,"], ["w=title", "cap", "end=."], ["w=journal", "dict=journal"], ["range"]],
     ["author", "title", "journal", "pages"]),
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crf")
    trainer = pycrfsuite.Trainer(verbose=False)
    for feats, labels in SEQUENCES:
        trainer.append(feats, labels)
    trainer.set_params({"c1": 0.01, "c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    trainer.train(str(folder / "tiny.crfsuite"))
    export(folder / "tiny.crfsuite", folder / "tiny.npz")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(folder / "tiny.crfsuite"))
    return tagger, LinearCRF.load(folder / "tiny.npz")


def test_exported_crf_gives_crfsuites_marginals_and_labels(trained):
    tagger, crf = trained
    strings = [feats for feats, _ in SEQUENCES] + [[["w=unknown", "never-seen"], ["cap"]]]
    layout = Layout(np.array([len(s) for s in strings]))
    probs = marginals(crf.scores(strings)[layout.index], layout.lengths, layout.active, crf.trans)
    for row, b in enumerate(layout.order):
        tagger.set(strings[b])
        want = np.array([[tagger.marginal(y, i) for y in crf.labels] for i in range(len(strings[b]))])
        assert np.allclose(probs[row, :len(strings[b])], want, atol=1e-5)
        assert [crf.labels[k] for k in probs[row, :len(strings[b])].argmax(axis=1)] == tagger.tag(strings[b])


def test_reordered_labels_keep_the_model(trained):
    _, crf = trained
    order = sorted(crf.labels, reverse=True)
    other = crf.reordered(order)
    feats = [SEQUENCES[0][0]]
    assert np.allclose(other.scores(feats), crf.scores(feats)[:, [crf.labels.index(x) for x in order]])
    assert other.labels == order and other.trans.shape == (len(order), len(order))


def test_unknown_attributes_score_zero(trained):
    _, crf = trained
    assert np.array_equal(crf.scores([[["nothing-like-it"], ["nor-this"]]]), np.zeros((2, len(crf.labels))))
