"""CSL locales (CSL 1.0.2 "Locale"): locale files merged with a style's ``cs:locale`` elements.

The locale files are citeproc-py's bundled ``locales-xx-XX.xml``. A locale is built in layers,
each overriding the one below (as citeproc-js does): en-US (for terms the chosen locale lacks),
the chosen locale file, then the style's ``cs:locale`` elements without ``xml:lang``, for the
bare language, and for the exact dialect. Ordinal terms are the exception (CSL 1.0.1): a layer
that defines any ordinal term replaces all the ordinal terms below it instead of merging.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from citekit.csl.style import El, parse_xml

if TYPE_CHECKING:
    from citekit.csl.style import Style

DEFAULT_LANG = "en-US"
# Form fallbacks (CSL 1.0.2 "Terms"): a missing form falls back along this chain.
_FORM_CHAIN = {
    "long": ("long",),
    "short": ("short", "long"),
    "verb": ("verb", "long"),
    "verb-short": ("verb-short", "verb", "long"),
    "symbol": ("symbol", "short", "long"),
}
_ORDINAL_RE = re.compile(r"^ordinal(?:-\d\d)?$")
_STYLE_OPTIONS = ("punctuation-in-quote", "limit-day-ordinals-to-day-1")
_MATCHES = ("whole-number", "last-two-digits", "last-digit")

# (name, form, gender-form or None) -> (single, multiple)
TermKey = tuple[str, str, str | None]


@lru_cache(maxsize=1)
def locales_dir() -> Path:
    """citeproc-py's bundled CSL locales. Found rather than imported: importing citeproc-py loads
    lxml, which a run that reads no XML (a warm run of the render cache) never needs."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc")
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        return Path(folder) / "data" / "locales"
    import citeproc

    return Path(citeproc.LOCALES_PATH)


@lru_cache(maxsize=1)
def _primary_dialects() -> dict[str, str]:
    """The locales repository's table of primary dialects (de → de-DE, pt → pt-PT, ...)."""
    try:
        data = json.loads((locales_dir() / "locales.json").read_text(encoding="utf-8"))
        return dict(data.get("primary-dialects", {}))
    except (OSError, ValueError):
        return {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "pt": "pt-PT", "zh": "zh-CN"}


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    names = set()
    for path in locales_dir().glob("locales-*.xml"):
        names.add(path.stem[len("locales-"):])
    return frozenset(names)


def normalize_lang(tag: str) -> str:
    """Canonical case for a language tag: ``EN_us`` → ``en-US``, ``sr-latn-rs`` → ``sr-Latn-RS``."""
    parts = [p for p in re.split(r"[-_]", tag.strip()) if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part)
    return "-".join(out)


def resolve_lang(tag: str | None) -> str | None:
    """The locale file for a tag (exact, else the language's primary dialect), or None."""
    if not tag:
        return None
    tag = normalize_lang(tag)
    available = _available()
    if tag in available:
        return tag
    primary = _primary_dialects().get(tag.split("-")[0])
    if primary and primary in available:
        return primary
    return None


@dataclass(slots=True)
class _Layer:
    """What one locale element (a file or a style's cs:locale) defines."""

    terms: dict[TermKey, tuple[str, str]] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    matches: dict[tuple[str, str | None], str] = field(default_factory=dict)
    dates: dict[str, El] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def has_ordinals(self) -> bool:
        return any(_ORDINAL_RE.match(key[0]) for key in self.terms)


def _term_text(text: str) -> str:
    # A term written across lines with nothing in it (``<term name="x">\n  </term>``) is empty.
    return "" if not text.strip() else text


