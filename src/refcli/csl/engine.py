"""citeproc-py, loaded safely and with its CSL 1.0.2 deviations corrected.

Each correction is a subclass of the citeproc-py element class that renders the
CSL node (``cs:name``, ``cs:names``, ``cs:text``, ``cs:date-part``, ``cs:if``, …),
registered through lxml's element-class lookup in :func:`load_style` — so only
styles loaded here get the corrected behaviour, and citeproc-py itself is not
modified.  The list of corrections is in the package docstring.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from citeproc import model
from citeproc import string as citeproc_string
from citeproc.frontend import CitationStylesStyle
from lxml import etree

from refcli.csl.citemode import MODE as CITE_MODE
from refcli.csl.citemode import CiteMode, names_rendered
from refcli.csl.dates import render_date
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
from refcli.csl.names import GivenNameRegister, format_names
from refcli.csl.position import holds as position_holds
from refcli.csl.styles import CSL_NS, check_no_doctype, locales_dir, safe_parser
from refcli.csl.textcase import CaseMixin, apply_case
from refcli.errors import InputError

EN_DASH = "\u2013"
DISPLAY_OPEN = {d: OPEN[d] for d in DISPLAYS}
DISPLAY_CLOSE = {d: CLOSE[d] for d in DISPLAYS}
_FORMAT_ATTRS = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")


def _edge(s, last: bool) -> str:
    """First or last character of ``str(s)`` without building the string: a
    MixedString is a list of segments, and citeproc-py's seam check joined
    the whole accumulated text at every step (the largest single cost left
    in the profile for 1,000 entries)."""
    if isinstance(s, citeproc_string.MixedString):
        for seg in (reversed(s) if last else s):
            ch = _edge(seg, last)
            if ch:
                return ch
        return ""
    s = str(s)
    return s[-1:] if last else s[:1]


def _normalize_seam(left, other):
    """citeproc.string.normalize_seam, same result, reading only the two
    characters at the seam."""
    last, first = _edge(left, True), _edge(other, False)
    if not last or not first:
        return other
    if (last == " " and first == " ") or (last == first and first in citeproc_string.SEAM_PUNCTUATION):
        return citeproc_string._strip_first_char(other)
    return other


# citeproc-py looks the function up as a module global in both places it is used
citeproc_string.normalize_seam = _normalize_seam
model.normalize_seam = _normalize_seam

# Per-render disambiguation state: key -> {"names": n, "given": level, "cond": bool}
_EMPTY: Mapping = MappingProxyType({})
DISAMB: contextvars.ContextVar[Mapping] = contextvars.ContextVar("refcli_csl_disamb", default=_EMPTY)
# Option overrides for the cs:name being rendered (set by Name.process).
_NAME_OVERRIDES: contextvars.ContextVar[Mapping] = contextvars.ContextVar("refcli_csl_nameopt", default=_EMPTY)
# While a cs:substitute renders: (the cs:names it substitutes for, list of (tag, variable) used).
_SUBST: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("refcli_csl_subst", default=None)
# The cs:group being rendered: did it call variables, did any render? (CSL §Group)
_GROUP: contextvars.ContextVar[dict | None] = contextvars.ContextVar("refcli_csl_group", default=None)
# The run's register of names rendered (names.GivenNameRegister), set by process.Processor
NAMEREG: contextvars.ContextVar[GivenNameRegister | None] = contextvars.ContextVar("refcli_csl_namereg", default=None)
# True while a cite is rendered only to judge ambiguity: citeproc-js's
# getAmbiguousCite ("just_looking") leaves accessed dates out
LOOKING: contextvars.ContextVar[bool] = contextvars.ContextVar("refcli_csl_looking", default=False)
# subsequent-author-substitute bookkeeping for the bibliography entry being rendered.
SAS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("refcli_csl_sas", default=None)


_TRACK_KIND: dict = {}  # element -> "macro" | "var" | None (static per node)


def _tracked(render):
    """Wrap an element's ``render`` so the enclosing cs:group learns whether a
    variable was called and whether it came out non-empty."""

    def wrapper(self, *args, **kwargs):
        frame = _GROUP.get()
        try:
            kind = _TRACK_KIND[self]
        except KeyError:
            kind = _TRACK_KIND[self] = ("macro" if "macro" in self.attrib
                                        else "var" if self.calls_variable_here() else None)
        if kind == "macro":
            # like a nested group, a macro counts as one variable for the
            # enclosing group: non-empty output renders it (citeproc-js)
            inner = {"called": False, "rendered": False}
            token = _GROUP.set(inner)
            try:
                out = render(self, *args, **kwargs)
            finally:
                _GROUP.reset(token)
            if inner["called"] and not inner["rendered"]:
                # a macro is an implicit group (citeproc-js's expandMacro): its
                # variables all empty, its terms go too ("in" without a container)
                out = None
            if frame is not None:
                frame["called"] = frame["called"] or inner["called"] or bool(out)
                frame["rendered"] = frame["rendered"] or bool(out)
            return out
        if kind is None or frame is None:
            return render(self, *args, **kwargs)
        frame["called"] = True
        out = render(self, *args, **kwargs)
        if out:
            frame["rendered"] = True
        return out

    return wrapper


_CHILDREN: dict = {}  # element -> ((child, is cs:choose), ...), forgotten on insert


def _children(el) -> tuple:
    try:
        return _CHILDREN[el]
    except KeyError:
        kids = _CHILDREN[el] = tuple((c, isinstance(c, model.Choose)) for c in el.iterchildren())
        return kids


class Group(model.Group):
    """cs:group — suppressed when the variables *actually reached* (through the
    cs:choose branch taken) are all empty; citeproc-py counts every branch."""

    def process(self, item, context=None, **kwargs):
        text = self._text(item, context, **kwargs)
        if text is None:
            raise model.VariableError
        return text

    def render(self, item, context=None, **kwargs):
        # a suppressed group is None to its parent (which would only catch the
        # VariableError citeproc-py raises for it: thousands per 1,000 entries)
        text = self._text(item, context, **kwargs)
        return None if text is None else self.markup(text)

    def _text(self, item, context=None, **kwargs):
        frame = {"called": False, "rendered": False}
        token = _GROUP.set(frame)
        output = []
        delimiter = self.get("delimiter", "")
        try:
            for child, is_choose in _children(self):
                try:
                    if is_choose:
                        text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except model.VariableError:
                    continue
                if text is not None:
                    output.append(text)
        finally:
            _GROUP.reset(token)
        parent = _GROUP.get()
        ok = bool(output) and not (frame["called"] and not frame["rendered"])
        if parent is not None:
            # to its parent, a nested group is one variable: empty if suppressed
            # after calling variables, non-empty whenever it renders (citeproc-js)
            parent["called"] = parent["called"] or frame["called"] or ok
            parent["rendered"] = parent["rendered"] or ok
        return self.join(output) if ok else None


def model_name_copy(name, **changes):
    """A copy of a citeproc-py Name with some parts changed."""
    from citeproc.source import Name as SourceName

    return SourceName(**{**dict(name), **changes})


def _ancestor_kind(el, context=None) -> str:
    ctx = context if context is not None else el
    found = ctx.xpath_search("./ancestor-or-self::*[self::cs:citation or self::cs:bibliography][1]")
    return etree.QName(found[0]).localname if found else ""


_NAME_OPTIONS: dict = {}


def _adds_givenname_by_cite(root) -> bool:
    """Whether the style sets disambiguate-add-givenname under the by-cite rule."""
    cit = root.citation
    return (cit is not None and str(cit.get("disambiguate-add-givenname", "")).lower() == "true"
            and cit.get("givenname-disambiguation-rule", "by-cite") == "by-cite")


class Name(model.Name):
    """cs:name — honours ``initialize="false"``, add-names / add-givenname."""

    def get_option(self, name, context=None, sort_options=None):
        over = _NAME_OVERRIDES.get()
        if name in over:
            return over[name]
        if name == "and" and over.get("sorting"):
            return None  # sort keys compare names only, not the "and"/"&" term
        if sort_options is not None:
            return super().get_option(name, context, sort_options)
        # inherited options depend only on the style tree: read each once
        key = (self, context, name)
        try:
            return _NAME_OPTIONS[key]
        except KeyError:
            if len(_NAME_OPTIONS) > 500_000:
                _NAME_OPTIONS.clear()
            value = super().get_option(name, context, None)
            if name == "et-al-use-first" and not self._inherits(name, context):
                # citeproc-js: et-al-min alone (no et-al-use-first on the
                # cs:name, its citation/bibliography or the style) truncates nothing
                value = None
            _NAME_OPTIONS[key] = value
            return value

    def _inherits(self, name: str, context=None) -> bool:
        """Whether the cs:name, its cs:names, its citation or bibliography
        (through ``context``, for a name in a macro) or the style sets ``name``."""
        ctx = context if context is not None else self
        scope = ctx.xpath_search("./ancestor-or-self::*[self::cs:citation or self::cs:bibliography][1]")
        parent = self.getparent()
        return any(el is not None and el.get(name) is not None
                   for el in (self, parent, *scope, self.get_root()))

    def process(self, item, variable, context=None, sort_options=None, **kwargs):
        if sort_options is not None and not _NAME_OVERRIDES.get().get("sorting"):
            token = _NAME_OVERRIDES.set({**_NAME_OVERRIDES.get(), "sorting": True})
            try:
                return self.process(item, variable, context, sort_options, **kwargs)
            finally:
                _NAME_OVERRIDES.reset(token)
        if sort_options is not None and "demote-non-dropping-particle" not in sort_options:
            demote = str(super().get_option("demote-non-dropping-particle", context)).lower()
            if demote == "sort-only":  # sort keys demote, display does not
                sort_options = dict(sort_options, **{"demote-non-dropping-particle": "display-and-sort"})
        st = DISAMB.get().get(item.key) if sort_options is None else None
        init = self.get_option("initialize-with", context, sort_options)
        if init is not None and "." not in init and sort_options is None:
            names = item.reference.get(variable) or []
            if any("." in (n.get("suffix") or "") for n in names):
                # initials without periods: the suffix drops them too ("King ML Jr")
                stripped = [model_name_copy(n, suffix=n["suffix"].replace(".", ""))
                            if n.get("suffix") else n for n in names]
                item.reference[variable] = stripped
                try:
                    return self.process(item, variable, context, sort_options, **kwargs)
                finally:
                    item.reference[variable] = names
        kind = _ancestor_kind(self, context) if st else ""
        primary = st.get("primary") if st else None
        if primary and kind == "citation" and primary[0] == variable and not _NAME_OVERRIDES.get().get("primary_done"):
            # name-level givenname rule: the first name shows initials / its
            # given name (see process.Processor._primary_names)
            names = item.reference.get(variable) or []
            if names and names[0].get("given"):
                level = primary[1] or (1 if self.get_option("initialize-with", context) is not None else 2)
                item.reference[variable] = [self._given_level(item, variable, context, names[0], level),
                                            *names[1:]]
                token = _NAME_OVERRIDES.set({**_NAME_OVERRIDES.get(), "primary_done": True})
                try:
                    return self.process(item, variable, context, sort_options, **kwargs)
                finally:
                    item.reference[variable] = names
                    _NAME_OVERRIDES.reset(token)
        if st and "abs" in st:
            return self._by_cite(item, variable, context, st, kind, **kwargs)
        if st and (st.get("names") or (st.get("given") and kind == "citation")):
            # add-names also shows in the bibliography (as citeproc-js does)
            over = {}
            if st.get("names") and kind == "citation":
                st.setdefault("var", variable)
            if st.get("names") and st.get("var", variable) == variable:
                first = super().get_option("et-al-use-first", context)
                if kind == "citation":
                    st.setdefault("base", first)
                # citeproc-js: the bibliography shows the citation's (absolute)
                # number of names only when it is more than it would show anyway
                shown = st.get("base", first) + st["names"]
                count = len(item.reference.get(variable, []))
                if kind == "citation" or (shown > first and count >= int(super().get_option("et-al-min", context))):
                    over["et-al-use-first"] = shown
                    if shown >= count:
                        over["et-al-min"] = 10**6  # every name shown: no "et al."
            if st.get("given") and kind == "citation":
                over["form"] = "long"
                if st["given"] >= 2:
                    over["initialize-with"] = None
            token = _NAME_OVERRIDES.set(over)
            try:
                return self._format(item, variable, context, sort_options)
            finally:
                _NAME_OVERRIDES.reset(token)
        return self._format(item, variable, context, sort_options)

    def _format(self, item, variable, context, sort_options):
        """format_names, after registering the names (names.GivenNameRegister)."""
        register = NAMEREG.get()
        if register is None or not _adds_givenname_by_cite(self.get_root()):
            return format_names(self, item, variable, context, sort_options)
        full = [register.add(item.key, n) for n in item.reference.get(variable) or []]
        if sort_options is not None or (self.get_option("form", context) or "long") != "long" \
                or self.get_option("initialize-with", context) is None:
            return format_names(self, item, variable, context, sort_options)
        return format_names(self, item, variable, context, sort_options,
                            frozenset(i for i, f in enumerate(full) if f))

    def _by_cite(self, item, variable, context, st, kind, **kwargs):
        """Names under a citeproc-js by-cite configuration (see disambig.py):
        ``abs`` names shown where that is more than the style shows anyway, and
        in citations each name's given-name level (1 initials, 2 full)."""
        st.setdefault("var", variable)
        if st["var"] != variable:
            return self._format(item, variable, context, None)
        names = item.reference.get(variable) or []
        over = {}
        first = super().get_option("et-al-use-first", context)
        if st["abs"] > first and len(names) >= int(super().get_option("et-al-min", context) or 0):
            over["et-al-use-first"] = st["abs"]
            if st["abs"] >= len(names):
                over["et-al-min"] = 10**6
        levels = st.get("givens") or ()
        expanded = names
        if kind == "citation" and any(levels[: len(names)]):
            expanded = [self._given_level(item, variable, context, n, levels[i])
                        if i < len(levels) and levels[i] else n for i, n in enumerate(names)]
        token = _NAME_OVERRIDES.set(over)
        item.reference[variable] = expanded
        try:
            return self._format(item, variable, context, None)
        finally:
            item.reference[variable] = names
            _NAME_OVERRIDES.reset(token)

    def _given_level(self, item, variable, context, name, level):
        """One name rendered in long form with initials (level 1, with the
        style's initialize-with, "" included) or its full given name (level 2,
        and level 1 when the style has no initialize-with: there are no
        initials to show, as citeproc-js), handed back as a family-only name
        so the cite's own form prints it whole."""
        from citeproc.source import Name as SourceName

        if not name.get("given"):
            return name
        init = super().get_option("initialize-with", context)
        over = {"form": "long", "et-al-min": 10**6, "name-as-sort-order": None,
                "initialize-with": str(init) if level == 1 and init is not None else None}
        token = _NAME_OVERRIDES.set(over)
        saved = item.reference[variable]
        item.reference[variable] = [name]
        try:
            text = format_names(self, item, variable, context, None)
        finally:
            item.reference[variable] = saved
            _NAME_OVERRIDES.reset(token)
        return SourceName(family=str(text))

    def et_al(self):
        # sort keys leave "et al." out: "Brown et al." sorts with "Brown" (citeproc-js)
        if _NAME_OVERRIDES.get().get("sorting"):
            return model.String("")
        return super().et_al()

    def markup(self, text):
        # form="count" stays a number so cs:names can add up several variables
        if isinstance(text, int):
            return text
        return super().markup(text)


