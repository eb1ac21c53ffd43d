"""citeproc-js's rules behind issue 14's new-user trial, each on a style made
for it (the trial itself is tests/test_csl_newuser.py): a label of an unset
variable is a term, a macro is an implicit group, the by-cite name register
expands a given name whose initials another spelling shares, and the grouped
sort orders tied cites by their names."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcli.csl import render, render_clusters

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">'
        '<info><title>t</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>')


def _style(tmp_path: Path, body: str) -> str:
    path = tmp_path / "t.csl"
    path.write_text(HEAD + body + "</style>", "utf-8")
    return str(path)


def _entries(items: list[dict], style: str) -> dict[str, str]:
    return {e["id"]: e["text"].strip() for e in render(items, style)["bibliography"]}


LABEL_STYLE = """
<citation><layout><text variable="title"/></layout></citation>
<bibliography><layout>
  <text variable="title"/>
  <group delimiter=" " prefix=" (" suffix=")">
    <text variable="number-of-volumes"/><label variable="volume" form="short"/>
  </group>
  <group prefix=" [" suffix="]"><label variable="page" form="short" suffix=" "/><text variable="page"/></group>
  <text macro="pages"/>
</layout></bibliography>
<macro name="pages"><label variable="page" prefix=" / " suffix=" "/><text variable="page"/></macro>
"""


def test_a_label_of_an_unset_variable_is_a_term_kept_or_dropped_with_its_group(tmp_path):
    style = _style(tmp_path, LABEL_STYLE)
    got = _entries([{"id": "a", "type": "book", "title": "Set", "number-of-volumes": "6"},
                    {"id": "b", "type": "book", "title": "Pages", "page": "3-9"}], style)
    # the volume label prints beside number-of-volumes (citeproc-js: "(6 vol.)");
    # a group or macro whose only variable is empty drops its label with it
    assert got["a"] == "Set (6 vol.)"
    assert got["b"] == "Pages [pp. 3–9] / pages 3–9"


NAMES_STYLE = """
<citation disambiguate-add-givenname="true"><layout>
  <names variable="author"><name form="short"/></names>
</layout></citation>
<bibliography><layout>
  <names variable="author"><name initialize-with="."/></names>
  <names variable="editor" prefix=", in "><name initialize-with="." and="text"/></names>
</layout></bibliography>
"""


def test_a_given_name_whose_initials_another_spelling_shares_in_the_item_is_printed_in_full(tmp_path):
    item = {"id": "c", "type": "chapter",
            "author": [{"family": "Rumelhart", "given": "D. E."}],
            "editor": [{"family": "Rumelhart", "given": "David E."}, {"family": "McClelland", "given": "James L."}]}
    style = _style(tmp_path, NAMES_STYLE)
    # the author, printed first, keeps the initials; the editor's spelling then
    # collides with it and is printed in full; McClelland has one spelling
    assert _entries([item], style)["c"] == "D.E. Rumelhart, in David E. Rumelhart and J.L. McClelland"
    plain = _style(tmp_path, NAMES_STYLE.replace(' disambiguate-add-givenname="true"', ""))
    assert _entries([item], plain)["c"] == "D.E. Rumelhart, in D.E. Rumelhart and J.L. McClelland"


GROUPED_STYLE = """
<citation collapse="year"><sort><key variable="issued"/></sort>
<layout prefix="(" suffix=")" delimiter="; ">
  <group delimiter=" "><names variable="author"><name form="short" and="text"/></names>
  <date variable="issued"><date-part name="year"/></date></group>
