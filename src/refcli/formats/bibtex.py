"""BibTeX / BibLaTeX <-> CSL-JSON items.

Splitting into entries is ``bibsplit`` for well-formed files and bibtexparser v2
(the project's choice) for anything unusual, with an empty middleware stack: its
own decoding middlewares are far over the import's time budget, so
string macros, LaTeX and names are decoded here with table-driven code
(``latex.py``, ``names.py``). Fields with no CSL equivalent are kept verbatim in
``custom["bibtex"]["fields"]`` so an export writes them back unchanged.
"""

from __future__ import annotations

import re

from refcli.errors import InputError
from refcli.formats.dates import (
    MONTHS,
    date_parts,
    date_text,
    from_year_month,
    parse_date,
    settle_dates,
)
from refcli.formats.latex import (
    latex_to_unicode,
    non_ascii_to_latex,
    strip_outer,
    unicode_to_latex,
)
from refcli.formats.model import Problem, ReadResult
from refcli.formats.names import format_names, parse_names
from refcli.identifiers import normalize_doi
from refcli.keys import is_valid_key

# ------------------------------------------------------------------ types

BIB_TO_CSL = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter",
    "suppbook": "chapter", "suppcollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "mvproceedings": "book",
    "collection": "book", "mvcollection": "book", "reference": "book", "mvreference": "book",
    "inreference": "entry-encyclopedia", "manual": "book", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "misc": "document",
    "unpublished": "manuscript", "patent": "patent", "dataset": "dataset",
    "software": "software", "periodical": "periodical", "artwork": "graphic",
    "audio": "song", "video": "motion_picture", "movie": "motion_picture",
    "legislation": "legislation", "jurisdiction": "legal_case", "standard": "standard",
}
# CSL type -> (BibTeX type, BibLaTeX type)
CSL_TO_BIB = {
    "article-journal": ("article", "article"), "article": ("article", "article"),
    "article-magazine": ("article", "article"), "article-newspaper": ("article", "article"),
    "review": ("article", "article"), "book": ("book", "book"), "pamphlet": ("booklet", "booklet"),
    "chapter": ("incollection", "incollection"),
    "paper-conference": ("inproceedings", "inproceedings"), "report": ("techreport", "report"),
    "thesis": ("phdthesis", "thesis"), "webpage": ("misc", "online"),
    "post": ("misc", "online"), "post-weblog": ("misc", "online"),
    "dataset": ("misc", "dataset"), "patent": ("misc", "patent"),
    "manuscript": ("unpublished", "unpublished"), "software": ("misc", "software"),
    "entry-encyclopedia": ("incollection", "inreference"),
    "entry-dictionary": ("incollection", "inreference"), "periodical": ("misc", "periodical"),
    "standard": ("misc", "standard"), "legislation": ("misc", "legislation"),
}
BIBTEX_TYPES = {
    "article", "book", "booklet", "inbook", "incollection", "inproceedings", "conference",
    "manual", "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished",
}

# Plain text fields: BibTeX name -> CSL variable (first one present wins).
_TEXT = {
    "title": "title", "shorttitle": "title-short", "series": "collection-title",
    "edition": "edition", "volume": "volume", "chapter": "chapter-number",
    "abstract": "abstract", "note": "note", "language": "language", "version": "version",
    "pagetotal": "number-of-pages", "volumes": "number-of-volumes", "eventtitle": "event-title",
    "venue": "event-place", "issue": "issue",
}
_CONTAINER = ("journaltitle", "journal", "booktitle")
_PUBLISHER = ("publisher", "institution", "school", "organization")
_PLACE = ("location", "address")
_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
          "bookauthor": "container-author"}
# Fields the mapping consumes; everything else goes to custom.bibtex.fields.
_MAPPED = (
    set(_TEXT) | set(_CONTAINER) | set(_PUBLISHER) | set(_PLACE) | set(_NAMES)
    | {"number", "pages", "year", "month", "day", "date", "urldate", "doi", "url", "isbn",
       "issn", "keywords", "type", "subtitle", "entrysubtype"}
)

# ------------------------------------------------------------------ reading

_MACRO_MONTHS = {m: m for m in MONTHS}
_KEY_IN_RAW = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")


