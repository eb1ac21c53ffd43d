"""The DOI of a PDF document itself, from where publishers print it.

In order of trust: the citation the paper gives for itself ("How to cite this article",
"Cite this article as", "Citation:"), which names the version being read where page 1 also
lists an earlier one, or a DOI printed just above that citation (BMC sets it there, after
the reference list); a DOI in the running heads or feet, which journals repeat on every
page; one on page 1; last, a DOI printed alone on a line of its own outside the reference
list. A DOI that the reference list cites is never the document's.
"""

from __future__ import annotations

import re

from refcli.identifiers import find_dois

DOI_LINE = re.compile(r"^\s*(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)10\.\d{4,9}/\S+\s*$", re.IGNORECASE)
"""A line that is only a DOI with its label or resolver: how a paper prints its own."""
# The next paragraph of a first page's notes: "Copyright:", "Grant information:".
_LABEL = re.compile(r"^\s*[A-Z][^\s:]*(?:\s+[^\s:]+){0,3}\s*:(?!//)")


def citation_lines(lines: list[str], i: int) -> list[str]:
    """The citation that the heading on line *i* opens: its own line and those that
    continue it (up to the next labelled paragraph), then the two lines above it."""
    own = [lines[i]]
    for line in lines[i + 1:i + 5]:
        if not line.strip() or _LABEL.match(line):
            break
        own.append(line)
        if find_dois(line):
            break
    return own + lines[max(0, i - 2):i]


def document_doi(lines: list[str], *, page_one: str, furniture: list[str], cited: set[str],
                 section: tuple[int, int] | None) -> str | None:
    """The document's DOI, or None. *lines* is the body text, *section* the line span of
    its reference list as ``references.extract`` gives it, *cited* the DOIs (lower case)
    its references carry."""
    from refcli.documents.citation import is_cite_heading

    def first(text: str) -> str | None:
        return next((doi for doi in find_dois(text) if doi.lower() not in cited), None)

    for i, line in enumerate(lines):
        if is_cite_heading(line) and (found := first("\n".join(citation_lines(lines, i)))):
            return found
    for text in (" \n".join(furniture), page_one):
        if found := first(text):
            return found
    skip = range(section[0] - 1, section[1]) if section else range(0)
    for i, line in enumerate(lines):
        if i not in skip and DOI_LINE.match(line) and (found := first(line)):
            return found
    return None
