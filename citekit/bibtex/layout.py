"""The layout of one entry's text: where each field's name, value and comma stand.

Used by the writer to edit fields in place and by lint and tidy to locate problems exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class FieldSpan:
    """Offsets (relative to the entry text) of one ``name = value`` pair."""

    name: str  # lower-cased
    name_start: int
    name_end: int
    value_start: int
    value_end: int  # after the last value token (before any comma)
    enclosing: str  # of the first token: "{", '"' or ""
    comma_end: int | None  # just after the following comma, if any
    concatenated: bool = False  # more than one token joined with "#"


@dataclass
class EntryLayout:
    head_end: int  # just after the comma that ends "@type{key,"
    fields: list[FieldSpan]
    close: int  # offset of the closing "}" or ")"


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


_BRACE = re.compile(r"[{}]")
_BRACE_OR_QUOTE = re.compile(r'[{}"]')
_FIELD_NAME = re.compile(r"[^\s=,{}()\"#]+")
_WS = re.compile(r"\s*")
# name = value with no nested braces, then blanks and an optional comma (and what follows it)
_SIMPLE_FIELD = re.compile(
    r"""(?P<name>[^\s=,{}()"#]+)\s*=\s*(?P<value>\{[^{}]*\}|"[^"{}]*"|[^\s,#{}()"=]+)\s*"""
    r"""(?:(?P<hash>\#)|(?P<comma>,)\s*)?"""
)


class ScanError(ValueError):
    """A malformed entry; ``pos`` is the offset (in the entry text) where it went wrong."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _value_token_end(text: str, i: int, closer: str) -> int:
    """End offset of one value token starting at ``i`` (braced, quoted or bare)."""
    if i >= len(text):
        raise ScanError("expected a value, found the end of the entry", i)
    ch = text[i]
    if ch == "{":
        depth = 0
        for m in _BRACE.finditer(text, i):
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                return m.end()
        raise ScanError("unbalanced braces", i)
    if ch == '"':
        depth = 0
        for m in _BRACE_OR_QUOTE.finditer(text, i + 1):
            c = m.group()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif depth <= 0:
                return m.end()
        raise ScanError("unterminated quoted value", i)
    start = i
    n = len(text)
    while i < n and not text[i].isspace() and text[i] not in ",#" and text[i] != closer:
        i += 1
    if i == start:
        raise ScanError(f"expected a value, found {ch!r}", i)
    return i


def scan_entry(text: str) -> EntryLayout:
    """Find the fields of one entry block (``@type{key, …}``). Raises :class:`ScanError` if malformed."""
    m = re.match(r"@\s*[A-Za-z_][\w-]*\s*([{(])", text)
    if not m:
        raise ScanError("not an entry", 0)
    closer = "}" if m.group(1) == "{" else ")"
    i = text.find(",", m.end())
    close_pos = text.rfind(closer)
    if close_pos < m.end():
        raise ScanError("no closing delimiter", len(text))
    if i == -1 or i > close_pos:  # an entry with a key and no fields
        return EntryLayout(close_pos, [], close_pos)
    head_end = i + 1
    fields: list[FieldSpan] = []
    i = head_end
    n = len(text)
    while True:
        i = _skip_ws(text, i)
        if i >= n:
            raise ScanError("no closing delimiter", n)
        if text[i] == closer:
            return EntryLayout(head_end, fields, i)
        fast = _SIMPLE_FIELD.match(text, i)
        if fast and fast.group("hash") is None:  # the common case, in one regex call
            value_start, value_end = fast.span("value")
            comma = fast.group("comma")
            enclosing = text[value_start] if text[value_start] in '{"' else ""
            fields.append(FieldSpan(fast.group("name").lower(), i, fast.end("name"), value_start, value_end,
                                    enclosing, fast.end("comma") if comma else None))
            i = fast.end()
            if not comma and (i >= n or text[i] != closer):
                raise ScanError(f"missing comma after field {fast.group('name')!r}", value_end)
            continue
        nm = _FIELD_NAME.match(text, i)
        if not nm:
            raise ScanError(f"expected a field name, found {text[i]!r}", i)
        name_start, name_end = nm.start(), nm.end()
        j = _skip_ws(text, name_end)
        if j >= n or text[j] != "=":
            raise ScanError(f"expected '=' after field name {nm.group()!r}", j)
        j = _skip_ws(text, j + 1)
        value_start = j
        j = _value_token_end(text, j, closer)
        enclosing = text[value_start] if text[value_start] in '{"' else ""
        concatenated = False
        while True:  # "#" concatenation
            k = _skip_ws(text, j)
            if k < n and text[k] == "#":
                k = _skip_ws(text, k + 1)
                j = _value_token_end(text, k, closer)
                concatenated = True
            else:
                break
        value_end = j
        k = _skip_ws(text, j)
        comma_end = None
        if k < n and text[k] == ",":
            comma_end = k + 1
            i = k + 1
        else:
            i = k
        fields.append(
            FieldSpan(nm.group().lower(), name_start, name_end, value_start, value_end, enclosing, comma_end,
                      concatenated)
        )
        if comma_end is None:
            k = _skip_ws(text, i)
            if k >= n or text[k] != closer:
                raise ScanError(f"missing comma after field {nm.group()!r}", value_end)


# --------------------------------------------------------------------------------------------
# Surgical edits inside one entry
# --------------------------------------------------------------------------------------------


def line_start(text: str, i: int) -> int | None:
    """Start of the line holding ``i`` if only blanks precede ``i`` on it, else None."""
    j = i
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    return j if j == 0 or text[j - 1] == "\n" else None


def eol_after(text: str, i: int) -> int:
    """Skip blanks after ``i`` and one line ending, if the rest of the line is blank."""
    j = i
    while j < len(text) and text[j] in " \t":
        j += 1
    if text.startswith("\r\n", j):
        return j + 2
    if j < len(text) and text[j] == "\n":
        return j + 1
    return i


def splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
