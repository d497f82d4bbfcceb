"""citekit.csl.numbers: is-numeric, number parsing, page ranges, cs:number and cs:label."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.context import CiteInfo, Context
from citekit.csl.locale import build_locale
from citekit.csl.nodes import text_of
from citekit.csl.numbers import is_numeric, page_range, parse_number, render_label, render_number, roman
from citekit.csl.style import El, load_style

STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="note"{attrs}>
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  {locales}
  <citation><layout><text variable="title"/></layout></citation>
</style>"""


def make_ctx(item: dict[str, Any], locales: str = "", cite: CiteInfo | None = None, **attrs: str) -> Context:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    style = load_style(STYLE.format(attrs=extra, locales=locales))
    return Context(style, build_locale(style, None), item, mode="citation", cite=cite or CiteInfo())


def number(ctx: Context, variable: str, **attrs: str) -> str:
    return text_of(render_number(ctx, El("number", {"variable": variable, **attrs})))


def label(ctx: Context, variable: str, **attrs: str) -> str:
    return text_of(render_label(ctx, El("label", {"variable": variable, **attrs})))


@pytest.mark.parametrize("value", [5, "5", "12", "5th", "2nd", "01790", "12-15", "12–15", "2, 4", "2 & 4",
                                   "2 and 4", "D2", "2b", "L2d", " 666", "S213-S235"])
def test_numeric(value: Any):
    assert is_numeric(value)


@pytest.mark.parametrize("value", [None, "", "second", "Fifth ed.", "annotated edition", "2nd edition", "5 ed.",
                                   "version: 2002, amended effective June 1, 2010, and January 1, 2017",
                                   "Michaelson-Morely", True, -3])
def test_not_numeric(value: Any):
    assert not is_numeric(value)


def test_parse_number_labels_and_joiners():
    parts = parse_number("367-368, fig. 333", build_locale(None, "en-US"), "page")
    assert [(p.text, p.label, p.joiner) for p in parts] == [
        ("367", "page", "-"), ("368", "page", ", "), ("333", "figure", "")]
    assert parts[2].label_text == "fig."
    (part,) = parse_number("3\\-B")
    assert part.text == "3-B"


@pytest.mark.parametrize(("value", "fmt", "want"), [
    ("110-5", None, "110–5"),
    ("42-45", None, "42–45"),
    ("101-108", "expanded", "101–108"),
    ("110-5", "expanded", "110–115"),
    ("N110 - N5", "expanded", "N110–N115"),
    ("N110 - 5", "expanded", "N110-5"),
    ("110 - N6", "expanded", "110-N6"),
    ("123N110 - N5, 456K200 - 99", "expanded", "123N110-N5, 456K200-99"),
    ("101-108", "minimal", "101–8"),
    ("3-10", "minimal", "3–10"),
    ("1536-538", "minimal", "1536–8"),
    ("n11564 - n1568", "minimal", "n11564–8"),
    ("n11564 - 1568", "minimal", "n11564-1568"),
    ("101-108", "minimal-two", "101–08"),
    ("1536-1538", "minimal-two", "1536–38"),
    ("101-108", "chicago", "101–8"),
    ("71-72", "chicago", "71–72"),
    ("100-104", "chicago", "100–104"),
    ("321-325", "chicago", "321–25"),
    ("1496-1504", "chicago", "1496–1504"),
    ("13792-13803", "chicago", "13792–803"),
    ("8n11564-8n1568", "chicago", "8n11564–68"),
    ("1496-1500", "chicago-16", "1496–500"),
    ("808-833", "chicago-16", "808–33"),
    ("1103-1104", "chicago-16", "1103–4"),
    ("11564-11615", "chicago-16", "11564–615"),
    ("12991-123001", "chicago-16", "12991–123001"),
    ("xxv-xxviii", "chicago-16", "xxv–xxviii"),
    ("142-145 & 235", "chicago", "142–45 & 235"),
    ("Michaelson-Morely", "chicago", "Michaelson-Morely"),
    ("3\\-B", None, "3-B"),
    ("22-20", "expanded", "22–20"),
])
def test_page_range(value: str, fmt: str | None, want: str):
    assert page_range(value, fmt, build_locale(None, "en-US")) == want


def test_page_range_delimiter_from_locale():
    assert page_range("253-257", "chicago", build_locale(None, "fr")) == "253\u201157"
    locales = '<locale><terms><term name="page-range-delimiter">=</term></terms></locale>'
    ctx = make_ctx({}, locales)
    assert page_range("1-2", None, ctx.locale) == "1=2"


def test_roman():
    assert [roman(n) for n in (1, 4, 9, 14, 42, 1999)] == ["i", "iv", "ix", "xiv", "xlii", "mcmxcix"]


def test_number_forms():
    ctx = make_ctx({"volume": "42", "edition": 1, "issue": "9"})
    assert number(ctx, "volume") == "42"
    assert number(ctx, "volume", form="ordinal") == "42nd"
    assert number(ctx, "volume", form="roman") == "xlii"
    assert number(ctx, "volume", form="long-ordinal") == "42nd"
    assert number(ctx, "issue", form="long-ordinal") == "ninth"
    assert number(ctx, "edition", form="ordinal") == "1st"
    assert ctx.called == 6 and ctx.rendered == 6


def test_number_gendered_ordinal():
    ctx = make_ctx({"edition": 1, "issue": "1"}, default_locale="fr-FR")
    assert number(ctx, "edition", form="ordinal") == "1ʳᵉ"
    assert number(ctx, "issue", form="ordinal") == "1ᵉʳ"


