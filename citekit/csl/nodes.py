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

_FORMAT_KEYS = {
    "prefix": "prefix", "suffix": "suffix", "delimiter": "delimiter", "font-style": "font_style",
    "font-variant": "font_variant", "font-weight": "font_weight", "text-decoration": "text_decoration",
    "vertical-align": "vertical_align", "text-case": "text_case", "display": "display",
}
# Keyed by the element's id; the element is kept with it (and in its style), so an id is never
# reused while cached.
_FORMATS: dict[int, tuple[Any, Formatting]] = {}


def formatting(el: Any) -> Formatting:
    """The Formatting a style element's attributes ask for (made once per element; read-only)."""
    found = _FORMATS.get(id(el))
    if found is not None and found[0] is el:
        return found[1]
    fmt = Formatting()
    for attr, slot in _FORMAT_KEYS.items():
        value = el.attrs.get(attr)
        if value is not None:
            setattr(fmt, slot, value)
    fmt.quotes = el.attrs.get("quotes") == "true"
    fmt.strip_periods = el.attrs.get("strip-periods") == "true"
    if len(_FORMATS) >= 50_000:
        _FORMATS.clear()  # a long-lived process that reads many styles: rebuilding is cheap
    _FORMATS[id(el)] = (el, fmt)
    return fmt


@dataclass(slots=True)
class Text:
    """A run of plain text (unescaped; the output format escapes it)."""

    text: str


@dataclass(slots=True)
class Span:
    """Children rendered with one Formatting (affixes, delimiter, fonts, quotes, case).

    ``full``: the maker checked that a child holds text (``is_empty`` need not look).
    """

    children: list[Node]
    fmt: Formatting = field(default_factory=Formatting)
    full: bool = field(default=False, compare=False, repr=False)


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
    kind = type(node)
    if kind is Text:
        return not node.text  # type: ignore[union-attr]
    if kind is Span and node.full:  # type: ignore[union-attr]
        return False
    for child in node.children:  # type: ignore[union-attr]
        # Text children answered here: most children are, and each recursion is a call.
        if type(child) is Text:
            if not child.text:  # type: ignore[union-attr]
                continue
        elif is_empty(child):
            continue
        if kind is Span:
            # Evaluation asks again at every level above; a tree only ever gains text
            # (children are added, never removed), so the answer is kept.
            node.full = True  # type: ignore[union-attr]
        return False
    return True
