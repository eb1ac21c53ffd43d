"""The dates family: cs:date and cs:date-part.  A date's text is
``csl/dates.py``'s (:func:`~refcli.csl.dates.render_date`: ranges, seasons,
localized forms); here are the implicit year suffix, ambiguity checks without
accessed dates, and substitution."""

from __future__ import annotations

import re

from citeproc import model

from refcli.csl.dates import render_date
from refcli.csl.nodes.groups import tracked
from refcli.csl.nodes.names import used_in_substitute
from refcli.csl.nodes.numbers import ordinal
from refcli.csl.state import DISAMB_COUNT, LOOKING
from refcli.csl.textcase import CaseMixin, apply_case


class Date_Part(CaseMixin, model.Date_Part):
    """cs:date-part — appends an implicit year-suffix to the year."""

    def process(self, date, context=None):
        text = super().process(date, context)
        if self.get("name") == "year" and date.get("_suffix"):
            text = str(text) + date["_suffix"]
        return text


def _date_case(view, text):
    """text-case of a date part: month and season names are terms (any locale)."""
    return apply_case(text, view.get("text-case"))


class DateEl(model.Date):
    """cs:date — rendered by ``dates.render_date`` (ranges, seasons, localized
    forms with the locale's delimiter: NLM "2015 May 28"); a date cs:substitute
    already rendered is not rendered again."""

    def calls_variable_here(self):
        return "variable" in self.attrib

    render = tracked(model.Date.render)

    def process(self, item, variable=None, show_parts=None, context=None, **kwargs):
        if variable is not None:  # the locale's date form, called by the style's
            return super().process(item, variable, show_parts, context, **kwargs)
        var = self.get("variable", "")
        ctx = context if context is not None else self
        if var in (getattr(ctx.get_layout(), "repressed", None) or {}).get("var", ()):
            return None
        if var == "accessed" and LOOKING.get():
            return None
        counter = DISAMB_COUNT.get()
        date = item.reference.get(var) if var == "issued" and counter is not None else None
        marks = [d for d in (date, *date.values()) if isinstance(d, dict) and d.get("_suffix")] \
            if isinstance(date, dict) else []
        if marks and counter is not None and len(counter) > 2:
            # the implicit year suffix goes on the first year rendered only (citeproc-js)
            saved = [(d, d.pop("_suffix")) for d in marks]
            try:
                text = render_date(self, item, var, ordinal, _date_case)
            finally:
                for d, mark in saved:
                    d["_suffix"] = mark
        else:
            text = render_date(self, item, var, ordinal, _date_case)
            if marks and counter is not None and text and re.search(r"\d" + re.escape(str(marks[0]["_suffix"])), str(text)):
                counter.append("year-suffix shown")
        if text:
            used_in_substitute(ctx, var)
        return text

    def render_single_date(self, date, show_parts=None, context=None):
        parts = (self.parts(date, show_parts, context) if context != self
                 else self.parts(date, show_parts))
        return self.join(parts) if parts else None
