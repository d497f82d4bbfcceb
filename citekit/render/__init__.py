"""Formatting reference lists and citations: the public functions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from citeproc import Citation, CitationItem, Locator

from citekit.errors import UnknownKeyError
from citekit.model import Item
from citekit.render import formats
from citekit.render.citations import collapse_numbers
from citekit.render.engine import (
    RenderedEntry,
    _bibliography,
    _render_with,
    entry_text,
    load_style,
    render_entries,
    style_citation_options,
)
from citekit.styles import DEFAULT_STYLE

__all__ = ["format_bibliography", "format_citation", "render_document", "RenderedEntry", "render_entries",
           "robust_links"]


def format_bibliography(items: Sequence[Item], style: str | Path = DEFAULT_STYLE, fmt: str = "text",
                        *, sort: bool = True) -> list[str]:
    """One formatted string per entry (numeric styles: ``[n] entry`` in text output)."""
    if fmt not in formats.FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    return [entry_text(e, fmt) for e in render_entries(list(items), style, sort=sort)]


def render_document(entries: list[RenderedEntry], fmt: str = "text",
                    robust_links: dict[str, tuple[str, str, str]] | None = None) -> str:
    """A whole reference list as one document in ``fmt``.

    ``robust_links`` maps a key to (original URL, archived URL, archive date YYYY-MM-DD): HTML
    links to either URL then carry Robust Links attributes (data-originalurl, data-versionurl,
    data-versiondate).
    """
    if fmt == "html":
        rows = []
        for e in entries:
            body = formats.finish(e.body, "html")
            if robust_links and e.key in robust_links:
                body = _robust(body, *robust_links[e.key])
            if e.label:
                label = formats.finish(e.label, "html")
                rows.append(f'  <div class="csl-entry" id="ref-{_html_id(e.key)}"><div class="csl-left-margin">'
                            f'{label}</div><div class="csl-right-inline">{body}</div></div>')
            else:
                rows.append(f'  <div class="csl-entry" id="ref-{_html_id(e.key)}">{body}</div>')
        return '<div class="csl-bib-body">\n' + "\n".join(rows) + "\n</div>\n"
    if fmt == "latex":
        rows = [r"\begin{thebibliography}{" + str(max(len(entries), 1)) + "}"]
        for e in entries:
            label = "[{" + formats.finish(e.label, "latex") + "}]" if e.label else ""
            rows.append(rf"\bibitem{label}{{{e.key}}} {formats.finish(e.body, 'latex')}")
        rows.append(r"\end{thebibliography}")
        return "\n".join(rows) + "\n"
    if fmt == "markdown":
        return "\n\n".join(entry_text(e, "markdown") for e in entries) + "\n"
    return "\n".join(entry_text(e, "text") for e in entries) + "\n"


def robust_links(items: Sequence[Item]) -> dict[str, tuple[str, str, str]]:
    """Key → (original, archived URL, date) for items that carry an archived copy."""
    out = {}
    for item in items:
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        original = item.get("citekit-original-url") or item.get("URL")
        version = custom.get("archive-url") or (item.get("URL") if item.get("citekit-original-url") else None)
        if original and version and original != version:
            date = str(item.get("citekit-archive-date") or custom.get("archive-date") or "")[:10]
            out[str(item["id"])] = (str(original), str(version), date)
    return out


def _robust(body: str, original: str, version: str, date: str) -> str:
    import html

    attrs = (f' data-originalurl="{html.escape(original)}" data-versionurl="{html.escape(version)}"'
             + (f' data-versiondate="{html.escape(date)}"' if date else ""))
    for url in {original, version}:
        anchor = f'<a href="{html.escape(url)}">'
        body = body.replace(anchor, anchor[:-1] + attrs + ">")
    return body


def _html_id(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_:." else "_" for c in key)


def format_citation(bibliography: Sequence[Item], cites: Sequence[tuple[str, str | None]],
                    style: str | Path = DEFAULT_STYLE, fmt: str = "text") -> str:
    """The in-text citation of ``cites`` (key, locator) against a bibliography in cited order.

    Numeric styles: numbers collapsed by citekit (``[2-3]``; ``citekit:collapse-min="2"`` joins even
    two, as GB/T 7714 does), with the locator after the bracket when the style says
    ``citekit:locator="after"`` (``[5]12``). Other styles, and numeric cites with locators the style
    places itself, go through citeproc-py, one layout per entry language.
    """
    loaded = load_style(style)
    keys = [str(i.get("id", "")) for i in bibliography]
    lower = {k.lower(): n for n, k in enumerate(keys, 1)}
    for key, _ in cites:
        if key.lower() not in lower:
            raise UnknownKeyError(f"unknown citation key {key!r}")
    locators = [loc for _, loc in cites if loc]
    if loaded.numeric and (not locators or _locator_outside(loaded)):
        opts = style_citation_options(loaded)
        min_run = opts["collapse_min"]
        if not opts["collapse"]:
            min_run = len(cites) + 1  # the style asks for no collapsing: every number is listed
        numbers = collapse_numbers([lower[k.lower()] for k, _ in cites], delimiter=opts["delimiter"],
                                   range_delimiter=opts["range_delimiter"], min_run=min_run)
        text = f"{opts['prefix']}{numbers}{opts['suffix']}"
        if locators:
            text += ",".join(locators)
        if opts["sup"]:
            a, b = "\ue006", "\ue007"
            text = f"{a}{text}{b}"
        return formats.finish(text, fmt)
    bib, _ = _bibliography(list(bibliography), loaded, sort=True)
    citation_items = []
    for key, loc in cites:
        kwargs = {"locator": Locator("page", loc)} if loc and not _locator_outside(loaded) else {}
        citation_items.append(CitationItem(key.lower(), **kwargs))
    citation = Citation(citation_items)
    citation.bibliography = bib
    # Each cite is rendered with the layout of its entry's language (CSL-M), then the cluster is
    # joined and wrapped by the default layout, as citeproc-js does.
    default = next((lay for locs, lay in loaded.cit_layouts if not locs), loaded.cit_layouts[0][1])
    default.getparent().cites = []
    parts = []
    for ci in citation_items:
        text = _render_with(loaded, loaded.cit_layouts, ci, lambda layout, ci=ci: layout.render_children(ci))
        if text:
            parts.append(str(text))
            default.getparent().cites.append(ci)
    text = str(default.format(default.wrap(default.join(parts)))) if parts else ""
    if locators and _locator_outside(loaded):
        text += "\ue006" + ",".join(locators) + "\ue007"
    return formats.finish(text, fmt)


def _locator_outside(loaded) -> bool:
    """citekit:locator="after" on cs:citation: the cited page follows the citation, superscript.

    GB/T 7714 (10.1.3, 10.2.4): ``[2]260``, ``(CRANE, 1972)<sup>12</sup>``.
    """
    from citekit.render.patches import CITEKIT_NS

    citation = loaded.cit_layouts[0][1].getparent()
    return citation.get(f"{{{CITEKIT_NS}}}locator") == "after"
