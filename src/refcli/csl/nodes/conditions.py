"""The conditions family: cs:choose, cs:if, cs:else-if as citeproc-js
evaluates them (``disambiguate="true"`` among the other tests, positions
tracked per cluster, the first branch that holds renders without raising
through the others)."""

from __future__ import annotations

from citeproc import model

from refcli.csl.position import holds as position_holds
from refcli.csl.speed import children, per_node
from refcli.csl.state import DISAMB, DISAMB_COUNT


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
@per_node
def _if_info(el) -> tuple:
    a = el.attrib
    return (tuple(t for t in _CONDITIONS if t in a), a.get("match"), a.get("disambiguate"), len(a),
            tuple(t.lower() for t in a.get("type", "").split()),
            tuple(v.replace("-", "_") for v in a.get("variable", "").split()))


class If(model.If):
    """cs:if — supports ``disambiguate="true"`` (citeproc-py treats it as always
    true), ``is-numeric="locator"``, ``locator`` labels either spelling and a
    cluster's tracked positions; the condition's attributes are read once per node."""

    def passes(self, item, context=None) -> bool:
        """Whether this branch's condition holds (without rendering it)."""
        return self._holds(item, context)

    def condition_info(self) -> tuple:
        """(tests present, match, disambiguate, attribute count, types, variables)."""
        return _if_info(self)

    def _holds(self, item, context) -> bool:
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
        for child, _ in children(self):
            if isinstance(child, If):
                if child._holds(item, context):
                    return child.render_children(item, context=context, delimiter=delimiter, **kwargs)
                continue
            try:  # cs:else (or anything citeproc-py would try the same way)
                return child.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
        return None