def _cite_author(render):
    """suppress-author / author-only (citemode.py) act on a cite's first
    top-level cs:names output, not on candidates tried inside cs:substitute."""

    def wrapper(self, *args, **kwargs):
        out = render(self, *args, **kwargs)
        return out if _SUBST.get() is not None else names_rendered(out)

    return wrapper


class Names(model.Names):
    """cs:names — a variable already used by cs:substitute is not printed again."""

    def calls_variable_here(self):
        return True

    render = _tracked(_cite_author(model.Names.render))

    def process(self, item, names_context=None, context=None, **kwargs):
        layout = (context if context is not None else self).get_layout()
        repressed = getattr(layout, "repressed", None) or {}
        gone: set[str] = set()
        for v in repressed.get(self.tag, []):
            gone.update((v or "").split())
        roles = self.get("variable", "").split()
        if gone and set(roles) & gone:
            keep = [r for r in roles if r not in gone]
            if not keep:
                raise model.VariableError
            self.set("variable", " ".join(keep))
            try:
                return self.process(item, names_context, context, **kwargs)
            finally:
                self.set("variable", " ".join(roles))
        if self.name is None and (_SUBST.get() is None or names_context is not None):
            # citeproc-py would insert its own cs:name here; make it ours (and
            # keep it, as citeproc-py does) so our cs:name corrections apply
            self.insert(0, self.makeelement(f"{{{CSL_NS}}}name"))
        subst = _SUBST.get()
        if subst is not None and names_context is None and self.name is None:
            # CSL: a bare cs:names in cs:substitute inherits cs:name/cs:et-al/cs:label
            names_context = subst[0]
        text = super().process(item, names_context=names_context, context=context, **kwargs)
        if text and subst is not None:
            subst[1].append((self.tag, self.get("variable")))
        sas = SAS.get()
        if text and sas is not None and not sas["done"]:
            sas["done"] = True
            # citeproc-js compares the names shown, "et al." left out
            key = str(text).rstrip()
            etal = str(self.get_single_term("et-al") or "")
            if etal and key.endswith(etal):
                key = key[: -len(etal)].rstrip(" ,")
            sas["names"] = key
            if sas["prev"] == key and sas["value"] is not None:
                return model.String(sas["value"]) if sas["value"] else None
        return text


