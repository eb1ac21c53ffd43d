"""One rendering run: register items, disambiguate, render citations and entries.

Kept apart from ``render()`` so the order of the steps (sort, then add-names,
add-givenname, the ``disambiguate`` condition, then year suffixes in
bibliography order — CSL 1.0.2 §Disambiguation) is readable in one place.
"""

from __future__ import annotations

import contextlib
import re
from functools import cmp_to_key

from citeproc import NAMES as CITEPROC_NAMES
from citeproc import Citation, CitationItem, CitationStylesBibliography
from citeproc.source import BibliographySource, Reference, VariableError
from citeproc.source.json import CiteProcJSON

from refcli.csl.engine import Style
from refcli.csl.markup import CLOSE, FORMATTER, OPEN, finish
from refcli.csl.names import GivenNameRegister
from refcli.csl.nodes.sorting import CYRILLIC_FIRST, cmp_sort_values, sort_fold, sort_value
from refcli.csl.state import (
    CITE_PARTS,
    DISAMB,
    DISAMB_COUNT,
    LAST_COUNTS,
    LOOKING,
    NAME_OVERRIDES,
    NAMEREG,
    SAS,
)
from refcli.errors import InputError
from refcli.vocabulary import NAME_VARIABLES

PARTS = frozenset({"citation", "citations", "bibliography"})  # what a Processor can produce
_MARKERS = re.compile("[\ue000-\ue2ff]")


class ItemError(InputError):
    """One item cannot be used or rendered; ``item_id`` names it so a caller
    can leave it out and render the rest."""

    def __init__(self, message: str, item_id: str) -> None:
        super().__init__(message, where=f"item {item_id}")
        self.item_id = item_id


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


