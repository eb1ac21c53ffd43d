"""Vancouver author lists closed by a colon (BMC, F1000: "Mace GM: The role of …").

The labellers often read the last name of such a list, or its initials, as the start
of the title ("Siegismund HR: Comparative phylogeography …", "A: Lost populations …").
A title that opens with a Vancouver name (or bare initials) and a colon, printed so
in the string, gives them back to the authors.
"""

from __future__ import annotations

import re
from typing import Any

_NAME_COLON = re.compile(r"^((?:[A-ZÀ-Þ][\w'’-]+\s+){1,2})([A-Z]{1,3}):\s+(?=\S)")
_INITIALS_COLON = re.compile(r"^([A-Z]{1,3}):\s+(?=\S)")


def colon_byline(text: str, item: dict[str, Any]) -> None:
    """Move a name the title of *item* opens with, before a colon, to its authors."""
    title = item.get("title")
    if not isinstance(title, str) or ":" not in title[:60]:
        return
    authors = list(item.get("author") or [])
    match = _NAME_COLON.match(title)
    if match and _ends_byline(text, match.group(0).rstrip()):
        family = match.group(1).strip()
        if not any(name.get("family") == family for name in authors):
            authors.append({"family": family, "given": match.group(2)})
        item["author"] = authors
        item["title"] = title[match.end():]
        return
    match = _INITIALS_COLON.match(title)
    if match and authors and not authors[-1].get("given") and authors[-1].get("family"):
        last = authors[-1]["family"]
        if _ends_byline(text, f"{last} {match.group(1)}:"):
            authors[-1] = {**authors[-1], "given": match.group(1)}
            item["author"] = authors
            item["title"] = title[match.end():]


def _ends_byline(text: str, name: str) -> bool:
    """Whether *name* ("Mace GM:") is printed as the last of the names that open *text*:
    at its start (after a label) or after a comma or "and", never after a year or a
    quote ("2004. Sphären III: …", "“Meet ST OMO: …")."""
    at = " ".join(text.split()).find(name)
    if at < 0:
        return False
    before = " ".join(text.split())[:at].rstrip()
    return not before or bool(re.fullmatch(r"\[?\d{1,3}[.\]]?", before)) or before.endswith((",", " and", "&"))
