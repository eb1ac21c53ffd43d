"""refcli's command line: parses arguments and renders; the work happens elsewhere.

Only Typer is imported at start-up. Every command imports what it needs when it
runs, so ``refcli --help`` and ``refcli search`` do not pay for citeproc,
bibtexparser or httpx.
"""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import functools
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli import settings
from refcli.errors import RefcliError, UsageError
from refcli.terminal import inert, path_text

app = typer.Typer(
    name="refcli",
    help="A command-line reference manager: add, import, search, cite and export works.\n\n"
    "The library is one CSL-JSON file (pandoc and citeproc-js read it as it is).",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion; keys etc. come from refcli.completion
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
        state.library = settings.library_path()
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
    a key like ``smith[2020]`` is not rich markup, and rich need not be imported.
    Input values inside it are made inert (``refcli.terminal``)."""
    print(inert(message, lines=True), file=sys.stderr)


_STYLE_TAG = re.compile(r"\[/?(?:bold|cyan|green|red|yellow)\]")


def _say_styled(template: str, **values: object) -> None:
    """``_say`` for a *template* with rich style tags and ``{name}`` fields for *values*.

    Where nothing would be styled (a pipe, NO_COLOR) the tags are dropped and rich,
    a fifth of a small command's run time, is not imported.
    """
    if settings.no_color() or not (os.environ.get("FORCE_COLOR") or sys.stderr.isatty()):
        _say(_STYLE_TAG.sub("", template).format(**{k: inert(v) for k, v in values.items()}))
        return
    from rich.markup import escape

    _console(stderr=True).print(template.format(**{k: escape(inert(v)) for k, v in values.items()}))


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


_ITEM_COLUMNS: list[tuple[str, dict[str, Any]]] = [("key", {"style": "cyan", "no_wrap": True}), ("author", {}), ("year", {"justify": "right"}),
                 ("title", {"ratio": 3}), ("in", {"style": "italic", "ratio": 1})]


def _print_items(items: list[dict[str, Any]], title: str | None = None) -> None:
    from refcli.keys import year_of

    _print_table(_ITEM_COLUMNS, [(str(item.get("id", "")), _first_author(item), year_of(item),
                                  str(item.get("title") or ""), str(item.get("container-title") or ""))
                                 for item in items], title)


_CELL_BREAKS = re.compile(r"[\t\r\n]+")


def _write_tsv(rows: Sequence[tuple[str, ...]]) -> None:
    sys.stdout.write("".join("\t".join(inert(_CELL_BREAKS.sub(" ", cell)) for cell in row) + "\n" for row in rows))


def _write_text(text: str) -> None:
    """A file format's text (BibTeX, RIS) on stdout: exact into a pipe or file, inert on a terminal."""
    sys.stdout.write(inert(text, lines=True) if sys.stdout.isatty() else text)


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

    table = Table(title=inert(title) if title else None, header_style="bold")
    for name, options in columns:
        table.add_column(name, **options)
    for row in rows:
        table.add_row(*(escape(inert(cell)) for cell in row))  # a title like "[Review]" is text, not markup
    _console().print(table)


# ------------------------------------------------------------------ shell completion
# Typer calls these in the completion process (refcli.completion does the work); their
# annotations tell Typer what to pass.


def _complete_keys(ctx: typer.Context, incomplete: str) -> list[str]:
    from refcli import completion

    return completion.keys(completion.library_from(ctx), incomplete)


def _complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    from refcli import completion

    return completion.tags(completion.library_from(ctx), incomplete)


def _complete_tag_changes(ctx: typer.Context, incomplete: str) -> list[str]:
    from refcli import completion

    return completion.tag_changes(completion.library_from(ctx), incomplete)


def _complete_styles(incomplete: str) -> list[str]:
    from refcli import completion

    return completion.styles(incomplete)


def _complete_formats(incomplete: str) -> list[str]:
    return [f for f in settings.EXPORT_FORMATS if f.startswith(incomplete)]


def _complete_cite_formats(incomplete: str) -> list[str]:
    return [f for f in settings.CITE_FORMATS if f.startswith(incomplete)]


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
        help="DOIs (any spelling), arXiv ids, ISBNs, pmid:N, PMCIDs, landing-page URLs,"
             " .bib/.ris/CSL-JSON files, or - for standard input.",
        metavar="SOURCE...")],
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag every added work (repeatable).", autocompletion=_complete_tags)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what happened as JSON.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Look DOIs up again even when cached.")] = False,
    attach: Annotated[Optional[Path], typer.Option("--attach", "-a", metavar="FILE", help="Keep FILE (a PDF …) with the one work added, or with the work KEY names.")] = None,
) -> None:
    """Add works by DOI, arXiv id, ISBN, PMID, PMCID or URL, or from BibTeX, RIS or CSL-JSON files.

    Identifiers are looked up in their registries (doi.org, the arXiv API, Open
    Library, NCBI PubMed) and cached; a URL's page is read for its meta tags, and
    a DOI found on it is looked up. A preprint and its published version stay two
    works, linked to each other (custom.related).

    A record of a work already in the library (same DOI in any spelling; else the
    same title, authors, year and no conflicting volume, pages or edition) is
    merged into it, losing nothing; one that only may be is added and listed by
    refcli duplicates. A DOI already in the library is looked up again to complete
    the work. Entries that cannot be read are reported (file:line) and the rest is
    added; the exit status is then 65.

    [bold]Examples[/bold]

      refcli add 10.1038/nature14539
      refcli add https://doi.org/10.1109/CVPR.2016.90 --tag thesis
      refcli add arXiv:1706.03762 isbn:9780262035613 pmid:31986264 PMC7159299
      refcli add https://www.nature.com/articles/nature14539
      refcli add zotero-export.bib mendeley.ris
      cat refs.bib | refcli add -
      refcli add --attach paper.pdf lecun2015deep
    """
    from refcli import store
    from refcli.ingest import Ingest, Report

    if attach is not None:
        if len(sources) != 1:
            raise UsageError("--attach keeps a file with one work: give one SOURCE or KEY")
        if _attach_to_existing(sources[0], attach):
            return
    batches, problems, failed = _read_sources(sources, use_cache=not no_cache)
    with store.transaction(library_path(), message=f"add {' '.join(map(path_text, sources))[:200]}") as lib:
        results = []
        # One ingest for every source: records of two files are matched against each other too.
        ingest = Ingest(lib, "add", tag or [], expected=sum(len(records) for _, records in batches))
        for source, records in batches:
            ingest.report = Report()
            for record in records:
                outcome = ingest.add(record, source)
                if len(records) == 1:  # one work by identifier: its preprint or published version
                    from refcli.versions import link_versions

                    link_versions(lib, outcome.key)
            results.append((source, ingest.report))
        keys = [o.key for _, report in results for o in report.outcomes]
        if attach is not None and len(keys) == 1:
            _attach(lib, keys[0], attach)
        elif attach is not None and not failed:
            raise UsageError(f"--attach needs exactly one work, and {sources[0]} holds {len(keys)}")
    _report_add(results, problems, failed, as_json)
    if failed:
        raise typer.Exit(max(e.exit_code for e in failed))
    if any(not p.warning for p in problems):  # the good entries are in; the status still says not everything was
        from refcli.errors import InputError

        raise typer.Exit(InputError.exit_code)


