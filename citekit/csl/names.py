"""CSL 1.0.2 "Names": ``cs:names`` with ``cs:name``, ``cs:et-al``, ``cs:label``, ``cs:substitute``.

This module decides which names of a variable show (et-al, et-al-use-last, disambiguation), joins
them ("and", delimiters), labels them, combines editor and translator, substitutes and builds sort
keys. One name's rendering is ``nameform.py``; parsing and initials are ``nameparts.py``.
Behaviour follows citeproc-js (util_names_*.js) where the spec leaves room.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from citekit.csl.context import Context
from citekit.csl.nameform import (
    SORT_SEP,
    NameForm,
    NameOptions,
    formatting_of,
    is_et_al,
    name_form,
    name_key,
    name_options,
    name_parts,
    render_name,
    rich,
    strip_affixes,
    without_delimiter,
)
from citekit.csl.nameparts import STARTS_ROMANESQUE, normalize_name, script_class
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, is_empty, text_of
from citekit.csl.style import El

if TYPE_CHECKING:
    from citekit.csl.locale import Locale

__all__ = ["name_key", "names_sort_key", "render_names"]


# -- name lists -------------------------------------------------------------------------------------


def _names_of(ctx: Context, variable: str) -> list[Any]:
    if variable in ctx.suppressed:
        return []
    value = ctx.item.get(variable)
    if type(value) is list:  # the usual case; the list is only read
        return value if all(value) else [v for v in value if v]
    if value in (None, "", []):
        return []
    if isinstance(value, (str, int, float)):
        return [{"literal": str(value)}]
    if isinstance(value, dict):
        return [value]
    return [v for v in value if v]


def _normalized(raw: dict[str, Any], language: Any) -> dict[str, Any]:
    name = normalize_name(raw)
    if "literal" not in name:
        name["script"] = script_class(name, language)
        if language in ("vi", "hu"):  # citeproc-js: family first for Vietnamese and Hungarian items
            name["static-ordering"] = True
    return name


@dataclass(slots=True)
class _Person:
    """One name of an item as the renderers read it (shared by every item with the same name)."""

    name: dict[str, Any]  # normalised (read-only)
    key: str  # name_key: what disambiguation settings are keyed by
    memo_key: tuple[Any, ...] | None  # the raw parts and the language, or None (not hashable)
    et_al: bool  # "John, et al." in the data: the list ends with et-al instead


# The same names recur across a library's entries: each is normalised once per item language.
_PERSONS: dict[tuple[Any, ...], _Person] = {}


def _person(raw: dict[str, Any], language: Any) -> _Person:
    try:
        memo_key = (language, *raw.items())
        found = _PERSONS.get(memo_key)
    except TypeError:  # a part that is not hashable (a list): no memo
        return _make_person(raw, language, None)
    if found is None:
        if len(_PERSONS) > 20_000:
            _PERSONS.clear()
        found = _PERSONS[memo_key] = _make_person(raw, language, memo_key)
    return found


def _make_person(raw: dict[str, Any], language: Any, memo_key: tuple[Any, ...] | None) -> _Person:
    name = _normalized(raw, language)
    return _Person(name, name_key(raw), memo_key, is_et_al(name.get("dropping-particle", "")))


def _et_al_numbers(ctx: Context, setup: _Setup) -> tuple[int | None, int | None, bool]:
    """et-al-min, et-al-use-first and et-al-use-last for this cite (subsequent and sort-key forms)."""
    etal_min, use_first, use_last = setup.etal_min, setup.use_first, setup.use_last
    if ctx.mode == "citation" and ctx.cite.position != "first":
        etal_min = setup.subsequent_min or etal_min
        use_first = setup.subsequent_use_first or use_first
    if ctx.mode == "sort":
        # sorting.py passes a cs:key's names-min/-use-first/-use-last through the name options
        keyed = ctx.name_options
        if keyed.get("names-min") is not None:
            etal_min = int(keyed["names-min"])
        if keyed.get("names-use-first") is not None:
            use_first = int(keyed["names-use-first"])
        if keyed.get("names-use-last") is not None:
            use_last = keyed["names-use-last"] == "true"
    return etal_min, use_first, use_last


def _shown(ctx: Context, count: int, setup: _Setup) -> tuple[int, bool, bool]:
    """How many names show, whether et-al follows, whether the last name is added (use-last)."""
    etal_min, use_first, use_last = _et_al_numbers(ctx, setup)
    if etal_min is None or use_first is None or count < etal_min or use_first > etal_min:
        return count, False, False
    shown = use_first
    if ctx.disamb.add_names:
        shown = use_first + ctx.disamb.add_names
    if use_last:
        shown = min(shown, etal_min - 2)
    if shown >= count:
        return count, False, False
    return shown, True, use_last and count >= shown + 2


def _and_term(ctx: Context, mode: str | None) -> str | None:
    if mode == "text":
        return ctx.locale.term("and", "long") or None
    if mode == "symbol":
        return "&"
    return None


def _join_names(ctx: Context, nodes: list[Node], inverted: list[bool], literal: list[bool], setup: _Setup,
                etal: Node | None, last: Node | None) -> list[Node]:
    """Names joined with the delimiter, "and", et-al or the use-last ellipsis.

    delimiter-precedes-et-al/-last follow citeproc-js: "after-inverted-name" puts the delimiter
    before et-al after one name only, before "and" in a list of two or after an inverted name;
    before a trailing institution "and" takes the delimiter in lists of three or more, whatever
    the rule (two: only after an inverted name under "after-inverted-name").
    """
    delim = setup.delimiter
    out: list[Node] = []
    n = len(nodes)
    if etal is not None or last is not None:
        for i, node in enumerate(nodes):
            if i:
                out.append(Text(delim))
            out.append(node)
        if last is not None:
            out += [Text(delim if n > 1 else " "), Text("\u2026 "), last]
            return out
        # An et-al term in a script without spaces ("等") takes no space, but still the delimiter.
        space = " " if STARTS_ROMANESQUE.match(text_of(etal)) else ""
        rule = setup.precedes_et_al
        use = {"always": True, "never": False}.get(rule, n > 1) if rule != "after-inverted-name" else n == 1
        sep = delim if use else space
        if sep:
            out.append(Text(sep))
        out.append(etal)
        return out
    # Before a trailing institution the delimiter follows citeproc-js's implicit cs:institution,
    # which sees only the inherited delimiter-precedes-last, not cs:name's own.
    institution_last = bool(literal) and literal[-1]
    and_term = _and_term(ctx, setup.and_mode)
    for i, node in enumerate(nodes):
        if i == 0:
            out.append(node)
            continue
        if i < n - 1 or and_term is None:
            out += [Text(delim), node]
            continue
        rule = setup.precedes_last
        if not STARTS_ROMANESQUE.match(and_term):
            use = rule == "after-inverted-name" and inverted[i - 1]
            out += [Text(delim), Text(and_term), node] if use else [Text(and_term), node]
            continue
        if institution_last:
            own = setup.inherited_precedes_last
            use = {"always": True, "never": False}.get(own, n > 2) or (
                rule == "after-inverted-name" and inverted[i - 1])
        elif rule == "after-inverted-name":
            use = n == 2 or inverted[i - 1]
        else:
            use = {"always": True, "never": False}.get(rule, n > 2)
        out += [Text(delim if use else " "), Text(and_term + " "), node]
    return out


@dataclass(slots=True)
class _Setup:
    """What one cs:names evaluation uses: its child elements and the options read from them once."""

    variables: list[str]
    opts: NameOptions
    name_el: El | None
    etal_el: El | None
    label_el: El | None
    label_first: bool
    institution_el: El | None
    names: NameForm  # how each name renders
    name_fmt: Formatting  # cs:name's formatting, around the whole list
    wrap_fmt: Formatting  # cs:names' own, around every variable's block
    names_delimiter: str | None
    etal_term: str
    etal_fmt: Formatting
    editor_translator: bool  # variable="editor translator" (or the other way round)
    delimiter: str
    and_mode: str | None
    precedes_et_al: str
    precedes_last: str
    inherited_precedes_last: str
    etal_min: int | None
    use_first: int | None
    use_last: bool
    subsequent_min: int | None
    subsequent_use_first: int | None
    # the et-al term as nodes, per locale (by id; the locale is kept with it)
    etal_nodes: dict[int, tuple[Locale, Node | None]] = field(default_factory=dict)


# _setup per (cs:names element, name options in force, elements inherited from the cs:names being
# substituted): all live as long as their processor, and the entry keeps them, so an id is never
# reused while it is cached.
_SETUPS: dict[tuple[int, ...], tuple[El, dict[str, str], tuple[Any, ...] | None, _Setup]] = {}


def _setup(ctx: Context, el: El) -> _Setup:
    if ctx.mode == "sort":  # sort keys bring options of their own
        return _make_setup(ctx, el)
    inherited = ctx.inherited_names
    if inherited is None:
        key: tuple[int, ...] = (id(el), id(ctx.name_options))
    else:
        key = (id(el), id(ctx.name_options), *map(id, inherited))
    found = _SETUPS.get(key)
    if found is None:
        if len(_SETUPS) > 512:
            _SETUPS.clear()
        found = _SETUPS[key] = (el, ctx.name_options, inherited, _make_setup(ctx, el))
    return found[3]


def _make_setup(ctx: Context, el: El) -> _Setup:
    name_el, etal_el, label_el = el.find("name"), el.find("et-al"), el.find("label")
    label_first = False
    if label_el is not None and name_el is not None:
        label_first = el.children.index(label_el) < el.children.index(name_el)
    institution_el = el.find("institution")
    if name_el is None and etal_el is None and label_el is None and ctx.inherited_names is not None:
        name_el, etal_el, label_el, label_first, institution_el = ctx.inherited_names
    opts = name_options(ctx, name_el)
    variables = (el.get("variable") or "").split()
    names_delimiter = el.get("delimiter")
    if names_delimiter is None:
        names_delimiter = ctx.name_options.get("names-delimiter")
    delimiter = opts.get("delimiter", ", ")
    return _Setup(
        variables, opts, name_el, etal_el, label_el, label_first, institution_el,
        name_form(ctx, opts, name_parts(name_el, institution_el)),
        without_delimiter(formatting_of(name_el)), without_delimiter(formatting_of(el)), names_delimiter,
        (etal_el.get("term", "et-al") if etal_el is not None else "et-al") or "et-al",
        strip_affixes(formatting_of(etal_el)),
        sorted(variables) == ["editor", "translator"],
        ", " if delimiter is None else delimiter,
        opts.get("and"),
        opts.get("delimiter-precedes-et-al", "contextual") or "",
        opts.get("delimiter-precedes-last", "contextual") or "",
        ctx.name_options.get("delimiter-precedes-last", "contextual") or "",
        opts.int("et-al-min"), opts.int("et-al-use-first"), opts.get("et-al-use-last") == "true",
        opts.int("et-al-subsequent-min"), opts.int("et-al-subsequent-use-first"))


def _etal_node(ctx: Context, setup: _Setup) -> Node | None:
    locale = ctx.locale
    found = setup.etal_nodes.get(id(locale))
    if found is not None and found[0] is locale:
        return found[1]
    term = locale.term(setup.etal_term, "long")
    node: Node | None = None
    if term:
        fmt = setup.etal_fmt
        node = Span(rich(term), fmt) if not fmt.is_plain() else Text(term)
    setup.etal_nodes[id(locale)] = (locale, node)
    return node


def _render_variable(ctx: Context, raws: list[Any], setup: _Setup) -> tuple[Node | None, int]:
    """One variable's names (with their cs:name formatting); also the number of names shown."""
    nf = setup.names
    shown, etal, add_last = _shown(ctx, len(raws), setup)
    if nf.form == "count":
        return None, min(shown, len(raws)) + (1 if add_last else 0)
    nodes: list[Node] = []
    inverted: list[bool] = []
    literal: list[bool] = []
    language = ctx.item.get("language")
    for i, raw in enumerate(raws[:shown]):
        if not isinstance(raw, dict):
            raw = {"literal": str(raw)}
        person = _person(raw, language)
        name = person.name
        if person.et_al:
            etal, add_last = True, False
        node, inv = render_name(ctx, raw, name, person.key, nf, i, person.memo_key)
        if node is not None:
            nodes.append(node)
            inverted.append(inv)
            literal.append("literal" in name)
    if not nodes:
        return None, 0
    last = None
    if add_last:
        raw = raws[-1] if isinstance(raws[-1], dict) else {"literal": str(raws[-1])}
        person = _person(raw, language)
        last, _ = render_name(ctx, raw, person.name, person.key, nf, len(raws) - 1, person.memo_key)
    if ctx.mode == "sort":  # no et-al or "and" in sort keys
        body: list[Node] = []
        for i, node in enumerate(nodes + ([last] if last is not None else [])):
            body += [Text(SORT_SEP), node] if i else [node]
    else:
        etal_node = _etal_node(ctx, setup) if etal and last is None else None
        body = _join_names(ctx, nodes, inverted, literal, setup, etal_node, last)
    # cs:name's affixes and formatting cover the whole list, et-al included (its delimiter is ours);
    # a personal name always holds text (a literal one may be bare markup)
    return Span(body, setup.name_fmt, not all(literal)), len(nodes)


