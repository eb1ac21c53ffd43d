"""Moving in from other tools (issue 15): each new format read from its example file
with the facts expected, detected by content, hostile variants refused; Zotero's
database read-only while locked; keys and fields that used to be lost kept; CSL-JSON
shape checked (issue 13)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.cslcheck import citeproc_js, citeproc_js_available, schema_errors
from refcli import formats
from refcli.csl.styles import locales_dir, resolve_style
from refcli.errors import InputError
from refcli.formats.shape import NAME_VARS, NUMBER_VARS, STRING_VARS

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "examples" / "formats"


def _read(name: str) -> list[dict]:
    result = formats.read_path(FORMATS / name)
    assert result.problems == []
    return result.items


def _by_doi(items: list[dict]) -> dict[str, dict]:
    return {i["DOI"]: i for i in items if "DOI" in i}


def test_pubmed_nbib() -> None:
    items = _by_doi(_read("pubmed.nbib"))
    deep = items["10.1038/nature14539"]
    assert deep["title"] == "Deep learning" and deep["container-title"] == "Nature"
    assert deep["author"][0] == {"family": "LeCun", "given": "Yann"}
    assert deep["issued"] == {"date-parts": [[2015, 5, 28]]} and deep["page"] == "436-444"
    assert (deep["volume"], deep["issue"], deep["PMID"]) == ("521", "7553", "26017442")
    assert deep["abstract"].startswith("Deep learning allows") and "abstraction." in deep["abstract"]
    assert deep["custom"]["medline"]["fields"]["JID"] == ["0410462"]  # kept, not mapped
    assert items["10.1038/171737a0"]["page"] == "737-738"


def test_web_of_science() -> None:
    items = _by_doi(_read("wos.ciw"))
    lstm = items["10.1162/neco.1997.9.8.1735"]
    assert lstm["author"] == [{"family": "Hochreiter", "given": "Sepp"},
                              {"family": "Schmidhuber", "given": "Juergen"}]
    assert lstm["container-title"] == "Neural Computation" and lstm["page"] == "1735-1780"
    assert lstm["issued"] == {"date-parts": [[1997, 11, 15]]}
    assert lstm["custom"]["wos"]["fields"]["SO"] == ["NEURAL COMPUTATION"]
    resnet = items["10.1109/cvpr.2016.90"]
    assert resnet["type"] == "paper-conference" and len(resnet["author"]) == 4
    assert resnet["custom"]["wos"]["fields"]["CY"] == ["JUN 27-30, 2016"]


def test_endnote_refer() -> None:
    shannon, knuth = _read("endnote.enw")
    assert shannon["DOI"] == "10.1002/j.1538-7305.1948.tb01338.x"
    assert shannon["container-title"] == "Bell System Technical Journal"
    assert shannon["keyword"] == "information theory, entropy"
    assert knuth["id"] == "knuth1968art" and knuth["publisher-place"] == "Reading, MA"


def test_endnote_xml() -> None:
    (item,) = _read("endnote.xml")
    assert item["title"] == "Learning representations by back-propagating errors"
    assert [a["family"] for a in item["author"]] == ["Rumelhart", "Hinton", "Williams"]
    assert item["issued"] == {"date-parts": [[1986, 10, 9]]} and item["id"] == "rumelhart1986learning"
    assert item["custom"]["files"] == ["internal-pdf://rumelhart1986.pdf"]
    assert item["custom"]["endnote"]["fields"]["rec-number"] == ["1"]


def test_scopus_csv() -> None:
    items = _by_doi(_read("scopus.csv"))
    alexnet = items["10.1145/3065386"]
    assert alexnet["author"][2] == {"family": "Hinton", "given": "Geoffrey E."}
    assert alexnet["ISSN"] == "0001-0782" and alexnet["page"] == "84-90"
    assert alexnet["custom"]["scopus"]["fields"]["Page count"] == "7"  # no CSL variable: kept
    assert items["10.1007/bf00994018"]["keyword"].startswith("pattern recognition, efficient")


def test_csl_yaml_and_cff() -> None:
    (godel,) = _read("godel.yaml")
    assert godel["author"] == [{"family": "Gödel", "given": "Kurt"}]
    assert godel["issued"] == {"date-parts": [[1931]]}
    software, paper = _read("CITATION.cff")
    assert software["type"] == "software" and software["title"] == "scikit-learn"
    assert software["custom"]["cff"]["fields"]["repository-code"].endswith("scikit-learn")
    assert paper["container-title"] == "Journal of Machine Learning Research"
    assert paper["page"] == "2825-2830" and paper["author"][1]["given"] == "Gaël"


@pytest.mark.parametrize("name, fmt", [
    ("pubmed.nbib", "medline"), ("wos.ciw", "wos"), ("endnote.enw", "refer"),
    ("endnote.xml", "endnotexml"), ("scopus.csv", "scopus"), ("godel.yaml", "cslyaml"),
    ("CITATION.cff", "cff"),
])
def test_each_format_is_detected_by_content(name: str, fmt: str) -> None:
    text = (FORMATS / name).read_text(encoding="utf-8")
    assert formats.detect_format(text, "export.txt") == fmt


def test_csl_yaml_round_trip_and_pandoc(tmp_path: Path) -> None:
    items = _read("godel.yaml") + _read("pubmed.nbib")
    text = formats.write(items, "cslyaml")
    back = formats.read(text, "cslyaml").items
    assert [i["title"] for i in back] == [i["title"] for i in items]
    if shutil.which("pandoc"):
        (tmp_path / "refs.yaml").write_text(text, encoding="utf-8")
        (tmp_path / "d.md").write_text("[@godel1931]\n")
        proc = subprocess.run(["pandoc", "--citeproc", "--bibliography", "refs.yaml", "-t", "plain", "d.md"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "Gödel" in proc.stdout and "not found" not in proc.stderr


def test_hostile_yaml_and_xml_are_refused() -> None:
    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nreferences: [*b, *b]\n"
    with pytest.raises(InputError, match="aliases"):
        formats.read(bomb, "cslyaml")
    xxe = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           "<xml><records><record><titles><title>&e;</title></titles></record></records></xml>")
    with pytest.raises(InputError, match="DOCTYPE"):
        formats.read(xxe, "endnotexml")


# -- Zotero's database, with the tables and columns Zotero 5-7 use

ZOTERO_SCHEMA = """
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
  filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
  lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
  dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
  version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
  charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
  lastProcessedModificationTime INT);
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL, PRIMARY KEY (itemID, tagID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
  UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
  orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, orderIndex));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
  parentCollectionID INT DEFAULT NULL, clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0);
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0,
  PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""


