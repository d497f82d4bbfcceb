"""The document API: a style, a set of items, a document's citation clusters → formatted output.

``Processor`` registers the items cited, numbers them, computes positions, runs the
disambiguation and collapsing passes, and renders clusters and the bibliography.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from citekit.csl.context import CiteInfo, Context, Disamb
from citekit.csl.evaluate import evaluate, evaluate_children, render_layout
from citekit.csl.items import ItemError, doi_in_url, normalize_item, whole_cjk_names
from citekit.csl.locale import Locale, load_locale
from citekit.csl.nodes import Formatting, Node, Span, Tag, Text, formatting, is_empty
from citekit.csl.style import El, Section, Style, load_style


@dataclass(slots=True)
class CiteRef:
    """One cite in a cluster: the item and what the author wrote around it."""

    id: str
    locator: str | None = None
    label: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    suppress_author: bool = False
    author_only: bool = False
    position: str | None = None  # forced position (tests); computed when None


@dataclass(slots=True)
class Cluster:
    """A citation: cites rendered together (one footnote in a note style)."""

    items: list[CiteRef]
    note_number: int | None = None
    id: str | None = None


@dataclass(slots=True)
class Cite:
    """A cite being processed: its reference, item, place in the document and settings."""

    ref: CiteRef
    item: dict[str, Any]
    cluster: int
    info: CiteInfo
    disamb: Disamb = field(default_factory=Disamb)


NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"


class Processor:
    """Render citations and bibliographies for ``items`` in ``style``."""

    def __init__(self, style: Style | str | Path, items: Sequence[dict[str, Any]], lang: str | None = None,
                 fmt: str = "html", *, links: bool = False) -> None:
        self.style = style if isinstance(style, Style) else load_style(style)
        self.items: dict[str, dict[str, Any]] = {}
        omit_doi = self.style.attrs.get("citekit:omit-doi-in-url") == "true"
        whole_cjk = self.style.attrs.get("citekit:whole-cjk-names") == "true"
        for i, raw in enumerate(items):
            item = normalize_item(raw, i)
            if omit_doi and doi_in_url(item):
                del item["DOI"]  # GB/T 7714 8.7: a DOI the URL already holds is not printed twice
            if whole_cjk:
                whole_cjk_names(item)
            self.items.setdefault(item["id"], item)
        self.lang = lang or self.style.default_locale or "en-US"
        self.locale = load_locale(self.style, self.lang)
        self.fmt = fmt
        self.links = links
        self.registered: list[str] = []  # ids in order of first citation
        self._numbers: dict[str, int] = {}
        # Set by the disambiguation pass: the bibliography shows year-suffixes (and tests the
        # disambiguate condition) with each item's settings.
        self.year_suffixes: dict[str, int] = {}
        self.disamb_items: dict[str, Disamb] = {}
        self._disambiguated = False
        self._last_order: tuple[tuple[str, ...], list[str]] | None = None  # see bibliography_order
        self._cite_options = self.style.name_options("citation")
        self._bib_options = self.style.name_options("bibliography")

    # -- contexts -----------------------------------------------------------------------------------

    def context(self, item: dict[str, Any], mode: str, info: CiteInfo | None = None,
                disamb: Disamb | None = None, locale: str | None = None, section: str | None = None) -> Context:
        """A context for rendering ``item``; ``section`` picks the name options of a sort."""
        opts = self._bib_options if (section or mode) == "bibliography" else self._cite_options
        ctx = Context(self.style, self.locale_for(locale), item, mode, info or CiteInfo(), disamb or Disamb(), opts)
        ctx.links = self.links
        return ctx

    def locale_for(self, lang: str | None) -> Locale:
        """The processor's locale, or a CSL-M layout's own."""
        if lang is None:
            return self.locale
        return load_locale(self.style, lang)

    def item(self, item_id: str) -> dict[str, Any]:
        try:
            return self.items[item_id]
        except KeyError:
            raise ItemError(f"no item with id {item_id!r}") from None

    # -- registration and numbering -----------------------------------------------------------------

    def register(self, ids: Sequence[str]) -> None:
        seen = set(self.registered)
        for item_id in ids:
            self.item(item_id)
            if item_id not in seen:
                seen.add(item_id)
                self.registered.append(item_id)
        self._numbers = {}

    def bibliography_order(self, ids: Sequence[str] | None = None) -> list[str]:
        """Item ids in bibliography order (the style's sort, else citation order)."""
        ids = list(ids) if ids is not None else (self.registered or list(self.items))
        section = self.style.bibliography
        if section is None or section.sort is None:
            return ids
        from citekit.csl.sorting import sort_items

        # The order depends on nothing but the ids (the keys render with no disambiguation),
        # and numbering and disambiguation ask for the same list: the last one is kept.
        key = tuple(ids)
        if self._last_order is not None and self._last_order[0] == key:
            return list(self._last_order[1])
        numbers = {item_id: i + 1 for i, item_id in enumerate(ids)}
        items = [self.item(i) for i in ids]
        ordered = sort_items(items, section, lambda it: self.context(
            it, "sort", CiteInfo(citation_number=numbers[it["id"]]), section="bibliography"))
        order = [it["id"] for it in ordered]
        self._last_order = (key, order)
        return list(order)

    def citation_number(self, item_id: str) -> int:
        if not self._numbers:
            ids = self.registered or list(self.items)
            order = self.bibliography_order(ids)
            if self._sorts_by_citation_number():
                order = ids  # numbers follow first citation; the sort only orders the list
            self._numbers = {item_id: i + 1 for i, item_id in enumerate(order)}
        return self._numbers.get(item_id, len(self._numbers) + 1)

    def _sorts_by_citation_number(self) -> bool:
        section = self.style.bibliography
        if section is None or section.sort is None:
            return True
        return any(k.get("variable") == "citation-number" for k in section.sort.findall("key"))

    # -- citations ----------------------------------------------------------------------------------

    def process(self, clusters: Sequence[Cluster]) -> list[str]:
        """Every cluster of a document, rendered in document order."""
        from citekit.csl.output import render

        return [render(node, self.fmt, self.locale) for node in self.process_nodes(clusters)]

    def process_nodes(self, clusters: Sequence[Cluster]) -> list[Node | None]:
        self.register([ref.id for cl in clusters for ref in cl.items])
        cites = self._cites(clusters)
        grouped: list[list[Cite]] = [[] for _ in clusters]
        for cite in cites:
            grouped[cite.cluster].append(cite)
        return [self._cluster_node(group) for group in grouped]

    def _cites(self, clusters: Sequence[Cluster]) -> list[Cite]:
        from citekit.csl.positions import assign_positions

        groups: list[list[Cite]] = []
        for ci, cluster in enumerate(clusters):
            note = cluster.note_number if cluster.note_number is not None else ci + 1
            groups.append([Cite(ref, self.item(ref.id), ci, CiteInfo(
                locator=ref.locator, label=ref.label, citation_number=self.citation_number(ref.id),
                note_number=note)) for ref in cluster.items])
        # Disambiguation judges items, not places, so it comes first: the cluster sort then sees
        # the names it expanded, and positions follow the sorted order (citeproc-js's sequence).
        self._disambiguate([c for g in groups for c in g])
        cites = [c for g in groups for c in self._sort_cluster(g)]
        assign_positions(cites, self.style)
        return cites

    def _sort_cluster(self, group: list[Cite]) -> list[Cite]:
        section = self.style.citation
        if section is None or section.sort is None or len(group) < 2:
            return group
        from citekit.csl.sorting import sort_items

        by_id: dict[int, Cite] = {}
        wrapped = []
        for cite in group:
            marker = dict(cite.item)
            by_id[id(marker)] = cite
            wrapped.append(marker)
        from citekit.csl.disambiguate import sort_disamb

        ordered = sort_items(wrapped, section, lambda it: self.context(
            it, "sort", CiteInfo(citation_number=by_id[id(it)].info.citation_number),
            sort_disamb(self, it["id"]), section="citation"))
        return [by_id[id(it)] for it in ordered]

    def _disambiguate(self, cites: list[Cite]) -> None:
        from citekit.csl.disambiguate import disambiguate

        disambiguate(self, cites)
        self._disambiguated = True

    def disambiguate_registered(self) -> None:
        """Disambiguate the registered items as if each were cited once (citeproc-js's registry),
        unless a document's citations have been processed already."""
        if not self._disambiguated:
            self._disambiguate([])

    def author_only(self, item_id: str, note_number: int | None = None) -> Node | None:
        """An item's author as an in-text citation shows it (the "Doe" of "Doe (2020)"), with the
        document's disambiguation once ``process`` has run; it does not count as a cite."""
        info = CiteInfo(note_number=note_number, citation_number=self.citation_number(item_id))
        ref = CiteRef(item_id, author_only=True)
        return self.render_cite(Cite(ref, self.item(item_id), -1, info, self.bib_disamb(item_id)))

    def render_cite(self, cite: Cite, *, disamb: Disamb | None = None) -> Node | None:
        """One cite's layout output, without its cluster affixes."""
        section = self.style.citation
        if section is None:
            return None
        locale, layout = section.choose_layout(cite.item.get("language"))
        ctx = self.context(cite.item, "citation", cite.info, disamb or cite.disamb, locale)
        if cite.ref.suppress_author:
            ctx.author_mode = "suppress"
        elif cite.ref.author_only:
            ctx.author_mode = "capture"
        node = render_layout(ctx, layout)
        if cite.ref.author_only:
            return ctx.captured
        return _lang(ctx, node)

    def _cluster_node(self, cites: list[Cite]) -> Node | None:
        section = self.style.citation
        if section is None or not cites:
            return None
        after: list[str] = []
        if section.el.get("citekit:locator") == "after":
            # citekit's extension: the cited pages follow the whole citation, superscript
            # (GB/T 7714 10.1.3: "[2]260"), so the cites themselves render without them.
            after = [c.info.locator for c in cites if c.info.locator]
            cites = [replace(c, ref=replace(c.ref, locator=None, label=None),
                             info=replace(c.info, locator=None, label=None)) for c in cites]
        from citekit.csl.collapse import collapse_cluster

        parts: list[Node] | None = collapse_cluster(self, cites)
        if parts is None:
            parts = []
            for cite in cites:
                node = self.render_cite(cite)
                if is_empty(node) and not cite.ref.suppress_author:
                    node = Text(NO_PRINTED_FORM)  # citeproc-js says so rather than print nothing
                node = with_affixes(node, cite.ref.prefix, cite.ref.suffix)
                if node is not None:
                    parts.append(Tag("item", cite.item["id"], [node]))
        if not parts:
            return None
        node = layout_span(section, parts)
        if after:
            node = Span([node, Span([Text(",".join(after))], Formatting(vertical_align="sup"))])
        return node

    # -- bibliography -------------------------------------------------------------------------------

    def bibliography(self, ids: Sequence[str] | None = None) -> list[str]:
        """The formatted entries, in bibliography order."""
        from citekit.csl.output import render

        return [render(node, self.fmt, self.locale) for _, node in self.bibliography_nodes(ids)]

    def bibliography_nodes(self, ids: Sequence[str] | None = None) -> list[tuple[str, Node | None]]:
        """(id, entry) pairs; a second-field-align style's entry holds its two display blocks."""
        out = []
        for entry in self.bibliography_entries(ids):
            parts: list[Node] = []
            if entry.label is not None:
                parts.append(Span([entry.label], Formatting(display="left-margin")))
            if entry.body is not None:
                parts.append(Span([entry.body], Formatting(display="right-inline")) if entry.label is not None
                             else entry.body)
            out.append((entry.id, Span(parts) if parts else None))
        return out

    def bibliography_entries(self, ids: Sequence[str] | None = None, *, sort: bool = True,
                             first_number: int = 1) -> list[BibEntry]:
        """The entries in bibliography order (``sort=False``: in the order of ``ids``, numbered
        from ``first_number``, so that a list can be rendered in slices).

        With ``second-field-align`` the first rendering element (the citation number) is the
        entry's ``label``, the rest its ``body``.
        """
        if self.style.bibliography is None:
            return []
        return self.render_bibliography(self.bibliography_plan(ids, sort=sort, first_number=first_number))

    def bibliography_plan(self, ids: Sequence[str] | None = None, *, sort: bool = True,
                          first_number: int = 1) -> list[str]:
        """Register, disambiguate and number the items: their ids in bibliography order (what
        decides each entry's output besides its item, for callers that cache entries)."""
        if ids is not None:
            self.register(ids)
        self.disambiguate_registered()
        order = self.bibliography_order(ids) if sort else list(ids if ids is not None else self.registered)
        if not sort:
            self._numbers = {item_id: i + first_number for i, item_id in enumerate(order)}
        return order

    def number_as(self, numbers: dict[str, int]) -> None:
        """Give items these citation numbers (entries of a long list rendered out of order)."""
        self._numbers = dict(numbers)

    def render_bibliography(self, order: Sequence[str]) -> list[BibEntry]:
        """The entries of planned items (see ``bibliography_plan``), in the order given; an entry
        the style prints nothing for is left out."""
        section = self.style.bibliography
        if section is None:
            return []
        substitute = section.el.get("subsequent-author-substitute")
        rule = section.el.get("subsequent-author-substitute-rule", "complete-all")
        previous: tuple[list[str], str] | None = None
        out: list[BibEntry] = []
        for item_id in order:
            item = self.item(item_id)
            info = CiteInfo(citation_number=self.citation_number(item_id))
            locale, layout = section.choose_layout(item.get("language"))
            ctx = self.context(item, "bibliography", info, self.bib_disamb(item_id), locale)
            if substitute is not None:
                ctx.author_mode = "capture"
            label, body = _entry(ctx, section, layout)
            if substitute is not None:
                replacement, previous = _author_substitute(ctx.captured, previous, substitute, rule)
                if replacement is not None:
                    ctx = self.context(item, "bibliography", info, self.bib_disamb(item_id), locale)
                    ctx.author_mode = "replace"
                    ctx.captured = replacement
                    label, body = _entry(ctx, section, layout)
            if is_empty(body) and is_empty(label):
                continue  # an entry the style prints nothing for is left out (citeproc-js)
            out.append(BibEntry(item_id, label, body))
        return out

    def bib_disamb(self, item_id: str) -> Disamb:
        """Disambiguation settings that carry into the bibliography (year-suffix, the condition)."""
        found = self.disamb_items.get(item_id)
        if found is not None:
            return found
        return Disamb(year_suffix=self.year_suffixes.get(item_id, 0))


@dataclass(slots=True)
class BibEntry:
    """One bibliography entry: the label column (second-field-align) and the rest."""

    id: str
    label: Node | None
    body: Node | None


def _author_substitute(captured: Node | None, previous: tuple[list[str], str] | None, substitute: str,
                       rule: str) -> tuple[Node | None, tuple[list[str], str] | None]:
    """subsequent-author-substitute: what replaces an entry's names when they repeat the previous
    entry's (compared by the names' parts as citeproc-js does, or by the text when a title stood
    in for them), or None; and what the next entry compares against."""
    if captured is None:
        return None, None
    from citekit.csl.namekeys import author_names, substitute_author
    from citekit.csl.nodes import text_of

    current = (author_names(captured), text_of(captured))
    replacement: Node | None = None
    if previous is not None:
        if current[0] and previous[0]:
            replaced = substitute_author(captured, substitute, previous[0], rule)
            if replaced is not captured:
                replacement = replaced if replaced is not None else Text("")
        elif not current[0] and not previous[0] and current[1] == previous[1]:
            replacement = Text(substitute)
    return replacement, current


def _entry(ctx: Context, section: Section, layout: El) -> tuple[Node | None, Node | None]:
    fmt, rest_el = _layout_parts(layout)
    if section.el.get("second-field-align") in ("flush", "margin") and layout.children:
        first = evaluate(ctx, layout.children[0])
        rest = evaluate_children(ctx, rest_el)  # non-empty nodes only
        label = None
        if first is not None and not is_empty(first):
            label = Span([first], Formatting(prefix=fmt.prefix)) if fmt.prefix else first
        body = None
        if rest:
            body = Span(rest, Formatting(suffix=fmt.suffix)) if fmt.suffix else (
                rest[0] if len(rest) == 1 else Span(rest))
        return label, _lang(ctx, body)
    node = render_layout(ctx, layout)
    if node is None:
        return None, None
    return None, _lang(ctx, Span([node], fmt))


_LAYOUT_PARTS: dict[int, tuple[El, Formatting, El]] = {}


def _layout_parts(layout: El) -> tuple[Formatting, El]:
    """The layout's formatting without its delimiter, which joins cites, not entries, and the
    layout without its first element (the body beside a second-field-align label); made once."""
    found = _LAYOUT_PARTS.get(id(layout))
    if found is None or found[0] is not layout:
        if len(_LAYOUT_PARTS) > 256:
            _LAYOUT_PARTS.clear()
        rest = El(layout.name, {}, layout.children[1:], layout.line)
        found = _LAYOUT_PARTS[id(layout)] = (layout, replace(formatting(layout), delimiter=None), rest)
    return found[1], found[2]


def _lang(ctx: Context, node: Node | None) -> Node | None:
    """The item's language travels with its output (text-case rules differ, e.g. Turkish İ);
    so does ``citekit:apostrophes="straight"``, a house style that prints ' rather than ’."""
    if node is None:
        return node
    if ctx.style.attrs.get("citekit:apostrophes") == "straight":
        from citekit.csl.output import STRAIGHT_APOSTROPHES

        node = Tag(STRAIGHT_APOSTROPHES, None, [node])
    lang = ctx.item.get("language")
    return Tag("lang", str(lang), [node]) if lang else node


def layout_span(section: Section, parts: list[Node]) -> Node:
    """A cluster's cites joined by the layout's delimiter, inside its affixes and formatting."""
    fmt = formatting(section.layout)
    inner = Span(parts, Formatting(prefix=fmt.prefix, suffix=fmt.suffix, delimiter=fmt.delimiter))
    outer = replace(fmt, prefix=None, suffix=None, delimiter=None)
    # citeproc-js: the layout's fonts enclose its affixes
    return inner if outer.is_plain() else Span([inner], outer)


def with_affixes(node: Node | None, prefix: str | None, suffix: str | None) -> Node | None:
    """A cite with the prefix and suffix its author wrote (rich text)."""
    if node is None or (not prefix and not suffix):
        return node
    from citekit.csl.rich import parse_rich

    children: list[Node] = []
    if prefix:
        children.append(Tag("prefix", prefix, parse_rich(prefix)))
    children.append(node)
    if suffix:
        children.append(Tag("suffix", suffix, parse_rich(suffix)))
    return Span(children)