# CSL 1.0.2 name variables citeproc-py reads as text, and the hyphenated
# ones its cs:names looks up as written ("collection-editor") while its
# reader stores "collection_editor"
_CSL_NAME_VARS = frozenset(NAME_VARIABLES) | {"editor-translator"}  # and citeproc-js's own
_MORE_NAME_VARS = _CSL_NAME_VARS - {v.replace("_", "-") for v in CITEPROC_NAMES}
_HYPHENATED_NAME_VARS = frozenset(v for v in _CSL_NAME_VARS if "-" in v)


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
        labels = self._uses_citation_label()
        for it in self.items:
            if labels and "citation-label" not in it:
                from refcli.csl.label import citation_label

                it = {**it, "citation-label": citation_label(it, self._skip_words())}
            try:
                one = CiteProcJSON([it])
                ref = next(iter(one.values()))
                for var in _MORE_NAME_VARS.intersection(it):
                    ref[var.replace("-", "_")] = one.parse_names(it[var])
                for var in _HYPHENATED_NAME_VARS.intersection(it):
                    ref[var] = ref[var.replace("-", "_")]
                src.update(one)
            except Exception as exc:  # citeproc-py raises bare TypeError/ValueError
                raise ItemError(f"cannot use item: {exc}", it["id"]) from None
        for ref in src.values():
            ref.__class__ = _Reference
        return src

    def _finish(self, raw) -> str:
        return finish(str(raw), self.fmt, self.piq, self.quote_terms)

    def _cite_raw(self, keys: list[str], subsequent: bool = False, looking: bool = False) -> str:
        """Citation of ``keys`` as marker text, in first position (or, for
        ``subsequent``, as a later non-ibid cite); single cites are memoised per
        disambiguation state (they are asked for many times while disambiguating).
        ``looking``: rendered only to judge ambiguity (no accessed date)."""
        looking = looking and self._cites_accessed()
        if len(keys) == 1:
            k = keys[0]
            ck = (k, subsequent, repr(sorted(DISAMB.get().get(k, {}).items())),
                  self.bib.source[k].get("year_suffix"), looking)
            hit = self._cache.get(ck)
            if hit is None:
                token = LOOKING.set(looking)
                try:
                    hit = self._cache[ck] = self._cite_uncached(keys, subsequent)
                finally:
                    LOOKING.reset(token)
            return hit
        return self._cite_uncached(keys, subsequent)

    def _cites_accessed(self) -> bool:
        """Whether the citation can print an accessed date (through its macros):
        only then does judging ambiguity need a render of its own."""
        found = self.__dict__.get("_accessed")
        if found is None:
            root = self.st.root
            macros = {m.get("name"): m for m in root.xpath_search("./cs:macro")}
            todo, seen, found = [root.citation], set(), False
            while todo and not found:
                el = todo.pop()
                if el is None:
                    continue
                found = bool(el.xpath_search(".//cs:date[@variable='accessed']"))
                for call in el.xpath_search(".//cs:text[@macro]"):
                    name = call.get("macro")
                    if name not in seen:
                        seen.add(name)
                        todo.append(macros.get(name))
            self.__dict__["_accessed"] = found
        return found

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
            if len(keys) == 1:
                raise ItemError(f"cannot render citation: {type(exc).__name__}: {exc}",
                                self.id_of.get(keys[0], keys[0])) from None
            raise InputError(f"cannot render citation: {type(exc).__name__}: {exc}",
                             where=f"item {', '.join(self.id_of.get(k, k) for k in keys)}") from None

    # -- disambiguation ----------------------------------------------------------

    def _ambiguous(self, keys: list[str], subsequent: bool | None = None) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for k in keys:
            # note styles disambiguate their short (subsequent) notes, as citeproc-js
            text = _MARKERS.sub("", self._cite_raw([k], self.note if subsequent is None else subsequent, True))
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
            self._all_names(state, cit.get("givenname-disambiguation-rule", "by-cite"))
        todo = [k for g in self._ambiguous(self.bib.keys) for k in g]
        if not todo:
            return
        if str(opt("disambiguate-add-names")).lower() == "true":
            todo = self._add_names(todo, state)
        if todo and str(opt("disambiguate-add-givenname")).lower() == "true":
            # the "-with-initials" rules never go beyond initials
            rule = cit.get("givenname-disambiguation-rule", "by-cite")
            for level in (1,) if rule.endswith("-with-initials") else (1, 2):
                for k in todo:
                    state[k]["given"] = level
                still = [k for g in self._ambiguous(todo) for k in g]
                if len(still) < len(todo):
                    todo = still
                    break
            for k in todo:
                state[k].pop("given", None)
        tests = self.st.root.xpath_search(".//cs:if[@disambiguate='true']|.//cs:else-if[@disambiguate='true']")
        if todo and tests:
            # citeproc-js turns disambiguate="true" on one test at a time (the
            # first N evaluated in a cite), each cite stopping at the first
            # level that sets it apart
            for level in range(1, len(tests) + 1):
                for k in todo:
                    state[k]["cond"] = level
                todo = [k for g in self._ambiguous(todo) for k in g]
                if not todo:
                    break
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

    def _all_names(self, state: dict, rule: str) -> None:
        """``all-names`` / ``all-names-with-initials``: every name a citation
        shows whose family name two different people share anywhere in the
        document gets its initials, or (all-names) its given name where the
        initials are the same — in every citation, ambiguous or not."""
        if rule not in ("all-names", "all-names-with-initials"):
            return
        cit = self.st.root.citation
        opt = cit.get_option
        et_al_min, use_first = int(opt("et-al-min") or 0), int(opt("et-al-use-first") or 1)
        # without initialize-with there are no initials to show: the given name
        initials_level = 1 if (cit.xpath_search(".//cs:name[@initialize-with]") or opt("initialize-with")
                               or self.st.root.get("initialize-with")) else 2
        shown: dict[str, tuple[str, list]] = {}
        people: dict[str, set[str]] = {}
        for key in self.bib.keys:
            ref = self.bib.source[key]
            var = next((v for v in ("author", "editor", "translator") if ref.get(v)), None)
            if var is None:
                continue
            names = list(ref[var])
            if et_al_min and len(names) >= et_al_min:
                names = names[:use_first]
            shown[key] = (var, names)
            for name in names:
                if _family(name):
                    people.setdefault(_family(name), set()).add(_given(name))
        for key, (_var, names) in shown.items():
            levels = []
            for name in names:
                givens = people.get(_family(name), set())
                level = 0
                if len(givens) > 1:
                    initials = [_initials(g) for g in givens]
                    if initials.count(_initials(_given(name))) == 1:
                        level = initials_level if rule == "all-names" else 1
                    elif rule == "all-names":
                        level = 2
                levels.append(level)
            if any(levels):
                state[key] = {"abs": 0, "givens": tuple(levels), "cond": 0}

    def _disambiguate_by_cite(self, state: dict) -> None:
        """citeproc-js's search for ``givenname-disambiguation-rule="by-cite"``
        (disambig.py), on each group of cites that render alike."""
        from refcli.csl.disambig import CiteDisambiguation

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
            text = _MARKERS.sub("", self._cite_raw([key], True, True)).strip()
            return text, LAST_COUNTS.get()

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

    def _uses_citation_label(self) -> bool:
        return bool(self.st.root.xpath_search(".//cs:text[@variable='citation-label']"))

    def _skip_words(self) -> frozenset[str]:
        from refcli.csl.textcase import STOP_WORDS

        return frozenset(STOP_WORDS)

    def _set_year_suffix(self, key: str, suffix: str) -> None:
        ref = self.bib.source[key]
        ref["year_suffix"] = suffix
        if self.st.explicit_year_suffix:
            return
        if "citation_label" in ref and self._uses_citation_label():
            # the implicit suffix goes on the label ("Asth00a"), not on the date
            ref["citation_label"] = f"{ref['citation_label']}{suffix}"
            return
        if "issued" in ref:
            date = ref["issued"]
            target = date.get("end") if "end" in date and date.get("end") else date.get("begin", date)
            with contextlib.suppress(TypeError):
                target["_suffix"] = suffix

    # -- run -----------------------------------------------------------------------

    def _state_of(self, key: str) -> tuple:
        return (repr(sorted(DISAMB.get().get(key, {}).items())),
                self.bib.source[key].get("year_suffix"), LOOKING.get())

    def run(self, cite_ids: list[str] | None, parts: frozenset[str] = PARTS) -> dict:
        token = DISAMB.set({})
        cache = CITE_PARTS.set(({}, self._state_of))
        names = NAMEREG.set(GivenNameRegister())
        try:
            return self._run(cite_ids, parts)
        finally:
            NAMEREG.reset(names)
            CITE_PARTS.reset(cache)
            DISAMB.reset(token)

    def _setup(self) -> None:
        """Register, sort and disambiguate every item."""
        self.bib = CitationStylesBibliography(self.st, self._source(), FORMATTER)
        for it in self.items:
            key = it["id"].lower()
            self.bib.register(Citation([_Item(key, self.bib, self.bib.source[key])]))
        if self.st.has_bibliography():
            try:
                self.bib.sort()
            except Exception as exc:
                raise InputError(f"cannot sort bibliography: {exc}", where="items") from None
        self._disambiguate()

    def _run(self, cite_ids: list[str] | None, parts: frozenset[str]) -> dict:
        self._setup()
        citations = {}
        if "citations" in parts:
            citations = self._single_citations()
        ids = cite_ids if cite_ids is not None else [it["id"] for it in self.items]
        for i in ids:
            if str(i).lower() not in self.id_of:
                raise InputError("not among the items given", where=f"item {i}")
        combined = ""
        if ids and "citation" in parts:
            from refcli.csl.cites import Cite, Cluster

            # one citation of the items in bibliography order, as the test suite
            # synthesises it (and refcli did before clusters)
            rank = {k: n for n, k in enumerate(self.bib.keys)}
            ordered = sorted(ids, key=lambda i: rank.get(str(i).lower(), len(rank)))
            cluster = Cluster([Cite(str(i)) for i in ordered])
            combined = _ClusterRun(self, track=False).render_all([cluster])[0]
        entries = self._entries() if "bibliography" in parts else []
        return {"citation": combined, "citations": citations, "bibliography": entries}

    def _single_citations(self) -> dict[str, str]:
        """Each item's first-position citation alone."""
        return {self.id_of[key]: self._finish(self._cite_raw([key])) for key in self.bib.keys}

    def run_clusters(self, clusters: list, track: bool, parts: frozenset[str]) -> dict:
        """``cluster.render_clusters``'s work, on prepared items."""
        token = DISAMB.set({})
        cache = CITE_PARTS.set(({}, self._state_of))
        names = NAMEREG.set(GivenNameRegister())
        try:
            self._setup()
            out: dict = {"clusters": [], "citations": {}, "bibliography": [], "errors": []}
            if "clusters" in parts:
                out["clusters"] = _ClusterRun(self, track).render_all(clusters)
            if "citations" in parts:
                out["citations"] = self._single_citations()
            if "bibliography" in parts:
                out["bibliography"] = self._entries()
            return out
        finally:
            NAMEREG.reset(names)
            CITE_PARTS.reset(cache)
            DISAMB.reset(token)

    def _entries(self) -> list[dict]:
        """The bibliography in style order (empty for styles without one)."""
        if not self.st.has_bibliography():
            return []
        entries = []
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
                    sfa = bool(bib_el.get("second-field-align"))
                    body = _layout_body(layout, item, sfa, self.fmt == "html")
                finally:
                    DISAMB_COUNT.reset(counter)
                    SAS.reset(token)
                sas["prev"] = sas["names"]
                raw = None if body is None else layout.format(layout.wrap(body))
                if raw is not None and self.fmt == "html" and not sfa:
                    raw = _suffix_inside_display(raw, str(layout.get("suffix") or ""))
                if raw is not None and sfa and self.fmt == "html" and OPEN["right-inline"] in str(raw):
                    # the layout's suffix stays inside, its trailing spaces
                    # after the block (citeproc-js)
                    body_text = str(raw).rstrip(" ")
                    raw = f"{body_text}{CLOSE['right-inline']}{str(raw)[len(body_text):]}"
            except Exception as exc:
                raise ItemError(f"cannot render entry: {type(exc).__name__}: {exc}", self.id_of[item.key]) from None
            text = self._finish(raw) if raw is not None else ""
            if text:
                entries.append({"id": self.id_of[item.key], "text": text})
        return entries


