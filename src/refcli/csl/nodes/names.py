"""The names family: cs:names, cs:name, cs:name-part and cs:substitute as
citeproc-js renders them.  One name's text is ``csl/names.py``'s
(:func:`~refcli.csl.names.format_names`); here are the options it gets
(inheritance, disambiguation's added names and given names, the by-cite name
register), the substitution rules, and subsequent-author-substitute."""

from __future__ import annotations

from citeproc import model
from lxml import etree

from refcli.csl.citemode import names_rendered
from refcli.csl.names import format_names
from refcli.csl.nodes.conditions import If
from refcli.csl.nodes.groups import tracked
from refcli.csl.state import DISAMB, NAME_OVERRIDES, NAMEREG, SAS, SUBST
from refcli.csl.styles import CSL_NS
from refcli.csl.textcase import CaseMixin


def model_name_copy(name, **changes):
    """A copy of a citeproc-py Name with some parts changed."""
    from citeproc.source import Name as SourceName

    return SourceName(**{**dict(name), **changes})


def _ancestor_kind(el, context=None) -> str:
    ctx = context if context is not None else el
    found = ctx.xpath_search("./ancestor-or-self::*[self::cs:citation or self::cs:bibliography][1]")
    return etree.QName(found[0]).localname if found else ""


def _adds_givenname_by_cite(root) -> bool:
    """Whether the style sets disambiguate-add-givenname under the by-cite rule."""
    cit = root.citation
    return (cit is not None and str(cit.get("disambiguate-add-givenname", "")).lower() == "true"
            and cit.get("givenname-disambiguation-rule", "by-cite") == "by-cite")


class Name(model.Name):
    """cs:name — honours ``initialize="false"``, add-names / add-givenname."""

    def get_option(self, name, context=None, sort_options=None):
        over = NAME_OVERRIDES.get()
        if name in over:
            return over[name]
        if name == "and" and over.get("sorting"):
            return None  # sort keys compare names only, not the "and"/"&" term
        if sort_options is not None:
            return super().get_option(name, context, sort_options)
        return self._inherited_option(name, context)

    def _inherited_option(self, name, context=None):
        """An option as the style tree gives it (no overrides, no sorting)."""
        value = super().get_option(name, context, None)
        if name == "et-al-use-first" and not self._inherits(name, context):
            # citeproc-js: et-al-min alone (no et-al-use-first on the
            # cs:name, its citation/bibliography or the style) truncates nothing
            value = None
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
        if sort_options is not None and not NAME_OVERRIDES.get().get("sorting"):
            token = NAME_OVERRIDES.set({**NAME_OVERRIDES.get(), "sorting": True})
            try:
                return self.process(item, variable, context, sort_options, **kwargs)
            finally:
                NAME_OVERRIDES.reset(token)
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
        if primary and kind == "citation" and primary[0] == variable and not NAME_OVERRIDES.get().get("primary_done"):
            # name-level givenname rule: the first name shows initials / its
            # given name (see process.Processor._primary_names)
            names = item.reference.get(variable) or []
            if names and names[0].get("given"):
                level = primary[1] or (1 if self.get_option("initialize-with", context) is not None else 2)
                item.reference[variable] = [self._given_level(item, variable, context, names[0], level),
                                            *names[1:]]
                token = NAME_OVERRIDES.set({**NAME_OVERRIDES.get(), "primary_done": True})
                try:
                    return self.process(item, variable, context, sort_options, **kwargs)
                finally:
                    item.reference[variable] = names
                    NAME_OVERRIDES.reset(token)
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
            token = NAME_OVERRIDES.set(over)
            try:
                return self._format(item, variable, context, sort_options)
            finally:
                NAME_OVERRIDES.reset(token)
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
        token = NAME_OVERRIDES.set(over)
        item.reference[variable] = expanded
        try:
            return self._format(item, variable, context, None)
        finally:
            item.reference[variable] = names
            NAME_OVERRIDES.reset(token)

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
        token = NAME_OVERRIDES.set(over)
        saved = item.reference[variable]
        item.reference[variable] = [name]
        try:
            text = format_names(self, item, variable, context, None)
        finally:
            item.reference[variable] = saved
            NAME_OVERRIDES.reset(token)
        return SourceName(family=str(text))

    def et_al(self):
        # sort keys leave "et al." out: "Brown et al." sorts with "Brown" (citeproc-js)
        if NAME_OVERRIDES.get().get("sorting"):
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
        return out if SUBST.get() is not None else names_rendered(out)

    return wrapper


