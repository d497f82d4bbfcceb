"""Split ``.bib`` text into entries that remember exactly where they stand.

bibtexparser v2 does the splitting with an empty middleware stack, so every value stays as
written; decoding happens later, in :mod:`citekit.bibtex.mapping`, and only for the fields that
need it. Each entry keeps its character span so writers can replace it and nothing else.
"""

from __future__ import annotations

import bisect
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
    """Maps between 0-based line numbers and character offsets of one text.

    The scanner asks for lines in file order, so they are counted on from the last one asked;
    the table of line starts is built only for bibtexparser's blocks, which are not in order.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._at = self._newlines = 0  # newlines before offset _at

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
        return self._starts

    def offset(self, line0: int) -> int:
        return self.starts[min(max(line0, 0), len(self.starts) - 1)]

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        if offset >= self._at:
            self._newlines += self.text.count("\n", self._at, offset)
            self._at = offset
            return self._newlines + 1
        return bisect.bisect_right(self.starts, offset)


def parse_bib(text: str, path: str | Path = "<string>", *, fast: bool = True) -> BibFile:
    """Parse ``.bib`` text. Never raises for bad BibTeX: failures become :class:`Problem`s.

    Plain blocks are read by a compiled scanner (:func:`_scan`); any part of the file it cannot
    read in full goes to bibtexparser, whose result the scanner reproduces exactly (``fast=False``:
    bibtexparser for everything, the reference ``tests/bibtex/test_reader_fastpath.py`` holds it to).
    """
    path = str(path)
    lines = _Lines(text)
    if fast:
        try:
            return _parse(text, path, lines, _segments(text, lines))
        except _Redo:
            pass
    return _parse(text, path, lines, [(0, len(text), "")])


class _Redo(Exception):
    """A region's blocks could not be placed in the file: parse it all with bibtexparser."""


class _Keys:
    """bibtexparser's duplicate rule: the first entry (or @string) with a key wins, exactly
    matched; an entry with a repeated field is not registered."""

    def __init__(self) -> None:
        self.entries: set[str] = set()
        self.strings: set[str] = set()


def _parse(text: str, path: str, lines: _Lines, segments: list) -> BibFile:
    bib = BibFile(path=path, text=text)
    keys = _Keys()
    for seg in segments:
        if len(seg) == 3:
            _slow_region(bib, text, seg, lines, keys)
        elif seg[0] is _STRING_BLOCK:
            _, key, value, at = seg
            if key in keys.strings:
                bib.problems.append(_duplicate(path, lines.line_of(at), key))
            else:
                keys.strings.add(key)
                bib.strings[key.lower()] = _strip_enclosing(value)[0]
        else:
            _, key, entry_type, fields, names, line, at, end = seg
            dup = None
            if len(fields) != len(names):  # a name twice in lower case; bibtexparser's test is exact
                dup = {n for n in names if names.count(n) > 1} or None
            if dup is None and key in keys.entries:
                bib.problems.append(_duplicate(path, line, key))
                continue
            if dup is not None:
                bib.problems.append(_duplicate_field(path, line, key, dup))
            else:
                keys.entries.add(key)
            bib.entries.append(Entry(key, entry_type, fields, path, line, at, end))
            # as bibtexparser's path: an entry with a repeated field is not checked; a value
            # can hold a swallowed field only if the block's text does
            if dup is None and _SWALLOWED.search(text, at, end) is not None:
                bib.problems.extend(_missing_commas(bib.entries[-1]))
    return bib


def _duplicate(path: str, line: int, key: object) -> Problem:
    return Problem(path, line, f"duplicate key {key!r}: this entry is ignored", 1, "duplicate-key", key)


def _duplicate_field(path: str, line: int, key: str, dup: Iterable[str]) -> Problem:
    return Problem(path, line, f"entry {key!r} has a field twice ({', '.join(sorted(dup))}); the last value is used",
                   1, "duplicate-field", key)


