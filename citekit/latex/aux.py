"""Reading a LaTeX ``.aux`` file: the citations, databases and style that bibtex (or biber) would read.

Supported set-ups:

* BibTeX-style documents (LaTeX's own ``\\cite``, natbib, cite.sty, ...): ``\\citation{a,b}``,
  ``\\citation{*}`` (``\\nocite{*}``), ``\\bibdata{refs,more}``, ``\\bibstyle{name}``, and
  ``\\@input{chapter.aux}`` from ``\\include`` (read where it stands, so numbers follow the
  document's order).
* biblatex documents: ``\\abx@aux@cite{key}`` (biblatex < 3.3) and ``\\abx@aux@cite{refsection}{key}``.
  Their keys are read (``citekit format --cited-from paper.aux``), but biblatex typesets from its
  own ``.bbl`` format, written by biber, so :attr:`AuxFile.biblatex` tells callers that a
  thebibliography ``.bbl`` would not be read.
* citekit.sty documents: ``\\citekit@cite{n}{mode}{where}{notes}{keys}{prefix}{postnote}``, one line
  per citation cluster (:class:`AuxCluster`), next to the ``\\citation`` line that bibtex reads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from citekit.errors import CitekitError
from citekit.fileio import read_text


@dataclass(frozen=True)
class AuxRef:
    """One argument of an ``.aux`` command and where it was written."""

    value: str
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class AuxCluster:
    """One citation written by citekit.sty: what the author typed and where it stands."""

    number: int  # the cluster's place in the document (1, 2, ...), as citekit.sty counts them
    mode: str  # p parenthetical, t textual, a author only, y author suppressed, f footnote
    where: str  # t running text, s first in a footnote, n later in a footnote
    notes: int  # the author's own footnotes before it (the footnote it sits in included)
    keys: tuple[str, ...]
    prefix: str  # TeX as \write wrote it (control words followed by a space, # doubled)
    postnote: str
    ref: AuxRef  # the keys as written, and the line

    @property
    def in_note(self) -> bool:
        return self.where in ("s", "n")


@dataclass
class AuxFile:
    """What a document's ``.aux`` files (the top one and those it ``\\@input``\\s) say."""

    path: Path
    citations: list[AuxRef] = field(default_factory=list)  # every cited key, in document order
    nocite_all: AuxRef | None = None  # the first \citation{*}
    cited_before_all: int = 0  # how many citations came before \citation{*}
    bibdata: list[AuxRef] = field(default_factory=list)
    bibstyle: AuxRef | None = None
    biblatex: AuxRef | None = None  # the first line showing biblatex wrote the file
    clusters: list[AuxCluster] = field(default_factory=list)  # citekit.sty's citations, in order
    problems: list[str] = field(default_factory=list)  # "file:line: message" (missing \@input files, ...)

    def keys(self) -> list[AuxRef]:
        """Cited keys in order of first citation, each with the line that first cites it."""
        seen: dict[str, AuxRef] = {}
        for ref in self.citations:
            seen.setdefault(ref.value, ref)
        return list(seen.values())


_COMMAND = re.compile(r"\\(citation|bibdata|bibstyle|@input|abx@aux@cite|citekit@cite)(?![A-Za-z@])\s*")
_WRITTEN_BY_BIBLATEX = re.compile(r"\\abx@aux@[A-Za-z@]+")


def read_aux(path: str | Path) -> AuxFile:
    """Read ``path`` (``paper`` or ``paper.aux``) and the ``.aux`` files it inputs.

    A missing or unreadable top-level file is a :class:`CitekitError`; a missing ``\\@input``
    file (a chapter not yet compiled) is a problem, as LaTeX itself only warns.
    """
    path = Path(path)
    if path.suffix != ".aux":
        path = path.with_name(path.name + ".aux")
    aux = AuxFile(path)
    _read_into(aux, path, path.parent, set())
    return aux


