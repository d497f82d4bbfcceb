"""Behaviours citekit relies on, each once a citeproc-py defect (type codes, CJK names, CSL-M layouts, escaping, collapsing, pinyin)."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.render import format_bibliography, format_citation, render_document, render_entries

CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="{locale}">
  <info><title>t</title><id>t</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  {macros}
  <citation collapse="citation-number"><layout prefix="[" suffix="]" delimiter=","><text variable="citation-number"/></layout></citation>
  <bibliography second-field-align="flush">{layouts}</bibliography>
</style>"""


def style(tmp_path: Path, layouts: str, macros: str = "", locale: str = "en-US", name: str = "t.csl") -> Path:
    path = tmp_path / name
    path.write_text(CSL.format(locale=locale, macros=macros, layouts=layouts), encoding="utf-8")
    return path


def item(**kw) -> dict:
    return {"id": kw.pop("id", "a"), "type": kw.pop("type", "book"), "title": kw.pop("title", "T"), **kw}


def test_group_with_untaken_variable_branch_is_not_suppressed(tmp_path: Path) -> None:
    # D1: the type code vanished for items without URL/DOI in stock citeproc-py.
    macros = """<macro name="code"><text value="M"/></macro>
      <macro name="carrier"><choose><if variable="URL DOI" match="any"><text value="/OL"/></if></choose></macro>"""
    layouts = """<layout><text variable="citation-number" prefix="[" suffix="]"/>
      <text variable="title"/><group prefix="[" suffix="]"><text macro="code"/><text macro="carrier"/></group></layout>"""
    path = style(tmp_path, layouts, macros)
    assert format_bibliography([item()], path) == ["[1] T[M]"]
    assert format_bibliography([item(URL="http://x")], path) == ["[1] T[M/OL]"]


def test_corporate_names_keep_their_case_with_cs_institution(tmp_path: Path) -> None:
    # CSL: the family name-part's formatting reaches institutional names too (citeproc-js,
    # name_InstitutionDecoration); a CSL-M cs:institution in cs:names gives them their own.
    names = '<name name-as-sort-order="all"><name-part name="family" text-case="uppercase"/></name>'
    items = [item(author=[{"literal": "United States Congress"}]), item(id="b", author=[{"family": "Smith", "given": "J"}])]
    plain = style(tmp_path, f'<layout><text variable="citation-number"/><names variable="author">{names}</names></layout>')
    assert format_bibliography(items, plain) == ["1 UNITED STATES CONGRESS", "2 SMITH, J"]
    kept = style(tmp_path, f'<layout><text variable="citation-number"/><names variable="author">{names}<institution/>'
                 '</names></layout>', name="institution.csl")
    assert format_bibliography(items, kept) == ["1 United States Congress", "2 SMITH, J"]


