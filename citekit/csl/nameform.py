"""One name as output nodes (CSL 1.0.2 "Name", "Name-part Formatting"): order, particles, initials.

``names.py`` decides which names of a list show and joins them; this module renders each one the
way citeproc-js does (util_names_render.js): the family name-part's affixes wrap particles, family
and suffix, its formatting applies to the non-dropping particle and family; the given name-part's
formatting to given and dropping particle; names without romanesque letters run family first with
no space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from citekit.csl.context import Context
from citekit.csl.nameparts import NAME_PARTS, initialize, normalize_initials
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, formatting, is_empty
from citekit.csl.rich import parse_rich
from citekit.csl.style import El

SORT_SEP = " "  # between name parts in sort keys: below every letter, so "Doe John" < "Doeb Adam"
_JOINERS = ("'", "\u02bc", "\u2019", "-")
PLAIN = Formatting()
_ET_AL = re.compile(r"^et.?al[^a-z]$")


def name_key(name: dict[str, Any]) -> str:
    """A stable key for one name (disambiguation settings are keyed by it)."""
    if name.get("literal"):
        return "literal:" + str(name["literal"])
    return "|".join([str(name.get(p) or "") for p in NAME_PARTS])


@dataclass(slots=True)
class NameOptions:
    """The cs:name options in force: the element's own over the inherited ones."""

    attrs: dict[str, str]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrs.get(key, default)

    def int(self, key: str) -> int | None:
        value = self.attrs.get(key)
        return int(value) if value is not None and value.strip().isdigit() else None


def name_options(ctx: Context, name_el: El | None) -> NameOptions:
    """cs:name's attributes over the inherited ones (``name-form``/``name-delimiter`` fill form/delimiter)."""
    inherited = dict(ctx.name_options)
    if "name-form" in inherited:
        inherited.setdefault("form", inherited["name-form"])
    if "name-delimiter" in inherited:
        inherited.setdefault("delimiter", inherited["name-delimiter"])
    own = dict(name_el.attrs) if name_el is not None else {}
    return NameOptions({**inherited, **own})


def formatting_of(el: El | None) -> Formatting:
    """An element's Formatting (plain for a missing element)."""
    if el is None:
        return PLAIN
    return formatting(el)


# Formattings derived from an element's (which lives as long as its style), made once: keyed by
# the id of the original, which the entry keeps alive. Callers treat them as read-only.
_DERIVED: dict[tuple[int, str], tuple[Formatting, Formatting]] = {}


def _derived(fmt: Formatting, how: str, **changes: Any) -> Formatting:
    key = (id(fmt), how)
    found = _DERIVED.get(key)
    if found is None or found[0] is not fmt:
        if len(_DERIVED) > 4096:
            _DERIVED.clear()
        found = _DERIVED[key] = (fmt, replace(fmt, **changes))
    return found[1]


def strip_affixes(fmt: Formatting, delimiter: bool = True) -> Formatting:
    """Without prefix and suffix (and delimiter): the formatting that goes inside affixes."""
    if delimiter:
        return _derived(fmt, "bare", prefix=None, suffix=None, delimiter=None)
    return _derived(fmt, "no-affixes", prefix=None, suffix=None)


def without_delimiter(fmt: Formatting) -> Formatting:
    """Without the delimiter (names joins its own lists)."""
    return _derived(fmt, "no-delimiter", delimiter=None)


def rich(text: str) -> list[Node]:
    """A name part's text as nodes: input markup and typographic apostrophes, as in other fields."""
    return parse_rich(text)


# -- building blocks --------------------------------------------------------------------------------


def _part(text: str, decor: Formatting | None) -> Node | None:
    if not text:
        return None
    nodes = parse_rich(text)
    if decor is None:  # NameParts holds None for a plain decoration
        return nodes[0] if len(nodes) == 1 else Span(nodes)
    # text without markup is one Text, never empty: the span need not be searched for text
    return Span(nodes, decor, len(nodes) == 1 and type(nodes[0]) is Text)


def join_nodes(parts: list[Node | None], sep: str) -> Node | None:
    """Non-empty parts joined by ``sep``."""
    kept = [p for p in parts if p is not None and (p.text if type(p) is Text else not is_empty(p))]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    out: list[Node] = [kept[0]]
    for p in kept[1:]:
        # a part already ending in a space (a name-part suffix of "&#160;") absorbs the separator's
        # leading space, as citeproc-js's output does
        joint = sep[1:] if sep.startswith(" ") and _ends_with_space(out[-1]) else sep
        if joint:
            out.append(Text(joint))
        out.append(p)
    return Span(out, PLAIN, True)  # the kept parts hold text


def _ends_with_space(node: Node) -> bool:
    return _last_char(node) in (" ", "\u00a0", "\u202f")


def _last_char(node: Node) -> str:
    """The last character of ``text_of(node)``, found without building the text."""
    if type(node) is Text:
        return node.text[-1:]
    for child in reversed(node.children):  # type: ignore[union-attr]
        char = _last_char(child)
        if char:
            suffix = node.fmt.suffix if type(node) is Span else None
            return suffix[-1] if suffix else char
    return ""


