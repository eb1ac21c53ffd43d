"""refcli.refparse.fields: rules after the labeller (types, names, pages, packed numbers)."""

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
    ("ICLR", "paper-conference"),  # "In ICLR, 2015": a conference by its acronym
    ("Advances in NeurIPS 30", "paper-conference"),
    ("Handbook of Iclr Studies", "chapter"),  # acronyms in capitals only
])
def test_a_container_in_proceedings_is_a_conference_paper(container, expected):
    item = {"title": "A paper", "container-title": container, "editor": [{"family": "Ed"}]}
    text = f"A. Author, “A paper,” in {container}, 2019, pp. 1–9."
    assert infer_type(item, {"container-title": container}, text) == expected


def test_a_journal_stays_a_journal_article():
    item = {"title": "A paper", "container-title": "Proc. Natl. Acad. Sci. USA", "volume": "117"}
    assert infer_type(item, {"journal": "Proc. Natl. Acad. Sci. USA"}, "…") == "article-journal"


def test_a_pages_label_is_dropped_whole():
    from refcli.printed import page_range as _pages

    assert _pages("pages 770–778") == "770-778"  # not "ages 770-778"
    assert [_pages(t) for t in ("pp. 1-9", "p. 5", "S. 7–20", "с. 7-20", "Pages 3-4")] == [
        "1-9", "5", "7-20", "7-20", "3-4"]


@pytest.mark.parametrize("spans, expected", [
    # PubMed's date with a month, the model labelling the rest as date or pages
    ({"date": "2001 Sep;16(9):606-13."}, {"date": "2001 Sep", "volume": "16(9)", "pages": "606-13"}),
    ({"date": "2016", "pages": "Jun;77:42-51."}, {"date": "2016 Jun", "volume": "77", "pages": "42-51"}),
    ({"volume": "2013;(9):CD004366."}, {"date": "2013", "issue": "9", "pages": "CD004366"}),
    ({"volume": "1997;9(8):1735-80"}, {"date": "1997", "volume": "9(8)", "pages": "1735-80"}),
    ({"date": "2016", "pages": "42-51"}, {"date": "2016", "pages": "42-51"}),  # nothing packed
])
def test_vancouver_packed_dates_volumes_and_pages_are_unpacked(spans, expected):
    from refcli.refparse.fields import _unpack_vancouver

    _unpack_vancouver(spans)
    assert spans == expected


@pytest.mark.parametrize("text, expected", [
    ("Said, Edward W.", [("Said", "Edward W.")]),  # Chicago / MLA: not "Said" + "W. Edward"
    ("Stoler, Ann Laura", [("Stoler", "Ann Laura")]),
    ("Hilgard, Ernest R. and Gordon H. Bower", [("Hilgard", "Ernest R."), ("Bower", "Gordon H.")]),
    ("Evans, Peter B., Dietrich Rueschemeyer, and Theda Skocpol",
     [("Evans", "Peter B."), ("Rueschemeyer", "Dietrich"), ("Skocpol", "Theda")]),
    ("Albin, Drema D., & Echols, Catharine H.", [("Albin", "Drema D."), ("Echols", "Catharine H.")]),
    ("LeCun, Y., Bengio, Y., & Hinton, G.", [("LeCun", "Y."), ("Bengio", "Y."), ("Hinton", "G.")]),
    ("Cooney GM, Dwan K, Greig CA", [("Cooney", "GM"), ("Dwan", "K"), ("Greig", "CA")]),
    ("Vargas Llosa, M., & García Márquez, G.", [("Vargas Llosa", "M."), ("García Márquez", "G.")]),
    ("J. R. R. Tolkien, C. S. Lewis", [("Tolkien", "J. R. R."), ("Lewis", "C. S.")]),
])
def test_inverted_first_authors_with_full_given_names(text, expected):
    from refcli.refparse.fields import parse_names

    names, _ = parse_names(text)
    assert [(n.get("family"), n.get("given")) for n in names] == expected


@pytest.mark.parametrize("item, expected", [
    ({"title": "The budget and economic outlook: 2021 to 2031 (Report No. 56970)"},
     {"title": "The budget and economic outlook: 2021 to 2031", "genre": "Report", "number": "56970"}),
    ({"title": "Skills and inequality (NBER Working Paper No. 20009)."},
     {"title": "Skills and inequality", "genre": "NBER Working Paper", "number": "20009"}),
    ({"title": "Essays on trade", "publisher": "Harvard University]. ProQuest Dissertations and Theses Global"},
     {"title": "Essays on trade", "publisher": "Harvard University",
      "archive": "ProQuest Dissertations and Theses Global"}),
    ({"title": "Reading (Notes on a Theory)"}, {"title": "Reading (Notes on a Theory)"}),  # no number: a title
])
def test_report_numbers_and_thesis_archives_get_their_own_variables(item, expected):
    from refcli.refparse.fields import _report_and_thesis_parts

    _report_and_thesis_parts(item)
    assert item == expected


