"""``citekit lint``: check a library and report located diagnostics as text, JSON or GitHub annotations."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from citekit.bibtex.layout import ScanError, scan_entry
from citekit.bibtex.reader import read_library
from citekit.bibtex.titlecase import title_case_for
from citekit.care.config import CareConfig
from citekit.care.duplicates import find_duplicates
from citekit.care.rules import RULES, Finding, check_entry
from citekit.model import BibFile, Entry, Library
from citekit.perf import paused_gc

FORMATS = ("text", "json", "github")


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    code: str
    message: str
    key: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"


class _Locator:
    """Line and column of offsets in one file's text (line starts computed once, on demand)."""

    def __init__(self, bib: BibFile) -> None:
        self.text = bib.text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def field(self, entry: Entry, name: str) -> tuple[int, int]:
        """Where field ``name`` of ``entry`` is written (its name), else the entry's first line.

        Found from the entry's own text rather than from the parser's line numbers, which
        bibtexparser sometimes gets wrong after unusual blocks."""
        text = self.text[entry.start:entry.end]
        try:
            for f in scan_entry(text).fields:
                if f.name == name:
                    return self.position(entry.start + f.name_start)
        except ScanError:
            pass
        m = re.compile(rf"(?<![\w-]){re.escape(name)}\s*=", re.I).search(text)
        return self.position(entry.start + (m.start() if m else 0))


def lint_library(
    library: Library, config: CareConfig | None = None, today: dt.date | None = None
) -> list[Diagnostic]:
    """Every diagnostic for ``library``, sorted by file and position, with the project's settings."""
    config = config or CareConfig()
    today = today or dt.date.today()
    out: list[Diagnostic] = []

    def add(path: str, pos: tuple[int, int], code: str, message: str, key: str | None) -> None:
        if not config.enabled(code):
            return
        severity = RULES.get(code, ("error", ""))[0]
        if code in config.warn:
            severity = "warning"
        if code in config.error:
            severity = "error"
        out.append(Diagnostic(path, pos[0], pos[1], severity, code, message, key))

    locators = {bib.path: _Locator(bib) for bib in library.files}
    for bib in library.files:
        loc = locators[bib.path]
        repeats = _KeyRepeats(bib)
        # the project the file belongs to decides, not the folder lint was started in
        title_case = title_case_for(bib.path)
        for p in bib.problems:
            if p.code == "missing-comma":
                continue  # the layout scan below reports it at the exact column
            line, col = p.line, p.column or 1
            message = p.message
            if p.code == "parse-error":
                line, col, message = _refine_parse_error(bib, loc, p.line, p.message)
            elif p.code == "duplicate-key" and p.key:
                line, col = repeats.next(loc, p.key) or (line, col)
            elif p.code == "duplicate-field":
                at = _second_field(bib, loc, next((e for e in bib.entries if e.key == p.key), None))
                line, col = at or (line, col)
            add(bib.path, (line, col), p.code, message, p.key)
        for entry in bib.entries:
            if not entry.key.strip():
                add(bib.path, loc.position(entry.start), "empty-key",
                    f"@{entry.entry_type} entry has no citation key: it cannot be cited", entry.key)
            suspect: set[str] = set()
            findings = list(check_entry(entry, bib.strings, today, suspect, title_case=title_case))
            if suspect:
                broken = _scan_problem(bib, entry)
                if broken is not None:
                    offset, why = broken
                    add(bib.path, loc.position(entry.start + offset), "parse-error",
                        f"entry {entry.key!r}: {why}", entry.key)
                    # values read from a broken entry are unreliable: report only the syntax
                    continue
            for f in findings:
                _emit(add, loc, f)

    # keys repeated across files (the reader reports repeats inside one file)
    first: dict[str, Entry] = {}
    for entry in library.entries:
        seen = first.setdefault(entry.key, entry)
        if seen is not entry and seen.path != entry.path:
            seen_line = locators[seen.path].position(seen.start)[0]
            add(entry.path, locators[entry.path].position(entry.start), "duplicate-key",
                f"key {entry.key!r} is also used in {seen.path}:{seen_line}", entry.key)

    strings = {bib.path: bib.strings for bib in library.files}
    for group in find_duplicates(library.entries, strings):
        head = group.entries[0]
        for entry, why in zip(group.entries[1:], group.reasons[1:], strict=True):
            head_line = locators[head.path].position(head.start)[0]  # not head.line: see _Locator.field
            where = f"{head.path}:{head_line}" if head.path != entry.path else f"line {head_line}"
            add(entry.path, locators[entry.path].position(entry.start), "duplicate-work",
                f"{entry.key!r} duplicates {head.key!r} ({where}): {why}", entry.key)
    out.sort(key=lambda d: (d.path, d.line, d.column, d.code))
    return out


