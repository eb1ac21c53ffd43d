"""Work to run after every save of a library, registered by the program that runs refcli.

The store calls each ``AFTER_SAVE`` hook with the library's path, still under its
lock, after the file and the index are written. The command line registers the
rewrite of synced files (``refcli.sync``) here, so the store needs to know nothing
about what is done after it saves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

AFTER_SAVE: list[Callable[[Path], None]] = []