</layout></citation>
"""


@pytest.mark.parametrize("order", [["x", "y"], ["y", "x"]])
def test_cites_tied_on_the_first_sort_key_are_ordered_by_their_names(tmp_path, order):
    items = [{"id": "x", "type": "book", "issued": {"date-parts": [[1986]]},
              "author": [{"family": "Rumelhart"}, {"family": "Hinton"}, {"family": "Williams"}]},
             {"id": "y", "type": "book", "issued": {"date-parts": [[1986]]},
              "author": [{"family": "Rumelhart"}, {"family": "McClelland"}]}]
    clusters = [{"citationItems": [{"id": i} for i in order]}]
    got = render_clusters(items, _style(tmp_path, GROUPED_STYLE), clusters)["clusters"]
    assert got == ["(Rumelhart and McClelland 1986; Rumelhart, Hinton, and Williams 1986)"]


# CSL 1.0.2 name variables citeproc-py does not read as names (reviewed-author,
# director) or cannot find through cs:names under their hyphenated name
# (container-author, collection-editor); expected strings printed by
# citeproc-js 2.4.63 with the same bundled styles and locales
ROLE_ITEMS = [
    {"id": "rev", "type": "article-journal", "author": [{"family": "Wolf", "given": "Karen"}],
     "title": "A hard look", "reviewed-title": "The Deaf Future",
     "reviewed-author": [{"family": "Hall", "given": "Wendy C."}], "container-title": "Journal of Reviews",
     "volume": "3", "page": "10-12", "issued": {"date-parts": [[2005]]}},
    {"id": "chap", "type": "chapter", "author": [{"family": "Eliot", "given": "George"}],
     "container-author": [{"family": "Eliot", "given": "George"}], "title": "Chapter One",
     "container-title": "Collected Works", "editor": [{"family": "Barnes", "given": "Ann"}],
     "publisher": "Penguin", "publisher-place": "London", "page": "1-20", "issued": {"date-parts": [[1990]]}},
    {"id": "film", "type": "motion_picture", "title": "Metropolis", "director": [{"family": "Lang", "given": "Fritz"}],
     "publisher": "UFA", "issued": {"date-parts": [[1927]]}},
    {"id": "ser", "type": "book", "author": [{"family": "Knuth", "given": "Donald E."}],
     "title": "Fundamental Algorithms", "collection-title": "The Art of Computer Programming",
     "collection-editor": [{"family": "Smith", "given": "John"}], "publisher": "Addison-Wesley",
     "issued": {"date-parts": [[1968]]}},
]


@pytest.mark.parametrize(("style", "want"), [
    ("apa", {
        "rev": "Wolf, K. (2005). A hard look [Review of The Deaf Future, by W. C. Hall]. Journal of Reviews, 3, 10–12.",
        "chap": "Eliot, G. (1990). Chapter One. In G. Eliot, Collected Works (pp. 1–20). Penguin.",
        "film": "Lang, F. (Director). (1927). Metropolis [Video recording]. UFA."}),
    ("chicago-author-date", {
        "rev": "Wolf, Karen. 2005. “A Hard Look.” Review of The Deaf Future, by Wendy C. Hall. "
               "Journal of Reviews 3: 10–12.",
        "chap": "Eliot, George. 1990. “Chapter One.” In Collected Works, by George Eliot. Edited by Ann Barnes. "
                "Penguin.",
        "film": "Lang, Fritz, dir. 1927. Metropolis. UFA.",
        "ser": "Knuth, Donald E. 1968. Fundamental Algorithms. The Art of Computer Programming, edited by "
               "John Smith. Addison-Wesley."}),
])
def test_every_csl_name_variable_renders_through_cs_names(style, want):
    got = {e["id"]: " ".join(e["text"].split()) for e in render(ROLE_ITEMS, style)["bibliography"]}
    for key, text in want.items():
        assert got[key] == text


def test_extra_lines_set_dates_and_names_as_citeproc_js_reads_them(tmp_path):
    style = _style(tmp_path, """
<citation><layout><text variable="title"/></layout></citation>
<bibliography><layout><group delimiter=". ">
  <names variable="reviewed-author"><name initialize-with=". "/></names>
  <date variable="event-date" form="numeric" date-parts="year-month-day"/>
  <text variable="note"/>
</group></layout></bibliography>""")
    got = _entries([{"id": "a", "type": "book", "title": "T",
                     "note": "event-date: 2004-10-01/2004-10-14\nreviewed-author: Hall || W.C.\nkept"}], style)
    # the lines used leave the note; the date line is a range
    assert got["a"] == "W. C. Hall. 10/01–14/2004. kept"
