"""Batches of PDFs (issue 16) and hostile PDFs (issue 13): workers with a budget per
document, real PDFs of ../shared/data/pdfs read from the page."""

import json
import time

import pytest

import pdfbombs
from conftest import EXAMPLES, SHARED, read_library
from refcli.documents import batch

PDFS = SHARED / "data" / "pdfs"
needs_pdfs = pytest.mark.skipif(not PDFS.is_dir(), reason="../shared/data/pdfs not present")
GOOD = "A note\n\nReferences\n\nSmith, J. (2001). A paper about things. Journal of Stuff, 1, 2-3.\n"


@pytest.mark.parametrize("bomb", ["page_tree_bomb", "xobject_fanout", "decompression_bomb"])
def test_a_pdf_bomb_is_one_line_and_the_other_files_are_imported(refcli, library, tmp_path, bomb):
    hostile = tmp_path / f"{bomb}.pdf"
    hostile.write_bytes(getattr(pdfbombs, bomb)())
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    started = time.monotonic()
    result = refcli("import", str(hostile), str(good))
    elapsed = time.monotonic() - started
    assert elapsed < 60  # a hang guard, not a speed test: the budget is 10 s of CPU
    assert "Traceback" not in result.err
    assert "good.txt: " in result.err  # the summary lines go to stderr
    titles = {item.get("title") for item in read_library(library)}
    assert "A paper about things" in titles
    if bomb == "page_tree_bomb":
        # one page named 1,000 times is a one-page document, not "no text layer"
        assert result.code == 0, result.err
        assert "no text layer" not in result.err
    else:
        assert result.code == 65
        errors = [line for line in result.err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and hostile.name in errors[0]
        assert "memory" in errors[0] or "gave up" in errors[0]


def test_budget_kills_a_worker_that_overruns(tmp_path):
    slow = tmp_path / "slow.pdf"
    # a fan-out of form XObjects: seconds of drawing, far over 0.05 s on any machine (a
    # page tree naming one page 1,500 times was read within 0.05 s on an idle one)
    slow.write_bytes(pdfbombs.xobject_fanout())
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    outcomes = batch.read_documents([str(slow), str(good)], budget=batch.Budget(wall_seconds=0.05))
    assert [o.path for o in outcomes] == [str(slow), str(good)]
    assert outcomes[0].error is not None and "gave up after 0.05 s" in outcomes[0].error.message
    # the small text file may or may not be read within 0.05 s; either way it is its own outcome
    assert outcomes[1].document is not None or "gave up after 0.05 s" in outcomes[1].error.message


def test_batch_keeps_order_and_reports_each_failure(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    paper = EXAMPLES / "documents" / "paper.pdf"
    seen = []
    outcomes = batch.read_documents([str(good), str(junk), str(paper)], jobs=2, on_done=seen.append)
    assert len(seen) == 3
    assert [o.path for o in outcomes] == [str(good), str(junk), str(paper)]
    assert outcomes[1].error is not None and outcomes[1].error.where == str(junk)
    assert outcomes[0].document.references and outcomes[2].document.references
    # the references come parsed from the worker
    assert all(item is not None for item in outcomes[2].document.reference_items)


@needs_pdfs
def test_real_pdfs_batch_title_from_the_page_and_rerun_adds_nothing(refcli, library):
    names = ["metabolites-2014-fusarium", "rsos-2015-panda-milk", "bjmbr-2021-cathepsin"]
    paths = [str(PDFS / f"{name}.pdf") for name in names]
    result = refcli("import", *paths, "--json")
    assert result.code == 0, result.err
    for entry, name in zip(result.json(), names, strict=True):
        expected = json.loads((PDFS / "expected" / f"{name}.json").read_text())["document"]
        doc = entry["document"]
        assert doc["title"].casefold() == expected["title"].casefold()
        assert doc["author"][0]["family"] == expected["family"]
        assert doc["issued"]["date-parts"][0][0] == expected["year"]
        assert doc["DOI"].lower() == expected["DOI"].lower()
    before = library.read_bytes()
    again = refcli("import", *paths, "--json")
    assert [d["new"] for d in again.json()] == [0, 0, 0]
    assert library.read_bytes() == before
