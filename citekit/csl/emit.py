"""Writing built items in one format: HTML as citeproc-js writes it, plain text, Markdown, LaTeX.

``output.render`` builds a tree of strings and boxes (everything that depends on neighbouring
characters is settled there); this module writes it, deciding the flip-flops (italic inside
italic is roman) and the quote marks from context, and escaping for the format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace


@dataclass(slots=True)
class Box:
    """Formatting around items; ``kind`` is a CSL attribute name or quote/fieldquote/nodecor/display/link."""

    kind: str
    value: str | None
    items: list[Item]


Item = str | Box


# --- emitting -------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Ctx:
    """Formatting in force where items are written (for flip-flops and quote alternation)."""

    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    underline: bool = False
    quote: str = ""  # "", "outer" or "inner": the quotation the items are in


# Contexts derived from contexts: a few dozen in all (five flags), made once each.
_DERIVED: dict[tuple[object, ...], Ctx] = {}


def _derive(ctx: Ctx, **changes: bool | str) -> Ctx:
    key = (ctx, *changes.items())
    found = _DERIVED.get(key)
    if found is None:
        found = _DERIVED[key] = replace(ctx, **changes)  # type: ignore[arg-type]
    return found


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
# Control characters have no place in TeX input (^^@ and friends): dropped.
_LATEX_RE = re.compile("[" + re.escape("".join(_LATEX_ESCAPES)) + "\x00-\x08\x0b-\x1f\x7f]")
# Markdown (CommonMark and pandoc's): emphasis, code, links, raw HTML and entities, strikeout,
# super/subscript, tables, math, citations, and an & that would start an entity (&amp;); a
# backslash makes each of them literal. A lone & is text already.
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>~^|$@#]|&(?=#?\w+;))")
# A \bibitem key ends at '}', and '\', '%', '#' and '{' would be read as TeX: such keys are
# spelled with the character's code instead, so they can never inject TeX.
_LATEX_KEY_BAD = re.compile(r"[\\{}%#~^&$\s\x00-\x1f\x7f]")
# \url reads its argument verbatim when the argument is balanced; otherwise it takes any
# delimiter character absent from the URL (\url|...|).
_URL_DELIMITERS = "|!+=;:@'\"*^`"
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
# Anything _escape_html changes.
_HTML_SPECIAL = re.compile("[&<>" + "".join(_SUPERSCRIPTS) + r"]|\s\s")


def latex_key(key: str) -> str:
    """``key`` as a ``\\bibitem``/``\\cite`` key: unchanged when safe, else the unsafe characters
    spelled ``-XX`` by their code point."""
    return _LATEX_KEY_BAD.sub(lambda m: f"-{ord(m.group(0)):x}", key)


def latex_url(url: str) -> str:
    """``\\url`` with ``url`` byte for byte (spaces, which ``\\url`` drops, as ``%20``)."""
    url = url.replace(" ", "%20")
    if _balanced(url):
        return "\\url{" + url + "}"
    delimiter = next((c for c in _URL_DELIMITERS if c not in url), None)
    if delimiter is None:  # every delimiter is in the URL: the braced form, percent-encoded
        return "\\url{" + url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D") + "}"
    return "\\url" + delimiter + url + delimiter


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


def escape_attr(text: str) -> str:
    """Text inside a double-quoted HTML attribute, escaped as the engine's HTML escapes text."""
    return text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;").replace('"', "&#34;")


def _escape_html(text: str) -> str:
    if not _HTML_SPECIAL.search(text):  # most runs of text: one scan instead of five
        return text
    text = text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
    text = _DOUBLE_SPACE.sub("\u00a0 ", text)
    return _SUPERSCRIPT_RE.sub(_superscript, text)


def _superscript(m: re.Match[str]) -> str:
    return f"<sup>{_SUPERSCRIPTS[m.group(0)]}</sup>"


def _latex_char(m: re.Match[str]) -> str:
    return _LATEX_ESCAPES.get(m.group(0), "")


def _escape_latex(text: str) -> str:
    return _LATEX_RE.sub(_latex_char, text)


def _escape_markdown(text: str) -> str:
    return _MARKDOWN_RE.sub(r"\\\1", text)


_ESCAPES = {"html": _escape_html, "latex": _escape_latex, "markdown": _escape_markdown}


class Emitter:
    """Items → a string in one format."""

    def __init__(self, fmt: str, quotes: tuple[str, ...]) -> None:
        self.fmt = fmt
        self.table = _TABLES[fmt]
        self.quotes = quotes
        self._escape = _ESCAPES.get(fmt)  # None: the format's text is written as it is

    def escape(self, text: str) -> str:
        return text if self._escape is None else self._escape(text)

    def emit(self, items: list[Item], ctx: Ctx) -> str:
        # A list, not a generator, for join: this runs for every box and every entry.
        escape = self._escape
        if escape is None:
            try:
                return "".join(items)  # type: ignore[arg-type]  # text without boxes: most entries
            except TypeError:  # a box among them
                return "".join([i if type(i) is str else self._box(i, ctx) for i in items])  # type: ignore[misc]
        return "".join([escape(i) if type(i) is str else self._box(i, ctx) for i in items])  # type: ignore[arg-type]

    def wrap(self, name: str, body: str) -> str:
        open_, close = self.table.get(name, ("", ""))
        return open_ + body + close

    def _box(self, box: Box, ctx: Ctx) -> str:
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
                return self.wrap("underline", self.emit(box.items, _derive(ctx, underline=True)))
            if ctx.underline:
                return self.wrap("no-underline", self.emit(box.items, _derive(ctx, underline=False)))
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

    def _quote(self, box: Box, ctx: Ctx) -> str:
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
        return self.escape(open_) + self.emit(box.items, _derive(ctx, quote=form)) + self.escape(close)

    def _flip(self, box: Box, ctx: Ctx, flag: str, name: str, normal: bool) -> str:
        """Italic inside italic is roman (and so on); "normal" only shows inside its opposite."""
        on = getattr(ctx, flag)
        if normal and not on:
            return self.emit(box.items, ctx)
        if on:
            return self.wrap("no-" + name if name != "oblique" else "no-italic",
                             self.emit(box.items, _derive(ctx, **{flag: False})))
        return self.wrap(name, self.emit(box.items, _derive(ctx, **{flag: True})))

    def _nodecor(self, box: Box, ctx: Ctx) -> str:
        plain = _derive(ctx, italic=False, bold=False, small_caps=False)
        body = self.emit(box.items, plain)
        for flag, name in (("bold", "no-bold"), ("small_caps", "no-small-caps"), ("italic", "no-italic")):
            if getattr(ctx, flag):
                body = self.wrap(name, body)
        return body

    def _link(self, url: str, body: str) -> str:
        if self.fmt == "html":
            return f'<a href="{escape_attr(url)}">{body}</a>'
        # A link that shows its own address is an autolink (\url breaks long URLs across lines).
        if self.fmt == "markdown":
            safe = url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
            return f"<{safe}>" if body == self.escape(url) else f"[{body}]({safe.replace(')', '%29')})"
        if self.fmt == "latex":
            if body == self.escape(url):
                return latex_url(url)
            safe = url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")
            return "\\href{" + safe.replace("%", "\\%").replace("#", "\\#") + "}{" + body + "}"
        return body