def _candidates(parent, item, context):
    """Children of cs:substitute in order, looking through cs:choose: each
    element of the branch taken is a substitute candidate of its own."""
    for child in parent.iterchildren():
        if isinstance(child, model.Choose):
            for branch in child.iterchildren():
                if isinstance(branch, model.Else) or (
                        isinstance(branch, If) and branch.passes(item, context)):
                    yield from _candidates(branch, item, context)
                    break
        else:
            yield child


class Substitute(model.Substitute):
    """cs:substitute — children inside cs:choose also inherit the parent cs:name,
    and every variable used is suppressed in the rest of the entry."""

    def render(self, item, context=None, **kwargs):
        names = self.getparent()
        layout = (context if context is not None else self).get_layout()
        for child in _candidates(self, item, context):
            used: list = []
            token = _SUBST.set((names, used))
            try:
                text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                text = None
            finally:
                _SUBST.reset(token)
            if text:
                if child.get("variable"):
                    used.append((child.tag, child.get("variable")))
                rep = layout.repressed
                for tag, var in used:
                    rep.setdefault(tag, []).append(var)
                return text
            if isinstance(child, model.Text) and "term" in child.attrib and child.get_term(
                    child.get("term"), None if child.get("form", "long") == "long" else child.get("form")) is not None:
                return None  # a defined term is the substitute even when the locale leaves it empty (citeproc-js)
        return None


