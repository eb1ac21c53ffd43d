"""Pausing CPython's cyclic garbage collector around bulk work on JSON-like data.

Reading, writing or loading a library builds millions of small dicts, lists and
strings that can form no reference cycles, yet the generational collector
re-scans all of them every time the heap grows by a quarter, so with it on the
time of a large read or load grows by a large share for no memory freed
(figures: benchmarks/README.md). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Collector off for the block, back to what it was after (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
