"""``python -m citekit.latex PAPER``: the ``citekit latex`` command on its own (e.g. for latexmk's ``$bibtex``)."""

import sys

import typer

from citekit.cli import latex
from citekit.errors import CitekitError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
latex.register(app)
# one command: typer runs it without a subcommand name
try:
    app()
except CitekitError as exc:
    print(f"citekit: error: {exc}", file=sys.stderr)
    sys.exit(2)
