"""``citekit latex PAPER[.aux]``: write ``PAPER.bbl`` from the ``.aux``, as bibtex would."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from citekit.cli.common import fail


def latex_command(
    paper: Annotated[Path, typer.Argument(help="The .aux file, with or without the extension (e.g. paper).")],
    style: Annotated[Optional[str], typer.Option("--style", "-s", help="A built-in style or .csl file, instead of \\bibliographystyle.")] = None,  # noqa: E501
    library: Annotated[Optional[list[Path]], typer.Option("--library", "-l", help="A .bib or CSL-JSON file (repeatable), instead of \\bibliography.")] = None,  # noqa: E501
    sty: Annotated[bool, typer.Option("--sty", help="Write citekit.sty (citations formatted by citekit, note styles, locators) beside PAPER first; without PAPER.aux yet, only that.")] = False,  # noqa: E501
    force: Annotated[bool, typer.Option("--force", help="With --sty: replace a citekit.sty that differs from this version's.")] = False,  # noqa: E501
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors (latexmk's silent mode).")] = False,  # noqa: E501
) -> None:
    """Write PAPER.bbl (natbib's conventions, or citekit.sty's) and PAPER.blg from PAPER.aux: pdflatex; citekit latex; pdflatex."""  # noqa: E501
    from citekit.latex import aux_path_of, run

    aux = aux_path_of(paper)
    if sty:
        from citekit.latex.sty import write_sty

        target, written = write_sty(aux.parent, force=force)
        if not quiet:
            print(f"citekit: {'wrote' if written else 'up to date:'} {target}", file=sys.stderr)
        if not aux.exists():
            return  # before the first LaTeX run: the package is all there is to write
    outcome = run(aux, style=style, libraries=library or ())
    for w in outcome.warnings:
        print(f"citekit: warning: {w}", file=sys.stderr)
    if outcome.errors:
        for e in outcome.errors[:-1]:
            print(f"citekit: error: {e}", file=sys.stderr)
        fail(outcome.errors[-1])
    if not quiet:
        print(f"citekit: wrote {outcome.bbl} ({outcome.entries} entries)", file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("latex")(latex_command)
