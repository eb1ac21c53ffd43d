"""Errors that reach the user as one line and an exit code, never a traceback."""

from __future__ import annotations


class RefcliError(Exception):
    """An error with a message fit for the user.

    ``where`` names the place (``file.bib:12``, ``entry smith2020``) so the CLI can
    print ``where: message`` on one line.
    """

    exit_code = 1

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UsageError(RefcliError):
    """The command line itself is wrong (unknown key, bad option value)."""

    exit_code = 2


class InputError(RefcliError):
    """An input file or string cannot be read."""

    exit_code = 65  # EX_DATAERR


class NetworkError(RefcliError):
    """The resolver could not be reached or answered badly."""

    exit_code = 69  # EX_UNAVAILABLE


class NotFoundError(RefcliError):
    """A key, DOI or style that does not exist."""

    exit_code = 3


class LibraryError(RefcliError):
    """The library file is unreadable, locked, too new or cannot be written."""

    exit_code = 74  # EX_IOERR
