"""Variables (CSL 1.0.2 Appendix IV): an item's values, their short forms, and what a cite supplies.

``variable_value`` is what every renderer reads a variable through. The rules depend only on the
variable's name and form, so each (name, form) is turned once into a function of the context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from citekit.csl.dates import suffix_letters

if TYPE_CHECKING:
    from citekit.csl.context import Context

Getter = Callable[["Context"], Any]

_SHORT = {"title": "title-short", "container-title": "container-title-short"}


def variable_value(ctx: Context, name: str, form: str = "long") -> Any:
    """A variable's value for the cite being rendered, or None when empty or suppressed."""
    return getter(name, form)(ctx)


# By (name, form); names come from styles, so the table is emptied rather than left to grow.
_GETTERS: dict[tuple[str, str], Getter] = {}


def getter(name: str, form: str = "long") -> Getter:
    """The function ``variable_value`` applies for ``name`` in ``form`` (made once)."""
    key = (name, form)
    found = _GETTERS.get(key)
    if found is None:
        if len(_GETTERS) > 4096:
            _GETTERS.clear()
        found = _GETTERS[key] = _make_getter(name, form)
    return found


def present(name: str) -> Callable[[Context], bool]:
    """Whether ``variable_value(ctx, name)`` is not None (one call fewer for an item variable)."""
    if name in _CITE_VARIABLES or name == "page-first":
        get = getter(name)
        return lambda ctx: get(ctx) is not None
    return lambda ctx: name not in ctx.suppressed and ctx.item.get(name) not in (None, "", [])


def _make_getter(name: str, form: str) -> Getter:
    cite_value = _CITE_VARIABLES.get(name)
    if cite_value is not None:
        def get_cite(ctx: Context) -> Any:
            if name in ctx.suppressed:
                return None
            return cite_value(ctx)

        return get_cite
    short = _SHORT.get(name, name + "-short") if form == "short" else None
    if short is None and name != "page-first":
        def get(ctx: Context) -> Any:
            if name in ctx.suppressed:
                return None
            value = ctx.item.get(name)
            if value in (None, "", []):
                return None
            return value

        return get

    def get_short(ctx: Context) -> Any:
        if name in ctx.suppressed:
            return None
        item = ctx.item
        if short is not None:
            value = item.get(short)
            if value not in (None, "", []):
                return value
        if name == "page-first":
            return _page_first(item)
        value = item.get(name)
        if value in (None, "", []):
            return None
        return value

    return get_short


def _page_first(item: dict[str, Any]) -> Any:
    page = item.get("page-first") or item.get("page")
    if page is None:
        return None
    return str(page).replace("–", "-").split("-")[0].split(",")[0].strip() or None


def _locator(ctx: Context) -> Any:
    return ctx.cite.locator if ctx.mode == "citation" else None


def _citation_number(ctx: Context) -> Any:
    return ctx.cite.citation_number


def _first_reference_note_number(ctx: Context) -> Any:
    return ctx.cite.first_reference_note_number if ctx.mode == "citation" else None


def _year_suffix(ctx: Context) -> Any:
    return suffix_letters(ctx.disamb.year_suffix) if ctx.disamb.year_suffix else None


def _citation_label(ctx: Context) -> Any:
    from citekit.csl.namekeys import citation_label

    label = ctx.item.get("citation-label") or citation_label(ctx)
    if label and ctx.disamb.year_suffix and not ctx.year_suffix_done:
        ctx.year_suffix_done = True  # the label carries the suffix ("Asth00a")
        label += suffix_letters(ctx.disamb.year_suffix)
    return label or None


# Variables the cite or the processor supplies rather than the item.
_CITE_VARIABLES: dict[str, Callable[[Context], Any]] = {
    "locator": _locator, "citation-number": _citation_number,
    "first-reference-note-number": _first_reference_note_number, "year-suffix": _year_suffix,
    "citation-label": _citation_label,
}
