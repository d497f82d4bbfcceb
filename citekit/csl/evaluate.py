"""Rendering elements (CSL 1.0.2 "Rendering Elements", "Choose", "Group"): text, group, choose, layout.

Names, dates, numbers and labels have modules of their own; this one dispatches to them and owns
what ties them together: cs:text, macros, the group's implicit conditional, and cs:choose
(its conditions are in ``conditions.py``, variables in ``variables.py``).

Each element is compiled once, on first use, into a function of the context (``El.run``) that
has already read the element's attributes and formatting; its children into a function that
appends their non-empty output to a list (``El.run_children``), a cs:choose child appending its
chosen branch's output in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from citekit.csl.conditions import compile_test, type_test
from citekit.csl.context import Context
from citekit.csl.dates import render_date
from citekit.csl.names import render_names
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, formatting, is_empty
from citekit.csl.numbers import TEXT_NUMBER_VARIABLES, number_text, render_label, render_number
from citekit.csl.output import CAPITALIZE_IF_FIRST
from citekit.csl.rich import parse_rich
from citekit.csl.style import El
from citekit.csl.variables import getter, variable_value

__all__ = ["evaluate", "evaluate_children", "render_layout", "variable_value", "wrap"]

Run = Callable[[Context], "Node | None"]
Fill = Callable[[Context, "list[Node]"], None]

# Variables whose text is an identifier: no rich-text parsing, no typographic apostrophes.
_VERBATIM = frozenset({"URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "call-number"})
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


def _formats(el: El, delimiter: bool) -> tuple[Formatting, bool, bool]:
    """(formatting, plain?, title case?) of an element's wrapping span."""
    _, with_delim, plain_delim, bare, plain_bare = _wrap_formats(el)
    fmt, plain = (with_delim, plain_delim) if delimiter else (bare, plain_bare)
    return fmt, plain, fmt.text_case == "title"


def wrap(ctx: Context, el: El, children: list[Node], *, delimiter: bool = False) -> Node | None:
    """Children in a Span with the element's formatting (None when nothing was rendered).

    ``delimiter``: the element's delimiter joins the children (cs:group); elsewhere it is ignored.
    """
    return _wrap(ctx, children, *_formats(el, delimiter))


def _wrap(ctx: Context, children: list[Node], fmt: Formatting, plain: bool, title: bool) -> Node | None:
    if len(children) == 1:
        only = children[0]
        if not (only.text if type(only) is Text else not is_empty(only)):
            return None
        kept = children
    else:
        kept = [c for c in children if (c.text if type(c) is Text else not is_empty(c))]
        if not kept:
            return None
    if title:
        return _span(ctx, kept, fmt, plain, title)
    # _span's answer when there is no title case to check
    if plain and len(kept) == 1:
        return kept[0]
    return Span(kept, fmt, True)


def _span(ctx: Context, kept: list[Node], fmt: Formatting, plain: bool, title: bool) -> Node:
    """Non-empty children with a formatting (the lone child itself when there is nothing to add)."""
    if title and not _english(ctx):
        fmt = replace(fmt, text_case=None)
        plain = fmt.is_plain()
    if plain and len(kept) == 1:
        return kept[0]
    return Span(kept, fmt, True)


def _english(ctx: Context) -> bool:
    # citeproc-js title-cases only items in English (or with no language), whatever the style.
    lang = str(ctx.item.get("language") or "") or ctx.locale.lang
    return not lang or lang.lower().startswith("en")


# -- dispatch ---------------------------------------------------------------------------------------


def evaluate(ctx: Context, el: El) -> Node | None:
    """One rendering element's output (None when it renders nothing)."""
    run = el.run
    if run is None:
        run = _runner(el)
    return run(ctx)


def evaluate_children(ctx: Context, el: El) -> list[Node]:
    """An element's children's output, empty results left out (a cs:choose's chosen branch in
    its place, so that a group's delimiter goes between the branch's elements)."""
    out: list[Node] = []
    fill = el.run_children
    if fill is None:
        fill = _filler(el)
    fill(ctx, out)
    return out


