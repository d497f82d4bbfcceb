"""cs:names and friends (citekit.csl.names, citekit.csl.nameparts), checked against what the CSL test suite shows."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.context import CiteInfo, Context, Disamb
from citekit.csl.locale import load_locale
from citekit.csl.namekeys import author_names, citation_label, substitute_author
from citekit.csl.nameparts import initialize, normalize_initials, normalize_name, script_class
from citekit.csl.names import name_key, names_sort_key, render_names
from citekit.csl.nodes import Node, Span, Tag, text_of
from citekit.csl.style import El, load_style

DOE = {"family": "Doe", "given": "John"}
ROE = {"family": "Roe", "given": "Jane"}
NOAKES = {"family": "Noakes", "given": "Richard"}


def _context(names_xml: str, item: dict[str, Any], *, style_attrs: str = "", section_attrs: str = "",
             mode: str = "citation", position: str = "first", disamb: Disamb | None = None,
             locale_xml: str = "") -> tuple[Context, El]:
    xml = (f'<style xmlns="http://purl.org/net/xbiblio/csl" xmlns:citekit="https://citekit.dev/csl" version="1.0" '
           f'class="note" {style_attrs}><info><id/><title/></info>{locale_xml}'
           f'<citation {section_attrs}><layout>{names_xml}</layout></citation></style>')
    style = load_style(xml)
    ctx = Context(style, load_locale(style, None), item, mode=mode, cite=CiteInfo(position=position),
                  disamb=disamb or Disamb(), name_options=style.name_options("citation"))
    assert style.citation is not None
    return ctx, style.citation.layout.children[0]


def render(names_xml: str, item: dict[str, Any], **kw: Any) -> str:
    ctx, el = _context(names_xml, item, **kw)
    return text_of(render_names(ctx, el))


def names(*people: dict[str, Any], var: str = "author") -> dict[str, Any]:
    return {"id": "ITEM-1", "type": "book", var: list(people)}


def _find(node: Node | None, pred: Any) -> list[Node]:
    out: list[Node] = []

    def visit(n: Any) -> None:
        if pred(n):
            out.append(n)
        for c in getattr(n, "children", ()):
            visit(c)

    visit(node)
    return out


# -- single names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("attrs", "name", "expected"), [
    ("", {"family": "Doe", "given": "AAhad M."}, "AAhad M. Doe"),
    ('name-as-sort-order="all"', {"family": "Doe", "given": "James", "suffix": "III"}, "Doe, James, III"),
    ("", {"family": "Doe", "given": "Jeffrey", "suffix": "Jr.", "comma-suffix": True}, "Jeffrey Doe, Jr."),
    ('form="short"', {"family": "Doe", "given": "James", "suffix": "Jr", "comma-suffix": True}, "Doe"),
    ("", {"family": "我妻", "given": "栄"}, "我妻栄"),
    ("", {"family": "Ράις", "given": "Μυρτώ"}, "Μυρτώ Ράις"),
    ('initialize-with="."', {"family": "Prince"}, "Prince"),
    ('initialize-with="."', {"given": "Banksy"}, "Banksy"),
    ('initialize-with="."', {"family": "Tserendorj", "given": "TSerendorjiin"}, "Ts. Tserendorj"),
    ('initialize-with=""', {"family": "Chen", "given": "Guo-ping"}, "G Chen"),
    ('initialize-with=". "', {"family": "Liu", "given": "Hui-Xiao Li Yuan"}, "H.-X. L. Y. Liu"),
    ('name-as-sort-order="all"', {"family": "Roe", "given": "Jane", "non-dropping-particle": "van"}, "Roe, Jane van"),
    ("", {"family": "Doe", "given": "Jacques", "non-dropping-particle": "van"}, "Jacques van Doe"),
    ('name-as-sort-order="all" sort-separator=""', DOE, "DoeJohn"),
    ('form="short"', {"family": "von und zum Jones", "given": "Ralph"}, "von und zum Jones"),
    ('form="short"', {"family": "Smith", "given": "George von und zum"}, "Smith"),
])
def test_one_name(attrs: str, name: dict[str, Any], expected: str) -> None:
    assert render(f'<names variable="author"><name {attrs}/></names>', names(name)) == expected


def test_no_name_element_renders_long_form() -> None:
    assert render('<names variable="author"/>', names(DOE)) == "John Doe"


def test_sort_separator_and_demotion() -> None:
    jean = {"dropping-particle": "de", "family": "Fontaine", "given": "Jean", "non-dropping-particle": "La",
            "suffix": "III"}
    parts = ('<name-part name="family" prefix="(" suffix=")"/><name-part name="given" prefix="[" suffix="]"/>')
    assert render(f"<names variable=\"author\"><name>{parts}</name></names>", names(jean)) == "[Jean] (de La Fontaine III)"
    sort = f'<names variable="author"><name name-as-sort-order="all" sort-separator=" ">{parts}</name></names>'
    assert render(sort, names(jean), style_attrs='demote-non-dropping-particle="sort-only"') == "(La Fontaine) [Jean de] III"
    assert render(sort, names(jean), style_attrs='demote-non-dropping-particle="display-and-sort"') \
        == "(Fontaine) [Jean de La] III"


def test_family_name_part_formats_particles_but_not_dropping_ones() -> None:
    xml = '<names variable="author"><name><name-part name="family" text-case="uppercase"/></name></names>'
    ctx, el = _context(xml, names({"dropping-particle": "van", "family": "Meer", "given": "Gerard",
                                   "non-dropping-particle": "der"}))
    node = render_names(ctx, el)
    upper = [text_of(n) for n in _find(node, lambda n: isinstance(n, Span) and n.fmt.text_case == "uppercase")]
    assert upper == ["der", "Meer"]
    assert text_of(node) == "Gerard van der Meer"


def test_literal_names_take_family_formatting_only() -> None:
    xml = ('<names variable="author"><name initialize-with=". "><name-part name="family" font-variant="small-caps" '
           'prefix="(" suffix=")"/></name></names>')
    ctx, el = _context(xml, names({"literal": "São Paulo (Estado)"}))
    node = render_names(ctx, el)
    assert text_of(node) == "São Paulo (Estado)"
    assert _find(node, lambda n: isinstance(n, Span) and n.fmt.font_variant == "small-caps")


def test_institution_flag_and_quoted_family() -> None:
    item = names({"family": "Doe Inc.", "given": "", "isInstitution": True}, {"family": '"Van Dyke"', "given": "Dick"})
    assert render('<names variable="author"><name delimiter="; " initialize-with=""/></names>', item) \
        == "Doe Inc.; D Van Dyke"


def test_nonbreaking_space_suffix_replaces_the_space() -> None:
    xml = '<names variable="author"><name><name-part name="given" suffix="&#160;"/></name></names>'
    assert render(xml, names(DOE)) == "John\u00a0Doe"


# -- lists, and, et-al --------------------------------------------------------------------------------------


def test_delimiters_and_and() -> None:
    three = names(DOE, ROE, NOAKES)
    assert render('<names variable="author"><name/></names>', names(DOE, ROE)) == "John Doe, Jane Roe"
    assert render('<names variable="author"><name and="text"/></names>', names(DOE, ROE)) == "John Doe and Jane Roe"
    assert render('<names variable="author"><name and="symbol"/></names>', three) == "John Doe, Jane Roe, & Richard Noakes"
    xml = ('<names variable="author"><name and="text" delimiter="; " initialize-with="." name-as-sort-order="all" '
           'delimiter-precedes-last="always"/></names>')
    assert render(xml, three) == "Doe, J.; Roe, J.; and Noakes, R."
    xml = '<names variable="author"><name and="text" delimiter-precedes-last="never"/></names>'
    assert render(xml, three) == "John Doe, Jane Roe and Richard Noakes"


def test_after_inverted_name() -> None:
    xml = ('<names variable="author"><name name-as-sort-order="first" and="text" '
           'delimiter-precedes-last="after-inverted-name"/></names>')
    assert render(xml, names(DOE, ROE)) == "Doe, John, and Jane Roe"
    assert render(xml, names(DOE, ROE, NOAKES)) == "Doe, John, Jane Roe and Richard Noakes"
    xml = ('<names variable="author"><name name-as-sort-order="all" and="symbol" initialize-with=". " '
           'delimiter-precedes-last="after-inverted-name"/></names>')
    assert render(xml, names(DOE, ROE, NOAKES)) == "Doe, J., Roe, J., & Noakes, R."


def test_inherited_delimiters() -> None:
    assert render('<names variable="author"><name/></names>', names(DOE, ROE),
                  section_attrs='name-delimiter="; "') == "John Doe; Jane Roe"
    assert render('<names variable="author"><name delimiter="///"/></names>', names(DOE, ROE),
                  style_attrs='name-delimiter="/"', section_attrs='name-delimiter="//"') == "John Doe///Jane Roe"
    item = {"id": "x", "author": [DOE], "editor": [ROE]}
    assert render('<names variable="author editor"><name/></names>', item,
                  style_attrs='names-delimiter=" AND "') == "John Doe AND Jane Roe"


def test_et_al() -> None:
    four = names(DOE, ROE, NOAKES, {"family": "Stoakes", "given": "Richard"})
    assert render('<names variable="author"><name delimiter=", " form="short"/></names>', four,
                  style_attrs='et-al-min="3" et-al-use-first="2"') == "Doe, Roe, et al."
    assert render('<names variable="author"><name form="short"/></names>', four,
                  section_attrs='et-al-min="3" et-al-use-first="1"') == "Doe et al."
    xml = '<names variable="author"><name form="short" delimiter-precedes-et-al="always"/><et-al term="and others"/></names>'
    assert render(xml, four, section_attrs='et-al-min="3" et-al-use-first="1"') == "Doe, and others"
    assert render('<names variable="author"><name et-al-min="2" et-al-use-first="0"/></names>', four) == ""


def test_et_al_formatting_skips_the_space() -> None:
    xml = '<names variable="author"><name form="short"/><et-al font-style="italic"/></names>'
    ctx, el = _context(xml, names(DOE, ROE, NOAKES), section_attrs='et-al-min="3" et-al-use-first="1"')
    node = render_names(ctx, el)
    italic = _find(node, lambda n: isinstance(n, Span) and n.fmt.font_style == "italic")
    assert [text_of(n) for n in italic] == ["et al."]


def test_et_al_use_last() -> None:
    people = [{"family": f, "given": "John"} for f in "ABCDEFGH"]
    xml = '<names variable="author"><name and="text" delimiter-precedes-last="never"/></names>'
    out = render(xml, {"id": "x", "author": people},
                 section_attrs='et-al-min="8" et-al-use-first="6" et-al-use-last="true"')
    assert out == "John A, John B, John C, John D, John E, John F, … John H"


def test_et_al_subsequent() -> None:
    xml = '<names variable="author"><name form="short"/></names>'
    attrs = 'et-al-min="4" et-al-use-first="3" et-al-subsequent-min="2" et-al-subsequent-use-first="1"'
    item = names(DOE, ROE, NOAKES)
    assert render(xml, item, section_attrs=attrs) == "Doe, Roe, Noakes"
    assert render(xml, item, section_attrs=attrs, position="subsequent") == "Doe et al."
    assert render(xml, item, section_attrs=attrs, position="subsequent", mode="bibliography") == "Doe, Roe, Noakes"


def test_count_form() -> None:
    xml = '<names variable="author editor"><name form="count"/></names>'
    item = {"id": "x", "author": [DOE, ROE, NOAKES, DOE], "editor": [ROE, NOAKES]}
    assert render(xml, item, section_attrs='et-al-min="4" et-al-use-first="3"') == "5"
    assert render(xml, {"id": "x"}) == ""


def test_editor_translator_combined_label() -> None:
    xml = '<names variable="editor translator" delimiter=", "><name/><label form="short" prefix=" (" suffix=")"/></names>'
    same = {"id": "x", "editor": [DOE], "translator": [DOE]}
    assert render(xml, same) == "John Doe (ed. & trans.)"
    different = {"id": "x", "editor": [DOE], "translator": [ROE]}
    assert render(xml, different) == "John Doe (ed.), Jane Roe (trans.)"
    empty = '<locale><terms><term name="editortranslator" form="short"></term></terms></locale>'
    assert render(xml, same, locale_xml=empty) == "John Doe (ed.), John Doe (trans.)"


def test_label_before_names() -> None:
    xml = '<names variable="editor"><label form="verb" suffix=" "/><name/></names>'
    assert render(xml, names(DOE, var="editor")) == "edited by John Doe"


# -- substitute ---------------------------------------------------------------------------------------------


def test_substitute_inherits_and_suppresses() -> None:
    xml = ('<names variable="author" prefix="[X]"><name form="short"/><label form="short" prefix=" (" suffix=")"/>'
           '<substitute><names variable="editor"/><text variable="title"/></substitute></names>')
    ctx, el = _context(xml, {"id": "x", "editor": [ROE], "title": "T"})
    assert text_of(render_names(ctx, el)) == "[X]Roe (ed.)"
    assert "editor" in ctx.suppressed
    assert ctx.in_substitute == 0
    ctx, el = _context(xml, {"id": "x", "title": "T"})
    assert text_of(render_names(ctx, el)) == "[X]T"
    assert "title" in ctx.suppressed


def test_substitute_stops_at_a_term_and_skips_suppressed() -> None:
    xml = '<names variable="author"><substitute><text term="editor"/><text value="b"/></substitute></names>'
    assert render(xml, {"id": "x"}) == "editor"
    ctx, el = _context('<names variable="author"><name/></names>', names(DOE))
    ctx.suppressed.add("author")
    assert render_names(ctx, el) is None
    assert (ctx.called, ctx.rendered) == (1, 0)


# -- disambiguation hooks, extension, tags ------------------------------------------------------------------


def test_disambiguation_hooks() -> None:
    xml = '<names variable="author"><name form="short" initialize-with=". "/></names>'
    item = names(DOE, ROE, NOAKES)
    attrs = 'et-al-min="3" et-al-use-first="1"'
    assert render(xml, item, section_attrs=attrs, disamb=Disamb(add_names=1)) == "Doe, Roe, et al."
    assert render(xml, item, section_attrs=attrs, disamb=Disamb(givenname={name_key(DOE): 1})) == "J. Doe et al."
    assert render(xml, item, section_attrs=attrs, disamb=Disamb(givenname_all=2)) == "John Doe et al."


def test_citekit_first_initial_only() -> None:
    xml = '<names variable="author"><name initialize-with=". " citekit:initials="first"/></names>'
    assert render(xml, names({"family": "Doe", "given": "John Jeeves"})) == "J. Doe"


def test_output_is_tagged() -> None:
    ctx, el = _context('<names variable="author"><name/></names>', names(DOE, ROE))
    node = render_names(ctx, el)
    assert [t.value for t in _find(node, lambda n: isinstance(n, Tag) and n.kind == "names")] == ["author"]
    assert [t.value for t in _find(node, lambda n: isinstance(n, Tag) and n.kind == "name")] == [DOE, ROE]


# -- sort keys ----------------------------------------------------------------------------------------------


def test_sort_mode_and_sort_keys() -> None:
    vincent = {"family": "van Gogh", "given": "Vincent"}
    ctx, el = _context('<names variable="author"><name and="text" et-al-min="5" et-al-use-first="1"/></names>', names(vincent, DOE),
                       mode="sort", style_attrs='demote-non-dropping-particle="sort-only"')
    assert text_of(render_names(ctx, el)) == "Gogh Vincent van Doe John"
    assert names_sort_key(ctx, "author", None) == "Gogh Vincent van Doe John"
    key = El("key", {"variable": "author", "names-min": "2", "names-use-first": "1"})
    assert names_sort_key(ctx, "author", key) == "Gogh Vincent van"
    ctx.style.root.attrs["demote-non-dropping-particle"] = "never"
    assert names_sort_key(ctx, "author", key) == "van Gogh Vincent"


def test_name_key_is_stable() -> None:
    assert name_key(DOE) == name_key(dict(DOE))
    assert name_key(DOE) != name_key(ROE)
    assert name_key({"literal": "X"}) != name_key({"family": "X"})


# -- nameparts ----------------------------------------------------------------------------------------------


_GIVENS = ["ME", "M.E", "M E.", "John M.E.", "M E", "ME.", "Me.", "Ph.M.E.", "Ph. M.E."]


@pytest.mark.parametrize(("terminator", "expected"), [
    (" ", ["M", "M E", "M E", "J M E", "M E", "ME", "Me", "Ph M E", "Ph M E"]),
    ("", ["M", "ME", "ME", "JME", "ME", "ME", "Me", "PhME", "PhME"]),
    (".", ["M.", "M.E.", "M.E.", "J.M.E.", "M.E.", "ME.", "Me.", "Ph.M.E.", "Ph.M.E."]),
    (". ", ["M.", "M. E.", "M. E.", "J. M. E.", "M. E.", "ME.", "Me.", "Ph. M. E.", "Ph. M. E."]),
])
def test_initialize(terminator: str, expected: list[str]) -> None:
    assert [initialize(g, terminator) for g in _GIVENS] == expected


@pytest.mark.parametrize(("terminator", "expected"), [
    (" ", ["ME", "M E", "M E", "John M E", "M E", "ME", "Me", "Ph M E", "Ph M E"]),
    ("", ["ME", "ME", "ME", "John ME", "ME", "ME", "Me", "PhME", "PhME"]),
    (".", ["ME", "M.E.", "M.E.", "John M.E.", "M.E.", "ME.", "Me.", "Ph.M.E.", "Ph.M.E."]),
    (". ", ["ME", "M. E.", "M. E.", "John M. E.", "M. E.", "ME.", "Me.", "Ph. M. E.", "Ph. M. E."]),
])
def test_normalize_initials(terminator: str, expected: list[str]) -> None:
    assert [normalize_initials(g, terminator) for g in _GIVENS] == expected


def test_initialize_details() -> None:
    assert initialize("Hsien-Li", ".", hyphen=False) == "H.L."
    assert initialize("Hsien-Li", ".") == "H.-L."
    assert initialize("John Bertrand de Cusance Morant", ".") == "J.B. de C.M."
    assert initialize("<b>John</b> Quiggly", ". ") == "<b>J.</b> Q."
    assert initialize("栄", ". ") == "栄"
    assert normalize_initials("A. Alan", ". ") == "A. Alan"


@pytest.mark.parametrize(("family", "given", "parts"), [
    ("van der Vlist", "Eric", {"family": "Vlist", "non-dropping-particle": "van der"}),
    ("Humboldt", "Alexander von", {"given": "Alexander", "dropping-particle": "von"}),
    ("d'Aubignac", "François Hédelin", {"family": "Aubignac", "non-dropping-particle": "d'"}),
    ("Familyname", "Givenname d'", {"given": "Givenname", "dropping-particle": "d'"}),
    ("al-One", "Alan", {"family": "One", "non-dropping-particle": "al-"}),
    ("L'Familyname", "G", {"family": "L'Familyname", "non-dropping-particle": ""}),
    ("in 't Familyname", "G", {"non-dropping-particle": "in 't"}),
    ("Aubignac", "François Hédelin, abbé d'", {"given": "François Hédelin", "suffix": "abbé d'"}),
    ("Doe", "John,! Jr.", {"suffix": "Jr.", "comma-suffix": True}),
    ('"Van Dyke"', "Dick", {"family": "Van Dyke", "non-dropping-particle": ""}),
])
def test_particle_parsing(family: str, given: str, parts: dict[str, Any]) -> None:
    name = normalize_name({"family": family, "given": given})
    assert {k: name[k] for k in parts} == parts


def test_normalize_name_literals_and_scripts() -> None:
    assert normalize_name({"family": "ACME", "isInstitution": "true"}) == {"literal": "ACME"}
    assert normalize_name({"family": "van Gogh", "given": "V", "parse-names": False})["family"] == "van Gogh"
    assert script_class(normalize_name({"family": "我妻", "given": "栄"})) == 0
    assert script_class(normalize_name({"family": "Doe", "given": "John"}), "ja") == 1
    assert script_class(normalize_name({"family": "Doe", "given": "John"})) == 2


def test_et_al_typed_into_a_given_name_ends_the_list() -> None:
    smith = {"family": "Smith", "given": "John, et al."}
    assert render('<names variable="author"><name/></names>', names(smith)) == "John Smith et al."
    assert render('<names variable="author"><name form="short"/></names>', names(smith, ROE, NOAKES)) \
        == "Smith, Roe, Noakes, et al."


def test_trailing_institution_and_after_inverted_name() -> None:
    acme = {"literal": "ACME"}
    xml = '<names variable="author"><name and="text" delimiter-precedes-last="always" name-as-sort-order="first"/></names>'
    assert render(xml, names(DOE, acme)) == "Doe, John and ACME"
    assert render(xml, names(acme, DOE)) == "ACME, and John Doe"
    xml = '<names variable="author"><name and="text" delimiter-precedes-last="never"/></names>'
    assert render(xml, names(DOE, ROE, acme)) == "John Doe, Jane Roe, and ACME"
    xml = '<names variable="author"><name and="text" delimiter-precedes-last="after-inverted-name"/></names>'
    assert render(xml, names(DOE, ROE)) == "John Doe, and Jane Roe"
    assert render(xml, names(DOE, ROE, NOAKES)) == "John Doe, Jane Roe and Richard Noakes"


def test_subsequent_author_substitute_helpers() -> None:
    xml = '<names variable="author"><name form="short" and="text"/><label form="short" prefix=" "/></names>'
    ctx, el = _context(xml, {"id": "x", "author": [DOE, ROE]})
    node = render_names(ctx, el)
    previous = author_names(node)
    assert previous == ["DoeJohn", "RoeJane"]
    assert author_names(render_names(*_context(xml, {"id": "y", "author": [{"literal": "DoeJohn"}]}))) == ["DoeJohn"]
    assert text_of(substitute_author(node, "---", previous)) == "---"
    assert text_of(substitute_author(node, "---", previous, "complete-each")) == "--- and ---"
    assert text_of(substitute_author(node, "---", previous[:1] + ["x"], "partial-each")) == "--- and Roe"
    assert text_of(substitute_author(node, "---", previous, "partial-first")) == "--- and Roe"
    assert substitute_author(node, "---", ["x"]) is node
    editors = '<names variable="editor"><name/><label form="short" prefix=" "/></names>'
    ctx, el = _context(editors, names(DOE, var="editor"))
    node = render_names(ctx, el)
    assert text_of(substitute_author(node, "---", author_names(node))) == "--- ed."


def test_family_first_for_vietnamese_and_hungarian_items() -> None:
    item = {"id": "x", "language": "hu", "author": [{"family": "Kovács", "given": "János"}]}
    assert render('<names variable="author"><name/></names>', item) == "Kovács János"
    assert render('<names variable="author"><name name-as-sort-order="all" initialize-with=". "/></names>', item) \
        == "Kovács J."


@pytest.mark.parametrize(("item", "label"), [
    ({"author": [{"family": "Asthma", "given": "Albert"}], "issued": {"date-parts": [["1900"]]}}, "Asth00"),
    ({"author": [{"family": "van Gogh", "given": "V"}, {"family": "Doe", "given": "J"}],
      "issued": {"date-parts": [[2002]]}}, "GoDo02"),
    ({"author": [{"family": "O'Neil"}, {"family": "de la Cruz", "given": "Y"}, {"family": "Müller"}, {"family": "Zed"},
                 {"family": "Extra"}], "issued": {"date-parts": [[2015]]}}, "OCMZ15"),
    ({"editor": [{"literal": "The ACME Corp"}], "issued": {"date-parts": [[1999]]}}, "Acme99"),
    ({"title": "The Art of War"}, "Thea00"),
])
def test_citation_label(item: dict[str, Any], label: str) -> None:
    ctx, _ = _context('<names variable="author"/>', {"id": "x", **item})
    assert citation_label(ctx) == label
