"""Formatting citations: cite and styles."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli import settings
from refcli.cli.common import _get, _query, library_path
from refcli.cli.completion import _complete_cite_formats, _complete_keys, _complete_styles
from refcli.cli.output import (
    _console,
    _print_json,
    _print_table,
    _say,
    _say_styled,
    _warn,
    _warn_retracted,
)
from refcli.errors import UsageError
from refcli.terminal import inert


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