def _slow_region(bib: BibFile, text: str, seg: tuple[int, int, str], lines: _Lines, keys: _Keys) -> None:
    """bibtexparser on ``text[a:b]``; ``head`` is the block start that follows it in the file,
    so that a block left open there fails as it does in the whole file (its own failure at the
    end of the piece is dropped)."""
    # imported here: a warm run answered from the render cache, and --help, never parse
    import logging

    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock
    from bibtexparser.model import Entry as BPEntry
    from bibtexparser.model import String as BPString

    a, b, head = seg
    piece = text[a:b] if a or b != len(text) else text
    whole = piece + head if head else piece
    # bibtexparser logs every failed block as a warning; citekit reports them itself, once.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    parsed = bibtexparser.parse_string(whole, parse_stack=[])
    path = bib.path
    cursor = 0
    for block in parsed.blocks:
        # Blocks come in file order, so each one's raw text is found after the previous block:
        # exact even where bibtexparser's own line numbers drift.
        at = whole.find(block.raw, cursor)
        if at == -1:  # raw was normalised somewhere; fall back to the block's reported line
            if a:
                raise _Redo
            at = lines.offset(block.start_line)
        elif at >= len(piece):
            break  # the head's own block
        cursor = at + len(block.raw)
        where = (a + at, a + cursor)
        line = lines.line_of(where[0])
        if isinstance(block, BPString):
            if block.key in keys.strings:
                bib.problems.append(_duplicate(path, line, block.key))
                continue
            keys.strings.add(block.key)
            value, _ = _strip_enclosing(block.value)
            bib.strings[block.key.lower()] = value
        elif isinstance(block, BPEntry):
            if block.key in keys.entries:
                bib.problems.append(_duplicate(path, line, block.key))
                continue
            keys.entries.add(block.key)
            bib.entries.append(_entry(block, path, where, lines))
            bib.problems.extend(_missing_commas(bib.entries[-1]))
        elif isinstance(block, DuplicateBlockKeyBlock):
            key = getattr(block, "key", None) or getattr(block.ignore_error_block, "key", None)
            bib.problems.append(_duplicate(path, line, key))
        elif isinstance(block, DuplicateFieldKeyBlock):
            inner = block.ignore_error_block
            bib.problems.append(_duplicate_field(path, line, inner.key, getattr(block, "duplicate_keys", ()) or ()))
            bib.entries.append(_entry(inner, path, where, lines))
        elif isinstance(block, ParsingFailedBlock):
            first = block.raw.lstrip().split("\n", 1)[0][:60]
            reason = str(block.error).split("\n")[0].strip() if block.error else ""
            reason = reason or "unbalanced braces or a missing delimiter"
            bib.problems.append(Problem(path, line, f"cannot parse {first!r}: {reason}", 1, "parse-error"))


# The fast path. bibtexparser's splitter jumps between "marks": {, }, ", comma, = and newline
# when no backslash precedes them, and block starts (@type before { or (). The patterns below
# accept only text whose marks it would read the same way, and no @ at all past a block's
# start (one at a line start would end the block there); whatever they do not accept is
# handed to bibtexparser. A block start at a line start always begins a new block there, which
# is what makes cutting the file at them safe.
_CUT = re.compile(r"\n(?=@\w*[ \t]*[{(])")
_START = re.compile(r"@(\w*)[ \t]*\{")
_NAME = r'[^{}",=@\\]*'  # a key before "=", or an entry's key: no mark but newlines
_ESCAPED = r"\\++[\s\S]"  # a run of backslashes and the character they make a non-mark


def _braced(depth: int) -> str:
    inner = rf"(?:[^{{}}\\@]++|{_ESCAPED})*+"
    for _ in range(depth):
        inner = rf"(?:[^{{}}\\@]++|{_ESCAPED}|\{{{inner}\}})*+"
    return inner


