"""Rendering node trees (expectations from the flipflop_, quotes_, punctuation_, affix_,
decorations_ and display_ fixtures, with the node trees written out by hand)."""

from __future__ import annotations

import pytest

from citekit.csl.nodes import Formatting as F
from citekit.csl.nodes import Node, NoDecor, Span, Tag, Text
from citekit.csl.output import render
from citekit.csl.rich import parse_rich


class FakeLocale:
    def __init__(self, quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’"), piq: bool = True) -> None:
        self.quotes = quotes
        self._piq = piq

    def option(self, name: str) -> str | None:
        return ("true" if self._piq else "false") if name == "punctuation-in-quote" else None


US = FakeLocale()
GB = FakeLocale(("‘", "’", "“", "”"), piq=False)


def t(text: str, **fmt: object) -> Span:
    return Span([Text(text)], F(**fmt))  # type: ignore[arg-type]


def rich(value: str, **fmt: object) -> Span:
    return Span(parse_rich(value), F(**fmt))  # type: ignore[arg-type]


def test_none_and_empty() -> None:
    assert render(None) == ""
    assert render(Span([t("")], F(prefix="(", suffix=")"))) == ""


def test_unknown_format() -> None:
    with pytest.raises(ValueError):
        render(Text("x"), "rtf")


def test_affixes_outside_formatting_and_delimiters_skip_empty() -> None:
    node = Span([t("Doe", font_style="italic", prefix="[", suffix="]"), t(""), t("1965")], F(delimiter=", "))
    assert render(node) == "[<i>Doe</i>], 1965"


def test_escaping() -> None:
    assert render(Text("Pac. Rim L. & Pol’y <J>")) == "Pac. Rim L. &#38; Pol’y &#60;J&#62;"
    assert render(t("x", prefix="<", suffix=">")) == "&#60;x&#62;"
    assert render(Text("a  b")) == "a\u00a0 b"


def test_superscript_characters() -> None:
    assert render(t("2", prefix="ª")) == "<sup>a</sup>2"
    assert render(Text("1.ºº")) == "1.<sup>o</sup><sup>o</sup>"
    assert render(Text("1.º"), "text") == "1.º"


def test_narrow_space_before_high_punctuation() -> None:
    assert render(Text("His « Anonymous » Life")) == "His «\u202fAnonymous\u202f» Life"
    assert render(Span([t("Detroit, Mich.", suffix=": "), t("Random")])) == "Detroit, Mich.: Random"


def test_flip_flop_italics() -> None:
    assert render(rich("One Two <i>Three</i> Four Five!", font_style="italic")) == (
        '<i>One Two <span style="font-style:normal;">Three</span> Four Five!</i>')
    assert render(rich("One <i>Two <i>Three</i> Four</i> Five!", font_style="italic")) == (
        '<i>One <span style="font-style:normal;">Two <i>Three</i> Four</span> Five!</i>')


def test_flip_flop_bold_and_small_caps() -> None:
    node = Span([Text("Speak, "), rich("<b>friend</b>"), Text(", and enter.")], F(font_weight="bold"))
    assert render(node) == '<b>Speak, <span style="font-weight:normal;">friend</span>, and enter.</b>'
    node = Span([rich('His <span style="font-variant:small-caps;">Anonymous</span> Life', font_variant="small-caps"),
                 rich('His <span style="font-variant:small-caps;">Anthology</span>')], F(delimiter=", "))
    assert render(node) == ('<span style="font-variant:small-caps;">His <span style="font-variant:normal;">'
                            'Anonymous</span> Life</span>, His <span style="font-variant:small-caps;">Anthology</span>')


def test_normal_shows_only_inside_its_opposite() -> None:
    node = Span([t("His Anonymous Life", font_style="normal"), t("His Anonymous Life", font_style="italic"),
                 Span([t("His Anonymous Life", font_style="normal")], F(font_style="italic"))],
                F(delimiter="\n", font_weight="normal"))
    assert render(node) == ('His Anonymous Life\n<i>His Anonymous Life</i>\n'
                            '<i><span style="font-style:normal;">His Anonymous Life</span></i>')


def test_nodecor() -> None:
    node = Span([rich('Lessard <span class="nodecor">v.</span> Schmidt', font_style="italic", suffix=". "),
                 t("1972")])
    assert render(node) == '<i>Lessard <span style="font-style:normal;">v.</span> Schmidt</i>. 1972'
    assert render(NoDecor([Text("x")])) == "x"


def test_other_decorations() -> None:
    assert render(t("u", text_decoration="underline")) == '<span style="text-decoration:underline;">u</span>'
    node = Span([Text("Little, "), t("Narrative", vertical_align="baseline")], F(vertical_align="sup"))
    assert render(node) == '<sup>Little, <span style="baseline">Narrative</span></sup>'
    assert render(t("o", font_style="oblique")) == "<em>o</em>"
    assert render(t("l", font_weight="light")) == "l"


def test_quotes_alternate_and_use_locale() -> None:
    assert render(rich("My “Amazing” Title", quotes=True)) == "“My ‘Amazing’ Title”"
    assert render(rich("My “‘Amazing’ <b>and</b> Bogus” Title", quotes=True)) == "“My ‘“Amazing” <b>and</b> Bogus’ Title”"
    assert render(rich("‘Parmenides’ and Plato's thought", quotes=True)) == "“‘Parmenides’ and Plato’s thought”"
    assert render(rich('Title with "quotes" in it'), locale=GB) == "Title with ‘quotes’ in it"
    # Curly quotes keep the writer's form, read against the locale: “x” is inner in British English.
    assert render(rich("“No more heroes”: rethinking"), locale=GB) == "“No more heroes”: rethinking"
    assert render(rich("‘No more heroes’: rethinking"), locale=GB) == "‘No more heroes’: rethinking"


def test_style_quotes_do_not_alternate() -> None:
    # citeproc-js: a quoted macro around a quoted title prints outer quotes twice.
    assert render(Span([t("Intelligent Machinery", quotes=True)], F(quotes=True, suffix="."))) == (
        "““Intelligent Machinery.””")


def test_punctuation_in_quote() -> None:
    assert render(rich("The Book Title", quotes=True, suffix=",")) == "“The Book Title,”"
    assert render(rich("This is 'The One'", quotes=True, suffix=".")) == "“This is ‘The One.’”"
    layout = Span([rich("'friend'")], F(prefix="Speak, ", suffix=", and enter."))
    assert render(layout, locale=US) == "Speak, “friend,” and enter."
    assert render(layout, locale=GB) == "Speak, ‘friend’, and enter."
    node = Span([t("My Title", quotes=True), Span([t("My Publisher", prefix=". ")], F(delimiter=", "))])
    assert render(node) == "“My Title.” My Publisher"


def test_quoted_punctuation_inside_one_field_stays() -> None:
    cite = Span([Tag("prefix", "'quote', ", parse_rich("'quote', ")), t("Hello Thing")])
    assert render(cite) == "“quote”, Hello Thing"
    cite = Span([t("The Title", quotes=True), Tag("suffix", "", parse_rich('. And "so it goes"'))])
    assert render(cite) == "“The Title.” And “so it goes”"


def test_question_mark_absorbs_period() -> None:
    assert render(t("Why?", suffix=".")) == "Why?"
    assert render(t("Why?", quotes=True, suffix=".")) == "“Why?”"
    assert render(t("et al.", suffix=".")) == "et al."


# punctuation_FullMonty*: a text with suffix X followed by a text with prefix "Y ".
MONTY = {
    ":": {":": ":", ".": ":", ";": ":;", "!": "!", "?": "?", ",": ":,"},
    ".": {":": ".:", ".": ".", ";": ".;", "!": ".!", "?": ".?", ",": ".,"},
    ";": {":": ";", ".": ";", ";": ";", "!": "!", "?": "?", ",": ";,"},
    "!": {":": "!", ".": "!", ";": "!;", "!": "!", "?": "!?", ",": "!,"},
    "?": {":": "?", ".": "?", ";": "?;", "!": "?!", "?": "?", ",": "?,"},
    ",": {":": ",:", ".": ",.", ";": ",;", "!": ",!", "?": ",?", ",": ","},
}


@pytest.mark.parametrize("left", list(MONTY))
@pytest.mark.parametrize("right", list(MONTY))
def test_full_monty(left: str, right: str) -> None:
    plain = Span([t("a", suffix=left), t("b", prefix=right + " ")])
    assert render(plain) == f"a{MONTY[left][right]} b"
    quoted = Span([t("a", quotes=True, suffix=left), t("b", prefix=right + " ")])
    joined = MONTY[left][right]
    assert render(quoted, locale=GB) == f"‘a’{joined} b"
    moved = len(joined) - len(joined.lstrip(".,!?"))
    assert render(quoted, locale=US) == f"“a{joined[:moved]}”{joined[moved:]} b"


def test_delimiter_collisions() -> None:
    assert render(Span([t("Hello", suffix="."), t("Goodbye")], F(delimiter="; "))) == "Hello.; Goodbye"
    # Inside a cite both commas stay; between cites the delimiter gives way.
    inner = Span([t("Life", font_style="italic"), Span([t("1965", prefix=", ")])], F(delimiter=", "))
    assert render(inner) == "<i>Life</i>, , 1965"
    cites = Span([Tag("item", "a", [t("Smith is one source,")]), Tag("item", "b", [t("Jones")]),
                  Tag("item", "c", [Span([Tag("prefix", "", [Text(", and ")]), t("Roe")])])],
                 F(delimiter="; ", suffix="."))
    assert render(cites) == "Smith is one source, Jones, and Roe."


def test_quote_then_delimiter_semicolon_stays_out() -> None:
    cites = Span([Tag("item", "a", [t("Doe, ", suffix=""), t("His Life", quotes=True)]),
                  Tag("item", "b", [t("Her Life", quotes=True)])], F(delimiter="; ", suffix="."))
    assert render(cites) == "Doe, “His Life”; “Her Life.”"


def test_spaces_collapse() -> None:
    assert render(Span([t("a", suffix=" "), t("b", prefix=" ")])) == "a b"


def test_strip_periods() -> None:
    node = Span([t("J. Doe eds.", strip_periods=True), t("Book Title"), t("http://example.com/")], F(delimiter=". "))
    assert render(node) == "J Doe eds. Book Title. http://example.com/"


def test_text_case_applies_inside_formatting() -> None:
    assert render(rich("this is a pen", text_case="capitalize-first", font_style="italic")) == "<i>This is a pen</i>"
    assert render(Tag("lang", "tr", [rich("ic", text_case="uppercase")])) == "İC"


def test_link() -> None:
    assert render(Tag("link", "http://x.org/?a=1&b=2", [Text("x")])) == '<a href="http://x.org/?a=1&#38;b=2">x</a>'
    assert render(Tag("link", "http://x.org/", [Text("x")]), "text") == "x"


def test_display_html() -> None:
    entry = Span([t("John Aloysius Doe", display="block"), t("1999", display="left-margin"),
                  t("Aaaaa", display="right-inline")])
    assert render(entry) == ('\n\n    <div class="csl-block">John Aloysius Doe</div>\n\n    <div class="csl-left-margin">'
                             '1999</div><div class="csl-right-inline">Aaaaa</div>\n  ')
    assert render(t("An abstract.", display="indent")) == '<div class="csl-indent">An abstract.</div>\n  '


def test_display_keeps_affixes_inside_and_takes_the_suffix() -> None:
    entry = Span([t("[1]", display="left-margin"), Span([t("Doe")], F(prefix=" ", display="right-inline"))],
                 F(suffix="."))
    assert render(entry) == ('\n    <div class="csl-left-margin">[1]</div><div class="csl-right-inline"> Doe.</div>\n  ')


def sample() -> Node:
    return Span([t("Doe & Roe", font_weight="bold"), rich("A <i>b</i> c_1", quotes=True),
                 Tag("link", "http://e.org/x_1%", [Text("e.org")])], F(delimiter=", "))


def test_text_format() -> None:
    assert render(sample(), "text") == "Doe & Roe, “A b c_1,” e.org"
    assert render(t("An abstract.", display="indent"), "text") == "\n    An abstract."


def test_markdown_format() -> None:
    assert render(sample(), "markdown") == "**Doe & Roe**, “A *b* c\\_1,” [e.org](http://e.org/x_1%)"


def test_latex_format() -> None:
    assert render(sample(), "latex") == "\\textbf{Doe \\& Roe}, “A \\textit{b} c\\_1,” \\href{http://e.org/x_1\\%}{e.org}"
    assert render(rich("<i>a <i>b</i></i>"), "latex") == "\\textit{a \\textup{b}}"


def test_without_punctuation_in_quote_colons_and_commas_leave_quotes() -> None:
    node = Span([t("Hello,", quotes=True), t("x", prefix=" ")])
    assert render(node, locale=GB) == "‘Hello’, x"
    assert render(node, locale=US) == "“Hello,” x"
    assert render(rich('a "b;" c'), locale=GB) == "a ‘b’; c"
    assert render(t("Why?", quotes=True), locale=GB) == "‘Why?’"


def term(text: str) -> Tag:
    return Tag("capitalize-if-first", None, [Span([Tag("term", "ibid", [Text(text)])])])


def test_first_term_is_capitalised() -> None:
    assert render(Span([term("ibid")], F(suffix="."))) == "Ibid."
    assert render(Span([t("See", suffix=" "), term("ibid")])) == "See ibid"


def test_sentence_prefix_restarts_the_cite() -> None:
    def cite(prefix: str) -> Span:
        return Span([Tag("prefix", prefix, parse_rich(prefix)), term("ibid")])

    assert render(cite("Caps after. ")) == "Caps after. Ibid"
    assert render(cite("Nocapsafter. ")) == "Nocapsafter. ibid"
    assert render(cite('He said "Please work." ')) == "He said “Please work.” Ibid"
    assert render(cite("See ")) == "See ibid"
