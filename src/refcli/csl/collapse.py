"""Cite grouping and collapsing inside one citation, as citeproc-js does.

- ``collapse="citation-number"``: three or more consecutive numbers become a
  range of the first and last cite ("1–4", "[1]–[3]"); cites with a locator,
  prefix or suffix break a run.
- cite grouping (``collapse="year"``/``"year-suffix"``/``"year-suffix-ranged"``
  or ``cite-group-delimiter``): cites by the same names move next to the first
  of them; in a group of several, later cites drop the names ("Smith 1900,
  2000").  With ``year-suffix`` a cite of the same year keeps only its suffix
  ("2020a, b"); ``year-suffix-ranged`` writes three or more in a row as a range
  ("2000a–e").
- Delimiters: inside a group ``cite-group-delimiter`` (in-text styles: ", "
  when not given), between suffixes ``year-suffix-delimiter``, after a
  collapsed group or range ``after-collapse-delimiter``; each falls back to
  the layout's delimiter.

Works on rendered cites (marker text) handed in by the cluster renderer;
returns the pieces to concatenate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

EN_DASH = "\u2013"


@dataclass
class Rendered:
    """One cite as rendered, with what collapsing compares."""

    text: str  # the cite, affixes included (marker text)
    names: str | None = None  # its first names, plain (grouping key); None: never grouped
    number: int | None = None  # citation number
    year_suffix: str | None = None
    plain: bool = True  # no locator, prefix or suffix


@dataclass
class Options:
    collapse: str | None
    delimiter: str
    in_text: bool = True
    cite_group_delimiter: str | None = None
    after_collapse_delimiter: str | None = None
    year_suffix_delimiter: str | None = None

    @property
    def grouping(self) -> bool:
        return self.collapse in ("year", "year-suffix", "year-suffix-ranged") or self.cite_group_delimiter is not None


def group_order(cites: Sequence[Rendered]) -> list[int]:
    """Indices with every cite moved up next to the first cite of the same
    names (stable otherwise)."""
    first_of: dict[str, int] = {}
    groups: list[list[int]] = []
    for i, c in enumerate(cites):
        if c.names is not None and c.names in first_of:
            groups[first_of[c.names]].append(i)
            continue
        if c.names is not None:
            first_of[c.names] = len(groups)
        groups.append([i])
    return [i for g in groups for i in g]


def join(cites: Sequence[Rendered], opts: Options, without_names: Callable[[int], str]) -> list[str]:
    """The pieces of the citation body (cites and delimiters) in order.
    ``without_names(i)``: cite ``i`` rendered with its names suppressed."""
    if opts.collapse == "citation-number":
        return _numbers(cites, opts)
    if not opts.grouping:
        return _joined([c.text for c in cites], opts.delimiter)
    order = group_order(cites)
    within = opts.cite_group_delimiter if opts.cite_group_delimiter is not None else (
        ", " if opts.in_text else opts.delimiter)
    after = opts.after_collapse_delimiter if opts.after_collapse_delimiter is not None else opts.delimiter
    suffix_delim = opts.year_suffix_delimiter if opts.year_suffix_delimiter is not None else opts.delimiter
    out: list[str] = []
    pos = 0
    last_collapsed = False
    while pos < len(order):
        first = cites[order[pos]]
        end = pos + 1
        while end < len(order) and first.names is not None and cites[order[end]].names == first.names:
            end += 1
        members = order[pos:end]
        if out:
            out.append(after if last_collapsed else opts.delimiter)
        if len(members) == 1:
            out.append(first.text)
            last_collapsed = False
        else:
            out.extend(_group(cites, members, opts, within, suffix_delim, without_names))
            last_collapsed = True
        pos = end
    return out


_SUFFIX_AFTER_DIGIT = "(?<=[0-9]){}"


def _group(cites: Sequence[Rendered], members: list[int], opts: Options, within: str, suffix_delim: str,
           without_names: Callable[[int], str]) -> list[str]:
    """A same-names group: the first cite whole, the others without names,
    year suffixes alone where the style collapses them."""
    by_suffix = opts.collapse in ("year-suffix", "year-suffix-ranged")
    head = cites[members[0]]
    out: list[str] = [head.text]
    prev_key = _year_key(without_names(members[0]), head) if by_suffix else None
    anchor = head.year_suffix if head.plain else None  # suffix of the cite a run continues
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        if opts.collapse != "year-suffix-ranged":
            pieces = list(run)
        elif anchor:
            pieces = _letter_ranges([anchor, *run])
            lead = pieces.pop(0)
            if lead != anchor:  # "a–c": the range hangs on the cite's own "a"
                out.append(lead[len(anchor):])
        else:
            pieces = _letter_ranges(run)
        for p in pieces:
            out.append(suffix_delim)
            out.append(p)
        run.clear()

    for i in members[1:]:
        c = cites[i]
        body = without_names(i)
        key = _year_key(body, c) if by_suffix else None
        if by_suffix and c.plain and c.year_suffix and key == prev_key:
            run.append(c.year_suffix)
            continue
        flush()
        out.append(within)
        out.append(body)
        prev_key = key
        anchor = c.year_suffix if c.plain else None
    flush()
    return out


def _letter_ranges(letters: list[str]) -> list[str]:
    """["a", "b", "c", "e"] -> ["a–c", "e"] (three or more consecutive)."""
    out: list[str] = []
    i = 0
    while i < len(letters):
        j = i
        while j + 1 < len(letters) and _next(letters[j]) == letters[j + 1]:
            j += 1
        if j - i >= 2:
            out.append(letters[i] + EN_DASH + letters[j])
        else:
            out.extend(letters[i:j + 1])
        i = j + 1
    return out


def _next(letter: str) -> str:
    return letter[:-1] + chr(ord(letter[-1]) + 1) if letter and letter[-1] != "z" else ""


def _year_key(body: str, cite: Rendered) -> str | None:
    """The cite without its names and without its year suffix: two cites with
    the same key differ in the suffix alone."""
    plain = _MARKERS.sub("", body)
    if cite.year_suffix:
        plain = re.sub(_SUFFIX_AFTER_DIGIT.format(re.escape(cite.year_suffix)), "", plain, count=1)
    return plain.strip()


_MARKERS = re.compile("[\ue000-\ue2ff]")


def _numbers(cites: Sequence[Rendered], opts: Options) -> list[str]:
    after = opts.after_collapse_delimiter if opts.after_collapse_delimiter is not None else opts.delimiter
    out: list[str] = []
    i = 0
    last_range = False
    while i < len(cites):
        j = i
        while (j + 1 < len(cites) and cites[j].plain and cites[j + 1].plain
               and cites[j].number is not None and cites[j + 1].number == cites[j].number + 1):
            j += 1
        if out:
            out.append(after if last_range else opts.delimiter)
        if j - i >= 2:
            out += [cites[i].text, EN_DASH, cites[j].text]
            last_range = True
        else:
            out.extend(_joined([c.text for c in cites[i:j + 1]], opts.delimiter))
            last_range = False
        i = j + 1
    return out


def _joined(texts: list[str], delimiter: str) -> list[str]:
    out: list[str] = []
    for t in texts:
        if out:
            out.append(delimiter)
        out.append(t)
    return out
