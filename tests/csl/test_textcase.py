"""Text-case over node trees (inputs and expectations from the textcase_* fixtures)."""

from __future__ import annotations

import pytest

from citekit.csl.nodes import NoCase, Span, Text, text_of
from citekit.csl.rich import parse_rich
from citekit.csl.textcase import apply_case


def case(value: str, how: str, lang: str | None = None) -> str:
    return text_of(Span(apply_case(parse_rich(value), how, lang)))


@pytest.mark.parametrize(("value", "expected"), [
    ('This IS a pen that is a <span class="nocase">smith</span> pencil', "This IS a Pen That Is a smith Pencil"),
    ("Review of Book by A.N. Author", "Review of Book by A.N. Author"),
    ("Writings on UK people and places", "Writings on UK People and Places"),
    ("All for one. For all.", "All for One. For All."),
    ("iPad is a thing", "iPad Is a Thing"),
    ("Out-of-fashion initiatives: a second story", "Out-of-Fashion Initiatives: A Second Story"),
    ("Employee pro-environmental behavior", "Employee Pro-Environmental Behavior"),
    ("John von Doe: an about up life", "John von Doe: An about up Life"),
    ("John d'Doe! a life", "John d’Doe! A Life"),
    ("John de Doe a life", "John de Doe a Life"),
    ("07-x", "07-x"),
    ("07-x test", "07-x Test"),
    ("Saline solution of β-carotine", "Saline Solution of β-Carotine"),
    ("About arvâsî", "About Arvâsî"),
    ("Response to Shafi'i comment", "Response to Shafi’i Comment"),
    ("Closing the scientist–practitioner gap: studies from 2016", "Closing the Scientist–Practitioner Gap: Studies from 2016"),
    ("traits—self-esteem, and stability—with job", "Traits—Self-Esteem, and Stability—with Job"),
    ("The physical volcanology of the 1600 eruption", "The Physical Volcanology of the 1600 Eruption"),
    # text_of drops quote marks; the words inside quotes are cased all the same.
    ('from "distance" to "friction": research for', "From Distance to Friction: Research For"),
])
def test_title(value: str, expected: str) -> None:
    assert case(value, "title") == expected


def test_title_keeps_nocase_and_implicit_nocase() -> None:
    assert case("My <sc>small caps phrase</sc> in a title", "title") == "My small caps phrase in a Title"
    assert case("My <sup>superscript phrase</sup> in a title", "title") == "My superscript phrase in a Title"
    value = ('The <span class="nocase">Mirror</span>, the <span class="nocase">Window</span>: of the '
             '<span class="nocase">Universe</span>')
    assert case(value, "title") == "The Mirror, the Window: Of the Universe"


def test_word_split_across_leaves() -> None:
    nodes = apply_case([Text("thi"), Span([Text("ngs of")]), Text(" value")], "title")
    assert text_of(Span(nodes)) == "Things of Value"
    assert nodes[0] == Text("Thi")


def test_input_is_not_mutated() -> None:
    nodes = [Text("a pen")]
    apply_case(nodes, "uppercase")
    assert nodes == [Text("a pen")]


def test_capitalize_first_and_all() -> None:
    value = 'this is a Pen that is a <span class="nocase">Smith</span> Pencil'
    assert case(value, "capitalize-first") == "This is a Pen that is a Smith Pencil"
    assert case('This IS a Pen that is a <span class="nocase">SMITH</span> Pencil', "capitalize-all") == (
        "This IS A Pen That Is A SMITH Pencil")


def test_nodecor_keeps_case() -> None:
    assert case('lessard <span class="nodecor">v.</span> schmidt', "capitalize-all") == "Lessard v. Schmidt"


def test_lower_upper_sentence() -> None:
    value = 'This is a pen that is a <span class="nocase">Smith</span> pencil'
    assert case(value, "lowercase") == "this is a pen that is a Smith pencil"
    assert case(value, "uppercase") == "THIS IS A PEN THAT IS A Smith PENCIL"
    assert case('This is a Pen that is a <span class="nocase">Smith</span> Pencil', "sentence") == (
        "This is a pen that is a Smith pencil")


def test_locale_sensitive_uppercase() -> None:
    assert case("ia and ıb", "uppercase") == "IA AND IB"
    assert case("ic and ıd", "uppercase", "tr") == "İC AND ID"


def test_unknown_case_is_a_no_op() -> None:
    nodes = [NoCase([Text("x")])]
    assert apply_case(nodes, "bogus") is nodes