def _label(ctx: Context, setup: _Setup, variable: str, common: bool, count: int) -> Node | None:
    if setup.label_el is None or ctx.mode == "sort":
        return None
    if common:
        form = setup.label_el.get("form", "long") or "long"
        plural_attr = setup.label_el.get("plural", "contextual")
        plural = plural_attr == "always" or (plural_attr == "contextual" and count > 1)
        term = ctx.locale.term("editortranslator", form, plural)
        if not term:
            return None
        return Span(rich(term), formatting_of(setup.label_el))
    from citekit.csl.numbers import render_label

    return render_label(ctx, setup.label_el, variable)


def _same_names(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    return all(isinstance(x, dict) and isinstance(y, dict) and name_key(x) == name_key(y)
               for x, y in zip(a, b, strict=True))


def _common_term(ctx: Context, found: dict[str, list[Any]], setup: _Setup) -> bool:
    """editor and translator being the same people share the "editortranslator" label."""
    if not setup.editor_translator or setup.label_el is None:
        return False
    if not found.get("editor") or not _same_names(found["editor"], found.get("translator") or []):
        return False
    form = setup.label_el.get("form", "long") or "long"
    return bool(ctx.locale.term("editortranslator", form))


# -- cs:names ---------------------------------------------------------------------------------------


def render_names(ctx: Context, el: El) -> Node | None:
    """``cs:names``: the names of its variables, or the first cs:substitute child that renders."""
    setup = _setup(ctx, el)
    found = {v: _names_of(ctx, v) for v in setup.variables}
    present = [v for v in setup.variables if found[v]]
    if not present:
        node, success = _substitute(ctx, el, setup)
        ctx.note_variable(success)
        return node
    common = _common_term(ctx, found, setup)
    if common:
        present = ["editor"]
    blocks: list[Node] = []
    total = 0
    full = False  # a block is known to hold text
    for v in present:
        node, count = _render_variable(ctx, found[v], setup)
        total += count
        if node is None:
            continue
        label = _label(ctx, setup, v, common, len(found[v]))
        if label is not None and not is_empty(label):
            node = Span([label, node] if setup.label_first else [node, label], full=True)
        full = full or node.full  # type: ignore[union-attr]
        blocks.append(Tag("names", v, [node]))
    if setup.names.form == "count":
        ctx.note_variable(total > 0)
        return Text(str(total)) if total else None
    if not blocks:
        ctx.note_variable(False)
        return None
    if ctx.in_substitute:
        ctx.suppressed.update(present if not common else ["editor", "translator"])
    ctx.note_variable(True)
    return _wrap_names(ctx, setup, blocks, full)


def _wrap_names(ctx: Context, setup: _Setup, blocks: list[Node], full: bool) -> Node:
    delim = setup.names_delimiter
    body: list[Node] = []
    for i, block in enumerate(blocks):
        if i and delim:
            body.append(Text(delim))
        body.append(block)
    fmt = setup.wrap_fmt
    if fmt.text_case == "title" and str(ctx.item.get("language") or "en")[:2].lower() != "en":
        fmt = replace(fmt, text_case=None)
    return Span(body, fmt, full)


def _substitute(ctx: Context, el: El, setup: _Setup) -> tuple[Node | None, bool]:
    """The first cs:substitute child that renders (and whether the substitution counts as found)."""
    sub = el.find("substitute")
    if sub is None:
        return None, False
    ctx.in_substitute += 1
    saved = ctx.inherited_names
    ctx.inherited_names = (setup.name_el, setup.etal_el, setup.label_el, setup.label_first, setup.institution_el)
    result: Node | None = None
    success = False
    try:
        for child in sub.children:
            node = ctx.render(child)
            if node is not None and not is_empty(node):
                result, success = node, True
                break
            if child.name == "text" and "term" in child.attrs:
                # citeproc-js: a term ends the substitution, and counts as found, even when empty
                success = True
                break
    finally:
        ctx.inherited_names = saved
        ctx.in_substitute -= 1
    if result is None:
        return None, success
    return _wrap_names(ctx, setup, [result], True), True


# -- sort keys --------------------------------------------------------------------------------------


def names_sort_key(ctx: Context, variable: str, key_el: El | None) -> str:
    """A sort key for a name variable: every name in sort order, honouring names-min/-use-first/-use-last."""
    raws = _names_of(ctx, variable)
    if not raws:
        return ""
    # The key's names-* attributes override the inherited et-al ones (which apply otherwise).
    attrs = dict(ctx.name_options)
    if key_el is not None:
        for key_attr, target in (("names-min", "et-al-min"), ("names-use-first", "et-al-use-first"),
                                 ("names-use-last", "et-al-use-last")):
            if key_attr in key_el.attrs:
                attrs[target] = key_el.attrs[key_attr]
    opts = NameOptions(attrs)
    etal_min, use_first = opts.int("et-al-min"), opts.int("et-al-use-first")
    picked = raws
    if etal_min is not None and use_first is not None and use_first <= etal_min <= len(raws):
        picked = raws[:use_first]
        if opts.get("et-al-use-last") == "true" and len(raws) >= use_first + 2:
            picked = picked + raws[-1:]
    demote = ctx.style.attrs.get("demote-non-dropping-particle", "display-and-sort")
    keys = []
    language = ctx.item.get("language")
    for raw in picked:
        name = _person(raw if isinstance(raw, dict) else {"literal": str(raw)}, language).name
        if "literal" in name:
            keys.append(name["literal"])
            continue
        strip = str.maketrans("", "", "'\u2019")
        ndp = name["non-dropping-particle"].translate(strip)
        dp = name["dropping-particle"].translate(strip)
        if demote == "never":
            head = " ".join(p for p in (ndp, name["family"], dp) if p)
            tail = name["given"]
        else:
            head = name["family"]
            tail = " ".join(p for p in (name["given"], dp, ndp) if p)
        keys.append(SORT_SEP.join(p for p in (head, tail, name["suffix"]) if p))
    return SORT_SEP.join(keys)
