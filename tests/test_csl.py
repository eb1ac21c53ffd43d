"""refcli.csl public API: styles, locales, formats, errors, XML safety."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refcli.csl import available_locales, list_styles, render, resolve_style
from refcli.errors import InputError, NotFoundError, UsageError

ARTICLE = {
    "id": "nagel1974", "type": "article-journal", "title": "What is it like to be a bat?",
    "author": [{"family": "Nagel", "given": "Thomas"}], "container-title": "The Philosophical Review",
    "volume": "83", "issue": "4", "page": "435-450", "issued": {"date-parts": [[1974, 10]]},
}
BOOK = {
    "id": "Knuth97", "type": "book", "title": "The art of computer programming",
    "author": [{"family": "Knuth", "given": "Donald E."}], "publisher": "Addison-Wesley",
    "publisher-place": "Reading, MA", "issued": {"date-parts": [[1997]]}, "edition": "3",
}


def test_render_shape_and_values():
    out = render([ARTICLE, BOOK], "apa")
    assert out["citations"] == {"nagel1974": "(Nagel, 1974)", "Knuth97": "(Knuth, 1997)"}
    assert out["citation"] == "(Knuth, 1997; Nagel, 1974)"
    assert [e["id"] for e in out["bibliography"]] == ["Knuth97", "nagel1974"]
    assert out["bibliography"][1]["text"] == (
        "Nagel, T. (1974). What is it like to be a bat? The Philosophical Review, 83(4), 435–450.")


def test_parts_return_only_what_is_asked_and_the_same_text():
    full = render([ARTICLE, BOOK], "apa")
    bib_only = render([ARTICLE, BOOK], "apa", parts=["bibliography"])
    assert bib_only == {"citation": "", "citations": {}, "bibliography": full["bibliography"]}
    shown = render([ARTICLE, BOOK], "apa", parts=("citation", "bibliography"))
    assert shown["citation"] == full["citation"] == "(Knuth, 1997; Nagel, 1974)"
    assert shown["citations"] == {} and shown["bibliography"] == full["bibliography"]
    cite_only = render([ARTICLE, BOOK], "apa", parts={"citation"})
    assert cite_only == {"citation": full["citation"], "citations": {}, "bibliography": []}
    with pytest.raises(UsageError, match="unknown part"):
        render([ARTICLE], "apa", parts=["entries"])


def test_parts_keep_disambiguation_of_all_items():
    # year suffixes are decided on every item even when only the bibliography is asked for
    a = {**ARTICLE, "id": "a", "title": "First"}
    b = {**ARTICLE, "id": "b", "title": "Second"}
    out = render([a, b], "apa", parts=["bibliography"])
    assert [e["text"][:18] for e in out["bibliography"]] == ["Nagel, T. (1974a).", "Nagel, T. (1974b)."]


def test_cite_ids_subset_and_numeric_order_follows_citations():
    out = render([ARTICLE, BOOK], "ieee", cite_ids=["Knuth97"])
    assert out["citation"] == "[2]"
    # numbering follows the order the items are given (citation order)
    assert [e["id"] for e in out["bibliography"]] == ["nagel1974", "Knuth97"]
    assert out["bibliography"][0]["text"].startswith("[1] T. Nagel, “What is it like to be a bat?,”")


def test_note_style_citation_is_the_footnote():
    out = render([ARTICLE], "chicago-notes-bibliography")
    assert out["citations"]["nagel1974"] == (
        "Thomas Nagel, “What Is It like to Be a Bat?,” The Philosophical Review 83, no. 4 (1974): 435–50.")


def test_formats():
    html = render([BOOK], "apa", fmt="html")["bibliography"][0]["text"]
    assert "<i>The art of computer programming</i>" in html
    md = render([BOOK], "apa", fmt="markdown")["bibliography"][0]["text"]
    assert "*The art of computer programming*" in md
    tex = render([BOOK], "apa", fmt="latex")["bibliography"][0]["text"]
    assert "\\textit{The art of computer programming}" in tex
    rich = render([dict(BOOK, title="Arrays [and] lists")], "apa", fmt="rich")["bibliography"][0]["text"]
    assert "[italic]Arrays \\[and] lists" in rich
    with pytest.raises(UsageError):
        render([BOOK], "apa", fmt="pdf")


def test_html_escapes_field_text():
    out = render([dict(BOOK, title="Fast & <safe> code")], "apa", fmt="html")
    # citeproc-js's entities; a stray tag stays text
    assert "Fast &#38; &#60;safe&#62; code" in out["bibliography"][0]["text"]


def test_html_markup_in_field_text_is_rendered_and_flip_flops():
    item = dict(BOOK, title="On <i>Drosophila</i> and <sup>3</sup>He in <b>bold</b> </i>")
    html = render([item], "apa", fmt="html")["bibliography"][0]["text"]
    # APA italicises book titles: the nested italics flip to normal
    assert '<span style="font-style:normal;">Drosophila</span>' in html
    assert "<sup>3</sup>He" in html and "<b>bold</b>" in html and "&#60;/i&#62;" in html
    text = render([item], "apa")["bibliography"][0]["text"]
    assert "On Drosophila and 3He in bold </i>" in text


def test_locale_default_and_forced():
    from refcli.csl.render import _style

    assert render([ARTICLE], "nature")["bibliography"][0]["text"] == (
        "1. Nagel, T. What is it like to be a bat? The Philosophical Review 83, 435–450 (1974).")
    nature = resolve_style("nature")
    assert _style(str(nature), nature.stat().st_mtime_ns, None).locale == "en-GB"  # default-locale
    de = render([BOOK], "apa", locale="de-DE")["bibliography"][0]["text"]
    assert de == "Knuth, D. E. (1997). The art of computer programming (3. Aufl.). Addison-Wesley."
    assert {"en-US", "en-GB", "de-DE", "fr-FR", "ru-RU"} <= set(available_locales())
    with pytest.raises(UsageError):
        render([BOOK], "apa", locale="xx-YY")


def test_style_without_bibliography_gives_empty_bibliography(tmp_path):
    csl = tmp_path / "cite-only.csl"
    csl.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        "<info><title>Cite only</title><id>x</id><updated>2020-01-01T00:00:00+00:00</updated></info>"
        '<citation><layout prefix="(" suffix=")"><names variable="author"><name form="short"/></names>'
        '<text variable="title" quotes="true" prefix=" "/></layout></citation></style>')
    out = render([ARTICLE], str(csl))
    assert out["bibliography"] == []
    # no open/close-quote terms in the style: the locale's (or typographic defaults) apply
    assert out["citations"]["nagel1974"] == "(Nagel “What is it like to be a bat?”)"


def test_bad_items_raise_input_error_naming_the_item():
    with pytest.raises(InputError) as e:
        render([{"type": "book", "title": "x"}], "apa")
    assert "item #1" in str(e.value)
    with pytest.raises(InputError) as e:
        render([dict(BOOK, issued={"date-parts": [["soon"]]})], "apa")
    assert "Knuth97" in str(e.value)
    with pytest.raises(InputError):
        render([BOOK, dict(BOOK)], "apa")  # duplicate id
    with pytest.raises(InputError):
        render([BOOK], "apa", cite_ids=["nope"])


def test_resolve_style():
    assert resolve_style("apa").name == "apa.csl"
    assert resolve_style("vancouver-nlm").name == "nlm-citation-sequence.csl"  # dependent -> parent
    with pytest.raises(NotFoundError) as e:
        resolve_style("apaa")
    assert str(e.value).startswith("unknown style 'apaa'; did you mean: ")
    assert "apa" in str(e.value)
    with pytest.raises(NotFoundError):
        resolve_style("/nonexistent/style.csl")


def test_suggestions_for_a_style_name_that_is_not_one():
    from refcli.csl.styles import suggest

    assert suggest("mla")[0] == "modern-language-association"  # by the title "MLA Handbook"
    assert {"chicago-author-date", "chicago-notes"} <= set(suggest("chicago"))
    assert suggest("turabian")[0] == "turabian-author-date"
    assert suggest("vancover")[:2] == ["vancouver-ama", "vancouver-nlm"]  # spelled alike
    with pytest.raises(NotFoundError) as e:
        resolve_style("nonexistent-style")
    assert str(e.value) == "unknown style 'nonexistent-style'; 'refcli styles WORD' lists styles by name or title"


def test_list_styles():
    infos = {i.name: i for i in list_styles("nature")}
    assert infos["nature"].citation_format == "numeric"
    assert infos["nature"].title == "Nature"
    apa = {i.name: i for i in list_styles("apa")}["apa"]
    assert apa.citation_format == "author-date" and apa.parent is None
    vnlm = {i.name: i for i in list_styles("vancouver")}["vancouver-nlm"]
    assert vnlm.parent == "nlm-citation-sequence" and vnlm.citation_format == "numeric"
    assert len(list_styles()) > 2500


XXE = """<?xml version="1.0"?>
<!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>&x;</title><id>x</id><updated>2020-01-01T00:00:00+00:00</updated></info>
<citation><layout><text value="&x;"/></layout></citation></style>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<citation><layout><text value="&lol4;"/></layout></citation></style>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS])
def test_hostile_style_files_are_refused(tmp_path, payload):
    csl = tmp_path / "evil.csl"
    csl.write_text(payload)
    with pytest.raises(InputError) as e:
        render([ARTICLE], str(csl))
    assert "root:" not in str(e.value)  # nothing of /etc/passwd was read
    assert "evil.csl" in str(e.value)


