"""refcli.documents: example documents field by field, the seeds, segmentation rules, bad input."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcli.documents import detect_format, read_document, read_document_bytes
from refcli.documents.names import parse_date, parse_names
from refcli.documents.references import segment
from refcli.errors import InputError
from refcli.identifiers import find_dois

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "documents"
SHARED = ROOT.parent / "shared"


def _load_make_pdf():
    spec = importlib.util.spec_from_file_location("make_pdf", EXAMPLES / "make_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_pdf = _load_make_pdf()


# ------------------------------------------------------------------ examples


def _examples():
    return sorted(p for p in EXAMPLES.iterdir() if p.with_name(p.name + ".expected.json").exists())


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_example_documents(path):
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
    doc = read_document(path)
    for key, value in expected["item"].items():
        assert doc.item.get(key) == value, key
    assert doc.references == expected["references"]
    assert len(doc.reference_items) == len(doc.references)
    for got, want in zip(doc.reference_items, expected.get("reference_items", [None] * len(doc.references)),
                         strict=True):
        assert got == want


def test_example_pdf_is_the_generated_one():
    # The committed PDF is what make_pdf.py writes: regenerate it rather than edit it.
    assert (EXAMPLES / "paper.pdf").read_bytes() == make_pdf.make_pdf(make_pdf.PAPER_PAGES, make_pdf.PAPER_INFO)


def test_examples_cover_the_named_cases():
    ex = {p.name: json.loads(p.with_name(p.name + ".expected.json").read_text("utf-8")) for p in _examples()}
    landing = ex["journal-landing.html"]
    assert landing["item"]["DOI"] == "10.1038/nature14539" and landing["item"]["page"] == "436-444"
    assert landing["reference_items"][1]["DOI"] == "10.1162/neco.1997.9.8.1735"
    apa = ex["working-paper-apa.txt"]
    assert apa["references"][2].startswith("Autor, D. H. (2015). Why are there")  # "———." resolved
    assert apa["item"]["type"] == "report" and apa["item"]["number"] == "23285"
    pdf_text = ex["pdf-converted.txt"]
    assert "Implications for Employment" in pdf_text["references"][0]  # "Implica-\ntions"
    assert pdf_text["references"][2].endswith("https://doi.org/10.1257/aer.103.5.1553")
    assert not any("Journal of Economic Perspectives" in r or "David H. Autor 29" in r
                   for r in pdf_text["references"])
    assert ex["german-paper.txt"]["item"]["language"] == "de"
    page = ex["publisher-page.html"]
    assert (page["item"]["container-title"], page["item"]["volume"]) == ("Journal of Political Economy", "128")
    assert len(page["references"]) == 4 and all("https://doi.org/10." in r for r in page["references"])
    assert ex["paper.pdf"]["references"][1].startswith("Dzmitry Bahdanau")
    assert "translation by jointly" in ex["paper.pdf"]["references"][1]
    assert "Impressum" not in " ".join(ex["german-paper.txt"]["references"])
    russian = ex["russian-note.txt"]  # the authors above the title, as Russian journals print them
    assert russian["item"]["author"] == [{"family": "Иванова", "given": "А. С."}]
    assert russian["item"]["language"] == "ru" and russian["references"][1].endswith("С. 7–20.")


# ------------------------------------------------------------------ seeds (acceptance)


def _seed(prefix: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip("shared/ is not beside the project")
    found = sorted((SHARED / "seeds").glob(prefix + "_*"))
    if not found:
        pytest.skip(f"seed {prefix} missing")
    return found[0]


def test_seed_journal_article_and_its_eleven_references():
    doc = read_document(_seed("004"))
    item = doc.item
    assert item["type"] == "article-journal"
    assert item["title"] == "Japan's foreign policy in the era of Trump 2.0: Will there be changes?"
    assert item["author"] == [{"family": "Kistanov", "given": "V.O."}]
    assert item["issued"]["date-parts"][0][0] == 2025
    assert item["container-title"] == "Japanese Studies in Russia"
    assert item["issue"] == "3" and item["page"] == "5-25"
    assert item["DOI"] == "10.55105/2500-2872-2025-3-5-25"
    assert item["custom"]["source"] == {"file": _seed("004").name, "format": "text"}
    refs = doc.references
    assert len(refs) == 11 and doc.reference_items == [None] * 11
    assert refs[0].startswith("Kaspe, S.I. (2025). Imperiya na khozraschete")
    assert refs[10].startswith("Smith, S.A. and McClean C. (2024, May—December)")
    assert [d for r in refs for d in find_dois(r)] == [
        "10.31278/1810-6439-2025-23-3-10-34", "10.31857/s0131281224020018",
        "10.31278/1810-6439-2025-23-3-35-51"]
    assert not any("Views" in r or "Creative Commons" in r or "Kistanov V.O. Japan" in r for r in refs)


def test_seed_policy_brief_without_references():
    doc = read_document(_seed("000"))
    item = doc.item
    assert item["type"] == "report"
    assert item["title"] == "Japan’s Perception and Response to the Second Trump Administration"
    assert item["author"] == [{"family": "Lee", "given": "Ki-Tae"}]
    assert item["collection-title"] == "Sejong Policy Briefs"
    assert item["number"] == "2025-02"
    assert item["issued"] == {"date-parts": [[2025, 2, 25]]}
    assert item["publisher"] == "Sejong Institute"
    assert item["language"] == "en"
    assert doc.references == [] and doc.reference_items == []


# ------------------------------------------------------------------ segmentation rules


def test_numbered_styles_and_stop_markers():
    for fmt in ("[{n}] ", "{n}. ", "{n}) "):
        lines = [fmt.format(n=1) + "Smith, J. (2001). Old work. Journal A, 1, 1-2.",
                 "continued here.",
                 fmt.format(n=2) + "Jones, K. (2010). New work. Journal B, 2, 3-4."]
        assert segment(lines) == ["Smith, J. (2001). Old work. Journal A, 1, 1-2. continued here.",
                                  "Jones, K. (2010). New work. Journal B, 2, 3-4."]
    text = ("Title of a paper here\n\nBody.\n\nReferences\n\n1. A, B. (2000). X. Y, 1, 2-3.\n\n"
            "2. C, D. (2001). Z. W, 4, 5-6.\n\nViews: 13\n\n3. Not a reference 2020.\n")
    doc = read_document_bytes(text.encode(), "t.txt")
    assert doc.references == ["A, B. (2000). X. Y, 1, 2-3.", "C, D. (2001). Z. W, 4, 5-6."]


def test_chicago_repeated_author_and_hyphenation():
    lines = [
        "Rozman, Gilbert. 2004. Northeast Asia's Stunted Regionalism. Cambridge: Cambridge Uni-",
        "versity Press.",
        "———. 2010. Chinese Strategic Thought toward Asia. New York: Palgrave Macmillan.",
        "Samuels, Richard J. 2007. Securing Japan. Ithaca: Cornell University Press.",
    ]
    assert segment(lines) == [
        "Rozman, Gilbert. 2004. Northeast Asia's Stunted Regionalism. Cambridge: Cambridge University Press.",
        "Rozman, Gilbert. 2010. Chinese Strategic Thought toward Asia. New York: Palgrave Macmillan.",
        "Samuels, Richard J. 2007. Securing Japan. Ithaca: Cornell University Press.",
    ]


def test_repeated_author_in_a_notes_bibliography_list_where_the_year_comes_last():
    lines = [
        "Arendt, Hannah. The Origins of Totalitarianism. New York: Harcourt, Brace, 1951.",
        "———. The Human Condition. Chicago: University of Chicago Press, 1958.",
        "Said, Edward W. Orientalism. New York: Pantheon Books, 1978.",
        "———. Culture and Imperialism. New York: Knopf, 1993.",
    ]
    assert segment(lines)[1] == "Arendt, Hannah. The Human Condition. Chicago: University of Chicago Press, 1958."
    assert segment(lines)[3] == "Said, Edward W. Culture and Imperialism. New York: Knopf, 1993."


@pytest.mark.parametrize("heading", ["Список литературы", "Литература", "参考文献", "참고문헌", "Bibliografía",
                                     "Références", "Riferimenti bibliografici", "Works Cited", "BIBLIOGRAPHY",
                                     "7. References", "Literature Cited"])
def test_reference_headings_in_many_languages(heading):
    text = (f"Некий заголовок статьи о чем-то\n\nТекст статьи.\n\n{heading}\n\n"
            "Иванов И.И. Название книги. М.: Наука, 2001. 200 с.\n\n"
            "Петров П.П. Другая статья // Вопросы истории. 2005. № 3. С. 10–20.\n")
    doc = read_document_bytes(text.encode("utf-8"), "ru.txt")
    assert doc.references == ["Иванов И.И. Название книги. М.: Наука, 2001. 200 с.",
                              "Петров П.П. Другая статья // Вопросы истории. 2005. № 3. С. 10–20."]
    assert doc.item["language"] == "ru"


def test_doi_broken_across_lines_stays_whole():
    lines = ["Doe, J. (2020). A title. Journal, 1(2), 3-4. https://doi.org/10.1016/0376-",
             "6357(93)90090-E"]
    assert segment(lines) == ["Doe, J. (2020). A title. Journal, 1(2), 3-4. https://doi.org/10.1016/0376-6357(93)90090-E"]


def test_names_and_dates():
    assert parse_names("Kistanov V.O.") == [{"family": "Kistanov", "given": "V.O."}]
    assert parse_names("Smith, S.A. and McClean C.") == [{"family": "Smith", "given": "S.A."},
                                                        {"family": "McClean", "given": "C."}]
    assert parse_names("Ludwig van Beethoven; World Health Organization") == [
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"literal": "World Health Organization"}]
    assert parse_date("Date 2025-02-25 View 46") == {"date-parts": [[2025, 2, 25]]}
    assert parse_date("25 February 2025") == {"date-parts": [[2025, 2, 25]]}
    assert parse_date("Feb 3, 2021") == {"date-parts": [[2021, 2, 3]]}
    assert parse_date("12.03.2019") == {"date-parts": [[2019, 3, 12]]}
    assert parse_date("März 2018") == {"date-parts": [[2018, 3]]}



def test_byline_names_lose_their_footnote_marks():
    assert parse_names("Anna Smith1,2, Bob Jones3*") == [{"family": "Smith", "given": "Anna"},
                                                         {"family": "Jones", "given": "Bob"}]
    assert parse_names("Kistanov V.O.1, Petrov P.²†") == [{"family": "Kistanov", "given": "V.O."},
                                                          {"family": "Petrov", "given": "P."}]


def test_gost_citation_without_a_title_line_keeps_every_author():
    # The page does not repeat the title as a line: the authors end where GOST's
    # author list ends (the rule the reference parser reads GOST with), the last one included.
    from refcli.documents.citation import from_citation

    one = from_citation("Кистанов В.О. Внешняя политика Японии // Проблемы Дальнего Востока. 2025. № 2. С. 35–51.", [])
    assert one["author"] == [{"family": "Кистанов", "given": "В.О."}]
    assert one["title"] == "Внешняя политика Японии"
    two = from_citation("Иванов И.И., Петров П.П. Заголовок статьи // Вопросы истории. 2005. № 3. С. 10–20.", [])
    assert [a["family"] for a in two["author"]] == ["Иванов", "Петров"]
    assert two["title"] == "Заголовок статьи" and two["page"] == "10-20"


# ------------------------------------------------------------------ HTML


def test_html_how_to_cite_block_and_list_without_tags():
    html = b"""<html><head><title>Brief</title></head><body>
    <h1>Energy Security in East Asia after 2022</h1>
    <p>By Jane Roe</p>
    <h2>References</h2>
    <ul><li>Yergin, D. (2006). Ensuring energy security. <i>Foreign Affairs</i>, 85(2), 69-82.</li>
    <li>Cherp, A., &amp; Jewell, J. (2014). The concept of energy security. <i>Energy Policy</i>, 75, 415-421.
    https://doi.org/10.1016/j.enpol.2014.09.005</li></ul>
    <h2>How to cite</h2>
    <p>Roe, J. (2023). Energy Security in East Asia after 2022. Asia Policy Review, 12(4), 33-41.
    https://doi.org/10.1234/apr.2023.33</p>
    </body></html>"""
    doc = read_document_bytes(html, "page.html")
    item = doc.item
    assert item["title"] == "Energy Security in East Asia after 2022"
    assert item["author"] == [{"family": "Roe", "given": "J."}]
    assert item["container-title"] == "Asia Policy Review"
    assert (item["volume"], item["issue"], item["page"]) == ("12", "4", "33-41")
    assert item["issued"] == {"date-parts": [[2023]]} and item["DOI"] == "10.1234/apr.2023.33"
    assert item["type"] == "article-journal" and item["custom"]["source"]["format"] == "html"
    assert doc.references == [
        "Yergin, D. (2006). Ensuring energy security. Foreign Affairs, 85(2), 69-82.",
        "Cherp, A., & Jewell, J. (2014). The concept of energy security. Energy Policy, 75, 415-421. "
        "https://doi.org/10.1016/j.enpol.2014.09.005"]
    assert doc.reference_items == [None, None]


def test_html_never_expands_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<html><head><meta name="citation_title" content="Safe page"></head>'
            '<body><p>before &x; after</p></body></html>').encode()
    doc = read_document_bytes(page, "evil.html")
    assert doc.item["title"] == "Safe page"
    assert "TOPSECRET" not in json.dumps(doc.item)


def test_broken_html_still_reads():
    doc = read_document_bytes(b"<html><body><h1>Unclosed <b>Title of the page</h1><p>text <div>more" + b" words" * 30,
                              "broken.html")
    assert doc.item["type"] == "webpage"
    assert doc.item["title"] == "Unclosed Title of the page"


def test_json_ld_and_plain_citation_reference():
    page = b"""<html><head>
    <script type="application/ld+json">{"@type": "Report", "name": "Water Futures",
      "author": [{"@type": "Person", "givenName": "Ana", "familyName": "Silva"}],
      "datePublished": "2021-06-01", "publisher": {"@type": "Organization", "name": "Water Institute"}}</script>
    <meta name="citation_reference" content="Silva, A. (2019). Rivers. Water Journal, 3, 1-9.">
    </head><body><p>x</p></body></html>"""
    doc = read_document_bytes(page, "report.html")
    assert doc.item["type"] == "report" and doc.item["title"] == "Water Futures"
    assert doc.item["author"] == [{"family": "Silva", "given": "Ana"}]
    assert doc.item["publisher"] == "Water Institute"
    assert doc.item["issued"] == {"date-parts": [[2021, 6, 1]]}
    assert doc.references == ["Silva, A. (2019). Rivers. Water Journal, 3, 1-9."]
    assert doc.reference_items == [None]


# ------------------------------------------------------------------ encodings and bad input


def test_mixed_encodings_bom_and_crlf():
    data = ("Ein Titel über die Küste\r\n\r\nText.\r\n\r\nLiteratur\r\n\r\n".encode()
            + "Müller, Hans (2001): Küstenschutz. Hamburg.\r\n\r\n".encode("latin-1")
            + "Иванов И.И. (2005): Берег. Москва.\r\n".encode("cp1251"))
    doc = read_document_bytes(data, "mixed.txt")
    assert doc.references == ["Müller, Hans (2001): Küstenschutz. Hamburg.", "Иванов И.И. (2005): Берег. Москва."]
    doc = read_document_bytes("\ufeffA Title of Some Length\n\nReferences\n\nX, Y. (2000). Z.\n".encode(), "bom.txt")
    assert doc.item["title"] == "A Title of Some Length" and doc.references == ["X, Y. (2000). Z."]
    utf16 = "A Title of Some Length\n\nReferences\n\nX, Y. (2000). Z.\n".encode("utf-16")
    assert read_document_bytes(utf16, "u16.txt").references == ["X, Y. (2000). Z."]


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"  \n\r\n ", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500, "binary"),
    (b"%PDF-1.4\n1 0 obj garbage", "PDF"),
])
def test_bad_input_is_one_clear_error(data, message):
    with pytest.raises(InputError) as info:
        read_document_bytes(data, "bad.bin")
    assert message in str(info.value) and info.value.where == "bad.bin"
    assert "\n" not in str(info.value)


def test_too_large_text_and_pdf_without_text(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (21 * 1024 * 1024 // 5))
    with pytest.raises(InputError, match="too large"):
        read_document(big)
    scan = make_pdf.make_pdf([[], []])
    with pytest.raises(InputError, match="no text layer"):
        read_document_bytes(scan, "scan.pdf")
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_document(tmp_path)


def test_format_is_detected_from_content():
    assert detect_format(b"%PDF-1.7\n...") == "pdf"
    assert detect_format(b"<!DOCTYPE html><html><body>x</body></html>", "page.txt") == "html"
    assert detect_format(b"# Title\n\nSome [link](http://x.org)\n\n- item\n", "notes.txt") == "markdown"
    assert detect_format(b"Just some words.\n", "notes.md") == "markdown"
    assert detect_format(b"Just some words.\n", "paper.html") == "text"


def test_import_is_cheap():
    code = ("import sys, refcli.documents; "
            "print(sorted(m for m in ('lxml', 'pypdf', 'refcli.documents.pdf') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ no raw exceptions

_PIECES = ["References\n", "1. ", "[2] ", "———. ", "Smith, J. (2001). ", "<p>", "</li>", "<meta name=",
           "\"citation_reference\" content=\"citation_title=", "How to cite\n", "\n\n", "-\n", "%PDF-",
           "10.1000/", "https://doi.org/", "Date 2025-02-25", "(Brief 2025-02) ", "Список литературы\n",
           "\x00", "\ufeff", "\r\n", "Views: 13\n", "Vol. 3, No. 2, pp. 1–9\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=40)), max_size=40),
       st.sampled_from(["utf-8", "latin-1", "cp1251"]))
def test_any_input_gives_a_document_or_an_input_error(pieces, encoding):
    data = "".join(pieces).encode(encoding, errors="replace")
    try:
        doc = read_document_bytes(data, "fuzz.txt")
    except InputError as exc:
        assert exc.where == "fuzz.txt" and "\n" not in exc.message
        return
    assert len(doc.references) == len(doc.reference_items)
    assert all(isinstance(r, str) and r and "\n" not in r for r in doc.references)
    assert doc.item["type"] and doc.item["custom"]["source"]["file"] == "fuzz.txt"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_damaged_pdf_bytes_are_an_input_error(tail):
    try:
        read_document_bytes(b"%PDF-1.4\n" + tail, "fuzz.pdf")
    except InputError:
        pass
    else:
        pytest.fail("random bytes after %PDF- cannot be a document with text")


# ------------------------------------------------------------------ "How to cite" blocks


@pytest.mark.parametrize("block, title, expected", [
    ("LeCun, Y., Bengio, Y. & Hinton, G. Deep learning. Nature 521, 436–444 (2015). "
     "https://doi.org/10.1038/nature14539", "Deep learning",
     {"container-title": "Nature", "volume": "521", "page": "436-444", "issued": {"date-parts": [[2015]]},
      "DOI": "10.1038/nature14539", "type": "article-journal",
      "author": [{"family": "LeCun", "given": "Y."}, {"family": "Bengio", "given": "Y."},
                 {"family": "Hinton", "given": "G."}]}),
    ('Autor, David H. 2015. "Why Are There Still So Many Jobs? The History and Future of Workplace '
     'Automation." Journal of Economic Perspectives, 29 (3): 3–30.',
     "Why Are There Still So Many Jobs? The History and Future of Workplace Automation",
     {"container-title": "Journal of Economic Perspectives", "volume": "29", "issue": "3", "page": "3-30",
      "author": [{"family": "Autor", "given": "David H."}], "issued": {"date-parts": [[2015]]},
      "type": "article-journal"}),
    ("Graetz, G., & Michaels, G. (2015). Robots at work. Discussion Paper No. 1335, "
     "Centre for Economic Performance, London.", "Robots at work",
     {"type": "report", "collection-title": "Discussion Paper", "number": "1335",
      "publisher": "Centre for Economic Performance", "issued": {"date-parts": [[2015]]}}),
    ("Acemoglu, D., & Autor, D. (2011). Skills, tasks and technologies. In O. Ashenfelter & D. Card (Eds.), "
     "Handbook of labor economics (Vol. 4, pp. 1043–1171). Elsevier.", "Skills, tasks and technologies",
     {"type": "chapter", "container-title": "Handbook of labor economics", "page": "1043-1171",
      "publisher": "Elsevier", "editor": [{"family": "Ashenfelter", "given": "O."},
                                          {"family": "Card", "given": "D."}]}),
])
def test_citation_blocks_in_common_styles(block, title, expected):
    from refcli.documents.citation import from_citation

    item = from_citation(block, ["Navigation", title, "Some body text."])
    assert item["title"] == title
    for key, value in expected.items():
        assert item.get(key) == value, key


def test_reference_parser_fills_gaps_and_leads_without_an_anchor(monkeypatch):
    import types

    calls = []
    fake = types.ModuleType("refcli.refparse")

    def parse_reference(text):
        calls.append(text)
        return {"title": "Parsed title", "publisher": "Parsed Press", "issued": {"date-parts": [[2020]]},
                "id": "x"}

    fake.parse_reference = parse_reference
    monkeypatch.setitem(sys.modules, "refcli.refparse", fake)
    # The title is a line of the page: the own split wins, the parser fills the gap (no year).
    text = ("Some Journal\n\nA Study of Rivers and Lakes\n\nFor citations:\n\n"
            "Roe J. A Study of Rivers and Lakes. Some Journal. Spring issue, pp. 10-20.\n")
    item = read_document_bytes(text.encode(), "c.txt").item
    assert item["title"] == "A Study of Rivers and Lakes" and item["author"] == [{"family": "Roe", "given": "J."}]
    assert item["publisher"] == "Parsed Press" and item["issued"] == {"date-parts": [[2020]]}
    assert "id" not in item and len(calls) == 1
    # Complete and anchored: the parser is not even asked.
    text = text.replace("Spring issue, pp. 10-20.", "2020;4(2):10-20.")
    item = read_document_bytes(text.encode(), "c.txt").item
    assert (item["volume"], item["issue"], item["page"]) == ("4", "2", "10-20") and len(calls) == 1
    assert "publisher" not in item
    # Anchored by a line in capitals: still the own split, still no parser call.
    text = text.replace("A Study of Rivers and Lakes\n\nFor", "A STUDY OF RIVERS AND LAKES\n\nFor")
    item = read_document_bytes(text.encode(), "c.txt").item
    assert item["title"] == "A Study of Rivers and Lakes" and len(calls) == 1
    # No anchor: the parser's reading comes first.
    text = "Body text only.\n\nHow to cite: Roe J. Something else entirely. Other Journal. 2019;1:1-2.\n"
    item = read_document_bytes(text.encode(), "d.txt").item
    assert item["title"] == "Parsed title" and len(calls) == 2


def test_javascript_only_page_is_a_clear_error():
    page = b"<html><head><title>App</title><script>" + b"var x = 1;" * 500 + b"</script></head>" \
           b"<body><div id='root'></div><noscript>Enable JavaScript</noscript></body></html>"
    with pytest.raises(InputError, match="JavaScript"):
        read_document_bytes(page, "app.html")


def test_yearless_list_splits_after_urls():
    lines = ["GNOME The GNOME desktop, http://www.gnome.org",
             "Desktop Entry Specification,",
             "http://www.freedesktop.org/standards/desktop-entry-spec.html",
             "RFC-2119 Key words for use in RFCs, http://www.ietf.org/rfc/rfc2119.txt"]
    assert segment(lines) == [
        "GNOME The GNOME desktop, http://www.gnome.org",
        "Desktop Entry Specification, http://www.freedesktop.org/standards/desktop-entry-spec.html",
        "RFC-2119 Key words for use in RFCs, http://www.ietf.org/rfc/rfc2119.txt"]


def test_html_declared_legacy_charset_is_honoured():
    page = ('<html><head><meta charset="euc-kr"><meta name="citation_title" content="한국 외교 정책의 변화">'
            '</head><body><h1>한국 외교 정책의 변화</h1><p>' + "본문 내용입니다. " * 20 + '</p>'
            '<h2>참고문헌</h2><p>김철수 (2020). 외교의 이해. 서울: 한울.</p></body></html>').encode("euc-kr")
    doc = read_document_bytes(page, "kr.html")
    assert doc.item["title"] == "한국 외교 정책의 변화" and doc.item["language"] == "ko"
    assert doc.references == ["김철수 (2020). 외교의 이해. 서울: 한울."]


def test_url_line_breaks():
    assert segment(["Doe, J. (2020). T. J, 1. https://doi.org/10.1000/xyz.", "(In Russian)"]) == [
        "Doe, J. (2020). T. J, 1. https://doi.org/10.1000/xyz. (In Russian)"]
    assert segment(["Doe, J. (2020). T. https://example.org/a/very/long/", "path/page.html"]) == [
        "Doe, J. (2020). T. https://example.org/a/very/long/path/page.html"]
    assert segment(["Doe, J. (2020). T. https://example.org/a?s=1&utm", "_campaign=x"]) == [
        "Doe, J. (2020). T. https://example.org/a?s=1&utm_campaign=x"]


def test_pdf_block_splits_at_short_last_lines():
    # No blank lines, no indents, organisations as authors: the short last line ends each one.
    lines = [
        "World Bank. 2019. World Development Report 2019: The Changing Nature of Work. Wash-",
        "ington, DC: World Bank.",
        "OECD. 2019. OECD Employment Outlook 2019: The Future of Work. Paris: OECD Publishing,",
        "https://doi.org/10.1787/9ee00155-en.",
        "International Labour Office. 2018. World Employment and Social Outlook: Trends 2018.",
        "Geneva: ILO.",
        "United Nations. 2015. Transforming our world: the 2030 Agenda for Sustainable Develop-",
        "ment. New York: United Nations General Assembly.",
    ]
    assert segment(lines) == [
        "World Bank. 2019. World Development Report 2019: The Changing Nature of Work. Washington, DC: World Bank.",
        "OECD. 2019. OECD Employment Outlook 2019: The Future of Work. Paris: OECD Publishing, "
        "https://doi.org/10.1787/9ee00155-en.",
        "International Labour Office. 2018. World Employment and Social Outlook: Trends 2018. Geneva: ILO.",
        "United Nations. 2015. Transforming our world: the 2030 Agenda for Sustainable Development. "
        "New York: United Nations General Assembly.",
    ]


def test_notes_after_the_references_are_not_references():
    text = ("A Paper About Something Useful\n\nBody.\n\nREFERENCES\n\nAbe, K. (2001). One. J, 1, 2.\n\n"
            "Notes\n\n1. This is a footnote, 2003.\n")
    assert read_document_bytes(text.encode(), "n.txt").references == ["Abe, K. (2001). One. J, 1, 2."]
    text = "A Paper About Something Useful\n\nBody.\n\nNotes\n\n1. Abe, One (Tokyo, 2001), 3.\n2. Ibid., 4.\n"
    assert read_document_bytes(text.encode(), "n.txt").references == ["Abe, One (Tokyo, 2001), 3.", "Ibid., 4."]


def test_encrypted_pdfs():
    import io

    from pypdf import PdfReader, PdfWriter

    def encrypted(user: str, algorithm: str = "RC4-128") -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf.make_pdf(make_pdf.PAPER_PAGES))))
        writer.encrypt(user, owner_password="owner", algorithm=algorithm)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(InputError, match="encrypted with a password"):
        read_document_bytes(encrypted("secret"), "locked.pdf")
    # An empty user password only restricts printing or copying: the text is readable.
    doc = read_document_bytes(encrypted(""), "open.pdf")
    assert doc.references[3].startswith("Sepp Hochreiter and Jürgen Schmidhuber. Long short-term memory.")
    # Publishers' PDFs are often AES-encrypted that way (needs the cryptography package).
    doc = read_document_bytes(encrypted("", "AES-256"), "aes.pdf")
    assert doc.item["title"] == "Attention Is All You Need" and len(doc.references) == 4


def test_abstract_and_keywords():
    text = ("Rivers of the North: A Survey\n\nAnna Berg\n\nSummary statistics are in Table 1 of this survey.\n\n"
            "Abstract\n\nWe survey northern rivers.\n"
            "Their ice cover is shrinking.\n\nKeywords: rivers; ice cover; Arctic\n\n1. Introduction\n\nText.\n")
    item = read_document_bytes(text.encode(), "a.txt").item
    assert item["abstract"] == "We survey northern rivers. Their ice cover is shrinking."
    assert item["keyword"] == "rivers, ice cover, Arctic"
    assert item["title"] == "Rivers of the North: A Survey" and item["author"] == [{"family": "Berg", "given": "Anna"}]


def test_html_pre_keeps_its_lines():
    page = ("<html><body><pre>A Title for a Plain Text Paper\n\nJ. Doe\n\n" + "Body text here. " * 10 +
            "\n\nReferences\n\nAbe, K. (2001). One.\n    J, 1, 2.\nBo, L. (2002). Two.\n    K, 3, 4.\n"
            "</pre></body></html>").encode()
    doc = read_document_bytes(page, "pre.html")
    assert doc.references == ["Abe, K. (2001). One. J, 1, 2.", "Bo, L. (2002). Two. K, 3, 4."]


def test_markdown_keeps_urls_and_identifiers_whole():
    from refcli.documents.text import markdown_to_text

    assert markdown_to_text("**Bold**, *it*, _u_ https://x.org/a?utm_source=f&utm_campaign=g snake_case") == \
        "Bold, it, u https://x.org/a?utm_source=f&utm_campaign=g snake_case"


def test_russian_article_gost_citation_and_capitalised_title():
    text = ("УДК 327(520)\n\nВНЕШНЯЯ ПОЛИТИКА ЯПОНИИ В ЭПОХУ ТРАМПА 2.0\n\nВ.О. Кистанов\n"
            "Институт Китая и современной Азии РАН\n\nАннотация. В статье анализируется политика Японии.\n\n"
            "Ключевые слова: Япония, США\n\nВведение\nТекст статьи.\n\nСписок литературы\n"
            "1. Каспэ С.И. Империя на хозрасчете // Россия в глобальной политике. 2025. Т. 23. № 1. С. 10–34.\n"
            "DOI: 10.31278/1810-6439-2025-23-3-10-34\n"
            "2. Тренин Д.В. Ревизионист, а не революционер // Россия в глобальной политике. 2025. Т. 23. № 3.\n"
            "С. 35–51.\n\nДля цитирования: Кистанов В.О. Внешняя политика Японии в эпоху Трампа 2.0 // "
            "Японские исследования. 2025. № 3. С. 5–25.\n")
    doc = read_document_bytes(text.encode("cp1251"), "ru.txt")
    item = doc.item
    assert item["title"] == "Внешняя политика Японии в эпоху Трампа 2.0"
    assert item["author"] == [{"family": "Кистанов", "given": "В.О."}]
    assert item["container-title"] == "Японские исследования"
    assert (item["issue"], item["page"], item["issued"]) == ("3", "5-25", {"date-parts": [[2025]]})
    assert item["type"] == "article-journal" and item["language"] == "ru"
    assert item["abstract"] == "В статье анализируется политика Японии." and item["keyword"] == "Япония, США"
    assert doc.references == [
        "Каспэ С.И. Империя на хозрасчете // Россия в глобальной политике. 2025. Т. 23. № 1. С. 10–34. "
        "DOI: 10.31278/1810-6439-2025-23-3-10-34",
        "Тренин Д.В. Ревизионист, а не революционер // Россия в глобальной политике. 2025. Т. 23. № 3. С. 35–51."]


def test_citation_reference_tags_without_a_matching_list():
    page = b"""<html><head><meta name="citation_title" content="A Page">
    <meta name="citation_reference" content="citation_author=Hochreiter, S.; citation_author=Schmidhuber, J.;
      citation_title=Long short-term memory; citation_journal_title=Neural Computation; citation_volume=9;
      citation_firstpage=1735; citation_lastpage=1780; citation_year=1997; citation_doi=10.1162/neco.1997.9.8.1735">
    </head><body><p>No list in the body.</p></body></html>"""
    doc = read_document_bytes(page, "tags.html")
    assert doc.references == ["Hochreiter, S., Schmidhuber, J. (1997). Long short-term memory. "
                              "Neural Computation, 9, 1735-1780. https://doi.org/10.1162/neco.1997.9.8.1735"]
    [item] = doc.reference_items
    assert item["author"] == [{"family": "Hochreiter", "given": "S."}, {"family": "Schmidhuber", "given": "J."}]
    assert (item["volume"], item["page"], item["issued"]) == ("9", "1735-1780", {"date-parts": [[1997]]})
    assert item["type"] == "article-journal" and item["DOI"] == "10.1162/neco.1997.9.8.1735"


def test_thesis_title_page():
    text = ("Essays on Labour Markets and Automation\n\nMaria Lopez\n\n"
            "A thesis submitted for the degree of Doctor of Philosophy\n\nUniversity of Edinburgh\n\n2019\n\n"
            "Abstract\n\nThree essays on automation.\n")
    item = read_document_bytes(text.encode(), "thesis.txt").item
    assert item["type"] == "thesis" and item["genre"] == "Doctor of Philosophy"
    assert item["publisher"] == "University of Edinburgh" and item["issued"] == {"date-parts": [[2019]]}
    assert item["title"] == "Essays on Labour Markets and Automation"
    assert item["author"] == [{"family": "Lopez", "given": "Maria"}]


def test_errors_name_the_path_and_items_the_file_name(tmp_path):
    bad = tmp_path / "sub" / "empty.txt"
    bad.parent.mkdir()
    bad.write_bytes(b"")
    with pytest.raises(InputError) as info:
        read_document(bad)
    assert str(info.value) == f"{bad}: the file is empty"
    good = tmp_path / "sub" / "ok.txt"
    good.write_text("A Title of Some Length\n\nReferences\n\nX, Y. (2000). Z.\n")
    assert read_document(good).item["custom"] == {"source": {"file": "ok.txt", "format": "text"}}


def test_page_chrome_after_the_list_is_not_a_reference():
    page = b"""<html><body><nav>Home About Search</nav><h1>Rivers and Lakes of the North</h1>
    <p>Some text of the page, long enough to be read as a real document body with words.</p>
    <h2>References</h2><p>Abe, K. (2001). One. J, 1, 2.</p><p>Bo, L. (2002). Two. K, 3, 4.</p>
    <div class="links"><p>Privacy policy</p><p>Back to top</p></div>
    <footer><p>Journal of Lakes, 2024. Published by Lake Press.</p></footer></body></html>"""
    doc = read_document_bytes(page, "chrome.html")
    assert doc.references == ["Abe, K. (2001). One. J, 1, 2.", "Bo, L. (2002). Two. K, 3, 4."]
    assert doc.item["title"] == "Rivers and Lakes of the North"


def test_a_sentence_starting_with_citation_is_not_a_citation_block():
    from refcli.documents.citation import find_cite_block

    lines = ["Citation counts rose sharply after 2010 in every field that we studied here.", "",
             "How to cite this article: Roe, J. (2020). Rivers. Lake Journal, 1(2), 3-4."]
    assert find_cite_block(lines) == "Roe, J. (2020). Rivers. Lake Journal, 1(2), 3-4."


def test_date_lines_need_a_label_and_a_date():
    text = "A Survey of Northern Rivers\n\nData were collected in March 2019.\n\nPublished: 12 May 2021\n"
    assert read_document_bytes(text.encode(), "d.txt").item["issued"] == {"date-parts": [[2021, 5, 12]]}


def test_saved_publisher_page_with_link_rows_and_cite_this_article():
    text = ("Skip to main content\nNature\nSearch\nLog in\nReview Article\nDeep learning\n"
            "Yann LeCun, Yoshua Bengio & Geoffrey Hinton\nNature volume 521, pages 436–444 (2015)Cite this article\n"
            "References\n"
            "Rumelhart, D. E., Hinton, G. E. & Williams, R. J. Learning representations by back-propagating errors. "
            "Nature 323, 533–536 (1986).\nArticle  ADS  Google Scholar \n"
            "Hochreiter, S. & Schmidhuber, J. Long short-term memory. Neural Comput. 9, 1735–1780 (1997).\n"
            "CAS  Article  PubMed  Google Scholar \nDownload references\nCite this article\n"
            "LeCun, Y., Bengio, Y. & Hinton, G. Deep learning. Nature 521, 436–444 (2015). "
            "https://doi.org/10.1038/nature14539\n")
    doc = read_document_bytes(text.encode(), "nature.txt")
    assert doc.references == [
        "Rumelhart, D. E., Hinton, G. E. & Williams, R. J. Learning representations by back-propagating errors. "
        "Nature 323, 533–536 (1986).",
        "Hochreiter, S. & Schmidhuber, J. Long short-term memory. Neural Comput. 9, 1735–1780 (1997)."]
    item = doc.item
    assert (item["title"], item["container-title"], item["volume"], item["page"]) == (
        "Deep learning", "Nature", "521", "436-444")
    assert item["DOI"] == "10.1038/nature14539" and item["type"] == "article-journal"
    assert [a["family"] for a in item["author"]] == ["LeCun", "Bengio", "Hinton"]


def test_sciencedirect_link_rows_separate_references():
    text = ("Some Article About Robots and Work\n\nBody text.\n\nReferences\n"
            "D. Acemoglu, D. Autor\nSkills, tasks and technologies: Implications for employment and earnings\n"
            "O. Ashenfelter, D. Card (Eds.), Handbook of Labor Economics, Vol. 4B, Elsevier (2011), pp. 1043-1171\n"
            "View PDFView articleView in ScopusGoogle Scholar\n"
            "D.H. Autor\nWhy are there still so many jobs? The history and future of workplace automation\n"
            "J. Econ. Perspect., 29 (3) (2015), pp. 3-30\nCrossrefView in ScopusGoogle Scholar\n")
    refs = read_document_bytes(text.encode(), "sd.txt").references
    assert refs == [
        "D. Acemoglu, D. Autor Skills, tasks and technologies: Implications for employment and earnings "
        "O. Ashenfelter, D. Card (Eds.), Handbook of Labor Economics, Vol. 4B, Elsevier (2011), pp. 1043-1171",
        "D.H. Autor Why are there still so many jobs? The history and future of workplace automation "
        "J. Econ. Perspect., 29 (3) (2015), pp. 3-30"]


def test_a_doi_given_only_by_a_link_under_the_reference_joins_it():
    page = (
        "<html><body><h2>References</h2><ol>"
        '<li><p>Handley K, Limão N (2017) Policy uncertainty, trade, and welfare. Am Econ Rev 107(9):2731–2783</p>'
        '<p><a href="https://doi.org/10.1257/aer.20141419">Article</a> '
        '<a href="https://scholar.google.com/y">Google Scholar</a></p></li>'
        '<li><p>Pierce JR, Schott PK (2016) The swift decline. Am Econ Rev 106(7):1632–1662. '
        "https://doi.org/10.1257/aer.20131578</p>"
        '<p><a href="https://doi.org/10.1257/aer.20131578">Article</a></p></li>'
        '<li><p>Baldwin R (2016) The great convergence. Harvard University Press</p>'
        '<p><a href="https://example.org/x">Article</a></p></li>'
        "</ol><h2>Acknowledgements</h2><p>Thanks.</p></body></html>")
    doc = read_document_bytes(page.encode(), "page.html")
    assert doc.references == [
        "Handley K, Limão N (2017) Policy uncertainty, trade, and welfare. Am Econ Rev 107(9):2731–2783. "
        "https://doi.org/10.1257/aer.20141419",
        "Pierce JR, Schott PK (2016) The swift decline. Am Econ Rev 106(7):1632–1662. "
        "https://doi.org/10.1257/aer.20131578",  # printed already: not twice
        "Baldwin R (2016) The great convergence. Harvard University Press.",
    ]


def test_wiley_link_rows_and_the_section_after_the_list():
    page = (
        "<html><body><h2>References</h2><ul>"
        "<li>Alesina, A., &amp; Dollar, D. (2000). Who gives foreign aid to whom and why? <i>Journal of "
        "Economic Growth</i>, 5(1), 33–63.<div><a href='https://doi.org/10.1023/A:1009874203400'>"
        "10.1023/A:1009874203400</a> | <a href='/x'>Web of Science®</a> | <a href='/y'>Google Scholar</a></div></li>"
        "<li>Burnside, C., &amp; Dollar, D. (2000). Aid, policies, and growth. <i>American Economic Review</i>, "
        "90(4), 847–868.<div><a href='https://doi.org/10.1257/aer.90.4.847'>CrossRef</a> | <a href='/x'>CAS</a>"
        "</div></li></ul><h2>Supporting Information</h2><p>Filename Description</p></body></html>")
    refs = read_document_bytes(page.encode(), "wiley.html").references
    assert len(refs) == 2
    assert refs[0].endswith("33–63. https://doi.org/10.1023/A:1009874203400")  # as the page writes it
    assert refs[1].endswith("847–868. https://doi.org/10.1257/aer.90.4.847")


def test_a_reference_in_unpunctuated_blocks_of_one_list_item_is_one_reference():
    page = (  # ScienceDirect: authors, title and journal are blocks; CSS separates them
        "<html><body><h2>References</h2><ol>"
        "<li><div><div>D. Acemoglu, P. Restrepo</div><div>Robots and jobs: evidence from US labor markets</div>"
        "</div><div>J. Polit. Econ., 128 (6) (2020), pp. 2188-2244</div>"
        "<div><a href='https://doi.org/10.1086/705716'>Crossref</a><a href='/s'>View in Scopus</a>"
        "<a href='/g'>Google Scholar</a></div></li>"
        "<li><div>D.H. Autor, D. Dorn</div><div>The China syndrome</div><div>Am. Econ. Rev., 103 (2013)</div></li>"
        "</ol><section><h2>Cited by (12)</h2><p>Some other paper</p></section></body></html>")
    refs = read_document_bytes(page.encode(), "sd.html").references
    assert refs == [
        "D. Acemoglu, P. Restrepo. Robots and jobs: evidence from US labor markets. J. Polit. Econ., 128 (6) "
        "(2020), pp. 2188-2244. https://doi.org/10.1086/705716",
        "D.H. Autor, D. Dorn. The China syndrome. Am. Econ. Rev., 103 (2013)",
    ]


def test_pubmed_central_inline_link_labels_leave_only_the_doi_and_pmid():
    page = (
        "<html><body><h2>References</h2><ul>"
        "<li>Cooney GM, Dwan K. Exercise for depression. Cochrane Database Syst Rev. 2013;9:CD004366. "
        "[<a href='https://doi.org/10.1002/14651858.CD004366.pub6'>DOI</a>] "
        "[<a href='https://pubmed.ncbi.nlm.nih.gov/24026850'>PubMed</a>] [<a href='/g'>Google Scholar</a>]</li>"
        "<li>Schuch FB. Exercise as a treatment. J Psychiatr Res. 2016;77:42–51. [<a href='/p'>PubMed</a>]</li>"
        "</ul></body></html>")
    assert read_document_bytes(page.encode(), "pmc.html").references == [
        "Cooney GM, Dwan K. Exercise for depression. Cochrane Database Syst Rev. 2013;9:CD004366. "
        "https://doi.org/10.1002/14651858.CD004366.pub6 PMID: 24026850",
        "Schuch FB. Exercise as a treatment. J Psychiatr Res. 2016;77:42–51.",  # its PubMed link has no id
    ]


def test_ligatures_of_pdf_text_are_spelt_out():
    text = ("A paper on eﬃcient classiﬁers\n\nBody.\n\nReferences\n\n"
            "Krizhevsky, A. (2012). ImageNet classiﬁcation with deep convolutional neural networks. "
            "Advances in Neural Information Processing Systems, 25, 1097–1105.\n")
    doc = read_document_bytes(text.encode(), "p.txt")
    assert "classification with deep" in doc.references[0] and "\ufb01" not in doc.references[0]


@pytest.mark.parametrize("text, previous, expected", [
    ("———, and Mary Roe. Second Book. London: Verso, 2002.",
     "Doe, Jane, and John Roe. The Long Road Home. Oxford: Oxford University Press, 2001.",
     "Doe, Jane, and Mary Roe. Second Book. London: Verso, 2002."),  # only the first author repeats
    ("———, ed. Reflections on Exile. New York: Knopf, 1993.",
     "Said, Edward W. Orientalism. New York: Pantheon Books, 1978.",
     "Said, Edward W., ed. Reflections on Exile. New York: Knopf, 1993."),
])
def test_repeated_authors_variants(text, previous, expected):
    from refcli.documents.references import repeated_authors

    assert repeated_authors(text, previous) == expected
