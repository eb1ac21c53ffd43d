"""Coverage-guided fuzz target (atheris) for the document importer (text, HTML, PDF).

The first byte picks the kind of file; the rest is its content.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from refcli import documents
    from refcli.errors import RefcliError

NAMES = ("x.txt", "x.html", "x.md", "x.pdf")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    name = NAMES[data[0] % len(NAMES)]
    try:
        documents.read_document_bytes(data[1:], name)
    except RefcliError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"multi-line error: {exc!r}") from None


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
