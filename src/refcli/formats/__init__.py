"""Reading and writing reference files: BibTeX/BibLaTeX, RIS, CSL-JSON and CSL-YAML;
reading also CITATION.cff, PubMed MEDLINE (.nbib), Web of Science, EndNote (.enw and
XML), Scopus CSV and Zotero's own zotero.sqlite, each detected by its content.

Every reader returns CSL-JSON items (the project's one data model) plus the
problems it met; every writer takes CSL-JSON items. Submodules are imported inside
the functions so that ``import refcli.formats`` stays cheap at CLI start-up.

Decisions (so the CLI and users can rely on them):
- Duplicate BibTeX keys: the later entry is read with a suffixed key (``k-2``)
  and reported as a Problem; nothing is dropped.
- "and others" in a name list sets ``custom["etal"] = ["author", ...]``; the
  BibTeX writer puts "and others" back.
- Fields without a CSL equivalent live in ``custom["bibtex"] = {"type", "fields"}``
  (raw LaTeX) or ``custom["ris"] = {"type", "fields": {tag: [values]}}`` and are
  written back on export of the same format.
- BibTeX output is what plain pdflatex sets (``latex.py``); ``unicode=True``
  keeps UTF-8 for biber with XeLaTeX/LuaLaTeX. Title words with a capital after the first letter (DNA, iPhone,
  McDonald) are brace-protected; "Bayesian"-style proper nouns are not (no
  dictionary). Plain BibTeX has no @online/@dataset: they become @misc (web pages
  with ``howpublished = {\\url{...}}``, read back as webpage).
"""

from __future__ import annotations

import re
from pathlib import Path

from refcli.errors import InputError
from refcli.formats.model import Problem, ReadResult
from refcli.gcpause import paused_gc

__all__ = ["FORMATS", "Problem", "ReadResult", "detect_format", "read", "read_path", "write"]

# What each reader is called; "zotero" (a zotero.sqlite database) is read from a path only.
FORMATS = ("bibtex", "biblatex", "csljson", "ris", "cslyaml", "cff", "medline", "wos", "refer",
           "endnotexml", "scopus", "zotero")
_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csljson",
               ".csljson": "csljson", ".txt": None, ".yaml": "cslyaml", ".yml": "cslyaml",
               ".cff": "cff", ".nbib": "medline", ".medline": "medline", ".ciw": "wos",
               ".isi": "wos", ".enw": "refer", ".xml": "endnotexml", ".csv": "scopus"}
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
# A JSON array or object start: "[{", "[]", '{"'.
_JSON_START = re.compile(r"\[\s*[\[{\]]|\{\s*[\"}]")
_RIS_TAG = re.compile(r"^\s*TY  - ", re.MULTILINE)
_CFF = re.compile(r"^cff-version\s*:", re.MULTILINE)
_ENDNOTE_XML = re.compile(r"^(?:<\?xml[^>]*\?>\s*)?<xml>\s*<records>")
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_WOS = re.compile(r"^(?:FN (?:Clarivate|Thomson)|VR 1\.0$|PT [JBSPC]$)", re.MULTILINE)
_REFER = re.compile(r"^%0 \S", re.MULTILINE)
_CSL_YAML = re.compile(r"^references\s*:\s*$|^- (?:id|type|title)\s*:", re.MULTILINE)
SQLITE_MAGIC = b"SQLite format 3\x00"


def detect_format(text: str, filename: str | None = None) -> str | None:
    """The format of *text* judged by its content (see ``FORMATS``); the extension only
    breaks ties."""
    head = text[:65536].lstrip("\ufeff \t\r\n")
    candidates = []
    if _ENDNOTE_XML.match(head):
        candidates.append("endnotexml")
    if _JSON_START.match(head):
        candidates.append("csljson")
    if _CFF.search(head):
        candidates.append("cff")
    if _MEDLINE.search(head):
        candidates.append("medline")
    if _WOS.search(head):
        candidates.append("wos")
    if _RIS_TAG.search(head):
        candidates.append("ris")
    if _REFER.search(head):
        candidates.append("refer")
    if _CSL_YAML.search(head[:4096]):
        candidates.append("cslyaml")
    if _looks_like_scopus(head):
        candidates.append("scopus")
    if _BIB_ENTRY.search(head):
        candidates.append("bibtex")
    if len(candidates) > 1 and filename:
        by_ext = _EXTENSIONS.get(Path(filename).suffix.lower())
        if by_ext in candidates:
            return by_ext
    return candidates[0] if candidates else None