def _attach_to_existing(source: str, file: Path) -> bool:
    """``add --attach FILE KEY`` for a work already in the library; False if KEY is none."""
    from refcli import index, store

    if os.path.exists(source):
        return False
    with index.fresh(library_path()) as idx:
        if idx.get(source) is None:
            return False
    with store.transaction(library_path(), message=f"attach {file.name} to {source}") as lib:
        _attach(lib, source, file)
    return True


def _attach(lib: Any, key: str, file: Path) -> None:
    from refcli import attachments

    item = lib.get(key)
    entry = attachments.store_file(library_path(), file)
    if attachments.attach(item, entry):
        _say(f"attached {file.name} to {item['id']} ({entry['path']})")
    else:
        _say(f"{item['id']} already has this file")


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
                batches.append((path_text(name), records))  # stored: a name that is not UTF-8 is escaped
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
        from refcli import registries

        return *registries.lookup(source, library_path(), use_cache), []
    from refcli import index, resolve

    try:
        # Even for a work already in the library: the registry completes its missing fields.
        return f"doi:{doi}", [resolve.fetch(doi, use_cache=use_cache)], []
    except RefcliError:
        with index.fresh(library_path()) as idx:
            known = idx.get(doi)
        if known is None:
            raise
        # Offline, a work already in the library is simply there (its own type: no false "document").
        return f"doi:{doi}", [{"DOI": doi, "id": known["id"], "title": known.get("title"),
                               "type": known.get("type")}], []


# Merges listed by name after an add; a bulk import can merge thousands.
MERGES_SHOWN = 10


