"""Output: node trees → HTML (as citeproc-js writes it), plain text, Markdown or LaTeX.

Rendering runs in two steps. ``_Builder`` turns nodes into a small tree of strings and
formatting boxes, resolving everything that depends on neighbouring characters: delimiters
between non-empty children, affixes outside the formatting, collisions of punctuation where an
affix or delimiter meets text that already ends in punctuation (citeproc-js's table: "Why?" +
"." gives "Why?", ":" + "!" gives "!", ", " + ", " gives ", "), and punctuation-in-quote (a
period, comma, ? or ! that an affix or delimiter puts after a closing quote moves inside it).
``_Emitter`` then writes the boxes in the target format, deciding the flip-flops (italic inside
italic is roman) and the quote marks from context: a style's quotes are the locale's outer
ones, a quotation inside a field alternates with the quotation around it.

Punctuation that follows a quotation inside the same field ("'quote', " in a cite prefix)
stays where the writer put it; only punctuation from another element moves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Protocol

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


@dataclass(slots=True)
class _Box:
    """Formatting around items; ``kind`` is a CSL attribute name or quote/fieldquote/nodecor/display/link."""

    kind: str
    value: str | None
    items: list[Item]


Item = str | _Box

# Punctuation collisions (left char, right char): drop the right one or the left one.
# Pairs not listed keep both (citeproc-js queue.js; jgm/citeproc fixPunct).
_KEEP_LEFT = {
    ("!", "."), ("!", ":"), ("?", "."), ("?", ":"), (":", "."), (";", ":"), (";", "."),
    ("!", "!"), ("?", "?"), (".", "."), (":", ":"), (";", ";"), (",", ","),
}
_KEEP_RIGHT = {(":", "!"), (":", "?"), (";", "!"), (";", "?"), (" ", " ")}
# Between cites, a delimiter after a cite that already ends in a comma loses its punctuation.
_CITE_KEEP_LEFT = _KEEP_LEFT | {(",", ";")}
_INTO_QUOTES = frozenset(".,!?")
_OUT_OF_QUOTES = frozenset(":,;")
_SPACE_BEFORE = re.compile(" ([:;?!\u00bb])")
_SPACED = (" :", " ;", " ?", " !", " \u00bb", "\u00ab ")
_PREFIX_TAGS = re.compile(r"<[^>]+>")
_PREFIX_TRAILING = re.compile("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$")
_STRIP_PERIODS = re.compile(r"\.([^a-z]|$)")


def render(node: Node | None, fmt: str = "html", locale: LocaleLike | None = None) -> str:
    """Render a node tree in ``fmt`` (html, text, markdown, latex) with ``locale``'s quotes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if node is None:
        return ""
    builder = _Builder(_punct_in_quote(locale), getattr(locale, "lang", None))
    items = builder.build(node)
    quotes = tuple(locale.quotes) if locale is not None else DEFAULT_QUOTES
    return _Emitter(fmt, quotes).emit(items, _Ctx())


def _punct_in_quote(locale: LocaleLike | None) -> bool:
    # Without a locale the quotes are American, and so is the punctuation.
    return True if locale is None else locale.option("punctuation-in-quote") == "true"


# --- building -------------------------------------------------------------------------------


def _last_str(items: list[Item]) -> tuple[list[Item], int] | None:
    """The list and index of the last non-empty string (through quotes, not into display blocks)."""
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if isinstance(item, str):
            if item:
                return items, i
        elif item.kind != "display":
            found = _last_str(item.items)
            if found:
                return found
        else:
            return None
    return None


def _first_str(items: list[Item]) -> tuple[list[Item], int] | None:
    """The first non-empty string; None when the first thing is a quotation or a display block."""
    for i, item in enumerate(items):
        if isinstance(item, str):
            if item:
                return items, i
        elif item.kind in ("quote", "fieldquote", "display"):
            return None
        else:
            found = _first_str(item.items)
            if found:
                return found
            if _has_text(item.items):
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


def _last_char(items: list[Item]) -> str:
    found = _last_str(items)
    return found[0][found[1]][-1] if found else ""


def _first_char(items: list[Item]) -> str:
    found = _first_str(items)
    return found[0][found[1]][0] if found else ""


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


def _trailing_quote(items: list[Item]) -> _Box | None:
    """The innermost quotation that ends exactly where ``items`` end."""
    quote = None
    while items:
        last = next((x for x in reversed(items) if not isinstance(x, str) or x), None)
        if not isinstance(last, _Box) or last.kind == "display":
            return quote
        if last.kind in ("quote", "fieldquote"):
            quote = last
        items = last.items
    return quote