def make_zotero_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(ZOTERO_SCHEMA)
    conn.executemany("INSERT INTO itemTypes (itemTypeID, typeName) VALUES (?, ?)",
                     [(1, "note"), (3, "attachment"), (22, "journalArticle"), (7, "book")])
    names = ["title", "publicationTitle", "date", "volume", "pages", "DOI", "extra", "publisher", "place", "url"]
    conn.executemany("INSERT INTO fields VALUES (?, ?, NULL)", list(enumerate(names, 1)))
    conn.executemany("INSERT INTO creatorTypes VALUES (?, ?)", [(8, "author"), (10, "editor")])
    conn.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0)")
    items = [(1, 22, "AAAA1111"), (2, 7, "BBBB2222"), (3, 3, "CCCC3333"), (4, 1, "DDDD4444"),
             (5, 3, "EEEE5555"), (6, 22, "FFFF6666")]
    conn.executemany("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)", items)
    values: dict[str, int] = {}

    def put(item: int, field: str, value: str) -> None:
        vid = values.setdefault(value, len(values) + 1)
        conn.execute("INSERT OR IGNORE INTO itemDataValues VALUES (?, ?)", (vid, value))
        conn.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item, names.index(field) + 1, vid))

    put(1, "title", "Deep learning")
    put(1, "publicationTitle", "Nature")
    put(1, "date", "2015-05-28 2015-05-28")
    put(1, "volume", "521")
    put(1, "pages", "436-444")
    put(1, "DOI", "10.1038/nature14539")
    put(1, "extra", "Citation Key: lecun2015deep")
    put(2, "title", "The Art of Computer Programming")
    put(2, "date", "1968-00-00 1968")
    put(2, "publisher", "Addison-Wesley")
    put(2, "place", "Reading, MA")
    put(6, "title", "A deleted article")
    conn.executemany("INSERT INTO creators VALUES (?, ?, ?, ?)",
                     [(1, "Yann", "LeCun", 0), (2, "Yoshua", "Bengio", 0), (3, "Donald E.", "Knuth", 0),
                      (4, "", "Deep Learning Group", 1)])
    conn.executemany("INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                     [(1, 2, 8, 1), (1, 1, 8, 0), (1, 4, 10, 2), (2, 3, 8, 0)])
    conn.executemany("INSERT INTO collections (collectionID, collectionName, parentCollectionID, libraryID, key) "
                     "VALUES (?, ?, ?, 1, ?)", [(1, "Thesis", None, "COLL0001"), (2, "Chapter 2", 1, "COLL0002")])
    conn.executemany("INSERT INTO collectionItems VALUES (?, ?, 0)", [(2, 1), (1, 2)])
    conn.executemany("INSERT INTO tags VALUES (?, ?)", [(1, "to read"), (2, "classic")])
    conn.executemany("INSERT INTO itemTags VALUES (?, ?, 0)", [(1, 1), (2, 2)])
    conn.execute("INSERT INTO itemNotes VALUES (4, 1, '<p>Read section 3</p>', 'Read section 3')")
    conn.executemany("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                     "VALUES (?, ?, ?, 'application/pdf', ?)",
                     [(3, 1, 0, "storage:LeCun2015.pdf"), (5, 2, 2, "/home/me/papers/knuth.pdf")])
    conn.execute("INSERT INTO deletedItems (itemID) VALUES (6)")
    conn.commit()
    conn.close()


def _check_zotero_items(items: list[dict], db: Path) -> None:
    by_title = {i["title"]: i for i in items}
    assert set(by_title) == {"Deep learning", "The Art of Computer Programming"}  # no notes, files, trash
    deep = by_title["Deep learning"]
    assert deep["id"] == "lecun2015deep" and deep["type"] == "article-journal"
    assert [a["family"] for a in deep["author"]] == ["LeCun", "Bengio"]
    assert deep["editor"] == [{"literal": "Deep Learning Group"}]
    assert deep["issued"] == {"date-parts": [[2015, 5, 28]]} and deep["page"] == "436-444"
    assert deep["custom"]["tags"] == ["to read", "Thesis/Chapter 2"]
    assert deep["custom"]["notes"] == ["<p>Read section 3</p>"]
    assert deep["custom"]["files"] == [str(db.resolve().parent / "storage" / "CCCC3333" / "LeCun2015.pdf")]
    knuth = by_title["The Art of Computer Programming"]
    assert knuth["issued"] == {"date-parts": [[1968]]} and knuth["custom"]["tags"] == ["classic", "Thesis"]
    assert knuth["custom"]["files"] == ["/home/me/papers/knuth.pdf"]


def test_zotero_database_read_only(tmp_path: Path) -> None:
    db = tmp_path / "zotero.sqlite"
    make_zotero_db(db)
    before = db.read_bytes()
    _check_zotero_items(formats.read_path(db).items, db)
    assert db.read_bytes() == before


def test_zotero_database_is_read_while_zotero_holds_its_lock(tmp_path: Path, refcli, library) -> None:
    db = tmp_path / "zotero.sqlite"
    make_zotero_db(db)
    zotero = sqlite3.connect(db)  # Zotero keeps an exclusive lock while it runs
    zotero.execute("PRAGMA locking_mode=EXCLUSIVE")
    zotero.execute("BEGIN EXCLUSIVE")
    try:
        _check_zotero_items(formats.read_path(db).items, db)
        res = refcli("add", str(db))
        assert res.code == 0, res.err
        stored = json.loads(library.read_text())
        assert {i["id"] for i in stored} >= {"lecun2015deep"}
    finally:
        zotero.rollback()
        zotero.close()


# -- what used to be lost on the way in


def test_odd_but_legal_keys_survive_add(refcli, library, tmp_path: Path) -> None:
    bib = tmp_path / "k.bib"
    bib.write_text("@article{O'Keeffe_1961, title={A}, year={1961}}\n@book{smith*2000/x:y, title={B}, year={2000}}\n"
                   "@article{, title={Mendeley without a key}, year={2010}}\n"
                   "@article{ title={EndNote without a key}, year={2011}}\n")
    res = refcli("add", str(bib))
    assert res.code == 0, res.err
    ids = {i["id"] for i in json.loads(library.read_text())}
    assert {"O'Keeffe_1961", "smith*2000/x:y"} <= ids and len(ids) == 4


def test_ris_record_numbers_name_lists_acm_dois_and_ovid_noise(refcli, library, tmp_path: Path) -> None:
    ris = tmp_path / "ovid.ris"
    ris.write_text("<1>\nTY  - CHAP\nID  - 20203152553\nTI  - A chapter\nAU  - Smith, John\n"
                   "A2  - Jones, K.; Brown, A.; Li, X.\nUR  - http://doi.acm.org/10.1145/359576.359579\nER  - \n\n"
                   "<2>\nTY  - JOUR\nID  - 20203152554\nTI  - An article\nER  - \n")
    res = refcli("add", str(ris), "--json")
    assert res.code == 0, res.err
    assert any("outside a record" in p["message"] for p in res.json()["problems"])
    stored = {i["title"]: i for i in json.loads(library.read_text())}
    chapter = stored["A chapter"]
    assert chapter["id"] != "20203152553" and chapter["custom"]["ris"]["fields"]["ID"] == ["20203152553"]
    assert [e["family"] for e in chapter["editor"]] == ["Jones", "Brown", "Li"]
    assert chapter["DOI"] == "10.1145/359576.359579"


def test_bad_shapes_are_named_and_deep_nesting_is_a_clean_65(refcli, library, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "t", "title": ["not", "a", "string"]},
                               {"id": "d", "title": "Aristotle", "issued": {"date-parts": [["-334"]]}}]))
    res = refcli("add", str(bad))
    assert res.code == 65 and "bad.json[0] (t): item skipped: title must be text" in res.err
    (stored,) = json.loads(library.read_text())
    assert stored["issued"] == {"date-parts": [[-334]]}
    for depth in (300, 1000, 5000):
        deep = tmp_path / f"deep{depth}.json"
        deep.write_text('[{"title": "x", "custom": {"a": ' + "[" * depth + "]" * depth + "}}]")
        res = refcli("add", str(deep))
        assert res.code == 65 and "Traceback" not in res.err and str(deep) in res.err


