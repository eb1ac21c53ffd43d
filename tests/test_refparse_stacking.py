"""The stacked second pass: the first model's opinion as features, and both passes wired together."""

import refcli.refparse as refparse
from refcli.refparse import second_model_path
from refcli.refparse.stacking import first_pass, stacked_features


def test_stacked_features_describe_the_first_pass():
    labels = ["author", "author", "date", "title", "title", "journal", "title"]
    marginals = [0.99, 0.99, 0.99, 0.9, 0.6, 0.4, 0.3]
    alts = [None, None, None, None, "journal", "title", "journal"]
    base = [[f"w={k}"] for k in range(len(labels))]
    feats = stacked_features(base, labels, marginals, alts)
    assert feats is base and feats[0][0] == "w=0"  # extends the first-pass features
    first_title, journal, last = set(feats[3]), set(feats[5]), set(feats[6])
    assert {"s:L0=title", "s:L0c=title|hi", "s:L-1=date", "s:L1=title", "s:spanfirst"} <= first_title
    assert "s:spanlast" not in first_title and "s:spanlast" in set(feats[4])
    assert {"s:bef=author", "s:bef=date", "s:aft=journal", "s:aft=title", "s:nth=title|0"} <= first_title
    assert {"s:L0c=journal|lo", "s:alt=title", "s:pair=journal|title", "s:P=title|journal"} <= journal
    # the title after the journal is the second title-span, with a journal and a title before it
    assert {"s:nth=title|1", "s:bef=journal", "s:N=title|EOS", "s:L1=_", "s:L2=_"} <= last
    assert not any(x.startswith("s:aft=") for x in last)
    assert {"s:P=BOS|author", "s:PP=BOS"} <= set(feats[0])


def test_a_span_running_into_the_next_full_stop_block_is_marked():
    labels = ["title"] * 5 + ["pages"]
    base = [["w=a"], ["w=b", "seglast"], ["w=c"], ["w=d", "seglast"], ["w=e"], ["w=f"]]
    feats = stacked_features(base, labels, [0.99] * 6, [None] * 6)
    blocks = [next(x for x in f if x.startswith("s:blk=")) for f in feats]
    assert blocks == ["s:blk=title|0", "s:blk=title|0", "s:blk=title|1", "s:blk=title|1", "s:blk=title|2",
                      "s:blk=pages|0"]


class _FakeTagger:
    """A first-pass model that is sure of token 0 and torn between two labels on token 1."""

    table = [{"author": 0.95, "title": 0.05}, {"title": 0.55, "journal": 0.4, "author": 0.05}]

    def tag(self, xseq):
        return [max(row, key=row.get) for row in self.table[: len(xseq)]]

    def marginal(self, y, i):
        return self.table[i].get(y, 0.0)

    def labels(self):
        return ["author", "title", "journal"]


def test_first_pass_reports_runner_up_only_where_unsure():
    labels, marginals, alts = first_pass(_FakeTagger(), [["a"], ["b"]])
    assert labels == ["author", "title"]
    assert marginals == [0.95, 0.55]
    assert alts == [None, "journal"]


def test_second_model_sits_beside_the_first():
    assert second_model_path(refparse.MODEL_PATH).name == "model2.crfsuite"


def test_both_passes_label_a_reference():
    if refparse._second_tagger() is None:  # a checkout without the stacked model still parses
        assert refparse.label("Smith, J. (2001). Title.")
        return
    tokens = "Smith, J. (2001). A study of things. Journal of Things, 3(4), 1-10.".split()
    labels = [y for _, y in refparse.label(" ".join(tokens))]
    assert labels[:2] == ["author", "author"] and labels[2] == "date"
    assert labels[3:7] == ["title"] * 4 and labels[7:10] == ["journal"] * 3
