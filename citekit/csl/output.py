"""Output: node trees → HTML (as citeproc-js writes it), plain text, Markdown or LaTeX.

Rendering runs in two steps. ``_Builder`` turns nodes into a small tree of strings and
formatting boxes, resolving everything that depends on neighbouring characters: delimiters
between non-empty children, affixes outside the formatting, collisions of punctuation where an
affix or delimiter meets text that already ends in punctuation (citeproc-js's table: "Why?" +
"." gives "Why?", ":" + "!" gives "!", ", " + ", " gives ", "), and punctuation-in-quote (a
period, comma, ? or ! that an affix or delimiter puts after a closing quote moves inside it).
``emit.Emitter`` then writes the boxes in the target format, deciding the flip-flops (italic inside
italic is roman) and the quote marks from context: a style's quotes are the locale's outer
ones, a quotation inside a field alternates with the quotation around it.

Punctuation that follows a quotation inside the same field ("'quote', " in a cite prefix)
stays where the writer put it; only punctuation from another element moves.
"""

from __future__ import annotations

import re
from typing import Protocol

from citekit.csl.emit import Box, Ctx, Emitter, Item
from citekit.csl.nodes import Formatting, NoCase, Node, NoDecor, Span, Tag, Text
from citekit.csl.rich import MARKUP, QUOTE
from citekit.csl.textcase import apply_case

FORMATS = ("html", "text", "markdown", "latex")
# Tag kind for a cs:text term that citeproc-js capitalises when nothing has been rendered
# before it in the cite cluster or bibliography entry (the evaluator leaves it out where the
# rule does not apply: citations of in-text styles). A cite prefix that ends a sentence and
# has more than one word ("This has been said. ") counts as nothing rendered.
CAPITALIZE_IF_FIRST = "capitalize-if-first"
STRAIGHT_APOSTROPHES = "straight-apostrophes"
DEFAULT_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019")


class LocaleLike(Protocol):
    """What rendering needs from ``locale.Locale``."""

    @property
    def quotes(self) -> tuple[str, str, str, str]: ...

    def option(self, name: str) -> str | None: ...



# Punctuation collisions (left char, right char): drop the right one or the left one.
# Pairs not listed keep both (citeproc-js queue.js; jgm/citeproc fixPunct).
_KEEP_LEFT = {
    ("!", "."), ("!", ":"), ("?", "."), ("?", ":"), (":", "."), (";", ":"), (";", "."),
    ("!", "!"), ("?", "?"), (".", "."), (":", ":"), (";", ";"), (",", ","),
}
_KEEP_RIGHT = {(":", "!"), (":", "?"), (";", "!"), (";", "?"), (" ", " ")}
# Between cites, a delimiter after a cite that already ends in a comma loses its punctuation.
_CITE_KEEP_LEFT = _KEEP_LEFT | {(",", ";")}
_COLLIDING = frozenset(right for _, right in _CITE_KEEP_LEFT | _KEEP_RIGHT)
_INTO_QUOTES = frozenset(".,!?")
_OUT_OF_QUOTES = frozenset(":,;")
_SPACE_BEFORE = re.compile(" ([:;?!\u00bb])")
_SPACED = re.compile(" [:;?!\u00bb]|\u00ab ")  # what the two replacements below would change
_PREFIX_TAGS = re.compile(r"<[^>]+>")
_PREFIX_TRAILING = re.compile("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$")
_STRIP_PERIODS = re.compile(r"\.([^a-z]|$)")
# Tag kinds the builder does more with than render their children.
_SPECIAL_TAGS = frozenset(("lang", STRAIGHT_APOSTROPHES, CAPITALIZE_IF_FIRST, "prefix", QUOTE, "link"))
# Tags whose leading punctuation is the field's own (it stays outside a quotation before it).
_OWN_PUNCTUATION = frozenset((MARKUP, QUOTE))