def _report_add(results: list, problems: list, failed: list[RefcliError], as_json: bool) -> None:
    if as_json:
        _print_json({
            "added": [o.key for _, r in results for o in r.outcomes if o.status == "added"],
            "merged": [{"from": o.incoming_id, "into": o.key, "fields": o.fields}
                       for _, r in results for o in r.outcomes if o.status == "merged"],
            "unchanged": [o.key for _, r in results for o in r.outcomes if o.status == "unchanged"],
            "possible_duplicates": [{"key": o.key, "of": o.maybe} for _, r in results for o in r.outcomes if o.maybe],
            "related": [{"key": o.key, "to": k, "relation": rel} for _, r in results for o in r.outcomes
                        for k, rel in o.related],
            "problems": [{"where": p.where, "message": p.message, "warning": p.warning} for p in problems],
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
            maybe = [o for o in report.outcomes if o.maybe]
            if maybe:
                _say(f"  {_count(len(maybe))} may duplicate works already there: refcli duplicates")
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
        grid.add_row(inert(field), escape(inert(text, lines=True)))
    _console().print(Panel(grid, title=f"[cyan]{escape(inert(title))}[/cyan]", title_align="left"))


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
    keys: Annotated[list[str], typer.Argument(help="Citation keys or DOIs.", autocompletion=_complete_keys)],
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
            titles = "\n".join(f"  {inert(i['id'])}: {inert(i.get('title', ''))}" for i in found)
            if not sys.stdin.isatty():
                raise UsageError("refusing to remove without --yes when not on a terminal")
            if not typer.confirm(f"Remove {len(found)} work(s)?\n{titles}\n"):
                raise typer.Exit(1)
        for item in found:
            lib.remove(item["id"])
            for other in lib.citing(item["id"]):  # a removed work leaves no dangling "cites" link
                other["custom"]["cites"] = [c for c in other["custom"]["cites"] if c != item["id"]]
    _say(f"removed {', '.join(inert(i['id']) for i in found)}")


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": False})
def tag(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)],
    changes: Annotated[Optional[list[str]], typer.Argument(help="+tag adds, -tag removes.", metavar="[+TAG|-TAG]...", autocompletion=_complete_tag_changes)] = None,
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
    print(inert(" ".join(tags)))


@app.command()
def edit(key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)]) -> None:
    """Edit a work's CSL-JSON in $EDITOR; the result is checked before it is saved.

    Only the fields you changed are saved, into the work as it is then: a tag or DOI
    another command added meanwhile is kept; a field changed both ways saves nothing.

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
    from refcli.update import mark_edited

    mark_edited(item, edited)  # refcli update never overwrites what was changed by hand
    with store.transaction(library_path(), message=f"edit {item['id']}") as lib:
        current = lib.get(item["id"])
        if current is None:
            raise NotFoundError(f"'{item['id']}' was removed while you edited it")
        merged = editing.merge_edit(item, edited, current)  # keeps what others changed meanwhile
        current.clear()
        current.update(merged)
        lib.reindex()
    _say(f"saved {item['id']}")


# ------------------------------------------------------------------ cite and styles


@app.command()
def cite(
    keys: Annotated[Optional[list[str]], typer.Argument(help="Keys or DOIs, or citations in pandoc's syntax ('\\[see @key, p. 33; @other]', '@key \\[p. 4]', '\\[-@key]'); each such argument is one citation, in order.", autocompletion=_complete_keys)] = None,
    style: Annotated[Optional[str], typer.Option("--style", "-s", help="CSL style name (see refcli styles) or .csl file (default: config 'style', else apa).", show_default=False, autocompletion=_complete_styles)] = None,
    locale: Annotated[Optional[str], typer.Option("--locale", "-l", help="Locale such as en-US, de-DE (default: the style's).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="terminal, text, html, markdown or latex.", autocompletion=_complete_cite_formats)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each citation, per-item citations and entries as JSON.")] = False,
    citation_only: Annotated[bool, typer.Option("--citation-only", help="Print only the citations.")] = False,
    bibliography_only: Annotated[bool, typer.Option("--bibliography-only", help="Print only the bibliography.")] = False,
    cite_all: Annotated[bool, typer.Option("--all", help="Cite every work (of the library, the --query or the --from file).")] = False,
    query: Annotated[Optional[str], typer.Option("--query", "-q", help="Cite the works a search finds.")] = None,
    from_file: Annotated[Optional[Path], typer.Option("--from", help="Format the works of a CSL-JSON, BibTeX or RIS file instead of the library.")] = None,
) -> None:
    r"""Format citations and bibliography entries with a CSL style.

    Bare keys make one citation of them all.  In pandoc's syntax each argument
    is a citation (note styles put each in a note of its own and print
    ibid./short notes as Zotero does): a prefix before @, a locator after a
    comma (p., pp., chap., sec., fig., vol., para., §, … or a bare page
    number), the rest a suffix; '@key \[p. 4]' puts the author in the text,
    '\[-@key]' leaves the author out.  A work that cannot be formatted is
    named on stderr with the field that broke it (exit 65); the rest is printed.

    [bold]Examples[/bold]

      refcli cite lecun2015deep he2016deep --style apa
      refcli cite "\[see @lecun2015deep, p. 33; @he2016deep, chap. 2]"
      refcli cite "@lecun2015deep \[p. 437]" "\[-@he2016deep]" --style chicago-author-date
      refcli cite "\[@lecun2015deep, p. 436]" "\[@lecun2015deep, p. 437]" --style chicago-notes-bibliography
      refcli cite lecun2015deep --style ieee --format html
      refcli cite --all --query tag:thesis --style chicago-author-date
      refcli cite --from refs.bib --all --style modern-language-association
    """
    from refcli import cite as citing

    style, locale = settings.cite_style(style), settings.cite_locale(locale)
    clusters = citing.clusters_from_args(keys, locale) if keys else None
    items, by_key, unreadable = _cite_items(citing.cited_keys(clusters) if clusters else [], cite_all, query,
                                            from_file)
    _warn_retracted(items)
    if clusters is None:
        clusters = [{"citationItems": [{"id": str(i["id"])} for i in items], "properties": {}}]
    for cluster in clusters:
        for c in cluster["citationItems"]:
            c["id"] = by_key.get(c["id"], c["id"])
    plain = as_json or not sys.stdout.isatty() or settings.no_color()
    fmt = settings.cite_format(fmt, plain)
    if fmt not in ("terminal", "text", "html", "markdown", "latex"):
        raise UsageError(f"unknown format '{fmt}': use terminal, text, html, markdown or latex")
    engine_fmt = "rich" if fmt == "terminal" else fmt
    # Render only what is printed: 1,000 single citations are wasted work without --json.
    parts = None if as_json else [part for part, skip in (("clusters", bibliography_only),
                                                           ("bibliography", citation_only)) if not skip]
    result = citing.render_clusters(items, style, clusters, locale, engine_fmt, parts=parts)
    for error in result["errors"]:
        field = f" (field {error['field']})" if error.get("field") else ""
        _say_styled("[red]error:[/red] item {id}{field}: {message}; left out",
                    id=error["id"], field=field, message=error["message"])
    if as_json:
        _print_json({
            "citation": result["clusters"][0] if result["clusters"] else "",
            "clusters": [{"input": c.get("input", " ".join(x["id"] for x in c["citationItems"])),
                          "citation": text, "note": note or None}
                         for c, text, note in zip(clusters, result["clusters"], result["notes"], strict=True)],
            "citations": result["citations"], "bibliography": result["bibliography"],
            "errors": result["errors"]})
    else:
        _print_cite_result(result, fmt, bibliography_only, citation_only)
    if result["errors"] or unreadable:
        from refcli.errors import InputError

        raise typer.Exit(InputError.exit_code)


def _print_cite_result(result: dict[str, Any], fmt: str, bibliography_only: bool, citation_only: bool) -> None:
    out = _console() if fmt == "terminal" else None
    lines = []
    if not bibliography_only:
        lines += [f"{note}. {text}" if note else text for text, note in zip(result["clusters"], result["notes"], strict=True)]
    if not citation_only and result["bibliography"]:
        if lines:
            lines.append("")
        lines.extend(entry["text"] for entry in result["bibliography"])
    for line in lines:
        if out is not None:
            out.print(inert(line, lines=True), soft_wrap=True)
        else:
            print(inert(line, lines=True))


def _warn_retracted(items: list[dict]) -> None:
    from refcli.corrections import retraction_note

    for item in items:
        note = retraction_note(item)
        if note:
            _warn(f"{item.get('id')} has been {note}")


def _cite_items(keys: list[str], cite_all: bool, query: str | None,
                from_file: Path | None) -> tuple[list[dict], dict[str, str], int]:
    """The works to format, each key or DOI asked for -> its item's id, and how
    many entries of the --from file could not be read (each named on stderr)."""
    if from_file is not None:
        from refcli import cite as citing
        from refcli import formats

        read = formats.read_path(from_file)
        for problem in read.problems:  # an entry that cannot be read is named, never silently missing
            _say_styled("[yellow]warning:[/yellow] {where}: {message}" if problem.warning
                        else "[red]error:[/red] {where}: {message}", where=problem.where, message=problem.message)
        unreadable = sum(1 for problem in read.problems if not problem.warning)
        items = read.items
        for n, item in enumerate(items):
            item.setdefault("id", f"item{n + 1}")
        items, duplicates = citing.first_of_each_id(items)
        for warning in duplicates:
            _warn(f"{from_file}: {warning}")
        if keys:
            by_id = {str(i["id"]).lower(): i for i in items}
            missing = [k for k in keys if k.lower() not in by_id]
            if missing:
                from refcli.errors import NotFoundError

                raise NotFoundError(f"no work with key '{missing[0]}' in the file", str(from_file))
            return ([by_id[k.lower()] for k in dict.fromkeys(k.lower() for k in keys)],
                    {k: str(by_id[k.lower()]["id"]) for k in keys}, unreadable)
        if query:
            raise UsageError("--query works on the library, not with --from")
        if not items:
            raise UsageError(f"no works to cite in {from_file}")
        return items, {}, unreadable
    if keys:
        from refcli import index

        with index.fresh(library_path()) as idx:
            found = {k: _get(k, idx) for k in keys}
        items = list({str(i["id"]): i for i in found.values()}.values())
        return items, {k: str(i["id"]) for k, i in found.items()}, 0
    if query is not None or cite_all:
        items = _query([query] if query else [])
        if not items:
            raise UsageError("no works match" if query else "the library is empty")
        return items, {}, 0
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
    query: Annotated[Optional[list[str]], typer.Argument(help="Keys to export, or a search whose works to export.", autocompletion=_complete_keys)] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="bibtex, biblatex, csl-json, csl-yaml or ris (default: config 'export-format', else bibtex).", autocompletion=_complete_formats)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to FILE instead of standard output.")] = None,
    cited_in: Annotated[Optional[list[Path]], typer.Option(
        "--cited-in", "-c", metavar="FILE",
        help="Export what a manuscript cites: a LaTeX .aux or .tex file, or a pandoc Markdown draft (repeatable).")] = None,
    unicode: Annotated[bool, typer.Option("--unicode", help="BibTeX/BibLaTeX: keep UTF-8 characters (biber with XeLaTeX/LuaLaTeX) instead of LaTeX macros for pdflatex.")] = False,
) -> None:
    """Export works as BibTeX, BibLaTeX, CSL-JSON, CSL-YAML or RIS: all, a search, some
    keys, or what a manuscript cites.

    BibTeX and BibLaTeX are written for plain pdflatex: accents as LaTeX macros,
    Greek, symbols and sub/superscripts as math; characters pdflatex cannot set
    (CJK, Hebrew...) are transliterated. --unicode keeps them as UTF-8.

    With --cited-in, keys a work was merged or renamed from are exported under the
    key the manuscript uses, crossref parents come along, and keys the library does
    not hold are listed with close suggestions (exit status 3, the rest is written).

    [bold]Examples[/bold]

      refcli export -o library.bib
      refcli export --format biblatex --unicode -o library.bib
      refcli export --format csl-yaml -o references.yaml
      refcli export tag:thesis --format biblatex -o thesis.bib
      refcli export lecun2015deep he2016deep
      refcli export --cited-in thesis.aux -o thesis.bib
      refcli export --cited-in draft.md --format csl-json -o refs.json
    """
    from refcli import formats, store
    from refcli.export import export_library
    from refcli.sync import format_name

    writer = format_name(settings.export_format(fmt))
    chosen = None
    if cited_in:
        if query:
            raise UsageError("give either --cited-in or keys/a search, not both")
        from refcli.selection import select_cited

        chosen = select_cited(library_path(), cited_in)
    elif query:
        from refcli.selection import as_key_list, select_keys

        keys = as_key_list(query, library_path())
        if keys is not None:
            chosen = select_keys(library_path(), keys)
    if chosen is not None:
        text, count = formats.write(chosen.items, writer, unicode), len(chosen.items)
    elif query:
        from refcli import index
        from refcli.export import with_crossref_parents

        items = _query(query)
        if writer in ("bibtex", "biblatex"):
            with index.fresh(library_path()) as idx:
                items = with_crossref_parents(items, idx.get)
        text, count = formats.write(items, writer, unicode), len(items)
    else:
        text, count = export_library(library_path(), writer, unicode)
    if output is None:
        _write_text(text)
    else:
        store.atomic_write(output, text.encode("utf-8"))
        _say(f"wrote {_count(count)} to {output}")
    if chosen is not None:
        _report_selection(chosen)


def _report_selection(chosen: Any) -> None:
    """Warnings about a key list or a manuscript's citations; exit 3 if keys are missing."""
    for warning in chosen.warnings:
        _warn(warning)
    _warn_retracted([i for i in chosen.items if i["id"] in chosen.retracted])
    for key, close in chosen.missing:
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        _warn(f"'{key}' is not in the library{hint}")
    if chosen.missing:
        _say(f"{_count(len(chosen.missing), 'key')} not found")
        from refcli.errors import NotFoundError

        raise typer.Exit(NotFoundError.exit_code)


