"""Between pandoc inlines and the engine: its HTML output → inlines, cite affixes → rich text.

The engine resolves punctuation collisions, punctuation-in-quote, flip-flops (italic inside
italic), quote alternation and ``nodecor`` only when it renders (``citekit.csl.output``), so the
filter renders each citation and entry to HTML and reads that back. The HTML it writes is a
closed vocabulary (``<i> <em> <b> <sup> <sub>``, ``<span style=…>``, ``<div class="csl-…">``,
``<a href>`` and character references), which this module maps one to one onto pandoc inlines.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from citekit.pandoc import ast
from citekit.pandoc.ast import Inline

_STYLE_ELEMENTS = {
    "font-variant:small-caps;": "SmallCaps",
    "text-decoration:underline;": "Underline",
}
_TAGS = {"i": "Emph", "em": "Emph", "b": "Strong", "strong": "Strong", "sup": "Superscript",
         "sub": "Subscript"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[Inline]]] = [("", {}, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) < 2:
            return
        name, attrs, children = self.stack.pop()
        self.stack[-1][2].extend(_element(name, attrs, children))

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].extend(ast.text_inlines(data))


def _element(tag: str, attrs: dict[str, str], children: list[Inline]) -> list[Inline]:
    if not children:
        return []
    if tag in _TAGS:
        return [ast.el(_TAGS[tag], children)]
    if tag == "a" and attrs.get("href"):
        return [ast.link(children, attrs["href"])]
    style = attrs.get("style", "").replace(" ", "")
    if style in _STYLE_ELEMENTS:
        return [ast.el(_STYLE_ELEMENTS[style], children)]
    if tag == "div":  # a display block (csl-block, csl-left-margin, ...): a Span, as pandoc's citeproc has it
        return [ast.span(_trim(children), attrs.get("class", "").split())]
    if style:  # font-style:normal and the like: only HTML can say it
        return [ast.span(children, kvs=[["style", attrs["style"]]])]
    return children


def _trim(inlines: list[Inline]) -> list[Inline]:
    start, end = 0, len(inlines)
    while start < end and inlines[start].get("t") == "Space":
        start += 1
    while end > start and inlines[end - 1].get("t") == "Space":
        end -= 1
    return inlines[start:end]


def from_html(markup: str) -> list[Inline]:
    """The engine's HTML as inlines."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    while len(reader.stack) > 1:  # unclosed elements (not written by the engine): keep their text
        reader.handle_endtag(reader.stack[-1][0])
    return _trim(_merge_spaces(reader.stack[0][2]))


def _merge_spaces(inlines: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for il in inlines:
        if il.get("t") == "Space" and out and out[-1].get("t") == "Space":
            continue
        out.append(il)
    return out


# --- affixes: pandoc inlines → the engine's rich text ----------------------------------------

_RICH = {"Emph": "i", "Strong": "b", "SmallCaps": "sc", "Superscript": "sup", "Subscript": "sub"}


def to_rich(inlines: list[Any]) -> str:
    """A cite prefix or suffix as citeproc-js's micro-HTML (what ``CiteRef`` affixes hold)."""
    out: list[str] = []
    for il in inlines:
        if not isinstance(il, dict):
            continue
        tag, c = il.get("t"), il.get("c")
        if tag == "Str":
            out.append(c)
        elif tag in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif tag in _RICH:
            out.append(f"<{_RICH[tag]}>{to_rich(c)}</{_RICH[tag]}>")
        elif tag == "Quoted":
            single = ast.is_el(c[0], "SingleQuote")
            out.append(("\u2018" if single else "\u201c") + to_rich(c[1]) + ("\u2019" if single else "\u201d"))
        elif tag == "Span" and ({"nocase", "smallcaps"} & set(c[0][1])):
            # [Word]{.nocase} keeps its case through a style's text-case, as in pandoc's citeproc
            inner = to_rich(c[1])
            if "smallcaps" in c[0][1]:
                inner = f"<sc>{inner}</sc>"
            out.append(f'<span class="nocase">{inner}</span>' if "nocase" in c[0][1] else inner)
        elif tag in ("Span", "Link", "Underline", "Strikeout"):
            out.append(to_rich(c[1] if tag in ("Span", "Link") else c))
        elif tag == "RawInline" and str(c[0]).lower() == "html":
            out.append(c[1])  # <i>…</i> written in the source: the engine's own markup
        else:
            out.append(ast.stringify(il))
    return "".join(out)
