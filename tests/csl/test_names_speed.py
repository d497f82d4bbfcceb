"""The memos behind cs:names and cs:date rendering give what a fresh rendering gives.

names.py keeps a setup per cs:names (and per inherited cs:name in a cs:substitute) and each
name's rendering per cs:name; dates.py keeps each date's rendering per cs:date and locale. These
tests render the same values under settings the memo keys must tell apart.
"""

from __future__ import annotations

from typing import Any

from citekit.csl.context import Context, Disamb
from citekit.csl.dates import render_date
from citekit.csl.names import name_key, render_names
from citekit.csl.nodes import Tag, text_of
from tests.csl.test_dates import FakeLocale, style_with
from tests.csl.test_names import _context, _find

DOE = {"family": "Doe", "given": "John Paul"}
NAME = '<names variable="author"><name initialize-with=". "/></names>'


def _names(xml: str, item: dict[str, Any], **kw: Any) -> str:
    ctx, el = _context(xml, item, **kw)
    return text_of(render_names(ctx, el))


def test_name_memo_follows_disambiguation_level() -> None:
    item = {"id": "a", "author": [dict(DOE)]}
    style_kw = {"section_attrs": 'givenname-disambiguation-rule="by-cite"'}
    plain = _names(NAME, item, **style_kw)
    full = _names(NAME, item, disamb=Disamb(givenname={name_key(DOE): 2}), **style_kw)
    every = _names(NAME, item, disamb=Disamb(givenname_all=2), **style_kw)
    assert (plain, full, every) == ("J. P. Doe", "John Paul Doe", "John Paul Doe")
    assert _names(NAME, item, **style_kw) == plain


def test_name_memo_follows_item_language() -> None:
    name = {"family": "Nguyen", "given": "Van An"}
    en = _names('<names variable="author"/>', {"id": "a", "author": [name], "language": "en"})
    vi = _names('<names variable="author"/>', {"id": "b", "author": [dict(name)], "language": "vi"})
    assert (en, vi) == ("Van An Nguyen", "Nguyen Van An")


def test_name_memo_follows_position_in_list() -> None:
    xml = '<names variable="author"><name name-as-sort-order="first" and="text"/></names>'
    first = _names(xml, {"id": "a", "author": [dict(DOE), {"family": "Roe", "given": "Jane"}]})
    second = _names(xml, {"id": "b", "author": [{"family": "Roe", "given": "Jane"}, dict(DOE)]})
    assert (first, second) == ("Doe, John Paul and Jane Roe", "Roe, Jane and John Paul Doe")


def test_each_name_tag_holds_its_own_item_name() -> None:
    ctx, el = _context(NAME, {"id": "a", "author": [dict(DOE)]})
    first = render_names(ctx, el)
    raw = dict(DOE)
    ctx.item = {"id": "b", "author": [raw]}
    second = render_names(ctx, el)
    assert text_of(first) == text_of(second)
    tags = _find(second, lambda n: isinstance(n, Tag) and n.kind == "name")
    assert [t.value for t in tags] == [raw] and tags[0].value is raw


def test_substitute_setup_per_inherited_name() -> None:
    short = ('<names variable="author"><name form="short"/><substitute><names variable="editor"/>'
             '</substitute></names>')
    long = ('<names variable="author"><name initialize-with="."/><substitute><names variable="editor"/>'
            '</substitute></names>')
    item = {"id": "a", "editor": [dict(DOE)]}
    assert _names(short, item) == "Doe"
    assert _names(long, item) == "J.P. Doe"
    assert _names(short, item) == "Doe"


DATE = '<date variable="issued"><date-part name="month" suffix=" "/><date-part name="year"/></date>'


def _date(value: Any, locale: FakeLocale | None = None, **kw: Any) -> str:
    style, el = style_with(DATE)
    ctx = Context(style=style, locale=locale or FakeLocale(), item={"id": "x", "issued": value},
                  mode="citation", **kw)
    return text_of(render_date(ctx, el))


def test_date_memo_leaves_the_year_suffix_to_each_cite() -> None:
    value = {"date-parts": [[2000, 5]]}
    assert _date(value) == "May 2000"
    assert _date({"date-parts": [[2000, 5]]}, disamb=Disamb(year_suffix=2)) == "May 2000b"
    assert _date({"date-parts": [[2000, 5]]}) == "May 2000"


def test_date_memo_per_locale() -> None:
    style, el = style_with(DATE)
    other = FakeLocale()
    other.terms[("month-05", "long")] = "Mai"
    value = {"date-parts": [[2000, 5]]}
    texts = [text_of(render_date(Context(style=style, locale=loc, item={"id": "x", "issued": value}), el))
             for loc in (FakeLocale(), other, FakeLocale())]
    assert texts == ["May 2000", "Mai 2000", "May 2000"]


def test_usual_date_parts_read_as_the_general_parser_reads_them() -> None:
    from citekit.csl.dateparse import _parse_date

    for parts in ([2008], [2008, 5], [2008, 5, 3]):
        fast = _parse_date({"date-parts": [parts]})
        general = _parse_date({"date-parts": [[str(p) for p in parts]]})
        assert fast == general