# ------------------------------------------------------------------ documents


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Documents: HTML, PDF, plain text or Markdown.")],
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag the documents (repeatable).", autocompletion=_complete_tags)] = None,
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
                docs.append((path_text(outcome.path), outcome.document, Path(outcome.path)))
    resolver = importer.resolver_for() if resolve else None

    def run(lib: Any) -> list:
        ingest = Ingest(lib, "import")
        stored = [importer.store_document(ingest, doc, name, tag or [], resolver) for name, doc, _ in docs]
        if not dry_run:  # the document's own file is kept with it (refcli open KEY)
            from refcli import attachments

            # the file itself, not its shown name (a name that is not UTF-8 is escaped there)
            for result, (_, _, path) in zip(stored, docs, strict=True):
                attachments.attach(result.document, attachments.store_file(library_path(), path))
        return stored

    if dry_run:
        results = run(store.load(library_path()))
    else:
        with store.transaction(library_path(), message=f"import {' '.join(map(path_text, paths))[:200]}") as lib:
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
    for problem in failed:
        _error(problem)
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


@app.command("cited-by")
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

    lines: Iterator[str]
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

    path = library_path()
    # Damaged lines first: until they are repaired no reader can load the library.
    findings = checks.damage(store.read_bytes(path))
    fixed: list[str] = []
    if fix and findings and all(f.fixable for f in findings):
        fixed = checks.repair_damage(path)
    if not findings or fixed:
        loaded = store.load(path).items
        findings += checks.check(loaded) + _missing_files(loaded)
    if fix and any(f.fixable and f.kind != "damaged-line" for f in findings):
        with store.transaction(path, message="doctor --fix") as lib:
            lib.items[:], repaired = checks.fix(lib.items)
            lib.reindex()
        fixed += repaired
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