def _suffix_inside_display(raw, suffix: str):
    """An entry that ends with a ``display`` block gets the layout's suffix
    inside that block, as citeproc-js writes it ("Here.</div>")."""
    text = str(raw)
    if not suffix or not text.endswith(suffix):
        return raw
    head = text[: len(text) - len(suffix)]
    for kind in ("right-inline", "indent", "block"):
        if head.endswith(CLOSE[kind]):
            return head[: -len(CLOSE[kind])] + suffix + CLOSE[kind]
    return raw


def _layout_body(layout, item, second_field_align: bool, html: bool = False):
    """The layout's children joined; with ``second-field-align`` the first field
    (the citation number) is followed by a space, as in citeproc-js's text
    output, or in HTML put in citeproc-js's left-margin / right-inline blocks
    (the right one closed by the caller, after the layout's suffix)."""
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
    if second_field_align and len(out) > 1 and html:
        return join([f"{OPEN['left-margin']}{out[0]}{CLOSE['left-margin']}{OPEN['right-inline']}", join(out[1:])])
    if second_field_align and len(out) > 1:
        return join([out[0], join(out[1:])], " ")
    return join(out)


def _family(name) -> str:
    """The family name with its non-dropping particle: "dos Santos" and
    "Santos" are different families to citeproc-js's name registry."""
    family = f"{name.get('non-dropping-particle') or ''} {name.get('family') or ''}"
    return " ".join(family.replace(".", " ").split())


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


