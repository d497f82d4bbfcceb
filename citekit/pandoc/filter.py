"""``citekit-pandoc``: a pandoc JSON filter that does what ``--citeproc`` does, with citekit's engine.

    pandoc paper.md --filter citekit-pandoc -o paper.html

It reads the document's metadata (``bibliography``, inline ``references``, ``csl``/``citekit-style``,
``lang``, ``link-citations``, ``link-bibliography``, ``nocite``, ``reference-section-title``,
``suppress-bibliography``; docs/pandoc.md), gathers every Cite in document order into one document for
``citekit.csl.Processor`` (so positions, ibid, disambiguation and numbering see the whole paper),
replaces each Cite's text with its citation and puts the bibliography in the ``#refs`` Div, or
at the end. Note styles turn citations into footnotes, as pandoc does.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.csl.nodes import NoCase, Node, NoDecor, Span, Tag, Text
from citekit.csl.output import render
from citekit.csl.processor import NO_PRINTED_FORM, CiteRef, Cluster, Processor
from citekit.errors import CitekitError
from citekit.pandoc import ast
from citekit.pandoc.ast import Inline
from citekit.pandoc.inlines import from_html, to_rich
from citekit.pandoc.locator import author_locator_terms, parse_locator
from citekit.pandoc.notes import in_note, move_punctuation, to_footnote
from citekit.pandoc.references import inline_references, merge, read_yaml_bibliography
from citekit.pandoc.source import SourceLines, document_sources

Warn = Callable[[str], None]


@dataclass
class Settings:
    """What the document's metadata asks for."""

    bibliography: list[str]
    style: str | None
    lang: str | None
    link_citations: bool
    link_bibliography: bool
    suppress_bibliography: bool
    section_title: list[Inline] | None
    nocite: list[str]


def settings(meta: dict[str, Any]) -> Settings:
    nocite: list[str] = []

    def on_cite(cite: Inline, _note: Inline | None) -> None:
        nocite.extend(c.get("citationId", "") for c in cite["c"][0])

    ast.walk_cites(ast.meta_value(meta, "nocite"), on_cite)
    styles = (ast.meta_text(ast.meta_value(meta, k)) for k in ("citekit-style", "csl", "citation-style"))
    style = next((t for t in styles if t), None)
    suppress = ast.meta_bool(ast.meta_value(meta, "suppress-bibliography"))
    return Settings(
        bibliography=ast.meta_texts(ast.meta_value(meta, "bibliography")),
        style=style,
        lang=ast.meta_text(ast.meta_value(meta, "lang")) or ast.meta_text(ast.meta_value(meta, "locale")) or None,
        # pandoc: no links to a bibliography that is not printed
        link_citations=ast.meta_bool(ast.meta_value(meta, "link-citations")) and not suppress,
        link_bibliography=ast.meta_bool(ast.meta_value(meta, "link-bibliography"), default=True),
        suppress_bibliography=suppress,
        section_title=ast.meta_inlines(ast.meta_value(meta, "reference-section-title")),
        nocite=nocite,
    )


# --- input ------------------------------------------------------------------------------------


def read_items(paths: Sequence[str], warn: Warn) -> list[dict[str, Any]]:
    """The items of every bibliography file (``.bib``/``.biblatex``/``.bibtex``, CSL-JSON ``.json``
    or CSL YAML ``.yaml``), paths relative to the working directory as pandoc reads them."""
    from citekit import read_csl_json, read_library

    items: list[dict[str, Any]] = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise CitekitError("bibliography file not found", path)
        suffix = path.suffix.lower()
        if suffix == ".json":
            items.extend(read_csl_json(path))
        elif suffix in (".bib", ".biblatex", ".bibtex"):
            library = read_library([path])
            for problem in library.problems:
                warn(f"[WARNING] citekit-pandoc: {problem}")
            items.extend(library.items())
        elif suffix in (".yaml", ".yml"):
            items.extend(read_yaml_bibliography(path, warn))
        else:
            raise CitekitError("unsupported bibliography format (expected .bib, CSL-JSON .json or CSL YAML .yaml)",
                               path)
    return items