def _resolve(raw: str, strings: dict[str, str]) -> str:
    """A raw value as bibtexparser gives it -> LaTeX text (macros and # expanded)."""
    raw = raw.strip()
    if not raw:
        return ""
    if "#" in raw:
        parts = _split_concat(raw)
        if len(parts) > 1:
            return "".join(_resolve(part, strings) for part in parts)
    if raw[0] == "{" or raw[0] == '"':
        return strip_outer(raw)
    if raw.isdigit():
        return raw
    return strings.get(raw.lower(), raw)


def _split_concat(raw: str) -> list[str]:
    """Split ``a # {b} # "c"`` at the # that are outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(raw):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif c == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return parts


_NOOPSORT = re.compile(r"\\noopsort\s*\{([^{}]*)\}")
_TEX_ESCAPED = re.compile(r"\\([_%#&~$])")
_DASHES = re.compile(r"\s*[-–—‐]+\s*")
_KEYWORD_SEP = re.compile(r"\s*[,;]\s*")


def _unescape(m: re.Match[str]) -> str:
    return m.group(1)


def _verbatim(value: str) -> str:
    """URL-like values: drop \\url{} and escapes, no other decoding."""
    value = value.strip()
    if value.startswith("\\url{") and value.endswith("}"):
        value = value[5:-1]
    if "\\" in value:
        value = _TEX_ESCAPED.sub(_unescape, value)
    return value.strip("{} ")


def entry_to_csl(etype: str, key: str | None, fields: dict[str, str]) -> tuple[dict, list[str]]:
    """One BibTeX entry (type, key, resolved LaTeX fields) -> (CSL item, warnings)."""
    etype = etype.lower()
    warnings: list[str] = []
    item: dict = {}
    if key:
        item["id"] = key
    ctype = BIB_TO_CSL.get(etype, "document")
    sub = fields.get("entrysubtype", "").lower()
    if etype == "article" and sub in ("newspaper", "magazine"):
        ctype = f"article-{sub}"
    item["type"] = ctype
    extras: dict[str, str] = {}
    etal: list[str] = []
    for name, value in fields.items():
        if name not in _MAPPED:
            extras[name] = value
        elif name in _TEXT:
            csl = _TEXT[name]
            if csl not in item and (text := latex_to_unicode(value)):
                item[csl] = text
    if "subtitle" in fields and "title" in item:
        item["title"] = f"{item['title']}: {latex_to_unicode(fields['subtitle'])}"
    for group, var in ((_CONTAINER, "container-title"), (_PUBLISHER, "publisher"),
                       (_PLACE, "publisher-place")):
        for bib in group:
            if bib in fields:
                if var in item:
                    extras[bib] = fields[bib]  # a second one: keep, do not lose it
                else:
                    item[var] = latex_to_unicode(fields[bib])
    for bib, var in _NAMES.items():
        if bib in fields:
            names, truncated = parse_names(fields[bib])
            if names:
                item[var] = names
            if truncated:
                etal.append(var)
    if "number" in fields:
        number = latex_to_unicode(fields["number"])
        item["issue" if ctype.startswith("article") and "issue" not in item else "number"] = number
    if "pages" in fields:
        item["page"] = _DASHES.sub("-", latex_to_unicode(fields["pages"]))
    if "type" in fields:
        genre = latex_to_unicode(fields["type"])
        # biblatex's type keys: "techreport" is just a report, "phdthesis"/"mathesis" genres.
        genre = _BIBLATEX_TYPE_KEYS.get(genre.lower(), genre)
        if genre:
            item["genre"] = genre
    elif etype == "phdthesis":
        item["genre"] = "PhD thesis"
    elif etype == "mastersthesis":
        item["genre"] = "Master's thesis"
    for name in ("year", "date"):
        if name in fields and "noopsort" in fields[name]:
            # {\noopsort{1973b}}1973: the year is 1973; the sort key goes where biblatex sorts by
            extras.setdefault("sortyear", "".join(_NOOPSORT.findall(fields[name])))
            fields = {**fields, name: _NOOPSORT.sub("", fields[name]).strip("{} ")}
    issued = parse_date(fields["date"]) if "date" in fields else None
    if issued is None:
        issued = from_year_month(fields.get("year"), fields.get("month"), fields.get("day"))
    if issued:
        item["issued"] = issued
    if "urldate" in fields and (accessed := parse_date(fields["urldate"])):
        item["accessed"] = accessed
    warnings.extend(settle_dates(item, parsed_here=True))
    if "doi" in fields:
        doi = normalize_doi(_verbatim(fields["doi"]))
        if doi:
            item["DOI"] = doi
        else:
            extras["doi"] = fields["doi"]
            warnings.append(f"doi {fields['doi']!r} is not a DOI; kept as an extra field")
    if "url" in fields:
        item["URL"] = _verbatim(fields["url"])
    for bib, var in (("isbn", "ISBN"), ("issn", "ISSN")):
        if bib in fields:
            item[var] = _verbatim(fields[bib])
    if "keywords" in fields:
        words = _KEYWORD_SEP.split(latex_to_unicode(fields["keywords"]))
        item["keyword"] = ", ".join(w for w in words if w)
    howpublished = extras.get("howpublished", "")
    if "\\url" in howpublished:
        # BibTeX's way to cite a web page: @misc{howpublished = {\url{...}}}.
        if ctype == "document":
            item["type"] = "webpage"
        if "URL" not in item:
            item["URL"] = _verbatim(howpublished[howpublished.index("\\url"):])
        if _verbatim(howpublished[howpublished.index("\\url"):]) == item["URL"]:
            del extras["howpublished"]
    eprint_type = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if "URL" not in item and "eprint" in fields and eprint_type == "arxiv":
        item["URL"] = f"https://arxiv.org/abs/{_verbatim(fields['eprint'])}"
    custom: dict = {"bibtex": {"type": etype, "fields": extras}}
    if etal:
        custom["etal"] = etal
    # JabRef's groups (and every tool's keywords) are the user's own filing: tags.
    tags = [t for t in _KEYWORD_SEP.split(latex_to_unicode(fields.get("groups", ""))) if t]
    tags += [t for t in item.get("keyword", "").split(", ") if t]
    if tags:
        custom["tags"] = list(dict.fromkeys(tags))
    item["custom"] = custom
    return item, warnings


def read_bibtex(text: str, source: str = "<stdin>") -> ReadResult:
    """Parse BibTeX/BibLaTeX *text*; bad entries become Problems, good ones items."""
    if "@" not in text:
        raise InputError("not a BibTeX file: no @entry found", where=source)
    from refcli.formats.bibsplit import split

    text, keyless = _give_keyless_entries_a_comma(text)
    blocks = split(text)
    if blocks is None:  # anything unusual: bibtexparser splits, recovers and explains
        blocks = _bibtexparser_blocks(text, source)
    strings = dict(_MACRO_MONTHS)
    result = ReadResult()
    seen: dict[str, int] = {}
    # Every entry of the file carries the file's @preamble (its \newcommand{\noopsort}
    # and the like), so an export of any of them can write it back.
    # refcli's own \url fallback is not the file's: the writer adds it where needed.
    preamble = " # ".join(_bib_value(b.value) for b in blocks
                          if b.kind == "preamble" and b.value and b.value != URL_FALLBACK)
    groups = _jabref_groups(text) if "jabref-meta: groupstree:" in text else {}
    for block in blocks:
        if block.kind == "string":
            strings[block.key.lower()] = _resolve(block.value, strings)
            continue
        if block.kind == "preamble":
            continue
        if block.kind == "failed":
            found = _KEY_IN_RAW.match(block.raw)
            where = f"{source}:{block.line}" + (f" (entry {found.group(1)})" if found else "")
            result.problems.append(Problem(where, f"entry skipped: {block.reason}"))
            continue
        key = block.key
        where = f"{source}:{block.line} (entry {key})"
        if not key and block.line in keyless:
            result.problems.append(Problem(f"{source}:{block.line}",
                                           "entry has no key; one is generated", warning=True))
        if key and key in seen:
            seen[key] += 1
            new_key = f"{key}-{seen[key]}"
            while new_key in seen:
                seen[key] += 1
                new_key = f"{key}-{seen[key]}"
            result.problems.append(
                Problem(where, f"duplicate key {key!r}: entry read as {new_key!r}")
            )
            key = new_key
        if key:
            seen[key] = 1
        if block.note:
            result.problems.append(Problem(where, block.note))
        try:
            fields = {name.lower(): _resolve(value, strings) for name, value in block.fields}
            item, warnings = entry_to_csl(block.entry_type, key, fields)
        except Exception as exc:  # one odd entry must not stop the file
            result.problems.append(Problem(where, f"entry skipped: {exc}"))
            continue
        if preamble:
            item["custom"]["bibtex"]["preamble"] = preamble
        if block.key in groups:
            item["custom"]["tags"] = list(dict.fromkeys([*item["custom"].get("tags", []), *groups[block.key]]))
        result.items.append(item)
        if warnings:
            result.problems.extend(Problem(where, w) for w in warnings)
    if not result.items and not result.problems:
        raise InputError("not a BibTeX file: no entries found", where=source)
    return result


def _bib_value(value: str) -> str:
    """A @preamble's content as a BibTeX value: "..." and {...} as they are, else braced."""
    return value if value[:1] in ('"', "{") else "{" + value + "}"


