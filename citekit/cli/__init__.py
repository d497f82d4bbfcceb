"""The ``citekit`` command: a thin typer layer over the library API.

Each command group lives in its own module with a ``register(app)`` function; this module only
assembles them and turns :class:`~citekit.errors.CitekitError` into one line and exit code 2.
"""

from __future__ import annotations

import sys

import typer

from citekit.cli import care, formatting, latex, links, zotero
from citekit.errors import CitekitError

app = typer.Typer(
    name="citekit",
    help="Reference lists, link checks and Zotero export for a curated BibTeX library.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (formatting, latex, links, zotero, care):
    _module.register(app)


def main() -> None:
    try:
        app()
    except CitekitError as exc:
        print(f"citekit: error: {exc}", file=sys.stderr)
        sys.exit(2)