def test_safe_parser_does_not_expand_external_entities(tmp_path):
    from lxml import etree

    from refcli.csl.styles import safe_parser

    p = tmp_path / "x.xml"
    p.write_text(XXE.replace('<text value="&x;"/>', ""))
    tree = etree.parse(str(p), safe_parser())
    assert "root:" not in etree.tostring(tree, encoding="unicode")


def test_import_is_cheap():
    code = "import sys, refcli.csl; print(sorted(m for m in ('citeproc', 'lxml', 'rapidfuzz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    assert out.stdout.strip() == "[]"


def test_repeated_renders_do_not_leak_state():
    # the parsed style is cached per process: disambiguation, year suffixes and
    # suppressed variables of one run must not show up in the next
    twin = dict(ARTICLE, id="nagel1974b", title="Mortal questions")
    first = render([ARTICLE, twin], "apa")
    # suffixes follow bibliography order (title breaks the tie: "Mortal…" first)
    assert first["citations"] == {"nagel1974": "(Nagel, 1974b)", "nagel1974b": "(Nagel, 1974a)"}
    alone = render([ARTICLE], "apa")
    assert alone["citations"] == {"nagel1974": "(Nagel, 1974)"}
    assert render([ARTICLE, twin], "apa") == first


def test_node_caches_can_be_emptied_between_renders():
    from refcli.csl import speed

    before = render([ARTICLE, BOOK], "apa")
    assert speed.cached_nodes()
    speed.trim_node_caches(limit=0)
    assert speed.cached_nodes() == 0
    assert render([ARTICLE, BOOK], "apa") == before


def test_html_second_field_align_and_display_blocks():
    """HTML entries carry citeproc-js's display blocks; text output does not."""
    html = render([BOOK], "ieee", fmt="html")["bibliography"][0]["text"]
    assert html.startswith('\n    <div class="csl-left-margin">[1]</div><div class="csl-right-inline">')
    assert html.endswith("</div>\n  ")
    assert render([BOOK], "ieee")["bibliography"][0]["text"].startswith("[1] ")