class Names(model.Names):
    """cs:names — a variable already used by cs:substitute is not printed again."""

    def calls_variable_here(self):
        return True

    render = tracked(_cite_author(model.Names.render))

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
        if self.name is None and (SUBST.get() is None or names_context is not None):
            # citeproc-py would insert its own cs:name here; make it ours (and
            # keep it, as citeproc-py does) so our cs:name corrections apply
            self.insert(0, self.makeelement(f"{{{CSL_NS}}}name"))
        subst = SUBST.get()
        if subst is not None and names_context is None and self.name is None:
            # CSL: a bare cs:names in cs:substitute inherits cs:name/cs:et-al/cs:label
            names_context = subst[0]
        text = super().process(item, names_context=names_context, context=context, **kwargs)
        if text and subst is not None:
            subst[1].append((self.tag, self.get("variable")))
            if getattr(layout, "repressed", None) is not None:
                # suppressed from here on, in the rest of the substitute too
                # (citeproc-js: a macro that names the editor twice prints once)
                layout.repressed.setdefault(self.tag, []).append(self.get("variable"))
        sas = SAS.get()
        if text and sas is not None and not sas["done"]:
            sas["done"] = True
            # citeproc-js compares the names shown, "et al." and the role's
            # label left out ("Doe, John ed." then author "Doe, John" is
            # "---"), and substitutes the names only ("--- ed.")
            before, shown, after = self._label_apart(item, names_context, str(text))
            key = shown.rstrip()
            etal = str(self.get_single_term("et-al") or "")
            if etal and key.endswith(etal):
                key = key[: -len(etal)].rstrip(" ,")
            sas["names"] = key
            if sas["prev"] == key and sas["value"] is not None:
                out = before + sas["value"] + after
                return model.String(out) if out else None
        return text

    def _label_apart(self, item, names_context, text: str) -> tuple[str, str, str]:
        """``text`` as (label before, names, label after) for one role."""
        label = (names_context if names_context is not None else self).label
        roles = [r for r in self.get("variable", "").split() if r in item.reference]
        if label is None or len(roles) != 1:
            return "", text, ""
        term = label.render(item, roles[0], len(item.reference[roles[0]]) > 1)
        term = str(term) if term else ""
        if term and text.endswith(term):
            return "", text[: -len(term)], term
        if term and text.startswith(term):
            return term, text[len(term):], ""
        return "", text, ""


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
            token = SUBST.set((names, used))
            try:
                text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                text = None
            finally:
                SUBST.reset(token)
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


class Name_Part(CaseMixin, model.Name_Part):
    """cs:name-part — affixes make a MixedString, which citeproc-py then
    ``str.join``s and crashes; hand back plain text."""

    def format_part(self, given, family):
        given, family = super().format_part(given, family)
        return (None if given is None else model.String(str(given)),
                None if family is None else model.String(str(family)))


def used_in_substitute(context, var: str) -> None:
    """A variable cs:substitute rendered is suppressed from then on — also in
    the rest of the substitute itself (citeproc-js: Chicago's unsigned
    encyclopedia note names its container once, not twice)."""
    subst = SUBST.get()
    if subst is None:
        return
    subst[1].append(("var", var))
    layout = context.get_layout()
    if getattr(layout, "repressed", None) is not None:
        layout.repressed.setdefault("var", []).append(var)