def _collide(left: list[Item], right: list[Item], keep_left: set[tuple[str, str]]) -> None:
    """Resolve punctuation where ``left`` ends and ``right`` begins."""
    for _ in range(8):  # each step removes a character; a few are ever needed
        pair = (_last_char(left), _first_char(right))
        if pair in keep_left:
            _drop_first(right)
        elif pair in _KEEP_RIGHT:
            _drop_last(left)
        else:
            return


class _Builder:
    """Nodes → items, with delimiters, affixes and punctuation resolved."""

    def __init__(self, punct_in_quote: bool, lang: str | None) -> None:
        self.punct_in_quote = punct_in_quote
        self.lang = lang
        self.rendered = False  # has any text been rendered yet (for CAPITALIZE_IF_FIRST)
        self.straight = False  # citekit:apostrophes="straight": the house style prints ' not ’

    def build(self, node: Node) -> list[Item]:
        if type(node) is Text:
            text = node.text
            if " " in text and any(pair in text for pair in _SPACED):
                text = _SPACE_BEFORE.sub("\u202f\\1", text).replace("\u00ab ", "\u00ab\u202f")
            if self.straight:
                text = text.replace("\u2019", "'")
            self.rendered = self.rendered or bool(text)
            return [text] if text else []
        if isinstance(node, Span):
            return self._span(node)
        if isinstance(node, NoCase):
            return self._seq(node.children, None)
        if isinstance(node, NoDecor):
            items = self._seq(node.children, None)
            return [_Box("nodecor", None, items)] if items else []
        if isinstance(node, Tag):
            return self._tag(node)
        return []

    def _tag(self, node: Tag) -> list[Item]:
        if node.kind == "lang":
            outer, self.lang = self.lang, node.value
            try:
                return self._seq(node.children, None)
            finally:
                self.lang = outer
        if node.kind == STRAIGHT_APOSTROPHES:
            outer_straight, self.straight = self.straight, True
            try:
                return self._seq(node.children, None)
            finally:
                self.straight = outer_straight
        if node.kind == CAPITALIZE_IF_FIRST:
            children = node.children if self.rendered else apply_case(node.children, "capitalize-first", self.lang)
            return self._seq(children, None)
        if node.kind == "prefix" and isinstance(node.value, str) and _ends_sentence(node.value):
            items = self._seq(node.children, None)
            self.rendered = False
            return items
        if node.kind == QUOTE and len(node.children) == 1 and isinstance(node.children[0], Span):
            # A field's quotation: its marks are decided when written, from what surrounds it.
            inner = self._seq(node.children[0].children, None)
            return self._outside([_Box("fieldquote", str(node.value), inner)]) if _has_text(inner) else []
        items = self._seq(node.children, None)
        if not items:
            return []
        if node.kind == "link" and node.value:
            return [_Box("link", str(node.value), items)]
        return items

    def _span(self, node: Span) -> list[Item]:
        fmt = node.fmt
        children = node.children
        if fmt.text_case:
            children = apply_case(children, fmt.text_case, self.lang)
        if fmt.strip_periods:
            children = [_strip_periods(c) for c in children]
        body = self._seq(children, fmt.delimiter)
        if not _has_text(body):
            return []
        body = _decorate(body, fmt)
        if fmt.quotes:
            body = self._outside(body)
        if fmt.prefix:
            prefixed: list[Item] = [fmt.prefix]
            self._join(prefixed, body, move=False)
            body = prefixed
        if fmt.suffix:
            # A suffix after a display block goes inside it (citeproc-js: the layout's period
            # ends the right-inline block).
            target = body
            while isinstance(target[-1], _Box) and target[-1].kind == "display":
                target = target[-1].items
            self._join(target, [fmt.suffix], move=True)
        if fmt.display:
            body = [_Box("display", fmt.display, body)]
        return body

    def _seq(self, children: list[Node], delimiter: str | None) -> list[Item]:
        out: list[Item] = []
        for child in children:
            piece = self.build(child)
            if not _has_text(piece):
                continue
            if not out:
                out = piece
                continue
            if delimiter:
                cite = isinstance(child, Tag) and child.kind == "item"
                # Between cites, the delimiter gives way to a cite prefix with its own punctuation
                # (", and "); inside a cite, citeproc-js keeps both (", , 1965").
                if not (cite and _first_char(piece) in (",", ";", ".")):
                    self._join(out, [delimiter], move=True, keep_left=_CITE_KEEP_LEFT if cite else _KEEP_LEFT)
                self._join(out, piece, move=_movable(child))
            else:
                self._join(out, piece, move=_movable(child))
        return out

    def _join(self, left: list[Item], right: list[Item], move: bool,
              keep_left: set[tuple[str, str]] = _KEEP_LEFT) -> None:
        """Append ``right`` to ``left``: collisions first, then punctuation into quotes."""
        _collide(left, right, keep_left)
        if move and self.punct_in_quote:
            quote = _trailing_quote(left)
            while quote is not None and _first_char(right) in _INTO_QUOTES:
                char = _first_char(right)
                _drop_first(right)
                moved: list[Item] = [char]
                _collide(quote.items, moved, _KEEP_LEFT)
                _append_inside(quote, moved)
        left.extend(right)

    def _outside(self, items: list[Item]) -> list[Item]:
        """Without punctuation-in-quote, a quotation's closing colon, comma or semicolon goes
        after the closing mark (citeproc-js swaps them out; periods and ? ! stay)."""
        if self.punct_in_quote or not items or not isinstance(items[0], _Box):
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


