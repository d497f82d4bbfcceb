"""Errors that carry a location, so the CLI can print one clear line and exit 2."""

from __future__ import annotations

from pathlib import Path


class CitekitError(Exception):
    """A user-facing error: bad input, unknown key or style.

    ``str(err)`` is the one-line message the CLI prints, ``file:line: message`` when the
    location is known.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class UnknownKeyError(CitekitError):
    pass


class UnknownStyleError(CitekitError):
    pass