@pytest.mark.parametrize("text, item, expected", [
    ("Nguyen, T. (2021, March 3). Why supply chains broke. The Atlantic. https://www.theatlantic.com/a",
     {"URL": "https://www.theatlantic.com/a"}, "article-magazine"),
    ("Smith, J. (2001). Trade in Europe. Some Collection.", {}, "chapter"),
    ("Hall, S. (1997) 'The work', in Hall, S. (ed.) Representation.", {}, "chapter"),
])
def test_a_container_without_volume_editor_or_publisher(text, item, expected):
    item = {"title": "T", "container-title": "C", **item}
    assert infer_type(item, {"container-title": "C"}, text) == expected


def test_supplement_pages_and_an_issue_taken_for_pages():
    from refcli.printed import page_range as _pages
    from refcli.refparse.fields import to_csl

    assert _pages("S12–19") == "S12-19" and _pages("S. 7–20") == "7-20" and _pages("pp.770-778") == "770-778"
    labelled = [("Brin,", "author"), ("S.", "author"), ("Title.", "title"), ("Computer", "journal"),
                ("Networks", "journal"), ("30,", "volume"), ("nos.", "pages"), ("1–7", "pages"),
                ("(1998):", "date"), ("107–17.", "pages")]
    item = to_csl(" ".join(t for t, _ in labelled), labelled)
    assert (item["volume"], item["issue"], item["page"]) == ("30", "1–7", "107-17")


@pytest.mark.parametrize("text, expected", [
    ("King ML Jr, Rossi G", [{"family": "King", "given": "ML", "suffix": "Jr"}, {"family": "Rossi", "given": "G"}]),
    ("de Gaulle C, Dubois JP", [{"family": "Gaulle", "given": "C", "non-dropping-particle": "de"},
                                {"family": "Dubois", "given": "JP"}]),
    ("van der Maaten L", [{"family": "Maaten", "given": "L", "non-dropping-particle": "van der"}]),
    ("Tanaka H, Gates WH III", [{"family": "Tanaka", "given": "H"}, {"family": "Gates", "given": "WH", "suffix": "III"}]),
    ("Ludwig van Beethoven", [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}]),
])
def test_vancouver_names_with_particles_and_suffixes(text, expected):
    from refcli.refparse.fields import parse_names

    assert parse_names(text)[0] == expected


def test_a_list_passes_its_authors_to_the_next_entry_s_dashes():
    from refcli.refparse import parse_references

    items = list(parse_references([
        "Said, Edward W. Orientalism. New York: Pantheon Books, 1978.",
        "———. Culture and Imperialism. New York: Knopf, 1993.",
        "———. Out of Place: A Memoir. New York: Knopf, 1999.",
    ]))
    assert [i["author"] for i in items] == [[{"family": "Said", "given": "Edward W."}]] * 3
    assert [i["title"] for i in items] == ["Orientalism", "Culture and Imperialism", "Out of Place: A Memoir"]


@pytest.mark.parametrize("spans, expected", [
    # "1955;328(Suppl 2):100-108" cut at its space into a volume and a pages span
    ({"volume": "1955;328(Suppl", "pages": "2):100-108."},
     {"date": "1955", "volume": "328(Suppl 2)", "pages": "100-108"}),
    ({"pages": "314:101-108."}, {"volume": "314", "pages": "101-108"}),  # AMA without a year
    ({"volume": "(Vol. 4,", "pages": "pp. 643–691)."}, {"volume": "(Vol. 4,", "pages": "pp. 643–691)."}),
    ({"volume": "1962;187(Suppl 2):45-47, 52-58"}, {"date": "1962", "volume": "187(Suppl 2)", "pages": "45-47, 52-58"}),
])
def test_more_packed_vancouver_numbers(spans, expected):
    from refcli.refparse.fields import _unpack_vancouver

    _unpack_vancouver(spans)
    assert spans == expected


@pytest.mark.parametrize("text, expected", [
    ('Lee, Ki-Tae. 2025. "Japan\'s Perception and Response to the Second Trump Administration." '
     "Sejong Policy Brief 2025-02. Seongnam: Sejong Institute.",
     ("report", "Japan's Perception and Response to the Second Trump Administration", "Sejong Policy Brief", "2025-02")),
    ("Dengler, K., & Matthes, B. (2018). Substituierbarkeitspotenziale von Berufen. IAB-Kurzbericht 4/2018. "
     "Nürnberg: IAB.", ("report", "Substituierbarkeitspotenziale von Berufen", "IAB-Kurzbericht", "4/2018")),
])
def test_a_report_in_a_numbered_series(text, expected):
    from refcli.refparse import parse_reference

    item = parse_reference(text)
    assert (item["type"], item["title"], item["collection-title"], item["number"]) == expected
    assert "container-title" not in item


