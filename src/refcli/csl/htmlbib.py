"""The HTML bibliography wrapper citeproc-js's ``makeBibliography`` returns.

Why here: an HTML consumer (and the CSL test suite) expects the entries inside
``<div class="csl-bib-body">``, one ``<div class="csl-entry">`` per entry,
exactly as citeproc-js writes them, so pages styled for Zotero's output work.
"""

from __future__ import annotations

from collections.abc import Iterable


def bibliography_html(entries: Iterable[str]) -> str:
    """HTML entry texts (``render(..., fmt="html")``) -> the bibliography block."""
    body = "".join(f'  <div class="csl-entry">{e}</div>\n' for e in entries)
    return f'<div class="csl-bib-body">\n{body}</div>'
