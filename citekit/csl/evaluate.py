"""Rendering elements (CSL 1.0.2 "Rendering Elements", "Choose", "Group"): text, group, choose, layout.

Names, dates, numbers and labels have modules of their own; this one dispatches to them and owns
what ties them together: variables (short forms, special cite variables), macros, the group's
implicit conditional, and conditions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from citekit.csl.context import Context
from citekit.csl.dates import has_date, is_uncertain_date, render_date, suffix_letters
from citekit.csl.items import DATE_VARIABLES, NAME_VARIABLES
from citekit.csl.names import render_names
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, formatting, is_empty
from citekit.csl.numbers import TEXT_NUMBER_VARIABLES, is_numeric, number_text, render_label, render_number
from citekit.csl.output import CAPITALIZE_IF_FIRST
from citekit.csl.rich import parse_rich
from citekit.csl.style import El

# Variables whose text is an identifier: no rich-text parsing, no typographic apostrophes.
_VERBATIM = frozenset({"URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "call-number"})
_SHORT = {"title": "title-short", "container-title": "container-title-short"}
# Per-element caches keyed by id(); the element itself is kept in the entry, so an id is never
# reused while its entry lives.
_WRAPS: dict[int, tuple[El, Formatting, bool, Formatting, bool]] = {}


def _wrap_formats(el: El) -> tuple[El, Formatting, bool, Formatting, bool]:
    """(el, formatting, plain?, formatting without its delimiter, plain?) of an element."""
    found = _WRAPS.get(id(el))
    if found is None:
        fmt = formatting(el)
        bare = replace(fmt, delimiter=None) if fmt.delimiter is not None else fmt
        found = _WRAPS[id(el)] = (el, fmt, fmt.is_plain(), bare, bare.is_plain())
    return found


def wrap(ctx: Context, el: El, children: list[Node], *, delimiter: bool = False) -> Node | None:
    """Children in a Span with the element's formatting (None when nothing was rendered).

    ``delimiter``: the element's delimiter joins the children (cs:group); elsewhere it is ignored.
    """
    kept = [c for c in children if (c.text if type(c) is Text else not is_empty(c))]
    if not kept:
        return None
    _, with_delim, plain_delim, bare, plain_bare = _wrap_formats(el)
    fmt, plain = (with_delim, plain_delim) if delimiter else (bare, plain_bare)
    if fmt.text_case == "title" and not _english(ctx):
        fmt = replace(fmt, text_case=None)
        plain = fmt.is_plain()
    if plain and len(kept) == 1:
        return kept[0]
    return Span(kept, fmt, True)


def _english(ctx: Context) -> bool:
    # citeproc-js title-cases only items in English (or with no language), whatever the style.
    lang = str(ctx.item.get("language") or "") or ctx.locale.lang
    return not lang or lang.lower().startswith("en")


# -- variables --------------------------------------------------------------------------------------


def variable_value(ctx: Context, name: str, form: str = "long") -> Any:
    """A variable's value for the cite being rendered, or None when empty or suppressed."""
    if name in ctx.suppressed:
        return None
    cite = ctx.cite
    if name == "locator":
        return cite.locator if ctx.mode == "citation" else None
    if name == "citation-number":
        return cite.citation_number
    if name == "first-reference-note-number":
        return cite.first_reference_note_number if ctx.mode == "citation" else None
    if name == "year-suffix":
        return suffix_letters(ctx.disamb.year_suffix) if ctx.disamb.year_suffix else None
    if name == "citation-label":
        from citekit.csl.namekeys import citation_label

        label = ctx.item.get("citation-label") or citation_label(ctx)
        if label and ctx.disamb.year_suffix and not ctx.year_suffix_done:
            ctx.year_suffix_done = True  # the label carries the suffix ("Asth00a")
            label += suffix_letters(ctx.disamb.year_suffix)
        return label or None
    item = ctx.item
    if form == "short":
        short = _SHORT.get(name, name + "-short")
        value = item.get(short)
        if value not in (None, "", []):
            return value
    if name == "page-first":
        page = item.get("page-first") or item.get("page")
        if page is None:
            return None
        return str(page).replace("–", "-").split("-")[0].split(",")[0].strip() or None
    value = item.get(name)
    if value in (None, "", []):
        return None
    return value


_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


def _link(ctx: Context, el: El, name: str, text: str) -> Node | None:
    """A URL or DOI as a link; a resolver prefix written as the element's prefix joins the link text."""
    fmt = formatting(el)
    if name == "URL":
        return wrap(ctx, el, [Tag("link", text, [Text(text)])])
    prefix = fmt.prefix or ""
    for resolver in _DOI_PREFIXES:
        if prefix.endswith(resolver):
            href = resolver + text
            node = Span([Tag("link", href, [Text(href)])], replace(fmt, prefix=prefix[: -len(resolver)] or None))
            return node
    href = text if text.startswith(("http://", "https://")) else "https://doi.org/" + text
    return wrap(ctx, el, [Tag("link", href, [Text(text)])])


