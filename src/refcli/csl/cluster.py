"""Citation clusters: several citations, each of several cites, rendered in order.

The shapes are those of the CSL processor test suite (and citeproc-js):

- a *cite* is a dict: ``id`` (required), ``locator``, ``label`` (a CSL locator
  term: ``page``, ``chapter``, ``section``, ``figure``…; ``page`` when a
  locator has none), ``prefix``, ``suffix``, ``suppress-author``,
  ``author-only``, and, to force what the position tracking would find,
  ``position`` (0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator, or those
  names) and ``near-note``;
- a *cluster* (one citation) is either a list of cites (a ``CITATION-ITEMS``
  entry) or a dict ``{"citationItems": [cite, …], "properties": {"noteIndex":
  N, "mode": "author-only" | "suppress-author", "prefix", "suffix"}}`` (a
  ``CITATIONS`` entry; ``citationID`` is ignored).

``render_clusters`` renders them as one document does: positions (first,
subsequent, ibid, ibid-with-locator, near-note, first-reference-note-number)
are tracked from cluster to cluster, cites are sorted inside a citation when
the style sorts them, grouped by author and collapsed as the style asks
(``collapse``, ``cite-group-delimiter``, ``after-collapse-delimiter``).
With ``track_positions=False`` every cluster is rendered on its own, as
citeproc-js's ``makeCitationCluster`` does (every cite first unless it says
otherwise).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from refcli.csl.cites import CLUSTER_PARTS, POSITIONS, Cite, Cluster, normalize
from refcli.errors import InputError

__all__ = ["CLUSTER_PARTS", "POSITIONS", "Cite", "Cluster", "normalize", "render_clusters"]


def render_clusters(items: list[dict], style: str, clusters: Iterable[Any], locale: str | None = None,
                    fmt: str = "text", *, track_positions: bool = True,
                    parts: Iterable[str] | None = None) -> dict[str, Any]:
    """Render ``clusters`` (see the module docstring) of ``items`` with a CSL ``style``.

    Returns ``{"clusters": [str, …], "notes": [int, …], "citations": {id:
    str}, "bibliography": [{"id", "text"}, …], "errors": [{"id", "field",
    "message"}, …]}``: one finished citation per cluster in the order given,
    the note each sits in (0: in the text; a note style given no note numbers
    puts each citation in a note of its own: 1, 2, …), each item's
    first-position citation alone (only when ``parts`` asks for
    ``"citations"``), the bibliography of every item (cited ones
    first, in order of first citation, for numbering; then the style's sort),
    and the items that could not be rendered — left out of both, never taking
    the others with them (``field`` names the field that broke the item when
    one does).  ``parts``: any of ``"clusters"``, ``"citations"``,
    ``"bibliography"`` (default all).  ``fmt``: as ``refcli.csl.render``.
    """
    from refcli.csl.process import ItemError, Processor
    from refcli.csl.render import _style, check_locale, check_request, prepare_all
    from refcli.csl.styles import resolve_style

    wanted = check_request(fmt, parts, CLUSTER_PARTS)
    locale = check_locale(locale)
    path = resolve_style(style)
    todo = normalize(clusters)
    prepared = prepare_all(items)
    known = {it["id"].lower() for it in prepared}
    for n, cluster in enumerate(todo):
        for c in cluster.cites:
            if c.id.lower() not in known:
                raise InputError("not among the items given", where=f"citation {n + 1}, item {c.id}")
    # cited items first, in order of first citation (citation numbers follow it)
    rank: dict[str, int] = {}
    for cluster in todo:
        for c in cluster.cites:
            rank.setdefault(c.id.lower(), len(rank))
    prepared.sort(key=lambda it: rank.get(it["id"].lower(), len(rank)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = _style(str(path), os.stat(path).st_mtime_ns, locale)
        if st.root.get("class") == "note" and all(c.note_index == 0 for c in todo):
            # a note style numbers citations given without notes: one note each
            todo = [replace(c, note_index=n + 1) for n, c in enumerate(todo)]
        errors: list[dict[str, Any]] = []
        # an item that breaks is left out and the rest rendered again (its
        # absence can change disambiguation and numbering, as it should)
        for _ in range(len(prepared) + 1):
            try:
                result = Processor(st, prepared, fmt).run_clusters(todo, track_positions, wanted)
            except ItemError as exc:
                bad = next(it for it in prepared if it["id"] == exc.item_id)
                errors.append({"id": exc.item_id, "field": _culprit(st, bad, fmt),
                               "message": exc.message})
                prepared = [it for it in prepared if it is not bad]
                todo = _without(todo, exc.item_id)
                continue
            result["errors"] = errors
            result["notes"] = [c.note_index for c in todo]
            return result
    raise AssertionError("unreachable: every round removes an item")


def _without(clusters: list[Cluster], item_id: str) -> list[Cluster]:
    gone = item_id.lower()
    return [replace(c, cites=[x for x in c.cites if x.id.lower() != gone]) for c in clusters]


def _culprit(st: Any, item: dict[str, Any], fmt: str) -> str | None:
    """The field whose removal lets ``item`` render alone (None when no single
    field does): what the error message names."""
    from refcli.csl.process import Processor

    one = [Cluster([Cite(item["id"])])]
    for name in item:
        if name in ("id", "type"):
            continue
        trial = {k: v for k, v in item.items() if k != name}
        try:
            Processor(st, [trial], fmt).run_clusters(one, True, CLUSTER_PARTS)
        except Exception:  # noqa: BLE001 - any failure means this field was not the (only) cause
            continue
        return name
    return None
