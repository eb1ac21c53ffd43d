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
