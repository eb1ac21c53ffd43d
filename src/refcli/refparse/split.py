"""The one train/held-out split of the labelled data, shared by training and evaluation."""

import hashlib


def is_heldout(record_id: str) -> bool:
    """One reference in five, chosen by a hash of its id: never trained on."""
    return hashlib.sha1(record_id.encode()).digest()[0] % 5 == 0


def is_dev(record_id: str) -> bool:
    """About one training reference in eight (another hash) for error analysis and tuning,
    so that choices are never made by looking at the held-out references."""
    return not is_heldout(record_id) and hashlib.sha1(b"dev:" + record_id.encode()).digest()[0] % 8 == 0


def record_heldout(record: dict) -> bool:
    """Whether a labelled record is held out, by the unit that keeps train and test apart:
    LinkedBooks' own ``test`` split; a PLOS article's whole list (its ``file``), so one
    article's references never sit on both sides; every other reference by its id."""
    if "split" in record:
        return bool(record["split"] == "test")
    return is_heldout(record.get("file") or record["id"])


def record_dev(record: dict) -> bool:
    """The dev slice of a labelled record's training side, by the same units (LinkedBooks: its ``valid`` split)."""
    if "split" in record:
        return bool(record["split"] == "valid")
    return is_dev(record.get("file") or record["id"])
