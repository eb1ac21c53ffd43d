"""``refcli add``: what each SOURCE holds, and storing it.

Sources are read before the library is locked (network and parsing take time):
a file through ``formats``, an identifier through its registry. A DOI is looked
up even when the library holds its work (the registry completes missing fields);
offline, a work already in the library is simply there. Then every record goes
through one ``Ingest``, so records of two files are matched against each other
too, and a work added by identifier is linked with its preprint or published version.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from refcli.errors import RefcliError
from refcli.formats.model import Problem
from refcli.ingest import Ingest, Report
from refcli.library import Library
from refcli.vocabulary import Item


def read_source(source: str, library: Path, use_cache: bool, stdin: TextIO = sys.stdin) -> tuple[str, list[Item], list[Problem]]:
    """(name, records, problems) of one SOURCE: ``-`` (standard input), a file, a DOI,
    or another identifier (arXiv id, ISBN, PMID, PMCID, URL)."""
    from refcli import formats
    from refcli.identifiers import normalize_doi

    if source == "-":
        result = formats.read(stdin.read(), None, source="<stdin>")
        return source, result.items, result.problems
    if os.path.exists(source):
        result = formats.read_path(source)
        return source, result.items, result.problems
    doi = normalize_doi(source)
    if not doi:
        from refcli import registries

        return *registries.lookup(source, library, use_cache), []
    from refcli import index, resolve

    try:
        # Even for a work already in the library: the registry completes its missing fields.
        return f"doi:{doi}", [resolve.fetch(doi, use_cache=use_cache)], []
    except RefcliError:
        with index.fresh(library) as idx:
            known = idx.get(doi)
        if known is None:
            raise
        # Offline, a work already in the library is simply there (its own type: no false "document").
        return f"doi:{doi}", [{"DOI": doi, "id": known["id"], "title": known.get("title"),
                               "type": known.get("type")}], []


def add_batches(lib: Library, batches: list[tuple[str, list[Item]]], tags: list[str]) -> list[tuple[str, Report]]:
    """Store every source's records in *lib*; (source, its report) for each."""
    from refcli.versions import link_versions

    results = []
    # One ingest for every source: records of two files are matched against each other too.
    ingest = Ingest(lib, "add", tags, expected=sum(len(records) for _, records in batches))
    for source, records in batches:
        ingest.report = Report()
        for record in records:
            outcome = ingest.add(record, source)
            if len(records) == 1:  # one work by identifier: its preprint or published version
                link_versions(lib, outcome.key)
        results.append((source, ingest.report))
    return results
