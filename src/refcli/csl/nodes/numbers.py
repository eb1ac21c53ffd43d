"""The numbers family: cs:number, cs:label and the number rules cs:text
shares — ordinals from the right locale, page-range formats, the locale's
range delimiter, plural detection, and labels of unset variables as
citeproc-js casts them."""

from __future__ import annotations

import re
from typing import Any

from citeproc import model

from refcli.csl.cites import _LABEL_ABBREVIATIONS
from refcli.csl.nodes.groups import tracked
from refcli.csl.nodes.text import EN_DASH, Text, and_symbol
from refcli.csl.state import SUBST
from refcli.csl.textcase import CaseMixin


class Number(CaseMixin, model.Number):
    """cs:number — ordinals come from the first locale in the chain that has
    ordinal terms ("2." in German), not from en-US's "nd" via term fallback."""

    def calls_variable_here(self):
        return True

    def process(self, item, context=None, **kwargs):
        var = self.get("variable", "")
        layout = (context if context is not None else self).get_layout()
        if var in (getattr(layout, "repressed", None) or {}).get("var", ()):
            return None
        raw = item.reference.get(var.replace("-", "_")) if var not in ("locator", "page-first") else None
        labelled = _EMBEDDED_LABEL.fullmatch(str(raw)) if raw is not None else None
        try:
            text = self._labelled(labelled, var) if labelled else super().process(item, context=context, **kwargs)
        except model.VariableError:
            # citeproc-py looks up the CSL name ("number-of-volumes"); its
            # reader stores the field as "number_of_volumes"
            if "-" not in var:
                raise
            text = self._process(item.reference[var.replace("-", "_")], var)
        subst = SUBST.get()
        if text and subst is not None:
            subst[1].append(("var", var))
        return text

    def _labelled(self, m: re.Match, var: str) -> model.String:
        """"7, p. 3-8": a number, then a label abbreviation with numbers of
        its own — citeproc-js splits the field there: the number in the
        node's form ("7th"), the label as the locale's short term, plural
        for a range or list ("pp."), its numbers as a range ("3–8")."""
        label, rest = _LABEL_ABBREVIATIONS[m.group(3)], m.group(4)
        plural = _PLURAL.search(rest) is not None
        term = self.get_plural_term(label, "short") if plural else self.get_single_term(label, "short")
        rest = re.sub(r"(?<=\w)\s*-\s*(?=\w)", EN_DASH, rest)
        return model.String(f"{self._process(m.group(1), var)}{m.group(2)}{term} {rest}")

    def format_number(self, number):
        form = self.get("form", "numeric")
        if form == "ordinal" or (form == "long-ordinal" and str(number).isdigit() and int(number) > 10):
            try:
                return ordinal(self, int(number), self.get("variable"))
            except ValueError:
                return number
        return super().format_number(number)

    render = tracked(model.Number.render)


_PLURAL = re.compile(r"(?:\d|\b[ivxlcdm]+)\s*(?:[-\u2013\u2014,&]|and)\s*\S*(?:\d|[ivxlcdm]+\b)", re.I)


_EMBEDDED_LABEL = re.compile(r"(\S*\d)(,?\s+)({})\.\s+(\S.*)".format("|".join(_LABEL_ABBREVIATIONS)))
_NEXT_LABEL = re.compile(r",?\s+(?:{})\.\s".format("|".join(_LABEL_ABBREVIATIONS)))


# CSL 1.0.2 term form fallback: a form the locales lack falls back this way
_FORM_FALLBACK: dict[str | None, tuple[str | None, ...]] = {
    "verb-short": ("verb-short", "verb", None), "symbol": ("symbol", "short", None),
    "short": ("short", None), "verb": ("verb", None)}


