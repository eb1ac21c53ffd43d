"""refcli's command line: parses arguments and renders; the work happens elsewhere."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def version() -> None:
    """Print refcli's version."""
    from refcli import __version__

    print(__version__)


def main() -> None:
    app()
