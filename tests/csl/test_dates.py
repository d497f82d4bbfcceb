"""cs:date and CSL-JSON dates: parsing (date-parts, raw, seasons, BC), rendering, ranges, sort keys.

Expected strings come from the CSL test suite's date_* fixtures and from citeproc-js's output.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.csl.context import Context, Disamb
from citekit.csl.dates import (
    DateValue,
    date_sort_key,
    has_date,
    is_uncertain_date,
    last_built_date,
    parse_date,
    parse_raw,
    render_date,
    style_renders_year_suffix,
    suffix_letters,
)
from citekit.csl.nodes import Node, Span, Tag, Text, text_of
from citekit.csl.style import El, load_style, parse_xml

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SHORT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec."]
SEASONS = ["Spring", "Summer", "Autumn", "Winter"]

EN_DATES = """<locale xmlns="http://purl.org/net/xbiblio/csl">
<date form="text"><date-part name="month" suffix=" "/><date-part name="day" suffix=", "/><date-part name="year"/></date>
<date form="numeric"><date-part name="month" form="numeric-leading-zeros" suffix="/"/>
<date-part name="day" form="numeric-leading-zeros" suffix="/"/><date-part name="year"/></date>
</locale>"""


class FakeLocale:
    """The few en-US terms and formats dates need."""

    def __init__(self, dates: str = EN_DATES, options: dict[str, str] | None = None) -> None:
        self.lang = "en-US"
        self._dates = {d.get("form"): d for d in parse_xml(dates, "locale").findall("date")}
        self._options = options or {}
        self.terms: dict[tuple[str, str], str] = {("ad", "long"): " AD", ("bc", "long"): " BC"}
        for i, (long, short) in enumerate(zip(MONTHS, SHORT, strict=True), 1):
            self.terms[(f"month-{i:02d}", "long")] = long
            self.terms[(f"month-{i:02d}", "short")] = short
        for i, season in enumerate(SEASONS, 1):
            self.terms[(f"season-0{i}", "long")] = season

    def term(self, name: str, form: str = "long", plural: bool = False, gender: str | None = None) -> str | None:
        return self.terms.get((name, form), self.terms.get((name, "long")))

    def term_gender(self, name: str) -> str | None:
        return None

    def ordinal(self, n: int, gender: str | None = None) -> str:
        if (n // 10) % 10 == 1:
            return "th"
        return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")

    def date_format(self, form: str) -> El | None:
        return self._dates.get(form)

    def option(self, name: str) -> str | None:
        return self._options.get(name)


def style_with(date_xml: str, extra: str = "") -> tuple[Any, El]:
    style = load_style('<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">'
                       f'<citation><layout>{date_xml}{extra}</layout></citation></style>')
    assert style.citation is not None
    return style, style.citation.layout.children[0]


def ctx_for(style: Any, item: dict[str, Any], locale: FakeLocale | None = None, **kw: Any) -> Context:
    return Context(style=style, locale=locale or FakeLocale(), item=item, mode=kw.pop("mode", "citation"), **kw)


def render(date_xml: str, value: Any, locale: FakeLocale | None = None, **kw: Any) -> str:
    style, el = style_with(date_xml)
    return text_of(render_date(ctx_for(style, {"id": "x", "issued": value}, locale, **kw), el))


PARTS_DMY = ('<date variable="issued" prefix="(" suffix=")"><date-part name="day" suffix=" "/>'
             '<date-part name="month" form="long" suffix=" "/><date-part name="year"/></date>')
PARTS_MDY = ('<date prefix="(" suffix=")" variable="issued"><date-part form="long" name="month"/>'
             '<date-part name="day" suffix=", "/><date-part name="year"/></date>')


# -- parsing ----------------------------------------------------------------------------------------


def test_date_parts_with_strings_ints_and_ranges() -> None:
    d = parse_date({"date-parts": [["1965", "6", "1"]]})
    assert d == DateValue((1965, 6, 1))
    r = parse_date({"date-parts": [[2003, 8, 10], [2003, 8, 23]]})
    assert r is not None and r.is_range and r.end == (2003, 8, 23)
    assert parse_date({"date-parts": [["2000", "", ""]]}) == DateValue((2000, None, None))
    assert parse_date({"date-parts": [[-250]]}).year == -250  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [
    None, {}, {"date-parts": []}, {"date-parts": [[]]}, {"date-parts": [["", ""]]}, {"date-parts": "2000"},
    {"date-parts": [[None]]}, {"raw": ""}, 3.5j, [[{"x": 1}]], True,
])
def test_no_date_gives_none(value: Any) -> None:
    assert parse_date(value) is None


def test_literal_season_circa() -> None:
    assert parse_date({"date-parts": [], "literal": "(in press)"}) == DateValue(literal="(in press)")
    assert parse_date({"date-parts": [], "raw": "Bogus Date"}) == DateValue(literal="Bogus Date")
    d = parse_date({"date-parts": [[2000]], "season": 3, "circa": 1})
    assert d is not None and d.season == "3" and d.circa
    assert not parse_date({"date-parts": [[2000]], "circa": "false"}).circa  # type: ignore[union-attr]
    # raw is only read when there are no date-parts (citeproc-js)
    assert parse_date({"date-parts": [[1999]], "raw": "2005"}).year == 1999  # type: ignore[union-attr]
    assert parse_date("2008-05-03") == DateValue((2008, 5, 3))


# Each checked against citeproc-js's date parser (start, end, circa).
@pytest.mark.parametrize(("raw", "start", "end", "circa"), [
    ("2008-05-03", (2008, 5, 3), None, False),
    ("May 2008", (2008, 5, None), None, False),
    ("2008/2009", (2008, None, None), (2009, None, None), False),
    ("Spring 2008", (2008, 13, None), None, False),
    ("2004-06~", (2004, 6, None), None, True),
    ("1998?", (1998, None, None), None, True),
    ("circa 1850", (1850, None, None), None, True),
    ("Spring 1999 - Summer 2001", (1999, 13, None), (2001, 14, None), False),
    ("May 3-5, 2008", (2008, 5, 3), (2008, 5, 5), False),
    ("May 3 - June 5, 2008", (2008, 5, 3), (2008, 6, 5), False),
    ("20-25 May 1990", (1990, 5, 20), (1990, 5, 25), False),
    ("2008-", (2008, None, None), (2008, None, None), False),
    ("-250", (-250, None, None), None, False),
    ("250 BC", (-250, None, None), None, False),
    ("2008-05-03/2008-06", (2008, 5, 3), (2008, 6, 3), False),
    ("12/15/2005", (2005, 12, 15), None, False),
    ("01/02/2003", (2003, 1, 2), None, False),
    ("2008-05-03T12:00:00Z", (2008, 5, 3), None, False),
    ("Sept. 12, 2001", (2001, 9, 12), None, False),
    ("2005年12月15日", (2005, 12, 15), None, False),
    ("平成12年3月4日", (2000, 3, 4), None, False),
    ("45", (45, None, None), None, False),
])
def test_raw_like_citeproc_js(raw: str, start: tuple, end: tuple | None, circa: bool) -> None:
    d = parse_raw(raw)
    assert d is not None and d.literal is None
    assert (d.start, d.end, d.circa) == (start, end, circa)


@pytest.mark.parametrize("raw", ["Bogus Date", "15.12.2005", "Summer", "12.2005", '"quoted"'])
def test_unreadable_raw_is_literal(raw: str) -> None:
    d = parse_raw(raw)
    assert d is not None and d.literal == raw.strip('"')


def test_raw_law_term_season() -> None:
    d = parse_raw("Michaelmas 1990")
    assert d is not None and d.year == 1990 and d.season == "Michaelmas"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["date-parts", "raw", "literal", "season", "circa"]), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_parse_never_raises(value: Any) -> None:
    d = parse_date(value)
    assert d is None or isinstance(d, DateValue)
    date_sort_key(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-/~?., abcMayJunSpringBC年月日", max_size=24))
def test_raw_never_raises(raw: str) -> None:
    parse_raw(raw)


# -- non-localized dates ----------------------------------------------------------------------------


def test_ad_bc_and_missing_parts() -> None:
    assert render(PARTS_MDY, {"date-parts": [[499]]}) == "(499 AD)"
    assert render(PARTS_MDY, {"date-parts": [[-250]]}) == "(250 BC)"
    assert render(PARTS_MDY, {"date-parts": [[2005, 12, 15]]}) == "(December15, 2005)"
    neg = '<date variable="issued" delimiter="-"><date-part name="year"/><date-part name="month" form="numeric"/></date>'
    assert render(neg, {"date-parts": [[-100, 7]]}) == "100 BC-7"


def test_year_short_month_forms_day_forms() -> None:
    xml = ('<date variable="issued" delimiter="|"><date-part name="year" form="short"/>'
           '<date-part name="month" form="numeric-leading-zeros"/><date-part name="day" form="numeric-leading-zeros"/>'
           '<date-part name="month" form="short" strip-periods="true"/><date-part name="day" form="ordinal"/></date>')
    assert render(xml, {"date-parts": [[2005, 2, 3]]}) == "05|02|03|Feb|3rd"
    assert render(xml, {"date-parts": [[499, 2, 3]]}).startswith("499 AD|")


def test_season_in_place_of_month() -> None:
    xml = '<date variable="issued"><date-part name="month" form="long" strip-periods="true"/></date>'
    got = [render(xml, {"date-parts": [[1965, m, d]]}) for m, d in [(-1, 1), (13, 1), (17, 1), (60, 1), (24, 0)]]
    assert got == ["", "Spring", "Spring", "", "Winter"]  # date_VariousInvalidDates
    assert render(PARTS_MDY.replace('name="month"/>', 'name="month" suffix=" "/>'),
                  {"date-parts": [[2000]], "season": 3}) == "(Autumn 2000)"
    xml2 = '<date variable="issued"><date-part name="month"/><date-part name="day" prefix=" "/></date>'
    assert render(xml2, {"date-parts": [[2000]], "season": 3}) == "Autumn"
    assert render(xml2, {"date-parts": [[2000]], "season": "Easter"}) == "Easter"
    numeric = '<date variable="issued"><date-part name="month" form="numeric"/></date>'
    assert render(numeric, {"date-parts": [[2000, 14]]}) == ""


def test_literal_and_raw_printed_as_is() -> None:
    assert render(PARTS_MDY, {"date-parts": [], "literal": "maybe around 2000bc sometime?"}) == \
        "(maybe around 2000bc sometime?)"
    assert render('<date variable="issued" form="text" date-parts="year"/>', {"raw": "Bogus Date"}) == "Bogus Date"
    assert render(PARTS_MDY, {"date-parts": []}) == ""


# -- ranges -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parts", "expected"), [
    ([[2003, 8, 10], [2003, 8, 23]], "(10–23 August 2003)"),
    ([[2003, 8, 3], [2003, 10, 23]], "(3 August–23 October 2003)"),
    ([[1987, 8, 3], [2003, 10, 23]], "(3 August 1987–23 October 2003)"),
    ([[2003, 8], [2003, 10]], "(August–October 2003)"),
    ([[1987, 8], [2003, 10]], "(August 1987–October 2003)"),
    ([[1987], [2003]], "(1987–2003)"),
    ([[1987], [0]], "(1987–)"),
])
def test_ranges_text_form_fixtures(parts: list, expected: str) -> None:
    assert render(PARTS_DMY, {"date-parts": parts}) == expected


def test_ranges_localized_and_seasons() -> None:
    text = '<date variable="issued" form="text"/>'
    assert render(text, {"date-parts": [[2008, 5, 3], [2008, 5, 5]]}) == "May 3–5, 2008"
    assert render(text, {"date-parts": [[2008, 5, 3], [2008, 6, 5]]}) == "May 3–June 5, 2008"
    assert render(text, {"date-parts": [[2008], [2009]]}) == "2008–2009"
    assert render(text, {"date-parts": [["1999", "21"], ["2001", "22"]]}) == "Spring 1999–Summer 2001"
    assert render(text, {"date-parts": [["1999", "22"], ["1999", "21"]]}) == "Summer–Spring 1999"
    assert render(text, {"raw": "Spring 1999 - Summer 2001"}) == "Spring 1999–Summer 2001"
    numeric = '<date variable="issued" form="numeric" date-parts="year-month"/>'
    assert render(numeric, {"date-parts": [[2005, 11, 15], [2006, 12, 20]]}) == "11/2005–12/2006"
    # citeproc-js quirks kept: equal ends still show the day; BC goes after the end
    assert render(text, {"date-parts": [[2008, 5, 3], [2008, 5, 3]]}) == "May 3–3, 2008"
    assert render(text, {"date-parts": [[-50, 5, 5], [-40, 1, 1]]}) == "May 5, 50–January 1, 40 BC"


def test_range_affixes_follow_citeproc_js() -> None:
    dmy = ('<date variable="issued" delimiter=" "><date-part name="day" prefix="D" suffix="d"/>'
           '<date-part name="month" form="numeric" prefix="M" suffix="m"/><date-part name="year" prefix="Y" suffix="y"/>'
           '</date>')
    assert render(dmy, {"date-parts": [[2008, 5, 3], [2008, 6, 4]]}) == "D3d M5–4d M6m Y2008y"
    assert render(dmy, {"date-parts": [[2008, 5, 3], [2009, 6, 4]]}) == "D3d M5m Y2008–4d 6m Y2009y"
    assert render(dmy, {"date-parts": [[2008, 5, 3], [2008, 5, 4]]}) == "D3–4d M5m Y2008y"
    ymd = ('<date variable="issued" delimiter=" "><date-part name="year" prefix="Y" suffix="y"/>'
           '<date-part name="month" form="numeric" prefix="M" suffix="m"/><date-part name="day" prefix="D" suffix="d"/>'
           '</date>')
    # an end part that prints nothing still counts as queued: the year's end keeps its prefix
    seasonal = ('<date variable="issued" delimiter=" "><date-part name="month" form="numeric"/>'
                '<date-part name="year" prefix="(" suffix=")"/></date>')
    assert render(seasonal, {"date-parts": [[-44, 14], [1999, 14]]}) == "(44–(1999) BC"
    assert render(ymd, {"date-parts": [[2008, 5, 3], [2008, 6, 4]]}) == "Y2008y M5m D3–6m D4d"
    assert render(ymd, {"date-parts": [[2008, 5, 3], [2009, 6, 4]]}) == "Y2008y M5m D3–2009y 6m D4d"


def test_range_delimiter_of_the_part() -> None:
    locale = FakeLocale("""<locale xmlns="http://purl.org/net/xbiblio/csl"><date form="text" delimiter=" ">
      <date-part name="day" form="numeric" range-delimiter="_[DRD]_" />
      <date-part name="month" form="long" range-delimiter="_[MRD]_" />
      <date-part name="year" form="long" range-delimiter="_[YRD]_"/></date></locale>""")
    full = '<date variable="issued" form="text" date-parts="year-month-day"/>'
    ym = '<date variable="issued" form="text" date-parts="year-month"/>'
    assert render(full, {"date-parts": [[1999, 1, 2], [1999, 1, 4]]}, locale) == "2_[DRD]_4 January 1999"
    assert render(full, {"date-parts": [[1999, 1, 2], [1999, 3, 4]]}, locale) == "2 January_[MRD]_4 March 1999"
    assert render(full, {"date-parts": [[1999, 1, 2], [2000, 1, 4]]}, locale) == "2 January 1999_[YRD]_4 January 2000"
    assert render(ym, {"date-parts": [[1999, 1, 2], [1999, 3, 4]]}, locale) == "January_[MRD]_March 1999"


# -- localized dates --------------------------------------------------------------------------------


def test_localized_forms_and_date_parts() -> None:
    v = {"date-parts": [[2005, 12, 15]]}
    assert render('<date form="text" variable="issued"/>', v) == "December 15, 2005"
    assert render('<date form="text" variable="issued"/>', {"date-parts": [[2005, 12]]}) == "December 2005"
    assert render('<date form="text" variable="issued" date-parts="year-month"/>', v) == "December 2005"
    assert render('<date form="text" variable="issued" date-parts="year" prefix="(" suffix=")"/>', v) == "(2005)"
    assert render('<date form="numeric" variable="issued"/>', v) == "12/15/2005"
    assert render('<date form="numeric" variable="issued"/>', {"date-parts": [[2005, 12]]}) == "12/2005"
    assert render('<date form="numeric" variable="issued" date-parts="year-month-day"/>',
                  {"date-parts": [["2000", "", ""]]}) == "2000"
    assert render('<date form="text" variable="issued" date-parts="year-month"><date-part form="short" name="month"/>'
                  '</date>', v) == "Dec. 2005"
    # the date's own strip-periods does nothing (citeproc-js); the date-part's strips the month only
    assert render('<date variable="issued" strip-periods="true"><date-part name="month" form="short" suffix=" "/>'
                  '<date-part name="year"/></date>', v) == "Dec. 2005"
    assert render('<date variable="issued"><date-part name="month" form="short" suffix=". " strip-periods="true"/>'
                  '<date-part name="year"/></date>', v) == "Dec. 2005"


def test_localized_style_overrides_and_formatting() -> None:
    style, el = style_with('<date form="text" variable="issued" font-weight="bold" prefix="[">'
                           '<date-part name="month" font-style="italic"/></date>')
    node = render_date(ctx_for(style, {"issued": {"date-parts": [[2005, 12, 15]]}}), el)
    assert text_of(node) == "[December 15, 2005"
    italic = [n for n in walk(node) if isinstance(n, Span) and n.fmt.font_style == "italic"]
    assert [text_of(n) for n in italic] == ["December "]
    # citeproc-js keeps only the affixes and display of a localized cs:date, not its fonts
    assert not [n for n in walk(node) if isinstance(n, Span) and n.fmt.font_weight]
    locale = FakeLocale("""<locale xmlns="http://purl.org/net/xbiblio/csl"><date form="text">
      <date-part name="day" suffix=" "/><date-part name="month" suffix=" " text-case="uppercase"/>
      <date-part name="year"/></date></locale>""")
    style, el = style_with('<date date-parts="year-month" form="text" variable="issued">'
                           '<date-part form="short" name="month"/></date>')
    node = render_date(ctx_for(style, {"issued": {"date-parts": [[2005, 12, 15]]}}, locale), el)
    assert text_of(node) == "Dec. 2005"
    assert any(isinstance(n, Span) and n.fmt.text_case == "uppercase" for n in walk(node))


def test_day_ordinals_limited_to_day_one() -> None:
    locale = FakeLocale("""<locale xmlns="http://purl.org/net/xbiblio/csl"><date form="text">
      <date-part name="day" suffix=" " form="ordinal"/><date-part name="month" suffix=" "/><date-part name="year"/>
      </date></locale>""", {"limit-day-ordinals-to-day-1": "true"})
    xml = '<date variable="issued" form="text" date-parts="year-month-day"/>'
    assert render(xml, {"date-parts": [["1965", "6", "1"]]}, locale) == "1st June 1965"
    assert render(xml, {"date-parts": [["1965", "6", "2"]]}, locale) == "2 June 1965"
    locale._options = {}
    assert render(xml, {"date-parts": [["1965", "6", "2"]]}, locale) == "2nd June 1965"


# -- year-suffix, sort mode, bookkeeping -------------------------------------------------------------


def walk(node: Node | None) -> list[Node]:
    if node is None:
        return []
    out = [node]
    if not isinstance(node, Text):
        for child in node.children:
            out.extend(walk(child))
    return out


def test_implicit_year_suffix_after_first_year_only() -> None:
    style, el = style_with('<date variable="issued" delimiter=" "><date-part name="year"/>'
                           '<date-part name="month"/></date>')
    ctx = ctx_for(style, {"issued": {"date-parts": [[2000, 5]]}}, disamb=Disamb(year_suffix=2))
    node = render_date(ctx, el)
    assert text_of(node) == "2000b May"
    tags = [n for n in walk(node) if isinstance(n, Tag) and n.kind == "year-suffix"]
    assert len(tags) == 1 and tags[0].value == 2 and ctx.year_suffix_done
    assert text_of(render_date(ctx, el)) == "2000 May"  # once per cite
    ctx = ctx_for(style, {"issued": {"date-parts": [[-100]]}}, disamb=Disamb(year_suffix=1))
    assert text_of(render_date(ctx, el)) == "100 BCa"


def test_no_implicit_suffix_when_style_prints_it() -> None:
    style, el = style_with('<date variable="issued"><date-part name="year"/></date>',
                           '<text variable="year-suffix"/>')
    assert style_renders_year_suffix(style)
    ctx = ctx_for(style, {"issued": {"date-parts": [[2000]]}}, disamb=Disamb(year_suffix=1))
    assert text_of(render_date(ctx, el)) == "2000"


def test_suffix_letters() -> None:
    assert [suffix_letters(n) for n in (1, 2, 26, 27, 28, 52, 53)] == ["a", "b", "z", "aa", "ab", "az", "ba"]


def test_note_variable_and_missing() -> None:
    style, el = style_with(PARTS_MDY)
    ctx = ctx_for(style, {"id": "x"})
    assert render_date(ctx, el) is None and (ctx.called, ctx.rendered) == (1, 0)
    ctx = ctx_for(style, {"issued": {"date-parts": [[2000]]}})
    node = render_date(ctx, el)
    assert isinstance(node, Tag) and node.kind == "date" and (ctx.called, ctx.rendered) == (1, 1)


def test_sort_keys_order_chronologically() -> None:
    dates = [[[-100, 7, 13]], [[54, 10, 13]], [[-44, 3, 15]], [[68, 6, 11]], [[2000]], [[2000, 1]],
             [[2000, 1], [2001]], [[1999, 12, 31]]]
    ordered = sorted(dates, key=lambda d: date_sort_key({"date-parts": d}))
    assert ordered == [[[-100, 7, 13]], [[-44, 3, 15]], [[54, 10, 13]], [[68, 6, 11]], [[1999, 12, 31]],
                       [[2000]], [[2000, 1]], [[2000, 1], [2001]]]
    assert date_sort_key(None) == "" and date_sort_key({"literal": "x"}) == ""
    assert date_sort_key({"date-parts": [[2005, 12, 15]]}) == "120051215" + "10000" + "0000"


def test_sort_mode_limits_to_rendered_parts() -> None:
    style, el = style_with('<date variable="issued" delimiter="-"><date-part name="year"/>'
                           '<date-part name="month" form="numeric"/></date>')
    ctx = ctx_for(style, {"issued": {"date-parts": [[-100, 7, 14]]}}, mode="sort")
    node = render_date(ctx, el)
    assert isinstance(node, Text) and node.text == date_sort_key({"date-parts": [[-100, 7]]})


def test_condition_helpers() -> None:
    assert has_date({"date-parts": [[2000]]}) and has_date({"literal": "in press"}) and has_date({"raw": "May 2008"})
    assert not has_date({"date-parts": []}) and not has_date({"date-parts": [[0]]}) and not has_date(None)
    assert not has_date({"date-parts": [[]], "season": 2})  # a season alone is not a date to citeproc-js
    assert is_uncertain_date({"date-parts": [[2005]], "circa": 1}) and is_uncertain_date({"raw": "1998?"})
    assert is_uncertain_date({"raw": "2004-06~"}) and not is_uncertain_date({"date-parts": [[2005]]})


def test_range_end_joined_by_the_last_built_date_delimiter() -> None:
    # citeproc-js: the end parts of any range take the delimiter of the last cs:date it built,
    # a macro counting at its first call only (so Vancouver prints "2004 Nov 15–2005Dec20").
    style = load_style(
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">'
        '<macro name="acc"><date variable="accessed" delimiter="~"><date-part name="year"/></date></macro>'
        '<citation><layout><date variable="issued" delimiter=" "><date-part name="year"/>'
        '<date-part name="month" form="short"/></date><text macro="acc"/>'
        '<date variable="issued" delimiter="/"><date-part name="year"/></date><text macro="acc"/></layout>'
        '</citation></style>')
    assert style.citation is not None
    last = style.citation.layout.children[2]
    assert last_built_date(style) is last
    ctx = ctx_for(style, {"issued": {"date-parts": [[2004, 11], [2005, 1]]}})
    assert text_of(render_date(ctx, style.citation.layout.children[0])) == "2004 Nov.–2005/Jan."