_MARKUP_ATTRS = ("strip-periods", "text-case", "quotes", "prefix", "suffix", "display", *_FORMAT_ATTRS)
_PLAIN: dict = {}
_DEFAULT_LANGUAGE: dict = {}


def _plain(el) -> bool:
    """Whether markup() would hand the text back unchanged: no case, periods,
    quotes, formatting or affixes on the node (most cs:text nodes)."""
    try:
        return _PLAIN[el]
    except KeyError:
        a = el.attrib
        plain = _PLAIN[el] = not any(k in a for k in _MARKUP_ATTRS)
        return plain


def _default_language(root) -> str:
    """The style's (forced) locale language, read once per parsed style."""
    try:
        return _DEFAULT_LANGUAGE[root]
    except KeyError:
        lang = _DEFAULT_LANGUAGE[root] = root.get("default-locale", "en")[:2]
        return lang


@lru_cache(maxsize=4096)
def _value_text(value: str) -> str:
    return smart_text(field_markup(clean_input(value)))


class Text(CaseMixin, model.Text):
    """cs:text — quotes become markers (see markup.finish); number ranges get en dashes."""

    def calls_variable_here(self):
        return "variable" in self.attrib and self.get("variable") != "year-suffix"

    render = _tracked(model.Text.render)

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
        subst = _SUBST.get()
        if text and subst is not None:  # variables reached through a macro in cs:substitute
            subst[1].append((self.tag, var))
            _used_in_substitute(context, var)
        if var == "locator" and text:
            raw = str(item.locator.identifier)
            if str(item.locator.label or "page") == "page" and isinstance(self, _PageMixin):
                # a page locator is a page range: page-range-format, "\-" a hyphen
                return self._process(raw, "page")
            if "&" in raw:
                return model.String(re.sub(r"\s*&\s*", " " + _and_symbol(self) + " ", str(text)))
        if var in ("issue", "volume", "number", "chapter-number", "collection-number") and text:
            s = str(text)
            if re.fullmatch(r"\s*\d+\s*[-\u2013]+\s*\d+\s*", s):
                # number ranges use the locale's page-range-delimiter (en dash by default)
                a, b = re.split(r"\s*[-\u2013]+\s*", s.strip())
                delim = str(self.get_single_term("page-range-delimiter") or EN_DASH)
                return model.String(a + delim + b)
        return text


def _and_symbol(el: Any) -> str:
    """"&" in a locator or page list is the locale's symbol "and" term
    (citeproc-js), "&" where no locale defines one."""
    symbol = el.get_term("and", "symbol")
    return str(el.preformat(str(symbol.single))) if symbol is not None else str(el.unicode_character("AMPERSAND"))


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
        try:
            text = super().process(item, context=context, **kwargs)
        except model.VariableError:
            # citeproc-py looks up the CSL name ("number-of-volumes"); its
            # reader stores the field as "number_of_volumes"
            if "-" not in var:
                raise
            text = self._process(item.reference[var.replace("-", "_")], var)
        subst = _SUBST.get()
        if text and subst is not None:
            subst[1].append(("var", var))
        return text

    def format_number(self, number):
        form = self.get("form", "numeric")
        if form == "ordinal" or (form == "long-ordinal" and str(number).isdigit() and int(number) > 10):
            try:
                return ordinal(self, int(number))
            except ValueError:
                return number
        return super().format_number(number)

    render = _tracked(model.Number.render)


_PLURAL = re.compile(r"(?:\d|\b[ivxlcdm]+)\s*(?:[-\u2013\u2014,&]|and)\s*\S*(?:\d|[ivxlcdm]+\b)", re.I)


class Label(CaseMixin, model.Label):
    """cs:label — rendered only when its variable is set (CSL 1.0.2), and plural
    only for real lists/ranges of numbers ("US6285999B1" is one number)."""

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
            value = item.locator.identifier
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


def ordinal(el, n: int) -> str:
    """``n`` with its ordinal suffix per CSL 1.0.2: ordinal-NN (last two
    digits), ordinal-0N (last digit), else "ordinal", from the first locale in
    the chain that defines any of them."""
    names = []
    if 10 <= n % 100 <= 99:
        names.append(f"ordinal-{n % 100:02d}")
    names += [f"ordinal-{n % 10:02d}", "ordinal"]
    for loc in el.get_root().locales:
        for name in names:
            try:
                term = loc.get_term(name)
            except IndexError:
                continue
            if name != "ordinal" and term.get("match") == "whole-number" and name[-2:] != f"{n:02d}":
                continue
            return f"{n}{term.single}"
    return str(n)


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


