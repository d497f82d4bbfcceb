"""citekit parses CSL XML with lxml directly: the same trees as citeproc-py's parser gives.

citeproc-py's ``CitationStylesXML`` is lxml with ``remove_comments``, a forced UTF-8 encoding and
``no_network``, plus element classes of its own. citekit sets the same parser options and leaves
the classes out (importing them costs more than a parse). The pin on citeproc-py holds its parser
still, so this holds the two to the same element trees for every file citekit ships or reads.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from citekit.csl.locale import locales_dir
from citekit.csl.style import El, StyleError, _parse_xml, compile_element

ROOT = Path(__file__).resolve().parents[2]


def shape(el: El) -> tuple:
    return (el.name, el.attrs, [shape(c) for c in el.children], el.line, el.text)


def through_citeproc_py(data: bytes) -> tuple:
    from citeproc.frontend import CitationStylesXML

    return shape(compile_element(CitationStylesXML(io.BytesIO(data), validate=False).root))


def same_tree(data: bytes) -> None:
    assert shape(_parse_xml(data, "style")) == through_citeproc_py(data)


@pytest.mark.parametrize("path", sorted((ROOT / "styles").glob("*.csl")), ids=lambda p: p.name)
def test_bundled_styles(path: Path) -> None:
    same_tree(path.read_bytes())


def test_every_locale() -> None:
    paths = sorted(locales_dir().glob("locales-*.xml"))
    assert len(paths) > 40
    for path in paths:
        same_tree(path.read_bytes())


def test_reference_styles_and_suite(shared: Path) -> None:
    from tests.csl.suite import fixture_paths, parse_fixture

    styles = sorted((shared / "csl" / "styles").glob("*.csl"))
    assert styles
    for path in styles:
        same_tree(path.read_bytes())
    fixtures = fixture_paths()
    assert len(fixtures) > 800
    for path in fixtures:
        same_tree(parse_fixture(path).csl.encode("utf-8"))


@pytest.mark.parametrize("xml", [
    # comments between and inside text, processing instructions, CDATA, character references
    '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><!-- a -->\n<macro name="m">'
    '<text value="a&amp;b&#x4E2D;"/><!-- b --></macro><?pi x?><citation><layout>'
    '<text macro="m" prefix="&lt;"/></layout></citation></style>',
    '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">'
    '<info><title>x<!-- c -->y<![CDATA[ <z> ]]></title></info></style>',
    # another namespace's attributes and elements, xml:lang
    '<style xmlns="http://purl.org/net/xbiblio/csl" xmlns:c="https://citekit.dev/csl" c:x="1">'
    '<locale xml:lang="de"><terms/></locale><c:other/></style>',
    # a declared encoding other than UTF-8: both force UTF-8
    '<?xml version="1.0" encoding="ISO-8859-1"?><style><info><title>é</title></info></style>',
], ids=["comments", "cdata", "namespaces", "encoding"])
def test_edge_cases(xml: str) -> None:
    same_tree(xml.encode("utf-8"))


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(StyleError, match="not well-formed") as exc:
        _parse_xml(b"<style>\n<a>\n</style>", "style")
    assert exc.value.line == 3