def _emit(add, loc: _Locator, f: Finding) -> None:  # noqa: ANN001 (a local closure)
    pos = loc.field(f.entry, f.field) if f.field else loc.position(f.entry.start)
    add(f.entry.path, pos, f.code, f.message, f.entry.key)


def _scan_problem(bib: BibFile, entry: Entry) -> tuple[int, str] | None:
    try:
        scan_entry(bib.text[entry.start:entry.end])
    except ScanError as exc:
        return exc.pos, str(exc)
    return None


_FIELD_START = re.compile(r"[ \t]*[A-Za-z][\w:.-]*[ \t]*=")


def _unclosed_brace(chunk: str) -> int | None:
    """Offset of a ``{`` still open when a later line starts like a new field (``name =``): the
    usual shape of an unbalanced brace, which swallows the fields after it."""
    stack: list[int] = []
    line_start = True
    for i, ch in enumerate(chunk):
        if line_start and len(stack) > 1 and _FIELD_START.match(chunk, i):
            return stack[-1]
        line_start = ch == "\n"
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
    return stack[-1] if len(stack) > 1 else None


def _refine_parse_error(bib: BibFile, loc: _Locator, line: int, message: str) -> tuple[int, int, str]:
    """Point a failed block at the offending character when citekit's own scanner can find it."""
    starts = loc.starts
    if not 1 <= line <= len(starts):
        return line, 1, message
    begin = bib.text.find("@", starts[line - 1])
    if begin == -1:
        return line, 1, message
    nxt = re.compile(r"^[ \t]*@", re.M).search(bib.text, begin + 1)
    chunk = bib.text[begin:nxt.start() if nxt else len(bib.text)]
    brace = _unclosed_brace(chunk)
    if brace is not None:
        l2, c2 = loc.position(begin + brace)
        return l2, c2, f"{message}: this '{{' is never closed"
    try:
        scan_entry(chunk)
    except ScanError as exc:
        l2, c2 = loc.position(begin + min(exc.pos, max(len(chunk) - 1, 0)))
        return l2, c2, f"{message} ({exc})"
    return line, 1, message


_ENTRY_HEAD = re.compile(r"@\s*[A-Za-z_][\w-]*\s*[{(]\s*([^\s,{}()]+)\s*,")


class _KeyRepeats:
    """Where the n-th repeat of a key starts (the reader drops repeats, so they have no span)."""

    def __init__(self, bib: BibFile) -> None:
        self.bib = bib
        self.heads: dict[str, list[int]] | None = None
        self.seen: dict[str, int] = {}

    def next(self, loc: _Locator, key: str) -> tuple[int, int] | None:
        if self.heads is None:  # every entry head of the file, found once
            self.heads = {}
            for m in _ENTRY_HEAD.finditer(self.bib.text):
                self.heads.setdefault(m.group(1), []).append(m.start())
        n = self.seen[key] = self.seen.get(key, 0) + 1
        starts = self.heads.get(key, [])
        return loc.position(starts[n]) if len(starts) > n else None


def _second_field(bib: BibFile, loc: _Locator, entry: Entry | None) -> tuple[int, int] | None:
    """Where a field written twice is written the second time."""
    if entry is None:
        return None
    try:
        layout = scan_entry(bib.text[entry.start:entry.end])
    except ScanError:
        return None
    seen: set[str] = set()
    for f in layout.fields:
        if f.name in seen:
            return loc.position(entry.start + f.name_start)
        seen.add(f.name)
    return None


def lint_paths(
    paths: Iterable[str | Path] | None, config: CareConfig | None = None, today: dt.date | None = None
) -> list[Diagnostic]:
    with paused_gc():
        return lint_library(read_library(list(paths) if paths is not None else None), config, today)


def has_errors(diagnostics: Sequence[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str = "text") -> str:
    """Render for a terminal (``text``), machines (``json``) or GitHub Actions (``github``)."""
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if fmt == "json":
        return json.dumps(
            {"diagnostics": [asdict(d) for d in diagnostics], "errors": errors, "warnings": warnings},
            ensure_ascii=False, indent=2,
        )
    if fmt == "github":
        return "\n".join(
            f"::{d.severity} file={_gh_escape(d.path, True)},line={d.line},col={d.column},"
            f"title={_gh_escape('citekit ' + d.code, True)}::{_gh_escape(d.message)}"
            for d in diagnostics
        )
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}")
    lines = [str(d) for d in diagnostics]
    if diagnostics:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)