class _PageMixin:
    """Ranges in numbers and pages: page-range-format for pages, and the
    locale's page-range-delimiter for every numeric range (citeproc-py used an
    en dash for all but pages; French wants "3‑4" with its own hyphen)."""

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

        amp = " " + _and_symbol(self) + " "
        return join((join((one(p) for p in chunk.split("&")), amp)
                     for chunk in str(value).split(",")), delimiter=", ")


_RANGE = re.compile(r"(.+?)\s*([-\u2013]+)\s*(.+)")
_PAGE_NUM = re.compile(r"(.*?)(\d+)")
_ROMAN = re.compile(r"[ivxlcdm]+|[IVXLCDM]+")


class TextP(_PageMixin, Text):
    pass


class NumberP(_PageMixin, Number):
    pass


# Per rendered cite/entry: [disambiguate tests passed, disambiguate tests evaluated]
DISAMB_COUNT: contextvars.ContextVar[list | None] = contextvars.ContextVar("refcli_csl_dcount", default=None)


def _disambiguate_test(item) -> bool:
    """``disambiguate="true"``: with ``cond`` True every such test holds; with a
    level N (citeproc-js's by-cite search) only the first N evaluated in this
    cite or entry do."""
    cond = (DISAMB.get().get(item.key) or {}).get("cond")
    counter = DISAMB_COUNT.get()
    if counter is not None:
        counter[1] += 1
    if type(cond) is bool or cond is None:
        return bool(cond)
    if counter is None or counter[0] >= cond:
        return False
    counter[0] += 1
    return True


_CONDITIONS = ("type", "variable", "is-numeric", "is-uncertain-date", "locator", "position")
# cs:if / cs:else-if element -> (tests present, match, disambiguate, attribute count, types, variables)
_IF_INFO: dict = {}


def _if_info(el) -> tuple:
    try:
        return _IF_INFO[el]
    except KeyError:
        a = el.attrib
        info = _IF_INFO[el] = (
            tuple(t for t in _CONDITIONS if t in a), a.get("match"), a.get("disambiguate"), len(a),
            tuple(t.lower() for t in a.get("type", "").split()),
            tuple(v.replace("-", "_") for v in a.get("variable", "").split()))
        return info


_IF_FAST: dict = {}


def _fast_condition(info):
    """A plain function for the common conditions — only ``type`` or only
    ``variable`` tests (most of APA's ~110,000 evaluations for 1,000
    entries) — or None when the general path is needed."""
    tests, match, disamb, _, types, variables = info
    if disamb is not None or len(tests) != 1:
        return None
    if tests == ("type",):
        wanted = frozenset(types)
        if match == "any":
            return lambda ref: dict.get(ref, "type") in wanted
        if match == "none":
            return lambda ref: dict.get(ref, "type") not in wanted
        return lambda ref: all(t == dict.get(ref, "type") for t in types)
    if tests == ("variable",) and "locator" not in variables:
        if match == "any":
            return lambda ref: any(v in ref for v in variables)
        if match == "none":
            return lambda ref: not any(v in ref for v in variables)
        return lambda ref: all(v in ref for v in variables)
    return None


class If(model.If):
    """cs:if — supports ``disambiguate="true"`` (citeproc-py treats it as always
    true); the condition's attributes are read once per node, not per render."""

    def passes(self, item, context=None) -> bool:
        """Whether this branch's condition holds (without rendering it)."""
        return self._holds(item, context)

    def _holds(self, item, context) -> bool:
        try:
            fast = _IF_FAST[self]
        except KeyError:
            fast = _IF_FAST[self] = _fast_condition(_if_info(self))
        if fast is not None:
            return fast(item.reference)
        tests, match, disamb, _, types, variables = _if_info(self)
        results: list = []
        if disamb is not None:
            # one test among the others, so match="none" negates it as well
            # (Chicago's <if disambiguate="true" match="none"/> empties the
            # short note's date until disambiguation asks for it)
            results.append(_disambiguate_test(item) == (disamb == "true"))
        for test in tests:
            if test == "type":
                typ = item.reference.type
                results += [t == typ for t in types]
            elif test == "variable":
                ref = item.reference
                results += [("locator" in item) if v == "locator" else (v in ref) for v in variables]
            elif test == "is-numeric":
                results += self._is_numeric(item)
            elif test == "is-uncertain-date":
                results += self._is_uncertain_date(item)
            elif test == "locator":
                results += self._locator(item)
            else:
                results += self._position(item, context)
        return any(results) if match == "any" else (not any(results) if match == "none" else all(results))

    def _is_numeric(self, item):
        # is-numeric="locator" tests the cite's locator, not an item field
        tests = self.get("is-numeric").split()
        if "locator" not in tests:
            return super()._is_numeric(item)
        loc = str(item.locator.identifier) if "locator" in item else None
        return [bool(loc) and bool(self.re_numeric.match(loc)) if v == "locator" else super()._is_numeric(item)[n]
                for n, v in enumerate(tests)]

    def _locator(self, item):
        # "sub-verbo" (the locale's term name) and "sub verbo" are one label
        label = str(item.locator.label).replace("-", " ") if "locator" in item else None
        return [label is not None and v.replace("-", " ") == label for v in self.get("locator").split()]

    def _position(self, item, context):
        # a cite of a cluster carries the position tracked for it (position.py)
        pos = item.__dict__.get("_pos")
        if pos is None:
            return super()._position(item, context)
        return [position_holds(test, pos) for test in self.get("position").split()]

    def render(self, item, context=None, delimiter="", **kwargs):
        if not self._holds(item, context):
            raise model.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)


class Else_If(If):
    pass


class Choose(model.Choose):
    """cs:choose — the first branch whose condition holds renders; citeproc-py
    found it by raising and catching ConditionFailed in every branch that
    fails (~60,000 exceptions for 1,000 APA entries)."""

    def render(self, item, context=None, delimiter="", **kwargs):
        for child, _ in _children(self):
            if isinstance(child, If):
                if child._holds(item, context):
                    return child.render_children(item, context=context, delimiter=delimiter, **kwargs)
                continue
            try:  # cs:else (or anything citeproc-py would try the same way)
                return child.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
        return None


