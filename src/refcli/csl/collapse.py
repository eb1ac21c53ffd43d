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
    locator: bool = False
    prefix: str = ""  # the cite's own affixes as given (for the delimiter rules)
    suffix: str = ""
    # for the grouped sort: its names as the locale collates them, and the
    # rank of its value for the citation's first sort key
    names_order: str = ""
    first_key: int = 0


@dataclass
class Options:
    collapse: str | None
    delimiter: str
    in_text: bool = True
    cite_group_delimiter: str | None = None
    after_collapse_delimiter: str | None = None
    year_suffix_delimiter: str | None = None

    sorted: bool = False  # the citation has cs:sort

    @property
    def grouping(self) -> bool:
        return self.collapse in ("year", "year-suffix", "year-suffix-ranged") or self.cite_group_delimiter is not None

    @property
    def regroup(self) -> bool:
        """citeproc-js's grouped sort: a sorted citation of an in-text style
        that collapses, or any with cite-group-delimiter, moves cites of the
        same names together; otherwise only neighbours collapse."""
        return self.sorted and ((self.in_text and bool(self.collapse)) or bool(self.cite_group_delimiter))


def group_order(cites: Sequence[Rendered]) -> list[int]:
    """citeproc-js's grouped sort of cites already in the style's order: sorted
    by their names first (stable), each run of the same names then takes the
    first sort key of its first cite, and the runs are ordered by that key,
    runs tied on it keeping the order of their names ("Rumelhart and
    McClelland 1986" before "Rumelhart, Hinton and Williams 1986")."""
    by_names = sorted(range(len(cites)), key=lambda i: (cites[i].names is None, cites[i].names_order))
    runs: list[list[int]] = []
    for i in by_names:
        if runs and cites[i].names is not None and cites[runs[-1][0]].names == cites[i].names:
            runs[-1].append(i)
        else:
            runs.append([i])
    runs.sort(key=lambda run: cites[run[0]].first_key)
    return [i for run in runs for i in run]


@dataclass
class _Piece:
    cite: Rendered
    text: str
    collapsed: bool = False  # shown without its names, after a cite of the same names
    letter: str | None = None  # shown as its year suffix alone
    delim: str = ""


def join(cites: Sequence[Rendered], opts: Options, without_names: Callable[[int], str]) -> list[str]:
    """The pieces of the citation body (cites and delimiters) in order.
    ``without_names(i)``: cite ``i`` rendered with its names suppressed."""
    if opts.collapse == "citation-number":
        pieces = _numbers(cites, opts)
    elif opts.grouping:
        pieces = _grouped(cites, opts, without_names)
    else:
        pieces = [_Piece(c, c.text, delim=opts.delimiter) for c in cites]
    out: list[str] = []
    for n, p in enumerate(pieces):
        if n:
            out.append(_affix_adjusted(p.delim, pieces[n - 1].cite, p.cite))
        out.append(p.text)
    return out


def _affix_adjusted(delim: str, before: Rendered, cite: Rendered) -> str:
    """citeproc-js: after a cite suffix ending in ``; . ,``, or before a prefix
    starting with one, the delimiter loses its punctuation."""
    ends = bool(before.suffix) and before.suffix[-1] in ";.,"
    starts = not before.suffix and bool(cite.prefix) and cite.prefix[0] in ";.,"
    if not (ends or starts):
        return delim
    space = delim.find(" ")
    return delim[space:] if space > -1 and not starts else ""


