"""Cite grouping and collapsing through the real Processor, on small inline styles."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.collapse import _letters_number, _suffix_only, _without_suffix, collapse_cluster
from citekit.csl.nodes import Formatting, Span, Tag, Text, text_of
from citekit.csl.processor import CiteRef, Cluster, Processor

_NUMERIC = """<style xmlns="http://purl.org/net/xbiblio/csl" xmlns:citekit="https://citekit.dev/csl"
  version="1.0" class="in-text">
  <citation collapse="citation-number" {extra}>
    <sort><key variable="citation-number"/></sort>
    <layout prefix="[" suffix="]" delimiter=",">
      <group delimiter=", "><text variable="citation-number"/><text variable="locator"/></group>
    </layout>
  </citation>
</style>"""

_AUTHOR_DATE = """<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="{cls}">
  <citation disambiguate-add-year-suffix="true" {extra}>
    {sort}
    <layout prefix="(" suffix=")" delimiter="; ">
      <group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <date variable="issued"><date-part name="year"/></date>
      </group>
      <text variable="year-suffix"/>
    </layout>
  </citation>
</style>"""


def _items(n: int) -> list[dict[str, Any]]:
    return [{"id": f"I{i}", "type": "book", "title": f"T{i}"} for i in range(1, n + 1)]


def _person_items(spec: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"id": f"I{i}", "type": "book", "title": f"T{i}", "author": [{"family": fam, "given": "A"}],
             "issued": {"date-parts": [[year]]}} for i, (fam, year) in enumerate(spec, start=1)]


def _proc(style: str, items: list[dict[str, Any]]) -> Processor:
    try:
        return Processor(style, items, fmt="text")
    except ImportError as exc:
        pytest.skip(f"engine incomplete: {exc}")


def _cite(style: str, items: list[dict[str, Any]], ids: list[str], **refs: dict[str, Any]) -> str:
    proc = _proc(style, items)
    proc.register([it["id"] for it in items])
    cluster = Cluster([CiteRef(i, **refs.get(i, {})) for i in ids])
    return proc.process([cluster])[0]


def test_number_ranges_rule_of_three() -> None:
    style = _NUMERIC.format(extra="")
    ids = ["I1", "I2", "I3", "I5", "I6", "I8"]
    assert _cite(style, _items(8), ids) == "[1–3,5,6,8]"


def test_number_ranges_collapse_min_two() -> None:
    style = _NUMERIC.format(extra='citekit:collapse-min="2"')
    assert _cite(style, _items(8), ["I1", "I2", "I3", "I5", "I6", "I8"]) == "[1–3,5–6,8]"


def test_locator_breaks_range() -> None:
    style = _NUMERIC.format(extra="")
    out = _cite(style, _items(4), ["I1", "I2", "I3", "I4"], I2={"locator": "5"})
    assert out == "[1,2, 5,3,4]"


def test_prefix_opens_a_range_suffix_stands_alone() -> None:
    style = _NUMERIC.format(extra="")
    assert _cite(style, _items(4), ["I1", "I2", "I3", "I4"], I2={"prefix": "see "}) == "[1,see 2–4]"
    assert _cite(style, _items(4), ["I1", "I2", "I3", "I4"], I3={"prefix": "see "}) == "[1,2,see 3,4]"
    assert _cite(style, _items(5), ["I1", "I2", "I3", "I4", "I5"], I2={"suffix": " x"}) == "[1,2 x,3–5]"


def test_unprinted_locator_keeps_range() -> None:
    style = _NUMERIC.format(extra="").replace('<text variable="locator"/>', "")
    assert _cite(style, _items(4), ["I1", "I2", "I3", "I4"], I2={"locator": "5"}) == "[1–4]"


def test_duplicate_numbers_start_new_run() -> None:
    style = _NUMERIC.format(extra="")
    assert _cite(style, _items(5), ["I1", "I2", "I3", "I3", "I4", "I5"]) == "[1–3,3–5]"


def test_no_collapse_returns_none() -> None:
    proc = _proc(_AUTHOR_DATE.format(cls="in-text", extra="", sort=""), _person_items([("Doe", 2000)]))
    assert collapse_cluster(proc, []) is None
    cites = proc._cites([Cluster([CiteRef("I1")])])
    assert collapse_cluster(proc, cites) is None


def test_year_collapse_note_style() -> None:
    style = _AUTHOR_DATE.format(cls="note", extra='collapse="year"', sort="")
    items = _person_items([("Doe", 1990), ("Doe", 2000), ("Roe", 2000)])
    assert _cite(style, items, ["I1", "I2", "I3"]) == "(Doe 1990; 2000; Roe 2000)"


def test_year_collapse_in_text_uses_comma() -> None:
    style = _AUTHOR_DATE.format(cls="in-text", extra='collapse="year"', sort="")
    items = _person_items([("Doe", 1990), ("Doe", 2000), ("Roe", 2000)])
    assert _cite(style, items, ["I1", "I2", "I3"]) == "(Doe 1990, 2000; Roe 2000)"


def test_after_collapse_delimiter() -> None:
    style = _AUTHOR_DATE.format(cls="in-text", extra='collapse="year" after-collapse-delimiter=" | "', sort="")
    items = _person_items([("Doe", 1990), ("Doe", 2000), ("Roe", 2000)])
    assert _cite(style, items, ["I1", "I2", "I3"]) == "(Doe 1990; 2000 | Roe 2000)"


def test_substituted_title_does_not_collapse() -> None:
    style = _AUTHOR_DATE.format(cls="in-text", extra='collapse="year"', sort="").replace(
        '<name form="short"/>', '<name form="short"/><substitute><text variable="title"/></substitute>')
    items = [{"id": f"I{i}", "type": "book", "title": "Same", "issued": {"date-parts": [[2000 + i]]}} for i in (1, 2)]
    assert _cite(style, items, ["I1", "I2"]) == "(Same 2001; Same 2002)"


def test_year_suffix_collapse() -> None:
    style = _AUTHOR_DATE.format(cls="note", extra='collapse="year-suffix" year-suffix-delimiter=","', sort="")
    items = _person_items([("Doe", 2000), ("Doe", 2000), ("Doe", 2001)])
    assert _cite(style, items, ["I1", "I2", "I3"]) == "(Doe 2000a,b; 2001)"


def test_year_collapse_keeps_cite_affixes() -> None:
    style = _AUTHOR_DATE.format(cls="in-text", extra='collapse="year"', sort="")
    items = _person_items([("Doe", 1990), ("Doe", 2000)])
    assert _cite(style, items, ["I1", "I2"], I2={"prefix": "see "}) == "(Doe 1990, see 2000)"
    assert _cite(style, items, ["I1", "I2"], I1={"suffix": " (x)"}) == "(Doe 1990 (x), 2000)"


def test_year_suffix_collapse_keeps_locator() -> None:
    # as citeproc-js: a suffix with a locator is delimited like any collapsed cite, and so is the next
    style = _AUTHOR_DATE.format(cls="in-text", extra='collapse="year-suffix" year-suffix-delimiter="+"',
                                sort="").replace('<text variable="year-suffix"/>',
                                                 '<text variable="year-suffix"/><text variable="locator" prefix=", p. "/>')
    items = _person_items([("Doe", 2000)] * 4)
    assert _cite(style, items, ["I1", "I2", "I3", "I4"], I2={"locator": "5"}) == "(Doe 2000a, b, p. 5, c+d)"


def test_year_suffix_ranged() -> None:
    style = _AUTHOR_DATE.format(cls="note", extra='collapse="year-suffix-ranged" year-suffix-delimiter=","',
                                sort="")
    items = _person_items([("Doe", 2000)] * 5)
    assert _cite(style, items, ["I1", "I2", "I3", "I4"]) == "(Doe 2000a–d)"
    assert _cite(style, items, ["I1", "I3", "I4", "I5"]) == "(Doe 2000a,c–e)"
    assert _cite(style, items, ["I1", "I3", "I4"]) == "(Doe 2000a,c,d)"  # two in a row are no range


def test_grouping_needs_a_sort() -> None:
    items = _person_items([("Doe", 1990), ("Roe", 2000), ("Doe", 2000)])
    unsorted = _AUTHOR_DATE.format(cls="in-text", extra='cite-group-delimiter=", "', sort="")
    assert _cite(unsorted, items, ["I1", "I2", "I3"]) == "(Doe 1990; Roe 2000; Doe 2000)"
    by_year = _AUTHOR_DATE.format(cls="in-text", extra='cite-group-delimiter=", "',
                                  sort='<sort><key variable="issued"/></sort>')
    assert _cite(by_year, items, ["I1", "I2", "I3"]) == "(Doe 1990, Doe 2000; Roe 2000)"


def test_suffix_helpers() -> None:
    node = Span([Text("2000"), Span([Tag("year-suffix", "b", [Text("b")])], Formatting(font_style="italic",
                                                                                      prefix="("))])
    only = _suffix_only(node)
    assert only is not None and text_of(only) == "b"
    assert isinstance(only, Span) and only.fmt.font_style == "italic" and only.fmt.prefix is None
    rest = _without_suffix(node)
    assert rest is not None and text_of(rest) == "2000"
    assert _letters_number("a") == 1 and _letters_number("aa") == 27 and _letters_number("1") is None
