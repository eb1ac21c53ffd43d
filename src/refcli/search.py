"""The search language, compiled to SQL over the derived index.

``author:hinton year:2012..2016 "deep learning" tag:thesis -survey``: every term
must match (a leading ``-`` negates one). Bare words and phrases match the title,
authors, editors, container, year, DOI, tags and key; a term matches at the start
of a word (``learn`` finds "learning"), case- and accent-insensitively
(``muller`` finds "Müller").
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from refcli.dedupe import fold
from refcli.errors import UsageError
from refcli.identifiers import normalize_doi

# qualifier -> index column searched by word prefix
TEXT_FIELDS = {
    "author": "author",
    "editor": "editor",
    "title": "title",
    "journal": "container",
    "container": "container",
    "venue": "container",
    "publisher": "publisher",
}
OTHER_FIELDS = {"year", "doi", "type", "tag", "key", "any"}
QUALIFIERS = sorted(TEXT_FIELDS.keys() | OTHER_FIELDS)
_YEAR = re.compile(r"^(\d{1,4})?(?:(\.\.|-)(\d{1,4})?)?$")


@dataclass(frozen=True)
class Term:
    field: str  # a key of TEXT_FIELDS, or one of OTHER_FIELDS
    value: str
    negated: bool = False


def parse_query(query: str | list[str]) -> list[Term]:
    """Split a query into terms; quoted phrases stay whole (``title:"deep learning"``)."""
    text = " ".join(query) if isinstance(query, list) else query
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.replace('"', " ").split()  # an unclosed quote is a typo, not an error
    terms = []
    for word in words:
        negated = word.startswith("-") and len(word) > 1
        if negated:
            word = word[1:]
        name, sep, value = word.partition(":")
        if sep and name.lower() in QUALIFIERS:
            if not value:
                raise UsageError(f"'{name}:' needs a value, e.g. {name}:2019")
            terms.append(Term(name.lower(), value, negated))
        else:
            terms.append(Term("any", word, negated))
    return terms


def _word_prefix(column: str, value: str) -> tuple[str, list[str]]:
    folded = fold(value)
    # Columns are stored folded with a leading space, so ' term' finds word starts.
    return f"instr({column}, ?) > 0", [f" {folded}"]


# Where a bare word or phrase is looked for.
_ANYWHERE = ("title", "author", "editor", "container", "keyf")


def _anywhere(value: str) -> tuple[str, list[object]]:
    needle = f" {fold(value)}"
    tests = [f"instr({column}, ?) > 0" for column in _ANYWHERE]
    args: list[object] = [needle] * len(_ANYWHERE)
    tests += ["instr(tags, ?) > 0", "doi = ?"]
    args += [f"\x1f{value.casefold()}\x1f", value.lower()]
    if value.isdigit():  # never compare with NULL: NOT (x OR NULL) would drop everything
        tests.append("year = ?")
        args.append(int(value))
    return "(" + " OR ".join(tests) + ")", args


def to_sql(terms: list[Term]) -> tuple[str, list[object]]:
    """A WHERE clause and its parameters for *terms* (all must hold)."""
    clauses: list[str] = []
    params: list[object] = []
    args: Sequence[object]
    for term in terms:
        if term.field in TEXT_FIELDS:
            clause, args = _word_prefix(TEXT_FIELDS[term.field], term.value)
        elif term.field == "any":
            clause, args = _anywhere(term.value)
        elif term.field == "year":
            match = _YEAR.match(term.value)
            if not match or not (match.group(1) or match.group(3)):
                raise UsageError(f"bad year '{term.value}': use year:2019 or year:2015..2020")
            low, rng, high = match.group(1), match.group(2), match.group(3)
            # A NULL year must never match, negated or not (hence coalesce). A
            # narrow, unnegated range is written on the plain column so that SQLite
            # reads it through its index (year:2010..2015 touches ~9 % of rows);
            # a wide one is cheaper as the scan it gets without the index.
            narrow = not rng or (low and high and int(high) - int(low) <= 20)
            column = "year" if narrow and not term.negated else "coalesce(year, -99999)"
            if not rng:
                clause, args = f"{column} = ?", [int(low)]
            else:
                clause, args = f"{column} BETWEEN ? AND ?", [int(low or -9999), int(high or 9999)]
        elif term.field == "doi":
            doi = normalize_doi(term.value)
            clause, args = ("doi = ?", [doi]) if doi else ("instr(doi, ?) > 0", [term.value.lower()])
        elif term.field == "type":
            clause, args = "type LIKE ? ESCAPE '\\'", [_like_prefix(term.value.lower())]
        elif term.field == "tag":
            clause, args = "instr(tags, ?) > 0", [f"\x1f{term.value.casefold()}\x1f"]
        else:  # key
            clause, args = _word_prefix("keyf", term.value)
        clauses.append(f"NOT ({clause})" if term.negated else clause)
        params.extend(args)
    return (" AND ".join(clauses) or "1"), params


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