def render_layout(ctx: Context, layout: El) -> Node | None:
    """A layout's children, concatenated (the layout's own affixes and delimiter belong to the caller)."""
    children = evaluate_children(ctx, layout)
    if not children:
        return None
    return children[0] if len(children) == 1 else Span(children)


def _runner(el: El) -> Run:
    compile_el = _COMPILERS.get(el.name)
    run = el.run = compile_el(el) if compile_el is not None else _nothing
    return run


def _nothing(ctx: Context) -> Node | None:
    return None


# How a child's output joins its parent's list: appended (its runner returns None or a node
# with text), appended when it holds text, or a cs:choose's branch appending its own.
_FULL, _CHECKED, _BRANCH = 0, 1, 2
# Runners from other modules that may return a node without text.
_MAY_BE_EMPTY = frozenset({"names", "date"})


def _filler(el: El) -> Fill:
    kids: list[tuple[int, Callable[..., Node | None]]] = []
    for child in el.children:
        if child.name == "choose":
            kids.append((_BRANCH, _branch_filler(child)))
            continue
        run = child.run or _runner(child)
        if run is not _nothing:
            kids.append((_CHECKED if child.name in _MAY_BE_EMPTY else _FULL, run))
    fill = el.run_children = _fill_with(kids)
    return fill


def _fill_with(kids: list[tuple[int, Callable[..., Node | None]]]) -> Fill:
    # The common shapes (a macro that is one cs:choose, a branch of plain elements) get a
    # filler without the per-child dispatch.
    if len(kids) == 1 and kids[0][0] == _BRANCH:
        return kids[0][1]
    if len(kids) == 1 and kids[0][0] == _FULL:
        only = kids[0][1]

        def fill_one(ctx: Context, out: list[Node]) -> None:
            node = only(ctx)
            if node is not None:
                out.append(node)

        return fill_one
    if all(how == _FULL for how, _ in kids):
        runs = [run for _, run in kids]

        def fill_full(ctx: Context, out: list[Node]) -> None:
            for run in runs:
                node = run(ctx)
                if node is not None:
                    out.append(node)

        return fill_full

    def fill(ctx: Context, out: list[Node]) -> None:
        for how, run in kids:
            if how == _BRANCH:
                run(ctx, out)
                continue
            node = run(ctx)
            if node is not None and (how == _FULL or not is_empty(node)):
                out.append(node)

    return fill


# -- cs:text ----------------------------------------------------------------------------------------


def _compile_text(el: El) -> Run:
    attrs = el.attrs
    var = attrs.get("variable")
    if var is not None:
        return _compile_variable(el, var)
    macro = attrs.get("macro")
    if macro is not None:
        return _compile_macro_call(el, macro)
    term = attrs.get("term")
    if term is not None:
        return _compile_term(el, term)
    value = attrs.get("value")
    if value:
        return _compile_value(el, value)
    return _nothing


def _compile_variable(el: El, name: str) -> Run:
    get = getter(name, el.attrs.get("form", "long"))
    fmt, plain, title = _formats(el, False)
    numeric = name in TEXT_NUMBER_VARIABLES
    link = name in ("URL", "DOI")
    verbatim = name in _VERBATIM
    tagged = name in ("citation-number", "year-suffix")
    titled = name in ("title", "locator")
    # citeproc-js: an empty year-suffix does not count against its group (APA's "(n.d.-a)"
    # group prints "(n.d.)" for an undisambiguated item).
    counted = name != "year-suffix"

    def text_variable(ctx: Context) -> Node | None:
        value = get(ctx)
        if value is None:
            if counted:
                ctx.called += 1
            return None
        ctx.called += 1
        ctx.rendered += 1
        if ctx.in_substitute:
            ctx.suppressed.add(name)
        text = number_text(ctx, name, value) if numeric else str(value)
        if link and ctx.links:
            return _link(ctx, el, name, text, fmt, plain, title)
        if verbatim:
            body: list[Node] = [Text(text)]
        elif tagged:
            return _wrap(ctx, [Tag(name, value, [Text(text)])], fmt, plain, title)
        else:
            body = parse_rich(text)
        if titled:
            body = [Tag(name, value, body)]
        return _wrap(ctx, body, fmt, plain, title)

    return text_variable