class Date_Part(CaseMixin, model.Date_Part):
    """cs:date-part — appends an implicit year-suffix to the year."""

    def process(self, date, context=None):
        text = super().process(date, context)
        if self.get("name") == "year" and date.get("_suffix"):
            text = str(text) + date["_suffix"]
        return text


class Name_Part(CaseMixin, model.Name_Part):
    """cs:name-part — affixes make a MixedString, which citeproc-py then
    ``str.join``s and crashes; hand back plain text."""

    def format_part(self, given, family):
        given, family = super().format_part(given, family)
        return (None if given is None else model.String(str(given)),
                None if family is None else model.String(str(family)))


class Term(model.Term):
    """cs:term — typographic apostrophes in locale terms ("à l’adresse")."""

    @property
    def single(self):
        return model.String(_APOS.sub("\u2019", str(super().single)))

    @property
    def multiple(self):
        return model.String(_APOS.sub("\u2019", str(super().multiple)))


_APOS = re.compile(r"(?<=\w)'(?=\w)")


def _used_in_substitute(context, var: str) -> None:
    """A variable cs:substitute rendered is suppressed from then on — also in
    the rest of the substitute itself (citeproc-js: Chicago's unsigned
    encyclopedia note names its container once, not twice)."""
    subst = _SUBST.get()
    if subst is None:
        return
    subst[1].append(("var", var))
    layout = context.get_layout()
    if getattr(layout, "repressed", None) is not None:
        layout.repressed.setdefault("var", []).append(var)


def _date_case(view, text):
    """text-case of a date part: month and season names are terms (any locale)."""
    return apply_case(text, view.get("text-case"))


class DateEl(model.Date):
    """cs:date — rendered by ``dates.render_date`` (ranges, seasons, localized
    forms with the locale's delimiter: NLM "2015 May 28"); a date cs:substitute
    already rendered is not rendered again."""

    def calls_variable_here(self):
        return "variable" in self.attrib

    render = _tracked(model.Date.render)

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
            _used_in_substitute(ctx, var)
        return text

    def render_single_date(self, date, show_parts=None, context=None):
        parts = (self.parts(date, show_parts, context) if context != self
                 else self.parts(date, show_parts))
        return self.join(parts) if parts else None


# Rendered cite bodies for first-position cites: (key, state) -> (text, disambiguate
# counts, first names), set by
# process.Processor for one run so a many-item citation reuses single cites.
CITE_PARTS: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("refcli_csl_parts", default=None)
# disambiguate tests (passed, evaluated) of the last cite body rendered or reused
LAST_COUNTS: list = [(0, 0)]


class Layout(model.Layout):
    """cs:layout — in a citation, each item's body is memoised for the run
    (first position, same disambiguation state), so the combined citation of
    many items does not render every item again."""

    def render_citation(self, citation, callback):
        parts = CITE_PARTS.get()
        if parts is None:
            return super().render_citation(citation, callback)
        cache, state_of = parts
        bibliography = citation.bibliography
        good = [c for c in citation.cites if not c.is_bad()]
        if len(good) > 1:
            rank = {k: i for i, k in enumerate(bibliography.keys)}
            good.sort(key=lambda c: rank[c.key])
            if self.getparent().sort is not None:
                good = self.getparent().sort.sort(good, self)
        out = []
        cited = self.getparent().cites
        seen = {c.key for c in cited}  # a set: 1,000 cites were O(n²) with a list scan
        for item in good:
            first = item.key not in seen
            ck = (item.key, state_of(item.key)) if first else None
            if ck is not None and ck in cache:
                output, counts, _ = cache[ck]
            else:
                self.repressed = {}
                counter = [0, 0]
                token = DISAMB_COUNT.set(counter)
                mode = CiteMode()  # its names, for cite grouping (collapse.py)
                mode_token = CITE_MODE.set(mode)
                try:
                    output = self.render_children(item)
                except model.VariableError:
                    output = None
                finally:
                    CITE_MODE.reset(mode_token)
                    DISAMB_COUNT.reset(token)
                counts = tuple(counter)
                if ck is not None:
                    cache[ck] = (output, counts, mode.names)
            LAST_COUNTS[0] = counts
            if output is not None:
                out.append(item.get("prefix", "") + output + item.get("suffix", ""))
                cited.append(item)
                seen.add(item.key)
        for item in citation.cites:
            if item.is_bad():
                out.append(callback(item) or f"{item.key}?")
        return self.format(self.wrap(self.join(out)))


class StyleEl(model.Style):
    """cs:style — citeproc-py asks the root for ``near-note-distance`` (a
    cs:citation option) and crashed with KeyError on position="near-note"."""

    def get_option(self, name):
        if name == "near-note-distance":
            cit = self.citation
            return int(cit.get(name, 5)) if cit is not None else 5
        return super().get_option(name)


class Key(model.Key):
    """cs:key — ``demote-non-dropping-particle`` sorts "van der Maaten" under M
    unless the style says ``never``; sorting ignores case and accents."""

    def _format_name(self, item, variable):
        names = item.reference.get(variable)
        if names is None:
            return None
        demote = self.get_root().get("demote-non-dropping-particle", "display-and-sort").lower()
        out = []
        for name in names:
            given, family, dp, ndp, suffix = name.parts()
            if demote == "never":
                family = " ".join(n for n in (ndp, family) if n)
                given = " ".join(n for n in (given, dp) if n)
            else:
                given = " ".join(n for n in (given, dp, ndp) if n)
            out.append(", ".join(n for n in (family, given, suffix) if n))
        return ";".join(out)


CYRILLIC_FIRST = ("ru", "uk", "bg", "sr", "be", "mk")


