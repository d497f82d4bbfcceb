"""CSL sorting (CSL 1.0.2, "Sorting"): sort keys from variables and macros, and their comparison.

Keys compare the way citeproc-js's collator does (``localeCompare`` with base sensitivity,
ignored punctuation and numeric collation): case and accents fold away, punctuation and markup
are dropped, runs of digits compare as numbers and sort before letters. White space is kept
(citeproc-js orders "A Hansen" before "Ab Delrahman"). An item with an empty key goes after
the others for that key, in ascending and descending sorts alike; ties keep document order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citekit.csl.context import Context
    from citekit.csl.style import El, Section

# A sort key: segments compared in turn; (-1, "") separates words, (0, n) is a number, (1, s) folded
# text (a date key is one (1, s) of date_sort_key). None: empty.
Key = tuple[tuple[int, Any], ...] | None

# Number variables (citeproc-js's list): their first integer is the key.
NUMBER_VARIABLES = frozenset({
    "call-number", "chapter-number", "citation-number", "collection-number", "division", "edition", "issue",
    "locator", "locator-extra", "number", "number-of-pages", "number-of-volumes", "page", "part-number",
    "printing-number", "section", "supplement", "supplement-number", "version", "volume",
})
_ET_AL_OVERRIDES = {
    "names-min": ("et-al-min", "et-al-subsequent-min"),
    "names-use-first": ("et-al-use-first", "et-al-subsequent-use-first"),
    "names-use-last": ("et-al-use-last",),
}
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_DIGITS = re.compile(r"(\d+)")
_SIGNED = re.compile(r"(-?[0-9]+)")
_SEPARATOR = (-1, "")
_SPACE = re.compile(r"\s+")
# Letters NFKD leaves whole that a collator treats as a base letter (plus a secondary mark).
_BASE_LETTERS = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i",
                               "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ð": "d", "Ð": "d"})
# Locales whose alphabets put some letters after z (CLDR tailorings); private-use code points
# sort after every Latin letter.
_AFTER_Z = {
    "da": "æøå", "nb": "æøå", "nn": "æøå", "no": "æøå",
    "sv": "åäö", "fi": "åäö",
}


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _pinyin(match: re.Match[str]) -> str:
    # A Chinese collator (citeproc-js's Intl.Collator for zh) orders Han characters by reading:
    # tone-numbered pinyin, the characters themselves breaking ties.
    from pypinyin import Style, lazy_pinyin

    run = match.group(0)
    return " " + " ".join(lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True)) + " " + run + " "


def fold(text: str, lang: str | None = None) -> str:
    """``text`` as a collation string: markup and punctuation gone, case and accents folded."""
    text = _TAG.sub("", text)
    if lang and lang[:2].lower() == "zh" and _HAN.search(text):
        text = _HAN.sub(_pinyin, text)
    tailored = _AFTER_Z.get((lang or "").split("-")[0].lower(), "")
    if tailored:
        lowered = text.lower()
        text = "".join(chr(0xE000 + tailored.index(c)) if c in tailored else c for c in lowered)
    text = unicodedata.normalize("NFKD", text.translate(_BASE_LETTERS))
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn" or cat[0] == "P" or cat == "Cc" or cat == "Cf":
            continue
        kept.append(" " if cat[0] == "Z" else ch)
    return _SPACE.sub(" ", "".join(kept).casefold()).strip()


def text_key(text: str | None, lang: str | None = None) -> Key:
    """A text value's key (None when nothing is left to compare).

    Words are split apart by a separator segment that sorts before anything else: citeproc-js
    turns spaces into a separator that orders "Dale" before "Dalebout" and "A Hansen" before "Ab".
    """
    if text is None:
        return None
    text = str(text)
    # Folding is costly (pinyin readings, a pass per character) and the same texts recur: every
    # sort renders each item's keys, and a bibliography sort runs more than once.
    found = _TEXT_KEYS.get((text, lang), _UNKNOWN)
    if found is _UNKNOWN:
        if len(_TEXT_KEYS) > 100_000:
            _TEXT_KEYS.clear()
        found = _TEXT_KEYS[(text, lang)] = _text_key(text, lang)
    return found  # type: ignore[return-value]


_TEXT_KEYS: dict[tuple[str, str | None], Key] = {}
_UNKNOWN = object()


def _text_key(text: str, lang: str | None) -> Key:
    folded = fold(text, lang)
    if not folded:
        return None
    segments: list[tuple[int, Any]] = []
    for word in folded.split(" "):
        if segments:
            segments.append(_SEPARATOR)
        for i, part in enumerate(_DIGITS.split(word)):
            if i % 2:
                # beyond int()'s conversion limit a number sorts after every other one
                segments.append((0, int(part) if len(part) < 4000 else float("inf")))
            elif part:
                segments.append((1, part))
    return tuple(segments) or None


def _number_key(value: Any, lang: str | None) -> Key:
    # citeproc-js pads the first integer found in a number variable (the rest is dropped);
    # with no digits at all the value sorts as text.
    m = _SIGNED.search(str(value))
    if m is None:
        return text_key(str(value), lang)
    n = int(m.group(1))
    return ((0, n if n >= 0 else 10**20 - 1 + n),)


def _lang(ctx: Context) -> str | None:
    return getattr(ctx.locale, "lang", None)


def variable_key(ctx: Context, key_el: El) -> Key:
    """A ``<key variable="…">``: names in sort order, dates as sortable strings, numbers as integers."""
    from citekit.csl.evaluate import variable_value
    from citekit.csl.items import DATE_VARIABLES, NAME_VARIABLES

    name = key_el.get("variable") or ""
    if name in NAME_VARIABLES:
        from citekit.csl.names import names_sort_key

        return text_key(names_sort_key(ctx, name, key_el) or None, _lang(ctx))
    value = variable_value(ctx, name)
    if value is None:
        return None
    if name in DATE_VARIABLES:
        from citekit.csl.dates import date_sort_key

        if not isinstance(value, dict):
            value = {"raw": str(value)}
        sortable = date_sort_key(value)
        return ((1, sortable),) if sortable else None
    if name in NUMBER_VARIABLES:
        return _number_key(value, _lang(ctx))
    return text_key(str(value), _lang(ctx))


def macro_key(ctx: Context, key_el: El) -> Key:
    """A ``<key macro="…">``: the macro rendered in sort mode, as plain text."""
    from citekit.csl.nodes import text_of

    ctx.mode = "sort"
    overrides = {k: key_el.attrs[k] for k in _ET_AL_OVERRIDES if k in key_el.attrs}
    if overrides:
        options = dict(ctx.name_options)
        for attr, value in overrides.items():
            for target in _ET_AL_OVERRIDES[attr]:
                options[target] = value
        # names.py gives these precedence over a cs:name's own et-al attributes (CSL: they
        # "override" them for names rendered through the key's macro).
        options.update(overrides)
        ctx.name_options = options
    node = ctx.render(_macro_call(key_el))
    return text_key(text_of(node), _lang(ctx))


# The cs:text calling a key's macro, by the key's id (the key kept with it, so the id is not
# reused); made once, so that the evaluator compiles it once.
_MACRO_CALLS: dict[int, tuple[El, El]] = {}


def _macro_call(key_el: El) -> El:
    from citekit.csl.style import El

    found = _MACRO_CALLS.get(id(key_el))
    if found is None or found[0] is not key_el:
        if len(_MACRO_CALLS) > 1024:
            _MACRO_CALLS.clear()
        call = El("text", {"macro": key_el.get("macro") or ""}, [], key_el.line)
        found = _MACRO_CALLS[id(key_el)] = (key_el, call)
    return found[1]


def _is_date_key(key_el: El) -> bool:
    from citekit.csl.items import DATE_VARIABLES

    return key_el.get("variable") in DATE_VARIABLES


def sort_keys(ctx_factory: Callable[[dict[str, Any]], Context], item: dict[str, Any], sort_el: El,
              *, citation: bool = False) -> list[Key]:
    """One key per ``cs:key`` of ``sort_el``, each from a fresh context (rendering records state).

    In a citation sort a date variable key is followed by the cite's year-suffix (ascending), as
    citeproc-js does, so "2000a" precedes "2000b" whatever the other keys say.
    """
    keys: list[Key] = []
    for key_el in sort_el.findall("key"):
        ctx = ctx_factory(item)
        if key_el.get("macro"):
            keys.append(macro_key(ctx, key_el))
        elif key_el.get("variable"):
            keys.append(variable_key(ctx, key_el))
            if citation and _is_date_key(key_el):
                keys.append(((0, ctx.disamb.year_suffix or 0),))
        else:
            keys.append(None)
    return keys


def key_directions(sort_el: El, *, citation: bool = False) -> list[bool]:
    """For each key ``sort_keys`` returns: whether it sorts descending."""
    out: list[bool] = []
    for key_el in sort_el.findall("key"):
        out.append(key_el.get("sort") == "descending")
        if citation and key_el.get("variable") and not key_el.get("macro") and _is_date_key(key_el):
            out.append(False)
    return out


def compare_keys(a: Sequence[Key], b: Sequence[Key], descending: Sequence[bool]) -> int:
    """-1, 0 or 1: the first key that differs decides; an empty key sorts last either way."""
    for ka, kb, desc in zip(a, b, descending, strict=False):
        if ka == kb:
            continue
        if ka is None:
            return 1
        if kb is None:
            return -1
        result = -1 if ka < kb else 1
        return -result if desc else result
    return 0


def sort_items(items: Sequence[dict[str, Any]], section: Section,
               make_ctx: Callable[[dict[str, Any]], Context]) -> list[dict[str, Any]]:
    """``items`` in the order of ``section``'s ``cs:sort`` (stable: ties keep the given order)."""
    sort_el = section.sort
    if sort_el is None or not sort_el.findall("key"):
        return list(items)
    citation = section.el.name == "citation"
    mode = "citation" if citation else "bibliography"

    def section_ctx(item: dict[str, Any]) -> Context:
        # Keys render with the name options of the section being sorted (a bibliography sorted
        # with the citation's et-al settings would order "Smith" and "Smith, Nguyen" as equals).
        ctx = make_ctx(item)
        style = getattr(ctx, "style", None)
        if style is not None:
            ctx.name_options = style.name_options(mode)
        return ctx

    descending = key_directions(sort_el, citation=citation)
    keyed = [(sort_keys(section_ctx, item, sort_el, citation=citation), i, item) for i, item in enumerate(items)]

    def cmp(x: tuple[list[Key], int, dict[str, Any]], y: tuple[list[Key], int, dict[str, Any]]) -> int:
        return compare_keys(x[0], y[0], descending) or (x[1] > y[1]) - (x[1] < y[1])

    keyed.sort(key=cmp_to_key(cmp))
    return [item for _, _, item in keyed]
