"""refcli's speed layer over citeproc-py: the same output, sooner.

Installed in one call, :func:`install`, which the style loader makes
(``engine._parser``): it swaps citeproc-py's seam check for one that reads
two characters instead of joining the whole text (process-wide, with the
same result), and mixes the accelerating classes below into every element
class the parser builds, above refcli's corrections.  Nothing here changes
what is printed.  The corrections towards citeproc-js (``csl/nodes/``) use
only its per-node memo, for facts of the style tree they read on every render.

- :func:`per_node`: a memo for facts about a style node that never change
  while rendering (its children, its attributes read as flags, a compiled
  condition).  Keys are the elements themselves: the loaded style keeps a
  proxy of every node alive (``engine.Style``), so identities stay valid.
- :class:`CachedXPath`: citeproc-py's structural look-ups (XPath queries,
  the root, ``self.<tag>`` children, macros) memoised per node.
- :class:`FastFormatted`, :class:`FastAffixed`, :class:`FastParent`: skip
  formatting, affix seams and child iteration for nodes that have nothing to
  do (most of them).
- :class:`MemoNameOptions`, :class:`FastIf`: inherited cs:name options read
  once per node; the common cs:if conditions (only ``type`` or only
  ``variable``) compiled to a plain function.
- :func:`trim_node_caches`: a process that loads many styles empties the
  memos now and then.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from citeproc import model
from citeproc import string as citeproc_string

T = TypeVar("T")
FORMAT_ATTRS = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")

_NODE_MEMOS: dict[Callable, dict] = {}  # memoised function -> its memo


def per_node(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """Memoise ``fn(element)``, a fact that depends only on the style tree."""
    memo: dict = {}

    @wraps(fn)
    def cached(el: Any) -> T:
        try:
            return memo[el]
        except KeyError:
            value = memo[el] = fn(el)
            return value

    _NODE_MEMOS[cached] = memo
    return cached


def memo_of(memoised: Callable) -> dict:
    """The memo of a :func:`per_node` function, for the hottest callers to
    read directly (a dict look-up instead of a call)."""
    return _NODE_MEMOS[memoised]


@per_node
def children(el: Any) -> tuple:
    """``((child, is cs:choose), ...)`` of a node, forgotten on insert."""
    return tuple((c, isinstance(c, model.Choose)) for c in el.iterchildren())


@per_node
def node_attrs(el: Any) -> tuple[bool, bool]:
    """(has a formatting attribute, has an affix or a display) of a node:
    without them ``format`` and ``wrap`` have nothing to do."""
    a = el.attrib
    return any(k in a for k in FORMAT_ATTRS), any(k in a for k in ("prefix", "suffix", "display"))


def _edge(s: Any, last: bool) -> str:
    """First or last character of ``str(s)`` without building the string: a
    MixedString is a list of segments, and citeproc-py's seam check joined
    the whole accumulated text at every step."""
    if isinstance(s, citeproc_string.MixedString):
        for seg in (reversed(s) if last else s):
            ch = _edge(seg, last)
            if ch:
                return ch
        return ""
    s = str(s)
    return s[-1:] if last else s[:1]


def normalize_seam(left: Any, other: Any) -> Any:
    """citeproc.string.normalize_seam, same result, reading only the two
    characters at the seam."""
    last, first = _edge(left, True), _edge(other, False)
    if not last or not first:
        return other
    if (last == " " and first == " ") or (last == first and first in citeproc_string.SEAM_PUNCTUATION):
        return citeproc_string._strip_first_char(other)
    return other


_XPATH_CACHE: dict = {}
_ROOT_CACHE: dict = {}
_MACROS: dict = {}
_CHILD_CACHE: dict = {}
_NAME_OPTIONS: dict = {}
_LIMIT = 500_000


class CachedXPath:
    """Memoise citeproc-py's structural look-ups on the parsed style: XPath
    queries (ancestor layout, macro, locale term…), the root element and the
    ``self.<tag>`` child look-ups.  They depend only on the style tree, never
    on the item.  Inserting a child (citeproc-py adds a missing cs:name)
    forgets the cached children."""

    def xpath_search(self, expression):
        key = (self, expression)
        try:
            return _XPATH_CACHE[key]
        except KeyError:
            if len(_XPATH_CACHE) > _LIMIT:
                _XPATH_CACHE.clear()
            result = _XPATH_CACHE[key] = self.xpath(expression, namespaces=self.nsmap)
            return result

    def get_root(self):
        try:
            return _ROOT_CACHE[self]
        except KeyError:
            if len(_ROOT_CACHE) > _LIMIT:
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
            if len(_CHILD_CACHE) > _LIMIT:
                _CHILD_CACHE.clear()
            child = _CHILD_CACHE[key] = self.find("cs:" + name, self.nsmap)
            return child

    def insert(self, index, element):
        _CHILD_CACHE.clear()
        memo_of(children).clear()
        super().insert(index, element)  # type: ignore[misc]  # a mixin: the next class in the MRO is citeproc-py's


class FastFormatted:
    """citeproc-py's ``Formatted.format`` asks the formatter and reads an
    attribute five times per rendered node even when the node has no
    formatting at all (most of them); skip straight through then."""

    def format(self, string):
        if node_attrs(self)[0]:
            return super().format(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is the node's
        return str(string) if isinstance(string, (int, float)) else string


class FastAffixed:
    """``Affixed.wrap`` without affixes is the identity, but citeproc-py still
    turned the whole text into ``str`` twice to check the seams."""

    def wrap(self, string):
        if string is None or node_attrs(self)[1]:
            return super().wrap(string)  # type: ignore[misc]  # a mixin: the next class in the MRO is the node's
        return string


class FastParent:
    """citeproc-py's ``Parent.render_children`` over a cached child tuple
    (no lxml iteration and isinstance test per child per render)."""

    def render_children(self, item, delimiter="", **kwargs):
        output = []
        for child, is_choose in children(self):
            try:
                text = (child.render(item, delimiter=delimiter, **kwargs) if is_choose
                        else child.render(item, **kwargs))
                if text is not None:
                    output.append(text)
            except model.VariableError:
                pass
        return citeproc_string.join(output, delimiter) if output else None


class MemoNameOptions:
    """cs:name options inherited from the style tree, read once per
    (node, context, option); ``_inherited_option`` is the corrected reading."""

    def _inherited_option(self, name, context=None):
        key = (self, context, name)
        try:
            return _NAME_OPTIONS[key]
        except KeyError:
            if len(_NAME_OPTIONS) > _LIMIT:
                _NAME_OPTIONS.clear()
            value = _NAME_OPTIONS[key] = super()._inherited_option(name, context)  # type: ignore[misc]  # a mixin
            return value


def _fast_condition(info: tuple) -> Callable[[Any], bool] | None:
    """A plain function for the common conditions — only ``type`` or only
    ``variable`` tests (most of the evaluations in a bibliography) — or None
    when the general path is needed."""
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


@per_node
def _compiled(el: Any) -> Callable[[Any], bool] | None:
    return _fast_condition(el.condition_info())


_COMPILED = memo_of(_compiled)


class FastIf:
    """cs:if / cs:else-if: a compiled test where one exists; ``condition_info``
    and ``_holds`` are the corrected node's."""

    def _holds(self, item, context):
        try:
            fast = _COMPILED[self]
        except KeyError:
            fast = _compiled(self)
        if fast is not None:
            return fast(item.reference)
        return super()._holds(item, context)  # type: ignore[misc]  # a mixin: the next class in the MRO is the node's


