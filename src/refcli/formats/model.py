"""What a reader returns: CSL-JSON items plus the problems it met on the way."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One entry that could not be read (or was read with a loss), and where it is.

    ``where`` is ``file:line (entry key)`` or ``file[index]`` so the user can go and fix it.
    """

    where: str
    message: str
    # Harmless noise (text between records, a generated key): reported, but a file
    # whose every entry was added still succeeds.
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ReadResult:
    """Items read from one file; good entries are kept even when others are bad."""

    items: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