def _missing_files(items: list[dict]) -> list[Any]:
    from refcli import attachments
    from refcli.doctor import Finding

    return [Finding("missing-file", key, f"attached file {path} is missing", False)
            for key, path in attachments.missing(library_path(), items)]


# ------------------------------------------------------------------ undo


@app.command()
def undo(
    force: Annotated[bool, typer.Option("--force", help="Undo even when the library was changed outside refcli since (that change is dropped too; the current file is kept as a backup).")] = False,
) -> None:
    """Undo the last change refcli made to the library (add, import, edit, tag, remove …).

    A library changed by something else since (a hand edit, git pull) is left as it
    is unless --force.

    [bold]Examples[/bold]

      refcli undo
      refcli undo --force
    """
    from refcli import store

    change = store.undo(library_path(), force=force)
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


# ------------------------------------------------------------------ config

config_app = typer.Typer(
    help="Read and change refcli's settings (config.toml in the user config dir).\n\n"
    "Options and REFCLI_* environment variables override the file. refcli's own keys: "
    + ", ".join(settings.KNOWN) + "; other modules' settings are table.name.",
    no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("list")
def config_list(as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False) -> None:
    """Print every setting in the config file, one `key = value` a line.

    [bold]Examples[/bold]

      refcli config list
      refcli config list --json
    """
    values = settings.flat()
    if as_json:
        _print_json(values)
        return
    for key, value in values.items():
        print(f"{key} = {settings.toml_value(value)}")


@config_app.command("get")
def config_get(key: Annotated[str, typer.Argument(help="A key such as style or table.name.")]) -> None:
    """Print one setting's value from the config file (exit 3 when it is not set).

    [bold]Examples[/bold]

      refcli config get style
    """
    value = settings.get(key)
    if value is None:
        from refcli.errors import NotFoundError

        raise NotFoundError(f"'{key}' is not set in {settings.config_path()}")
    print(value if isinstance(value, str) else settings.toml_value(value))


@config_app.command("set")
def config_set(
    key: Annotated[str, typer.Argument(help="A key such as style or table.name.")],
    value: Annotated[str, typer.Argument(help="The value (true, false and numbers are read as such).")],
) -> None:
    """Set one setting in the config file (its comments are not kept).

    [bold]Examples[/bold]

      refcli config set style chicago-author-date
      refcli config set key-template "{author}{year}"
      refcli config set library ~/papers/library.json
    """
    if key == "key-template":
        from refcli.keys import template_error

        error = template_error(value)
        if error:
            raise UsageError(f"key-template {value!r} {error}")
    _say(f"set {key} in {settings.set_value(key, value)}")


@config_app.command("unset")
def config_unset(key: Annotated[str, typer.Argument(help="A key such as style or table.name.")]) -> None:
    """Remove one setting from the config file (back to the default).

    [bold]Examples[/bold]

      refcli config unset style
    """
    _say(f"unset {key} in {settings.set_value(key, None)}")


@config_app.command("path")
def config_path() -> None:
    """Print the config file's path (which need not exist yet)."""
    print(settings.config_path())


# ------------------------------------------------------------------ files and notes


@app.command("open")
def open_(key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)]) -> None:
    """Open a work's attached file with the system's viewer (else its DOI or URL in the browser).

    [bold]Examples[/bold]

      refcli open lecun2015deep
      REFCLI_OPENER=evince refcli open lecun2015deep
    """
    import subprocess

    from refcli import attachments

    target = attachments.open_target(library_path(), _get(key))
    command = attachments.opener()
    try:
        subprocess.Popen([*command, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise UsageError(f"cannot run '{command[0]}': {exc.strerror}") from None
    _say(f"opening {target}")


@app.command()
def note(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)],
    show: Annotated[bool, typer.Option("--show", help="Print the note instead of editing it.")] = False,
) -> None:
    """Write a Markdown note on a work in $EDITOR; bare search words find it.

    [bold]Examples[/bold]

      refcli note lecun2015deep
      refcli note lecun2015deep --show
      refcli search backpropagation      # finds works whose note mentions it
    """
    from refcli import notes, store
    from refcli.errors import NotFoundError

    item = _get(key)
    if show:
        text = (item.get("custom") or {}).get("notes")
        if not text:
            raise NotFoundError(f"{item['id']} has no note (refcli note {item['id']} writes one)")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    text = notes.edit_note(item)
    if text is None:
        _say("no change")
        return
    with store.transaction(library_path(), message=f"note {item['id']}") as lib:
        current = lib.get(item["id"])
        if current is None:
            raise NotFoundError(f"'{item['id']}' was removed while you wrote the note")
        notes.set_note(current, text)
    _say(f"saved the note on {item['id']}")


