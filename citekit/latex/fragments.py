r"""A citation's prefix and postnote as the author typed them in TeX, for the engine and back.

citekit.sty writes ``\cite[see][p.~12, \emph{passim}]{key}``'s notes to the ``.aux`` as
``\write`` prints tokens: a control word is followed by a space and ``#`` is doubled. The
engine wants plain text with citeproc-js's micro-HTML (``<i>``), so that it can find the
locator with its label (``p. 12``, ``chap. 3``, ``12-15``, read by
:mod:`citekit.pandoc.locator` as pandoc reads them) and settle the punctuation around it.
What has a plain-text form becomes that text (``~`` a no-break space, ``--`` an en dash,
``\&`` "&", ``\emph{x}`` ``<i>x</i>``); any other TeX (``\S``, math, a macro of the author's)
becomes a private-use character that stands for the TeX, put back unchanged in the engine's
LaTeX output, so the engine never escapes what the author wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from citekit.pandoc import ast
from citekit.pandoc.locator import parse_locator

_FIRST_PLACEHOLDER = 0xE000  # the Private Use Area: characters no bibliography holds
_LAST_PLACEHOLDER = 0xF8FF
_TOKEN = re.compile(r"\\([A-Za-z@]+) *|\\(.)|##|---|--|``|''|\$\$?|[{}~]|\s+|[^\\{}~$#`'\-\s]+|.", re.S)
# Text-formatting commands the engine has micro-HTML for.
_MARKUP = {"emph": "i", "textit": "i", "textsl": "i", "textbf": "b", "textsc": "sc",
           "textsuperscript": "sup", "textsubscript": "sub"}
# Commands that are one character.
_CHARS = {"&": "&", "%": "%", "#": "#", "_": "_", "$": "$", "{": "{", "}": "}", " ": " ", "S": "\u00a7",
          "P": "\u00b6", "ldots": "\u2026", "dots": "\u2026", "textendash": "\u2013", "textemdash": "\u2014",
          "nobreakspace": "\u00a0", "textsection": "\u00a7", "textparagraph": "\u00b6"}
_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "~": "\u00a0", "##": "#"}


@dataclass
class Raw:
    """The TeX that placeholders stand for, across one document's citations."""

    pieces: list[str] = field(default_factory=list)

    def hold(self, tex: str) -> str:
        code = _FIRST_PLACEHOLDER + len(self.pieces)
        if code > _LAST_PLACEHOLDER:
            return ""  # 6,400 pieces of raw TeX in one document's notes: the rest are left out
        self.pieces.append(tex)
        return chr(code)

    def restore(self, text: str) -> str:
        """The engine's output with each placeholder replaced by its TeX."""
        if not self.pieces:
            return text
        return re.sub("[\ue000-\uf8ff]", lambda m: self._piece(m.group(0)), text)

    def _piece(self, ch: str) -> str:
        i = ord(ch) - _FIRST_PLACEHOLDER
        return self.pieces[i] if i < len(self.pieces) else ch


def to_rich(tex: str, raw: Raw) -> str:
    """TeX as written to the ``.aux`` → the engine's rich text, other TeX held by ``raw``."""
    tokens = [m for m in _TOKEN.finditer(tex)]
    out, _ = _convert(tokens, 0, raw, False)
    return out


def _group_end(tokens: list[re.Match[str]], i: int) -> int:
    """The index of the ``}`` that closes the group opened at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j].group(0)
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _convert(tokens: list[re.Match[str]], i: int, raw: Raw, in_group: bool) -> tuple[str, int]:
    out: list[str] = []
    while i < len(tokens):
        m = tokens[i]
        t = m.group(0)
        word, symbol = m.group(1), m.group(2)
        if t == "}":
            if in_group:
                return "".join(out), i + 1
            out.append(raw.hold("}"))  # unbalanced: kept as typed
        elif t == "{":
            inner, i = _convert(tokens, i + 1, raw, True)  # a bare group: its text
            out.append(inner)
            continue
        elif word is not None or symbol is not None:
            name = word if word is not None else symbol
            nxt = tokens[i + 1].group(0) if i + 1 < len(tokens) else ""
            if name in _MARKUP and nxt == "{":
                inner, i = _convert(tokens, i + 2, raw, True)
                out.append(f"<{_MARKUP[name]}>{inner}</{_MARKUP[name]}>")
                continue
            if name in _CHARS:
                out.append(_CHARS[name])
                if word is not None and nxt == "{" and i + 2 < len(tokens) and tokens[i + 2].group(0) == "}":
                    i += 2  # \ldots{}
            elif nxt == "{":
                # \macro{...}: the command and its braces kept, the argument's text converted
                inner, i = _convert(tokens, i + 2, raw, True)
                out.append(raw.hold("\\" + name + "{") + inner + raw.hold("}"))
                continue
            else:
                out.append(raw.hold("\\" + name + (" " if word is not None else "")))
        elif t.startswith("$"):
            end = next((j for j in range(i + 1, len(tokens)) if tokens[j].group(0) == t), len(tokens) - 1)
            out.append(raw.hold("".join(x.group(0) for x in tokens[i:end + 1])))
            i = end
        elif t in _LIGATURES:
            out.append(_LIGATURES[t])
        elif t.isspace():
            out.append(" ")
        else:
            out.append(t)
        i += 1
    return "".join(out), i


@dataclass(slots=True)
class Note:
    """A postnote split as pandoc splits a cite's suffix."""

    locator: str | None
    label: str | None
    suffix: str | None


def split_postnote(rich: str, terms: dict[str, str]) -> Note:
    """The locator and label at the start of a postnote, and the suffix after them."""
    if not rich.strip():
        return Note(None, None, None)
    parsed = parse_locator(ast.text_inlines(rich), terms)
    suffix = ast.stringify(parsed.suffix)
    return Note(parsed.locator, parsed.label, suffix or None)
