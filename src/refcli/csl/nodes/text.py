"""The text family: cs:text, locale terms, and the markup every node shares
(display blocks, ``="normal"`` decorations).  Field values are read as
citeproc-js reads them (HTML-like markup, smart quotes); quotes become
markers that ``markup.finish`` settles; number ranges get the locale's
delimiter; a variable cs:substitute used is not printed again."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from citeproc import model

from refcli.csl.markup import (
    CLOSE,
    DISPLAYS,
    OPEN,
    Q_CLOSE,
    Q_OPEN,
    clean_input,
    field_markup,
    smart_text,
)
from refcli.csl.nodes.groups import tracked
from refcli.csl.nodes.names import used_in_substitute
from refcli.csl.speed import FORMAT_ATTRS, per_node
from refcli.csl.state import SUBST
from refcli.csl.textcase import CaseMixin

EN_DASH = "\u2013"
DISPLAY_OPEN = {d: OPEN[d] for d in DISPLAYS}
DISPLAY_CLOSE = {d: CLOSE[d] for d in DISPLAYS}


_MARKUP_ATTRS = ("strip-periods", "text-case", "quotes", "prefix", "suffix", "display", *FORMAT_ATTRS)


@per_node
def _plain(el) -> bool:
    """Whether markup() would hand the text back unchanged: no case, periods,
    quotes, formatting or affixes on the node (most cs:text nodes)."""
    a = el.attrib
    return not any(k in a for k in _MARKUP_ATTRS)


@per_node
def _default_language(root) -> str:
    """The style's (forced) locale language, read once per parsed style."""
    return root.get("default-locale", "en")[:2]


@lru_cache(maxsize=4096)
def _value_text(value: str) -> str:
    return smart_text(field_markup(clean_input(value)))


class Text(CaseMixin, model.Text):
    """cs:text — quotes become markers (see markup.finish); number ranges get en dashes."""

    pages = False  # a page-range formatter (numbers.PageMixin) mixed in

    def calls_variable_here(self):
        return "variable" in self.attrib and self.get("variable") != "year-suffix"

    render = tracked(model.Text.render)

    def quote(self, string):
        if self.get("quotes", "false").lower() == "true":
            return Q_OPEN + string + Q_CLOSE
        return string

    def process(self, item, context=None, **kwargs):
        # citeproc-py's, without raising and catching VariableError for the
        # (usual) item without a language on every cs:text rendered
        if context is None:
            context = self
        lang = item.reference.get("language")
        language = lang[:2] if lang else _default_language(self.get_root())
        a = self.attrib
        sort_options = kwargs.get("sort_options")
        text = None
        if "variable" in a:
            text = self._variable(item, context)
        elif "macro" in a:
            # citeproc-py dropped sort_options at a nested macro call, so names
            # in sort keys lost name-as-sort-order="all" ("Kim, Ana, Bo Park")
            macro = self.get_macro(a["macro"])
            text = (macro.render(item, context) if sort_options is None
                    else macro.render(item, context, sort_options=sort_options))
        elif "term" in a:
            text = self._term(item)
        elif "value" in a:
            # a value's markup and quotes are read as field text's are (citeproc-js)
            text = model.String(self.preformat(_value_text(a["value"])))
        return text, language

    def markup(self, text, language):
        if text and _plain(self):
            return model.String(str(text)) if isinstance(text, int) else text
        return super().markup(text, language)

    def strip_periods(self, string):
        # citation-number arrives as an int; strip-periods on it crashed citeproc-py
        return super().strip_periods(model.String(str(string)) if isinstance(string, int) else string)

    def _variable(self, item, context):
        var = self.get("variable", "")
        if var in (getattr(context.get_layout(), "repressed", None) or {}).get("var", ()):
            return None
        text = super()._variable(item, context)
        subst = SUBST.get()
        if text and subst is not None:  # variables reached through a macro in cs:substitute
            subst[1].append((self.tag, var))
            used_in_substitute(context, var)
        if var == "locator" and text:
            raw = str(item.locator.identifier)
            if str(item.locator.label or "page") == "page" and self.pages:
                # a page locator is a page range: page-range-format, "\-" a hyphen
                return self._process(raw, "page")
            if "&" in raw:
                return model.String(re.sub(r"\s*&\s*", " " + and_symbol(self) + " ", str(text)))
        if var in ("issue", "volume", "number", "chapter-number", "collection-number") and text:
            s = str(text)
            if re.fullmatch(r"\s*\d+\s*[-\u2013]+\s*\d+\s*", s):
                # number ranges use the locale's page-range-delimiter (en dash by default)
                a, b = re.split(r"\s*[-\u2013]+\s*", s.strip())
                delim = str(self.get_single_term("page-range-delimiter") or EN_DASH)
                return model.String(a + delim + b)
        return text


def and_symbol(el: Any) -> str:
    """"&" in a locator or page list is the locale's symbol "and" term
    (citeproc-js), "&" where no locale defines one."""
    symbol = el.get_term("and", "symbol")
    return str(el.preformat(str(symbol.single))) if symbol is not None else str(el.unicode_character("AMPERSAND"))


class Term(model.Term):
    """cs:term — typographic apostrophes in locale terms ("à l’adresse")."""

    @property
    def single(self):
        return model.String(_APOS.sub("\u2019", str(super().single)))

    @property
    def multiple(self):
        return model.String(_APOS.sub("\u2019", str(super().multiple)))


_APOS = re.compile(r"(?<=\w)'(?=\w)")


@per_node
def _display(el) -> str | None:
    d = el.get("display")
    return d if d in DISPLAY_OPEN else None


class Displayed:
    """cs:display: the affixed output inside a display block (markup.DISPLAYS);
    mixed into every affixed node."""

    def wrap(self, string):
        string = super().wrap(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's
        disp = _display(self)
        if disp and string is not None and str(string):
            return model.String(f"{DISPLAY_OPEN[disp]}{string}{DISPLAY_CLOSE[disp]}")
        return string


_NORMAL_OFF = (("font-style", "normal", "roman"), ("font-weight", "normal", "unbold"),
               ("font-variant", "normal", "unsc"), ("vertical-align", "baseline", "baseline"))


@per_node
def _normal(el) -> tuple[str, ...]:
    a = el.attrib
    return tuple(kind for attr, value, kind in _NORMAL_OFF if a.get(attr) == value)


class NormalFormatted:
    """``font-style``/``font-weight``/``font-variant="normal"`` and
    ``vertical-align="baseline"`` turn an enclosing decoration off
    (citeproc-js's roman/unbold/normal-variant/baseline spans); mixed into
    every formatted node."""

    def format(self, string):
        out = super().format(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's
        for kind in _normal(self):
            if out:
                out = f"{OPEN[kind]}{out}{CLOSE[kind]}"
        return out
