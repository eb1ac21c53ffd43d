"""Numbers read from ``REFCLI_*`` environment variables.

A mistyped setting must say so, not silently fall back to a default the user
did not choose (a lock timeout of "5s" quietly becoming 30 s would be a mystery).
"""

from __future__ import annotations

import math
import os

from refcli.errors import UsageError


def env_number(name: str, default: float) -> float:
    """The non-negative number in ``$name``, *default* when unset or empty."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise UsageError(f"{name} must be a non-negative number, got {text!r}")
    return value
