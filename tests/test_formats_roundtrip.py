"""Round trips through our own readers/writers, and through real pandoc (and biber)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcli import formats

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

VARIED = [
    {"id": "a1", "type": "article-journal", "title": "Über die {Natur} & 50% of $x_1$ -- really?",
     "author": [{"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
                {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                {"literal": "World Health Organization"}],
     "container-title": "Journal of Things", "volume": "9", "issue": "86", "page": "2579-2605",
     "issued": {"date-parts": [[2008, 11]]}, "DOI": "10.1000/abc_(x)"},
    {"id": "b1", "type": "book", "title": "Deep Learning", "publisher": "MIT Press",
     "publisher-place": "Cambridge, MA", "ISBN": "978-0-262-03561-3", "edition": "2",
     "author": [{"family": "Goodfellow", "given": "Ian"}], "issued": {"date-parts": [[2016]]}},
    {"id": "c1", "type": "chapter", "title": "A chapter", "container-title": "An Edited Book",
     "editor": [{"family": "Ed", "given": "Itor"}], "page": "1-20",
     "author": [{"family": "Ñúñez", "given": "José"}], "issued": {"date-parts": [[1999, 1, 2]]}},
    {"id": "p1", "type": "paper-conference", "title": "A {CVPR} paper", "container-title": "Proc. CVPR",
     "author": [{"family": "He", "given": "Kaiming"}], "issued": {"date-parts": [[2016]]}},
    {"id": "r1", "type": "report", "title": "Tiny images", "publisher": "University of Toronto",
     "number": "TR-1", "author": [{"family": "Krizhevsky", "given": "Alex"}],
     "issued": {"date-parts": [[2009]]}},
    {"id": "t1", "type": "thesis", "genre": "PhD thesis", "title": "An algebra",
     "publisher": "MIT", "author": [{"family": "Shannon", "given": "Claude E."}],
     "issued": {"date-parts": [[1940]]}},
    {"id": "w1", "type": "webpage", "title": "Python docs", "URL": "https://docs.python.org/3/?a=1&b=%20#x",
     "accessed": {"date-parts": [[2024, 5, 1]]}, "author": [{"literal": "Python Software Foundation"}]},
    {"id": "d1", "type": "dataset", "title": "Some data", "issued": {"date-parts": [[2020]]}},
    {"id": "m1", "type": "manuscript", "title": "Draft", "issued": {"date-parts": [[2021]]}},
    {"id": "n1", "type": "article-newspaper", "title": "News", "container-title": "The Times",
     "issued": {"date-parts": [[2001, 9, 12]]}},
]
BIBTEX_LOSES_TYPE = {"dataset": "document", "article-newspaper": "article-journal"}
KEYS = ("title", "author", "editor", "DOI", "URL", "type", "container-title", "publisher",
        "page", "volume", "issue", "number", "ISBN", "genre", "accessed", "publisher-place")


def _issued(item: dict) -> list | None:
    return (item.get("issued") or {}).get("date-parts")


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_varied_items_round_trip_through_bib(fmt: str) -> None:
    back = formats.read(formats.write(VARIED, fmt), "bibtex").items
    assert len(back) == len(VARIED)
    for a, b in zip(VARIED, back, strict=True):
        for key in KEYS:
            if fmt == "bibtex" and key == "type" and a["type"] in BIBTEX_LOSES_TYPE:
                # plain BibTeX has no such types: @misc and @article stand in
                assert b["type"] == BIBTEX_LOSES_TYPE[a["type"]]
                continue
            assert b.get(key) == a.get(key), (a["id"], key)
        expected = _issued(a)
        if fmt == "bibtex" and expected:
            expected = [expected[0][:2]]  # BibTeX keeps year and month only
        assert _issued(b) == expected, a["id"]


def test_example_library_round_trips_through_bibtex() -> None:
    items = formats.read_path(EXAMPLES / "library.bib").items
    back = formats.read(formats.write(items, "bibtex"), "bibtex").items
    for item in back + items:
        item["custom"]["bibtex"].pop("type")  # @online is written as @misc in BibTeX
    assert back == items
    latex = formats.read(formats.write(items, "biblatex"), "bibtex").items
    for item in latex:
        item["custom"]["bibtex"].pop("type")
    assert latex == items


# -- property tests: arbitrary Unicode with LaTeX specials and braces

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp")),
        st.sampled_from(list("{}\\&%$#_~^-`'\"@, ")),
    ),
    min_size=1,
    max_size=40,
).map(lambda s: " ".join(s.split())).filter(bool)
_NAME = st.builds(
    lambda f, g: {"family": f, "given": g},
    _TEXT.filter(lambda s: not s.lower().startswith("others")),
    _TEXT,
)


# RIS writes "Family, Given": a comma inside a part, or a lower-case word (read as a
# particle, "Maaten, Laurens van der" is how Mendeley writes van der Maaten) cannot
# survive, so RIS names avoid those; nor ";", which separates names on one line (A2).
_RIS_PART = _TEXT.filter(lambda s: "," not in s and ";" not in s and not any(w[0].islower() for w in s.split()))
_RIS_NAME = st.builds(lambda f, g: {"family": f, "given": g}, _RIS_PART, _RIS_PART)


def _norm_names(names: list[dict]) -> list[dict]:
    out = []
    for n in names:
        family = " ".join(x for x in (n.get("non-dropping-particle"), n.get("family")) if x)
        out.append({"family": family or n.get("literal"), "given": n.get("given")})
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, names=st.lists(_NAME, min_size=1, max_size=4))
def test_property_round_trip_bibtex(title: str, names: list[dict]) -> None:
    _check_round_trip("bibtex", title, names)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, names=st.lists(_RIS_NAME, min_size=1, max_size=4))
def test_property_round_trip_ris(title: str, names: list[dict]) -> None:
    _check_round_trip("ris", title, names)


def _check_round_trip(fmt: str, title: str, names: list[dict]) -> None:
    item = {"id": "k", "type": "article-journal", "title": title, "author": names,
            "issued": {"date-parts": [[2001, 2]]}, "DOI": "10.1000/xyz"}
    # --unicode is the lossless form; the pdflatex form is checked in test_formats_latex_export.py
    result = formats.read(formats.write([item], fmt, unicode=True), fmt)
    assert result.problems == []
    (back,) = result.items
    assert back["title"] == title
    assert _norm_names(back["author"]) == _norm_names(names)
    assert back["issued"] == {"date-parts": [[2001, 2]]}
    assert back["DOI"] == "10.1000/xyz"


# -- real pandoc

PANDOC = shutil.which("pandoc")


def _pandoc(text: str, fmt: str, tmp_path: Path) -> dict[str, dict]:
    path = tmp_path / f"lib-{fmt}.bib"
    path.write_text(text, encoding="utf-8")
    out = subprocess.run(
        [PANDOC, "-f", fmt, "-t", "csljson", str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return {item["id"]: item for item in json.loads(out.stdout)}


def _family_given(names: list[dict] | None) -> list[tuple]:
    # pandoc splits "van der" into a dropping particle; compare the parts both keep.
    return [(n.get("family") or n.get("literal"), n.get("given")) for n in names or []]


@pytest.mark.skipif(PANDOC is None, reason="pandoc not installed (scripts/install-system-deps.sh)")
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_pandoc_reads_our_export(fmt: str, tmp_path: Path) -> None:
    ours = formats.read_path(EXAMPLES / "library.bib").items
    ris = formats.read_path(EXAMPLES / "library.ris").items
    for i, item in enumerate(ris):
        item["id"] = f"ris{i}"
    ours += ris
    theirs = _pandoc(formats.write(ours, fmt), fmt, tmp_path)
    assert set(theirs) == {i["id"] for i in ours}
    for item in ours:
        other = theirs[item["id"]]
        # pandoc turns titles into sentence case for CSL; compare without case.
        assert other["title"].casefold() == item["title"].casefold(), item["id"]
        assert _family_given(other.get("author")) == _family_given(item.get("author")), item["id"]
        if item.get("issued"):
            assert other["issued"]["date-parts"][0][0] == item["issued"]["date-parts"][0][0]
        if item.get("DOI"):
            assert other["DOI"].lower() == item["DOI"]
        if not (fmt == "bibtex" and item["type"] == "webpage"):  # @misc: pandoc gives ""
            assert other["type"] == item["type"], item["id"]


# -- real biber (installed by scripts/install-system-deps.sh)

BIBER = shutil.which("biber")


@pytest.mark.skipif(BIBER is None, reason="biber not installed (make test installs it)")
def test_biber_validates_our_biblatex_export(tmp_path: Path) -> None:
    items = formats.read_path(EXAMPLES / "library.bib").items + VARIED
    (tmp_path / "lib.bib").write_text(formats.write(items, "biblatex"), encoding="utf-8")
    run = subprocess.run(
        [BIBER, "--tool", "--validate-datamodel", "--output-file=out.bib", "lib.bib"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    assert "ERROR" not in log
    complaints = [line for line in log.splitlines() if line.startswith("WARN - Datamodel")]
    # Only the Better BibTeX/JabRef extras we carry through on purpose (timestamp,
    # groups) and test items that lack an author or date may be flagged; never a field
    # name or a missing field of our making (e.g. @report without type).
    for line in complaints:
        carried = "'timestamp' invalid" in line or "'groups' invalid" in line
        data_gap = "Missing mandatory field" in line and any(
            f in line for f in ("'date, year'", "'author'", "'author, editor'", "'title'"))
        assert carried or data_gap, line
    assert (tmp_path / "out.bib").read_text(encoding="utf-8").count("@") >= len(items)


@pytest.mark.parametrize("text", ["---", "----", "a--b", "```x", "'''"])
def test_runs_of_ligature_characters_survive_bibtex(text: str) -> None:
    """Hypothesis found '---' coming back as '-–': every pair in a run must be broken."""
    from refcli.formats.latex import latex_to_unicode, unicode_to_latex

    assert latex_to_unicode(unicode_to_latex(text)) == text