class Label(CaseMixin, model.Label):
    """cs:label — rendered only when its variable is set (CSL 1.0.2), and plural
    only for real lists/ranges of numbers ("US6285999B1" is one number); a
    term form no locale has falls back (verb-short -> verb -> long)."""

    def get_term(self, name, form=None, *args, **kwargs):
        for each in _FORM_FALLBACK.get(form, (form,)):
            term = super().get_term(name, each, *args, **kwargs)
            if term is not None:
                return term
        return None

    def render(self, item, variable=None, plural=None, **kwargs):
        if kwargs.get("sort_options") is not None and isinstance(self.getparent(), model.Names):
            # sort keys leave a name list's label out ("Edited by" does not
            # sort under E), as citeproc-js does
            return None
        var = variable or self.get("variable")
        if var and var != "locator" and variable is None and var.replace("-", "_") not in item.reference:
            return self._unset(item, var, **kwargs)
        return super().render(item, variable, plural, **kwargs)

    def _unset(self, item, var, **kwargs):
        return super().render(item, var, self.get("plural") in ("always", "true"), **kwargs)

    def _is_plural(self, item):
        variable = self.get("variable")
        if variable == "locator":
            # "1, fol. 186": the label's own numbers end where the locator
            # names another label (citeproc-js splits a locator at its labels)
            value = _NEXT_LABEL.split(str(item.locator.identifier), maxsplit=1)[0]
        else:
            try:
                value = item.reference[variable.replace("-", "_")]
            except model.VariableError:
                return False
        if variable.startswith("number-of"):
            try:
                return int(str(value)) > 1
            except ValueError:
                return False
        text = str(value).replace("\\-", "\u2010x")  # an escaped hyphen is not a range
        and_term = str(self.get_single_term("and") or "")
        if and_term and and_term not in ("&", "and"):  # "213 et 235" is two pages
            text = re.sub(rf",?\s+{re.escape(and_term)}\s+", " & ", text)
        return _PLURAL.search(text) is not None


_PREFIXED = re.compile(r"([A-Za-z]+)(\d+)")


def _terms(loc, name: str) -> list:
    """Every form-less term ``name`` of one locale (all its gender forms)."""
    try:
        return loc.terms.xpath_search(f"./cs:term[@name='{name}' and not(@form)]")
    except AttributeError:  # a locale without cs:terms
        return []


def noun_gender(el, noun: str | None) -> str | None:
    """The grammatical gender a locale gives the term ``noun`` ("edition",
    "month-10"), from the first locale in the chain that sets one; None when
    none does (citeproc-js's ``noun-genders``)."""
    if not noun:
        return None
    for loc in el.get_root().locales:
        for term in _terms(loc, noun):
            if term.get("gender"):
                return str(term.get("gender"))
    return None


def ordinal(el, n: int, noun: str | None = None) -> str:
    """``n`` with its ordinal suffix per CSL 1.0.2: ordinal-NN (last two
    digits), ordinal-0N (last digit), else "ordinal", from the first locale in
    the chain that defines any of them.  Gendered ordinals as citeproc-js's
    Ordinalizer picks them: the term of the gender of ``noun`` (the number's
    variable, the month of a day), else the plain "ordinal" term in that
    gender or neuter (a masculine "ordinal-02" is not used for a feminine
    noun); the neuter (no gender-form) numbered terms only when that plain
    term is empty."""
    names = []
    if 10 <= n % 100 <= 99:
        names.append(f"ordinal-{n % 100:02d}")
    names += [f"ordinal-{n % 10:02d}", "ordinal"]
    gender = noun_gender(el, noun)
    genders = [gender, None] if gender and gender != "neuter" else [None]
    for loc in el.get_root().locales:
        found = {name: _terms(loc, name) for name in names}
        if not any(found.values()):
            continue
        plain = next((t.single for want in genders for t in found["ordinal"]
                      if _gender_fits(t, want)), None)
        for want in genders:
            for name in names[:-1]:
                for term in found[name]:
                    if not _gender_fits(term, want):
                        continue
                    if term.get("match") == "whole-number" and name[-2:] != f"{n:02d}":
                        continue
                    return f"{n}{term.single}"
            if plain:
                break
        if plain is not None:
            return f"{n}{plain}"
    return str(n)


def _gender_fits(term, want: str | None) -> bool:
    form = term.get("gender-form") or None
    return form == want or (want is None and form == "neuter")


