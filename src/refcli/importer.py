"""Importing a document: the document itself, its references, and the links between.

The document becomes one library item; every reference is parsed (unless the
source already structured it), deduplicated against the whole library like any
other record, and the document's ``custom.cites`` lists the keys of what it
cites, in reference-list order. The raw reference strings are kept on the
document (``custom.reference_list``) so a parse can always be checked or redone.
Importing the same document again finds the same items and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from refcli import refparse, resolve
from refcli.errors import RefcliError
from refcli.ingest import Ingest
from refcli.library import Library
from refcli.vocabulary import Item


@dataclass
class ImportResult:
    source: str
    document: Item
    references: list[Item] = field(default_factory=list)
    new: int = 0
    merged: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document, "references": self.references,
                "new": self.new, "merged": self.merged}


def parse_references(doc: Any) -> list[Item]:
    """Structured records for a document's references, in order."""
    given = list(doc.reference_items or [None] * len(doc.references))
    todo = [raw for raw, pre in zip(doc.references, given, strict=True) if pre is None]
    if not todo:
        return given
    parsed = iter(refparse.parse_references(todo))
    return [pre if pre is not None else next(parsed) for pre in given]


def _worth_storing(item: Item) -> bool:
    return bool(item.get("title") or item.get("DOI") or
                (item.get("author") and (item.get("issued") or item.get("container-title"))))


def store_documents(lib: Library, docs: list[tuple[str, Any, Path]], tags: list[str],
                    resolver: Callable[[Item, str], Item] | None = None,
                    files_for: Path | None = None) -> list[ImportResult]:
    """Store each (shown name, document, its file) in *lib* through one ``Ingest``;
    given the library path *files_for*, each document's own file is kept with it
    (``refcli open KEY``; none in a dry run)."""
    ingest = Ingest(lib, "import")
    stored = [store_document(ingest, doc, name, tags, resolver) for name, doc, _ in docs]
    if files_for is not None:
        from refcli import attachments

        # the file itself, not its shown name (a name that is not UTF-8 is escaped there)
        for result, (_, _, path) in zip(stored, docs, strict=True):
            attachments.attach(result.document, attachments.store_file(files_for, path))
    return stored


def store_document(ingest: Ingest, doc: Any, source: str, tags: list[str] | None = None,
                   resolver: Callable[[Item, str], Item] | None = None) -> ImportResult:
    """Add *doc* and its references through *ingest* (in memory; the caller saves).

    One ``Ingest`` serves every document of a command, so its duplicate index is
    built once and a work cited by two documents becomes one item.
    """
    lib = ingest.lib
    references = parse_references(doc)
    document = dict(doc.item)
    if doc.references:
        document.setdefault("custom", {})["reference_list"] = list(doc.references)
    doc_outcome = ingest.add(document, source, tags)
    doc_item = cast(Item, lib.get(doc_outcome.key))  # just added: it is there

    result = ImportResult(source, doc_item, warnings=list(doc.warnings))
    cites: list[str] = []
    cited_before = [lib.get(key) for key in (doc_item or {}).get("custom", {}).get("cites", [])]
    for raw, record in zip(doc.references, references, strict=True):
        if resolver is not None:
            record = resolver(record, raw)
        if not _worth_storing(record):
            result.warnings.append(f"could not make sense of reference: {raw[:80]}")
            continue
        again = _cited_already(record, cited_before)
        if again is not None:
            result.merged += 1
            if again["id"] not in cites:
                cites.append(again["id"])
            result.references.append(again)
            continue
        outcome = ingest.add(dict(record), f"{source} (reference list)", [])
        if outcome.key == doc_item["id"]:
            continue  # a page that lists itself ("For citations") is not its own reference
        if outcome.status == "added":
            result.new += 1
        else:
            result.merged += 1
        if outcome.key not in cites:
            cites.append(outcome.key)
        result.references.append(cast(Item, lib.get(outcome.key)))

    known = doc_item["custom"].get("cites", [])
    merged_cites = known + [c for c in cites if c not in known]
    if merged_cites != known:
        doc_item["custom"]["cites"] = merged_cites
    return result


_SAME_ON = ("issued", "container-title", "volume", "issue", "page", "publisher", "URL")


def _cited_already(record: Item, cited: list[Item | None]) -> Item | None:
    """The item this document already cites that *record* is, for a reference with no title
    and no DOI ("Search, 2014. Software X"): the library's duplicate finder cannot tell such
    records apart, so a second import of the same document would add them again."""
    if record.get("title") or record.get("DOI") or not record.get("author"):
        return None
    family = record["author"][0].get("family") or record["author"][0].get("literal")
    for item in cited:
        if not item or not item.get("author") or item.get("title"):
            continue
        if (item["author"][0].get("family") or item["author"][0].get("literal")) != family:
            continue
        if all(item.get(key) == record.get(key) for key in _SAME_ON if record.get(key)):
            return item
    return None


def resolver_for(use_search: bool = True) -> Callable[[Item, str], Item]:
    """Complete a parsed reference from the registries: by DOI, else by a bibliographic search.

    The registry's record wins; the parsed fields fill its gaps (and a value that
    disagrees is still kept, by the merge, in ``custom.merged``).
    """
    def complete(record: Item, raw: str) -> Item:
        try:
            found: Item | None
            if record.get("DOI"):
                found = resolve.fetch(record["DOI"])
            elif use_search:
                found = resolve.search_bibliographic(raw)
            else:
                found = None
        except RefcliError:
            return record  # an unreachable or unknown DOI leaves the parse as it was
        if not found:
            return record
        combined = dict(found)
        for key, value in record.items():
            combined.setdefault(key, value)
        return combined

    return complete