def test_cjk_names_have_no_space(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number"/><names variable="author">
      <name name-as-sort-order="all" sort-separator=" "/></names></layout>"""
    out = format_bibliography([item(author=[{"family": "张", "given": "三"}])], style(tmp_path, layouts))
    assert out == ["1 张三"]


def test_multi_layout_by_entry_language(tmp_path: Path) -> None:
    names = """<names variable="author"><name et-al-min="2" et-al-use-first="1" delimiter=", "/></names>"""
    layouts = f"""<layout locale="en"><text variable="citation-number"/>{names}</layout>
      <layout><text variable="citation-number"/>{names}</layout>"""
    path = style(tmp_path, layouts, locale="zh-CN")
    authors = [{"family": "A", "given": "B"}, {"family": "C", "given": "D"}]
    out = format_bibliography([item(author=authors, language="en"),
                               item(id="b", author=authors, language="zh-CN")], path)
    # The Chinese layout renders in zh-CN: a Latin name in a Chinese item is written family first
    # and joins 等 without a space, as citeproc-js writes them.
    assert out == ["1 B A et al.", "2 A B等"]


def test_label_is_separated_in_plain_text(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number" prefix="[" suffix="]"/><text variable="title"/></layout>"""
    assert format_bibliography([item()], style(tmp_path, layouts)) == ["[1] T"]


def test_available_date_does_not_crash(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number"/><date variable="available-date" form="numeric"/></layout>"""
    out = format_bibliography([item(type="article-journal", **{"available-date": {"date-parts": [[2020, 5, 1]]}})],
                              style(tmp_path, layouts))
    assert out == ["1 05/01/2020"]


def test_empty_ordinal_term_is_honoured(tmp_path: Path) -> None:
    # D3: zh-CN defines the ordinal suffix as empty; citeproc-py fell back to English "2nd".
    layouts = """<layout><text variable="citation-number"/><number variable="edition" form="ordinal"/></layout>"""
    assert format_bibliography([item(edition="2")], style(tmp_path, layouts, locale="zh-CN")) == ["1 2"]


@pytest.mark.parametrize(("fmt", "expected"), [
    ("html", "Tom &#38; Jerry &#60;script&#62;alert(1)&#60;/script&#62;"),
    ("latex", r"Tom \& Jerry <script>alert(1)</script>"),
    ("text", "Tom & Jerry <script>alert(1)</script>"),
])
def test_field_values_cannot_inject_markup(tmp_path: Path, fmt: str, expected: str) -> None:
    layouts = """<layout><text variable="citation-number"/><text variable="title" font-style="italic"/></layout>"""
    entries = render_entries([item(title="Tom & Jerry <script>alert(1)</script>")], style(tmp_path, layouts))
    doc = render_document(entries, fmt)
    assert expected in doc
    if fmt == "html":
        assert "<i>" + expected + "</i>" in doc and "<script>" not in doc


def test_citation_numbers_collapse(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number"/><text variable="title"/></layout>"""
    path = style(tmp_path, layouts)
    bib = [item(id=f"k{i}") for i in range(1, 7)]
    assert format_citation(bib, [("k1", None), ("k2", None), ("k3", None), ("k5", None)], path) == "[1\u20133,5]"
    assert format_citation(bib, [("k2", None), ("k3", None)], path) == "[2,3]"
    gbt = style(tmp_path, layouts, name="gbt.csl")
    text = gbt.read_text(encoding="utf-8").replace(
        '<style xmlns="http://purl.org/net/xbiblio/csl"', '<style xmlns="http://purl.org/net/xbiblio/csl" xmlns:citekit="https://citekit.dev/csl"'
    ).replace('<citation collapse="citation-number">', '<citation collapse="citation-number" citekit:collapse-min="2" citekit:locator="after">')
    gbt.write_text(text, encoding="utf-8")
    assert format_citation(bib, [("k2", None), ("k3", None)], gbt) == "[2\u20133]"
    assert format_citation(bib, [("k5", "12")], gbt) == "[5]12"


def test_numbers_follow_registration_order_in_large_lists(tmp_path: Path) -> None:
    # The O(n²) look-ups were replaced by an index; numbering must be unchanged.
    layouts = """<layout><text variable="citation-number"/><text variable="title"/></layout>"""
    items = [item(id=f"k{i}", title=f"T{i}") for i in range(1500)]
    out = format_bibliography(items, style(tmp_path, layouts))
    assert out[0] == "1 T0" and out[-1] == "1500 T1499"


def test_date_ranges_keep_shared_parts_in_place(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number"/><date variable="event-date" form="text"/></layout>"""
    path = style(tmp_path, layouts)

    def event(*parts):
        return format_bibliography([item(**{"event-date": {"date-parts": list(parts)}})], path)[0]

    assert event([2000, 2, 1], [2000, 2, 4]) == "1 February 1\u20134, 2000"
    assert event([2000, 2, 27], [2000, 3, 2]) == "1 February 27\u2013March 2, 2000"
    assert event([1999, 12, 30], [2000, 1, 2]) == "1 December 30, 1999\u2013January 2, 2000"


def test_ordinal_prefers_the_entry_locale(tmp_path: Path) -> None:
    layouts = """<layout><text variable="citation-number"/><number variable="edition" form="ordinal"/></layout>"""
    assert format_bibliography([item(edition="2")], style(tmp_path, layouts, locale="zh-CN")) == ["1 2"]
    assert format_bibliography([item(edition="2")], style(tmp_path, layouts, name="en.csl")) == ["1 2nd"]


def test_chinese_sort_keys_follow_pinyin(tmp_path: Path) -> None:
    macros = """<macro name="who"><names variable="author"><name/></names></macro>"""
    layouts = """<sort><key macro="who"/></sort><layout><names variable="author"><name/></names></layout>"""
    path = style(tmp_path, layouts, macros, locale="zh-CN")
    people = ["张忠智", "陈晋镳", "刘彻东", "汪冰", "王临惠"]
    items = [item(id=str(n), author=[{"literal": p}]) for n, p in enumerate(people)]
    assert format_bibliography(items, path) == ["陈晋镳", "刘彻东", "汪冰", "王临惠", "张忠智"]
