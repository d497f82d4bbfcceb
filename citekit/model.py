"""The model in the middle: CSL-JSON items, and the Library of BibTeX entries they come from.

A CSL-JSON item is a plain ``dict`` (as citeproc-py, Zotero and pandoc exchange them); ``Item``
names that. An :class:`Entry` is one ``@type{key, …}`` block exactly as it stands in its file,
with its span, so edits can replace that span and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

Item = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """Something wrong in an input file, located to the line (1-based)."""

    path: str
    line: int
    message: str
    column: int | None = None
    code: str = "parse-error"
    key: str | None = None

    def __str__(self) -> str:
        col = f":{self.column}" if self.column else ""
        return f"{self.path}:{self.line}{col}: {self.message}"


@dataclass
class Field:
    """A field's value as written: ``value`` is the text inside the delimiters, untouched."""

    name: str  # lower-cased
    value: str
    enclosing: str  # "{", '"' or "" (bare number or @string macro, possibly with # concatenation)
    line: int  # 1-based


@dataclass
class Entry:
    key: str
    entry_type: str  # lower-cased, e.g. "report", "online", "legislation"
    fields: dict[str, Field]
    path: str
    line: int  # 1-based line of the "@"
    start: int  # character offsets of the whole block in the file's text
    end: int

    def get(self, name: str, default: str | None = None) -> str | None:
        f = self.fields.get(name)
        return f.value if f is not None else default

    def __contains__(self, name: str) -> bool:
        return name in self.fields


@dataclass
class BibFile:
    path: str
    text: str
    entries: list[Entry] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # @string macros, lower-cased names
    problems: list[Problem] = field(default_factory=list)

    @property
    def parsed_cleanly(self) -> bool:
        """False when any block failed to parse: such a file must not be rewritten."""
        return not any(p.code == "parse-error" for p in self.problems)


@dataclass
class Library:
    """All entries of one or more ``.bib`` files, in file order."""

    files: list[BibFile] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [e for f in self.files for e in f.entries]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return sum(len(f.entries) for f in self.files)

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def find(self, key: str) -> Entry | None:
        for f in self.files:
            for e in f.entries:
                if e.key == key:
                    return e
        return None

    def file_of(self, entry: Entry) -> BibFile:
        for f in self.files:
            if f.path == entry.path:
                return f
        raise KeyError(entry.path)

    def items(self, keys: Iterable[str] | None = None) -> list[Item]:
        """CSL-JSON items for ``keys`` (in that order) or for every entry (file order)."""
        from citekit.bibtex.mapping import entry_to_csl, inherit  # local: mapping imports model
        from citekit.errors import UnknownKeyError
        from citekit.perf import paused_gc

        index = {e.key.lower(): e for e in reversed(self.entries)}

        def resolved(e: Entry) -> Entry:
            # crossref/xdata parents (one level, as biblatex resolves them by default)
            for name in ("crossref", "xdata"):
                parent_key = e.get(name)
                if parent_key:
                    for pk in parent_key.split(","):
                        parent = index.get(pk.strip().lower())
                        if parent is not None and parent is not e:
                            e = inherit(e, parent)
            return e

        with paused_gc():
            if keys is None:
                return [entry_to_csl(resolved(e), f.strings) for f in self.files for e in f.entries]
            out = []
            for k in keys:
                e = index.get(k.lower())
                if e is None:
                    raise UnknownKeyError(f"unknown citation key {k!r}")
                out.append(entry_to_csl(resolved(e), self.file_of(e).strings))
            return out
