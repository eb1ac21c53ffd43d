"""Shell completion callbacks. Typer calls these in the completion process (refcli.completion
does the work); their annotations tell Typer what to pass."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import typer

from refcli import settings


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