_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


def _link(ctx: Context, el: El, name: str, text: str, fmt: Formatting, plain: bool, title: bool) -> Node | None:
    """A URL or DOI as a link; a resolver prefix written as the element's prefix joins the link text.

    ``fmt``, ``plain`` and ``title`` are the element's wrapping formats (see ``_formats``)."""
    if name == "URL":
        return _wrap(ctx, [Tag("link", text, [Text(text)])], fmt, plain, title)
    full = formatting(el)
    prefix = full.prefix or ""
    for resolver in _DOI_PREFIXES:
        if prefix.endswith(resolver):
            href = resolver + text
            node = Span([Tag("link", href, [Text(href)])], replace(full, prefix=prefix[: -len(resolver)] or None))
            return node
    href = text if text.startswith(("http://", "https://")) else "https://doi.org/" + text
    return _wrap(ctx, [Tag("link", href, [Text(text)])], fmt, plain, title)


def _compile_macro_call(el: El, macro: str) -> Run:
    # citeproc-js treats a macro call as an implicit group: terms alone do not make it render,
    # and a macro that printed something counts as content for the group around it.
    return _implicit_group(*_formats(el, False), macro=macro)


def _compile_term(el: El, term: str) -> Run:
    fmt, plain, title = _formats(el, False)
    form = el.attrs.get("form", "long")
    plural = el.attrs.get("plural") == "true"

    def text_term(ctx: Context) -> Node | None:
        value = ctx.locale.term(term, form, plural)
        if not value:
            return None
        node = _wrap(ctx, [Tag("term", term, parse_rich(value))], fmt, plain, title)
        if node is not None and (ctx.mode != "citation" or ctx.style.style_class == "note"):
            # "ibid." opening a footnote is "Ibid."; the output stage knows what came first.
            return Tag(CAPITALIZE_IF_FIRST, None, [node])
        return node

    return text_term


def _compile_value(el: El, value: str) -> Run:
    fmt, plain, title = _formats(el, False)
    parsed = parse_rich(value)
    if len(parsed) == 1 and type(parsed[0]) is Text and parsed[0].text:
        # Plain text (the usual case): its node is made afresh for each entry, never shared.
        text = parsed[0].text
        if title:
            return lambda ctx: _span(ctx, [Text(text)], fmt, plain, title)
        if plain:
            return lambda ctx: Text(text)
        return lambda ctx: Span([Text(text)], fmt, True)
    return lambda ctx: _wrap(ctx, parse_rich(value), fmt, plain, title)


# -- cs:group ---------------------------------------------------------------------------------------


def _compile_group(el: El) -> Run:
    # A group that printed something counts as content for the group around it, even when
    # it printed only terms (citeproc-js: "n.d." keeps its parentheses' group alive).
    return _implicit_group(*_formats(el, True), fill=el.run_children or _filler(el))


def _implicit_group(fmt: Formatting, plain: bool, title: bool, *, fill: Fill | None = None,
                    macro: str | None = None) -> Run:
    """Children rendered as a group (a cs:group's, or the ``macro``'s called by a cs:text):
    nothing when they asked for variables and found none (the implicit conditional); otherwise
    they count as one variable found for the enclosing group."""
    # For a macro: the style last rendered with, the macro's filler there, and its lone group.
    last: list[Any] = [None, fill, None]

    def group(ctx: Context) -> Node | None:
        style, fill, lone = last
        if macro is not None and style is not ctx.style:
            body = ctx.style.macros[macro]
            fill = body.run_children or _filler(body)
            lone = _lone_group(body) if plain else None
            last[:] = ctx.style, fill, lone
        if lone is not None:
            return lone(ctx)
        called, rendered = ctx.called, ctx.rendered
        ctx.called = ctx.rendered = 0
        children: list[Node] = []
        try:
            fill(ctx, children)
            inner_called, inner_rendered = ctx.called, ctx.rendered
        finally:
            ctx.called, ctx.rendered = called, rendered
        if inner_called and not inner_rendered:
            ctx.called += inner_called
            return None
        if not children:
            return None
        ctx.called += inner_called or 1
        ctx.rendered += inner_rendered or 1
        if title:
            return _span(ctx, children, fmt, plain, title)
        # _span's answer when there is no title case to check
        if plain and len(children) == 1:
            return children[0]
        return Span(children, fmt, True)

    return group