# -- property: what add stores is CSL-JSON that the CSL schema, pandoc and citeproc-js accept

_SCALAR = st.one_of(st.text(max_size=12), st.integers(-3000, 3000), st.none(), st.booleans(),
                    st.lists(st.text(max_size=3), max_size=2))
_DATE_PART = st.one_of(st.integers(-3000, 3000), st.integers(1, 12).map(str), st.just(""), st.text(max_size=3))
_ITEM = st.fixed_dictionaries(
    {"id": st.from_regex(r"[a-z]{3,8}", fullmatch=True)},
    optional={
        "type": st.sampled_from(["article-journal", "book", "chapter", "thesis", "webpage", 3]),
        "title": _SCALAR, "container-title": _SCALAR, "volume": _SCALAR, "page": _SCALAR,
        "author": st.one_of(st.lists(st.fixed_dictionaries({"family": _SCALAR, "given": st.text(max_size=8)}),
                                     max_size=3), _SCALAR),
        "issued": st.one_of(st.fixed_dictionaries({"date-parts": st.lists(st.lists(_DATE_PART, min_size=1,
                                                                                     max_size=3), max_size=2)}),
                            _SCALAR),
    })


def _is_csl(item: dict) -> bool:
    for var, value in item.items():
        if var in STRING_VARS and not isinstance(value, str):
            return False
        if var in NUMBER_VARS and not (isinstance(value, str | int) and not isinstance(value, bool)):
            return False
        if var in NAME_VARS and not all(isinstance(n, dict) and all(isinstance(v, str) for v in n.values())
                                        for n in value):
            return False
        if var == "issued" and "date-parts" in value and not all(
                type(p) is int for parts in value["date-parts"] for p in parts):
            return False
    return isinstance(item.get("type"), str)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=st.lists(_ITEM, min_size=1, max_size=25, unique_by=lambda i: i["id"]))
