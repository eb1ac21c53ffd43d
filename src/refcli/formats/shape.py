"""The shape of a CSL-JSON item, checked and normalised on the way in.

pandoc and citeproc-js reject a whole library for one item that breaks the CSL-JSON
schema (``"date-parts": [["-334"]]``, a title given as a list), so every reader's
items pass through ``check`` before they reach the library: text where CSL says
text (a number is written as text), and for number variables too (CSL allows a
number there, citeproc-js does not), name
variables as lists of name objects, dates as objects whose parts are integers
(``"-334"`` becomes ``-334``). What cannot be made right is reported as
``title must be text`` and the item is not added.

Nesting is bounded too: an item more than ``MAX_DEPTH`` levels deep is refused
here, before anything walks it recursively (the store writes with orjson, which
stops at 255 levels).
"""

from __future__ import annotations

from typing import Any

from refcli.vocabulary import DATE_VARIABLES as DATE_VARS
from refcli.vocabulary import NAME_PARTS as _NAME_PARTS
from refcli.vocabulary import NAME_VARIABLES as NAME_VARS
from refcli.vocabulary import NUMBER_VARIABLES as NUMBER_VARS  # text or a number
from refcli.vocabulary import STANDARD_VARIABLES as STRING_VARS  # text

MAX_DEPTH = 64


class ShapeError(ValueError):
    """An item that is not CSL-JSON and cannot be made so: the message names the variable."""


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether *value* nests lists/objects more than *limit* levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _names(var: str, value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise ShapeError(f"{var} must be a list of names")
    if all(type(n) is dict and all(type(p) is str for p in n.values()) for n in value):
        return value  # the common case: nothing to convert
    out = []
    for name in value:
        if not isinstance(name, dict):
            raise ShapeError(f"{var} must be a list of name objects, not {type(name).__name__}s")
        fixed = dict(name)
        for part in _NAME_PARTS:
            if part in fixed:
                text = _text(fixed[part])
                if text is None:
                    raise ShapeError(f"{var}: name part {part} must be text")
                fixed[part] = text
        out.append(fixed)
    return out


def _int_part(var: str, part: Any) -> int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    if isinstance(part, float) and part.is_integer():
        return int(part)
    if isinstance(part, str) and part.strip().lstrip("-+").isdigit():
        return int(part.strip())
    raise ShapeError(f"{var} date-parts must be whole numbers, not {part!r}"[:200])


def _date(var: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ShapeError(f"{var} must be a date object like {{\"date-parts\": [[2015, 5]]}}")
    parts = value.get("date-parts")
    if (type(parts) is list and parts and all(type(p) is list and p and all(type(x) is int for x in p)
                                              for p in parts)
            and (len(parts) == 1 or len(parts) == 2 and len(parts[0]) == len(parts[1]))
            and all(isinstance(value.get(k), str | int | float | bool) for k in value if k != "date-parts")):
        return value  # already CSL: integer parts, plain extras
    fixed = dict(value)
    if "date-parts" in fixed:
        if not isinstance(parts, list) or not all(isinstance(p, list) for p in parts):
            raise ShapeError(f"{var} date-parts must be a list of lists")
        # CSL-JSON writers put "" or null for an unknown month; a part after it means nothing.
        kept = [[_int_part(var, x) for x in _until_blank(p)] for p in parts]
        kept = [p for p in kept if p]
        if kept:
            fixed["date-parts"] = _even_range(kept)
            if fixed["date-parts"] != kept and not isinstance(fixed.get("raw"), str):
                fixed["raw"] = "/".join("-".join(str(x) for x in p) for p in kept)  # what was cut
        else:
            del fixed["date-parts"]
    for key in ("literal", "raw", "season", "circa"):
        if key in fixed and not isinstance(fixed[key], str | int | float | bool):
            raise ShapeError(f"{var} {key} must be text")
    return fixed


def _even_range(parts: list[list[int]]) -> list[list[int]]:
    """A range is two dates with the same parts: citeproc-js stops on a library with
    ``[[2000], [2001, 5]]`` ("element mismatch in date range input"), and CSL-JSON
    allows no third date. Both ends are cut to the parts they share."""
    parts = parts[:2]
    if len(parts) == 2 and len(parts[0]) != len(parts[1]):
        n = min(len(parts[0]), len(parts[1]))
        parts = [parts[0][:n], parts[1][:n]]
    return parts


def _until_blank(parts: list) -> list:
    out = []
    for p in parts:
        if p is None or p == "":
            break
        out.append(p)
    return out


_KIND = {**{v: "text" for v in STRING_VARS}, **{v: "number" for v in NUMBER_VARS},
         **{v: "names" for v in NAME_VARS}, **{v: "date" for v in DATE_VARS}}


def check(item: Any) -> dict:
    """*item* as valid CSL-JSON, or ShapeError: a new dict (values that were already valid
    are shared, not copied; the argument is not changed)."""
    if not isinstance(item, dict):
        raise ShapeError(f"item is a {type(item).__name__}, not an object")
    out = dict(item)
    for var, value in item.items():
        kind = _KIND.get(var)
        if kind is None:
            # custom and variables CSL does not define: any JSON, but not too deep
            if isinstance(value, dict | list) and value and depth_exceeds(value, MAX_DEPTH - 1):
                raise ShapeError(f"item is nested more than {MAX_DEPTH} levels deep")
            continue
        if value is None or value == "" or value == [] or value == {}:
            del out[var]  # an empty value is no value (Zotero writes "title": "")
        elif kind == "text":
            if type(value) is not str:
                text = _text(value)
                if text is None:
                    raise ShapeError(f"{var} must be text")
                out[var] = text
        elif kind == "number":
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ShapeError(f"{var} must be a number or text")
            if not isinstance(value, str):
                # the schema allows a JSON number, but citeproc-js 2.4 sorts and pads number
                # variables as text and stops on one ("num.match is not a function")
                out[var] = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        elif kind == "names":
            out[var] = _names(var, value)
        else:
            out[var] = _date(var, value)
    if "id" in out and not isinstance(out["id"], str | int) or isinstance(out.get("id"), bool):
        raise ShapeError("id must be text or a number")
    if "type" in out and not isinstance(out["type"], str):
        raise ShapeError("type must be text")
    if "custom" in out and not isinstance(out["custom"], dict):
        raise ShapeError("custom must be an object")
    if "categories" in out and not (isinstance(out["categories"], list)
                                    and all(isinstance(c, str) for c in out["categories"])):
        raise ShapeError("categories must be a list of text")
    return out
