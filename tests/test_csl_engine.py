"""The CSL engine's assembly (issue 18): importing it changes nothing in
citeproc-py, the speed layer is installed by loading a style, and no
process-wide global is swapped while a style loads (two threads loading
styles in different locales get what each gets alone)."""

from __future__ import annotations

import subprocess
import sys
import threading

from refcli.csl import render

ITEM = {"id": "a", "type": "chapter", "title": "A title", "author": [{"family": "Doe", "given": "Jane"}],
        "editor": [{"family": "Roe", "given": "Ann"}], "container-title": "Book",
        "issued": {"date-parts": [[2001, 5, 3]]}, "page": "3-9"}


def test_importing_the_engine_patches_nothing_and_loading_a_style_installs_the_speed_layer():
    code = (
        "import citeproc.string, citeproc.model, citeproc.frontend\n"
        "seam, locale = citeproc.string.normalize_seam, citeproc.frontend.CitationStylesLocale\n"
        "import refcli.csl.engine, refcli.csl.render, refcli.csl.process\n"
        "assert citeproc.string.normalize_seam is seam and citeproc.model.normalize_seam is seam\n"
        "from refcli.csl import render, speed\n"
        "render([{'id': 'a', 'type': 'book', 'title': 'T'}], 'apa')\n"
        "assert citeproc.string.normalize_seam is speed.normalize_seam\n"
        "assert citeproc.model.normalize_seam is speed.normalize_seam\n"
        "assert citeproc.frontend.CitationStylesLocale is locale\n"
        "print('ok')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_styles_loaded_in_threads_in_different_locales_match_what_each_prints_alone():
    # distinct (style, locale) pairs: each thread loads its own style and locale chain
    jobs = [("chicago-author-date", "de-DE"), ("chicago-author-date", "fr-FR"), ("apa", "en-GB"),
            ("modern-language-association", "es-ES"), ("harvard-cite-them-right", "it-IT"),
            ("ieee", "pt-BR")]
    alone = {job: render([ITEM], job[0], locale=job[1]) for job in jobs}
    from refcli.csl.render import _style

    _style.cache_clear()  # each thread loads its style and locales anew
    got: dict[int, dict] = {}
    errors: list[BaseException] = []

    def run(n: int, style: str, locale: str) -> None:
        try:
            got[n] = render([ITEM], style, locale=locale)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, *job)) for n, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(got[n] == alone[job] for n, job in enumerate(jobs))
    # each locale's own terms and quotes ("herausgegeben von", "édité par")
    assert "herausgegeben von" in alone[("chicago-author-date", "de-DE")]["bibliography"][0]["text"]
    assert "édité par" in alone[("chicago-author-date", "fr-FR")]["bibliography"][0]["text"]
