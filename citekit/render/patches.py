"""Targeted fixes to citeproc-py 0.11.1 internals (pinned exactly in pyproject.toml).

Each fix names the defect it repairs (numbers from the engines notes) and has a regression test
in ``tests/render/test_patches.py``. :func:`apply` is idempotent and refuses to patch any other
citeproc-py version, because these functions replace internals that change between releases.
It also installs :mod:`citekit.render.speed` (caches and fast paths that leave output unchanged).
"""

from __future__ import annotations

import contextvars
import re

import citeproc
import citeproc.string
from citeproc import frontend, model
from citeproc import source as csl_source

from citekit.render import speed

PINNED = "0.11.1"
_applied = False


# --- D1: group suppression evaluated statically --------------------------------------------------
# citeproc-py asks every child "could you call a variable?" without looking at which cs:choose
# branch is taken, so a group holding [<text macro="type-code"/>] is suppressed for every item
# without URL/DOI because an untaken branch names those variables.

def _if_matches(self: model.If, item, context=None) -> bool:
    """Evaluate a cs:if/cs:else-if condition (same semantics as citeproc-py, one reference fetch)."""
    attrib = self.attrib
    ref = item.reference
    results: list[bool] = []
    if "type" in attrib:
        rtype = ref.type
        results += [t.lower() == rtype for t in attrib["type"].split()]
    if "variable" in attrib:
        results += [("locator" in item) if v == "locator" else (v.replace("-", "_") in ref)
                    for v in attrib["variable"].split()]
    if "is-numeric" in attrib:
        results += self._is_numeric(item)
    if "is-uncertain-date" in attrib:
        results += self._is_uncertain_date(item)
    if "locator" in attrib:
        results += self._locator(item)
    if "position" in attrib:
        results += self._position(item, context)
    match = attrib.get("match")
    if match == "any":
        return any(results)
    if match == "none":
        return not any(results)
    return all(results)


def _if_render(self: model.If, item, context=None, delimiter="", **kwargs):
    if not _if_matches(self, item, context):
        raise model.ConditionFailed
    return self.render_children(item, context=context, delimiter=delimiter, **kwargs)


def taken_branch(choose, item, context=None):
    """The cs:if/else-if/else child of ``choose`` that applies to ``item`` (None: no branch).

    Decided once per item and cs:choose (the group check and the rendering both need it), except
    for position tests, which depend on the citations rendered so far.
    """
    cache = dict.get(item, "_citekit_branches")
    if cache is None:
        cache = {}
        dict.__setitem__(item, "_citekit_branches", cache)
    key = id(choose)  # style elements are kept alive by the engine, so ids are not reused
    if key in cache:
        return cache[key]
    branch, cacheable = None, True
    for child in choose.iterchildren():
        if isinstance(child, model.Else):
            branch = child
            break
        if "position" in child.attrib:
            cacheable = False
        if _if_matches(child, item, context):
            branch = child
            break
    if cacheable:
        cache[key] = branch
    return branch


def _choose_render(self: model.Choose, item, context=None, delimiter="", **kwargs):
    branch = taken_branch(self, item, context)
    if branch is None:
        return None
    return branch.render_children(item, context=context, delimiter=delimiter, **kwargs)


def calls_variable_for(element, item, context=None) -> bool:
    """Does ``element`` call a variable *for this item* (only the cs:choose branch taken counts)?"""
    static = element.__dict__.get("_citekit_calls")
    if static is not None:
        return static
    dynamic = isinstance(element, model.Choose) or (isinstance(element, model.Text) and "macro" in element.attrib)
    if not dynamic:
        result = element.__dict__["_citekit_calls"] = element.calls_variable()
        return result
    cache = dict.get(item, "_citekit_calls")
    if cache is None:
        cache = {}
        dict.__setitem__(item, "_citekit_calls", cache)
    key = id(element)  # style elements are kept alive by the engine, so ids are not reused
    if key not in cache:
        if isinstance(element, model.Choose):
            branch = taken_branch(element, item, context)
            children = branch.iterchildren() if branch is not None else ()
        else:
            children = element.get_macro(element.get("macro")).iterchildren()
        cache[key] = any(calls_variable_for(c, item, context) for c in children)
    return cache[key]