def _grouped(cites: Sequence[Rendered], opts: Options, without_names: Callable[[int], str]) -> list[_Piece]:
    by_suffix = opts.collapse in ("year-suffix", "year-suffix-ranged")
    pieces: list[_Piece] = []
    key: str | None = None  # year key of the last cite shown with a year
    for i in group_order(cites) if opts.regroup else range(len(cites)):
        c = cites[i]
        prev = pieces[-1] if pieces else None
        if prev is None or c.names is None or c.names != prev.cite.names:
            piece = _Piece(c, c.text)
            key = _year_key(without_names(i), c) if by_suffix and c.names is not None else None
        elif not opts.collapse:  # cite-group-delimiter alone: grouped, names kept
            piece = _Piece(c, c.text, collapsed=True)
        else:
            body = without_names(i)
            own = _year_key(body, c) if by_suffix else None
            if by_suffix and c.plain and c.year_suffix and own == key and not prev.cite.locator:
                piece = _Piece(c, c.year_suffix, collapsed=True, letter=c.year_suffix)
            elif not _MARKERS.sub("", body).strip():
                continue  # nothing left once the names go (an undated work): no empty cite
            else:
                piece = _Piece(c, body, collapsed=True)
                key = own
        if prev is not None:
            piece.delim = _splice(opts, prev, piece)
        pieces.append(piece)
    if opts.collapse == "year-suffix-ranged":
        pieces = _ranged(pieces)
    return pieces


def _splice(opts: Options, prev: _Piece, cur: _Piece) -> str:
    """The delimiter before ``cur`` (citeproc-js's getSpliceDelimiter)."""
    if cur.letter is not None:
        for delim in (opts.year_suffix_delimiter, opts.cite_group_delimiter):
            if delim is not None:
                return delim
        return opts.delimiter
    after = opts.after_collapse_delimiter
    if after is not None:
        if prev.cite.locator or (prev.collapsed and not cur.collapsed) or (
                not prev.collapsed and not cur.collapsed and opts.collapse != "year-suffix"):
            return after
        return opts.delimiter
    if cur.collapsed and opts.cite_group_delimiter is not None:
        return opts.cite_group_delimiter
    if cur.collapsed and opts.in_text:
        return ", "
    return opts.delimiter


def _ranged(pieces: list[_Piece]) -> list[_Piece]:
    """Three or more year suffixes in a row ("a", "b", "c", counting the cite
    the run hangs on) become one range "a–c"."""
    out: list[_Piece] = []
    n = 0
    while n < len(pieces):
        if pieces[n].letter is None:
            out.append(pieces[n])
            n += 1
            continue
        end = n
        while end < len(pieces) and pieces[end].letter is not None:
            end += 1
        run = pieces[n:end]
        head = out[-1] if out else None
        anchor = head.cite.year_suffix if head is not None and head.cite.plain else None
        labels = _letter_ranges(([anchor] if anchor else []) + [str(p.letter) for p in run])
        if anchor:
            lead = labels.pop(0)
            if lead != anchor and head is not None:  # "a–c" hangs on the cite's own "a"
                head.text += lead[len(anchor):]
        delim = run[0].delim
        for label in labels:
            out.append(_Piece(run[0].cite, label, collapsed=True, letter=label, delim=delim))
        n = end
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
_SUFFIX_AFTER_DIGIT = "(?<=[0-9]){}"


def _numbers(cites: Sequence[Rendered], opts: Options) -> list[_Piece]:
    after = opts.after_collapse_delimiter if opts.after_collapse_delimiter is not None else opts.delimiter
    out: list[_Piece] = []
    i = 0
    last_range = False
    while i < len(cites):
        j = i
        while j + 1 < len(cites) and _follows(cites[j], cites[j + 1]):
            j += 1
        delim = after if last_range else opts.delimiter
        if j - i >= 2:
            out.append(_Piece(cites[j], cites[i].text + EN_DASH + cites[j].text, delim=delim))
            last_range = True
        else:
            for c in cites[i:j + 1]:
                out.append(_Piece(c, c.text, delim=delim))
                delim = opts.delimiter
            last_range = False
        i = j + 1
    return out


def _follows(a: Rendered, b: Rendered) -> bool:
    """``b`` continues a run of numbers after ``a`` (neither has a locator or affix)."""
    return a.plain and b.plain and a.number is not None and b.number == a.number + 1