def _text_variable(ctx: Context, el: El, name: str) -> Node | None:
    value = variable_value(ctx, name, el.attrs.get("form", "long"))
    if value is None and name == "year-suffix":
        # citeproc-js: an empty year-suffix does not count against its group (APA's "(n.d.-a)"
        # group prints "(n.d.)" for an undisambiguated item).
        return None
    ctx.note_variable(value is not None)
    if value is None:
        return None
    if ctx.in_substitute:
        ctx.suppressed.add(name)
    text = str(value)
    if name in TEXT_NUMBER_VARIABLES:
        text = number_text(ctx, name, value)
    if ctx.links and name in ("URL", "DOI"):
        return _link(ctx, el, name, text)
    if name in _VERBATIM:
        body: list[Node] = [Text(text)]
    elif name in ("citation-number", "year-suffix"):
        return wrap(ctx, el, [Tag(name, value, [Text(text)])])
    else:
        body = parse_rich(text)
    if name in ("title", "locator"):
        body = [Tag(name, value, body)]
    return wrap(ctx, el, body)


# -- elements ---------------------------------------------------------------------------------------


def evaluate(ctx: Context, el: El) -> Node | None:
    """One rendering element's output (None when it renders nothing)."""
    handler = _HANDLERS.get(el.name)
    if handler is None:
        return None
    return handler(ctx, el)


def evaluate_children(ctx: Context, el: El) -> list[Node]:
    out: list[Node] = []
    for child in el.children:
        if child.name == "choose":
            # A branch's elements stand in the parent's place: a group's delimiter goes between them.
            out.extend(_branch(ctx, child))
            continue
        node = evaluate(ctx, child)
        if node is not None:
            out.append(node)
    return out


def _text(ctx: Context, el: El) -> Node | None:
    attrs = el.attrs
    var = attrs.get("variable")
    if var is not None:
        return _text_variable(ctx, el, var)
    macro = attrs.get("macro")
    if macro is not None:
        body = ctx.style.macros[macro]
        called, rendered = ctx.called, ctx.rendered
        ctx.called = ctx.rendered = 0
        ctx.macro_depth += 1
        try:
            children = evaluate_children(ctx, body)
            inner_called, inner_rendered = ctx.called, ctx.rendered
        finally:
            ctx.macro_depth -= 1
            ctx.called, ctx.rendered = called, rendered
        # citeproc-js treats a macro call as an implicit group: terms alone do not make it render,
        # and a macro that printed something counts as content for the group around it.
        if inner_called and not inner_rendered:
            ctx.called += inner_called
            return None
        node = wrap(ctx, el, children)
        if node is not None:
            ctx.called += max(inner_called, 1)
            ctx.rendered += max(inner_rendered, 1)
        return node
    term = attrs.get("term")
    if term is not None:
        value = ctx.locale.term(term, attrs.get("form", "long"), attrs.get("plural") == "true")
        if not value:
            return None
        node = wrap(ctx, el, [Tag("term", term, parse_rich(value))])
        if node is not None and (ctx.mode != "citation" or ctx.style.style_class == "note"):
            # "ibid." opening a footnote is "Ibid."; the output stage knows what came first.
            return Tag(CAPITALIZE_IF_FIRST, None, [node])
        return node
    value = attrs.get("value")
    if value:
        return wrap(ctx, el, parse_rich(value))
    return None


def _group(ctx: Context, el: El) -> Node | None:
    called, rendered = ctx.called, ctx.rendered
    ctx.called = ctx.rendered = 0
    try:
        children = evaluate_children(ctx, el)
        inner_called, inner_rendered = ctx.called, ctx.rendered
    finally:
        ctx.called, ctx.rendered = called, rendered
    # The implicit conditional: a group that asked for variables and found none renders nothing.
    if inner_called and not inner_rendered:
        ctx.called += inner_called
        return None
    node = wrap(ctx, el, children, delimiter=True)
    if node is not None:
        # A group that printed something counts as content for the group around it, even when
        # it printed only terms (citeproc-js: "n.d." keeps its parentheses' group alive).
        ctx.called += max(inner_called, 1)
        ctx.rendered += max(inner_rendered, 1)
    return node


def _branch(ctx: Context, el: El) -> list[Node]:
    for branch in el.children:
        if branch.name == "else" or _test(ctx, branch):
            return evaluate_children(ctx, branch)
    return []


def _choose(ctx: Context, el: El) -> Node | None:
    children = _branch(ctx, el)
    if not children:
        return None
    return children[0] if len(children) == 1 else Span(children)