def is_et_al(particle: str) -> bool:
    """A dropping particle that is really "et al." typed into the name (citeproc-js's test)."""
    return bool(_ET_AL.match(particle))


def _hyphenated(ndp: str) -> bool:
    return bool(ndp) and ndp[-1] in ("'", "\u2019", "-", " ")


# -- one name ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class NameParts:
    """The name-part elements of a cs:name and their affix-free decorations (None when plain)."""

    family_el: El | None
    given_el: El | None
    family: Formatting | None
    given: Formatting | None
    # CSL-M cs:institution in the cs:names: institutional names then take its formatting instead of
    # the family name-part's (citeproc-js), so a style can capitalise surnames only.
    institution: Formatting | None = None
    has_institution: bool = False


def name_parts(name_el: El | None, institution_el: El | None = None) -> NameParts:
    """cs:name's family and given cs:name-part elements (and a CSL-M cs:institution)."""
    fam = giv = None
    if name_el is not None:
        for child in name_el.findall("name-part"):
            if child.get("name") == "family":
                fam = child
            elif child.get("name") == "given":
                giv = child
    family = _decoration(fam) if fam else None
    given = _decoration(giv) if giv else None
    if institution_el is not None:
        return NameParts(fam, giv, family, given, _decoration(institution_el), True)
    return NameParts(fam, giv, family, given)


def _decoration(el: El) -> Formatting | None:
    """An element's formatting inside its affixes; None when that is plain."""
    fmt = strip_affixes(formatting_of(el))
    return None if fmt.is_plain() else fmt


def _affixes(part_el: El | None) -> Formatting | None:
    """A name-part's affixes alone (None when it has none): they wrap particles and suffix too."""
    fmt = formatting_of(part_el)
    if not fmt.prefix and not fmt.suffix:
        return None
    return Formatting(prefix=fmt.prefix, suffix=fmt.suffix)


@dataclass(slots=True)
class NameForm:
    """A cs:name as its names are rendered: the options in force, read once per cs:names setup.

    ``memo`` keeps each name's rendering (names recur across a library); its nodes are shared,
    and, like every output node, never changed once made.
    """

    opts: NameOptions
    parts: NameParts
    form: str
    base_level: int  # the name's level before disambiguation: 0 short, 1 initials, 2 full
    initialize_with: str | None
    initialize: bool
    first_only: bool
    sort_separator: str
    suffix_separator: str | None
    name_as_sort_order: str | None
    demote: str
    hyphen: bool
    with_initials: bool  # a "-with-initials" givenname-disambiguation-rule
    family_affixes: Formatting | None
    given_affixes: Formatting | None
    memo: dict[tuple[Any, ...], tuple[Node | None, bool]]


def name_form(ctx: Context, opts: NameOptions, parts: NameParts) -> NameForm:
    """The options of a cs:name (``opts``, ``parts``) and of the style that its names read."""
    form = opts.get("form", "long") or "long"
    iw = opts.get("initialize-with")
    citation = ctx.style.citation
    rule = citation.el.get("givenname-disambiguation-rule", "") if citation is not None else ""
    return NameForm(
        opts, parts, form, 0 if form == "short" else (1 if iw is not None else 2), iw,
        opts.get("initialize") != "false", opts.get("citekit:initials") == "first",
        opts.get("sort-separator", ", ") or "", opts.get("citekit:suffix-separator"),
        opts.get("name-as-sort-order"),
        ctx.style.attrs.get("demote-non-dropping-particle", "display-and-sort"),
        ctx.style.attrs.get("initialize-with-hyphen") != "false", (rule or "").endswith("-with-initials"),
        _affixes(parts.family_el) if parts.family_el is not None else None,
        _affixes(parts.given_el) if parts.given_el is not None else None,
        {})


def _affixed(node: Node | None, affixes: Formatting | None) -> Node | None:
    """``node`` (a join_nodes result: None or holding text) inside a name-part's affixes."""
    if node is None or affixes is None:
        return node
    return Span([node], affixes, True)


def _given_text(name: dict[str, Any], nf: NameForm, level: int) -> str:
    """The given name at a level: 1 initials (with initialize-with), 2 as written (citeproc-js's rules)."""
    given = name["given"]
    iw = nf.initialize_with
    if not name["family"] or level != 1 or (iw is None and not nf.with_initials):
        return given
    # the "-with-initials" disambiguation rules give bare initials when the style sets no
    # initialize-with; initialize="false" only normalises the initials already there
    if not nf.initialize:
        return normalize_initials(given, iw or "", hyphen=nf.hyphen)
    if name["script"] == 0:
        return given
    return initialize(given, iw or "", hyphen=nf.hyphen, first_only=nf.first_only)