_JABREF_GROUP = re.compile(r"\d+ ExplicitGroup:((?:[^\\;]|\\.)*)\\;\d\\;((?:(?:[^\\;]|\\.)*\\;)*);")


def _jabref_groups(text: str) -> dict[str, list[str]]:
    """JabRef 2.x keeps explicit groups in ``@comment{jabref-meta: groupstree: ...}`` as
    ``1 ExplicitGroup:Name\\;0\\;key1\\;key2\\;;``: entry key -> its groups' names."""
    start = text.index("jabref-meta: groupstree:")
    end = text.find("}", start)
    tree = re.sub(r"\s*\n\s*", "", text[start:end if end > 0 else len(text)])
    out: dict[str, list[str]] = {}
    for m in _JABREF_GROUP.finditer(tree):
        name = m.group(1).replace("\\", "")
        for key in m.group(2).split("\\;"):
            if key:
                out.setdefault(key.replace("\\", ""), []).append(name)
    return out


# "@article{ title = ...": EndNote writes entries without a key. A comma after the
# brace makes it an entry with an empty key, which gets a generated one on the way in.
_KEYLESS = re.compile(r"(@[ \t]*(?!(?:string|preamble|comment)\b)[A-Za-z]+[ \t]*\{)(?=\s*[A-Za-z][\w-]*\s*=)",
                      re.IGNORECASE)