def _append_inside(quote: _Box, moved: list[Item]) -> None:
    """Put punctuation at the end of a quotation, inside any quotation that ends with it."""
    inner = _trailing_quote(quote.items)
    (inner or quote).items.extend(m for m in moved if m)


def _movable(node: Node) -> bool:
    """Whether punctuation at the start of ``node`` comes from another element (and may move)."""
    if isinstance(node, Span):
        return True
    return isinstance(node, Tag) and node.kind not in (MARKUP, QUOTE)


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
            items = [_Box(kind, value, items)]
    if fmt.quotes:
        items = [_Box("quote", None, items)]
    return items


# --- emitting -------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Ctx:
    """Formatting in force where items are written (for flip-flops and quote alternation)."""

    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    underline: bool = False
    quote: str = ""  # "", "outer" or "inner": the quotation the items are in


# What each box turns into, per format: (open, close) around the content.
_HTML = {
    "italic": ("<i>", "</i>"),
    "oblique": ("<em>", "</em>"),
    "no-italic": ('<span style="font-style:normal;">', "</span>"),
    "bold": ("<b>", "</b>"),
    "no-bold": ('<span style="font-weight:normal;">', "</span>"),
    "small-caps": ('<span style="font-variant:small-caps;">', "</span>"),
    "no-small-caps": ('<span style="font-variant:normal;">', "</span>"),
    "underline": ('<span style="text-decoration:underline;">', "</span>"),
    "no-underline": ('<span style="text-decoration:none;">', "</span>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    "baseline": ('<span style="baseline">', "</span>"),
    "block": ('\n\n    <div class="csl-block">', "</div>\n"),
    "left-margin": ('\n    <div class="csl-left-margin">', "</div>"),
    "right-inline": ('<div class="csl-right-inline">', "</div>\n  "),
    "indent": ('<div class="csl-indent">', "</div>\n  "),
}
_TEXT = {"block": ("\n", ""), "left-margin": ("", " "), "indent": ("\n    ", "")}
_MARKDOWN = {
    "italic": ("*", "*"), "oblique": ("*", "*"), "bold": ("**", "**"),
    "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
    "block": ("\n\n", "\n\n"), "indent": ("\n\n    ", "\n\n"),
}
_LATEX = {
    "italic": ("\\textit{", "}"), "oblique": ("\\textsl{", "}"), "no-italic": ("\\textup{", "}"),
    "bold": ("\\textbf{", "}"), "no-bold": ("\\textmd{", "}"),
    "small-caps": ("\\textsc{", "}"), "no-small-caps": ("\\textup{", "}"),
    "underline": ("\\underline{", "}"), "sup": ("\\textsuperscript{", "}"), "sub": ("\\textsubscript{", "}"),
    "block": ("\n\n", "\n\n"), "indent": ("\n\n", "\n\n"),
}
_TABLES = {"html": _HTML, "text": _TEXT, "markdown": _MARKDOWN, "latex": _LATEX}

_LATEX_ESCAPES = {
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#",
    "^": "\\textasciicircum{}", "_": "\\_", "%": "\\%", "~": "\\textasciitilde{}",
}
_LATEX_RE = re.compile("[" + re.escape("".join(_LATEX_ESCAPES)) + "]")
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>])")
_DOUBLE_SPACE = re.compile(r"\s\s")


def _superscripts() -> dict[str, str]:
    """Unicode superscript characters → their plain letter (citeproc-js writes them as <sup>)."""
    # Modifier letters without a <super> decomposition that citeproc-js still lists.
    table = {"\u02c0": "\u0294", "\u02c1": "\u0295", "\u06e5": "\u0648", "\u06e6": "\u064a"}
    points = [0xAA, 0xB2, 0xB3, 0xB9, 0xBA, 0x2120, 0x2122, *range(0x2B0, 0x2E5), *range(0x1D2C, 0x1DC0),
              *range(0x2070, 0x2080), *range(0x3192, 0x31A0)]
    for cp in points:
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition.startswith("<super>"):
            table[chr(cp)] = "".join(chr(int(h, 16)) for h in decomposition.split()[1:])
    return table


_SUPERSCRIPTS = _superscripts()
_SUPERSCRIPT_RE = re.compile("[" + "".join(_SUPERSCRIPTS) + "]")