def _group_process(self: model.Group, item, context=None, **kwargs):
    output = []
    variable_called = variable_rendered = False
    delimiter = self.get("delimiter", "")
    for child in self.iterchildren():
        calls = calls_variable_for(child, item, context)
        variable_called = variable_called or calls
        try:
            if isinstance(child, model.Choose):
                text = child.render(item, context=context, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
        except citeproc.source.VariableError:
            continue
        if text is not None:
            output.append(text)
            variable_rendered = variable_rendered or calls
    if output and (not variable_called or variable_rendered):
        return self.join(output)
    raise citeproc.source.VariableError


# --- corporate names upper-cased ---------------------------------------------------------------
# Styles upper-case the family name-part (GB/T 2015), and citeproc-py hands a literal name to the
# same name-part. The names being rendered are published in a context variable so the name-part
# can recognise a literal and leave its case alone.

_LITERALS: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("citekit_literals", default=frozenset())
_original_name_process = model.Name.process


def _name_process(self: model.Name, item, variable, context=None, sort_options=None, **kwargs):
    try:
        names = item.reference.get(variable) or []
    except AttributeError:
        names = []
    literals = frozenset(str(n["literal"]) for n in names if "literal" in n)
    token = _LITERALS.set(literals)
    try:
        return _original_name_process(self, item, variable, context=context, sort_options=sort_options, **kwargs)
    finally:
        _LITERALS.reset(token)


_original_format_part = model.Name_Part.format_part


def _format_part(self: model.Name_Part, given, family):
    if self.get("name") == "family" and family is not None and str(family) in _LITERALS.get():
        # Affixes and fonts still apply; text-case does not (GB/T keeps institutions as written).
        return given, self.wrap(self.format(family))
    return _original_format_part(self, given, family)


# --- D3: an empty ordinal term (zh-CN) is a real term, not a missing one --------------------------

def _to_ordinal(number, context) -> str:
    # All three term names are tried in one locale before the next: with citeproc-py's order,
    # English "ordinal-02" ("nd") won over the zh-CN locale's empty "ordinal".
    names = [f"ordinal-{number:02}" if len(str(number)) == 1 else f"ordinal-{number}",
             f"ordinal-{int(str(number)[-1]):02}", "ordinal"]
    root = context.get_root()
    locales = root.locales if not isinstance(root, model.Locale) else [root]
    for locale in locales:
        for i, name in enumerate(names):
            try:
                term = locale.get_term(name, None, zero_padded=(i == 1))
            except IndexError:
                continue
            if term is not None:
                return str(number) + str(term.single)
    return str(number)


# --- date ranges ----------------------------------------------------------------------------------
# citeproc-py renders the shared parts after the range and keeps the first date's suffix before
# the dash ("1,–4, February 2000"). CSL wants the differing parts ranged in place, the rest once,
# with the range-delimiter of the largest differing part: "February 1–4, 2000".

_GRANULARITY = ("year", "month", "day")


def _render_date_range(self: model.Date, date_range, show_parts=None, context=None):
    begin, end = date_range.begin, date_range.end
    show = list(show_parts) if show_parts else list(_GRANULARITY)
    if end.is_nil():
        return self.render_single_date(begin, show, context)
    differ: tuple[str, ...] = ()
    for n, part in enumerate(_GRANULARITY):
        if begin.get(part) != end.get(part):
            differ = _GRANULARITY[n:]
            break
    children = [p for p in self.iterchildren() if p.get("name") in show]
    idx = [i for i, p in enumerate(children) if p.get("name") in differ]
    if not idx:
        return self.render_single_date(begin, show, context)

    def render(part, date) -> str:
        try:
            text = part.render(date, context)
        except (citeproc.source.VariableError, AttributeError, KeyError):
            return ""
        return str(text) if text else ""

    first, last = idx[0], idx[-1]
    start = "".join(render(p, begin) for p in children[first:last + 1])
    suffix = children[last].get("suffix", "")
    if suffix and start.endswith(suffix):
        start = start[: -len(suffix)]
    finish = "".join(render(p, end) for p in children[first:last + 1])
    largest = next(p for p in children if p.get("name") == differ[0]) if any(
        p.get("name") == differ[0] for p in children) else children[first]
    delimiter = largest.get("range-delimiter", "\u2013")
    parts = [render(p, begin) for p in children[:first]]
    parts.append(start.rstrip() + delimiter + finish)
    parts += [render(p, end) for p in children[last + 1:]]
    style_context = context if self.is_locale_date() else self
    return style_context.join([p for p in parts if p])


# --- O(n²) look-ups: list membership in register, keys.index in number ---------------------------

def _register(self: frontend.CitationStylesBibliography, citation, callback=None):
    citation.bibliography = self
    index = self.__dict__.setdefault("_key_index", {})
    for item in citation.cites:
        if item.key in self.source:
            if item.key not in index:
                index[item.key] = len(self.keys)
                self.keys.append(item.key)
                self.items.append(item)
        elif callback is not None:
            callback(item)


def _sort(self: frontend.CitationStylesBibliography):
    self.items = self.style.sort_bibliography(self.items)
    self.keys = [item.key for item in self.items]
    self.__dict__["_key_index"] = {k: i for i, k in enumerate(self.keys)}


def _number(self: csl_source.CitationItem) -> int:
    bib = self.bibliography
    index = bib.__dict__.get("_key_index")
    if index is None or len(index) != len(bib.keys):
        index = bib.__dict__["_key_index"] = {k: i for i, k in enumerate(bib.keys)}
    # A forked worker renders one slice of a long list; its numbers continue from the offset.
    return index[self.key] + 1 + bib.__dict__.get("_number_offset", 0)


def _is_bad(self: csl_source.CitationItem) -> bool:
    bib = self.bibliography
    index = bib.__dict__.get("_key_index")
    return self.key not in (index if index is not None else bib.keys)


# --- citekit's CSL extension: citekit:initials="first" on cs:name ---------------------------------
# The nist.gov portal keeps the first initial only ("Lemmon, E." for Eric W.); CSL cannot say so.

CITEKIT_NS = "https://citekit.dev/csl"
_original_initialize = model.Name.initialize


def _initialize(self: model.Name, given, mark, context):
    if self.get(f"{{{CITEKIT_NS}}}initials") == "first" and given:
        words = str(given).replace(".", ". ").split()
        given = words[0] if words else given
    return _original_initialize(self, given, mark, context)


# --- Chinese sort keys by pinyin (GB/T 7714 9.2) ------------------------------------------------
# citeproc-py compares sort keys by code point, which scatters Chinese names. Keys holding CJK
# text compare by their pinyin (tone-numbered), the original text breaking ties.

_original_sort_keys = model.Key.sort_keys
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def collation_key(value):
    if value is None or isinstance(value, (int, float)) or not _CJK.search(str(value)):
        return value  # keys may be str, citeproc String or MixedString (a list of strings)
    from pypinyin import Style, lazy_pinyin

    text = str(value)
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda x: [x])
    return " ".join(syllables) + "\x00" + text


def _sort_keys(self, items, context):
    return [collation_key(k) for k in _original_sort_keys(self, items, context)]


def apply() -> None:
    """Install every fix once. Raises if citeproc-py is not the pinned version."""
    global _applied
    if _applied:
        return
    if citeproc.__version__ != PINNED:
        raise RuntimeError(f"citekit patches citeproc-py {PINNED}, found {citeproc.__version__}")
    model.If.render = _if_render
    model.Else_If.render = _if_render
    model.Group.process = _group_process
    model.Choose.render = _choose_render
    model.Key.sort_keys = _sort_keys
    model.Name.process = _name_process
    model.Name_Part.format_part = _format_part
    model.to_ordinal = _to_ordinal
    model.Name.initialize = _initialize
    model.Date.render_date_range = _render_date_range
    # available-date: unknown to citeproc-py, so it was kept as a string and crashed Date.
    for names in (citeproc.DATES, citeproc.VARIABLES):
        if "available_date" not in names:
            names.append("available_date")
    frontend.CitationStylesBibliography.register = _register
    frontend.CitationStylesBibliography.sort = _sort
    csl_source.CitationItem.number = property(_number)
    csl_source.CitationItem.is_bad = _is_bad
    speed.apply()
    _applied = True