def _render_person(ctx: Context, name: dict[str, Any], nf: NameForm, *, level: int,
                   inverted: bool) -> tuple[Node | None, bool]:
    """One personal name; the flag says whether it came out inverted (family first)."""
    sort = ctx.mode == "sort"
    parts = nf.parts
    demote = nf.demote
    ndp_s, dp_s = name["non-dropping-particle"], name["dropping-particle"]
    comma_dp = name["comma-dropping-particle"]
    if dp_s and is_et_al(dp_s):  # "John, et al." in the data: names.py ends the list with et-al instead
        dp_s = comma_dp = ""
    if sort:
        ndp_s = ndp_s.replace("'", "").replace("\u2019", "")
        dp_s = dp_s.replace("'", "").replace("\u2019", "")
    family = _part(name["family"], parts.family)
    ndp = _part(ndp_s, parts.family)
    if level == 0:  # short form: family only (a name with only a given name shows nothing, as in citeproc-js)
        dp = given = suffix = None
    else:
        dp = _part(dp_s, parts.given)
        given = _part(_given_text(name, nf, level), parts.given)
        suffix_s = name["suffix"]
        if suffix_s and nf.initialize_with is not None:
            suffix_s = normalize_initials(suffix_s, nf.initialize_with, hyphen=nf.hyphen)
        suffix = _part(suffix_s, None)
    sort_sep = nf.sort_separator
    script = name["script"]
    if script == 0:
        return join_nodes([ndp, family, given], ""), False
    # French, Russian and Czech keep particles on the family name's line (citeproc-js)
    nbsp = "\u00a0" if ctx.locale.lang[:2] in ("fr", "ru", "cs") else " "
    if script == 1 or name["static-ordering"]:
        return join_nodes([join_nodes([ndp, family], nbsp), given], " "), False
    if sort:
        if demote == "never":
            merged = join_nodes([join_nodes([ndp, family, dp], " "), given], SORT_SEP)
        else:
            merged = join_nodes([family, join_nodes([given, dp, ndp], " ")], SORT_SEP)
        return join_nodes([merged, suffix], " "), True
    if inverted:
        if name["given"] in ("Lord", "Lady"):
            sort_sep = ", "
        if demote in ("always", "display-and-sort"):
            second = join_nodes([join_nodes([given, dp], comma_dp + " "), ndp], " ")
            first = family
        else:
            first = join_nodes([ndp, family], "" if _hyphenated(ndp_s) else nbsp)
            second = join_nodes([given, dp], comma_dp + " ")
        merged = join_nodes([_affixed(first, nf.family_affixes), _affixed(second, nf.given_affixes)], sort_sep)
        # CSL joins an inverted name's suffix with the sort-separator; GB/T 7714 prints
        # "PEEBLES P Z, Jr" with a space as the sort-separator, so a style may name its own
        suffix_sep = nf.suffix_separator
        return join_nodes([merged, suffix], sort_sep if suffix_sep is None else suffix_sep), True
    if dp_s and name["family"] and not ndp_s and dp_s[-1] in _JOINERS and dp_s[:-1] != "de":
        family, dp = join_nodes([dp, family], ""), None  # "d'" + "Aubignac"
    if _hyphenated(ndp_s):
        second = join_nodes([dp, join_nodes([ndp, family], "")], nbsp)
    else:
        second = join_nodes([dp, ndp, family], nbsp)
    second = join_nodes([second, suffix], ", " if name["comma-suffix"] else " ")
    second = _affixed(second, nf.family_affixes)
    if nf.family_affixes is not None and nf.family_affixes.prefix:
        comma_dp = ""
    iw = nf.initialize_with or ""
    space = nbsp if ("\u00a0" in iw or "\ufeff" in iw) and level == 1 else " "
    return join_nodes([_affixed(given, nf.given_affixes), second], comma_dp + space), False


def render_name(ctx: Context, raw: dict[str, Any], name: dict[str, Any], key: str, nf: NameForm, index: int,
                memo_key: tuple[Any, ...] | None) -> tuple[Node | None, bool]:
    """One name of a list (``index`` counts from 0) as ``Tag("name", raw)``; the flag: inverted.

    ``name`` is ``raw`` normalised, ``key`` its ``name_key``; ``memo_key``, when given, stands for
    ``name`` (its parts and the item language they were read with).
    """
    if "literal" in name:
        parts = nf.parts
        decor = parts.institution if parts.has_institution else parts.family
        return Tag("name", raw, [_part(name["literal"], decor) or Text("")]), False
    disamb = ctx.disamb
    level = nf.base_level
    if disamb.givenname:
        level = max(level, disamb.givenname.get(key, 0))
    if disamb.givenname_all > level:
        level = disamb.givenname_all
    nas = "all" if ctx.mode == "sort" else nf.name_as_sort_order
    inverted = nas == "all" or (nas == "first" and index == 0)
    if memo_key is None:
        node, inv = _render_person(ctx, name, nf, level=level, inverted=inverted)
    else:
        full_key = (memo_key, level, inverted, ctx.mode, ctx.locale.lang)
        found = nf.memo.get(full_key)
        if found is None:
            if len(nf.memo) > 4096:
                nf.memo.clear()
            found = nf.memo[full_key] = _render_person(ctx, name, nf, level=level, inverted=inverted)
        node, inv = found
    if node is None:
        return None, False
    return Tag("name", raw, [node]), inv
