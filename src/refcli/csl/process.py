"""One rendering run: register items, disambiguate, render citations and entries.

Kept apart from ``render()`` so the order of the steps (sort, then add-names,
add-givenname, the ``disambiguate`` condition, then year suffixes in
bibliography order — CSL 1.0.2 §Disambiguation) is readable in one place.
"""

from __future__ import annotations

import contextlib
import re

from citeproc import Citation, CitationItem, CitationStylesBibliography
from citeproc.source import BibliographySource, Reference, VariableError
from citeproc.source.json import CiteProcJSON

from refcli.csl.engine import CITE_PARTS, DISAMB, DISAMB_COUNT, SAS, Style
from refcli.csl.markup import FORMATTER, finish
from refcli.errors import InputError

PARTS = frozenset({"citation", "citations", "bibliography"})  # what a Processor can produce
_MARKERS = re.compile("[\ue000-\ue2ff]")


class _Item(CitationItem):
    """A CitationItem that holds its bibliography and reference directly:
    citeproc-py re-derives both (three dict look-ups and an exception-guarded
    ``__getattr__``) on every access, hundreds of times per entry."""

    def __init__(self, key: str, bib, ref) -> None:
        super().__init__(key)
        object.__setattr__(self, "_bib", bib)
        object.__setattr__(self, "_ref", ref)

    @property
    def bibliography(self):
        return self.__dict__["_bib"]

    @property
    def reference(self):
        return self.__dict__["_ref"]


class _Reference(Reference):
    """citeproc-py's Reference with one dict look-up per field access instead of
    ``__getattr__`` -> ``__getitem__`` -> ``super().__getitem__`` (≈340,000
    accesses for 1,000 APA entries); same VariableError for a missing field."""

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            raise VariableError from None

    __getattr__ = __getitem__