_BRACED = _braced(6)
_QUOTED = rf'"(?:[^"\\@]++|{_ESCAPED})*+"'  # braces do not count inside quotes
_VALUE = rf'(?:[^{{}}",@\\]++|{_ESCAPED}|\{{{_BRACED}\}}|{_QUOTED})*+'
_KEY = re.compile(rf"({_NAME})([,}}])")
# A value that is one group of braces with none inside (most are) is caught by the first
# branch, already without its delimiters; the second takes any value.
_FIELD = re.compile(rf"({_NAME})=(?:\s*\{{([^{{}}\\@]*+)\}}\s*(?=[,}}])|({_VALUE}))([,}}])")
_CLOSE = re.compile(r"\s*\}")
_STRING_BODY = re.compile(rf"({_NAME})=((?:[^{{}}@\\]++|{_ESCAPED}|\{{{_BRACED}\}})*+)\}}")
_STRING_BLOCK = object()


def _segments(text: str, lines: _Lines | None = None) -> list:
    """The file as scanned blocks and regions (``(start, end, head)``) left to bibtexparser."""
    lines = _Lines(text) if lines is None else lines
    cuts = [0] + [m.end() for m in _CUT.finditer(text)]
    cuts.append(len(text))
    out: list = []
    slow_from = -1
    for k in range(len(cuts) - 1):
        a, b = cuts[k], cuts[k + 1]
        if a == 0 and not text.startswith("@"):
            if text.find("@", 0, b) == -1:
                continue  # text before the first block, a comment
            seg = None
        else:
            seg = _scan(text, a, b, lines)
        if seg is None:
            if slow_from < 0:
                slow_from = a
            continue
        if slow_from >= 0:
            out.append((slow_from, a, _START_HEAD.match(text, a).group(0)))
            slow_from = -1
        out.append(seg)
    if slow_from >= 0:
        out.append((slow_from, len(text), ""))
    return out


_START_HEAD = re.compile(r"@\w*[ \t]*[{(]")


def _scan(text: str, a: int, b: int, lines: _Lines) -> tuple | None:
    """The block ``text[a:b]`` (``@`` at ``a``) read in full, or None.

    An entry comes with its fields already made (and the names as written, for the duplicate
    test), so that a field is handled once."""
    m = _START.match(text, a)
    if m is None or text.find('{"}', a, b) != -1:  # a quote in braces may be text in quotes
        return None
    kind = m.group(1).lower()
    if kind.startswith(("comment", "preamble")):
        return None
    if kind.startswith("string"):
        s = _STRING_BODY.match(text, m.end())
        if s is None or text.find("@", s.end(), b) != -1:
            return None
        return (_STRING_BLOCK, s.group(1).strip(), text[s.end(1) + 1:s.end() - 1].strip(), a)
    k = _KEY.match(text, m.end())
    if k is None:
        return None
    entry_line = line = lines.line_of(a)
    fields: dict[str, Field] = {}
    names = []
    pos, close, at = k.end(), k.group(2), a
    count = text.count
    escaped_newlines = text.find("\\\n", a, b) != -1
    while close == ",":
        f = _FIELD.match(text, pos)
        if f is None:
            c = _CLOSE.match(text, pos)  # a comma after the last field (a field cannot start "}")
            if c is None:
                return None
            pos = c.end()
            break
        name, inner, value, close = f.groups()
        eq = f.end(1)
        # bibtexparser's line of a field (that of its "="), counted as it counts: a newline
        # after a backslash is not one
        line += count("\n", at, eq) - (count("\\\n", at, eq) if escaped_newlines else 0)
        at = eq
        raw, enclosing = (inner, "{") if inner is not None else _strip_enclosing(value)
        name = name.strip()
        names.append(name)
        low = name.lower()
        fields[low] = Field(low, raw, enclosing, line)
        pos = f.end()
    if text.find("@", pos, b) != -1:
        return None
    return (None, k.group(1).strip(), kind.strip(), fields, names, entry_line, a, pos)


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
