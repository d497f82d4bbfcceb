"""citekit.csl.locale: locale resolution, term fallbacks, ordinals, style overrides."""

from __future__ import annotations

import pytest

from citekit.csl.locale import build_locale, load_locale, normalize_lang, resolve_lang
from citekit.csl.style import load_style

STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="note"{attrs}>
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  {locales}
  <citation><layout><text variable="title"/></layout></citation>
</style>"""


def style(locales: str = "", **attrs: str):
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return load_style(STYLE.format(attrs=extra, locales=locales))


def test_normalize_and_resolve():
    assert normalize_lang("EN_us") == "en-US"
    assert normalize_lang("sr-latn-rs") == "sr-Latn-RS"
    assert resolve_lang("de") == "de-DE"
    assert resolve_lang("pt") == "pt-PT"
    assert resolve_lang("zh") == "zh-CN"
    assert resolve_lang("en") == "en-US"
    assert resolve_lang("en-GB") == "en-GB"
    assert resolve_lang("de-XX") == "de-DE"
    assert resolve_lang("gx") is None


def test_language_choice():
    assert build_locale(None, None).lang == "en-US"
    assert build_locale(style(default_locale="fr"), None).lang == "fr-FR"
    assert build_locale(style(default_locale="fr"), "de").lang == "de-DE"
    # An unknown language keeps its tag, with en-US terms underneath.
    gx = build_locale(None, "gx")
    assert gx.lang == "gx"
    assert gx.term("editor") == "editor"


def test_term_forms_and_plurals():
    en = build_locale(None, "en-US")
    assert en.term("page") == "page"
    assert en.term("page", plural=True) == "pages"
    assert en.term("page", "short", True) == "pp."
    assert en.term("editor", "verb-short") == "ed. by"
    assert en.term("and", "symbol") == "&"
    # symbol → short → long, verb-short → verb → long
    assert en.term("page", "symbol") == "p."
    assert en.term("accessed", "verb-short") == "accessed"
    assert en.term("no-such-term") is None


def test_fallback_to_en_us_for_missing_terms():
    de = build_locale(None, "de")
    assert de.term("and") == "und"
    # A term only en-US defines still resolves.
    assert build_locale(None, "fr").term("open-quote") is not None


def test_style_locales_most_specific_wins():
    locales = """
      <locale xml:lang="en"><terms><term name="interviewer">weird term</term></terms></locale>
      <locale><terms><term name="interviewer"></term></terms></locale>
      <locale xml:lang="en-US"><terms><term name="editor">EXACT</term></terms></locale>
      <locale xml:lang="en"><terms><term name="editor">BARE</term></terms></locale>
      <locale xml:lang="de"><terms><term name="translator">NOT ME</term></terms></locale>"""
    loc = build_locale(style(locales), None)
    assert loc.term("interviewer") == "weird term"
    assert loc.term("editor") == "EXACT"
    assert loc.term("translator") == "translator"


def test_empty_term_is_defined():
    locales = """
      <locale><terms><term name="month-01">VISIBLE</term></terms></locale>
      <locale xml:lang="en"><terms><term name="month-01"></term></terms></locale>"""
    assert build_locale(style(locales), None).term("month-01") == ""


def test_unknown_language_style_locale_applies():
    locales = '<locale xml:lang="gx"><terms><term name="editor">edxitor</term></terms></locale>'
    loc = build_locale(style(locales, default_locale="gx"), None)
    assert loc.term("editor") == "edxitor"
    assert loc.term("translator") == "translator"


def test_english_ordinals():
    en = build_locale(None, "en-US")
    got = {n: en.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1000)}
    assert got == {1: "st", 2: "nd", 3: "rd", 4: "th", 11: "th", 12: "th", 13: "th", 21: "st", 22: "nd",
                   23: "rd", 101: "st", 111: "th", 112: "th", 1000: "th"}


def test_gendered_whole_number_ordinals():
    fr = build_locale(None, "fr-FR")
    assert fr.term_gender("edition") == "feminine"
    assert fr.ordinal(1, "feminine") == "ʳᵉ"
    assert fr.ordinal(1, "masculine") == "ᵉʳ"
    assert fr.ordinal(2, "feminine") == "ᵉ"
    # whole-number: 21 does not take the 1's suffix
    assert fr.ordinal(21, "masculine") == "ᵉ"


def test_style_ordinals_replace_the_locale_set():
    locales = """<locale><terms>
      <term name="ordinal">.ª</term>
      <term name="ordinal-01">.ª</term>
      <term name="ordinal-01" gender-form="masculine">.º</term>
      <term name="ordinal-02" gender-form="masculine">.ºº</term>
    </terms></locale>"""
    loc = build_locale(style(locales, default_locale="fr-FR"), None)
    assert loc.ordinal(1, "feminine") == ".ª"
    assert loc.ordinal(1, "masculine") == ".º"
    assert loc.ordinal(2, "masculine") == ".ºº"
    assert loc.ordinal(2, "feminine") == ".ª"
    assert loc.ordinal(3, "masculine") == ".ª"
    # en-US's/fr-FR's own ordinal terms are gone, not merged
    assert loc.ordinal(11) == ".ª"


def test_match_attribute():
    locales = """<locale><terms>
      <term name="ordinal">th</term>
      <term name="ordinal-01">st</term>
      <term name="ordinal-13" match="whole-number">TEEN</term>
      <term name="ordinal-05" match="last-two-digits">FIVE</term>
    </terms></locale>"""
    loc = build_locale(style(locales), None)
    assert loc.ordinal(1) == "st"
    assert loc.ordinal(21) == "st"
    assert loc.ordinal(13) == "TEEN"
    assert loc.ordinal(113) == "th"
    assert loc.ordinal(5) == "FIVE"
    assert loc.ordinal(105) == "FIVE"
    assert loc.ordinal(15) == "th"


def test_old_ordinal_scheme():
    locales = """<locale><terms>
      <term name="ordinal-01">A</term><term name="ordinal-02">B</term>
      <term name="ordinal-03">C</term><term name="ordinal-04">D</term>
    </terms></locale>"""
    loc = build_locale(style(locales), None)
    assert [loc.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)] == ["A", "B", "C", "D", "D", "D", "D", "A", "B"]


def test_long_ordinals():
    en = build_locale(None, "en-US")
    assert en.long_ordinal(1) == "first"
    assert en.long_ordinal(10) == "tenth"
    assert en.long_ordinal(11) is None
    assert build_locale(None, "de").long_ordinal(2) == "zweiter"


def test_dates_options_quotes():
    en = build_locale(None, "en-US")
    text = en.date_format("text")
    assert text is not None and [p.get("name") for p in text.findall("date-part")] == ["month", "day", "year"]
    assert en.option("punctuation-in-quote") == "true"
    assert en.quotes == ("“", "”", "‘", "’")
    fr = build_locale(None, "fr-FR")
    assert fr.option("punctuation-in-quote") == "false"
    assert fr.option("limit-day-ordinals-to-day-1") == "true"
    assert fr.term("page-range-delimiter") == "\u2011"


def test_style_overrides_dates_and_options():
    locales = """
      <locale><date form="text"><date-part name="day"/></date>
        <style-options punctuation-in-quote="false"/></locale>
      <locale xml:lang="en"><date form="text"><date-part name="year"/></date>
        <style-options punctuation-in-quote="true"/></locale>"""
    loc = build_locale(style(locales), None)
    date = loc.date_format("text")
    assert date is not None and [p.get("name") for p in date.findall("date-part")] == ["year"]
    assert loc.option("punctuation-in-quote") == "true"
    assert loc.date_format("numeric") is not None


def test_single_multiple_terms_in_style():
    locales = """<locale><terms><term name="number-of-volumes">
      <single>volume</single><multiple>volumes</multiple></term></terms></locale>"""
    loc = build_locale(style(locales), None)
    assert loc.term("number-of-volumes", plural=False) == "volume"
    assert loc.term("number-of-volumes", plural=True) == "volumes"


def test_load_locale_caches_per_style_and_lang():
    s = style(default_locale="de")
    a = load_locale(s, None)
    assert load_locale(s, None) is a
    assert load_locale(s, "fr") is not a
    assert load_locale(style(default_locale="de"), None) is not a


@pytest.mark.parametrize("lang", ["en-US", "de-DE", "fr-FR", "ja-JP", "zh-CN", "ru-RU"])
def test_bundled_locales_load(lang: str):
    loc = build_locale(None, lang)
    assert loc.term("and")
    assert loc.ordinal(2) is not None


def test_dialect_falls_back_to_primary_dialect():
    at = build_locale(None, "de-AT")
    assert at.lang == "de-AT"
    assert at.term("and") == "und"
    assert at.term("month-01") == "Jänner"
