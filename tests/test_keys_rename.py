"""Better BibTeX-style key templates from the config, and `refcli rename`."""

from __future__ import annotations

import json

import pytest

from helpers import read_library
from refcli.keys import STOPWORDS, ascii_fold, year_of
from refcli.keytemplate import Naming, error
from refcli.keytemplate import render as render_with

NAMING = Naming(ascii_fold, STOPWORDS, year_of)


def render(item, template):
    return render_with(item, template, NAMING)

ITEM = {"title": "Attention Is All You Need", "issued": {"date-parts": [[2017]]},
        "author": [{"family": "Vaswani", "given": "Ashish"}, {"family": "Shazeer"}, {"family": "Parmar"}],
        "container-title": "Advances in Neural Information Processing Systems", "page": "5998-6008"}


@pytest.mark.parametrize("template, key", [
    ("[auth:lower][year][shorttitle:1:lower]", "vaswani2017attention"),
    ("[auth][year]", "Vaswani2017"),
    ("[authEtAl][year]", "VaswaniEtAl2017"),
    ("[authors2][year]", "VaswaniShazeer2017"),
    ("[shorttitle][year]", "AttentionAllYou2017"),
    ("[journal]_[year]", "ANIPS_2017"),
    ("[auth:upper:3][year]", "VAS2017"),
    ("[title:abbr]", "AAYN"),
    ("[veryshorttitle:lower]-[firstpage]", "attention-5998"),
    ("ref {[year]}", "ref2017"),  # characters a key cannot hold are dropped
])
def test_templates(template, key):
    assert error(template) is None
    assert render(ITEM, template) == key


def test_template_errors():
    assert "unknown field [bad]" in error("[bad]")
    assert "unknown modifier ':weird'" in error("[auth:weird]")
    assert render({"title": "Über Größe", "author": [{"family": "Müller"}]}, "[auth:lower][title]") == "mullerUberGrosse"


BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep learning}, journal = {Nature}, year = {2015}, doi = {10.1038/nature14539}}
"""


def test_config_template_names_new_works(refcli, library, tmp_path):
    config = tmp_path / "config.toml"
    env = {"REFCLI_CONFIG": str(config)}
    result = refcli("config", "set", "key-template", "[auth:lower]_[year]", extra_env=env)
    assert result.code == 0, result.err
    assert refcli("config", "set", "key-template", "[nope]", extra_env=env).code == 2
    (tmp_path / "a.json").write_text(json.dumps([{"type": "book", "title": "Deep Learning", "issued": {"date-parts": [[2016]]},
                                                   "author": [{"family": "Goodfellow", "given": "Ian"}]}]))
    assert refcli("add", str(tmp_path / "a.json"), extra_env=env).code == 0
    assert read_library(library)[0]["id"] == "goodfellow_2016"


def test_rename_keeps_the_old_key_as_alias_and_moves_links(refcli, library, tmp_path):
    (tmp_path / "lib.bib").write_text(BIB)
    assert refcli("add", str(tmp_path / "lib.bib")).code == 0
    doc = tmp_path / "paper.txt"
    doc.write_text("A Paper About Networks\n\nJane Smith\n\n" + "Text of the paper goes on. " * 30
                   + "\n\nReferences\n\n1. LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015;521:436-444."
                   " doi:10.1038/nature14539\n")
    result = refcli("import", str(doc))
    assert result.code == 0, result.err
    result = refcli("rename", "lecun2015deep", "LeCun2015")
    assert result.code == 0, result.err
    items = {i["id"]: i for i in read_library(library)}
    assert "LeCun2015" in items and "lecun2015deep" not in items
    assert items["LeCun2015"]["custom"]["aliases"] == ["lecun2015deep"]
    citing = next(i for i in items.values() if i.get("custom", {}).get("cites"))
    assert citing["custom"]["cites"] == ["LeCun2015"]
    assert refcli("show", "lecun2015deep", "--json").json()["id"] == "LeCun2015"
    assert refcli("cited-by", "LeCun2015", "--json").json()[0]["id"] == citing["id"]
    (tmp_path / "m.aux").write_text("\\citation{lecun2015deep}\n")
    result = refcli("export", "--cited-in", str(tmp_path / "m.aux"))
    assert result.code == 0 and "{lecun2015deep," in result.out
    # renaming back to the alias is allowed; to a taken or invalid key is not
    assert refcli("rename", "LeCun2015", "lecun2015deep").code == 0
    assert refcli("rename", "lecun2015deep", citing["id"]).code == 2
    assert refcli("rename", "lecun2015deep", "bad key").code == 2
    assert refcli("rename", "nosuch", "x").code == 3
    assert refcli("undo").code == 0
