"""refcli's command line: parses arguments and renders; the work happens elsewhere.

Only Typer is imported at start-up. Every command imports what it needs when it
runs, so ``refcli --help`` and ``refcli search`` do not pay for citeproc,
bibtexparser or httpx.
"""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at start-up, which made
# `refcli --help` ~8 ms slower (issue 5: start-up within 1.1x a minimal Typer app).
import functools
import os
import re
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli.errors import RefcliError, UsageError

app = typer.Typer(
    name="refcli",
    help="A command-line reference manager: add, import, search, cite and export works.\n\n"
    "The library is one CSL-JSON file (pandoc and citeproc-js read it as it is).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INTERRUPTED = 130


class _State:
    library: Path | None = None
    debug: bool = False


state = _State()


def library_path() -> Path:
    if state.library is None:
        from refcli.store import default_path

        state.library = default_path()
    return state.library


# ------------------------------------------------------------------ output helpers


@functools.cache
def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _print_json(data: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _say(message: str) -> None:
    """A status line for people, on stderr so stdout stays clean for pipes. Plain text:
    a key like ``smith[2020]`` is not rich markup, and rich need not be imported."""
    print(message, file=sys.stderr)


_STYLE_TAG = re.compile(r"\[/?(?:bold|cyan|green|red|yellow)\]")


def _say_styled(template: str, **values: object) -> None:
    """``_say`` for a *template* with rich style tags and ``{name}`` fields for *values*.

    Where nothing would be styled (a pipe, NO_COLOR) the tags are dropped and rich,
    a fifth of a small command's run time, is not imported.
    """
    if os.environ.get("NO_COLOR") or not (os.environ.get("FORCE_COLOR") or sys.stderr.isatty()):
        _say(_STYLE_TAG.sub("", template).format(**values))
        return
    from rich.markup import escape

    _console(stderr=True).print(template.format(**{k: escape(str(v)) for k, v in values.items()}))


def _warn(message: str) -> None:
    _say_styled("[yellow]warning:[/yellow] {message}", message=message)


def _first_author(item: dict[str, Any]) -> str:
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names and isinstance(names[0], dict):
            name = names[0].get("family") or names[0].get("literal") or ""
            particle = names[0].get("non-dropping-particle")
            name = f"{particle} {name}" if particle else name
            return name + (" et al." if len(names) > 2 else f" & {_family(names[1])}" if len(names) == 2 else "")
    return ""


def _family(name: Any) -> str:
    return (name.get("family") or name.get("literal") or "") if isinstance(name, dict) else ""


_ITEM_COLUMNS = [("key", {"style": "cyan", "no_wrap": True}), ("author", {}), ("year", {"justify": "right"}),
                 ("title", {"ratio": 3}), ("in", {"style": "italic", "ratio": 1})]


def _print_items(items: list[dict[str, Any]], title: str | None = None) -> None:
    from refcli.keys import year_of

    _print_table(_ITEM_COLUMNS, [(str(item.get("id", "")), _first_author(item), year_of(item),
                                  str(item.get("title") or ""), str(item.get("container-title") or ""))
                                 for item in items], title)


_CELL_BREAKS = re.compile(r"[\t\r\n]+")


def _write_tsv(rows: list[tuple[str, ...]]) -> None:
    sys.stdout.write("".join("\t".join(_CELL_BREAKS.sub(" ", cell) for cell in row) + "\n" for row in rows))


def _count(n: int, noun: str = "work") -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _print_table(columns: list[tuple[str, dict[str, Any]]], rows: list[tuple[str, ...]],
                 title: str | None = None) -> None:
    """A rich table on a terminal; into a pipe or a file, one tab-separated line per row
    with no header or borders (as gh prints), so grep, cut and sort can read it and
    rich (~50 ms to import and lay out 50 rows) is not loaded. The title goes to stderr."""
    if not sys.stdout.isatty():
        if title:
            _say(title)
        _write_tsv(rows)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, header_style="bold")
    for name, options in columns:
        table.add_column(name, **options)
    for row in rows:
        table.add_row(*map(escape, row))  # a title like "[Review]" is text, not markup
    _console().print(table)


# ------------------------------------------------------------------ global options


def _version(value: bool) -> None:
    if value:
        from refcli import __version__

        print(f"refcli {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    library: Annotated[Optional[Path], typer.Option(
        "--library", "-L", envvar="REFCLI_LIBRARY", metavar="PATH",
        help="Library file to use (default: the user data dir's library.json).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    state.library = library.expanduser() if library else None
    state.debug = debug


# ------------------------------------------------------------------ add


@app.command()
def add(
    sources: Annotated[list[str], typer.Argument(
        help="DOIs (any spelling), .bib/.ris/CSL-JSON files, or - for standard input.",
        metavar="SOURCE...")],
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag every added work (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what happened as JSON.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Look DOIs up again even when cached.")] = False,
) -> None:
    """Add works by DOI, or from BibTeX, RIS or CSL-JSON files.

    Duplicates (same DOI in any spelling; else same first author, year and title)
    are merged into the existing work, losing nothing. Entries that cannot be
    read are reported (file:line) and the rest is added; the exit status is then 65.

    [bold]Examples[/bold]

      refcli add 10.1038/nature14539
      refcli add https://doi.org/10.1109/CVPR.2016.90 --tag thesis
      refcli add zotero-export.bib mendeley.ris
      cat refs.bib | refcli add -
    """
    from refcli import store
    from refcli.ingest import Ingest

    batches, problems, failed = _read_sources(sources, use_cache=not no_cache)
    with store.transaction(library_path(), message=f"add {' '.join(sources)[:200]}") as lib:
        results = []
        for source, records in batches:
            ingest = Ingest(lib, source, tag or [], expected=len(records))
            for record in records:
                ingest.add(record)
            results.append((source, ingest.report))
    _report_add(results, problems, failed, as_json)
    if failed:
        raise typer.Exit(max(e.exit_code for e in failed))
    if problems:  # the good entries are in; the status still says not everything was
        from refcli.errors import InputError

        raise typer.Exit(InputError.exit_code)


def _read_sources(sources: list[str], use_cache: bool) -> tuple[list, list, list[RefcliError]]:
    """Read every source before the library is locked (network and parsing take time)."""
    batches: list[tuple[str, list[dict]]] = []
    problems: list[Any] = []
    failed: list[RefcliError] = []
    with _progress(len(sources) > 3) as progress:
        task = progress.add_task("reading", total=len(sources)) if progress else None
        for source in sources:
            try:
                name, records, found_problems = _read_source(source, use_cache)
                batches.append((name, records))
                problems.extend(found_problems)
            except RefcliError as exc:
                failed.append(exc)
            if progress:
                progress.advance(task)
    return batches, problems, failed


def _read_source(source: str, use_cache: bool) -> tuple[str, list[dict], list]:
    """(name, records, problems) of one SOURCE of ``refcli add``."""
    from refcli import formats
    from refcli.identifiers import normalize_doi

    if source == "-":
        result = formats.read(sys.stdin.read(), None, source="<stdin>")
        return source, result.items, result.problems
    if os.path.exists(source):
        result = formats.read_path(source)
        return source, result.items, result.problems
    doi = normalize_doi(source)
    if not doi:
        raise UsageError(f"not a file, DOI or '-': {source}")
    from refcli import index, resolve

    with index.fresh(library_path()) as idx:
        known = idx.get(doi)
    if known is not None:  # already in the library: no network needed
        return f"doi:{doi}", [{"DOI": doi, "id": known["id"], "title": known.get("title")}], []
    return f"doi:{doi}", [resolve.fetch(doi, use_cache=use_cache)], []


# Merges listed by name after an add; a bulk import can merge thousands.
MERGES_SHOWN = 10


def _report_add(results: list, problems: list, failed: list[RefcliError], as_json: bool) -> None:
    if as_json:
        _print_json({
            "added": [o.key for _, r in results for o in r.outcomes if o.status == "added"],
            "merged": [{"from": o.incoming_id, "into": o.key, "fields": o.fields}
                       for _, r in results for o in r.outcomes if o.status == "merged"],
            "unchanged": [o.key for _, r in results for o in r.outcomes if o.status == "unchanged"],
            "problems": [{"where": p.where, "message": p.message} for p in problems],
            "errors": [str(e) for e in failed],
        })
    else:
        for source, report in results:
            _say_styled("[bold]{source}[/bold]: {added} added, {merged} merged, {same} already present",
                        source=source, added=report.count("added"), merged=report.count("merged"),
                        same=report.count("unchanged"))
            merges = [o for o in report.outcomes if o.status == "merged"]
            for o in merges[:MERGES_SHOWN]:
                what = f" ({o.incoming_id})" if o.incoming_id and o.incoming_id != o.key else ""
                _say_styled("  merged{what} into [cyan]{key}[/cyan]", what=what, key=o.key)
            if len(merges) > MERGES_SHOWN:
                _say(f"  … and {len(merges) - MERGES_SHOWN} more merges (--json lists them all)")
            if len(report.outcomes) <= 5:
                for o in report.outcomes:
                    if o.status == "added":
                        _say_styled("  added [cyan]{key}[/cyan]", key=o.key)
        for problem in problems[:10]:
            _warn(f"{problem.where}: {problem.message}")
        if len(problems) > 10:
            _warn(f"… and {len(problems) - 10} more entries that could not be read")
    for exc in failed:
        _error(exc)


# ------------------------------------------------------------------ search and show


# "-word" negates a search term, so unknown dash-words are query, not options.
_QUERY_ARGS = {"ignore_unknown_options": True}


# Rows a search prints as a table unless --limit says otherwise: a table of
# thousands of rows is unreadable in a terminal and slow to draw.
TABLE_ROWS = 50


@app.command(context_settings=_QUERY_ARGS)
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
                sys.stdout.write("".join(f"{key}\n" for key in found))
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


def _query(query: list[str]) -> list[dict[str, Any]]:
    from refcli import index, search

    where, params = search.to_sql(search.parse_query(query))
    with index.fresh(library_path()) as idx:
        return idx.query(where, params)


def _get(key: str, idx: Any = None) -> dict[str, Any]:
    from refcli import index

    if idx is None:
        with index.fresh(library_path()) as idx:
            return _get(key, idx)
    item = idx.get(key)
    if item is None:
        from refcli.keys import similar_keys

        raise _not_found(key, similar_keys(key, idx.keys()))
    return item


def _not_found(key: str, close: list[str]) -> Exception:
    from refcli.errors import NotFoundError

    hint = f"; did you mean: {', '.join(close)}" if close else ""
    return NotFoundError(f"no work with key or DOI '{key}' in the library{hint}", str(library_path()))


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.")],
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

        sys.stdout.write(formats.write([item], "bibtex"))
    else:
        _print_item(item, str(item["id"]))


def _print_item(item: dict[str, Any], title: str) -> None:
    """One work's fields: a panel titled *title* on a terminal; into a pipe, a
    tab-separated field/value line each (after its id, when it has one)."""
    rows = _item_rows(item)
    if not sys.stdout.isatty():
        _write_tsv([("id", str(item["id"])), *rows] if item.get("id") else rows)
        return
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for field, text in rows:
        grid.add_row(field, escape(text))
    _console().print(Panel(grid, title=f"[cyan]{escape(title)}[/cyan]", title_align="left"))


def _item_rows(item: dict[str, Any]) -> list[tuple[str, str]]:
    first = [f for f in _SHOW_ORDER if f in item]
    rows = [(field, _field_text(item[field])) for field in first + sorted(f for f in item if f not in _SHOW_ORDER)
            if field not in ("id", "custom")]
    custom = item.get("custom") or {}
    if custom.get("tags"):
        rows.append(("tags", ", ".join(custom["tags"])))
    if custom.get("cites"):
        rows.append(("cites", f"{_count(len(custom['cites']))} (refcli refs {item['id']})"))
    if custom.get("added"):
        rows.append(("added", str(custom["added"])))
    return rows


_SHOW_ORDER = ("type", "title", "author", "editor", "translator", "issued", "container-title",
               "collection-title", "volume", "issue", "page", "edition", "publisher",
               "publisher-place", "DOI", "ISBN", "URL", "accessed")


def _field_text(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(
            n.get("literal") or ", ".join(p for p in (
                " ".join(x for x in (n.get("non-dropping-particle"), n.get("family")) if x),
                n.get("given"), n.get("suffix")) if p)
            for n in value)
    if isinstance(value, dict) and "date-parts" in value:
        return " – ".join("-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(part))
                          for part in value["date-parts"] if part)
    if isinstance(value, dict):
        return value.get("literal") or value.get("raw") or str(value)
    return str(value)


# ------------------------------------------------------------------ remove, tag, edit


@app.command()
def remove(
    keys: Annotated[list[str], typer.Argument(help="Citation keys or DOIs.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove works from the library (refcli undo brings them back).

    [bold]Examples[/bold]

      refcli remove smith2020deep
      refcli remove smith2020deep jones2019bayes --yes
    """
    from refcli import store

    with store.transaction(library_path(), message=f"remove {' '.join(keys)[:200]}") as lib:
        found = []
        for key in keys:
            item = lib.get(key)
            if item is None:
                raise _not_found(key, lib.similar_keys(key))
            found.append(item)
        if not yes:
            titles = "\n".join(f"  {i['id']}: {i.get('title', '')}" for i in found)
            if not sys.stdin.isatty():
                raise UsageError("refusing to remove without --yes when not on a terminal")
            if not typer.confirm(f"Remove {len(found)} work(s)?\n{titles}\n"):
                raise typer.Exit(1)
        for item in found:
            lib.remove(item["id"])
            for other in lib.citing(item["id"]):  # a removed work leaves no dangling "cites" link
                other["custom"]["cites"] = [c for c in other["custom"]["cites"] if c != item["id"]]
    _say(f"removed {', '.join(i['id'] for i in found)}")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
def tag(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.")],
    changes: Annotated[Optional[list[str]], typer.Argument(help="+tag adds, -tag removes.", metavar="[+TAG|-TAG]...")] = None,
) -> None:
    """Add (+tag) or remove (-tag) tags; with no change, list the work's tags.

    [bold]Examples[/bold]

      refcli tag lecun2015deep +thesis +ch2
      refcli tag lecun2015deep -ch2
    """
    from refcli import store

    for change in changes or []:
        if len(change) < 2 or change[0] not in "+-":
            raise UsageError(f"tag changes look like +name or -name, not '{change}'")
    with store.transaction(library_path(), message=f"tag {key} {' '.join(changes or [])}") as lib:
        item = lib.get(key)
        if item is None:
            raise _not_found(key, lib.similar_keys(key))
        custom = item.setdefault("custom", {})
        tags = list(custom.get("tags", []))
        for change in changes or []:
            name = change[1:]
            if change[0] == "+" and name not in tags:
                tags.append(name)
            elif change[0] == "-" and name in tags:
                tags.remove(name)
        if tags != custom.get("tags", []):
            custom["tags"] = tags
            from refcli.store import now_iso

            custom["modified"] = now_iso()
        if not tags:
            custom.pop("tags", None)
    print(" ".join(tags))


@app.command()
def edit(key: Annotated[str, typer.Argument(help="Citation key or DOI.")]) -> None:
    """Edit a work's CSL-JSON in $EDITOR; the result is checked before it is saved.

    [bold]Examples[/bold]

      refcli edit lecun2015deep
      EDITOR="code --wait" refcli edit lecun2015deep
    """
    from refcli import editing, store
    from refcli.errors import NotFoundError

    item = _get(key)
    edited = editing.edit_item(item)
    if edited is None:
        _say("no change")
        return
    with store.transaction(library_path(), message=f"edit {item['id']}") as lib:
        current = lib.get(item["id"])
        if current is None:
            raise NotFoundError(f"'{item['id']}' was removed while you edited it")
        current.clear()
        current.update(edited)
        lib.reindex()
    _say(f"saved {item['id']}")


# ------------------------------------------------------------------ cite and styles


@app.command()
def cite(
    keys: Annotated[Optional[list[str]], typer.Argument(help="Citation keys or DOIs.")] = None,
    style: Annotated[str, typer.Option("--style", "-s", help="CSL style name (see refcli styles) or .csl file.")] = "apa",
    locale: Annotated[Optional[str], typer.Option("--locale", "-l", help="Locale such as en-US, de-DE (default: the style's).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="terminal, text, html, markdown or latex.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print citation, per-item citations and entries as JSON.")] = False,
    citation_only: Annotated[bool, typer.Option("--citation-only", help="Print only the in-text citation.")] = False,
    bibliography_only: Annotated[bool, typer.Option("--bibliography-only", help="Print only the bibliography.")] = False,
    cite_all: Annotated[bool, typer.Option("--all", help="Cite every work (of the library, the --query or the --from file).")] = False,
    query: Annotated[Optional[str], typer.Option("--query", "-q", help="Cite the works a search finds.")] = None,
    from_file: Annotated[Optional[Path], typer.Option("--from", help="Format the works of a CSL-JSON, BibTeX or RIS file instead of the library.")] = None,
) -> None:
    """Format in-text citations and bibliography entries with a CSL style.

    [bold]Examples[/bold]

      refcli cite lecun2015deep he2016deep --style apa
      refcli cite lecun2015deep --style ieee --format html
      refcli cite --all --query tag:thesis --style chicago-author-date
      refcli cite --from refs.bib --all --style modern-language-association
    """
    from refcli import cite as citing

    items = _cite_items(keys or [], cite_all, query, from_file)
    plain = as_json or not sys.stdout.isatty() or "NO_COLOR" in os.environ
    fmt = fmt or ("text" if plain else "terminal")
    if fmt not in ("terminal", "text", "html", "markdown", "latex"):
        raise UsageError(f"unknown format '{fmt}': use terminal, text, html, markdown or latex")
    engine_fmt = "rich" if fmt == "terminal" else fmt
    # Render only what is printed: 1,000 single citations are wasted work without --json.
    parts = None if as_json else [part for part, skip in (("citation", bibliography_only),
                                                           ("bibliography", citation_only)) if not skip]
    result = citing.render(items, style, locale, engine_fmt, [str(i["id"]) for i in items], parts=parts)
    if as_json:
        _print_json(result)
        return
    out = _console() if fmt == "terminal" else None
    lines = []
    if not bibliography_only:
        lines.append(result["citation"])
    if not citation_only and result["bibliography"]:
        if lines:
            lines.append("")
        lines.extend(entry["text"] for entry in result["bibliography"])
    for line in lines:
        if out is not None:
            out.print(line, soft_wrap=True)
        else:
            print(line)


def _cite_items(keys: list[str], cite_all: bool, query: str | None, from_file: Path | None) -> list[dict]:
    if from_file is not None:
        from refcli import formats

        items = formats.read_path(from_file).items
        for n, item in enumerate(items):
            item.setdefault("id", f"item{n + 1}")
        if keys:
            wanted = set(keys)
            items = [i for i in items if str(i["id"]) in wanted]
        elif query:
            raise UsageError("--query works on the library, not with --from")
        if not items:
            raise UsageError(f"no works to cite in {from_file}")
        return items
    if keys:
        from refcli import index

        with index.fresh(library_path()) as idx:
            return [_get(k, idx) for k in keys]
    if query is not None or cite_all:
        items = _query([query] if query else [])
        if not items:
            raise UsageError("no works match" if query else "the library is empty")
        return items
    raise UsageError("name the works to cite: KEY…, --all, --query Q or --from FILE")


@app.command()
def styles(
    word: Annotated[Optional[str], typer.Argument(help="Part of a style's name or title.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the CSL styles refcli knows (about 2,800), or those matching WORD.

    [bold]Examples[/bold]

      refcli styles harvard
      refcli styles "american psychological"
    """
    from dataclasses import asdict

    from refcli import csl

    found = csl.list_styles(word)
    if as_json:
        _print_json([asdict(s) for s in found])
        return
    _print_table([(column, {}) for column in ("name", "title", "format", "parent")],
                 [(s.name, s.title, s.citation_format, s.parent or "") for s in found])
    _say(f"{len(found)} styles")


# ------------------------------------------------------------------ export


@app.command(context_settings=_QUERY_ARGS)
def export(
    query: Annotated[Optional[list[str]], typer.Argument(help="Export only what this search finds.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="bibtex, biblatex, csl-json or ris.")] = "bibtex",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to FILE instead of standard output.")] = None,
) -> None:
    """Export works as BibTeX, BibLaTeX, CSL-JSON or RIS.

    [bold]Examples[/bold]

      refcli export -o library.bib
      refcli export tag:thesis --format biblatex -o thesis.bib
      refcli export author:hinton --format csl-json
    """
    from refcli import formats, store
    from refcli.export import export_library

    names = {"bibtex": "bibtex", "bib": "bibtex", "biblatex": "biblatex", "csl-json": "csljson",
             "csljson": "csljson", "json": "csljson", "ris": "ris"}
    if fmt.lower() not in names:
        raise UsageError(f"unknown format '{fmt}': use bibtex, biblatex, csl-json or ris")
    if query:
        items = _query(query)
        text, count = formats.write(items, names[fmt.lower()]), len(items)
    else:
        text, count = export_library(library_path(), names[fmt.lower()])
    if output is None:
        sys.stdout.write(text)
    else:
        store.atomic_write(output, text.encode("utf-8"))
        _say(f"wrote {_count(count)} to {output}")


# ------------------------------------------------------------------ documents


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Documents: HTML, PDF, plain text or Markdown.")],
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag the documents (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print document, references and counts as JSON.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would be stored; write nothing.")] = False,
    resolve: Annotated[bool, typer.Option("--resolve", help="Complete references from DOI registries (uses the network).")] = False,
) -> None:
    """Import documents: their own metadata, their reference lists, and who cites whom.

    References already in the library are linked, not copied. Without --resolve
    nothing touches the network.

    [bold]Examples[/bold]

      refcli import paper.pdf
      refcli import landing-page.html brief.txt --tag reading
      refcli import paper.txt --dry-run --json
    """
    from refcli import importer, store
    from refcli.documents import batch
    from refcli.ingest import Ingest

    docs, failed = [], []
    # No refresh thread: the documents are read by forked workers (documents.batch).
    with _progress(len(paths) > 1 and not as_json, auto_refresh=False) as progress:
        task = progress.add_task("reading", total=len(paths)) if progress else None

        def done(_outcome: Any) -> None:
            if progress:
                progress.advance(task)
                progress.refresh()

        for outcome in batch.read_documents([str(p) for p in paths], on_done=done):
            if outcome.error is not None:
                failed.append(outcome.error)
            else:
                docs.append((outcome.path, outcome.document))
    resolver = importer.resolver_for() if resolve else None

    def run(lib: Any) -> list:
        ingest = Ingest(lib, "import")
        return [importer.store_document(ingest, doc, name, tag or [], resolver) for name, doc in docs]

    if dry_run:
        results = run(store.load(library_path()))
    else:
        with store.transaction(library_path(), message=f"import {' '.join(map(str, paths))[:200]}") as lib:
            results = run(lib)
    if as_json:
        out = [r.as_json() for r in results]
        _print_json(out[0] if len(paths) == 1 and len(out) == 1 else out)
    else:
        for r in results:
            _say_styled("[bold]{source}[/bold]: [cyan]{key}[/cyan] {title} — {refs}, {new} new,"
                        " {merged} merged{dry}", source=r.source, key=r.document["id"],
                        title=r.document.get("title") or "(untitled)", refs=_count(len(r.references), "reference"), new=r.new,
                        merged=r.merged, dry=" (dry run: nothing written)" if dry_run else "")
            for warning in r.warnings[:5]:
                _warn(warning)
    for exc in failed:
        _error(exc)
    if failed:
        raise typer.Exit(max(e.exit_code for e in failed))


def _progress(enabled: bool, auto_refresh: bool = True) -> Any:
    """A rich progress bar on stderr for long work, only when a person is watching."""
    import contextlib

    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress

    return Progress(console=_console(stderr=True), transient=True, auto_refresh=auto_refresh)


@app.command()
def refs(
    key: Annotated[str, typer.Argument(help="The citing document's key or DOI.")],
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


@app.command("cited-by")
def cited_by(
    key: Annotated[str, typer.Argument(help="The cited work's key or DOI.")],
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


@app.command()
def parse(
    texts: Annotated[Optional[list[str]], typer.Argument(help="Reference strings; none or - reads one per line from standard input.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of CSL-JSON items, one per input.")] = False,
) -> None:
    """Parse reference strings into CSL-JSON without storing anything.

    [bold]Examples[/bold]

      refcli parse "LeCun, Y., Bengio, Y., & Hinton, G. (2015). Deep learning. Nature, 521, 436–444."
      refcli parse --json < references.txt
    """
    from refcli import refparse

    if not texts or texts == ["-"]:
        lines = (line.rstrip("\r\n") for line in sys.stdin)
    else:
        lines = iter(texts)
    items = refparse.parse_references(lines)
    if as_json:
        import orjson

        # Streamed, so 10,000 lines on stdin never sit in memory twice.
        out = sys.stdout.buffer
        out.write(b"[")
        for n, item in enumerate(items):
            out.write((b",\n" if n else b"\n") + orjson.dumps(item))
        out.write(b"\n]\n")
        out.flush()
    else:
        piped = not sys.stdout.isatty()
        for n, item in enumerate(items):
            if n and piped:
                sys.stdout.write("\n")  # a blank line between works
            _print_item(item, str(item.get("type", "")))


# ------------------------------------------------------------------ doctor


@app.command()
def doctor(
    fix: Annotated[bool, typer.Option("--fix", help="Repair what can be repaired (a backup is kept; refcli undo reverts).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check the library: valid JSON, unique keys and DOIs, well-formed fields, dangling links.

    [bold]Examples[/bold]

      refcli doctor
      refcli doctor --fix
    """
    from dataclasses import asdict

    from refcli import doctor as checks
    from refcli import store

    findings = checks.check(store.load(library_path()).items)
    fixed: list[str] = []
    if fix and any(f.fixable for f in findings):
        with store.transaction(library_path(), message="doctor --fix") as lib:
            lib.items[:], fixed = checks.fix(lib.items)
            lib.reindex()
    if as_json:
        _print_json({"findings": [asdict(f) for f in findings], "fixed": fixed})
    else:
        for f in findings:
            _say_styled(("[yellow]fixable[/yellow]" if f.fixable else "[red]problem[/red]")
                        + " {kind} {key}: {message}", kind=f.kind, key=f.key or "", message=f.message)
        for line in fixed:
            _say_styled("[green]fixed[/green] {line}", line=line)
        if not findings:
            _say("library is healthy")
    remaining = [f for f in findings if not (fix and f.fixable)]
    if remaining:
        raise typer.Exit(1)


# ------------------------------------------------------------------ undo


@app.command()
def undo() -> None:
    """Undo the last change to the library (add, import, edit, tag, remove …).

    [bold]Example[/bold]

      refcli undo
    """
    from refcli import store

    change = store.undo(library_path())
    _say(f"undid: {change}")


# ------------------------------------------------------------------ sharing through git


@app.command("git-setup")
def git_setup() -> None:
    """Let git merge this library item by item (for a library kept in a git repository).

    Two people adding references on the same day then merge without conflicts;
    when both edited one work, theirs is kept in the item's custom.merged.

    [bold]Example[/bold]

      refcli --library lab/library.json git-setup
    """
    from refcli import gitmerge

    _say(gitmerge.setup(library_path(), command=_self_command()))


def _self_command() -> str:
    import shlex

    return f"{shlex.quote(sys.executable)} -m refcli"


@app.command("git-merge", hidden=True)
def git_merge(base: Path, ours: Path, theirs: Path) -> None:
    """Git merge driver: merge THEIRS into OURS using BASE (git passes %O %A %B)."""
    from refcli import gitmerge

    gitmerge.merge_files(base, ours, theirs)


# ------------------------------------------------------------------ entry point


def _error(exc: RefcliError) -> None:
    _say_styled("[red]error:[/red] {message}", message=exc)


class Interrupted(BaseException):
    """Ctrl-C, raised where Click would not turn it into a generic 'Aborted!'."""


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted()


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app(args=argv, standalone_mode=True)
    except RefcliError as exc:
        if state.debug:
            raise
        _error(exc)
        sys.exit(exc.exit_code)
    except Interrupted:
        print("refcli: interrupted; the library is as it was before this command", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # `refcli search | head`: the reader left, which is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if state.debug:
            raise
        print(f"refcli: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        sys.exit(70)