class Processor:
    """Render ``items`` (already prepared CSL-JSON) with a loaded ``Style``."""

    def __init__(self, style: Style, items: list[dict], fmt: str) -> None:
        self.st = style
        self.items = items
        self.fmt = fmt
        self.id_of = {it["id"].lower(): it["id"] for it in items}
        self.quote_terms = {
            "open-quote": style.term("open-quote", "\u201c"),
            "close-quote": style.term("close-quote", "\u201d"),
            "open-inner-quote": style.term("open-inner-quote", "\u2018"),
            "close-inner-quote": style.term("close-inner-quote", "\u2019"),
        }
        self.piq = style.punctuation_in_quote()
        self._cache: dict[tuple, str] = {}
        self.note = style.root.get("class") == "note"

    # -- helpers ---------------------------------------------------------------

    def _source(self) -> BibliographySource:
        src = BibliographySource()
        for it in self.items:
            try:
                src.update(CiteProcJSON([it]))
            except Exception as exc:  # citeproc-py raises bare TypeError/ValueError
                raise InputError(f"cannot use item: {exc}", where=f"item {it['id']}") from None
        for ref in src.values():
            ref.__class__ = _Reference
        return src

    def _finish(self, raw) -> str:
        return finish(str(raw), self.fmt, self.piq, self.quote_terms)

    def _cite_raw(self, keys: list[str], subsequent: bool = False) -> str:
        """Citation of ``keys`` as marker text, in first position (or, for
        ``subsequent``, as a later non-ibid cite); single cites are memoised per
        disambiguation state (they are asked for many times while disambiguating)."""
        if len(keys) == 1:
            k = keys[0]
            ck = (k, subsequent, repr(sorted(DISAMB.get().get(k, {}).items())),
                  self.bib.source[k].get("year_suffix"))
            hit = self._cache.get(ck)
            if hit is None:
                hit = self._cache[ck] = self._cite_uncached(keys, subsequent)
            return hit
        return self._cite_uncached(keys, subsequent)

    def _cite_uncached(self, keys: list[str], subsequent: bool = False) -> str:
        cit = Citation([_Item(k, self.bib, self.bib.source[k]) for k in keys])
        cit.bibliography = self.bib
        cites: list = []
        if subsequent:
            # an earlier cite of the item followed by another item: "subsequent", not "ibid"
            other = next((o for o in self.bib.keys if o not in keys), None)
            prior = Citation([_Item(k, self.bib, self.bib.source[k]) for k in keys])
            cites = list(prior.cites)
            if other is not None:
                cites += Citation([_Item(other, self.bib, self.bib.source[other])]).cites
        try:
            return str(self.st.render_citation(cit, cites, lambda item: None))
        except Exception as exc:
            raise InputError(f"cannot render citation: {type(exc).__name__}: {exc}",
                             where=f"item {', '.join(self.id_of.get(k, k) for k in keys)}") from None

    # -- disambiguation ----------------------------------------------------------

    def _ambiguous(self, keys: list[str], subsequent: bool | None = None) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for k in keys:
            # note styles disambiguate their short (subsequent) notes, as citeproc-js
            text = _MARKERS.sub("", self._cite_raw([k], self.note if subsequent is None else subsequent))
            text = text.strip().lower()
            groups.setdefault(text, []).append(k)
        return [g for g in groups.values() if len(g) > 1]

    def _disambiguate(self) -> None:
        cit = self.st.root.citation
        if cit is None:
            return
        opt = cit.get_option
        state: dict[str, dict] = {k: {} for k in self.bib.keys}
        DISAMB.set(state)
        if cit.get("givenname-disambiguation-rule", "by-cite") == "by-cite" and (
                str(opt("disambiguate-add-names")).lower() == "true"
                or str(opt("disambiguate-add-givenname")).lower() == "true"):
            self._disambiguate_by_cite(state)
            return
        if str(opt("disambiguate-add-givenname")).lower() == "true":
            self._primary_names(state, cit.get("givenname-disambiguation-rule", "by-cite"))
        todo = [k for g in self._ambiguous(self.bib.keys) for k in g]
        if not todo:
            return
        if str(opt("disambiguate-add-names")).lower() == "true":
            todo = self._add_names(todo, state)
        if todo and str(opt("disambiguate-add-givenname")).lower() == "true":
            for level in (1, 2):
                for k in todo:
                    state[k]["given"] = level
                still = [k for g in self._ambiguous(todo) for k in g]
                if len(still) < len(todo):
                    todo = still
                    break
            for k in todo:
                state[k].pop("given", None)
        if todo and self.st.root.xpath_search(".//cs:if[@disambiguate='true']|.//cs:else-if[@disambiguate='true']"):
            for k in todo:
                state[k]["cond"] = True
            todo = [k for g in self._ambiguous(todo) for k in g]
        if todo and str(opt("disambiguate-add-year-suffix")).lower() == "true":
            for group in self._ambiguous(todo):
                for n, k in enumerate(sorted(group, key=self.bib.keys.index)):
                    self._set_year_suffix(k, _suffix(n))

    def _primary_names(self, state: dict, rule: str) -> None:
        """citeproc-js's name registry for ``primary-name`` and
        ``primary-name-with-initials`` (APA, Chicago author-date): when two
        different people with one family name lead items anywhere in the
        document, every citation of theirs shows initials (APA "(S. Lee et
        al., 1984)") or, where initials cannot tell them apart or the style
        has no initialize-with, the given name — whether or not the cites
        collide."""
        if rule not in ("primary-name", "primary-name-with-initials"):
            return
        from citeproc import NAMES

        firsts: dict[str, tuple[str, dict]] = {}
        registry: dict[str, dict[str, set[str]]] = {}
        for key in self.bib.keys:
            ref = self.bib.source[key]
            var = next((v for v in ("author", "editor", "translator") if ref.get(v)), None)
            if var is not None and _family(ref[var][0]):
                firsts[key] = (var, ref[var][0])
            # every name list's first name counts (an editor leading a chapter's
            # "In ..." too), as citeproc-js registers each one it renders
            for v in NAMES:
                names = ref.get(v)
                if names and isinstance(names, list) and _family(names[0]):
                    given = _given(names[0])
                    registry.setdefault(_family(names[0]), {}).setdefault(_initials(given), set()).add(given)
        for key, (var, name) in firsts.items():
            given = _given(name)
            forms = registry[_family(name)]
            if rule == "primary-name" and len(forms[_initials(given)]) > 1:
                level = 2  # initials cannot tell them apart: the given name
            elif len(forms) > 1:
                # 1: initials; 0 here: initials if the cs:name has
                # initialize-with, else the given name (decided where it renders)
                level = 1 if rule == "primary-name-with-initials" else 0
            else:
                continue
            state[key]["primary"] = (var, level)

    def _disambiguate_by_cite(self, state: dict) -> None:
        """citeproc-js's search for ``givenname-disambiguation-rule="by-cite"``
        (disambig.py), on each group of cites that render alike."""
        from refcli.csl.disambig import CiteDisambiguation
        from refcli.csl.engine import LAST_COUNTS

        opt = self.st.root.citation.get_option
        flag = lambda name: str(opt(name)).lower() == "true"  # noqa: E731
        modes = ["names"] if flag("disambiguate-add-names") or flag("disambiguate-add-givenname") else []
        if flag("disambiguate-add-year-suffix"):
            modes.append("years")
        if self.st.root.xpath_search(".//cs:if[@disambiguate='true']|.//cs:else-if[@disambiguate='true']"):
            modes.append("extra")
        et_al_min = int(opt("et-al-min") or 0)
        use_first = int(opt("et-al-use-first") or 1)

        def total(key: str) -> int:
            return self._name_count(key)

        def shown(key: str) -> int:
            n = total(key)
            return use_first if et_al_min and n >= et_al_min and n > 1 else n

        def render(key: str, config: dict) -> tuple[str, tuple]:
            state[key] = {"abs": config["names"], "givens": tuple(config["givens"]),
                          "cond": int(config["disambiguate"])}
            text = _MARKERS.sub("", self._cite_raw([key], True)).strip()
            return text, LAST_COUNTS[0]

        rank = {k: i for i, k in enumerate(self.bib.keys)}
        dis = CiteDisambiguation(modes, flag("disambiguate-add-names"),
                                 2 if flag("disambiguate-add-givenname") else None,
                                 render, shown, total, rank.__getitem__)
        order = [it["id"].lower() for it in self.items]
        for group in self._ambiguous(order, subsequent=True):
            dis.run(group)
            for key in group:
                state[key] = {}
        for key, config in dis.registry.items():
            state[key] = {"abs": config["names"], "givens": tuple(config["givens"]),
                          "cond": int(config["disambiguate"])}
            if config["year_suffix"] is not None:
                self._set_year_suffix(key, _suffix(config["year_suffix"]))

    def _add_names(self, todo: list[str], state: dict) -> list[str]:
        """CSL add-names: show one more name at a time on the still-ambiguous
        cites of each group, keeping a step only when it separated something."""
        left: list[str] = []
        for group in self._ambiguous(todo):
            most = max(self._name_count(k) for k in group)
            members = list(group)
            kept = {k: state[k].get("names") for k in members}
            for n in range(1, most):
                for k in members:
                    state[k]["names"] = n
                still = [k for g in self._ambiguous(members) for k in g]
                if len(still) == len(members):  # did not help: back to what did
                    for k in members:
                        if kept[k]:
                            state[k]["names"] = kept[k]
                        else:
                            state[k].pop("names", None)
                    continue
                kept.update({k: n for k in members})
                members = still
                if not members:
                    break
            left += members
        return left

    def _name_count(self, key: str) -> int:
        ref = self.bib.source[key]
        return max((len(ref.get(v) or []) for v in ("author", "editor", "translator")), default=0)

    def _set_year_suffix(self, key: str, suffix: str) -> None:
        ref = self.bib.source[key]
        ref["year_suffix"] = suffix
        if not self.st.explicit_year_suffix and "issued" in ref:
            date = ref["issued"]
            target = date.get("end") if "end" in date and date.get("end") else date.get("begin", date)
            with contextlib.suppress(TypeError):
                target["_suffix"] = suffix

    # -- run -----------------------------------------------------------------------

    def _state_of(self, key: str) -> tuple:
        return (repr(sorted(DISAMB.get().get(key, {}).items())),
                self.bib.source[key].get("year_suffix"))

    def run(self, cite_ids: list[str] | None, parts: frozenset[str] = PARTS) -> dict:
        token = DISAMB.set({})
        cache = CITE_PARTS.set(({}, self._state_of))
        try:
            return self._run(cite_ids, parts)
        finally:
            CITE_PARTS.reset(cache)
            DISAMB.reset(token)

    def _run(self, cite_ids: list[str] | None, parts: frozenset[str]) -> dict:
        self.bib = CitationStylesBibliography(self.st, self._source(), FORMATTER)
        for it in self.items:
            key = it["id"].lower()
            self.bib.register(Citation([_Item(key, self.bib, self.bib.source[key])]))
        has_bib = self.st.has_bibliography()
        if has_bib:
            try:
                self.bib.sort()
            except Exception as exc:
                raise InputError(f"cannot sort bibliography: {exc}", where="items") from None
        self._disambiguate()
        citations = {}
        if "citations" in parts:
            for key in self.bib.keys:
                citations[self.id_of[key]] = self._finish(self._cite_raw([key]))
        ids = cite_ids if cite_ids is not None else [it["id"] for it in self.items]
        for i in ids:
            if str(i).lower() not in self.id_of:
                raise InputError("not among the items given", where=f"item {i}")
        combined = ""
        if ids and "citation" in parts:
            combined = self._finish(self._cite_raw([str(i).lower() for i in ids]))
        entries = []
        if has_bib and "bibliography" in parts:
            bib_el = self.st.root.bibliography
            layout = bib_el.layout
            sas = {"prev": None, "value": bib_el.get("subsequent-author-substitute")}
            for item in self.bib.items:
                try:
                    layout.repressed = {}
                    sas.update(done=False, names=None)
                    token = SAS.set(sas if sas["value"] is not None else None)
                    counter = DISAMB_COUNT.set([0, 0])
                    try:
                        body = _layout_body(layout, item, bool(bib_el.get("second-field-align")))
                    finally:
                        DISAMB_COUNT.reset(counter)
                        SAS.reset(token)
                    sas["prev"] = sas["names"]
                    raw = None if body is None else layout.format(layout.wrap(body))
                except Exception as exc:
                    raise InputError(f"cannot render entry: {type(exc).__name__}: {exc}",
                                     where=f"item {self.id_of[item.key]}") from None
                text = self._finish(raw) if raw is not None else ""
                if text:
                    entries.append({"id": self.id_of[item.key], "text": text})
        return {"citation": combined, "citations": citations, "bibliography": entries}


def _layout_body(layout, item, second_field_align: bool):
    """The layout's children joined; with ``second-field-align`` the first field
    (the citation number) is followed by a space, as in citeproc-js's text output."""
    from citeproc.model import Choose, VariableError
    from citeproc.string import join

    out = []
    for child in layout.iterchildren():
        try:
            text = child.render(item, delimiter="") if isinstance(child, Choose) else child.render(item)
        except VariableError:
            continue
        if text is not None:
            out.append(text)
    if not out:
        return None
    if second_field_align and len(out) > 1:
        return join([out[0], join(out[1:])], " ")
    return join(out)


def _family(name) -> str:
    return " ".join(str(name.get("family") or "").replace(".", " ").split())


def _given(name) -> str:
    return " ".join(str(name.get("given") or "").replace(".", " ").split())


def _initials(given: str) -> str:
    """A given name's initials key ("Min-Jun" -> "M-J"), as citeproc-js's name
    registry compares them."""
    return " ".join("-".join(p[:1] for p in part.split("-")) for part in given.split())


def _suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa (as citeproc-js)."""
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(97 + r) + s
    return s
