"""Scopus CSV export -> CSL-JSON items.

Scopus writes one row per document under a header row ("Authors", "Title", "Year",
"Source title", ... "EID"). Authors come as "LeCun Y., Bengio Y." (older exports)
or "LeCun, Y.; Bengio, Y."; "Author full names" (newer exports) gives
"LeCun, Yann (7005427592)" and wins when present. Every column without a CSL
equivalent is kept in ``custom["scopus"]["fields"]``.
"""

from __future__ import annotations

import csv
import io
import re

from refcli.errors import InputError
from refcli.formats.model import Problem, ReadResult
from refcli.formats.ris import parse_ris_name
from refcli.identifiers import normalize_doi

_TYPES = {"article": "article-journal", "review": "article-journal", "conference paper": "paper-conference",
          "book chapter": "chapter", "book": "book", "editorial": "article-journal",
          "letter": "article-journal", "note": "article-journal", "erratum": "article-journal",
          "data paper": "dataset", "short survey": "article-journal", "conference review": "paper-conference"}
_TEXT = {"Title": "title", "Source title": "container-title", "Volume": "volume", "Issue": "issue",
         "Abstract": "abstract", "Publisher": "publisher", "Abbreviated Source Title": "container-title-short",
         "Language of Original Document": "language", "PubMed ID": "PMID", "ISBN": "ISBN",
         "Art. No.": "number", "Conference name": "event-title", "Conference location": "event-place",
         "Link": "URL", "Source": "source"}
_CONSUMED = set(_TEXT) | {"Authors", "Author full names", "Year", "Page start", "Page end", "DOI",
                          "ISSN", "Author Keywords", "Document Type", "Editors"}
_FULL_NAME_ID = re.compile(r"\s*\(\d+\)\s*$")


def _authors(row: dict[str, str]) -> list[dict]:
    full = row.get("Author full names", "").strip()
    if full:
        return [parse_ris_name(_FULL_NAME_ID.sub("", n)) for n in full.split(";") if n.strip()]
    text = row.get("Authors", "").strip()
    if not text or text == "[No author name available]":
        return []
    if ";" in text:
        return [parse_ris_name(n.strip()) for n in text.split(";") if n.strip()]
    names = []
    for part in text.split(","):  # "LeCun Y., Bengio Y.": family then initials
        words = part.split()
        if len(words) > 1:
            names.append({"family": " ".join(words[:-1]), "given": words[-1]})
        elif words:
            names.append({"literal": words[0]})
    return names


def _row_to_csl(row: dict[str, str]) -> dict:
    doc_type = row.get("Document Type", "").strip()
    item: dict = {"type": _TYPES.get(doc_type.lower(), "article-journal")}
    for column, var in _TEXT.items():
        if row.get(column, "").strip():
            item[var] = row[column].strip()
    item["author"] = _authors(row)
    if row.get("Editors", "").strip():
        item["editor"] = [parse_ris_name(n.strip()) for n in row["Editors"].split(";") if n.strip()]
    if row.get("Year", "").strip().isdigit():
        item["issued"] = {"date-parts": [[int(row["Year"])]]}
    start, end = row.get("Page start", "").strip(), row.get("Page end", "").strip()
    if start:
        item["page"] = f"{start}-{end}" if end else start
    elif row.get("Page count", "").strip():
        item["number-of-pages"] = row["Page count"].strip()
    doi = normalize_doi(row.get("DOI", ""))
    if doi:
        item["DOI"] = doi
    if row.get("ISSN", "").strip():
        issn = row["ISSN"].strip()
        item["ISSN"] = f"{issn[:4]}-{issn[4:]}" if re.fullmatch(r"\d{7}[\dXx]", issn) else issn
    if row.get("Author Keywords", "").strip():
        item["keyword"] = ", ".join(k.strip() for k in row["Author Keywords"].split(";") if k.strip())
    extras = {k: v for k, v in row.items() if k and k not in _CONSUMED and v and v.strip()}
    item["custom"] = {"scopus": {"type": doc_type, "fields": extras}}
    return {k: v for k, v in item.items() if v not in ("", [], None)}


def read_scopus(text: str, source: str = "<stdin>") -> ReadResult:
    csv.field_size_limit(16 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "Title" not in reader.fieldnames:
        raise InputError("not a Scopus CSV export: no 'Title' column", where=source)
    result = ReadResult()
    try:
        for row in reader:
            where = f"{source}:{reader.line_num}"
            if None in row:  # more cells than the header: keep them, say so
                row = {**row, "extra cells": "; ".join(row.pop(None) or [])}
            try:
                item = _row_to_csl({k: v or "" for k, v in row.items() if k is not None})
            except Exception as exc:  # one odd row must not stop the file
                result.problems.append(Problem(where, f"row skipped: {exc}"))
                continue
            if not item.get("title"):
                result.problems.append(Problem(where, "row has no title; skipped"))
                continue
            result.items.append(item)
    except csv.Error as exc:
        raise InputError(f"CSV error at line {reader.line_num}: {exc}", where=source) from exc
    return result