def _expand_last(first: str, last: str) -> str:
    """``321-28`` means 321–328: give the last page all its digits first."""
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        return first[: len(first) - len(last)] + last
    return last


def format_page_range(first: str, last: str, fmt: str | None) -> str:
    """The last page of a range per CSL 1.0.2 ``page-range-format``."""
    pf, pl = _PREFIXED.fullmatch(first), _PREFIXED.fullmatch(last)
    if pf and pl and pf.group(1) == pl.group(1) and fmt not in (None, "expanded"):
        # "S12-S19": the shared prefix is written once ("S12–19")
        return format_page_range(pf.group(2), pl.group(2), fmt)
    if fmt is None:  # no page-range-format: the range as given
        return last
    last = _expand_last(first, last)
    if not (first.isdigit() and last.isdigit()) or fmt == "expanded":
        return last
    if len(first) != len(last) or int(last) < int(first):
        return last
    common = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        common += 1
    if fmt in ("chicago", "chicago-15", "chicago-16"):
        n = int(first)
        if n < 100 or n % 100 == 0:
            return last
        if n % 100 < 10:
            return last[common:] if common < len(last) else last[-1:]
        if fmt != "chicago-16" and len(first) == 4 and len(first) - common >= 3:
            return last
        fmt = "minimal-two"
    if fmt == "minimal":
        return last[common:] if common < len(last) else last[-1:]
    if fmt == "minimal-two":
        keep = max(len(last) - common, 2)
        return last[-keep:] if keep < len(last) else last
    return last


class PageMixin:
    """Ranges in numbers and pages: page-range-format for pages, and the
    locale's page-range-delimiter for every numeric range (citeproc-py used an
    en dash for all but pages; French wants "3‑4" with its own hyphen)."""

    pages = True

    def _format_last_page(self: Any, first, last):  # self: the citeproc element it is mixed into
        return format_page_range(first, last, self.get_root().get_option("page-range-format"))

    def _process(self: Any, value, variable):
        from citeproc.string import join

        delim = str(self.get_single_term("page-range-delimiter") or EN_DASH)

        def one(part):
            # citeproc-js: a range is formatted only when both ends are numbers
            # with the same prefix ("S12-S19", "8n11564-8n1568"); otherwise it
            # stays as typed, spaces around the dash dropped ("N110-5",
            # "Michaelson-Morely"); "\-" is a hyphen that is not a range
            part = part.strip()
            if "\\-" in part:
                return self.format_number(part.replace("\\-", "-"))
            m = _RANGE.fullmatch(part)
            if not m:
                return self.format_number(part)
            a, dash, b = m.groups()
            if _ROMAN.fullmatch(a) and _ROMAN.fullmatch(b):  # "xxv-xxviii"
                return join((self.format_number(a), self.format_number(b)), delim)
            pa, pb = _PAGE_NUM.fullmatch(a), _PAGE_NUM.fullmatch(b)
            if not (pa and pb and pa.group(1) == pb.group(1)):
                return self.format_number(a + dash + b)
            if variable == "page-first":
                return self.format_number(a)
            if variable == "page":
                fmt = self.get_root().get_option("page-range-format")
                last = format_page_range(pa.group(2), pb.group(2), fmt)
                if fmt == "expanded" or (fmt is None and pb.group(1)):
                    last = pb.group(1) + last
                return join((self.format_number(a), self.format_number(last)), delim)
            return join((self.format_number(a), self.format_number(b)), delim)

        amp = " " + and_symbol(self) + " "
        return join((join((one(p) for p in chunk.split("&")), amp)
                     for chunk in str(value).split(",")), delimiter=", ")


_RANGE = re.compile(r"(.+?)\s*([-\u2013]+)\s*(.+)")
_PAGE_NUM = re.compile(r"(.*?)(\d+)")
_ROMAN = re.compile(r"[ivxlcdm]+|[IVXLCDM]+")


class TextP(PageMixin, Text):
    pass


class NumberP(PageMixin, Number):
    pass
