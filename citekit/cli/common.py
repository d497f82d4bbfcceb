"""Helpers shared by the CLI modules."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one error line on stderr and exit (2 = usage or input error)."""
    print(f"citekit: error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """Print one warning line on stderr."""
    print(f"citekit: warning: {message}", file=sys.stderr)


def renamed(old: str, new: str) -> None:
    """Say that an option spelling still works but goes in the next release."""
    warn(f"{old} is now {new}; the old spelling will be removed in the next release")
