"""`refcli config`: read and change the settings file."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
from typing import Annotated

import typer

from refcli import settings
from refcli.cli.output import _print_json, _say
from refcli.errors import UsageError

config_app = typer.Typer(
    help="Read and change refcli's settings (config.toml in the user config dir).\n\n"
    "Options and REFCLI_* environment variables override the file. refcli's own keys: "
    + ", ".join(settings.KNOWN) + "; other modules' settings are table.name.",
    no_args_is_help=True)


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
