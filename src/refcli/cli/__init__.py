"""refcli's command line: parses arguments and renders; the work happens elsewhere.

Only Typer is imported at start-up. Every command imports what it needs when it
runs, so ``refcli --help`` and ``refcli search`` do not pay for citeproc,
bibtexparser or httpx.
"""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli.cli import cite, config, files, git, library, query
from refcli.cli.common import _QUERY_ARGS, state
from refcli.cli.output import _error
from refcli.errors import RefcliError
from refcli.terminal import inert

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


# The commands, in the order --help lists them. A new command is a function in the module
# of its concern, registered here.
app.command()(library.add)
app.command(context_settings=_QUERY_ARGS)(query.search)
app.command()(query.show)
app.command()(library.remove)
app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": False})(library.tag)
app.command()(library.edit)
app.command()(cite.cite)
app.command()(cite.styles)
app.command(context_settings=_QUERY_ARGS)(files.export)
app.command("import")(files.import_)
app.command()(query.refs)
app.command("cited-by")(query.cited_by)
app.command()(files.parse)
app.command()(library.doctor)
app.command()(library.undo)
app.command("git-setup")(git.git_setup)
app.command("git-merge", hidden=True)(git.git_merge)
app.command("open")(files.open_)
app.command()(files.note)
app.command(context_settings=_QUERY_ARGS)(query.pick)
app.command(context_settings=_QUERY_ARGS)(library.update)
app.command()(library.rename)
app.command()(library.duplicates)
app.command("merge")(library.merge_cmd)
app.command()(library.unmerge)
app.add_typer(config.config_app, name="config")
app.add_typer(files.sync_app, name="sync")


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
