r"""citekit.sty's citations: the ``.aux`` clusters through the engine's document API, as TeX.

Each cluster becomes ``\citekitcluster{n}{keys}{in place}{footnote}`` in the ``.bbl``. The
engine sees the whole document at once (:meth:`Processor.process_nodes`), so positions (first,
subsequent, ibid, ibid-with-locator), collapsing ([2-3]), year suffixes and disambiguation are
the style's. Note numbers are worked out from the ``.aux`` alone: citekit.sty records the
author's own footnotes before each citation, and every citation in running text of a note style
is a footnote of its own, so the numbers are right from the first LaTeX run on (footnotes
numbered through the document, not per chapter).

Notes follow pandoc's citeproc: a citation in running text of a note style becomes a footnote
(first letter capitalised); one already in a footnote is not nested: first in the footnote it
stays as it is, later it goes in parentheses without its final period; a textual citation
(``\citet``) puts the author in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from citekit.csl.nodes import Node, Text
from citekit.csl.output import render
from citekit.csl.processor import NO_PRINTED_FORM, CiteRef, Cluster, Processor
from citekit.latex.aux import AuxCluster
from citekit.latex.fragments import Raw, split_postnote, to_rich
from citekit.pandoc.locator import author_locator_terms

UNKNOWN = r"\textbf{???}"  # as pandoc prints a citation of a key the databases lack
_FINAL_PERIOD = re.compile(r"\.((?:\}|[\u201d\u2019\u00bb])*)$")
_FIRST_LOWER = re.compile(r"^((?:\\[A-Za-z]+\{|\{)*)([^\W\d_])")


@dataclass
class Formatted:
    """The ``.bbl`` lines that define the clusters, and what went wrong."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Site:
    """One aux cluster on its way through the engine."""

    cluster: AuxCluster
    note: int
    parts: list[int] = field(default_factory=list)  # indexes of its engine clusters
    authors: list[str] = field(default_factory=list)  # ids whose author goes in the text
    unknown: bool = False


def format_clusters(clusters: Sequence[AuxCluster], proc: Processor, ids: dict[str, str],
                    bad: dict[str, str]) -> Formatted:
    """``\\citekitcluster`` lines for ``clusters``; ``ids`` maps each key as cited (and its
    case-folded form) to the item id, ``bad`` names the keys refused with the reason."""
    note_style = proc.style.style_class == "note"
    terms = author_locator_terms(proc.style, proc.locale)
    raw = Raw()
    out = Formatted()
    engine: list[Cluster] = []
    sites: list[_Site] = []
    outside = 0  # citations in running text so far: each one a note of its own
    for cl in clusters:
        if any(k in bad for k in cl.keys):
            key = next(k for k in cl.keys if k in bad)
            out.errors.append(f"{cl.ref.where}: key {key!r} cannot be written to the .bbl ({bad[key]}); "
                              "citation left out")
            continue
        counts = cl.where == "t" and not (note_style and cl.mode == "a")
        site = _Site(cl, cl.notes + outside + (1 if counts else 0))
        outside += counts
        known = [ids.get(k) or ids.get(k.lower()) for k in cl.keys]
        site.unknown = None in known
        found = [k for k in known if k is not None]
        refs = _refs(cl, found, raw, terms)
        if cl.mode == "a":
            site.authors = found
        elif cl.mode == "t" and refs:
            site.authors = found
            groups = [[r] for r in refs] if not note_style else [refs]
            for group in groups:
                for r in group:
                    r.suppress_author = True
                site.parts.append(len(engine))
                engine.append(Cluster(group, note_number=site.note))
        elif refs:
            if cl.mode == "y":
                for r in refs:
                    r.suppress_author = True
            site.parts.append(len(engine))
            engine.append(Cluster(refs, note_number=site.note))
        sites.append(site)
    nodes = proc.process_nodes(engine) if engine else []
    delimiter = _delimiter(proc)

    def text(node: Node | None) -> str:
        if not _printed(node):
            return ""
        return raw.restore(render(node, "latex", proc.locale)).replace("\n", " ").strip()

    for site in sites:
        mains = [text(nodes[i]) for i in site.parts]
        authors = [text(proc.author_only(i, site.note)) for i in site.authors]
        inline, note = _compose(site.cluster, mains, authors, note_style, delimiter)
        if site.unknown:
            if note:
                note = f"{note} {UNKNOWN}"
            else:
                inline = f"{inline} {UNKNOWN}" if inline else UNKNOWN
        out.lines.append(rf"\citekitcluster{{{site.cluster.number}}}{{{site.cluster.ref.value}}}"
                         rf"{{{_period(inline)}}}{{{_capitalize(note)}}}%")
    return out


def _refs(cl: AuxCluster, found: list[str], raw: Raw, terms: dict[str, str]) -> list[CiteRef]:
    """The cites, natbib's way: the prefix before the first, the postnote after the last."""
    refs = [CiteRef(i) for i in found]
    if not refs:
        return refs
    prefix = to_rich(cl.prefix, raw).strip()
    if prefix:
        refs[0].prefix = prefix + " "
    post = split_postnote(to_rich(cl.postnote, raw), terms)
    refs[-1].locator, refs[-1].label, refs[-1].suffix = post.locator, post.label, post.suffix
    return refs


def _compose(cl: AuxCluster, mains: list[str], authors: list[str], note_style: bool,
             delimiter: str) -> tuple[str, str]:
    """(text in place, footnote text) of one citation."""
    if cl.mode == "a":
        return ", ".join(a for a in authors if a), ""
    if not note_style:
        if cl.mode == "t":
            # "Author (2020); Other (2021)": each key is a cite of its own, as natbib's \citet
            parts = [f"{a} {m}" if a and m else a or m for a, m in zip(authors, mains, strict=True)]
            return delimiter.join(p for p in parts if p), ""
        main = delimiter.join(m for m in mains if m)
        return ("", main) if cl.mode == "f" and not cl.in_note else (main, "")
    main = delimiter.join(m for m in mains if m)
    author = ", ".join(a for a in authors if a) if cl.mode == "t" else ""
    if cl.in_note:
        if author:
            return (f"{author}, {_strip_period(main)}" if main else author), ""
        if cl.where == "s" or not main:
            return main, ""
        return f"({_strip_period(main)})", ""
    return author, main


def _delimiter(proc: Processor) -> str:
    section = proc.style.citation
    return (section.layout.get("delimiter") if section is not None else None) or "; "


def _printed(node: Node | None) -> bool:
    if node is None:
        return False
    if isinstance(node, Text):
        return bool(node.text) and node.text != NO_PRINTED_FORM
    return any(_printed(c) for c in getattr(node, "children", []))


def _strip_period(text: str) -> str:
    return _FINAL_PERIOD.sub(r"\1", text)


def _period(text: str) -> str:
    """A final period that a period in the source would double becomes citekit.sty's
    ``\\citekitperiod``, which prints it only when no period follows."""
    return text[:-1] + r"\citekitperiod" if text.endswith(".") else text


def _capitalize(text: str) -> str:
    """A footnote starts with a capital ("see" → "See"), as pandoc's citeproc writes it."""
    m = _FIRST_LOWER.match(text)
    if m is None or not m.group(2).islower():
        return text
    return text[:m.start(2)] + m.group(2).upper() + text[m.end(2):]
