"""cs:group and the bookkeeping behind its suppression (CSL 1.0.2 §Group, as
citeproc-js applies it): a group is left out when it called variables and
none of them rendered; a macro call counts as an implicit group of its own
(citeproc-js's ``expandMacro``), at the top of a layout as well."""

from __future__ import annotations

from citeproc import model

from refcli.csl.speed import children, memo_of, per_node
from refcli.csl.state import GROUP


@per_node
def _track_kind(el) -> str | None:
    """"macro" for a macro call, "var" for a node that calls a variable."""
    return "macro" if "macro" in el.attrib else "var" if el.calls_variable_here() else None


_KINDS = memo_of(_track_kind)


def tracked(render):
    """Wrap an element's ``render`` so the enclosing cs:group learns whether a
    variable was called and whether it came out non-empty."""

    def wrapper(self, *args, **kwargs):
        frame = GROUP.get()
        try:
            kind = _KINDS[self]
        except KeyError:
            kind = _track_kind(self)
        if kind == "macro":
            # like a nested group, a macro counts as one variable for the
            # enclosing group: non-empty output renders it (citeproc-js)
            inner = {"called": False, "rendered": False}
            token = GROUP.set(inner)
            try:
                out = render(self, *args, **kwargs)
            finally:
                GROUP.reset(token)
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
        token = GROUP.set(frame)
        output = []
        delimiter = self.get("delimiter", "")
        try:
            for child, is_choose in children(self):
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
            GROUP.reset(token)
        parent = GROUP.get()
        ok = bool(output) and not (frame["called"] and not frame["rendered"])
        if parent is not None:
            # to its parent, a nested group is one variable: empty if suppressed
            # after calling variables, non-empty whenever it renders (citeproc-js)
            parent["called"] = parent["called"] or frame["called"] or ok
            parent["rendered"] = parent["rendered"] or ok
        return self.join(output) if ok else None

