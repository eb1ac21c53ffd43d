"""The reference parser: fields from strings in the common styles, and robustness."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SHARED
from refcli.refparse import parse_reference, parse_references


def year(item):
    return item["issued"]["date-parts"][0][0]


def families(item, role="author"):
    return [n.get("family") or n.get("literal") for n in item.get(role, [])]


def test_apa_journal_article():
    item = parse_reference("LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. Nature, 521(7553), "
                           "436–444. https://doi.org/10.1038/nature14539")
    assert families(item) == ["LeCun", "Bengio", "Hinton"]
    assert item["author"][0]["given"] == "Y."
    assert year(item) == 2015 and item["title"] == "Deep learning"
    assert item["container-title"] == "Nature"
    assert (item["volume"], item["issue"], item["page"]) == ("521", "7553", "436-444")
    assert item["DOI"] == "10.1038/nature14539" and item["type"] == "article-journal"


def test_vancouver():
    item = parse_reference("Hochreiter S, Schmidhuber J. Long short-term memory. Neural Comput. "
                           "1997;9(8):1735-80.")
    assert families(item) == ["Hochreiter", "Schmidhuber"]
    assert item["author"][0]["given"] == "S"
    assert item["title"] == "Long short-term memory" and year(item) == 1997
    assert item["container-title"] == "Neural Comput"


def test_ieee():
    item = parse_reference('Y. LeCun, Y. Bengio, and G. Hinton, "Deep learning," Nature, vol. 521, '
                           'no. 7553, pp. 436–444, 2015.')
    assert families(item) == ["LeCun", "Bengio", "Hinton"]
    assert item["title"] == "Deep learning" and item["container-title"] == "Nature"
    assert item["volume"] == "521" and item["page"] == "436-444" and year(item) == 2015


def test_chicago_book_with_place_and_publisher():
    item = parse_reference("Goodfellow, Ian, Yoshua Bengio, and Aaron Courville. 2016. Deep Learning. "
                           "Cambridge, MA: MIT Press.")
    assert families(item) == ["Goodfellow", "Bengio", "Courville"]
    assert item["author"][1]["given"] == "Yoshua"
    assert item["title"] == "Deep Learning" and item["publisher"] == "MIT Press"
    assert item["type"] == "book" and year(item) == 2016


def test_particles_and_chapter_with_editors():
    item = parse_reference("van der Maaten, L., & Hinton, G. (2008). Visualizing data using t-SNE. "
                           "Journal of Machine Learning Research, 9, 2579–2605.")
    assert item["author"][0] == {"family": "Maaten", "given": "L.", "non-dropping-particle": "van der"}
    chapter = parse_reference("Rumelhart, D. E., Hinton, G. E., & Williams, R. J. (1986). Learning internal "
                              "representations by error propagation. In D. E. Rumelhart & J. L. McClelland "
                              "(Eds.), Parallel distributed processing (Vol. 1, pp. 318–362). MIT Press.")
    assert chapter["type"] == "chapter"
    assert families(chapter, "editor") == ["Rumelhart", "McClelland"]
    assert chapter["container-title"] == "Parallel distributed processing"
    assert chapter["publisher"] == "MIT Press"


def test_gost_with_cyrillic():
    item = parse_reference("Кистанов В.О. Треугольник Япония — США — Южная Корея // Проблемы Дальнего "
                           "Востока. 2024. № 2. С. 7–20.")
    assert item["author"][0] == {"family": "Кистанов", "given": "В.О."}
    assert year(item) == 2024
    assert item["container-title"] == "Проблемы Дальнего Востока"


def test_identifiers_by_rule_and_never_by_model():
    item = parse_reference("Huang C, et al. Clinical features of patients infected with 2019 novel "
                           "coronavirus in Wuhan, China. Lancet. 2020;395(10223):497-506. "
                           "doi:10.1016/S0140-6736(20)30183-5.")
    assert item["DOI"] == "10.1016/S0140-6736(20)30183-5"  # as printed: DOIs compare case-insensitively
    assert item["custom"]["etal"] == ["author"]
    assert families(item) == ["Huang"]


def test_no_date_and_organisation():
    item = parse_reference("World Health Organization. (n.d.). Coronavirus disease (COVID-19) pandemic. "
                           "Retrieved March 3, 2021, from https://www.who.int/emergencies/diseases")
    assert item["author"] == [{"literal": "World Health Organization"}]
    assert item["issued"] == {"literal": "n.d."}
    assert item["URL"].startswith("https://www.who.int/")


SEED_REFS = [  # first author, year, start of title, container (None when the reference has none)
    ("Kaspe", 2025, "Imperiya na khozraschete", "Rossiya v global'noi politike"),
    ("Kistanov", 2024, "Treugol'nik Yaponiya", "Problemy Dal'nego Vostoka"),
    ("Trenin", 2025, "Revizionist, a ne revolyutsioner", "Rossiya v global'noi politike"),
    ("Akimoto", 2022, "Japan’s New Diplomatic Bluebook", "The Diplomat"),
    ("Cha", 2025, "Get Ready for a Big, Bold, and Very Bad North Korea Deal", "Foreign Affairs"),
    ("Gammon", 2025, "Trump white-ants US democracy", "East Asia Forum"),
    ("Ichihara", 2025, "Japan as a global bulwark against illiberalism", "East Asia Forum"),
    ("Kausikan", 2025, "Who’s Afraid of America First?", "Foreign Affairs"),
    ("Langel", 2025, "Japan and South Korea in the Age of ‘America First’", "The Diplomat"),
    ("Pajon", 2025, "Japan: Consolidating its status as a key ally", "The Indo-Pacific and Trump II"),
    ("Smith", 2024, "Once Again, Leadership Transitions Challenge US-Japan Alliance", "Comparative Connections"),
]


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="../shared/seeds not present")
def test_seed_reference_list():
    text = (SHARED / "seeds" / "004_3755230045b1e005.txt").read_text(encoding="utf-8")
    block = text.split("References", 1)[1].split("Review", 1)[0]
    raws = [re.sub(r"^\d+\.\s*", "", p.strip()) for p in block.split("\n\n") if re.match(r"\s*\d+\.", p)]
    assert len(raws) == 11
    items = list(parse_references(raws))
    for item, (family, yr, title, container) in zip(items, SEED_REFS, strict=True):
        assert families(item)[0] == family
        assert year(item) == yr, family
        assert item["title"].startswith(title), (family, item["title"])
        assert item.get("container-title", "").startswith(container), (family, item.get("container-title"))
    assert [i.get("DOI") for i in items if i.get("DOI")] == [
        "10.31278/1810-6439-2025-23-3-10-34", "10.31857/S0131281224020018", "10.31278/1810-6439-2025-23-3-35-51"]
    assert items[0]["note"].startswith("[Empire on Self-Financing")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text):
    item = parse_reference(text)
    assert isinstance(item, dict) and "type" in item


def test_streaming_keeps_order_and_handles_garbage():
    texts = ["", "   ", "x" * 100_000, "Smith, J. (2020). A title. Journal, 1, 2-3."] * 3
    items = list(parse_references(iter(texts)))
    assert len(items) == 12
    assert items[3]["author"][0]["family"] == "Smith"