def render(node: Node | None, fmt: str = "html", locale: LocaleLike | None = None) -> str:
    """Render a node tree in ``fmt`` (html, text, markdown, latex) with ``locale``'s quotes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if node is None:
        return ""
    builder = _Builder(_punct_in_quote(locale), getattr(locale, "lang", None), links=fmt != "text")
    items = builder.build(node)
    quotes = tuple(locale.quotes) if locale is not None else DEFAULT_QUOTES
    return _emitter(fmt, quotes).emit(items, _TOP)


_TOP = Ctx()
# One Emitter per format and locale's quotes (it keeps nothing between calls); a handful per run.
_EMITTERS: dict[tuple[str, tuple[str, ...]], Emitter] = {}


def _emitter(fmt: str, quotes: tuple[str, ...]) -> Emitter:
    found = _EMITTERS.get((fmt, quotes))
    if found is None:
        if len(_EMITTERS) > 64:
            _EMITTERS.clear()
        found = _EMITTERS[(fmt, quotes)] = Emitter(fmt, quotes)
    return found


def _punct_in_quote(locale: LocaleLike | None) -> bool:
    # Without a locale the quotes are American, and so is the punctuation.
    return True if locale is None else locale.option("punctuation-in-quote") == "true"


# --- building -------------------------------------------------------------------------------


def _last_str(items: list[Item]) -> tuple[list[Item], int] | None:
    """The list and index of the last non-empty string (through quotes, not into display blocks)."""
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if type(item) is str:
            if item:
                return items, i
        elif item.kind != "display":  # type: ignore[union-attr]
            found = _last_str(item.items)  # type: ignore[union-attr]
            if found:
                return found
        else:
            return None
    return None


def _first_str(items: list[Item]) -> tuple[list[Item], int] | None:
    """The first non-empty string; None when the first thing is a quotation or a display block."""
    for i, item in enumerate(items):
        if type(item) is str:
            if item:
                return items, i
        elif item.kind in ("quote", "fieldquote", "display"):  # type: ignore[union-attr]
            return None
        else:
            found = _first_str(item.items)  # type: ignore[union-attr]
            if found:
                return found
            if _has_text(item.items):  # type: ignore[union-attr]
                return None
    return None


def _has_text(items: list[Item]) -> bool:
    for item in items:  # a loop, not any(): this runs for every node
        if type(item) is str:
            if item:
                return True
        elif _has_text(item.items):  # type: ignore[union-attr]
            return True
    return False


# The edge characters are asked for at every join; most lists start and end with a plain
# string, so that case is answered without the search.
def _last_char(items: list[Item]) -> str:
    last = items[-1] if items else None
    if type(last) is str and last:
        return last[-1]
    found = _last_str(items)
    return found[0][found[1]][-1] if found else ""  # type: ignore[index]


def _first_char(items: list[Item]) -> str:
    first = items[0] if items else None
    if type(first) is str and first:
        return first[0]
    found = _first_str(items)
    return found[0][found[1]][0] if found else ""  # type: ignore[index]


def _drop_last(items: list[Item]) -> None:
    found = _last_str(items)
    if found:
        lst, i = found
        lst[i] = lst[i][:-1]  # type: ignore[index]


def _drop_first(items: list[Item]) -> None:
    found = _first_str(items)
    if found:
        lst, i = found
        lst[i] = lst[i][1:]  # type: ignore[index]


def _trailing_quote(items: list[Item]) -> Box | None:
    """The innermost quotation that ends exactly where ``items`` end."""
    if items and type(items[-1]) is str and items[-1]:  # most lists: they end in text
        return None
    quote = None
    while items:
        last = next((x for x in reversed(items) if type(x) is not str or x), None)
        if type(last) is not Box or last.kind == "display":  # type: ignore[union-attr]
            return quote
        if last.kind in ("quote", "fieldquote"):  # type: ignore[union-attr]
            quote = last
        items = last.items  # type: ignore[union-attr]
    return quote


def _collide(left: list[Item], right: list[Item], keep_left: set[tuple[str, str]], first: str) -> str:
    """Resolve punctuation where ``left`` ends and ``right`` begins (with ``first``); the first
    character of ``right`` that is left."""
    for _ in range(8):  # each step removes a character; a few are ever needed
        if first not in _COLLIDING:  # most joins: nothing to resolve, whatever ``left`` ends with
            return first
        pair = (_last_char(left), first)
        if pair in keep_left:
            _drop_first(right)
        elif pair in _KEEP_RIGHT:
            _drop_last(left)
        else:
            return first
        first = _first_char(right)
    return first


class _Builder:
    """Nodes → items, with delimiters, affixes and punctuation resolved.

    Every list ``build`` returns is empty or holds text (a collision drops a character from one
    side only), so an empty list is the test for "rendered nothing".
    """

    def __init__(self, punct_in_quote: bool, lang: str | None, links: bool = True) -> None:
        self.punct_in_quote = punct_in_quote
        self.lang = lang
        # Plain text writes a link as its text: no box, which every edge search would look into.
        self.links = links
        self.rendered = False  # has any text been rendered yet (for CAPITALIZE_IF_FIRST)
        self.straight = False  # citekit:apostrophes="straight": the house style prints ' not ’

    def build(self, node: Node) -> list[Item]:
        while True:
            kind = type(node)
            if kind is Span:
                return self._span(node)  # type: ignore[arg-type]
            if kind is Text:
                text = node.text  # type: ignore[union-attr]
                if not text:
                    return []
                if " " in text and _SPACED.search(text):
                    text = _SPACE_BEFORE.sub("\u202f\\1", text).replace("\u00ab ", "\u00ab\u202f")
                if self.straight:
                    text = text.replace("\u2019", "'")
                self.rendered = True
                return [text]
            if kind is Tag:
                if node.kind in _SPECIAL_TAGS:  # type: ignore[union-attr]
                    return self._tag(node)  # type: ignore[arg-type]
                # names, dates, titles ...: transparent; one child is rendered as itself.
                children = node.children  # type: ignore[union-attr]
                if len(children) != 1:
                    return self._seq(children, None)
                node = children[0]
                continue
            if kind is NoCase:
                return self._seq(node.children, None)  # type: ignore[union-attr]
            if kind is NoDecor:
                items = self._seq(node.children, None)  # type: ignore[union-attr]
                return [Box("nodecor", None, items)] if items else []
            return []

    def _tag(self, node: Tag) -> list[Item]:
        kind = node.kind
        if kind == "lang":
            outer, self.lang = self.lang, node.value
            try:
                return self._seq(node.children, None)
            finally:
                self.lang = outer
        if kind == STRAIGHT_APOSTROPHES:
            outer_straight, self.straight = self.straight, True
            try:
                return self._seq(node.children, None)
            finally:
                self.straight = outer_straight
        if kind == CAPITALIZE_IF_FIRST:
            children = node.children if self.rendered else apply_case(node.children, "capitalize-first", self.lang)
            return self._seq(children, None)
        if kind == "prefix" and isinstance(node.value, str) and _ends_sentence(node.value):
            items = self._seq(node.children, None)
            self.rendered = False
            return items
        if kind == QUOTE and len(node.children) == 1 and isinstance(node.children[0], Span):
            # A field's quotation: its marks are decided when written, from what surrounds it.
            inner = self._seq(node.children[0].children, None)
            return self._outside([Box("fieldquote", str(node.value), inner)]) if inner else []
        items = self._seq(node.children, None)
        if items and kind == "link" and node.value and self.links:
            return [Box("link", str(node.value), items)]
        return items

    def _span(self, node: Span) -> list[Item]:
        fmt = node.fmt
        children = node.children
        if fmt.text_case:
            children = apply_case(children, fmt.text_case, self.lang)
        if fmt.strip_periods:
            children = [_strip_periods(c) for c in children]
        body = self.build(children[0]) if len(children) == 1 else self._seq(children, fmt.delimiter)
        if not body:
            return []
        if fmt.font_style or fmt.font_variant or fmt.font_weight or fmt.text_decoration or fmt.vertical_align \
                or fmt.quotes:  # most spans: affixes and delimiters only
            body = _decorate(body, fmt)
            if fmt.quotes:
                body = self._outside(body)
        if fmt.prefix:
            prefixed: list[Item] = [fmt.prefix]
            self._join(prefixed, body, False)
            body = prefixed
        if fmt.suffix:
            # A suffix after a display block goes inside it (citeproc-js: the layout's period
            # ends the right-inline block).
            target = body
            while type(target[-1]) is Box and target[-1].kind == "display":  # type: ignore[union-attr]
                target = target[-1].items  # type: ignore[union-attr]
            self._join(target, [fmt.suffix], True)
        if fmt.display:
            body = [Box("display", fmt.display, body)]
        return body

    def _seq(self, children: list[Node], delimiter: str | None) -> list[Item]:
        if len(children) == 1:  # most nodes: nothing to join
            return self.build(children[0])
        out: list[Item] = []
        build = self.build
        for child in children:
            piece = build(child)
            if not piece:
                continue
            if not out:
                out = piece
                continue
            kind = type(child)
            if delimiter:
                cite = kind is Tag and child.kind == "item"  # type: ignore[union-attr]
                # Between cites, the delimiter gives way to a cite prefix with its own punctuation
                # (", and "); inside a cite, citeproc-js keeps both (", , 1965").
                if not (cite and _first_char(piece) in (",", ";", ".")):
                    self._join(out, [delimiter], True, _CITE_KEEP_LEFT if cite else _KEEP_LEFT)
            first = piece[0]
            if type(first) is str and first and first[0] not in _COLLIDING:
                out.extend(piece)  # _join's own shortcut, without the call
                continue
            # Punctuation at the start of a span or a tag comes from another element and may
            # move into a quotation; a field's own markup and quotes keep theirs.
            self._join(out, piece, kind is Span or (kind is Tag and child.kind not in _OWN_PUNCTUATION))  # type: ignore[union-attr]
        return out

    def _join(self, left: list[Item], right: list[Item], move: bool,
              keep_left: set[tuple[str, str]] = _KEEP_LEFT) -> None:
        """Append ``right`` to ``left``: collisions first, then punctuation into quotes."""
        first = _first_char(right)
        if first not in _COLLIDING:
            left.extend(right)  # most joins: nothing collides, nothing moves into quotes
            return
        first = _collide(left, right, keep_left, first)
        if move and first in _INTO_QUOTES and self.punct_in_quote:
            quote = _trailing_quote(left)
            while quote is not None and first in _INTO_QUOTES:
                _drop_first(right)
                moved: list[Item] = [first]
                _collide(quote.items, moved, _KEEP_LEFT, first)
                _append_inside(quote, moved)
                first = _first_char(right)
        left.extend(right)

    def _outside(self, items: list[Item]) -> list[Item]:
        """Without punctuation-in-quote, a quotation's closing colon, comma or semicolon goes
        after the closing mark (citeproc-js swaps them out; periods and ? ! stay)."""
        if self.punct_in_quote or not items or not isinstance(items[0], Box):
            return items
        quote = items[0]
        moved = ""
        while (char := _last_char(quote.items)) in _OUT_OF_QUOTES:
            _drop_last(quote.items)
            moved = char + moved
        return [*items, moved] if moved else items


def _ends_sentence(prefix: str) -> bool:
    """citeproc-js: a cite prefix of more than one word ending in . ! ? : ; restarts the cite."""
    tested = _PREFIX_TRAILING.sub("", _PREFIX_TAGS.sub("", prefix))
    return tested[-1:] in (".", "!", "?", ":", ";") and " " in prefix.strip()


def _append_inside(quote: Box, moved: list[Item]) -> None:
    """Put punctuation at the end of a quotation, inside any quotation that ends with it."""
    inner = _trailing_quote(quote.items)
    (inner or quote).items.extend(m for m in moved if m)


def _strip_periods(node: Node) -> Node:
    if isinstance(node, Text):
        return Text(_STRIP_PERIODS.sub(r"\1", node.text))
    if isinstance(node, Span):
        return Span([_strip_periods(c) for c in node.children], node.fmt)
    if isinstance(node, (NoCase, NoDecor)):
        return type(node)([_strip_periods(c) for c in node.children])
    if isinstance(node, Tag):
        return Tag(node.kind, node.value, [_strip_periods(c) for c in node.children])
    return node


def _decorate(items: list[Item], fmt: Formatting) -> list[Item]:
    # citeproc-js's FORMAT_KEY_SEQUENCE: font-style innermost, quotes outermost.
    for kind, value in (("font-style", fmt.font_style), ("font-variant", fmt.font_variant),
                        ("font-weight", fmt.font_weight), ("text-decoration", fmt.text_decoration),
                        ("vertical-align", fmt.vertical_align)):
        if value:
            items = [Box(kind, value, items)]
    if fmt.quotes:
        items = [Box("quote", None, items)]
    return items