def _names(ctx: Context, el: El) -> Node | None:
    node = render_names(ctx, el)
    # suppress-author drops the outer cs:names, whatever its substitute renders; the
    # subsequent-author-substitute comparison looks at the names a substitute found
    mode = None if ctx.in_substitute and ctx.author_mode == "suppress" else ctx.author_mode
    if mode and node is not None and not is_empty(node):
        # Only the first cs:names output of a cite is "the author" (suppress-author, author-only,
        # subsequent-author-substitute).
        ctx.author_mode = None
        if mode == "suppress":
            return None
        if mode == "replace":
            return ctx.captured
        ctx.captured = node
    return node


def _date(ctx: Context, el: El) -> Node | None:
    return render_date(ctx, el)


def _number(ctx: Context, el: El) -> Node | None:
    return render_number(ctx, el)


def _label(ctx: Context, el: El) -> Node | None:
    return render_label(ctx, el)


_HANDLERS = {"text": _text, "group": _group, "choose": _choose, "names": _names, "date": _date,
             "number": _number, "label": _label}


# -- conditions -------------------------------------------------------------------------------------


_TESTS: dict[int, tuple[El, str, list[tuple[Any, Any]]]] = {}


def _compiled(branch: El) -> tuple[El, str, list[tuple[Any, Any]]]:
    """A branch's tests as (branch, match, [(check, value), …]), built once per element.

    Under match="any" or "none", a type test with several values is one check of membership
    (``type="book report"``): the same answer as testing each value in turn.
    """
    key = id(branch)
    found = _TESTS.get(key)
    if found is None:
        match = branch.attrs.get("match", "all")
        tests: list[tuple[Any, Any]] = []
        for attr, values in branch.attrs.items():
            check = _CONDITIONS.get(attr)
            if check is None:
                continue
            if check is _cond_type and match in ("any", "none"):
                tests.append((_cond_type_in, frozenset(values.split())))
            else:
                tests += [(check, value) for value in values.split()]
        found = _TESTS[key] = (branch, match, tests)
    return found


def _test(ctx: Context, branch: El) -> bool:
    _, match, tests = _compiled(branch)
    if not tests:
        return False
    if match == "any" or match == "none":
        hit = False
        for check, value in tests:
            if check(ctx, value):
                hit = True
                break
        return hit if match == "any" else not hit
    every = True
    for check, value in tests:
        if not check(ctx, value):
            every = False
            break
    return not every if match == "nand" else every


def _cond_type_in(ctx: Context, values: frozenset[str]) -> bool:
    return ctx.item.get("type") in values


def _cond_type(ctx: Context, value: str) -> bool:
    return ctx.item.get("type") == value


def _cond_variable(ctx: Context, value: str) -> bool:
    if value == "locator":
        return bool(ctx.cite.locator) and ctx.mode == "citation"
    if value in NAME_VARIABLES:
        return bool(ctx.item.get(value)) and value not in ctx.suppressed
    if value in DATE_VARIABLES:
        return value not in ctx.suppressed and has_date(ctx.item.get(value))
    return variable_value(ctx, value) is not None


def _cond_numeric(ctx: Context, value: str) -> bool:
    raw = variable_value(ctx, value)
    return raw is not None and is_numeric(str(raw))


def _cond_uncertain(ctx: Context, value: str) -> bool:
    return value not in ctx.suppressed and is_uncertain_date(ctx.item.get(value))


def _cond_locator(ctx: Context, value: str) -> bool:
    if not ctx.cite.locator or ctx.mode != "citation":
        return False
    label = ctx.cite.label or "page"
    return label == value or (value == "sub-verbo" and label == "sub verbo")


def _cond_position(ctx: Context, value: str) -> bool:
    if ctx.mode != "citation":
        return False
    pos = ctx.cite.position
    if value == "first":
        return pos == "first"
    if value == "subsequent":
        return pos != "first"
    if value == "ibid":
        return pos in ("ibid", "ibid-with-locator")
    if value == "ibid-with-locator":
        return pos == "ibid-with-locator"
    if value == "near-note":
        return pos != "first" and ctx.cite.near_note
    return False


def _cond_disambiguate(ctx: Context, value: str) -> bool:
    if value != "true":
        return not ctx.disamb.condition
    # citeproc-js turns a style's disambiguate="true" tests on one at a time, in document order
    # of the layout, until the cites differ: the pass sets how many are on.
    ctx.disamb_tests += 1
    return ctx.disamb_tests <= int(ctx.disamb.condition)


_CONDITIONS = {
    "type": _cond_type, "variable": _cond_variable, "is-numeric": _cond_numeric,
    "is-uncertain-date": _cond_uncertain, "locator": _cond_locator, "position": _cond_position,
    "disambiguate": _cond_disambiguate,
}


def render_layout(ctx: Context, layout: El) -> Node | None:
    """A layout's children, concatenated (the layout's own affixes and delimiter belong to the caller)."""
    children = evaluate_children(ctx, layout)
    children = [c for c in children if not is_empty(c)]
    if not children:
        return None
    return children[0] if len(children) == 1 else Span(children)
