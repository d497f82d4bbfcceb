"""Disambiguation (CSL 1.0.2 "Disambiguation"): the document-level pass that makes cites unique.

Ambiguity is judged per item, as citeproc-js does: every registered item is rendered once as a
*probe* (its cite in subsequent position, no locator, plain text, the accessed date left out);
items whose probes read the same are ambiguous. Each ambiguous group then walks the style's
methods in citeproc-js's order (``disambig_steps.py``):

1. names — ``disambiguate-add-names`` (one more name at a time) and, with the ``by-cite`` rule,
   ``disambiguate-add-givenname`` (each shown name to initials, then to its full given name);
2. the ``disambiguate="true"`` condition;
3. ``disambiguate-add-year-suffix``, in bibliography order.

With ``disambiguate-add-givenname`` and the ``all-names``/``primary-name`` rules (and their
``-with-initials`` forms) names are disambiguated across the whole document, ambiguous cites or
not ("global name disambiguation"); ``sort_disamb`` gives those expansions to sort keys.

Cost: one probe render per item; only items whose probes collide are rendered again.
Modules: ``disambig_names.py`` (name keys, rendered namesets), ``disambig_steps.py`` (a group's walk).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from citekit.csl.context import CiteInfo, Disamb
from citekit.csl.disambig_names import (
    Nameset,
    family_key,
    given_key,
    initials_key,
    is_person,
    name_key,
    rendered_namesets,
)
from citekit.csl.nodes import Node, Span, Tag, Text

if TYPE_CHECKING:
    from citekit.csl.processor import Cite, Processor
    from citekit.csl.style import El

_GLOBAL_RULES = ("all-names", "all-names-with-initials", "primary-name", "primary-name-with-initials")


@dataclass(slots=True)
class Options:
    """The cs:citation disambiguation options that matter to the pass."""

    add_names: bool = False
    add_givenname: bool = False
    rule: str = "by-cite"
    year_suffix: bool = False
    condition: int = 0  # how many disambiguate="true" tests the style has (outside the bibliography)

    @property
    def active(self) -> bool:
        return self.add_names or self.add_givenname or self.year_suffix or self.condition > 0

    @property
    def global_names(self) -> bool:
        return self.add_givenname and self.rule in _GLOBAL_RULES

    @property
    def by_cite_givens(self) -> bool:
        return self.add_givenname and self.rule not in _GLOBAL_RULES


def options(section_el: El, style_root: El) -> Options:
    """Read the options from ``cs:citation`` (and whether the style tests ``disambiguate``)."""
    attrs = section_el.attrs
    return Options(
        add_names=attrs.get("disambiguate-add-names") == "true",
        add_givenname=attrs.get("disambiguate-add-givenname") == "true",
        rule=attrs.get("givenname-disambiguation-rule") or "by-cite",
        year_suffix=attrs.get("disambiguate-add-year-suffix") == "true",
        condition=_tests_disambiguate(style_root),
    )


def _tests_disambiguate(el: El) -> int:
    count = 0
    stack = [el]
    while stack:
        node = stack.pop()
        if node.name in ("if", "else-if") and node.attrs.get("disambiguate") == "true":
            count += 1
        if node.name != "bibliography":  # a test only the bibliography makes cannot tell cites apart
            stack.extend(node.children)
    return count


def _incremental_condition() -> bool:
    """Whether the evaluator counts ``disambiguate="true"`` tests (citeproc-js: the n-th test of a
    rendering is true while n <= the cite's level), so that levels above 1 mean something."""
    from citekit.csl.context import Context

    return "disamb_tests" in getattr(Context, "__dataclass_fields__", {})


# -- the pass ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Probe:
    item_id: str
    cite: Cite
    disamb: Disamb
    node: Node | None = None
    text: str = ""
    namesets: list[Nameset] = field(default_factory=list)


def copy_disamb(d: Disamb, **changes: Any) -> Disamb:
    """A Disamb that shares nothing mutable with ``d``."""
    new = Disamb(d.add_names, dict(d.givenname), d.givenname_all, d.year_suffix, d.condition)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


class _Pass:
    """One run of the disambiguation over a processor's registered items."""

    def __init__(self, proc: Processor, opts: Options, ids: list[str]) -> None:
        self.proc = proc
        self.opts = opts
        self.ids = ids
        self.order = {item_id: i for i, item_id in enumerate(ids)}
        self.probes: dict[str, _Probe] = {}
        self.renders = 0
        self.bib_order: dict[str, int] | None = None
        self.first_notes: dict[str, int] = {}
        # family name -> initials -> given names, of the names rendered (global name disambiguation)
        self.registry: dict[str, dict[str, set[str]]] = {}

    # rendering

    def probe(self, item_id: str) -> _Probe:
        from citekit.csl.processor import Cite, CiteRef

        proc = self.proc
        info = CiteInfo(position="subsequent", near_note=True, citation_number=proc.citation_number(item_id))
        if not self.opts.global_names:
            # citeproc-js compares by-cite forms with the note a cite refers back to ("See note 1")
            info.first_reference_note_number = self.first_notes.get(item_id)
        cite = Cite(CiteRef(item_id), proc.item(item_id), -1, info)
        p = _Probe(item_id, cite, Disamb())
        self.probes[item_id] = p
        self.refresh(p)
        return p

    def render(self, p: _Probe, disamb: Disamb) -> tuple[Node | None, str]:
        self.renders += 1
        node = self.proc.render_cite(p.cite, disamb=disamb)
        return node, key_text(node)

    def refresh(self, p: _Probe) -> None:
        p.node, p.text = self.render(p, p.disamb)
        p.namesets = rendered_namesets(p.node, p.cite.item)

    def groups(self, ids: Iterable[str]) -> list[list[str]]:
        """Ids whose probes read the same (an empty rendering is never ambiguous)."""
        by_text: dict[str, list[str]] = {}
        for item_id in ids:
            text = self.probes[item_id].text
            if text:
                by_text.setdefault(text, []).append(item_id)
        return [g for g in by_text.values() if len(g) > 1]

    # the methods

    def run(self) -> None:
        for item_id in self.ids:
            self.probe(item_id)
        # citeproc-js groups items on their plain form: names the global pass expands still count
        # as ambiguous, and the group's walk then sees the expansions
        keys = {item_id: p.text for item_id, p in self.probes.items()}
        if self.opts.global_names:
            self.global_names()
        by_key: dict[str, list[str]] = {}
        for item_id in self.ids:
            if keys[item_id]:
                by_key.setdefault(keys[item_id], []).append(item_id)
        for group in by_key.values():
            if len(group) > 1:
                self.resolve(group)

    def resolve(self, group: list[str]) -> None:
        from citekit.csl.disambig_steps import GroupRun

        levels = self.opts.condition if _incremental_condition() else min(1, self.opts.condition)
        run = GroupRun([self.probes[i] for i in group], self.opts, lambda p, d: self.render(p, d)[1],
                       self.bib_rank, levels, self.show_more if self.opts.global_names else None)
        for item_id, disamb in run.run().items():
            p = self.probes[item_id]
            p.disamb = disamb

    def bib_rank(self, item_id: str) -> int:
        if self.bib_order is None:
            self.bib_order = {i: n for n, i in enumerate(self.proc.bibliography_order(self.ids))}
        return self.bib_order.get(item_id, len(self.bib_order) + self.order.get(item_id, 0))

    def global_names(self) -> None:
        """Expand given names wherever two rendered names share a family name (all-names, primary-name)."""
        for p in self.probes.values():
            for ns in p.namesets:
                self.register_names(ns.shown)
        for p in self.probes.values():
            if self.global_levels(p):
                self.refresh(p)

    def register_names(self, names: Iterable[dict[str, Any]]) -> None:
        primary_only = self.opts.rule.startswith("primary-name")
        for i, name in enumerate(names):
            if primary_only and i > 0:
                break
            if is_person(name) and name.get("given"):
                forms = self.registry.setdefault(family_key(name), {})
                forms.setdefault(initials_key(name), set()).add(given_key(name))

    def global_levels(self, p: _Probe) -> bool:
        """Set the registry's given-name levels on a probe (True when something changed)."""
        changed = False
        for key, level in self.registry_levels(p).items():
            if level > p.disamb.givenname.get(key, 0):
                p.disamb.givenname[key] = level
                changed = True
        return changed

    def registry_levels(self, p: _Probe) -> dict[str, int]:
        """The given-name levels the global name registry asks for, by name key."""
        primary_only = self.opts.rule.startswith("primary-name")
        with_initials = self.opts.rule.endswith("with-initials")
        levels: dict[str, int] = {}
        for ns in p.namesets:
            for i, name in enumerate(ns.names):
                if not is_person(name) or not name.get("given") or (primary_only and i > 0):
                    continue
                forms = self.registry.get(family_key(name))
                if not forms:
                    continue
                level = 1 if len(forms) > 1 else 0  # initials tell them apart
                if not with_initials and len(forms.get(initials_key(name), ())) > 1:
                    level = 2  # same initials: only the full given name does
                if level:
                    key = name_key(name)
                    levels[key] = max(level, levels.get(key, 0))
        return levels

    def show_more(self, active: list[_Probe], extra: int) -> None:
        """Names that add-names brings into view join the global name registry (as in citeproc-js)."""
        for p in active:
            if p.namesets:
                ns = p.namesets[0]
                self.register_names(ns.names[: len(ns.shown) + extra])
        for p in active:
            self.global_levels(p)


def key_text(node: Node | None) -> str:
    """A cite's plain text as the ambiguity test reads it: the accessed date does not count
    (citeproc-js: two cites differing only in when they were looked at are ambiguous)."""
    if node is None:
        return ""
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Tag) and node.kind == "date" and node.value == "accessed":
        return ""
    if isinstance(node, Span):
        parts = [t for t in (key_text(c) for c in node.children) if t]
        if not parts:
            return ""
        fmt = node.fmt
        return (fmt.prefix or "") + (fmt.delimiter or "").join(parts) + (fmt.suffix or "")
    return "".join(key_text(c) for c in getattr(node, "children", ()))