def test_a_string_copied_from_a_pdf_loses_its_ligatures():
    from refcli.refparse import parse_reference

    item = parse_reference("Krizhevsky, A. (2012). ImageNet classiﬁcation with deep convolutional neural "
                           "networks. Advances in Neural Information Processing Systems, 25, 1097–1105.")
    assert item["title"] == "ImageNet classification with deep convolutional neural networks"


def _labelled(spec: str) -> list[tuple[str, str]]:
    """"word/label word/label …" (labels as the labeller gives them)."""
    return [tuple(pair.rsplit("/", 1)) for pair in spec.split()]  # type: ignore[misc]


@pytest.mark.parametrize("spec, expected", [
    # Chicago notes-bibliography's double issue, split as the labellers have split it
    ("Fischer,/author K./author “On/title the/title Origin/title of/title Mass-Energy/title Equivalence.”/title"
     " Zeitschrift/journal Für/journal Physik/journal 97,/volume nos./volume 3–4/pages (1953):/date S12–19./pages",
     ("97", "3–4", "S12-19")),
    ("O’Brien,/author Patrick./author “An/title Introduction/title to/title Statistical/title Learning.”/title"
     " Nature/journal 80,/volume nos./pages 3–4/pages (1983):/date 42./pages", ("80", "3–4", "42")),
    ("Brin,/author Sergey./author “The/title Anatomy/title of/title a/title Search/title Engine.”/title"
     " Computer/journal Networks/journal 30,/volume nos./volume 1–7/volume (1998):/date 107–17./pages",
     ("30", "1–7", "107-17")),
    # MLA's "vol. 12, no. 2, 2019, pp. 33–45", the issue run into the date's neighbours
    ("Lee,/author Min-Jun./author “Measuring/title What/title Matters.”/title PLOS/journal ONE,/journal"
     " vol./volume 12,/volume no./pages 2,/pages 2019,/date pp./pages 33–45./pages", ("12", "2", "33-45")),
    # IEEE's "vol. 7, no. 1, pp. 119–126", the issue run into the pages
    ("A./author Author,/author “A/title paper,”/title Proc./journal IEEE,/journal vol./volume 7,/volume"
     " no./pages 1,/pages pp./pages 119–126,/pages 2001./date", ("7", "1", "119-126")),
    # German "Heft" and its abbreviation, a French "n°" glued to its number
    ("Müller,/author K./author Titel./title Zeitschrift/journal für/journal Soziologie/journal 28,/volume H./volume"
     " 3/pages (1999):/date 12–20./pages", ("28", "3", "12-20")),
    ("Dupont,/author J./author Titre./title Revue/journal d’histoire,/journal vol./volume 12,/volume n°5,/pages"
     " p./pages 33–45./pages", ("12", "5", "33-45")),
])
def test_a_volume_then_an_issue_label_and_number_is_volume_and_issue_whatever_the_split(spec, expected):
    from refcli.refparse.fields import to_csl

    labelled = _labelled(spec)
    item = to_csl(" ".join(t for t, _ in labelled), labelled)
    assert (item.get("volume"), item.get("issue"), item.get("page")) == expected


def test_an_issue_label_not_after_a_volume_number_is_left_alone():
    from refcli.refparse.fields import to_csl

    # "84. Jg. H. 4" stays the volume as printed, as the labelled data keeps it
    labelled = _labelled("Schmidt,/author H./author Titel./title Zeitschrift/journal 84./volume Jg./volume"
                         " H./volume 4/volume (1999)/date")
    item = to_csl(" ".join(t for t, _ in labelled), labelled)
    assert (item.get("volume"), item.get("issue")) == ("84. Jg. H. 4", None)
    # an author's initial "H." before a number is no issue label
    labelled = _labelled("Smith,/author H./author 12/title Angry/title Men./title London:/location Faber,/publisher"
                         " 1955./date")
    item = to_csl(" ".join(t for t, _ in labelled), labelled)
    assert "issue" not in item and item["author"][0]["given"] == "H."


def test_a_bracketed_translation_after_the_title_stays_in_the_title():
    from refcli.refparse.fields import to_csl

    # the labeller ran the translation's second half into the journal
    labelled = _labelled(
        "Kaspe,/author S.I./author (2025)./date Imperiya/title na/title khozraschete./title I/title chego/title"
        " ne/title delaet/title [Empire/title on/title Self-Financing:/title What/title Is/title Trump/title"
        " Doing?/title And/journal What/journal He/journal Does/journal Not/journal Do]./journal Rossiya/journal"
        " v/journal global'noi/journal politike,/journal 23/volume (1),/volume 10—34./pages")
    item = to_csl(" ".join(t for t, _ in labelled), labelled)
    assert item["container-title"] == "Rossiya v global'noi politike"
    assert item["title"] == "Imperiya na khozraschete. I chego ne delaet"
    assert item["note"] == "[Empire on Self-Financing: What Is Trump Doing? And What He Does Not Do]"
