"""Coverage-guided fuzz target (atheris) for the reference-file readers.

Any exception other than a RefcliError with a one-line message is a crash.
Run through ``tests/fuzz/run.py``; crashes found become regression tests.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from refcli import formats
    from refcli.errors import RefcliError


def test_one_input(data: bytes) -> None:
    try:
        text = formats.decode_bytes(data, "fuzz.bib")
        for fmt in ("bibtex", None):
            result = formats.read(text, fmt, source="fuzz.bib")
            assert isinstance(result.items, list)
    except RefcliError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"multi-line error: {exc!r}") from None


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
