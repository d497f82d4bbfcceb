"""Helpers shared by the CLI modules."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one error line on stderr and exit (2 = usage or input error)."""
    print(f"citekit: error: {message}", file=sys.stderr)
    raise typer.Exit(code)
