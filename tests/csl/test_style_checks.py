"""Bad styles and bad items: one CitekitError naming the file and line, never a traceback."""

from __future__ import annotations

import pytest

from citekit.csl.items import ItemError, normalize_item
from citekit.csl.style import StyleError, load_style

HEAD = '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">\n'


def style(body: str) -> str:
    return HEAD + body + "\n</style>"


@pytest.mark.parametrize(("body", "message", "line"), [
    ('<citation><layout><text macro="nope"/></layout></citation>', "undefined macro 'nope'", 2),
    ('<macro name="a">\n<text macro="a"/></macro><citation><layout><text macro="a"/></layout></citation>',
     "macro 'a' calls itself", 2),
    ('<macro name="a"><text macro="b"/></macro>\n<macro name="b"><text macro="a"/></macro>'
     '<citation><layout/></citation>', "calls itself", None),
    ('<citation et-al-min="many"><layout/></citation>', "et-al-min='many'", 2),
    ('<citation><layout><textt variable="title"/></layout></citation>', "unknown element <textt>", 2),
    ('<citation><layout><text variable="title" font-style="slanted"/></layout></citation>', "font-style='slanted'", 2),
    ('<citation></citation>', "has no <layout>", 2),
])
def test_bad_style_names_the_line(body: str, message: str, line: int | None) -> None:
    with pytest.raises(StyleError) as err:
        load_style(style(body), label="bad.csl")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.csl:")
    if line is not None:
        assert err.value.line == line


def test_root_must_be_style() -> None:
    with pytest.raises(StyleError, match="not <style>"):
        load_style('<locale xmlns="http://purl.org/net/xbiblio/csl"/>', label="x.csl")


def test_not_xml() -> None:
    with pytest.raises(StyleError, match="not well-formed") as err:
        load_style(HEAD + "<citation>", label="x.csl")
    assert err.value.line


@pytest.mark.parametrize("raw", [
    {"id": "a", "author": 5},
    {"id": "a", "author": [["Doe"]]},
    {"id": "a", "issued": 3.5},
    "not an item",
])
def test_bad_items_raise_item_error(raw: object) -> None:
    with pytest.raises(ItemError):
        normalize_item(raw)


def test_lenient_items() -> None:
    item = normalize_item({"id": 7, "author": "WHO", "issued": "2020-05", "page": 12, "title": None})
    assert item["id"] == "7"
    assert item["author"] == [{"literal": "WHO"}]
    assert item["issued"] == {"raw": "2020-05"}
    assert item["page"] == "12"
    assert "title" not in item
