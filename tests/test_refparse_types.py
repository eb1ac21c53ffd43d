"""refcli.refparse.fields.infer_type: the CSL type of a parsed reference from its parts."""

from __future__ import annotations

import pytest

from refcli.refparse.fields import infer_type


@pytest.mark.parametrize("container, expected", [
    ("Proc. IEEE Conf. Comput. Vis. Pattern Recognit. (CVPR)", "paper-conference"),
    ("Proceedings of NAACL-HLT", "paper-conference"),
    ("2019 IEEE Symp. Security and Privacy", "paper-conference"),
    ("Workshops of the AAAI", "paper-conference"),
    ("Материалы международной конференции", "paper-conference"),
    ("The Oxford Handbook of Japanese Politics", "chapter"),
    ("Processing of Natural Language", "chapter"),  # "proc" only as a word of its own
])
def test_a_container_in_proceedings_is_a_conference_paper(container, expected):
    item = {"title": "A paper", "container-title": container, "editor": [{"family": "Ed"}]}
    text = f"A. Author, “A paper,” in {container}, 2019, pp. 1–9."
    assert infer_type(item, {"container-title": container}, text) == expected


def test_a_journal_stays_a_journal_article():
    item = {"title": "A paper", "container-title": "Proc. Natl. Acad. Sci. USA", "volume": "117"}
    assert infer_type(item, {"journal": "Proc. Natl. Acad. Sci. USA"}, "…") == "article-journal"