def _read_layer(el: El) -> _Layer:
    layer = _Layer()
    for child in el.children:
        if child.name == "terms":
            for term in child.findall("term"):
                name = term.get("name")
                if not name:
                    continue
                form = term.get("form", "long")
                gender_form = term.get("gender-form")
                single_el, multiple_el = term.find("single"), term.find("multiple")
                if single_el is not None or multiple_el is not None:
                    single = _term_text(single_el.text) if single_el is not None else None
                    multiple = _term_text(multiple_el.text) if multiple_el is not None else None
                    single = single if single is not None else (multiple or "")
                    multiple = multiple if multiple is not None else single
                else:
                    single = multiple = _term_text(term.text)
                layer.terms[(name, form, gender_form)] = (single, multiple)
                gender = term.get("gender")
                if gender and (form == "long" or name not in layer.genders):
                    layer.genders[name] = gender
                match = term.get("match")
                if match:
                    layer.matches[(name, gender_form)] = match
        elif child.name == "date":
            form = child.get("form")
            if form:
                layer.dates[form] = child
        elif child.name == "style-options":
            for key in _STYLE_OPTIONS:
                if key in child.attrs:
                    layer.options[key] = child.attrs[key]
    return layer


@lru_cache(maxsize=16)
def _file_layer(lang: str) -> _Layer:
    return _read_layer(parse_xml(locales_dir() / f"locales-{lang}.xml", "locale"))