def _lookups(cls: type) -> tuple[type, ...]:
    bases: tuple[type, ...] = (CachedXPath,)
    if hasattr(cls, "_inherited_option"):
        bases += (MemoNameOptions,)
    if hasattr(cls, "condition_info"):
        bases += (FastIf,)
    return bases


def _shortcuts(cls: type) -> tuple[type, ...]:
    bases: tuple[type, ...] = ()
    if issubclass(cls, model.Formatted):
        bases += (FastFormatted,)
    if issubclass(cls, model.Affixed):
        bases += (FastAffixed,)
    if issubclass(cls, model.Parent):
        bases += (FastParent,)
    return bases


def install(classes: dict[str, type]) -> dict[str, type]:
    """Install the speed layer: citeproc-py's seam check replaced (it looks
    the function up as a module global in both places it is used), and
    ``classes`` (tag -> corrected element class) returned with the layer
    mixed in above them."""
    citeproc_string.normalize_seam = normalize_seam
    model.normalize_seam = normalize_seam
    return {tag: type(cls.__name__, (*_lookups(cls), *_shortcuts(cls), cls), {}) for tag, cls in classes.items()}


def _all_caches() -> list[dict]:
    return [*_NODE_MEMOS.values(), _XPATH_CACHE, _ROOT_CACHE, _MACROS, _CHILD_CACHE, _NAME_OPTIONS]


def cached_nodes() -> int:
    """How many entries the memos hold."""
    return sum(len(c) for c in _all_caches())


def trim_node_caches(limit: int = 400_000) -> None:
    """The memos hold their elements alive; a process that loads many styles
    (the all-styles test renders 2,851) empties them now and then and lets
    the styles in use fill them again."""
    if cached_nodes() > limit:
        for c in _all_caches():
            c.clear()
