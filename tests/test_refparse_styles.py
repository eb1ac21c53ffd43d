"""References printed by refcli's own CSL engine in the major styles parse back to their fields."""

import pytest

from refcli.csl import render
from refcli.refparse import parse_reference

ARTICLE = {"id": "lecun", "type": "article-journal", "title": "Deep learning",
           "author": [{"family": "LeCun", "given": "Yann"}, {"family": "Bengio", "given": "Yoshua"},
                      {"family": "Hinton", "given": "Geoffrey"}],
           "container-title": "Nature", "volume": "521", "issue": "7553", "page": "436-444",
           "issued": {"date-parts": [[2015, 5, 28]]}}
CHAPTER = {"id": "rumelhart", "type": "chapter", "title": "Learning internal representations by error propagation",
           "author": [{"family": "Rumelhart", "given": "David E."}, {"family": "Hinton", "given": "Geoffrey E."}],
           "editor": [{"family": "McClelland", "given": "James L."}],
           "container-title": "Parallel distributed processing", "publisher": "MIT Press",
           "publisher-place": "Cambridge, MA", "page": "318-362", "issued": {"date-parts": [[1986]]}}


def _text(item, style):
    return render([item], style, fmt="text")["bibliography"][0]["text"]


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "ieee", "elsevier-harvard",
                                   "american-medical-association", "elsevier-vancouver", "nature",
                                   "harvard-cite-them-right"])
def test_journal_article_in_style(style):
    text = _text(ARTICLE, style)
    item = parse_reference(text)
    assert item["author"][0]["family"] == "LeCun", text
    assert item["issued"]["date-parts"][0][0] == 2015, text
    assert item["title"].lower() == "deep learning", text
    assert item["container-title"] == "Nature", text
    assert item["volume"] == "521", text
    assert item["page"].split("-")[0] == "436", text


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "harvard-cite-them-right"])
def test_chapter_in_style(style):
    text = _text(CHAPTER, style)
    item = parse_reference(text)
    assert item["author"][0]["family"] == "Rumelhart", text
    assert item["title"].lower() == "learning internal representations by error propagation", text
    assert item["container-title"].lower() == "parallel distributed processing", text
    assert item["publisher"] == "MIT Press", text
    assert item["type"] == "chapter", text