def test_number_ranges_lists_and_text():
    ctx = make_ctx({"volume": "12-15", "issue": "2 & 4", "edition": "5 ed.", "number": "2, 4",
                    "version": "version: 2002, amended"})
    assert number(ctx, "volume") == "12–15"
    assert number(ctx, "volume", form="ordinal") == "12th–15th"
    assert number(ctx, "issue") == "2 & 4"
    assert number(ctx, "edition", form="ordinal") == "5 ed."
    assert number(ctx, "number", form="roman") == "ii, iv"
    assert number(ctx, "version") == "version: 2002, amended"


def test_number_with_embedded_label():
    ctx = make_ctx({"edition": "7, p. 3-8"})
    assert number(ctx, "edition", form="ordinal") == "7th, pp. 3–8"


def test_number_missing_counts_as_empty_variable():
    ctx = make_ctx({})
    assert render_number(ctx, El("number", {"variable": "volume"})) is None
    assert ctx.called == 1 and ctx.rendered == 0


def test_number_affixes():
    ctx = make_ctx({"issue": 555})
    assert number(ctx, "issue", prefix=":") == ":555"


def test_label_plural_detection():
    ctx = make_ctx({"page": "1-2", "volume": "3", "number-of-pages": "1", "number-of-volumes": 2,
                    "issue": "i-ix"})
    assert label(ctx, "page") == "pages"
    assert label(ctx, "page", form="short") == "pp."
    assert label(ctx, "volume") == "volume"
    assert label(ctx, "number-of-pages") == "page"
    assert label(ctx, "number-of-volumes") == "volumes"
    assert label(ctx, "issue") == "issues"
    assert label(ctx, "page", plural="never") == "page"
    assert label(ctx, "volume", plural="always") == "volumes"
    assert label(ctx, "page", form="short", **{"strip-periods": "true"}) == "pp"
    assert ctx.called == 0  # labels never count for group suppression


@pytest.mark.parametrize(("page", "want"), [
    ("1-2", "pages"), ("4–6", "pages"), ("i-ix", "pages"), ("3\\-B", "page"), ("Michaelson-Morely", "page"),
    ("S213-S235", "pages"), ("213 & 235", "pages"), ("213, and 235", "pages"), ("5", "page")])
def test_label_contextual_plural(page: str, want: str):
    assert label(make_ctx({"page": page}), "page") == want


def test_label_localized_and():
    ctx = make_ctx({}, cite=CiteInfo(locator="213 et 235"), default_locale="fr")
    assert label(ctx, "locator") == "pages"


def test_label_empty_or_missing():
    ctx = make_ctx({"page": "5"}, '<locale><terms><term name="page"></term></terms></locale>')
    assert render_label(ctx, El("label", {"variable": "page"})) is None
    assert render_label(make_ctx({}), El("label", {"variable": "page"})) is None


def test_locator_label():
    ctx = make_ctx({}, cite=CiteInfo(locator="200 - 201", label="chapter"))
    assert label(ctx, "locator", form="short") == "chaps."
    ctx = make_ctx({}, cite=CiteInfo(locator="327\\-30", label="page"))
    assert label(ctx, "locator") == "page"
    ctx = make_ctx({}, cite=CiteInfo(locator="vol. 1, fol. 186"))
    assert label(ctx, "locator", form="short") == "vol."
    ctx = make_ctx({}, cite=CiteInfo(locator="101", label="folio"))
    assert label(ctx, "locator", form="short") == "fol."


def test_name_labels():
    item = {"editor": [{"family": "Doe"}, {"family": "Roe"}], "translator": [{"family": "Roe"}]}
    ctx = make_ctx(item)
    el = El("label", {"form": "short"})
    assert text_of(render_label(ctx, el, "editor")) == "eds."
    assert text_of(render_label(ctx, el, "translator")) == "trans."
    assert text_of(render_label(ctx, el, "editor", count=1)) == "ed."
    assert text_of(render_label(ctx, El("label", {"plural": "never"}), "editor")) == "editor"


def test_locator_sub_verbo_label():
    ctx = make_ctx({}, cite=CiteInfo(locator='"gargoyle"', label="sub verbo"))
    assert label(ctx, "locator", form="short") == "s.v."


def test_number_markup_only_without_digits():
    from citekit.csl.nodes import Text

    ctx = make_ctx({"number": "1<sup>er</sup>", "volume": "<i>Foo</i>"})
    node = render_number(ctx, El("number", {"variable": "number"}))
    assert node == Text("1<sup>er</sup>")
    assert number(ctx, "volume") == "Foo"


def test_number_text_for_cs_text():
    from citekit.csl.numbers import number_text

    ctx = make_ctx({}, '<locale><terms><term name="and" form="symbol">AMPERSAND</term></terms></locale>')
    assert number_text(ctx, "locator", "213 & 235") == "213 AMPERSAND 235"
    assert number_text(ctx, "locator", "367-368, fig. 333") == "367–368, fig. 333"
    assert number_text(ctx, "page", "i-ix") == "i–ix"
    assert number_text(ctx, "page", "3\\-B") == "3-B"
    ctx = make_ctx({}, page_range_format="chicago")
    assert number_text(ctx, "page", "142-145 & 235") == "142–45 & 235"


def test_number_page_uses_page_range_format():
    ctx = make_ctx({"page": "321-328", "number": "01790"}, page_range_format="minimal")
    assert number(ctx, "page") == "321–8"
    assert number(ctx, "number") == "01790"


def test_embedded_label_names_the_term_for_page_and_number():
    ctx = make_ctx({"number": "no. 5", "page": "fig. 3"})
    assert label(ctx, "number", form="short") == "no."
    assert label(ctx, "page", form="short") == "fig."
