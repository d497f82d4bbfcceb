"""Split ``.bib`` text into entries that remember exactly where they stand.

bibtexparser v2 does the splitting with an empty middleware stack, so every value stays as
written; decoding happens later, in :mod:`citekit.bibtex.mapping`, and only for the fields that
need it. Each entry keeps its character span so writers can replace it and nothing else.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from citekit.errors import CitekitError
from citekit.fileio import read_text
from citekit.model import BibFile, Entry, Field, Library, Problem
from citekit.paths import library_paths
from citekit.perf import paused_gc

if TYPE_CHECKING:
    from bibtexparser.model import Entry as BPEntry

# bibtexparser logs every failed block as a warning; citekit reports them itself, once
# (setting the level works before bibtexparser is imported).
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


_BRACES = re.compile(r'\\.|[{}"]', re.S)


def closing_delimiter(raw: str, i: int) -> int:
    """Index of the delimiter closing the group opened at ``raw[i]`` (``{`` or ``"``), or -1.

    Escaped characters (``\\{``, ``\\"``) do not count; inside quotes, braces nest and a ``"``
    within braces is text.
    """
    opener = raw[i]
    depth = 0
    for m in _BRACES.finditer(raw, i + 1):
        c = m.group(0)
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return m.start() if opener == "{" else -1
            depth -= 1
        elif c == '"' and depth == 0 and opener == '"':
            return m.start()
    return -1


def _strip_enclosing(raw: str) -> tuple[str, str]:
    """A field value without its delimiters, and which they were.

    ``{…}`` and ``"…"`` only when that one group is the whole value: ``{a} # {b}`` is a
    concatenation (enclosing ``""``), and a ``#`` inside braces or quotes is just text.
    """
    raw = raw.strip()
    if len(raw) < 2 or raw[0] not in '{"':
        return raw, ""
    # The common cases need no scan: one pair of braces, or two quotes and no braces.
    if raw[0] == "{" and raw[-1] == "}" and raw.count("{") == 1 and raw.count("}") == 1:
        return raw[1:-1], "{"
    if raw[0] == '"' and raw[-1] == '"' and raw.count('"') == 2 and "{" not in raw and "\\" not in raw:
        return raw[1:-1], '"'
    if closing_delimiter(raw, 0) == len(raw) - 1:
        return raw[1:-1], raw[0]
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
    # imported here: a warm run answered from the render cache, and --help, never parse
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock
    from bibtexparser.model import Entry as BPEntry
    from bibtexparser.model import String as BPString

    parsed = bibtexparser.parse_string(text, parse_stack=[])

    cursor = 0

    def span(block) -> tuple[int, int]:
        # Blocks come in file order, so each one's raw text is found after the previous block:
        # exact even where bibtexparser's own line numbers drift.
        nonlocal cursor
        at = text.find(block.raw, cursor)
        if at == -1:  # raw was normalised somewhere; fall back to the block's reported line
            at = lines.offset(block.start_line)
        cursor = at + len(block.raw)
        return at, cursor

    for block in parsed.blocks:
        where = span(block)
        line = lines.line_of(where[0])
        if isinstance(block, BPString):
            value, _ = _strip_enclosing(block.value)
            bib.strings[block.key.lower()] = value
        elif isinstance(block, BPEntry):
            bib.entries.append(_entry(block, path, where, lines))
            bib.problems.extend(_missing_commas(bib.entries[-1]))
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
            bib.entries.append(_entry(inner, path, where, lines))
        elif isinstance(block, ParsingFailedBlock):
            first = block.raw.lstrip().split("\n", 1)[0][:60]
            reason = str(block.error).split("\n")[0].strip() if block.error else ""
            reason = reason or "unbalanced braces or a missing delimiter"
            bib.problems.append(Problem(path, line, f"cannot parse {first!r}: {reason}", 1, "parse-error"))
    return bib


# A value that swallowed the next field: "title = {T}⏎ author = {…}" (the comma forgotten).
_SWALLOWED = re.compile(r"[}\"]\s*\n\s*([A-Za-z][\w-]*)\s*=\s*[{\"\d]")


def _missing_commas(entry: Entry) -> list[Problem]:
    out = []
    for f in entry.fields.values():
        m = _SWALLOWED.search(f.value) if "\n" in f.value else None
        if m:
            out.append(Problem(entry.path, f.line + f.value.count("\n", 0, m.start()) + 1,
                               f"a comma is missing before field {m.group(1)!r} of entry {entry.key!r}: "
                               f"it was read as part of {f.name!r}", None, "missing-comma", entry.key))
    return out


def _entry(block: BPEntry, path: str, span: tuple[int, int], lines: _Lines) -> Entry:
    # bibtexparser's line numbers drift after values ending in a backslash; the span is exact, so
    # the entry's line comes from it and each field keeps only its offset within the entry.
    line = lines.line_of(span[0])
    fields: dict[str, Field] = {}
    for f in block.fields:
        value, enclosing = _strip_enclosing(f.value if isinstance(f.value, str) else str(f.value))
        name = f.key.lower()
        offset = max((f.start_line or block.start_line) - block.start_line, 0)
        fields[name] = Field(name, value, enclosing, line + offset)
    return Entry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        path=path,
        line=line,
        start=span[0],
        end=span[1],
    )


def read_bib(path: str | Path) -> BibFile:
    """Read one ``.bib`` file (UTF-8, newlines kept exactly as they are; a BOM is not part of the text)."""
    text, _ = read_text(path)
    return parse_bib(text, path)


def bib_files(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand files and directories (``*.bib`` inside, sorted) into a file list.

    ``None`` is the project's library (:func:`citekit.paths.default_library`); ``bundled`` names
    the library that ships with citekit.
    """
    found: list[Path] = []
    for p in library_paths(paths):
        if p.is_dir():
            found.extend(sorted(p.rglob("*.bib")))
        elif p.exists():
            found.append(p)
        else:
            raise CitekitError("no such file or directory", p)
    return found


def read_library(paths: Iterable[str | Path] | None = None) -> Library:
    """Read ``.bib`` files and directories (default: the project's library, see :func:`bib_files`)."""
    with paused_gc():
        return Library(files=[read_bib(p) for p in bib_files(paths)])
