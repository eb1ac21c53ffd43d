"""Commands about files: export, import, parse, open, note, sync."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli import settings
from refcli.cli.common import _get, _progress, _query, library_path
from refcli.cli.completion import _complete_formats, _complete_keys, _complete_tags
from refcli.cli.output import (
    _count,
    _error,
    _print_item,
    _print_json,
    _say,
    _say_styled,
    _warn,
    _warn_retracted,
    _write_text,
)
from refcli.errors import RefcliError, UsageError
from refcli.terminal import path_text


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
    (CJK, Hebrew...) are transliterated, with a warning naming the entry, the field and
    what was written. --unicode keeps them as UTF-8.

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
    written: list[dict] | None = None  # the works written, when not the whole library
    if chosen is not None:
        written = chosen.items
        text, count = formats.write(chosen.items, writer, unicode), len(chosen.items)
    elif query:
        from refcli import index
        from refcli.export import with_crossref_parents

        items = _query(query)
        if writer in ("bibtex", "biblatex"):
            with index.fresh(library_path()) as idx:
                items = with_crossref_parents(items, idx.get)
        written = items
        text, count = formats.write(items, writer, unicode), len(items)
    else:
        text, count = export_library(library_path(), writer, unicode)
    if writer in ("bibtex", "biblatex") and not unicode:
        from refcli.formats import translit

        biblatex = writer == "biblatex"
        for line in (translit.transliterations(written, biblatex) if written is not None
                     else translit.library_transliterations(library_path(), biblatex)):
            _warn(line)
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

    if dry_run:
        results = importer.store_documents(store.load(library_path()), docs, tag or [], resolver)
    else:
        with store.transaction(library_path(), message=f"import {' '.join(map(path_text, paths))[:200]}") as lib:
            results = importer.store_documents(lib, docs, tag or [], resolver, library_path())
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


sync_app = typer.Typer(
    help="Keep exported files (a thesis's .bib) in step with the library: every change\n"
    "to the library rewrites them. With no subcommand: list them and rewrite them now.",
    invoke_without_command=True)


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