def _read_into(aux: AuxFile, path: Path, base: Path, seen: set[Path]) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return  # an \@input cycle: each file is read once
    seen.add(resolved)
    text, _ = read_text(path)
    starts = _line_starts(text)
    if aux.biblatex is None:
        m = _WRITTEN_BY_BIBLATEX.search(text)
        if m:
            aux.biblatex = AuxRef(m.group(0), path, _line_of(starts, m.start()))
    for m in _COMMAND.finditer(text):
        line = _line_of(starts, m.start())
        arg, end = _group(text, m.end())
        if arg is None:
            continue  # a command without its argument (a truncated file): nothing to read
        name = m.group(1)
        if name == "citation":
            for key in _split(arg):
                _cite(aux, AuxRef(key, path, line))
        elif name == "abx@aux@cite":
            second, _ = _group(text, end)
            key = second if second is not None else arg  # {refsection}{key} since biblatex 3.3
            _cite(aux, AuxRef(key.strip(), path, line))
        elif name == "citekit@cite":
            _cluster(aux, arg, text, end, path, line)
        elif name == "bibdata":
            aux.bibdata.extend(AuxRef(name, path, line) for name in _split(arg))
        elif name == "bibstyle":
            if aux.bibstyle is None:
                aux.bibstyle = AuxRef(arg.strip(), path, line)
            else:
                aux.problems.append(f"{path}:{line}: another \\bibstyle command; "
                                    f"using {aux.bibstyle.value!r} from {aux.bibstyle.where}")
        elif name == "@input":
            child = base / arg.strip()
            if child.is_file():
                _read_into(aux, child, base, seen)
            else:
                aux.problems.append(f"{path}:{line}: I couldn't open auxiliary file {arg.strip()}")


def _cite(aux: AuxFile, ref: AuxRef) -> None:
    if not ref.value or ref.value == "biblatex-control":  # biblatex's own entry under backend=bibtex
        return
    if ref.value == "*":
        if aux.nocite_all is None:
            aux.nocite_all = ref
            aux.cited_before_all = len(aux.citations)
        return
    aux.citations.append(ref)


def _cluster(aux: AuxFile, first: str, text: str, pos: int, path: Path, line: int) -> None:
    args = [first]
    for _ in range(6):
        arg, pos = _group(text, pos)
        if arg is None:
            aux.problems.append(f"{path}:{line}: a \\citekit@cite line without its seven arguments; ignored")
            return
        args.append(arg)
    number, mode, where, notes, keys, prefix, postnote = args
    if not number.strip().isdigit() or not notes.strip().lstrip("-").isdigit():
        aux.problems.append(f"{path}:{line}: a \\citekit@cite line that citekit.sty did not write; ignored")
        return
    aux.clusters.append(AuxCluster(int(number), mode.strip(), where.strip(), int(notes), tuple(_split(keys)),
                                   prefix, postnote, AuxRef(keys.strip(), path, line)))


def _split(arg: str) -> list[str]:
    return [k.strip() for k in arg.split(",") if k.strip()]


def _group(text: str, pos: int) -> tuple[str | None, int]:
    """The brace-balanced group starting at ``pos`` (spaces skipped): its contents and the end."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos >= len(text) or text[pos] != "{":
        return None, pos
    depth = 0
    i = pos
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2  # an escaped brace does not count
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1:i], i + 1
        i += 1
    return None, len(text)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_of(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)


def find_file(name: str, aux: AuxFile, suffix: str, env: str) -> Path | None:
    """Where bibtex would find ``name``: as given when absolute, else next to the ``.aux``, in the
    working directory, then in the directories of ``$BIBINPUTS`` (or ``$BSTINPUTS``), as latexmk
    sets them when it runs the bibliography program in an output directory."""
    candidate = Path(name)
    if suffix and candidate.suffix.lower() not in (suffix, ".json"):
        candidate = candidate.with_name(candidate.name + suffix)
    if candidate.is_absolute():
        return candidate if candidate.is_file() else None
    dirs = [aux.path.parent, Path.cwd()]
    dirs += [Path(d.rstrip("/")) for d in os.environ.get(env, "").split(os.pathsep) if d and d != "."]
    for d in dirs:
        if (d / candidate).is_file():
            return d / candidate
    return None


def require_bibdata(aux: AuxFile) -> list[AuxRef]:
    """The ``\\bibdata`` names, or an error naming the file when there are none."""
    if not aux.bibdata:
        raise CitekitError("I found no \\bibdata command (add \\bibliography{refs} to the document, "
                           "or pass --library)", aux.path)
    return aux.bibdata
