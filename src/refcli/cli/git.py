"""Sharing the library through git: git-setup and the merge driver."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import sys
from pathlib import Path

from refcli.cli.common import library_path
from refcli.cli.output import _say


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


def git_merge(base: Path, ours: Path, theirs: Path) -> None:
    """Git merge driver: merge THEIRS into OURS using BASE (git passes %O %A %B)."""
    from refcli import gitmerge

    gitmerge.merge_files(base, ours, theirs)
