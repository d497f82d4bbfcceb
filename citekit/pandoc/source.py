"""Where a citation is in the document's source, for warnings (``paper.md:12``).

pandoc's JSON has no source positions, and a JSON filter is given only the output format. On
Linux the filter's parent is pandoc, whose command line names the input files: each Markdown
input is read with citekit's own Markdown reader (``citekit.sources``), and the cites of the
document are matched, key by key and in order, with the occurrences found there. Citations in
footnote definitions (``[^1]: …``), which pandoc moves to the footnote's mark, are matched
separately from the text's. When the input is stdin, not Markdown, or pandoc cannot be found,
there are no lines and the warnings say where a cite is in other words.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from citekit.citing import markdown_citations_own

# pandoc's options that take their value in the next argument (2.17 and 3.x, ``pandoc --help``)
_SHORT_WITH_VALUE = set("frtwoMdVHBAFLTcD")
_LONG_WITH_VALUE = {
    "from", "read", "to", "write", "output", "data-dir", "metadata", "metadata-file", "defaults", "template",
    "variable", "variable-json", "toc-depth", "number-offset", "extract-media", "resource-path",
    "include-in-header", "include-before-body", "include-after-body", "highlight-style", "syntax-definition",
    "dpi", "columns", "tab-stop", "pdf-engine", "pdf-engine-opt", "reference-doc", "request-header",
    "abbreviations", "indented-code-classes", "filter", "lua-filter", "shift-heading-level-by",
    "base-header-level", "slide-level", "id-prefix", "title-prefix", "css", "epub-subdirectory",
    "epub-cover-image", "epub-metadata", "epub-embed-font", "split-level", "chunk-template",
    "epub-chapter-level", "bibliography", "csl", "citation-abbreviations", "log", "print-default-template",
    "print-default-data-file", "print-highlight-style",
}
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt", ".text", ".rmd", ".qmd", ""}
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")


def input_files(argv: list[str]) -> tuple[list[str], str | None]:
    """The input files of a pandoc command line, and the reader (``-f``) when one is given."""
    files: list[str] = []
    reader = None
    i, options = 1, True
    while i < len(argv):
        arg = argv[i]
        value = None
        if options and arg == "--":
            options = False
        elif options and arg.startswith("--") and len(arg) > 2:
            name, eq, attached = arg[2:].partition("=")
            if name in _LONG_WITH_VALUE:
                value = attached if eq else (argv[i + 1] if i + 1 < len(argv) else "")
                i += 0 if eq else 1
                if name in ("from", "read"):
                    reader = value
        elif options and arg.startswith("-") and len(arg) > 1:
            letter = arg[1]
            if letter in _SHORT_WITH_VALUE:
                value = arg[2:] if len(arg) > 2 else (argv[i + 1] if i + 1 < len(argv) else "")
                i += 0 if len(arg) > 2 else 1
                if letter in "fr":
                    reader = value
        else:
            files.append(arg)
        i += 1
    return files, reader


def _pandoc_process() -> int | None:
    """The process id of the pandoc running this filter (the parent, or above a wrapper shell)."""
    pid = os.getppid()
    for _ in range(3):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        first = raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        if first and Path(first).name.lower().startswith("pandoc"):
            return pid
        match = re.search(r"^PPid:\s*(\d+)", status, re.M)
        if match is None or int(match.group(1)) <= 1:
            return None
        pid = int(match.group(1))
    return None


def _pandoc_argv() -> list[str] | None:
    pid = _pandoc_process()
    if pid is None:
        return None
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [a.decode("utf-8", "surrogateescape") for a in raw.split(b"\0") if a]


def pandoc_binary() -> str | None:
    """The pandoc that runs the filter (its executable), else the one on PATH."""
    pid = _pandoc_process()
    if pid is not None:
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            pass
    return shutil.which("pandoc")


@dataclass(frozen=True, slots=True)
class Place:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class SourceLines:
    """Occurrences of each key in the Markdown inputs, handed out in document order."""

    def __init__(self, sources: list[tuple[str, str]]) -> None:
        self._text: dict[str, deque[Place]] = defaultdict(deque)
        self._notes: dict[str, deque[Place]] = defaultdict(deque)
        for name, text in sources:
            lines = text.split("\n")
            in_note = _footnote_lines(lines)
            for c in markdown_citations_own(text):
                if c.line is not None:
                    (self._notes if in_note[c.line - 1] else self._text)[c.key].append(Place(name, c.line))

    def take(self, key: str, in_note: bool) -> Place | None:
        """The next occurrence of ``key`` (a cite in a footnote looks in footnote definitions first)."""
        for queue in ((self._notes, self._text) if in_note else (self._text,)):
            if queue[key]:
                return queue[key].popleft()
        return None


def _footnote_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it belongs to a footnote definition (its first line and what is
    indented after it, blank lines included)."""
    out, inside = [], False
    for line in lines:
        if _FOOTNOTE_DEF.match(line):
            inside = True
        elif line.strip() and not line[0].isspace():
            inside = False
        out.append(inside)
    return out


def document_sources(argv: list[str] | None = None) -> SourceLines | None:
    """The Markdown inputs of the pandoc that runs the filter (None when they cannot be read)."""
    argv = _pandoc_argv() if argv is None else argv
    if not argv:
        return None
    files, reader = input_files(argv)
    if not files or (reader is not None and not reader.split("+")[0].split("-")[0].startswith(
            ("markdown", "commonmark", "gfm"))):
        return None
    sources = []
    for name in files:
        path = Path(name)
        if name == "-" or path.suffix.lower() not in _MARKDOWN_SUFFIXES and reader is None:
            return None  # stdin, or a reader other than Markdown: no lines rather than wrong ones
        try:
            sources.append((name, path.read_text(encoding="utf-8-sig", errors="replace")))
        except OSError:
            return None
    return SourceLines(sources)