def make_processor(s: Settings, items: list[dict[str, Any]]) -> Processor:
    """The engine over the items, and the items as it was given them."""
    from citekit.render.engine import load_style, prepare
    from citekit.styles import DEFAULT_STYLE

    name = s.style or DEFAULT_STYLE
    try:
        style = load_style(name)
    except CitekitError:
        if not name.endswith(".csl") and Path(name + ".csl").is_file():  # pandoc adds the extension
            style = load_style(name + ".csl")
        else:
            raise
    return Processor(style, [prepare(i) for i in items], lang=s.lang, fmt="html", links=s.link_bibliography)


# --- citations --------------------------------------------------------------------------------


@dataclass
class Site:
    """One Cite element of the document and what it becomes."""

    node: Inline
    note: Inline | None
    note_number: int
    first_in_note: bool
    section: str = ""  # the heading the Cite is under (for warnings)
    in_meta: bool = False  # in the metadata (a title, an abstract), not the text
    refs: list[CiteRef] = field(default_factory=list)
    authors: list[CiteRef] = field(default_factory=list)  # AuthorInText cites, rendered author-only
    prefix: list[Inline] = field(default_factory=list)  # an in-text cite's prefix, before the author
    unknown: list[str] = field(default_factory=list)
    cluster: int | None = None


def collect(doc: dict[str, Any]) -> list[Site]:
    """Every Cite in document order (metadata first, ``nocite`` aside), with note numbers counted
    as pandoc's readers count them: each footnote, and each citation outside a footnote."""
    sites: list[Site] = []
    numbers: dict[int, int] = {}
    first: set[int] = set()
    counter = 0
    section = ""

    def on_header(h: Inline) -> None:
        nonlocal section
        section = ast.stringify(h["c"][2]).strip()

    def on_note(n: Inline) -> None:
        nonlocal counter
        counter += 1
        numbers[id(n)] = counter
        blocks = n.get("c") or []
        if blocks and isinstance(blocks[0], dict) and blocks[0].get("t") in ("Para", "Plain"):
            inlines = blocks[0].get("c") or []
            if inlines and ast.is_el(inlines[0], "Cite"):
                first.add(id(inlines[0]))

    in_meta = True

    def on_cite(cite: Inline, n: Inline | None) -> None:
        nonlocal counter
        if n is None:
            counter += 1
        sites.append(Site(cite, n, counter if n is None else numbers[id(n)], id(cite) in first, section,
                          in_meta))

    # nocite is not cited, and the items of inline references are not the document's citations
    meta = {k: v for k, v in doc.get("meta", {}).items() if k not in ("nocite", "references")}
    ast.walk_cites(meta, on_cite, on_note)
    section, in_meta = "", False
    ast.walk_cites(doc.get("blocks", []), on_cite, on_note, on_header=on_header)
    return sites


def build_refs(sites: list[Site], proc: Processor, warn: Warn, sources: SourceLines | None = None) -> None:
    """Each site's cites as ``CiteRef``s: locator and label read from the suffix, affixes as rich text.

    ``sources``: the document's Markdown, to say on which line an unknown key is."""
    terms = author_locator_terms(proc.style, proc.locale)
    ids = {key.lower(): key for key in proc.items}
    for number, site in enumerate(sites, 1):
        first_author = True
        for citation in site.node["c"][0]:
            key = str(citation.get("citationId", ""))
            place = sources.take(key, site.note is not None) if sources is not None and not site.in_meta else None
            if key == "*":
                continue
            item_id = key if key in proc.items else ids.get(key.lower())
            if item_id is None:
                site.unknown.append(key)
                where = f"citation {number}, {ast.stringify(site.node['c'][1]).strip()!r}"
                if site.section:
                    where += f", in section {site.section!r}"
                elif site.in_meta:
                    where += ", in the metadata"
                warn(f"[WARNING] citekit-pandoc: {f'{place}: ' if place else ''}citation {key} not found ({where})")
                continue
            mode = (citation.get("citationMode") or {}).get("t", "NormalCitation")
            parsed = parse_locator(citation.get("citationSuffix") or [], terms)
            prefix = citation.get("citationPrefix") or []
            suffix = to_rich(parsed.suffix) or None
            if mode == "AuthorInText" and first_author:
                # pandoc: the author in the text (after any prefix), the rest as a citation without it
                first_author = False
                site.prefix = prefix
                site.authors.append(CiteRef(item_id, author_only=True))
                site.refs.append(CiteRef(item_id, locator=parsed.locator, label=parsed.label, suffix=suffix,
                                         suppress_author=True))
                continue
            site.refs.append(CiteRef(item_id, locator=parsed.locator, label=parsed.label,
                                     prefix=(to_rich(prefix) + " ") if prefix else None, suffix=suffix,
                                     suppress_author=mode in ("SuppressAuthor", "AuthorInText")))