def _give_keyless_entries_a_comma(text: str) -> tuple[str, set[int]]:
    """*text* with a comma after each key-less entry's brace, and those entries' lines."""
    if not _KEYLESS.search(text):
        return text, set()
    lines = {text.count("\n", 0, m.start()) + 1 for m in _KEYLESS.finditer(text)}
    return _KEYLESS.sub(r"\1,", text), lines


def _bibtexparser_blocks(text: str, source: str) -> list:
    """bibtexparser's split of *text* as ``bibsplit.Block``s (entries, @strings, failures)."""
    import logging

    import bibtexparser
    from bibtexparser import model

    from refcli.formats.bibsplit import Block

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # the splitter should not raise, but a bug must not escape
        raise InputError(f"cannot parse BibTeX: {exc}", where=source) from exc
    blocks = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.String):
            blocks.append(Block("string", line, key=block.key, value=block.value))
            continue
        if isinstance(block, model.Preamble):
            blocks.append(Block("preamble", line, value=block.value.strip()))
            continue
        entry: model.Block | None = block
        note = None
        if isinstance(block, model.DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            note = f"repeated field(s) {', '.join(sorted(block.duplicate_keys))}; the last is used"
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            entry = block.ignore_error_block
        elif isinstance(block, model.ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            reason = (reason.strip().splitlines() or ["syntax error"])[0]
            blocks.append(Block("failed", line, raw=block.raw or "", reason=reason[:200]))
            continue
        if isinstance(entry, model.Entry):
            blocks.append(Block("entry", line, entry.entry_type, entry.key,
                                [(f.key, f.value) for f in entry.fields], note))
    return blocks


# ------------------------------------------------------------------ writing

_KEY_BAD = re.compile(r"[\s,{}()=#%\"\\~]+")


def _make_key(item: dict) -> str:
    names = item.get("author") or item.get("editor") or []
    first = names[0] if names and isinstance(names[0], dict) else {}
    who = str(first.get("family") or first.get("literal") or "anon").split()[0]
    parts = date_parts(item.get("issued"))
    return f"{who.lower()}{parts[0] if parts else ''}"


def _braced(value: str) -> str:
    """Wrap a raw LaTeX value in braces, escaping it if its braces do not balance."""
    depth = 0
    for c in value:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            break
    return "{" + (value if depth == 0 else unicode_to_latex(value)) + "}"


# Titles and page ranges rarely repeat: looking them up in unicode_to_latex's cache
# only evicts the journals, publishers and names that do.
_unique_to_latex = unicode_to_latex.__wrapped__


def _text(value: object, protect: bool = False) -> str:
    """A braced, escaped value; *protect* (titles) also braces capitalised words."""
    return "{" + (_unique_to_latex if protect else unicode_to_latex)(str(value), protect) + "}"


def _url(value: object) -> str:
    text = str(value).strip().replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")
    return "{" + text + "}"


def _bib_type(item: dict, biblatex: bool) -> tuple[str, dict[str, str]]:
    """Choose the entry type (the original one when it still fits) plus implied fields."""
    ctype = str(item.get("type") or "document")
    custom = item["custom"] if isinstance(item.get("custom"), dict) else {}
    orig = (custom.get("bibtex") or {}).get("type") if isinstance(custom.get("bibtex"), dict) else None
    implied: dict[str, str] = {}
    if ctype in ("article-newspaper", "article-magazine") and biblatex:
        implied["entrysubtype"] = ctype.split("-")[1]
    if isinstance(orig, str) and BIB_TO_CSL.get(orig) == ctype and (biblatex or orig in BIBTEX_TYPES):
        return orig, implied
    bibtex_type, biblatex_type = CSL_TO_BIB.get(ctype, ("misc", "misc"))
    etype = biblatex_type if biblatex else bibtex_type
    genre = str(item.get("genre") or "").lower()
    if ctype == "thesis" and not biblatex and ("master" in genre or "msc" in genre):
        etype = "mastersthesis"
    if ctype == "chapter" and not item.get("editor") and not item.get("container-title"):
        etype = "inbook"
    return etype, implied


# CSL variable -> BibTeX field, for values written as escaped text.
_OUT_TEXT = {
    "title": "title", "title-short": "shorttitle", "collection-title": "series",
    "edition": "edition", "volume": "volume", "chapter-number": "chapter", "ISBN": "isbn",
    "ISSN": "issn", "language": "language", "version": "version",
    "number-of-pages": "pagetotal", "event-title": "eventtitle", "event-place": "venue",
    "keyword": "keywords", "abstract": "abstract", "note": "note",
}
_OUT_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
              "container-author": "bookauthor"}
_PROTECTED = {"title", "title-short"}
# Output order of fields: people, titles, container, numbers, publisher, dates, links.
_ORDER = {name: i for i, name in enumerate((
    "author", "editor", "translator", "bookauthor", "title", "shorttitle", "journal",
    "journaltitle", "booktitle", "series", "edition", "volume", "number", "pages", "chapter",
    "publisher", "institution", "school", "address", "location", "type", "entrysubtype",
    "year", "month", "date", "urldate", "doi", "howpublished", "url", "isbn", "issn",
    "language", "version", "pagetotal", "eventtitle", "venue", "keywords", "abstract", "note",
))}
_EXTRA_NAME = re.compile(r"[\w:.+-]+")


def _order(field: tuple[str, str]) -> int:
    return _ORDER.get(field[0], 99)


def item_to_fields(item: dict, biblatex: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """A CSL item -> (entry type, [(field, braced value)]) in a stable, readable order.

    One pass over the item's own variables (not a probe for every known one), since
    a whole-library export writes every entry.
    """
    etype, implied = _bib_type(item, biblatex)
    custom = item.get("custom")
    if not isinstance(custom, dict):
        custom = {}
    etal = custom.get("etal") or ()
    out: list[tuple[str, str]] = []
    for var, value in item.items():
        if not value:
            continue
        if var in _OUT_TEXT:
            out.append((_OUT_TEXT[var], _text(value, var in _PROTECTED)))
        elif var in _OUT_NAMES and isinstance(value, list):
            out.append((_OUT_NAMES[var], "{" + format_names(value, var in etal) + "}"))
    if item.get("title-short") and item.get("title-short") == item.get("title"):
        out = [f for f in out if f[0] != "shorttitle"]
    container = item.get("container-title")
    if container:
        if etype in ("article", "periodical"):
            out.append(("journaltitle" if biblatex else "journal", _text(container)))
        else:
            out.append(("booktitle", _text(container)))
    number = item.get("issue") if etype == "article" else None
    number = number or item.get("number") or item.get("issue")
    if number:
        out.append(("number", _text(number)))
    if item.get("page"):
        out.append(("pages", "{" + _DASHES.sub("--", _unique_to_latex(str(item["page"]))) + "}"))
    publisher = item.get("publisher")
    if publisher:
        out.append((_PUBLISHER_FIELD.get(etype, "publisher"), _text(publisher)))
    if item.get("publisher-place"):
        out.append(("location" if biblatex else "address", _text(item["publisher-place"])))
    genre = item.get("genre")
    if etype in ("thesis", "report"):
        # biblatex requires a type here; its keys are localised by the style.
        key = {"PhD thesis": "phdthesis", "Master's thesis": "mathesis"}.get(str(genre or ""))
        out.append(("type", "{" + key + "}" if key else _text(genre) if genre else
                    "{phdthesis}" if etype == "thesis" else "{techreport}"))
    elif genre and _IMPLIED_GENRE.get(etype) != genre:
        out.append(("type", _text(genre)))
    issued = item.get("issued")
    if issued:
        parts = date_parts(issued)
        if biblatex or not parts:
            text = date_text(issued)
            if text:
                out.append(("date" if biblatex else "year", _text(text)))
        else:
            out.append(("year", f"{{{parts[0]}}}"))
            if len(parts) > 1 and 1 <= parts[1] <= 12:
                out.append(("month", MONTHS[parts[1] - 1]))
    if item.get("accessed") and (accessed := date_text(item["accessed"])):
        out.append(("urldate", _text(accessed)))
    if item.get("DOI"):
        out.append(("doi", _url(item["DOI"])))
    if item.get("URL"):
        if etype == "misc" and not biblatex:
            out.append(("howpublished", "{\\url" + _url(item["URL"]) + "}"))
        out.append(("url", _url(item["URL"])))
    for name, value in implied.items():
        out.append((name, _text(value)))
    bib = custom.get("bibtex")
    extras = bib.get("fields") if isinstance(bib, dict) else None
    if isinstance(extras, dict) and extras:
        have = {name for name, _ in out}
        for name, value in extras.items():
            if name not in have and isinstance(value, str) and _EXTRA_NAME.fullmatch(name):
                out.append((name, _braced(value)))
    out.sort(key=_order)
    return etype, out


_PUBLISHER_FIELD = {"techreport": "institution", "report": "institution", "thesis": "institution",
                    "phdthesis": "school", "mastersthesis": "school"}
_BIBLATEX_TYPE_KEYS = {"techreport": "", "phdthesis": "PhD thesis", "mathesis": "Master's thesis",
                       "mastersthesis": "Master's thesis"}
_IMPLIED_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}


def write_bibtex(items: list[dict], biblatex: bool = False, unicode: bool = False) -> str:
    """CSL items -> a .bib text; keys are the items' ids, made unique and valid."""
    return join_entries([bibtex_entry(item, biblatex, unicode) for item in items])


def _custom(item: dict) -> dict:
    custom = item.get("custom")
    return custom if isinstance(custom, dict) else {}


def citation_key(item: dict) -> str:
    """The key an item is written under: its id when BibTeX can cite it, else one made
    from its first name and year (bad characters dropped, never the whole key)."""
    own = str(item.get("id") or "")
    if is_valid_key(own):
        return own
    return _KEY_BAD.sub("", own) or _KEY_BAD.sub("", _make_key(item)) or "item"


def _aliases(item: dict, key: str) -> list[str]:
    aliases = _custom(item).get("aliases")
    if not isinstance(aliases, list):
        return []
    return list(dict.fromkeys(a for a in aliases if isinstance(a, str) and a != key and is_valid_key(a)))


def _preamble(item: dict) -> str:
    bib = _custom(item).get("bibtex")
    preamble = bib.get("preamble") if isinstance(bib, dict) else None
    return preamble if isinstance(preamble, str) else ""


# A work with nothing to say is still a valid entry: biber and pandoc reject ``@misc{key}``.
_EMPTY_BODY = [("note", "{}")]


def bibtex_entry(item: dict, biblatex: bool = False, unicode: bool = False) -> tuple[str, str, str, str, str]:
    """One item as (key, entry type, fields text, aliases, preamble); only ``join_entries``
    sees other items. The aliases (keys the work had before a merge, comma-separated)
    become BibLaTeX's ``ids`` field (so does a key with an apostrophe, which biber
    cannot read as an entry key); for BibTeX, which has no aliases, ``join_entries``
    repeats the entry under each of them so every old key can still be cited."""
    key = citation_key(item)
    etype, fields = item_to_fields(item, biblatex)
    aliases = _aliases(item, key)
    if biblatex and "'" in key:
        # biber's parser stops at an apostrophe in an entry key (O'Keeffe_1961), yet
        # resolves one given in ids: the entry goes under the key without it.
        aliases.insert(0, key)
        key = key.replace("'", "") or "item"
    if biblatex and aliases:
        # " , " between keys: biber splits on the comma, pandoc (2.17) on white space, so
        # both resolve every old key ("old,b305c" is one unknown key to pandoc)
        fields.insert(0, ("ids", "{" + " , ".join(aliases) + "}"))
    if not fields:
        fields = _EMPTY_BODY
    body = ",\n".join([f"  {name} = {value}" for name, value in fields])
    preamble = _preamble(item)
    if not unicode:
        body = _latex_safe(body)
        preamble = _latex_safe(preamble)
    return key, etype, body, "" if biblatex else ",".join(aliases), preamble


def _latex_safe(text: str) -> str:
    """Non-ASCII characters as LaTeX, except in URLs and DOIs, which are percent-encoded
    (a link must stay a link)."""
    if text.isascii():
        return text
    return non_ascii_to_latex(_URL_PART.sub(_url_ascii, text))


# The writer's URL values hold no braces (``_url`` encodes them), so these are exact.
_URL_PART = re.compile(r"(?m)(?:^  (?:url|doi) = |\\url)\{[^{}\n]*\}")
_PRINTABLE_ASCII = "".join(map(chr, range(0x21, 0x7F)))


def _url_ascii(m: re.Match[str]) -> str:
    from urllib.parse import quote

    return quote(m.group(0), safe=_PRINTABLE_ASCII + " ")


def join_entries(entries: list[tuple[str, str, str, str, str]] | list[list[str]]) -> str:
    """Entries from ``bibtex_entry`` -> .bib text: the preambles they carry first (each once),
    a key met again getting ``-2``, ``-3``…, each BibTeX alias as a copy of its entry."""
    chunks: list[str] = []
    preambles: dict[str, None] = {}
    used: set[str] = set()
    aliased: list[tuple[str, str, str]] = []
    parents = {key for entry in entries if "ref = {" in entry[2] for key in _CROSSREF.findall(entry[2])}
    ordered: list = list(entries)
    if parents:  # BibTeX reads a crossref parent only after the entries that name it
        ordered = [e for e in entries if e[0] not in parents] + [e for e in entries if e[0] in parents]
    for key, etype, body, aliases, preamble in ordered:
        if preamble:
            preambles[preamble] = None
        if key in used:
            n = 2
            while f"{key}-{n}" in used:
                n += 1
            key = f"{key}-{n}"
        used.add(key)
        chunks.append(f"@{etype}{{{key},\n{body}\n}}\n")
        if aliases:
            aliased.extend((alias, etype, body) for alias in aliases.split(","))
    for alias, etype, body in aliased:
        if alias not in used:  # a key still in use by another work is that work's
            used.add(alias)
            chunks.append(f"@{etype}{{{alias},\n{body}\n}}\n")
    if any("\\url{" in entry[2] for entry in entries):
        preambles = {URL_FALLBACK: None, **preambles}
    head = [f"@preamble{{{p}}}\n" for p in preambles]
    return "\n".join(head + chunks)


_CROSSREF = re.compile(r"(?m)^  (?:crossref|xref) = \{([^{}\n]*)\}")


# BibTeX styles print a web page's address only from howpublished = {\url{...}}, and
# \url needs the url or hyperref package. Where neither is loaded, this \url sets the
# address in typewriter type, reading _ % # & ~ ^ $ as plain characters (it takes its
# argument straight from the .bbl, as the url package does).
URL_FALLBACK = ('"\\providecommand{\\url}{\\begingroup\\catcode`\\_=12 \\catcode`\\%=12 '
                '\\catcode`\\#=12 \\catcode`\\&=12 \\catcode`\\~=12 \\catcode`\\^=12 '
                '\\catcode`\\$=12 \\refcliurl}\\providecommand{\\refcliurl}[1]{\\texttt{#1}\\endgroup}"')
