"""citeproc-py, loaded safely and with its CSL 1.0.2 deviations corrected.

Each correction is a subclass of the citeproc-py element class that renders the
CSL node, kept by node family in ``csl/nodes/``; :func:`_element_classes`
registers them through lxml's element-class lookup, with the speed layer
(``csl/speed.py``) installed in the same call — so only styles loaded here get
the corrected behaviour.  Here: cs:style (the locale chain read with our safe
parser, no global swapped), cs:layout (a run's cite bodies reused), the parser
and :class:`Style`.  The list of corrections is in the package docstring.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from citeproc import model
from citeproc.frontend import CitationStylesStyle
from lxml import etree

from refcli.csl import speed
from refcli.csl.citemode import MODE as CITE_MODE
from refcli.csl.citemode import CiteMode
from refcli.csl.nodes.conditions import Choose, Else_If, If
from refcli.csl.nodes.dates import Date_Part, DateEl
from refcli.csl.nodes.groups import Group
from refcli.csl.nodes.names import Name, Name_Part, Names, Substitute
from refcli.csl.nodes.numbers import Label, NumberP, TextP
from refcli.csl.nodes.sorting import Key, Sort
from refcli.csl.nodes.text import Displayed, NormalFormatted, Term
from refcli.csl.state import CITE_PARTS, DISAMB_COUNT, LAST_COUNTS
from refcli.csl.styles import check_no_doctype, locales_dir, safe_parser
from refcli.errors import InputError


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
            LAST_COUNTS.set(counts)
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

    def set_locale_list(self, output_locale, validate=False):
        """citeproc-py's locale chain (in-style locales for the dialect, the
        language, none; then the locale files for the dialect, the primary
        dialect, en-US), the files read with our safe parser."""
        from citeproc.model import LANGUAGE_NAMES, PRIMARY_DIALECTS

        self.locales: list = []
        added: set[str] = set()

        def in_style(locale: str | None) -> None:
            expr = f'./cs:locale[@xml:lang="{locale}"]' if locale else "./cs:locale[not(@xml:lang)]"
            found = self.xpath_search(expr)
            if found:
                element, = found
                self.locales.append(element)

        def from_file(locale: str) -> None:
            if locale not in added:
                self.locales.append(_load_locale(locale))
                added.add(locale)

        language = output_locale.split("-")[0]
        in_style(output_locale)
        in_style(language)
        in_style(None)
        if output_locale in LANGUAGE_NAMES:
            from_file(output_locale)
        if language in PRIMARY_DIALECTS:
            from_file(PRIMARY_DIALECTS[language])
        from_file("en-US")
        for locale in self.locales:
            locale.style = self


_OVERRIDES = {
    "name": Name, "names": Names, "text": TextP, "number": NumberP, "if": If,
    "else-if": Else_If, "choose": Choose, "date-part": Date_Part, "key": Key, "label": Label,
    "substitute": Substitute, "group": Group, "sort": Sort, "name-part": Name_Part, "term": Term, "style": StyleEl,
    "layout": Layout, "date": DateEl,
}


def _corrected(cls: type) -> type:
    """``cls`` with the corrections every formatted or affixed node gets
    (nodes/text.py), below the speed layer's shortcuts for nodes without
    formatting or affixes."""
    extra = (((NormalFormatted,) if issubclass(cls, model.Formatted) else ())
             + ((Displayed,) if issubclass(cls, model.Affixed) else ()))
    return type(cls.__name__, (*extra, cls), {}) if extra else cls


def _element_classes() -> dict[str, type]:
    """Tag -> element class: our corrections where we have them, citeproc-py's
    otherwise, with the shared markup corrections; the speed layer installed
    over them."""
    classes = {cls.__name__.replace("_", "-").lower(): cls
               for cls in model.CitationStylesElement.__subclasses__()
               if not issubclass(cls, speed.CachedXPath)}
    classes.update(_OVERRIDES)
    return speed.install({tag: _corrected(cls) for tag, cls in classes.items()})


@lru_cache(maxsize=1)
def _parser():
    """The one parser for styles and locales: hardened, with our element classes."""
    lookup = etree.ElementNamespaceClassLookup()
    ns = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    classes = _element_classes()
    ns[None] = type("CitationStylesElement", (speed.CachedXPath, model.CitationStylesElement), {})
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


def _load_locale(locale: str):
    """The root of a locale file (``ValueError`` for an unknown locale, as citeproc-py)."""
    path = locales_dir() / f"locales-{locale}.xml"
    if not path.is_file():
        raise ValueError(f"'{locale}' is not a known locale")
    return parse_xml(path).getroot()


class Style(CitationStylesStyle):
    """A parsed style with its locale chain; never fetches or validates over the net."""

    def __init__(self, path: Path, locale: str | None) -> None:  # noqa: D107
        self.xml = parse_xml(path)
        self.root = self.xml.getroot()
        if not isinstance(self.root, model.Style):
            raise InputError("not a CSL style (root element is not <style>)", where=str(path))
        if locale is None:
            locale = self.root.get("default-locale") or "en-US"
        self.root.set_locale_list(locale, validate=False)
        self.locale = locale
        # text-case="title" applies to English only; items without a language
        # take the language of the locale in force (not the style's default)
        self.root.set("default-locale", locale)
        self.explicit_year_suffix = bool(
            self.root.xpath_search(".//cs:text[@variable='year-suffix']"))
        # Hold a Python proxy for every node of the style and its locales: lxml
        # then hands back the same object on each traversal instead of building
        # a new one (with an element-class look-up) every time a node is
        # visited, and the per-node memos (speed.py) stay keyed right.
        self._proxies = [el for tree in (self.root, *self.root.locales) for el in tree.iter()]
        speed.trim_node_caches()

    def term(self, name: str, default: str) -> str:
        """A locale term as plain text (quotes, punctuation flags)."""
        t = self.root.get_term(name)
        return str(t.single) if t is not None and str(t.single) else default

    def punctuation_in_quote(self) -> bool:
        v = self.root.get_locale_option("punctuation-in-quote")
        return (v or "false").lower() == "true"