class _ClusterRun:
    """Render a document's clusters with a Processor whose items are
    registered, sorted and disambiguated (cluster.py is the public side)."""

    def __init__(self, proc: Processor, track: bool) -> None:
        from refcli.csl.collapse import Options

        self.p = proc
        self.track = track
        cit = proc.st.root.citation
        self.layout = cit.layout
        self.sort = cit.sort if cit.find("cs:sort", cit.nsmap) is not None else None
        get = cit.get
        self.opts = Options(
            collapse=get("collapse"), delimiter=self.layout.get("delimiter", ""),
            in_text=proc.st.root.get("class") != "note",
            cite_group_delimiter=get("cite-group-delimiter"),
            after_collapse_delimiter=get("after-collapse-delimiter"),
            year_suffix_delimiter=get("year-suffix-delimiter"),
            sorted=cit.find("cs:sort", cit.nsmap) is not None)
        self.near_note_distance = int(get("near-note-distance", 5) or 5)
        self._terms: tuple[str, ...] | None = None
        self.subsequent_names = {name: int(get(f"et-al-subsequent-{suffix}"))
                                 for name, suffix in (("et-al-min", "min"), ("et-al-use-first", "use-first"))
                                 if (get(f"et-al-subsequent-{suffix}") or "").isdigit()}
        self.numbers = {k: i + 1 for i, k in enumerate(proc.bib.keys)}
        # a locator the style never prints does not break a run of numbers
        # ("(11–13)" with a page on 12 in Vancouver), as in citeproc-js
        self.prints_locator = any("locator" in (el.get("variable") or "").split()
                                  for el in proc.st.root.iter() if isinstance(el.tag, str))

    def items(self, cluster) -> list:
        """The cluster's cites as citeproc-py items, sorted as the style sorts
        cites inside a citation (an author-only cite stays first)."""
        from citeproc import Citation
        from citeproc.source import Locator

        bib = self.p.bib
        out = []
        for cite in cluster.cites:
            key = cite.id.lower()
            item = _Item(key, bib, bib.source[key])
            if cite.locator:
                # quotes and markup in a locator are read as in field text ("s.v. “gargoyle.”")
                item["locator"] = Locator(_locator_label(cite.label), _smart(cite.locator))
            item.__dict__["_cite"] = cite
            out.append(item)
        Citation(out).bibliography = bib
        if self.sort is not None and len(out) > 1 and not any(c.author_only for c in cluster.cites):
            with _no_year_suffixes([bib.source[i.key] for i in out]):
                out = self.sort.sort(out, self.layout)
        return out

    def render_all(self, clusters) -> list[str]:
        from refcli.csl.position import FIRST, Position, track

        sorted_items = [self.items(c) for c in clusters]
        if self.track:
            positions = track([(c.note_index, [i.__dict__["_cite"] for i in items])
                               for c, items in zip(clusters, sorted_items, strict=True)],
                              self.near_note_distance)
        else:
            positions = [[Position(FIRST) for _ in items] for items in sorted_items]
        out = []
        for cluster, items, row in zip(clusters, sorted_items, positions, strict=True):
            out.append(self.render(cluster, items, row))
        return out

    def _body(self, item, suppress: bool) -> tuple[str | None, object]:
        """One cite's layout output (marker text) and its first names; a
        plain first cite comes from the run's cache of cite bodies."""
        from citeproc import model

        from refcli.csl.citemode import MODE, CiteMode

        pos = item.__dict__.get("_pos")
        cache = None
        if not suppress and "locator" not in item and (pos is None or (
                pos.position == 0 and not pos.near_note and not pos.first_note)):
            cache, state_of = CITE_PARTS.get() or ({}, None)
            ck = (item.key, state_of(item.key)) if state_of is not None else None
            if ck is not None and ck in cache:
                out, _, names = cache[ck]
                return (None if out is None else str(out)), names
        state = CiteMode(suppress=suppress)
        token = MODE.set(state)
        names_token = None
        if self.subsequent_names and pos is not None and pos.position != 0:
            # et-al-subsequent-min / -use-first: the shorter name list of later cites
            names_token = NAME_OVERRIDES.set({**NAME_OVERRIDES.get(), **self.subsequent_names})
        counts = [0, 0]
        counter = DISAMB_COUNT.set(counts)
        try:
            self.layout.repressed = {}
            try:
                out = self.layout.render_children(item)
            except model.VariableError:
                out = None
        except Exception as exc:
            raise ItemError(f"cannot render citation: {type(exc).__name__}: {exc}",
                            self.p.id_of.get(item.key, item.key)) from None
        finally:
            DISAMB_COUNT.reset(counter)
            MODE.reset(token)
            if names_token is not None:
                NAME_OVERRIDES.reset(names_token)
        if cache is not None and ck is not None:
            cache[ck] = (out, tuple(counts), state.names)
        return (None if out is None else str(out)), state.names

    def render(self, cluster, items: list, row: list) -> str:
        from dataclasses import replace

        from refcli.csl.collapse import Rendered, join

        placed = []
        for item, pos in zip(items, row, strict=True):
            cite = item.__dict__["_cite"]
            if cite.position is not None or cite.near_note is not None:
                pos = replace(pos, position=pos.position if cite.position is None else min(cite.position, 3),
                              near_note=pos.near_note if cite.near_note is None else cite.near_note)
            placed.append(self._place(item, pos))
        if cluster.mode == "composite":  # author in the text: "Smith (2020, p. 4)"
            rest = self.render(replace(cluster, mode="suppress-author"), items, row)
            if not self.opts.in_text:
                return rest  # a note style: the author is the writer's text, the note is the citation
            author = self.render(replace(cluster, mode="author-only"), items, row)
            return f"{author} {rest}".strip()
        if cluster.mode == "author-only" or any(c.author_only for c in cluster.cites):
            text, names = self._body(placed[0], False)
            if names is None:  # numeric styles name nobody in a citation: "Smith [1]" as pandoc
                return self._family_names(placed[0]) or self.p._finish(text or "")
            return self.p._finish(names)
        suppress_first = cluster.mode == "suppress-author" and self.opts.in_text
        rendered: list = []
        for n, item in enumerate(placed):
            cite = item.__dict__["_cite"]
            text, names = self._body(item, cite.suppress_author or (suppress_first and n == 0))
            if text is None:
                continue
            if not self.opts.in_text and self._capitalise(rendered, cite):
                text = _capitalise_term(text, self.terms)
            rendered.append((item, Rendered(
                text=_affixed(cite, text, self.p.quote_terms),
                # a cite that shows no names groups with others showing none (citeproc-js)
                names=None if cite.suppress_author else _MARKERS.sub("", str(names or "")).strip(),
                number=self.numbers.get(item.key),
                year_suffix=self.p.bib.source[item.key].get("year_suffix"),
                plain=not ((cite.locator and self.prints_locator) or cite.prefix or cite.suffix),
                locator=bool(cite.locator and self.prints_locator),
                prefix=cite.prefix, suffix=cite.suffix)))
        if not rendered:
            return ""
        if self.opts.regroup and len(rendered) > 1:
            self._grouped_sort_keys(rendered)

        def without_names(i: int) -> str:
            item = rendered[i][0]
            text, _ = self._body(item, True)
            return _affixed(item.__dict__["_cite"], text or "", self.p.quote_terms)

        body = "".join(join([r for _, r in rendered], self.opts, without_names))
        if cluster.prefix:
            body = _prefix(_smart(cluster.prefix, self.p.quote_terms)) + body
        if cluster.suffix:
            body = body + _suffix_text(_smart(cluster.suffix, self.p.quote_terms))
        return self.p._finish(self.layout.format(self.layout.wrap(body)))

    def _grouped_sort_keys(self, rendered: list) -> None:
        """What citeproc-js's grouped sort compares (collapse.group_order):
        each cite's names as the locale collates them, and the rank of its
        value for the citation's first sort key."""
        sort = self.sort
        key = sort.find("cs:key", sort.nsmap) if sort is not None else None
        if key is None:
            return
        cyr = self.p.st.root.get("default-locale", "en")[:2] in CYRILLIC_FIRST
        with _no_year_suffixes([self.p.bib.source[item.key] for item, _ in rendered]):
            values = [sort_value(v, cyr) for v in key.sort_keys([item for item, _ in rendered], self.layout)]
        desc = key.get("sort", "ascending").lower() == "descending"

        def compare(a: int, b: int) -> int:
            return cmp_sort_values(values[a], values[b], desc)

        order = sorted(range(len(values)), key=cmp_to_key(compare))
        rank = {order[0]: 0}
        for before, i in zip(order, order[1:], strict=False):
            rank[i] = rank[before] + (cmp_sort_values(values[before], values[i], desc) != 0)
        token = DISAMB.set({})  # the names as registered, before disambiguation widens them
        try:
            for i, (item, r) in enumerate(rendered):
                _, names = self._body(item, False)
                r.names_order = sort_fold(_MARKERS.sub("", str(names or "")), cyr)
                r.first_key = rank[i]
        finally:
            DISAMB.reset(token)

    def _family_names(self, item) -> str:
        """"Smith", "Smith and Doe", "Smith et al." from the item's authors
        (or editors), with the locale's "and" and "et al."."""
        ref = self.p.bib.source[item.key]
        names = next((ref[v] for v in ("author", "editor", "translator") if ref.get(v)), None)
        if not names:
            return ""
        family = [str(n.get("family") or n.get("literal") or "") for n in names]
        if len(family) > 2:
            return f"{family[0]} {self.p.st.term('et-al', 'et al.')}"
        return f" {self.p.st.term('and', 'and')} ".join(family)

    @staticmethod
    def _capitalise(before: list, cite) -> bool:
        """citeproc-js capitalises a term that opens a note's citation, or
        follows a prefix of several words that ends a sentence ("He said so.
        Ibid.", but "See ibid.", "Nocapsafter. ibid.")."""
        if not cite.prefix.strip():
            return not before
        prefix = re.sub("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$", "", cite.prefix)
        return bool(prefix) and prefix[-1] in ".!?:;" and " " in cite.prefix.strip()

    @property
    def terms(self) -> tuple[str, ...]:
        """Texts of the terms the citation layout prints (long and short)."""
        if self._terms is None:
            names = {el.get("term") for el in self.layout.xpath_search(".//cs:text[@term]")}
            found = set()
            for name in names:
                for form in ("long", "short"):
                    term = self.p.st.root.get_term(name, None if form == "long" else form)
                    if term is not None and str(term.single):
                        found.add(str(term.single))
            self._terms = tuple(sorted(found, key=len, reverse=True))
        return self._terms

    def _place(self, item, pos):
        """The item as rendered at ``pos``: position tests answer from it,
        ``first-reference-note-number`` is its variable."""
        item.__dict__["_pos"] = pos
        if pos.first_note:
            ref = item.__dict__["_ref"]
            overlay = ref.__class__.__new__(ref.__class__)
            dict.update(overlay, ref)
            dict.__setitem__(overlay, "first_reference_note_number", str(pos.first_note))
            object.__setattr__(item, "_ref", overlay)
        return item


