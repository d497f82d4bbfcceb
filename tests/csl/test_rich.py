"""Rich text in field values: micro-HTML, smart quotes and apostrophes (citeproc-js's reading)."""

from __future__ import annotations

from citekit.csl.nodes import Formatting, NoCase, NoDecor, Span, Tag, Text, text_of
from citekit.csl.output import render
from citekit.csl.rich import MARKUP, QUOTE, parse_rich


def html(value: str) -> str:
    return render(Span(parse_rich(value)))


def test_plain_value_is_one_text() -> None:
    assert parse_rich("His Anonymous Life") == [Text("His Anonymous Life")]
    assert parse_rich("") == []


def test_italic_tag_becomes_a_markup_span() -> None:
    nodes = parse_rich("One <i>Two</i> Three")
    assert nodes[0] == Text("One ")
    assert nodes[1] == Tag(MARKUP, "i", [Span([Text("Two")], Formatting(font_style="italic"))])
    assert nodes[2] == Text(" Three")


def test_all_tags() -> None:
    assert html("<b>b</b> <sc>s</sc> <sup>1</sup> <sub>2</sub>") == (
        '<b>b</b> <span style="font-variant:small-caps;">s</span> <sup>1</sup> <sub>2</sub>')
    assert html('<span style="font-variant:small-caps;">x</span>') == '<span style="font-variant:small-caps;">x</span>'


def test_nocase_and_nodecor() -> None:
    assert parse_rich('a <span class="nocase">B</span>') == [Text("a "), NoCase([Text("B")])]
    assert parse_rich('<span class="nodecor">v.</span>') == [NoDecor([Text("v.")])]


def test_unbalanced_markup_stays_literal() -> None:
    assert parse_rich("One TwoF</i> Three") == [Text("One TwoF</i> Three")]
    assert html("One TwoF</i> Three") == "One TwoF&#60;/i&#62; Three"
    assert text_of(Span(parse_rich("<i>open only"))) == "<i>open only"


def test_nested_italics_flip() -> None:
    assert html("<i>One <i>Two</i> x</i>") == '<i>One <span style="font-style:normal;">Two</span> x</i>'


def test_double_quotes_become_quote_span() -> None:
    nodes = parse_rich('It is official ("<i>My Title</i>") now')
    assert isinstance(nodes[1], Tag) and nodes[1].kind == QUOTE and nodes[1].value == "outer"
    assert isinstance(nodes[1].children[0], Span) and nodes[1].children[0].fmt.quotes
    assert html('It is official ("<i>My Title</i>") now') == "It is official (“<i>My Title</i>”) now"


def test_orphan_quotes_stay_straight() -> None:
    value = 'Nation of "Positive Obligations " of State'
    assert parse_rich(value) == [Text(value)]


def test_apostrophes() -> None:
    assert parse_rich("Plato's thought") == [Text("Plato’s thought")]
    assert parse_rich("ETFA '09)") == [Text("ETFA ’09)")]
    assert parse_rich('<span class="nocase">l\'\'\'</span>') == [NoCase([Text("l’’’")])]
    assert parse_rich("l'Égypte") == [Text("l’Égypte")]


def test_single_quotes_with_inner_apostrophe() -> None:
    assert html("'Nobody Knows You're a Dog': As") == "“Nobody Knows You’re a Dog”: As"


def test_comma_after_single_quote_is_a_quotation() -> None:
    assert html("'quote', ") == "“quote”, "


def test_curly_single_quote_keeps_inner_form_at_top_level() -> None:
    nodes = parse_rich("meaning ‘God willing’.")
    assert nodes[1] == Tag(QUOTE, "‘", [Span([Text("God willing")], Formatting(quotes=True))])
    assert html("meaning ‘God willing’.") == "meaning ‘God willing’."


def test_quotes_nest_and_alternate() -> None:
    assert html("My “‘Amazing’ <b>and</b> Bogus” Title") == "My “‘Amazing’ <b>and</b> Bogus” Title"
    assert html('a "b \'c\' d" e') == "a “b ‘c’ d” e"


def test_second_straight_form_is_inner() -> None:
    assert html("'one' and \"two\"") == "“one” and ‘two’"


def test_quote_after_opening_tag() -> None:
    assert html('<i>"x"</i>') == "<i>“x”</i>"


def test_locale_quote_characters() -> None:
    nodes = parse_rich("ein „Zitat“ hier", ("„", "“", "‚", "‘"))
    assert isinstance(nodes[1], Tag) and nodes[1].value == "„"
    assert text_of(nodes[1]) == "Zitat"