class Locale:
    """The terms, date formats and options in force for one style and language."""

    def __init__(self, lang: str, layers: list[_Layer]) -> None:
        self.lang = lang
        self._terms: dict[TermKey, tuple[str, str]] = {}
        self._genders: dict[str, str] = {}
        self._matches: dict[tuple[str, str | None], str] = {}
        self._dates: dict[str, El] = {}
        self._options: dict[str, str] = {}
        for layer in layers:
            if layer.has_ordinals:
                # CSL 1.0.1: ordinal terms are replaced as a set, never merged.
                for key in [k for k in self._terms if _ORDINAL_RE.match(k[0])]:
                    del self._terms[key]
                for key in [k for k in self._matches if _ORDINAL_RE.match(k[0])]:
                    del self._matches[key]
            self._terms.update(layer.terms)
            self._genders.update(layer.genders)
            self._matches.update(layer.matches)
            self._dates.update(layer.dates)
            self._options.update(layer.options)
        self._new_ordinals = ("ordinal", "long", None) in self._terms or any(
            _ORDINAL_RE.match(k[0]) and k[0][-2:].isdigit() and int(k[0][-2:]) > 4 for k in self._terms)
        self._quotes = (
            self.term("open-quote") or "\u201c",
            self.term("close-quote") or "\u201d",
            self.term("open-inner-quote") or "\u2018",
            self.term("close-inner-quote") or "\u2019",
        )

    def __repr__(self) -> str:
        return f"Locale({self.lang!r}, {len(self._terms)} terms)"

    # -- terms ----------------------------------------------------------------------------------

    def _lookup(self, name: str, form: str, gender: str | None) -> tuple[str, str] | None:
        terms = self._terms
        for f in _FORM_CHAIN.get(form, (form, "long")):
            if gender:
                found = terms.get((name, f, gender))
                if found is not None:
                    return found
            found = terms.get((name, f, None))
            if found is not None:
                return found
        return None

    def term(self, name: str, form: str = "long", plural: bool = False, gender: str | None = None) -> str | None:
        """A term's text: None when undefined, "" when defined empty."""
        found = self._lookup(name, form or "long", gender)
        if found is None:
            return None
        return found[1] if plural else found[0]

    def has_term(self, name: str, form: str = "long") -> bool:
        return self._lookup(name, form, None) is not None

    def term_gender(self, name: str) -> str | None:
        """The grammatical gender of a noun term (``masculine``/``feminine``), if the locale gives one."""
        return self._genders.get(name)

    # -- ordinals -------------------------------------------------------------------------------

    def _ordinal_match(self, name: str, gender: str | None) -> str:
        match = self._matches.get((name, gender)) or self._matches.get((name, None))
        if match:
            return match
        return "last-digit" if name[-2] == "0" else "last-two-digits"

    def _ordinal_candidate(self, n: int, gender: str | None) -> str | None:
        """The ordinal-NN term (with gender-form ``gender``, or neuter if None) matching n."""
        s = str(abs(n))
        wanted = {
            "whole-number": s if len(s) <= 2 else None,
            "last-two-digits": s[-2:].rjust(2, "0"),
            "last-digit": s[-1],
        }
        for match in _MATCHES:
            digits = wanted[match]
            if digits is None:
                continue
            name = f"ordinal-{digits.rjust(2, '0')}"
            if (name, "long", gender) in self._terms and self._ordinal_match(name, gender) == match:
                value = self._terms[(name, "long", gender)][0]
                return value
        return None

    def ordinal(self, n: int, gender: str | None = None) -> str:
        """The ordinal suffix for n (``st``, ``nd``, ``ᵉ``, ...) by the CSL 1.0.1 rules."""
        if not self._new_ordinals:
            return self._old_ordinal(n, gender)
        for try_gender in ([gender] if gender else []) + [None]:
            suffix = self._ordinal_candidate(n, try_gender)
            if suffix:
                return suffix
        return self.term("ordinal", gender=gender) or ""

    def _old_ordinal(self, n: int, gender: str | None) -> str:
        # CSL 1.0: ordinal-01..04 (st, nd, rd, th), the teens taking ordinal-04.
        n = abs(n)
        if (n // 10) % 10 == 1:
            index = 4
        else:
            index = {1: 1, 2: 2, 3: 3}.get(n % 10, 4)
        return self.term(f"ordinal-0{index}", gender=gender) or ""

    def long_ordinal(self, n: int, gender: str | None = None) -> str | None:
        """``first`` ... ``tenth`` (long-ordinal-01..10); None beyond, for the caller to fall back."""
        if not 1 <= n <= 10:
            return None
        return self.term(f"long-ordinal-{n:02d}", gender=gender) or None

    # -- dates, options, quotes -----------------------------------------------------------------

    def date_format(self, form: str) -> El | None:
        """The localized ``cs:date`` (form ``text`` or ``numeric``) with its date-parts."""
        return self._dates.get(form)

    def option(self, name: str) -> str | None:
        """A style-option (``punctuation-in-quote``, ``limit-day-ordinals-to-day-1``) as written."""
        return self._options.get(name)

    @property
    def quotes(self) -> tuple[str, str, str, str]:
        """Open, close, open-inner, close-inner quotation marks."""
        return self._quotes


# -- loading --------------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[int, str | None], tuple[Style, Locale]] = OrderedDict()
_CACHE_SIZE = 64


def _style_layers(style: Style, tag: str, resolved: str | None) -> list[_Layer]:
    """The style's cs:locale elements that apply, least specific first."""
    bare = tag.split("-")[0].lower()
    exact = {tag.lower()} | ({resolved.lower()} if resolved else set())
    general: list[_Layer] = []
    language: list[_Layer] = []
    dialect: list[_Layer] = []
    for el in style.locales:
        code = (el.get("xml:lang") or "").strip()
        if not code:
            general.append(_read_layer(el))
            continue
        code = normalize_lang(code).lower()
        if code in exact and "-" in code:
            dialect.append(_read_layer(el))
        elif code == bare or code in exact:
            language.append(_read_layer(el))
    return general + language + dialect


def build_locale(style: Style | None, lang: str | None) -> Locale:
    """A Locale for lang (or the style's default-locale, else en-US), without caching."""
    tag = normalize_lang(lang or (style.default_locale if style is not None else None) or DEFAULT_LANG)
    tag = tag or DEFAULT_LANG
    resolved = resolve_lang(tag)
    # Spec "Locale Fallback": the chosen dialect, then its language's primary dialect, then en-US.
    files = [DEFAULT_LANG]
    if resolved:
        primary = resolve_lang(resolved.split("-")[0])
        files += [primary, resolved] if primary else [resolved]
    layers = [_file_layer(lang) for lang in dict.fromkeys(files)]
    if style is not None:
        layers.extend(_style_layers(style, tag, resolved))
    return Locale(resolved or tag, layers)


def load_locale(style: Style, lang: str | None) -> Locale:
    """The Locale for a style and language (cached per style object and language)."""
    key = (id(style), lang)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is style:
        _CACHE.move_to_end(key)
        return hit[1]
    locale = build_locale(style, lang)
    _CACHE[key] = (style, locale)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return locale
