"""Helpers shared by the CLI modules."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
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


def check_output_is_not_an_input(output: Path | None, libraries: Iterable[Path] | None,
                                 *others: Path | None) -> None:
    """Refuse an ``--output`` that is one of the files read: it would replace the library itself."""
    if output is None:
        return
    from citekit.bibtex.reader import bib_files
    from citekit.fileio import real_target

    inputs = [p for p in others if p is not None]
    try:
        inputs += bib_files(list(libraries) if libraries else None) if not inputs or libraries else []
    except Exception:  # noqa: BLE001 - the command itself reports a library it cannot read
        pass
    target = real_target(output)
    if any(real_target(p) == target for p in inputs):
        fail(f"{output}: is one of the input files; choose another --output")
