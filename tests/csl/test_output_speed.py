"""The output stage's shortcuts give what the general paths give (issue #12's speed work)."""

from __future__ import annotations

import pytest

from citekit.csl.emit import Box, Ctx, Emitter
from citekit.csl.nodes import Formatting as F
from citekit.csl.nodes import NoCase, Span, Tag, Text, is_empty
from citekit.csl.output import FORMATS, render
from citekit.csl.rich import parse_rich


def test_text_link_is_its_text_with_the_same_collisions() -> None:
    # Plain text writes no link box; punctuation meeting the link's ends resolves as it does
    # where the box is written (HTML), and a period still moves into a quotation inside it.
    link = Tag("link", "https://example.org/a.", [Text("https://example.org/a.")])
    tree = Span([Span([link], F(suffix="."))], F(prefix="See: "))
    assert render(tree, "text") == "See: https://example.org/a."
    assert render(tree, "html") == 'See: <a href="https://example.org/a.">https://example.org/a.</a>'
    quoted = Span([Tag("link", "u", [Span(parse_rich('"Title"'), F())]), Text(".")], F())
    assert render(Span([quoted], F(delimiter=", ")), "text") == render(quoted, "html").replace(
        '<a href="u">', "").replace("</a>", "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_transparent_tags_and_one_child_spans(fmt: str) -> None:
    # A tag or plain span around one child renders as the child; around several, as their join.
    inner = Span([Text("Doe"), Text(", "), Text("J.")], F())
    wrapped = Tag("names", "author", [Span([Tag("name", {}, [inner])], F())])
    assert render(wrapped, fmt) == render(inner, fmt)
    two = Tag("date", "issued", [Text("1999"), Text("-01")])
    assert render(two, fmt) == "1999-01"


def test_emitter_joins_plain_text_and_falls_back_for_boxes() -> None:
    em = Emitter("text", ("“", "”", "‘", "’"))
    assert em.emit(["a", "", "b"], Ctx()) == "ab"
    assert em.emit(["a", Box("quote", None, ["b"]), "c"], Ctx()) == "a“b”c"
    assert em.emit([Box("display", "block", ["x"])], Ctx()) == "\nx"


@pytest.mark.parametrize(("raw", "html"), [
    ("plain words", "plain words"),
    ("a  b", "a\u00a0 b"),
    ("a\t\nb", "a\u00a0 b"),
    ("x & y <z>", "x &#38; y &#60;z&#62;"),
    ("1\u00b2", "1<sup>2</sup>"),
])
def test_html_escape(raw: str, html: str) -> None:
    assert Emitter("html", ("“", "”", "‘", "’")).escape(raw) == html


def test_derived_contexts_flip_as_before() -> None:
    tree = Span([Text("a "), Span([Text("b")], F(font_style="italic"))], F(font_style="italic"))
    assert render(tree, "html") == '<i>a <span style="font-style:normal;">b</span></i>'
    quoted = Span([Text("x"), Span([Text("y")], F(quotes=True))], F(quotes=True))
    assert render(quoted, "text") == "“x“y””"


def test_is_empty_keeps_non_emptiness_only() -> None:
    empty = Span([Span([Text("")], F()), NoCase([Text("")])], F())
    assert is_empty(empty) and not empty.full
    full = Span([Span([Text("")], F()), Tag("title", "t", [Text("T")])], F())
    assert not is_empty(full) and full.full
    assert not is_empty(full)
    assert is_empty(None) and is_empty(Text("")) and not is_empty(Text("x"))
