"""The one train/held-out split of the labelled data, shared by training and evaluation."""

import hashlib


def is_heldout(record_id: str) -> bool:
    """One reference in five, chosen by a hash of its id: never trained on."""
    return hashlib.sha1(record_id.encode()).digest()[0] % 5 == 0


def is_dev(record_id: str) -> bool:
    """About one training reference in eight (another hash) for error analysis and tuning,
    so that choices are never made by looking at the held-out references."""
    return not is_heldout(record_id) and hashlib.sha1(b"dev:" + record_id.encode()).digest()[0] % 8 == 0