@contextlib.contextmanager
def _no_year_suffixes(refs: list):
    """Year suffixes hidden while cites are sorted: citeproc-js sorts on the
    keys without them, so same-year cites keep the order they were given in."""
    saved = []
    for ref in refs:
        suffix = dict.pop(ref, "year_suffix", None)
        date = dict.get(ref, "issued")
        dates = [d for d in (date, *(date.values() if isinstance(date, dict) else ())) if isinstance(d, dict)]
        marks = [(d, d.pop("_suffix")) for d in dates if "_suffix" in d]
        saved.append((ref, suffix, marks))
    try:
        yield
    finally:
        for ref, suffix, marks in saved:
            if suffix is not None:
                dict.__setitem__(ref, "year_suffix", suffix)
            for d, mark in marks:
                d["_suffix"] = mark


_TYPED_LSQUO = "\ue2f0"  # private use: clean_input has removed any from the text


def _smart(text: str, quotes: dict[str, str] | None = None) -> str:
    """Affix text as field text is read (inline markup, typographic quotes);
    its quotes are plain characters, so punctuation after them stays outside
    (citeproc-js: "“quote”, Hello")."""
    from refcli.csl.markup import Q_CLOSE, Q_OPEN, Q_SINGLE, clean_input, field_markup, smart_text

    # typographic single quotes typed in an affix stay as typed (‘God
    # willing’); straight ones pair up into the style's quotes (citeproc-js)
    out = smart_text(field_markup(clean_input(text).replace("\u2018", _TYPED_LSQUO)))
    out = out.replace(_TYPED_LSQUO, "\u2018")
    if quotes is not None:
        out = (out.replace(Q_OPEN + Q_SINGLE, Q_OPEN).replace(Q_OPEN, quotes["open-quote"])
               .replace(Q_CLOSE, quotes["close-quote"]))
    return out


