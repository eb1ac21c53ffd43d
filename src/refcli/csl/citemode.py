"""``suppress-author`` and ``author-only`` cites: the first cs:names a cite
renders (its author, or whatever cs:substitute put in its place) is left out,
or is all that is kept.

The engine's cs:names calls :func:`names_rendered` with every top-level
output (not the candidates tried inside cs:substitute); the cluster renderer
sets :data:`MODE` around one cite and reads back what the names were (the key
that cite grouping and collapsing compare).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass
class CiteMode:
    """State for one cite being rendered."""

    suppress: bool = False
    names: Any = None  # first cs:names output of the cite (marker text), once seen
    done: bool = False


MODE: contextvars.ContextVar[CiteMode | None] = contextvars.ContextVar("refcli_csl_citemode", default=None)


def names_rendered(text: Any) -> Any:
    """The output a top-level cs:names should give: ``None`` for the author of
    a suppress-author cite; records the first names seen."""
    state = MODE.get()
    if state is None or state.done or not text:
        return text
    state.done = True
    state.names = text
    return None if state.suppress else text