def _linked(node: Node | None) -> Node | None:
    """Each cite's output links to its entry (``link-citations``)."""
    if node is None or isinstance(node, Text):
        return node
    children = [c for c in (_linked(c) for c in node.children) if c is not None]
    if isinstance(node, Tag):
        if node.kind == "item":
            return Tag("item", node.value, [Tag("link", f"#ref-{node.value}", children)])
        return Tag(node.kind, node.value, children)
    if isinstance(node, Span):
        return Span(children, node.fmt)
    return type(node)(children) if isinstance(node, (NoCase, NoDecor)) else node


def _printed(node: Node | None) -> bool:
    if node is None:
        return False
    if isinstance(node, Text):
        return bool(node.text) and node.text != NO_PRINTED_FORM
    return any(_printed(c) for c in node.children)


def render_sites(sites: list[Site], proc: Processor, s: Settings, nocite: list[str]) -> None:
    """One engine run for the whole document; each Cite's text replaced by its citation."""
    clusters: list[Cluster] = []
    for site in sites:
        if site.refs:
            site.cluster = len(clusters)
            clusters.append(Cluster(site.refs, note_number=site.note_number))
    order = list(dict.fromkeys([r.id for c in clusters for r in c.items] + nocite))
    proc.register(order)  # nocite items are numbered with the rest before any citation renders
    nodes = proc.process_nodes(clusters)
    # the author in the text ("Doe (2020)") is not a cite of its own: it counts for no position
    # or collapse, and shows the names as the document's disambiguation left them
    author_nodes: dict[int, Node | None] = {
        i: proc.author_only(site.authors[0].id, site.note_number) for i, site in enumerate(sites) if site.authors}
    note_style = proc.style.style_class == "note"

    def inlines(node: Node | None) -> list[Inline]:
        if not _printed(node):
            return []
        if s.link_citations:
            node = _linked(node)
        return from_html(render(node, "html", proc.locale))

    for index, site in enumerate(sites):
        main = inlines(nodes[site.cluster]) if site.cluster is not None else []
        if site.unknown:
            main = [*main, *([ast.space()] if main else []), ast.el("Strong", [ast.str_("???")])]
        author = inlines(author_nodes.get(index))
        if author and site.prefix:
            author = [*site.prefix, ast.space(), *author]
        if not note_style:
            content = [*author, ast.space(), *main] if author and main else author or main
        elif site.note is None:
            content = [*author, to_footnote(main)] if main else author
        else:
            content = in_note(author, main, site.first_in_note)
        site.node["c"][1] = content


# --- the bibliography -------------------------------------------------------------------------


