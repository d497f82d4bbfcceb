"""Split ``.bib`` text into entries that remember exactly where they stand.

bibtexparser v2 does the splitting with an empty middleware stack, so every value stays as
written; decoding happens later, in :mod:`citekit.bibtex.mapping`, and only for the fields that
need it. Each entry keeps its character span so writers can replace it and nothing else.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable
from pathlib import Path

import bibtexparser
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    ParsingFailedBlock,
)
from bibtexparser.model import Entry as BPEntry
from bibtexparser.model import String as BPString

from citekit.errors import CitekitError
from citekit.fileio import read_text
from citekit.model import BibFile, Entry, Field, Library, Problem
from citekit.paths import LIBRARY_DIR
from citekit.perf import paused_gc

# bibtexparser logs every failed block as a warning; citekit reports them itself, once.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def _strip_enclosing(raw: str) -> tuple[str, str]:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == "{" and raw[-1] == "}":
        return raw[1:-1], "{"
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and "#" not in raw:
        return raw[1:-1], '"'
    return raw, ""


class _Lines:
    """Maps between 0-based line numbers and character offsets of one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def offset(self, line0: int) -> int:
        return self.starts[min(max(line0, 0), len(self.starts) - 1)]

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_right(self.starts, offset)


def parse_bib(text: str, path: str | Path = "<string>") -> BibFile:
    """Parse ``.bib`` text. Never raises for bad BibTeX: failures become :class:`Problem`s."""
    path = str(path)
    bib = BibFile(path=path, text=text)
    lines = _Lines(text)
    parsed = bibtexparser.parse_string(text, parse_stack=[])

    def span(block) -> tuple[int, int]:
        begin = lines.offset(block.start_line)
        at = text.find(block.raw, begin)
        if at == -1:  # raw was normalised somewhere; fall back to the block's first line
            at = begin
        return at, at + len(block.raw)

    for block in parsed.blocks:
        line = block.start_line + 1
        if isinstance(block, BPString):
            value, _ = _strip_enclosing(block.value)
            bib.strings[block.key.lower()] = value
        elif isinstance(block, BPEntry):
            bib.entries.append(_entry(block, path, span(block)))
        elif isinstance(block, DuplicateBlockKeyBlock):
            key = getattr(block, "key", None) or getattr(block.ignore_error_block, "key", None)
            bib.problems.append(
                Problem(path, line, f"duplicate key {key!r}: this entry is ignored", 1, "duplicate-key", key)
            )
        elif isinstance(block, DuplicateFieldKeyBlock):
            inner = block.ignore_error_block
            dup = ", ".join(sorted(getattr(block, "duplicate_keys", ()) or ()))
            bib.problems.append(
                Problem(path, line, f"entry {inner.key!r} has a field twice ({dup}); the last value is used",
                        1, "duplicate-field", inner.key)
            )
            bib.entries.append(_entry(inner, path, span(block)))
        elif isinstance(block, ParsingFailedBlock):
            first = block.raw.lstrip().split("\n", 1)[0][:60]
            reason = str(block.error).split("\n")[0].strip() if block.error else ""
            reason = reason or "unbalanced braces or a missing delimiter"
            bib.problems.append(Problem(path, line, f"cannot parse {first!r}: {reason}", 1, "parse-error"))
    return bib


def _entry(block: BPEntry, path: str, span: tuple[int, int]) -> Entry:
    fields: dict[str, Field] = {}
    for f in block.fields:
        value, enclosing = _strip_enclosing(f.value if isinstance(f.value, str) else str(f.value))
        name = f.key.lower()
        fields[name] = Field(name, value, enclosing, (f.start_line or block.start_line) + 1)
    return Entry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        path=path,
        line=block.start_line + 1,
        start=span[0],
        end=span[1],
    )


def read_bib(path: str | Path) -> BibFile:
    """Read one ``.bib`` file (UTF-8, newlines kept exactly as they are; a BOM is not part of the text)."""
    text, _ = read_text(path)
    return parse_bib(text, path)


def bib_files(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand files and directories (``*.bib`` inside, sorted) into a file list."""
    found: list[Path] = []
    for p in [LIBRARY_DIR] if paths is None else paths:
        p = Path(p)
        if p.is_dir():
            found.extend(sorted(p.rglob("*.bib")))
        elif p.exists():
            found.append(p)
        else:
            raise CitekitError("no such file or directory", p)
    return found


def read_library(paths: Iterable[str | Path] | None = None) -> Library:
    """Read ``.bib`` files and directories (default: the bundled ``library/``)."""
    with paused_gc():
        return Library(files=[read_bib(p) for p in bib_files(paths)])
