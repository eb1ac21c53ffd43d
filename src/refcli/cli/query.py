"""Commands that read the library: search, show, refs, cited-by, pick."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import sys
from typing import Annotated, Optional

import typer

from refcli import settings
from refcli.cli.common import _get, library_path
from refcli.cli.completion import _complete_keys, _complete_styles
from refcli.cli.output import _count, _print_item, _print_items, _print_json, _say, _write_text
from refcli.errors import UsageError
from refcli.terminal import inert

# Rows a search prints as a table unless --limit says otherwise: a table of
# thousands of rows is unreadable in a terminal and slow to draw.
TABLE_ROWS = 50


def search(
    query: Annotated[Optional[list[str]], typer.Argument(help="Words, \"phrases\" and field:value terms.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0,
        help=f"Show at most N works (0: all). Default: {TABLE_ROWS} in the table, all with --json or --keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a CSL-JSON array, one work per line.")] = False,
    keys_only: Annotated[bool, typer.Option("--keys", help="Print only the keys, one per line.")] = False,
) -> None:
    """Search the library. All terms must match; no query lists everything.

    Fields: author: editor: title: journal: publisher: year: doi: type: tag: key:
    — year takes 2019, 2015..2020, 2015.. or ..2020; a leading - negates a term.
    Matching ignores case and accents and finds word starts (learn finds learning).
    The table shows the first 50 works (--limit N for more, --limit 0 for all).

    [bold]Examples[/bold]

      refcli search author:hinton year:2012..2016 "deep learning"
      refcli search tag:thesis --json
      refcli search muller type:book -review --limit 0
    """
    from refcli import index, search, store

    where, params = search.to_sql(search.parse_query(query or []))
    with index.fresh(library_path()) as idx:
        if as_json or keys_only:
            found = idx.matching(where, params, limit, "json" if as_json else "id")
            if as_json:
                sys.stdout.buffer.write(store.join_lines(found))
            else:
                sys.stdout.write("".join(f"{inert(key)}\n" for key in found))
            return
        shown = TABLE_ROWS if limit is None else limit
        items = idx.query(where, params, shown)
        total = idx.count(where, params) if shown and len(items) == shown else len(items)
    if not items:
        _say("no matching works")
        raise typer.Exit(1)
    _print_items(items)
    if total > len(items):
        _say(f"showing {len(items):,} of {total:,} (--limit 0 for all)")


def show(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole CSL-JSON item.")] = False,
    bibtex: Annotated[bool, typer.Option("--bibtex", help="Print the item as BibTeX.")] = False,
) -> None:
    """Show one work: every field, its tags, where it came from.

    [bold]Examples[/bold]

      refcli show lecun2015deep
      refcli show 10.1038/nature14539 --json
    """
    item = _get(key)
    if as_json:
        _print_json(item)
    elif bibtex:
        from refcli import formats

        _write_text(formats.write([item], "bibtex"))
    else:
        _print_item(item, str(item["id"]))


def refs(
    key: Annotated[str, typer.Argument(help="The citing document's key or DOI.", autocompletion=_complete_keys)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a CSL-JSON array.")] = False,
) -> None:
    """List the works a document cites, in its reference-list order.

    [bold]Example[/bold]

      refcli refs kistanov2025japans
    """
    from refcli import index

    with index.fresh(library_path()) as idx:
        item = _get(key, idx)
        found = [idx.get(k) for k in (item.get("custom") or {}).get("cites") or []]
    items = [i for i in found if i is not None]
    if as_json:
        _print_json(items)
    else:
        _print_items(items, title=f"{item['id']} cites {_count(len(items))}")


def cited_by(
    key: Annotated[str, typer.Argument(help="The cited work's key or DOI.", autocompletion=_complete_keys)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a CSL-JSON array.")] = False,
) -> None:
    """List the works in the library that cite a work.

    [bold]Example[/bold]

      refcli cited-by lecun2015deep
    """
    from refcli import index

    with index.fresh(library_path()) as idx:
        target = _get(key, idx)["id"]
        items = idx.citing(target)
    if as_json:
        _print_json(items)
    else:
        _print_items(items, title=f"{_count(len(items))} cite{'s' if len(items) == 1 else ''} {target}")


def pick(
    query: Annotated[Optional[list[str]], typer.Argument(help="Start from what this search finds (default: everything).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="pandoc ([@a; @b]), latex (\\cite{a,b}), keys, or citation.")] = "pandoc",
    style: Annotated[Optional[str], typer.Option("--style", "-s", help="Print a formatted citation in this CSL style.", autocompletion=_complete_styles)] = None,
) -> None:
    """Choose works interactively (fzf when installed, else a numbered prompt) and print them.

    For editors: the chosen keys come out on standard output, the list and the
    prompt on the terminal. REFCLI_PICKER=builtin forces the built-in prompt.

    [bold]Examples[/bold]

      refcli pick deep learning
      refcli pick --format latex author:hinton
      refcli pick --style apa tag:thesis
    """
    from refcli import pick as picking

    if style:
        fmt = "citation"
    if fmt not in ("pandoc", "latex", "keys", "citation"):
        raise UsageError(f"unknown format '{fmt}': use pandoc, latex, keys or citation")
    terms = query or []
    command = picking.picker()
    if command is not None:
        found = picking.matches(library_path(), terms)
        if not found:
            _say("no matching works")
            raise typer.Exit(1)
        keys = picking.with_fzf(command, [picking.line(i) for i in found], "")
    else:
        def read(prompt: str) -> str:
            sys.stderr.write(prompt)
            sys.stderr.flush()
            answer = sys.stdin.readline()
            if not answer:
                raise EOFError
            return answer

        keys = picking.with_prompt(lambda t: picking.matches(library_path(), t, 500), terms, read, sys.stderr)
    if not keys:
        _say("nothing chosen")
        raise typer.Exit(1)
    if fmt != "citation":
        print(picking.render(keys, fmt))
        return
    from refcli import cite as citing
    from refcli import index

    with index.fresh(library_path()) as idx:
        items = [_get(k, idx) for k in keys]
    result = citing.render(items, settings.cite_style(style), None, "text", keys, parts=["citation"])
    print(result["citation"])