def _lone_group(body: El) -> Run | None:
    """The runner of a macro's only element when that is a group itself (a cs:group or a macro
    call). A plain call of such a macro adds nothing: whether the inner group renders or not,
    it leaves the variable counts as the call's own implicit group would."""
    kids = [c for c in body.children if (c.run or _runner(c)) is not _nothing]
    if len(kids) != 1:
        return None
    only = kids[0]
    if only.name == "group" or (only.name == "text" and "variable" not in only.attrs and "macro" in only.attrs):
        return only.run
    return None


# -- cs:choose --------------------------------------------------------------------------------------


Branches = list[tuple["Callable[[Context], bool] | None", Fill]]


def _branch_filler(el: El) -> Fill:
    """A cs:choose as a filler: the first branch whose conditions hold (or cs:else) fills the list."""
    branches: list[tuple[Callable[[Context], bool] | None, Fill, Callable[[str | None], bool] | None]] = []
    for branch in el.children:
        is_else = branch.name == "else"
        test = None if is_else else compile_test(branch)
        branches.append((test, branch.run_children or _filler(branch), None if is_else else type_test(branch)))
        if is_else:
            break  # later branches are never reached
    every: Branches = [(test, fill) for test, fill, _ in branches]
    if all(by_type is None for _, _, by_type in branches):
        return partial(_choose, every)

    def plan(kind: str | None) -> Branches:
        # The branches an item of this type can take: tests of the type alone are answered
        # here, once (they have no side effects); the others stay, in order.
        left: Branches = []
        for test, fill, by_type in branches:
            if by_type is None:
                left.append((test, fill))
            elif by_type(kind):
                left.append((None, fill))
                break
        return left

    plans: dict[str | None, Branches] = {}

    def choose_by_type(ctx: Context, out: list[Node]) -> None:
        kind = ctx.item.get("type")
        if type(kind) is not str:
            _choose(every, ctx, out)
            return
        left = plans.get(kind)
        if left is None:
            left = plan(kind)
            if len(plans) < 64:  # types come from the items: a style sees few of them
                plans[kind] = left
        _choose(left, ctx, out)

    return choose_by_type


def _choose(branches: Branches, ctx: Context, out: list[Node]) -> None:
    for test, fill in branches:
        if test is None or test(ctx):
            fill(ctx, out)
            return


def _compile_choose(el: El) -> Run:
    choose = _branch_filler(el)

    def choose_alone(ctx: Context) -> Node | None:
        children: list[Node] = []
        choose(ctx, children)
        if not children:
            return None
        return children[0] if len(children) == 1 else Span(children)

    return choose_alone


# -- names, dates, numbers, labels ------------------------------------------------------------------


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


def _compile_names(el: El) -> Run:
    return lambda ctx: _names(ctx, el)


def _compile_date(el: El) -> Run:
    return lambda ctx: render_date(ctx, el)


def _compile_number(el: El) -> Run:
    return lambda ctx: render_number(ctx, el)


def _compile_label(el: El) -> Run:
    return lambda ctx: render_label(ctx, el)


_COMPILERS: dict[str, Callable[[El], Run]] = {
    "text": _compile_text, "group": _compile_group, "choose": _compile_choose, "names": _compile_names,
    "date": _compile_date, "number": _compile_number, "label": _compile_label,
}
