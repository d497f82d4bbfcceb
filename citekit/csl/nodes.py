"""The output model: what evaluation produces and the output formats consume.

Evaluation builds a tree of these nodes; nothing is turned into text until ``output.render``
runs, so flip-flopping, quote alternation, punctuation moves and text-case can see the whole
tree (jgm/citeproc's ``Output``, citeproc-js's blobs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Formatting:
    """A rendering element's formatting attributes (CSL 1.0.2, "Formatting" and "Affixes").

    Affixes sit outside the font formatting, quotes and text-case (spec: "affixes are outside
    the formatting"); ``delimiter`` joins the node's non-empty children.
    """

    prefix: str | None = None
    suffix: str | None = None
    delimiter: str | None = None
    font_style: str | None = None  # italic | oblique | normal
    font_variant: str | None = None  # small-caps | normal
    font_weight: str | None = None  # bold | light | normal
    text_decoration: str | None = None  # underline | none
    vertical_align: str | None = None  # sup | sub | baseline
    text_case: str | None = None  # lowercase | uppercase | capitalize-first | capitalize-all | title | sentence
    strip_periods: bool = False
    quotes: bool = False
    display: str | None = None  # block | left-margin | right-inline | indent

    def is_plain(self) -> bool:
        return self == _PLAIN


_PLAIN = Formatting()


@dataclass(slots=True)
class Text:
    """A run of plain text (unescaped; the output format escapes it)."""

    text: str


@dataclass(slots=True)
class Span:
    """Children rendered with one Formatting (affixes, delimiter, fonts, quotes, case)."""

    children: list[Node]
    fmt: Formatting = field(default_factory=Formatting)


@dataclass(slots=True)
class NoCase:
    """Text that text-case transforms leave alone (``<span class="nocase">`` in input)."""

    children: list[Node]


@dataclass(slots=True)
class NoDecor:
    """Text that keeps plain formatting whatever surrounds it (``<span class="nodecor">``)."""

    children: list[Node]


@dataclass(slots=True)
class Tag:
    """A transparent semantic marker: rendering ignores it except for ``link``.

    kinds: ``item`` (value: item id), ``names`` (value: variable), ``name``, ``date``,
    ``year-suffix``, ``citation-number``, ``locator``, ``title``, ``term``, ``link``
    (value: URL), ``prefix``/``suffix`` (a cite's affixes).
    """

    kind: str
    value: Any
    children: list[Node]


Node = Text | Span | NoCase | NoDecor | Tag


def text_of(node: Node | None) -> str:
    """The plain characters of a subtree, without affix or quote handling (tests, sort keys)."""
    if node is None:
        return ""
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Span):
        fmt = node.fmt
        parts = [p for p in (text_of(c) for c in node.children) if p]
        body = (fmt.delimiter or "").join(parts)
        if not body:
            return ""
        return (fmt.prefix or "") + body + (fmt.suffix or "")
    return "".join(text_of(c) for c in node.children)


def is_empty(node: Node | None) -> bool:
    """True when a subtree holds no characters (stops at the first that it finds)."""
    if node is None:
        return True
    if type(node) is Text:
        return not node.text
    for child in node.children:  # type: ignore[union-attr]
        if not is_empty(child):
            return False
    return True