def _escape_html(text: str) -> str:
    text = text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
    text = _DOUBLE_SPACE.sub("\u00a0 ", text)
    return _SUPERSCRIPT_RE.sub(lambda m: f"<sup>{_SUPERSCRIPTS[m.group(0)]}</sup>", text)


class _Emitter:
    """Items → a string in one format."""

    def __init__(self, fmt: str, quotes: tuple[str, ...]) -> None:
        self.fmt = fmt
        self.table = _TABLES[fmt]
        self.quotes = quotes

    def escape(self, text: str) -> str:
        if self.fmt == "html":
            return _escape_html(text)
        if self.fmt == "latex":
            return _LATEX_RE.sub(lambda m: _LATEX_ESCAPES[m.group(0)], text)
        if self.fmt == "markdown":
            return _MARKDOWN_RE.sub(r"\\\1", text)
        return text

    def emit(self, items: list[Item], ctx: _Ctx) -> str:
        return "".join(self.escape(i) if isinstance(i, str) else self._box(i, ctx) for i in items)

    def wrap(self, name: str, body: str) -> str:
        open_, close = self.table.get(name, ("", ""))
        return open_ + body + close

    def _box(self, box: _Box, ctx: _Ctx) -> str:
        kind, value = box.kind, box.value
        if kind in ("quote", "fieldquote"):
            return self._quote(box, ctx)
        if kind == "font-style":
            return self._flip(box, ctx, "italic", value if value == "oblique" else "italic", value == "normal")
        if kind == "font-weight":
            if value == "light":
                return self.emit(box.items, ctx)
            return self._flip(box, ctx, "bold", "bold", value == "normal")
        if kind == "font-variant":
            return self._flip(box, ctx, "small_caps", "small-caps", value == "normal")
        if kind == "text-decoration":
            if value == "underline":
                return self.wrap("underline", self.emit(box.items, replace(ctx, underline=True)))
            if ctx.underline:
                return self.wrap("no-underline", self.emit(box.items, replace(ctx, underline=False)))
            return self.emit(box.items, ctx)
        if kind == "vertical-align":
            return self.wrap(value or "", self.emit(box.items, ctx))
        if kind == "nodecor":
            return self._nodecor(box, ctx)
        if kind == "display":
            return self.wrap(value or "", self.emit(box.items, ctx))
        if kind == "link":
            return self._link(value or "", self.emit(box.items, ctx))
        return self.emit(box.items, ctx)

    def _quote(self, box: _Box, ctx: _Ctx) -> str:
        """A style's quotes are always the outer ones (citeproc-js does not alternate them); a
        quotation in a field alternates with the one around it, or keeps the writer's form."""
        if box.kind == "quote":
            form = "outer"
        elif ctx.quote:
            form = "inner" if ctx.quote == "outer" else "outer"
        elif box.value in ("outer", "inner"):
            form = box.value
        elif box.value == self.quotes[2].strip():
            form = "inner"
        elif box.value == self.quotes[0].strip():
            form = "outer"
        else:
            form = "inner" if box.value == "\u2018" else "outer"
        open_, close = self.quotes[:2] if form == "outer" else self.quotes[2:]
        return self.escape(open_) + self.emit(box.items, replace(ctx, quote=form)) + self.escape(close)

    def _flip(self, box: _Box, ctx: _Ctx, flag: str, name: str, normal: bool) -> str:
        """Italic inside italic is roman (and so on); "normal" only shows inside its opposite."""
        on = getattr(ctx, flag)
        if normal and not on:
            return self.emit(box.items, ctx)
        if on:
            return self.wrap("no-" + name if name != "oblique" else "no-italic",
                             self.emit(box.items, replace(ctx, **{flag: False})))
        return self.wrap(name, self.emit(box.items, replace(ctx, **{flag: True})))

    def _nodecor(self, box: _Box, ctx: _Ctx) -> str:
        plain = replace(ctx, italic=False, bold=False, small_caps=False)
        body = self.emit(box.items, plain)
        for flag, name in (("bold", "no-bold"), ("small_caps", "no-small-caps"), ("italic", "no-italic")):
            if getattr(ctx, flag):
                body = self.wrap(name, body)
        return body

    def _link(self, url: str, body: str) -> str:
        if self.fmt == "html":
            return f'<a href="{_escape_html(url).replace(chr(34), "&#34;")}">{body}</a>'
        # A link that shows its own address is an autolink (\url breaks long URLs across lines).
        if self.fmt == "markdown":
            safe = url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
            return f"<{safe}>" if body == self.escape(url) else f"[{body}]({safe.replace(')', '%29')})"
        if self.fmt == "latex":
            safe = url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")
            if body == self.escape(url):
                return "\\url{" + safe + "}"
            return "\\href{" + safe.replace("%", "\\%").replace("#", "\\#") + "}{" + body + "}"
        return body
