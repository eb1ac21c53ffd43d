"""Rendering: the consoles, messages, tables, TSV and JSON printing; nothing here decides anything."""

import functools
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from refcli import settings
from refcli.errors import RefcliError
from refcli.terminal import inert


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
    rich (slow to import and lay out) is not loaded. The title goes to stderr."""
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


def _warn_retracted(items: list[dict]) -> None:
    from refcli.corrections import retraction_note

    for item in items:
        note = retraction_note(item)
        if note:
            _warn(f"{item.get('id')} has been {note}")


def _error(exc: RefcliError) -> None:
    _say_styled("[red]error:[/red] {message}", message=exc)
