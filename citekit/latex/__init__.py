"""``citekit latex``: a drop-in for bibtex in the LaTeX loop (``pdflatex paper; citekit latex paper``).

:func:`run` reads ``paper.aux`` (:mod:`citekit.latex.aux`), formats the cited entries with
citekit's engine and writes ``paper.bbl`` in natbib's conventions (:mod:`citekit.latex.bbl`)
and a ``paper.blg`` log in bibtex's wording, which latexmk reads for warnings and errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from citekit import __version__
from citekit.errors import CitekitError
from citekit.fileio import atomic_write
from citekit.latex.aux import AuxFile, AuxRef, find_file, read_aux, require_bibdata
from citekit.latex.bbl import Bbl, bad_key_reason, write_bbl
from citekit.model import Item
from citekit.styles import DEFAULT_STYLE, resolve_style

__all__ = ["AuxFile", "AuxRef", "Bbl", "Outcome", "aux_path_of", "bad_key_reason", "cited_keys", "read_aux", "run",
           "write_bbl"]


@dataclass
class Outcome:
    """What one run wrote and reported."""

    bbl: Path | None
    blg: Path
    entries: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def cited_keys(path: str | Path) -> list[AuxRef]:
    """Keys cited in a BibTeX or biblatex ``.aux``, in order of first citation, with their lines.

    ``\\citation{*}`` is not a key; callers that want "everything" check :attr:`AuxFile.nocite_all`.
    """
    return read_aux(path).keys()


def aux_path_of(paper: str | Path) -> Path:
    """``paper``, ``paper.tex`` or ``paper.aux`` → ``paper.aux``."""
    path = Path(paper)
    if path.suffix == ".tex":
        return path.with_suffix(".aux")
    return path if path.suffix == ".aux" else path.with_name(path.name + ".aux")


def run(aux_path: str | Path, *, style: str | None = None, libraries: Sequence[str | Path] = ()) -> Outcome:
    """Write ``<aux>.bbl`` and ``<aux>.blg`` for ``aux_path`` (``paper`` or ``paper.aux``).

    ``style`` overrides ``\\bibstyle``; ``libraries`` replace ``\\bibdata``. Bad input (a missing
    ``.aux`` or database, an unknown style, a biblatex document) raises :class:`CitekitError`,
    after the ``.blg`` records it.
    """
    aux_path = aux_path_of(aux_path)
    blg = aux_path.with_suffix(".blg")
    log = [f"This is citekit latex {__version__}", f"The top-level auxiliary file: {aux_path.name}"]
    try:
        aux = read_aux(aux_path)
        outcome = _run(aux, blg, log, style, libraries)
    except CitekitError as exc:
        _write_blg(blg, log, [], [str(exc)])
        raise
    _write_blg(blg, log, outcome.warnings, outcome.errors)
    return outcome


def _run(aux: AuxFile, blg: Path, log: list[str], style: str | None, libraries: Sequence[str | Path]) -> Outcome:
    if aux.biblatex is not None:
        raise CitekitError("this document uses biblatex, which reads the .bbl that biber writes; citekit latex "
                           "writes a natbib/thebibliography .bbl (use natbib with \\bibliographystyle and "
                           "\\bibliography, or keep biber)", aux.biblatex.path, aux.biblatex.line)
    chosen_style = _style(aux, style)
    log.append(f"The style: {chosen_style}")
    databases = [Path(p) for p in libraries] if libraries else _databases(aux)
    for i, db in enumerate(databases, 1):
        log.append(f"Database file #{i}: {db}")
    pool, warnings = _read_databases(databases)
    warnings = list(aux.problems) + warnings
    if not aux.citations and aux.nocite_all is None:
        raise CitekitError(f"I found no \\citation commands---while reading file {aux.path.name}", aux.path)
    bbl = write_bbl(aux, pool, chosen_style, source=aux.path.name)
    out = aux.path.with_suffix(".bbl")
    atomic_write(out, bbl.text)
    return Outcome(out, blg, len(bbl.keys), warnings + bbl.warnings, bbl.errors)


def _style(aux: AuxFile, style: str | None) -> str:
    if style:
        resolve_style(style)  # an unknown name or missing file fails here, naming it
        return style
    ref = aux.bibstyle
    if ref is None:
        return DEFAULT_STYLE
    name = ref.value
    if name.lower().endswith(".csl"):
        found = find_file(name, aux, "", "BSTINPUTS")
        if found is None:
            raise CitekitError(f"I couldn't find the style file {name} (\\bibstyle)", ref.path, ref.line)
        return str(found)
    try:
        resolve_style(name)
    except CitekitError:
        raise CitekitError(f"\\bibstyle{{{name}}} is neither a citekit style nor a .csl file "
                           "(see 'citekit styles'; or pass --style)", ref.path, ref.line) from None
    return name


def _databases(aux: AuxFile) -> list[Path]:
    found = []
    for ref in require_bibdata(aux):
        path = find_file(ref.value, aux, ".bib", "BIBINPUTS")
        if path is None:
            name = ref.value if ref.value.lower().endswith((".bib", ".json")) else ref.value + ".bib"
            raise CitekitError(f"I couldn't open database file {name}", ref.path, ref.line)
        found.append(path)
    return found


def _read_databases(paths: Sequence[Path]) -> tuple[list[Item], list[str]]:
    from citekit.bibtex.reader import read_library
    from citekit.csljson import read_csl_json

    items: list[Item] = []
    warnings: list[str] = []
    bibs = [p for p in paths if p.suffix.lower() != ".json"]
    for p in paths:
        if p.suffix.lower() == ".json":
            items.extend(read_csl_json(p))
    if bibs:
        lib = read_library(bibs)
        warnings += [str(p) for p in lib.problems]
        items = lib.items() + items
    return items, warnings


def _write_blg(path: Path, log: list[str], warnings: list[str], errors: list[str]) -> None:
    # latexmk counts lines starting "Warning--" and reads "(There were N error messages)".
    lines = list(log)
    lines += [f"Warning--{w}" for w in warnings]
    lines += list(errors)
    if errors:
        lines.append(f"(There {'was' if len(errors) == 1 else 'were'} {len(errors)} error "
                     f"message{'' if len(errors) == 1 else 's'})")
    elif warnings:
        lines.append(f"(There {'was' if len(warnings) == 1 else 'were'} {len(warnings)} "
                     f"warning{'' if len(warnings) == 1 else 's'})")
    try:
        atomic_write(path, "\n".join(lines) + "\n")
    except OSError:
        pass  # the log is a courtesy; the .bbl and the exit status carry the result