def test_property_what_add_stores_is_csl_json_processors_accept(items, tmp_path_factory) -> None:
    from refcli import store
    from refcli.ingest import Ingest

    tmp = tmp_path_factory.mktemp("prop")
    result = formats.read(json.dumps(items), "csljson", source="gen.json")
    lib_path = tmp / "library.json"
    with store.transaction(lib_path, message="test") as lib:
        ingest = Ingest(lib, "gen.json")
        for record in result.items:
            ingest.add(record)
    stored = json.loads(lib_path.read_text()) if lib_path.exists() else []
    assert len(stored) + sum("item skipped" in p.message for p in result.problems) == len(items)
    assert all(_is_csl(i) for i in stored), stored
    assert schema_errors(stored) == []
    if shutil.which("pandoc") and stored:
        (tmp / "d.md").write_text("; ".join(f"[@{i['id']}]" for i in stored) + "\n")
        proc = subprocess.run(["pandoc", "--citeproc", "--bibliography", str(lib_path), "-t", "plain", "d.md"],
                              cwd=tmp, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    if stored and (js := citeproc_js(stored, tmp, resolve_style("apa"), locales_dir())) is not None:
        assert js.returncode == 0 and not js.stderr, js.stderr


def test_every_example_stored_passes_the_csl_schema_and_citeproc_js(refcli, library, tmp_path: Path) -> None:
    """Every example file, added: the stored library is valid CSL-JSON by the CSL
    project's schema and citeproc-js renders every work (when it is installed:
    `make system-deps`; CI installs it)."""
    examples = sorted(p for p in [*(ROOT / "examples").glob("library.*"), *FORMATS.iterdir()] if p.is_file())
    res = refcli("add", *map(str, examples))
    assert res.code == 0, res.err
    stored = json.loads(library.read_text())
    assert len(stored) > 20 and schema_errors(stored) == []
    if not citeproc_js_available():
        pytest.skip("citeproc-js not installed (make system-deps)")
    js = citeproc_js(stored, tmp_path, resolve_style("apa"), locales_dir())
    assert js is not None and js.returncode == 0 and not js.stderr, js and js.stderr
    rendered = json.loads(js.stdout)
    assert sorted(rendered["bibliography"]) == sorted(i["id"] for i in stored)
    assert all(text.strip() for text in rendered["clusters"])