def _affixed(cite, text: str, quotes: dict[str, str] | None = None) -> str:
    """A cite's own prefix and suffix around its text."""
    if cite.prefix:
        text = _prefix(_smart(cite.prefix, quotes)) + text
    if cite.suffix:
        text += _suffix_text(_smart(cite.suffix, quotes))
    return text


def _capitalise_term(text: str, terms: tuple[str, ...]) -> str:
    """Upper-case the first letter when the cite opens with one of ``terms``."""
    plain = _MARKERS.sub("", text)
    if not any(plain.startswith(t) for t in terms):
        return text
    for n, ch in enumerate(text):
        if not _MARKERS.match(ch):
            return text[:n] + ch.upper() + text[n + 1:]
    return text


def _locator_label(label: str | None) -> str:
    """A locator label as the locale's term name ("sub verbo" -> "sub-verbo")."""
    return (label or "page").strip().replace(" ", "-")


_ROMANESQUE_END = re.compile(r"[.;:&a-zA-Z\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u1f00-\u1fff]$")
_ROMANESQUE_START = re.compile(r"^[&a-zA-Z\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u1f00-\u1fff]")


def _prefix(prefix: str) -> str:
    """A cite prefix gets a space after it when it ends in a letter, a
    terminal punctuation mark, a bracket, a comma or a digit (citeproc-js)."""
    if not prefix:
        return ""
    test = _MARKERS.sub("", prefix)
    test = re.sub("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$", "", test)
    sp = " " if test and (_ROMANESQUE_END.search(test) or test[-1] in ":.;!?)],0123456789") else ""
    return re.sub(r"\s+", " ", prefix + sp)


def _suffix_text(suffix: str) -> str:
    """A cite suffix starting with a letter or bracket gets a space before it."""
    if suffix and (_ROMANESQUE_START.search(suffix) or suffix[0] in "[("):
        return " " + suffix
    return suffix
