"""``cs:date`` (CSL 1.0.2 "Date"): localized and non-localized dates, date-part forms, ranges,
literal dates, sort keys and the implicit year-suffix.

Parsing of item values lives in ``dateparse.py``; this module renders. Ranges follow
citeproc-js exactly: the parts from the largest one that differs down to the smallest are shown
twice, the start with its last such part's suffix dropped, then the range delimiter, then the
end parts (so "May 3–5, 2008", "May 3–June 5, 2008", "2008–2009", and "1987–" for an open end).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from citekit.csl.dateparse import (
    PART_NAMES,
    DateValue,
    date_sort_key,
    js_int,
    parse_date,
    parse_raw,
)
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, formatting, is_empty
from citekit.csl.style import El

if TYPE_CHECKING:
    from citekit.csl.context import Context
    from citekit.csl.locale import Locale
    from citekit.csl.style import Style

__all__ = [
    "DateValue", "date_sort_key", "js_int", "parse_date", "parse_raw", "render_date", "date_parts_for",
    "style_renders_year_suffix", "suffix_letters", "has_date", "is_uncertain_date", "last_built_date",
]

_DEFAULT_RANGE_DELIMITER = "–"
_DATE_PARTS_ATTR = {
    "year-month-day": ("year", "month", "day"),
    "year-month": ("year", "month"),
    "year": ("year",),
    "month-day": ("month", "day"),  # CSL-M
}


def has_date(value: object) -> bool:
    """Whether ``<if variable="issued">`` sees the date: a year, month, day or literal (citeproc-js)."""
    date = parse_date(value)
    return date is not None and date.has_date


def is_uncertain_date(value: object) -> bool:
    """``is-uncertain-date``: ``circa`` set, or a raw date marked uncertain ("1998?", "2004-06~", "circa 1850")."""
    date = parse_date(value)
    return date is not None and date.circa


# -- the style's date-parts -------------------------------------------------------------------------

# (id(date el), id(locale date el)) -> (date el, locale el, outer El, [part Els]); the elements are
# kept so their ids stay unique while the entry lives.
_LOCALIZED: dict[tuple[int, int], tuple[El, El, El, list[El]]] = {}
_CACHE_SIZE = 1024


def _localized(el: El, fmt_el: El) -> tuple[El, list[El]]:
    """The locale's date format with the style's overrides: an outer El and its date-part Els."""
    key = (id(el), id(fmt_el))
    hit = _LOCALIZED.get(key)
    if hit is not None and hit[0] is el and hit[1] is fmt_el:
        return hit[2], hit[3]
    # citeproc-js takes only the affixes and display from the style's cs:date; its other
    # formatting is the locale's (so a localized date's font-style in the style is not applied).
    outer_attrs = {k: v for k, v in fmt_el.attrs.items() if k not in ("form", "variable", "date-parts")}
    for attr in ("prefix", "suffix", "display"):
        if attr in el.attrs:
            outer_attrs[attr] = el.attrs[attr]
    outer = El("date", outer_attrs, [], el.line)
    overrides = {p.get("name"): p.attrs for p in el.findall("date-part")}
    parts = []
    for part in fmt_el.findall("date-part"):
        attrs = dict(part.attrs)
        attrs.update({k: v for k, v in overrides.get(part.get("name"), {}).items() if k != "name"})
        parts.append(El("date-part", attrs, [], part.line))
    wanted = _DATE_PARTS_ATTR.get(el.get("date-parts") or "year-month-day", PART_NAMES)
    if "year" not in wanted:
        # Without the year, the part before it loses the suffix that led to the year.
        for i, part in enumerate(parts[1:], 1):
            if part.get("name") == "year":
                parts[i - 1].attrs.pop("suffix", None)
                break
    parts = [p for p in parts if p.get("name") in wanted]
    if len(_LOCALIZED) >= _CACHE_SIZE:
        _LOCALIZED.clear()  # styles come and go in a long-lived process; rebuilding is cheap
    _LOCALIZED[key] = (el, fmt_el, outer, parts)
    return outer, parts


def date_parts_for(ctx: Context, el: El) -> tuple[El, list[El]]:
    """The element whose formatting wraps the date, and the date-part elements to render, in order."""
    form = el.get("form")
    if form in ("text", "numeric"):
        fmt_el = ctx.locale.date_format(form)
        if fmt_el is not None:
            return _localized(el, fmt_el)
    return el, [p for p in el.findall("date-part") if p.get("name") in PART_NAMES]


# -- the implicit year-suffix -----------------------------------------------------------------------

def style_renders_year_suffix(style: Style) -> bool:
    """Whether the style prints ``year-suffix`` itself (``<text variable="year-suffix"/>``)."""
    return style.contains("year-suffix", lambda el: el.name == "text" and el.get("variable") == "year-suffix")


# -- the delimiter of a range's end ----------------------------------------------------------------

_LAST_DATE: dict[int, tuple[Style, El | None]] = {}


def last_built_date(style: Style) -> El | None:
    """The cs:date citeproc-js builds last: walking the citation, then the bibliography, in
    document order, a macro counting at its first call only (citeproc-js builds a macro once and
    reuses it) except in sort keys, which it builds afresh at every call.

    citeproc-js joins the end parts of every date range with that element's delimiter, whichever
    date the range belongs to (its date-part queue is opened while the style is built), so
    Vancouver prints "2004 Nov 15–2005Dec20" when its last date has no delimiter.
    """
    hit = _LAST_DATE.get(id(style))
    if hit is not None and hit[0] is style:
        return hit[1]
    found: El | None = None
    built: set[str] = set()

    def walk(el: El, in_sort: bool) -> None:
        nonlocal found
        for child in el.children:
            macro = child.get("macro") if child.name in ("text", "key") else None
            if child.name == "date":
                found = child
            elif macro in style.macros:
                sort_key = in_sort or child.name == "key"
                if sort_key or macro not in built:
                    if not sort_key:
                        built.add(macro or "")
                    walk(style.macros[macro or ""], sort_key)
            else:
                walk(child, in_sort or child.name == "sort")

    for section in (style.citation, style.bibliography):
        if section is not None:
            walk(section.el, False)
    if len(_LAST_DATE) >= _CACHE_SIZE:
        _LAST_DATE.clear()
    _LAST_DATE[id(style)] = (style, found)
    return found


def _end_delimiter(ctx: Context, own: str | None) -> str | None:
    last = last_built_date(ctx.style)
    if last is None:
        return own
    outer, _ = date_parts_for(ctx, last)
    return _fmt(outer).delimiter


def suffix_letters(n: int) -> str:
    """1 → a, 26 → z, 27 → aa, 28 → ab (citeproc-js's year-suffix letters)."""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


# -- date-part values -------------------------------------------------------------------------------


def _season_number(month: int) -> int | None:
    """Months 13-16 and 17-24 (as citeproc-js folds them) are the seasons 1-4."""
    if month < 1 or month > 24:
        return None
    while month > 16:
        month -= 4
    return month - 12 if month > 12 else None


def _term(ctx: Context, name: str, form: str = "long") -> str:
    value = ctx.locale.term(name, form)
    if value is None and form != "long":
        value = ctx.locale.term(name)
    return value or ""


def _month_text(ctx: Context, month: int, form: str) -> str:
    if form in ("numeric", "numeric-leading-zeros"):
        if not 1 <= month <= 12:
            return ""
        return str(month).zfill(2) if form == "numeric-leading-zeros" else str(month)
    term_form = "short" if form == "short" else "long"
    season = _season_number(month)
    if season is not None:
        return _term(ctx, f"season-0{season}", term_form)
    if not 1 <= month <= 12:
        return ""
    return _term(ctx, f"month-{month:02d}", term_form)


def _day_text(ctx: Context, day: int, form: str, month: int | None) -> str:
    if form == "numeric-leading-zeros":
        return str(day).zfill(2)
    if form == "ordinal":
        limit = str(ctx.locale.option("limit-day-ordinals-to-day-1") or "").lower() == "true"
        if not limit or day == 1:
            gender = ctx.locale.term_gender(f"month-{month:02d}") if month and 1 <= month <= 12 else None
            return f"{day}{ctx.locale.ordinal(day, gender)}"
    return str(day)


def _year_text(year: int, form: str) -> str:
    text = str(abs(year))
    if form == "short" and len(text) == 4:
        return text[2:]
    return text


def _part_text(ctx: Context, name: str, value: int, form: str, date: DateValue, strip: bool) -> str:
    if name == "year":
        return _year_text(value, form) if value else ""
    if value <= 0:
        return ""  # month or day 0 (or negative) is a missing part
    if name == "month":
        text = _month_text(ctx, value, form)
        return text.replace(".", "") if strip else text
    return _day_text(ctx, value, form, date.month)


def _era(ctx: Context, year: int | None) -> str:
    if not year:
        return ""
    if year < 0:
        return _term(ctx, "bc")
    return _term(ctx, "ad") if year < 500 else ""


# -- assembling -------------------------------------------------------------------------------------


def _fmt(part: El) -> Formatting:
    return formatting(part)


_WITH: dict[tuple[int, bool, bool], tuple[Formatting, Formatting | None]] = {}


def _with(fmt: Formatting, *, prefix: bool = True, suffix: bool = True) -> Formatting | None:
    """A date part's formatting for its text, None when plain (made once per part element; read-only)."""
    key = (id(fmt), prefix, suffix)
    found = _WITH.get(key)
    if found is not None and found[0] is fmt:
        return found[1]
    # strip-periods applies to the month text only (citeproc-js), never to affixes
    new = replace(fmt, strip_periods=False, delimiter=None)
    if not prefix:
        new.prefix = None
    if not suffix:
        new.suffix = None
    if len(_WITH) > 4096:
        _WITH.clear()
    plain = None if new.is_plain() else new
    _WITH[key] = (fmt, plain)
    return plain


def _node(text: str, fmt: Formatting | None) -> Node | None:
    if not text:
        return None
    if fmt is None:
        return Text(text)
    return Span([Text(text)], fmt, True)


def _plain(children: list[Node | None], delimiter: str | None = None) -> Node | None:
    kept = [c for c in children if c is not None and (c.text if type(c) is Text else not is_empty(c))]
    if not kept:
        return None
    if len(kept) == 1 and delimiter is None:
        return kept[0]
    return Span(kept, Formatting(delimiter=delimiter), True)


# id(date-part el) -> (the el, name, form, strip-periods, formatting): read once per element
_PART_SPECS: dict[int, tuple[El, str, str, bool, Formatting]] = {}


def _part_spec(part: El) -> tuple[El, str, str, bool, Formatting]:
    found = _PART_SPECS.get(id(part))
    if found is None or found[0] is not part:
        if len(_PART_SPECS) >= _CACHE_SIZE:
            _PART_SPECS.clear()
        found = _PART_SPECS[id(part)] = (part, part.get("name") or "", part.get("form") or "long",
                                         part.get("strip-periods") == "true", _fmt(part))
    return found


def _collapse_parts(date: DateValue, names: list[str]) -> list[str]:
    """The parts shown twice in a range: from the first that differs (year, month, day order) on.

    As in citeproc-js, only parts the element renders and the end date has count, and when none
    differs the list keeps its third part (so [[2008,5,3],[2008,5,3]] reads "May 3–3, 2008").
    """
    if date.end is None:
        return []
    ranged = [n for n in PART_NAMES if n in names and date.part(n, end=True) is not None]
    for i, name in enumerate(ranged):
        if date.part(name) != date.part(name, end=True):
            return ranged[i:]
    return ranged[2:]


def _render_parts(ctx: Context, date: DateValue, parts: list[El], delimiter: str | None) -> list[Node]:
    end_delimiter = _end_delimiter(ctx, delimiter) if date.end is not None else delimiter
    specs = [_part_spec(p) for p in parts]
    names = [spec[1] for spec in specs]
    collapse = _collapse_parts(date, names)
    done: set[str] = set()
    # The end date's parts in the order they are rendered; an entry (None when it printed nothing)
    # for every part whose end is not 0, as citeproc-js's dateput queue has one.
    pending_end: list[Node | None] = []
    out: list[Node] = []
    for part, name, form, strip, fmt in specs:
        done.add(name)
        group: list[Node | None] = []
        if date.literal and name == "year":
            group.append(_node(date.literal, _with(fmt)))
        value = date.part(name)
        if value is None:
            if name == "month" and date.season:
                season = date.season
                text = _term(ctx, f"season-0{season}") if re.fullmatch("[1-4]", season) else season
                group.append(_node(text, _with(fmt)))
        else:
            text = _part_text(ctx, name, value, form, date, strip)
            era = _era(ctx, value) if name == "year" else ""
            end_value = date.part(name, end=True)
            queue_end = name in collapse and bool(end_value)
            end_text = _part_text(ctx, name, end_value, form, date, strip) if end_value and queue_end else ""
            if name in collapse and all(n in done for n in collapse):
                if queue_end:
                    # Only the first queued end part loses its prefix (citeproc-js's dateput queue).
                    pending_end.append(_node(end_text, _with(fmt, prefix=bool(pending_end))))
                range_delim = part.get("range-delimiter")
                if range_delim is None:
                    range_delim = ctx.locale.term("year-range-delimiter") or _DEFAULT_RANGE_DELIMITER
                group.append(_node(text, _with(fmt, suffix=False)))
                group.append(Text(range_delim))
                group.append(_plain(list(pending_end), end_delimiter))
                collapse = []
            else:
                group.append(_node(text, _with(fmt)))
                if queue_end:
                    pending_end.append(_plain([_node(end_text, _with(fmt, prefix=False)), Text(era) if era else None]))
            if era:
                group.append(Text(era))
            if name == "year" and value and _wants_year_suffix(ctx):
                ctx.year_suffix_done = True
                n = ctx.disamb.year_suffix
                group.append(Tag("year-suffix", n, [Text(suffix_letters(n))]))
        node = _plain(group)
        if node is not None:
            out.append(node)
    return out


def _wants_year_suffix(ctx: Context) -> bool:
    return (ctx.disamb.year_suffix > 0 and not ctx.year_suffix_done and ctx.mode != "sort"
            and not style_renders_year_suffix(ctx.style))


def render_date(ctx: Context, el: El) -> Node | None:
    """Render ``cs:date`` for the item in ``ctx`` (a sortable string in sort mode)."""
    variable = el.get("variable")
    date = None
    if variable and variable not in ctx.suppressed:
        date = parse_date(ctx.item.get(variable))
    if date is None:
        ctx.note_variable(False)
        return None
    if ctx.mode == "sort":
        _, parts = date_parts_for(ctx, el)
        key = date_sort_key(date, [p.get("name") or "" for p in parts])
        ctx.note_variable(bool(key))
        return Text(key) if key else None
    body = _rendered(ctx, el, date)
    if body is None:
        ctx.note_variable(False)
        return None
    ctx.note_variable(True)
    if ctx.in_substitute:
        ctx.suppressed.add(variable)
    return Tag("date", variable, [body])


# (id(date el), id(locale), date) -> (date el, locale, rendering): the same dates recur across a
# library's entries. The nodes are shared, and, like every output node, never changed once made.
_RENDERED: dict[tuple[int, int, DateValue], tuple[El, Locale, Node | None]] = {}


def _rendered(ctx: Context, el: El, date: DateValue) -> Node | None:
    """The date's rendering without its Tag, or None when it prints nothing."""
    if _wants_year_suffix(ctx):  # the implicit year-suffix belongs to the cite, not the date
        return _render(ctx, el, date)
    locale = ctx.locale
    key = (id(el), id(locale), date)
    hit = _RENDERED.get(key)
    if hit is not None and hit[0] is el and hit[1] is locale:
        return hit[2]
    if len(_RENDERED) >= 4 * _CACHE_SIZE:
        _RENDERED.clear()
    body = _render(ctx, el, date)
    _RENDERED[key] = (el, locale, body)
    return body


def _render(ctx: Context, el: El, date: DateValue) -> Node | None:
    outer, parts = date_parts_for(ctx, el)
    fmt = _fmt(outer)
    if fmt.strip_periods:
        # citeproc-js strips periods only for a date-part's own strip-periods, never the date's.
        fmt = Formatting(**{s: getattr(fmt, s) for s in Formatting.__slots__})
        fmt.strip_periods = False
    children = _render_parts(ctx, date, parts, fmt.delimiter)
    if not children:
        return None
    # every child is a _plain result: never empty
    return Span(children, fmt, True) if not fmt.is_plain() or len(children) > 1 else children[0]