# ------------------------------------------------------------------ pick


@app.command(context_settings=_QUERY_ARGS)
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


# ------------------------------------------------------------------ update


@app.command(context_settings=_QUERY_ARGS)
def update(
    terms: Annotated[Optional[list[str]], typer.Argument(
        help="Keys, or a search; none: every work with a DOI, arXiv id, PMID or ISBN.",
        autocompletion=_complete_keys)] = None,
    apply_: Annotated[bool, typer.Option("--apply", help="Take the new values (replaced ones are kept in custom.merged).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Compare works with their registries now (doi.org, arXiv, PubMed, Open Library).

    Shows what differs, field by field; --apply takes it. A replaced value is kept
    in custom.merged, and a field you changed with refcli edit is never overwritten.
    Corrections and retractions the registry records are stored too.

    [bold]Examples[/bold]

      refcli update lecun2015deep
      refcli update tag:thesis --apply
      refcli update --json
    """
    from refcli import store
    from refcli import update as updating

    works = _update_targets(terms or [])
    results = [updating.check(item) for item in works]
    applied: dict[str, list[str]] = {}
    if apply_ and any(r.changes or r.custom for r in results):
        with store.transaction(library_path(), message=f"update {' '.join(terms or [])[:200]}") as lib:
            when = store.now_iso()
            for result in results:
                item = lib.get(result.key)
                if item is not None and not result.error:
                    applied[result.key] = updating.apply(item, result, when)
    if as_json:
        _print_json([{"key": r.key, "identifier": r.identifier, "error": r.error, "applied": applied.get(r.key, []),
                      "changes": [{"field": c.field, "old": c.old, "new": c.new, "edited_by_hand": c.by_hand}
                                  for c in r.changes], **r.custom} for r in results])
    else:
        for r in results:
            if r.error:
                _warn(f"{r.key}: {r.error}")
                continue
            if not r.changes:
                print(f"{r.key}: up to date ({r.identifier})")
            for c in r.changes:
                mark = " (edited by hand: kept)" if c.by_hand else ""
                print(f"{r.key}: {c.field}: {_field_text(c.old) if c.old is not None else '(none)'}"
                      f" -> {_field_text(c.new)}{mark}")
            if "retracted" in r.custom:
                from refcli.corrections import retraction_note

                _warn(f"{r.key} has been {retraction_note({'custom': r.custom})}")
        if applied:
            _say(f"updated {_count(sum(1 for fields in applied.values() if fields))}")
        elif any(r.changes for r in results) and not apply_:
            _say("nothing changed: refcli update --apply takes these values")
    if any(r.error for r in results):
        from refcli.errors import NetworkError

        raise typer.Exit(NetworkError.exit_code)


def _update_targets(terms: list[str]) -> list[dict]:
    from refcli import index
    from refcli.selection import as_key_list
    from refcli.update import identifier

    keys = as_key_list(terms, library_path()) if terms else None
    if keys is not None:
        with index.fresh(library_path()) as idx:
            return [_get(k, idx) for k in keys]
    works = [i for i in _query(terms) if identifier(i)]
    if not works:
        raise UsageError("no works with a DOI, arXiv id, PMID or ISBN match")
    return works


# ------------------------------------------------------------------ rename


@app.command()
def rename(
    old: Annotated[str, typer.Argument(help="The work's key (or DOI).", autocompletion=_complete_keys)],
    new: Annotated[str, typer.Argument(help="Its new key.")],
) -> None:
    """Give a work a new key; the old one keeps working as an alias.

    Manuscripts that cite the old key still compile (export --cited-in exports the
    work under the key they use), and links from other works follow the new key.

    [bold]Examples[/bold]

      refcli rename lecun2015deep LeCun2015
      refcli rename 10.1038/nature14539 deeplearning2015
    """
    from refcli import store
    from refcli.rename import rename as rename_work

    with store.transaction(library_path(), message=f"rename {old} {new}") as lib:
        item = rename_work(lib, old, new)
    _say(f"renamed {', '.join(item['custom']['aliases'][-1:])} to {item['id']} (the old key stays an alias)")


# ------------------------------------------------------------------ sync

sync_app = typer.Typer(
    help="Keep exported files (a thesis's .bib) in step with the library: every change\n"
    "to the library rewrites them. With no subcommand: list them and rewrite them now.",
    invoke_without_command=True)
app.add_typer(sync_app, name="sync")


@sync_app.callback()
def sync_main(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the registrations and what was written as JSON.")] = False,
) -> None:
    """List the synced files and rewrite those whose content changed.

    [bold]Examples[/bold]

      refcli sync
      refcli sync add thesis.bib --format biblatex --cited-in thesis.aux
      refcli sync add lab.bib --query tag:lab
      refcli sync remove thesis.bib
    """
    if ctx.invoked_subcommand is not None:
        return
    from refcli import sync

    outcomes = sync.write_all(library_path())
    _report_sync(outcomes, as_json)


def _report_sync(outcomes: list, as_json: bool) -> None:
    from refcli import sync

    if as_json:
        _print_json([sync.as_json(o) for o in outcomes])
    else:
        if not outcomes:
            _say("no synced files (refcli sync add FILE registers one)")
        for o in outcomes:
            if o.status == "failed":
                _error(RefcliError(o.message))
            else:
                print(f"{o.target.describe()}: {_count(o.count)}, {o.status}")
            for key in o.missing:
                _warn(f"'{key}' is cited but not in the library")
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise typer.Exit(74)


@sync_app.command("add")
def sync_add(
    output: Annotated[Path, typer.Argument(help="The file to keep in sync (created or replaced).")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="bibtex, biblatex, csl-json or ris (default: config 'export-format', else bibtex).", autocompletion=_complete_formats)] = None,
    cited_in: Annotated[Optional[list[Path]], typer.Option("--cited-in", "-c", metavar="FILE", help="Only what these manuscripts cite (.aux, .tex, Markdown; repeatable).")] = None,
    query: Annotated[Optional[str], typer.Option("--query", "-q", help="Only what this search finds.")] = None,
) -> None:
    """Register a file to rewrite after every change to the library, and write it now.

    [bold]Examples[/bold]

      refcli sync add thesis.bib --format biblatex --cited-in thesis.aux
      refcli sync add refs.json --format csl-json --cited-in draft.md
      refcli sync add thesis.bib --query tag:thesis
    """
    from refcli import sync

    target = sync.register(library_path(), output, settings.export_format(fmt), cited_in or [], query)
    _say(f"registered {target.describe()}")
    _report_sync([sync.write_target(library_path(), target)], as_json=False)


@sync_app.command("remove")
def sync_remove(output: Annotated[Path, typer.Argument(help="A synced file (the file itself is kept).")]) -> None:
    """Stop keeping a file in sync (the file stays as it is).

    [bold]Example[/bold]

      refcli sync remove thesis.bib
    """
    from refcli import sync

    target = sync.unregister(library_path(), output)
    _say(f"no longer synced: {target.path}")


# ------------------------------------------------------------------ duplicates


@app.command()
def duplicates(
    query: Annotated[Optional[list[str]], typer.Argument(
        help="Only pairs where a work has these words (key, title, authors); with --not, two keys.",
        metavar="[QUERY]...")] = None,
    distinct: Annotated[bool, typer.Option("--not", help="Remember that the two works KEY KEY are distinct.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pairs as JSON.")] = False,
) -> None:
    """List possible duplicates with their score and the evidence for and against.

    A work that may duplicate another is added on its own and listed here; merge
    it (refcli merge) or dismiss the pair for good (--not).

    [bold]Examples[/bold]

      refcli duplicates
      refcli duplicates lecun --json
      refcli duplicates --not smith2020deep smith2020deepa
    """
    from refcli import review, store

    if distinct:
        if len(query or []) != 2:
            raise UsageError("--not takes two keys: refcli duplicates --not KEY KEY")
        a, b = query or []
        with store.transaction(library_path(), message=f"duplicates --not {a} {b}") as lib:
            ka, kb = review.mark_distinct(lib, a, b, store.now_iso())
        if as_json:
            _print_json({"distinct": [ka, kb]})
        else:
            _say(f"{ka} and {kb} are distinct works: not proposed again")
        return
    items = store.load(library_path()).items
    pairs = review.matching_query(review.find_pairs(items), items, query or [])
    titles = {str(i.get("id")): str(i.get("title") or "") for i in items}
    if as_json:
        _print_json([p.as_json(titles) for p in pairs])
        return
    lines = []
    for p in pairs:
        d = p.decision
        lines.append(f"{d.score:.2f} {p.a} ~ {p.b} ({'same work' if d.verdict == 'same' else 'possible duplicate'})")
        lines.append(f"  {titles.get(p.a, '')[:70]}  |  {titles.get(p.b, '')[:70]}")
        if d.evidence_for:
            lines.append("  for: " + ", ".join(d.evidence_for))
        if d.evidence_against:
            lines.append("  against: " + ", ".join(d.evidence_against))
    # Library text never reaches the terminal as control characters.
    sys.stdout.write("".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", line) + "\n" for line in lines))
    if not pairs:
        _say("no possible duplicates")


@app.command("merge")
def merge_cmd(
    keep: Annotated[str, typer.Argument(help="The work to keep (key or DOI).")],
    others: Annotated[list[str], typer.Argument(help="Works to merge into it.", metavar="OTHER...")],
    as_json: Annotated[bool, typer.Option("--json", help="Print what happened as JSON.")] = False,
) -> None:
    """Merge works by hand: every field is kept, the other keys become aliases.

    Values that conflict stay in custom.merged; refcli unmerge splits a work off again.

    [bold]Examples[/bold]

      refcli merge smith2020deep smith2020deepa
      refcli merge lecun2015deep lecun2015deepa lecun2015deepb --json
    """
    from refcli import review, store

    with store.transaction(library_path(), message=f"merge {keep} {' '.join(others)[:200]}") as lib:
        kept, done = review.merge_works(lib, keep, others, store.now_iso())
    if as_json:
        _print_json({"kept": kept, "merged": [{"key": k, "fields": f} for k, f in done]})
    else:
        for key, _ in done:
            _say_styled("merged [cyan]{key}[/cyan] into [cyan]{kept}[/cyan]", key=key, kept=kept)


@app.command()
def unmerge(
    key: Annotated[str, typer.Argument(help="The merged work (key or DOI).")],
    alias: Annotated[str, typer.Argument(help="The key of the record to split off (one of its aliases).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the restored work as JSON.")] = False,
) -> None:
    """Split a record merged into a work back out as a work of its own.

    [bold]Examples[/bold]

      refcli unmerge smith2020deep smith2020deepa
    """
    from refcli import review, store

    with store.transaction(library_path(), message=f"unmerge {key} {alias}") as lib:
        restored, how = review.unmerge(lib, key, alias, store.now_iso())
    if as_json:
        _print_json({"restored": restored, "from": how})
    else:
        _say_styled("restored [cyan]{alias}[/cyan] as a work of its own (from its {how})",
                    alias=str(restored["id"]), how="backup" if how == "backup" else "merge record")


# ------------------------------------------------------------------ entry point


def _error(exc: RefcliError) -> None:
    _say_styled("[red]error:[/red] {message}", message=exc)


class Interrupted(BaseException):
    """Ctrl-C, raised where Click would not turn it into a generic 'Aborted!'."""


def _interrupt(signum: int, frame: Any) -> None:
    # Raised inside an import, the exception can reach an extension module's init,
    # and orjson's then crashes the interpreter (SIGSEGV instead of exit 130): an
    # interrupt arriving during an import is raised once the import is done.
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            signal.signal(signal.SIGALRM, _interrupt)
            signal.setitimer(signal.ITIMER_REAL, 0.005)
            return
        frame = frame.f_back
    raise Interrupted()


def _rewrite_synced_files(library: Path) -> None:
    from refcli import sync

    sync.after_save(library)


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGINT, _interrupt)
    from refcli import hooks

    if _rewrite_synced_files not in hooks.AFTER_SAVE:  # every save rewrites `refcli sync` files
        hooks.AFTER_SAVE.append(_rewrite_synced_files)
    try:
        app(args=argv, prog_name="refcli", standalone_mode=True)
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
        print(inert(f"refcli: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"),
              file=sys.stderr)
        sys.exit(70)