def sort_fold(s: str, cyrillic_first: bool = False) -> str:
    """Sort key text approximating citeproc-js's locale collation: accents and
    case are secondary, punctuation is ignored ("O’Connor" < "OpenAI",
    "Andersson, L., Kowalski" < "Andersson, L., & Papadopoulos"), spaces sort
    first; formatting markers are ignored."""
    s = unicodedata.normalize("NFKD", re.sub("[\ue000-\ue2ff]", "", str(s)))
    out = []
    for c in s:
        if unicodedata.combining(c):
            continue
        if c.isspace():
            out.append("\x01")
        elif c.isalnum():
            # Cyrillic before Latin in Cyrillic-script locales (ICU's ru order)
            if cyrillic_first and c.isalpha():
                out.append(("\x03" if "\u0400" <= c <= "\u04ff" else "\x04") + c.lower())
            else:
                out.append(c.lower())
        # punctuation is ignorable, as in ICU's "shifted" collation
    return re.sub("\x01+", "\x01", "".join(out)).strip("\x01")


def cmp_sort_values(a, b, desc: bool) -> int:
    """One sort column: empty keys last in both directions, mixed types as text."""
    if a is None or b is None:
        if a is b:
            return 0
        return 1 if a is None else -1
    if type(a) is not type(b):
        a, b = str(a), str(b)
    if a == b:
        return 0
    r = -1 if a < b else 1
    return -r if desc else r


class Sort(model.Sort):
    """cs:sort — a total order: empty keys last in both directions, numbers
    compared as numbers, text by :func:`sort_fold`, ties keep input order.

    A key is computed only for the items still tied on the keys before it:
    APA's fifth key (the title macro) is rendered for a handful of entries,
    not for all 1,000 (each macro key is a full render of that macro)."""

    def sort(self, items, context):
        from functools import cmp_to_key

        keys = self.findall("cs:key", self.nsmap)
        if not keys or len(items) < 2:
            return list(items)
        cyr = (self.get_root().get("default-locale") or "en")[:2] in CYRILLIC_FIRST
        groups = [list(range(len(items)))]  # runs of items tied on the keys so far, in order
        for key in keys:
            tied = [i for g in groups if len(g) > 1 for i in g]
            if not tied:
                break
            desc = key.get("sort", "ascending").lower() == "descending"
            raw = key.sort_keys([items[i] for i in tied], context)
            values = {i: sort_value(v, cyr) for i, v in zip(tied, raw, strict=True)}
            refined = []
            for group in groups:
                if len(group) < 2:
                    refined.append(group)
                    continue
                group = sorted(group, key=cmp_to_key(
                    lambda i, j, v=values, d=desc: cmp_sort_values(v[i], v[j], d) or i - j))  # type: ignore[misc]
                run = [group[0]]
                for i in group[1:]:
                    if cmp_sort_values(values[run[-1]], values[i], desc) == 0:
                        run.append(i)
                    else:
                        refined.append(run)
                        run = [i]
                refined.append(run)
            groups = refined
        return [items[i] for g in groups for i in g]


def sort_value(v, cyrillic_first: bool = False):
    if v is None:
        return None
    if isinstance(v, int):
        return v
    text = str(v)
    if not text.strip():
        return None
    if re.fullmatch(r"\d{1,9}", text.strip()):
        return int(text)
    return sort_fold(text, cyrillic_first).rstrip("\x01") or None


_OVERRIDES = {
    "name": Name, "names": Names, "text": TextP, "number": NumberP, "if": If,
    "else-if": Else_If, "choose": Choose, "date-part": Date_Part, "key": Key, "label": Label,
    "substitute": Substitute, "group": Group, "sort": Sort, "name-part": Name_Part, "term": Term, "style": StyleEl, "layout": Layout, "date": DateEl,
}


_XPATH_CACHE: dict = {}
_ROOT_CACHE: dict = {}
_MACROS: dict = {}
_CHILD_CACHE: dict = {}


class _CachedXPath:
    """Memoise citeproc-py's structural look-ups on the parsed style: XPath
    queries (ancestor layout, macro, locale term…), the root element and the
    ``self.<tag>`` child look-ups.  They depend only on the style tree, never
    on the item, and were the largest costs when rendering many entries
    (~425,000 XPath queries, ~1,000,000 ``getroottree()`` calls for 1,000
    items).  Keying on the element keeps its lxml proxy alive, so the
    identity stays valid; inserting a child (citeproc-py adds a missing
    cs:name) forgets the cached children."""

    def xpath_search(self, expression):
        key = (self, expression)
        try:
            return _XPATH_CACHE[key]
        except KeyError:
            if len(_XPATH_CACHE) > 500_000:
                _XPATH_CACHE.clear()
            result = _XPATH_CACHE[key] = self.xpath(expression, namespaces=self.nsmap)
            return result

    def get_root(self):
        try:
            return _ROOT_CACHE[self]
        except KeyError:
            if len(_ROOT_CACHE) > 500_000:
                _ROOT_CACHE.clear()
            root = _ROOT_CACHE[self] = self.getroottree().getroot()
            return root

    def get_macro(self, name):
        key = (self.get_root(), name)
        try:
            return _MACROS[key]
        except KeyError:
            macro = _MACROS[key] = super().get_macro(name)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's
            return macro

    def get_formatter(self):
        root = self.get_root()
        return root.style.formatter if isinstance(root, model.Locale) else root.formatter

    def __getattr__(self, name):
        # citeproc-py's "somewhat objectified" child access: self.layout, self.name…
        key = (self, name)
        try:
            return _CHILD_CACHE[key]
        except KeyError:
            if len(_CHILD_CACHE) > 500_000:
                _CHILD_CACHE.clear()
            child = _CHILD_CACHE[key] = self.find("cs:" + name, self.nsmap)
            return child

    def insert(self, index, element):
        _CHILD_CACHE.clear()
        _CHILDREN.clear()
        super().insert(index, element)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's


# element -> (has a formatting attribute, prefix, suffix); attributes a style
# declares never change while rendering, so each node is read once.
_NODE_ATTRS: dict = {}


def _node_attrs(el) -> tuple[bool, str, str]:
    try:
        return _NODE_ATTRS[el]
    except KeyError:
        a = el.attrib
        info = _NODE_ATTRS[el] = (any(k in a for k in _FORMAT_ATTRS), a.get("prefix", ""), a.get("suffix", ""))
        return info