def registered_ids(proc: Processor, cites: list[Cite]) -> list[str]:
    """The items the pass looks at: everything registered, then anything cited but not registered."""
    ids = list(dict.fromkeys(proc.registered))
    seen = set(ids)
    for cite in cites:
        item_id = cite.item["id"]
        if item_id not in seen:
            seen.add(item_id)
            ids.append(item_id)
    return ids


# The global given-name levels of the last run, per processor (see sort_disamb).
_SORT_LEVELS: WeakKeyDictionary[Any, dict[str, dict[str, int]]] = WeakKeyDictionary()


def sort_disamb(proc: Processor, item_id: str) -> Disamb:
    """What disambiguation changes in an item's sort keys: the global given-name expansions only.

    citeproc-js renders sort keys with the names registry's levels (all-names, primary-name and
    their -with-initials forms) but without the per-cite settings (added names, by-cite given
    names, the condition) and, in makeCitationCluster, without year-suffixes. Empty before
    ``disambiguate`` has run on ``proc``.
    """
    try:
        levels = _SORT_LEVELS.get(proc, {}).get(item_id)
    except TypeError:  # a processor that cannot be weakly referenced keeps nothing here
        levels = None
    return Disamb(givenname=dict(levels)) if levels else Disamb()


def disambiguate(proc: Processor, cites: list[Cite]) -> None:
    """Set ``cite.disamb`` on every cite and ``proc.year_suffixes`` (CSL "Disambiguation").

    A processor with a ``disamb_items`` dict also gets every registered item's settings there.
    """
    section = proc.style.citation
    if section is None:
        return
    opts = options(section.el, proc.style.root)
    if not opts.active:
        return
    run = _Pass(proc, opts, registered_ids(proc, cites))
    for cite in cites:
        if cite.info.note_number is not None:
            run.first_notes.setdefault(cite.item["id"], cite.info.note_number)
    run.run()
    try:
        if opts.global_names:
            _SORT_LEVELS[proc] = {i: lv for i, p in run.probes.items() if (lv := run.registry_levels(p))}
        else:
            _SORT_LEVELS.pop(proc, None)
    except TypeError:  # not weakly referenceable: sort_disamb then has nothing to say
        pass
    proc.year_suffixes = {i: p.disamb.year_suffix for i, p in run.probes.items() if p.disamb.year_suffix}
    items = getattr(proc, "disamb_items", None)
    if isinstance(items, dict):
        # a processor that keeps each item's settings can show the disambiguate condition in its
        # bibliography too (citeproc-js does)
        items.clear()
        items.update({i: copy_disamb(p.disamb) for i, p in run.probes.items()})
    for cite in cites:
        p = run.probes.get(cite.item["id"])
        if p is not None:
            cite.disamb = copy_disamb(p.disamb)