def bibliography_blocks(proc: Processor) -> tuple[list[Any], list[str], list[list[str]]]:
    """Entries as pandoc's citeproc writes them: ``Div#ref-KEY.csl-entry``, with the label column."""
    section = proc.style.bibliography
    if section is None or not proc.registered:
        return [], [], []
    blocks = []
    for entry in proc.bibliography_entries(list(proc.registered)):
        body = from_html(render(entry.body, "html", proc.locale)) if entry.body is not None else []
        if entry.label is not None:
            label = from_html(render(entry.label, "html", proc.locale))
            body = [ast.span([*label, ast.space()], ["csl-left-margin"]), ast.span(body, ["csl-right-inline"])]
        blocks.append(ast.div(f"ref-{entry.id}", ["csl-entry"], [ast.para(body)]))
    classes = ["references", "csl-bib-body"]
    if section.el.get("hanging-indent") == "true":
        classes.append("hanging-indent")
    kvs = []
    if section.el.get("entry-spacing"):
        kvs.append(["entry-spacing", section.el.get("entry-spacing")])
    spacing = section.el.get("line-spacing")
    if spacing and spacing.isdigit() and int(spacing) > 1:
        kvs.append(["line-spacing", spacing])
    return blocks, classes, kvs


def insert_bibliography(doc: dict[str, Any], refs: list[Any], classes: list[str], kvs: list[list[str]],
                        title: list[Inline] | None) -> None:
    """Into the ``#refs`` Div when there is one; else at the end (after ``title``, or after a
    final heading, which becomes unnumbered), as pandoc does."""
    placed = False

    def visit(node: Any) -> None:
        nonlocal placed
        if isinstance(node, list):
            for child in node:
                visit(child)
        elif isinstance(node, dict):
            if node.get("t") == "Div":
                (ident, cls, attrs), content = node["c"]
                if ident == "refs" or ident.endswith("__refs"):
                    node["c"][0] = [ident, list(dict.fromkeys([*cls, *classes])), [*attrs, *kvs]]
                    content.extend(refs)
                    placed = True
                    return
            visit(node.get("c"))

    visit(doc["blocks"])
    if placed:
        return
    blocks = doc["blocks"]
    if title is not None:
        blocks.append(ast.header(1, "bibliography", ["unnumbered"], title))
    elif blocks and ast.is_el(blocks[-1], "Header"):
        cls = blocks[-1]["c"][1][1]
        blocks[-1]["c"][1][1] = ["unnumbered", *[c for c in cls if c != "unnumbered"]]
    blocks.append(ast.div("refs", classes, refs, kvs))


# --- the filter -------------------------------------------------------------------------------


def process_document(doc: dict[str, Any], warn: Warn, sources: SourceLines | None = None) -> dict[str, Any]:
    """The filter on a parsed JSON document (changed in place and returned).

    ``sources``: the document's Markdown source, for the lines in warnings."""
    ast.api_version(doc)
    s = settings(doc.get("meta", {}))
    sites = collect(doc)
    inline = inline_references(doc.get("meta", {}), warn)
    if not s.bibliography and not inline:
        if sites or s.nocite:
            warn("[WARNING] citekit-pandoc: no bibliography or references in the metadata; "
                 "citations are left as written")
        return doc
    proc = make_processor(s, merge(inline, read_items(s.bibliography, warn)))
    build_refs(sites, proc, warn, sources)
    nocite = list(proc.items) if "*" in s.nocite else [k for k in s.nocite if k in proc.items]
    for key in s.nocite:
        if key != "*" and key not in proc.items:
            warn(f"[WARNING] citekit-pandoc: citation {key} not found (nocite)")
    render_sites(sites, proc, s, nocite)
    if proc.style.style_class == "note":
        for inlines in list(ast.inline_lists(doc["blocks"])):
            move_punctuation(inlines)
    if not s.suppress_bibliography:
        refs, classes, kvs = bibliography_blocks(proc)
        if refs:
            insert_bibliography(doc, refs, classes, kvs, s.section_title)
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """Read pandoc's JSON on stdin, write the filtered JSON on stdout (argv[1]: the output format)."""
    def warn(message: str) -> None:
        print(message, file=sys.stderr)

    try:
        raw = sys.stdin.buffer.read()
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise CitekitError(f"the input is not pandoc's JSON ({exc})", "<stdin>") from None
        try:
            process_document(doc, warn, document_sources())
        except ValueError as exc:
            raise CitekitError(str(exc), "<stdin>") from None
    except CitekitError as exc:
        print(f"citekit-pandoc: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
