"""Memoised macro calls: the same inputs render the same text.

A macro such as a type code ("[R/OL]") or an imprint reads a handful of variables, and across a
library the same combinations come back again and again. Each macro's inputs are found once by
walking its CSL: variables it renders (their values matter) and variables it only tests in a
condition (only their presence matters). A call is then looked up by those inputs, the entry's
type and language, and the locale in force, when no substitution has been made yet in the entry.
Macros that use positions, locators or citation numbers are never cached; a substitution made by
a cached call is replayed on every hit. The tests compare whole libraries rendered with and
without the cache.
"""

from __future__ import annotations

from typing import Any

from citeproc import model
from citeproc.source import VariableError

_NS = "{http://purl.org/net/xbiblio/csl}"
_UNCACHEABLE_VARIABLES = {"locator", "citation-number", "first-reference-note-number", "citation-label"}
_RAISED = object()
ENABLED = True
MAX_ENTRIES = 200_000  # a full cache is dropped and refilled: bounded memory on any library
TRIAL = 300  # calls after which a macro whose inputs repeat less than one time in ten stops caching


class _Plan:
    __slots__ = ("calls", "hits", "ok", "presence", "substitutes", "values")

    def __init__(self) -> None:
        self.ok = True
        self.calls = self.hits = 0
        self.substitutes = False  # records what it used in layout.repressed: replayed on a hit
        self.presence: set[str] = set()
        self.values: set[str] = set()


def _variables(attr: str | None) -> list[str]:
    return attr.split() if attr else []


def _walk(element: Any, plan: _Plan, seen: set[str]) -> None:
    for node in element.iter():
        tag = node.tag[len(_NS):] if isinstance(node.tag, str) and node.tag.startswith(_NS) else node.tag
        if tag == "substitute":
            plan.substitutes = True
        if tag in ("if", "else-if"):
            if node.get("position") or node.get("locator") or node.get("disambiguate"):
                plan.ok = False
                return
            plan.presence.update(_variables(node.get("variable")))
            plan.values.update(_variables(node.get("is-numeric")))
            plan.values.update(_variables(node.get("is-uncertain-date")))
        elif tag in ("text", "number", "label", "date", "names"):
            for var in _variables(node.get("variable")):
                if var in _UNCACHEABLE_VARIABLES:
                    plan.ok = False
                    return
                plan.values.add(var)
                if tag == "text" and node.get("form") == "short":
                    plan.values.add(var + "-short")
                if var.startswith("page"):
                    plan.values.add("page")
            if tag == "text" and node.get("macro"):
                name = node.get("macro")
                if name not in seen:
                    seen.add(name)
                    _walk(node.get_macro(name), plan, seen)
                    if not plan.ok:
                        return


def plan_for(text: Any) -> _Plan | None:
    """The inputs of the macro a ``<text macro="…"/>`` calls, or None when it must not be cached."""
    cached = text.__dict__.get("_citekit_plan", _RAISED)
    if cached is not _RAISED:
        return cached
    plan = _Plan()
    _walk(text.get_macro(text.get("macro")), plan, {text.get("macro")})
    plan.presence -= plan.values
    result = text.__dict__["_citekit_plan"] = plan if plan.ok else None
    return result


def _key(text: Any, plan: _Plan, item: Any, context: Any) -> tuple | None:
    ref = item.reference
    layout = (context if context is not None else text).get_layout()
    repressed = layout.__dict__.get("repressed") or getattr(layout, "repressed", None)
    if repressed:
        return None  # a substitution already happened in this entry: render normally
    values = []
    for var in plan.values:
        value = ref.get(var.replace("-", "_"))
        values.append(None if value is None else repr(value))
    presence = tuple(var.replace("-", "_") in ref for var in plan.presence)
    root = text.get_root()
    return (id(text), id(context), id(root.locales), ref.type, ref.get("language"), presence, tuple(values))


_original_text_render = model.Text.render


def text_render(self, item, context=None, **kwargs):
    """Text.render with macro calls looked up by their inputs first."""
    if not ENABLED or "macro" not in self.attrib or kwargs.get("sort_options") is not None:
        return _original_text_render(self, item, context=context, **kwargs)
    plan = plan_for(self)
    if plan is None:
        return _original_text_render(self, item, context=context, **kwargs)
    plan.calls += 1
    if plan.calls > TRIAL and plan.hits * 10 < plan.calls:
        # Inputs that never repeat (a title, a URL): building keys would only cost time.
        self.__dict__["_citekit_plan"] = None
        return _original_text_render(self, item, context=context, **kwargs)
    key = _key(self, plan, item, context)
    if key is None:
        return _original_text_render(self, item, context=context, **kwargs)
    cache = self.get_root().__dict__.setdefault("_citekit_memo", {})
    if len(cache) > MAX_ENTRIES:
        cache.clear()
    hit = cache.get(key, _RAISED)
    layout = (context if context is not None else self).get_layout()
    if hit is _RAISED:
        try:
            text = _original_text_render(self, item, context=context, **kwargs)
        except VariableError:
            cache[key] = (VariableError, _repressed_now(layout))
            raise
        cache[key] = hit = (text, _repressed_now(layout))
    else:
        plan.hits += 1
        # The key required an empty substitution record, so the one saved is the whole effect.
        for tag, variables in hit[1].items():
            layout.repressed.setdefault(tag, []).extend(variables)
    if hit[0] is VariableError:
        raise VariableError
    return hit[0]


def _repressed_now(layout: Any) -> dict[str, list]:
    return {tag: list(vs) for tag, vs in (getattr(layout, "repressed", None) or {}).items()}