def _looks_like_scopus(head: str) -> bool:
    first = head.split("\n", 1)[0]
    return "Authors" in first and "Title" in first and ("Source title" in first or "EID" in first)


def read(text: str, fmt: str | None = None, source: str = "<stdin>") -> ReadResult:
    """Parse *text* in *fmt* (detected when None) into CSL-JSON items and problems.

    Raises InputError when the text is not that format at all (empty, binary, wrong
    JSON shape); problems with single entries are returned, never raised.
    """
    if not isinstance(text, str):
        raise InputError("expected text, got bytes; use read_path for files", where=source)
    if not text.strip():
        raise InputError("file is empty", where=source)
    if "\x00" in text:
        raise InputError("binary data (NUL bytes), not a reference file", where=source)
    text = text.lstrip("\ufeff")
    with paused_gc():
        return _read(text, fmt, source)


def _read(text: str, fmt: str | None, source: str) -> ReadResult:
    if fmt is None:
        fmt = detect_format(text, source)
        if fmt is None:
            raise InputError("not a reference file refcli reads (BibTeX, RIS, CSL-JSON/YAML, "
                             "CITATION.cff, MEDLINE, Web of Science, EndNote, Scopus CSV)", where=source)
    if fmt in ("bibtex", "biblatex"):
        from refcli.formats.bibtex import read_bibtex

        return read_bibtex(text, source)
    if fmt == "ris":
        from refcli.formats.ris import read_ris

        return read_ris(text, source)
    if fmt == "csljson":
        from refcli.formats.csljson import read_csljson

        return read_csljson(text, source)
    reader = _OTHER_READERS.get(fmt)
    if reader is not None:
        import importlib

        module, function = reader
        read_fn = getattr(importlib.import_module(f"refcli.formats.{module}"), function)
        return read_fn(text, source)
    raise InputError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})", where=source)


_OTHER_READERS = {
    "cslyaml": ("yamlfmt", "read_cslyaml"), "cff": ("yamlfmt", "read_cff"),
    "medline": ("tagged", "read_medline"), "wos": ("tagged", "read_wos"),
    "refer": ("tagged", "read_refer"), "endnotexml": ("endnotexml", "read_endnote_xml"),
    "scopus": ("scopus", "read_scopus"),
}


def decode_bytes(data: bytes, source: str = "<stdin>") -> str:
    """Bytes of a reference file -> text: UTF-16 or UTF-8 (with or without BOM), else
    line by line (``refcli.encoding``), so one Latin-1 record in a UTF-8 export
    does not turn the others into mojibake."""
    if b"\x00" in data[:1_000_000]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise InputError("binary data (NUL bytes), not a reference file", where=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from refcli.encoding import decode_lines

    return decode_lines(data.removeprefix(b"\xef\xbb\xbf"))


def read_path(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read a file from disk, decoding its bytes (see ``decode_bytes``)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            magic = f.read(len(SQLITE_MAGIC))
        if magic == SQLITE_MAGIC or fmt == "zotero":
            from refcli.formats.zotero import read_zotero

            with paused_gc():
                return read_zotero(path)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", where=str(path)) from exc
    return read(decode_bytes(data, str(path)), fmt, source=str(path))


def write(items: list[dict], fmt: str, unicode: bool = False) -> str:
    """Serialise CSL-JSON items as "bibtex", "biblatex", "csljson", "cslyaml" or "ris".

    BibTeX and BibLaTeX are written in LaTeX that plain pdflatex sets; *unicode*
    keeps non-ASCII characters as UTF-8 (biber with XeLaTeX or LuaLaTeX).
    """
    with paused_gc():
        return _write(items, fmt, unicode)


def _write(items: list[dict], fmt: str, unicode: bool = False) -> str:
    if fmt in ("bibtex", "biblatex"):
        from refcli.formats.bibtex import write_bibtex

        return write_bibtex(items, biblatex=fmt == "biblatex", unicode=unicode)
    if fmt == "ris":
        from refcli.formats.ris import write_ris

        return write_ris(items)
    if fmt == "csljson":
        from refcli.formats.csljson import write_csljson

        return write_csljson(items)
    if fmt == "cslyaml":
        from refcli.formats.yamlfmt import write_cslyaml

        return write_cslyaml(items)
    raise InputError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