class _FastFormatted:
    """citeproc-py's ``Formatted.format`` asks the formatter and reads an
    attribute five times per rendered node even when the node has no
    formatting at all (most of them); skip straight through then."""

    def format(self, string):
        if _node_attrs(self)[0]:
            out = super().format(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's
            a = self.attrib  # type: ignore[attr-defined]
            for attr, kind in (("font-style", "roman"), ("font-weight", "unbold"), ("font-variant", "unsc")):
                if a.get(attr) == "normal" and out:
                    out = f"{OPEN[kind]}{out}{CLOSE[kind]}"
            return out
        return str(string) if isinstance(string, (int, float)) else string


class _FastParent:
    """citeproc-py's ``Parent.render_children`` over a cached child tuple
    (no lxml iteration and isinstance test per child per render)."""

    def render_children(self, item, delimiter="", **kwargs):
        output = []
        for child, is_choose in _children(self):
            try:
                text = (child.render(item, delimiter=delimiter, **kwargs) if is_choose
                        else child.render(item, **kwargs))
                if text is not None:
                    output.append(text)
            except model.VariableError:
                pass
        return citeproc_string.join(output, delimiter) if output else None


class _FastAffixed:
    """``Affixed.wrap`` without affixes is the identity, but citeproc-py still
    turned the whole text into ``str`` twice to check the seams."""

    def wrap(self, string):
        _, prefix, suffix = _node_attrs(self)
        if string is None or prefix or suffix:
            string = super().wrap(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's
        disp = _display(self)
        if disp and string is not None and str(string):
            # cs:display: the affixed output inside a display block (markup.DISPLAYS)
            return model.String(f"{DISPLAY_OPEN[disp]}{string}{DISPLAY_CLOSE[disp]}")
        return string


_DISPLAY: dict = {}


def _display(el) -> str | None:
    try:
        return _DISPLAY[el]
    except KeyError:
        d = el.get("display")
        value = _DISPLAY[el] = d if d in DISPLAY_OPEN else None
        return value


def _element_classes() -> dict[str, type]:
    """Tag -> element class: our corrections where we have them, citeproc-py's
    otherwise, all with the look-up caches mixed in."""
    classes = {cls.__name__.replace("_", "-").lower(): cls
               for cls in model.CitationStylesElement.__subclasses__()
               if not issubclass(cls, _CachedXPath)}
    classes.update(_OVERRIDES)
    out = {}
    for tag, cls in classes.items():
        bases: tuple = (_CachedXPath,)
        if issubclass(cls, model.Formatted):
            bases += (_FastFormatted,)
        if issubclass(cls, model.Affixed):
            bases += (_FastAffixed,)
        if issubclass(cls, model.Parent):
            bases += (_FastParent,)
        out[tag] = type(cls.__name__, (*bases, cls), {})
    return out


@lru_cache(maxsize=1)
def _parser():
    """The one parser for styles and locales: hardened, with our element classes."""
    lookup = etree.ElementNamespaceClassLookup()
    ns = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    classes = _element_classes()
    ns[None] = type("CitationStylesElement", (_CachedXPath, model.CitationStylesElement), {})
    ns.update(classes)
    parser = safe_parser(remove_comments=True, encoding="UTF-8")
    parser.set_element_class_lookup(lookup)
    return parser


def parse_xml(path: Path):
    """Parse a style or locale file safely (see styles.safe_parser)."""
    check_no_doctype(path)
    try:
        return etree.parse(str(path), _parser())
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InputError(f"cannot read CSL XML: {exc}", where=str(path)) from None


class _Locale:
    """Stands in for citeproc's CitationStylesLocale, using our safe parser."""

    def __init__(self, locale, validate=False):
        path = locales_dir() / f"locales-{locale}.xml"
        if not path.is_file():
            raise ValueError(f"'{locale}' is not a known locale")
        self.xml = parse_xml(path)
        self.root = self.xml.getroot()


def _trim_node_caches(limit: int = 400_000) -> None:
    """The per-node caches hold their elements alive; a process that loads
    many styles (the all-styles test renders 2,851) empties them now and then
    and lets the styles in use fill them again."""
    caches = (_TRACK_KIND, _CHILDREN, _NAME_OPTIONS, _PLAIN, _DEFAULT_LANGUAGE, _IF_INFO, _IF_FAST,
              _XPATH_CACHE, _ROOT_CACHE, _MACROS, _CHILD_CACHE, _NODE_ATTRS)
    if sum(len(c) for c in caches) > limit:
        for c in caches:
            c.clear()


class Style(CitationStylesStyle):
    """A parsed style with its locale chain; never fetches or validates over the net."""

    def __init__(self, path: Path, locale: str | None) -> None:  # noqa: D107
        self.xml = parse_xml(path)
        self.root = self.xml.getroot()
        if not isinstance(self.root, model.Style):
            raise InputError("not a CSL style (root element is not <style>)", where=str(path))
        if locale is None:
            locale = self.root.get("default-locale") or "en-US"
        import citeproc.frontend as frontend

        saved = frontend.CitationStylesLocale
        frontend.CitationStylesLocale = _Locale  # set_locale_list imports it from there
        try:
            self.root.set_locale_list(locale, validate=False)
        finally:
            frontend.CitationStylesLocale = saved
        self.locale = locale
        # text-case="title" applies to English only; items without a language
        # take the language of the locale in force (not the style's default)
        self.root.set("default-locale", locale)
        self.explicit_year_suffix = bool(
            self.root.xpath_search(".//cs:text[@variable='year-suffix']"))
        # Hold a Python proxy for every node of the style and its locales: lxml
        # then hands back the same object on each traversal instead of building
        # a new one (with an element-class look-up) every time a node is visited.
        self._proxies = [el for tree in (self.root, *self.root.locales) for el in tree.iter()]
        _trim_node_caches()

    def term(self, name: str, default: str) -> str:
        """A locale term as plain text (quotes, punctuation flags)."""
        t = self.root.get_term(name)
        return str(t.single) if t is not None and str(t.single) else default

    def punctuation_in_quote(self) -> bool:
        v = self.root.get_locale_option("punctuation-in-quote")
        return (v or "false").lower() == "true"
