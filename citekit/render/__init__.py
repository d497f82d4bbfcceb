"""Formatting reference lists and citations: the public functions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekit.errors import CitekitError, UnknownKeyError
from citekit.model import Item
from citekit.styles import DEFAULT_STYLE

if TYPE_CHECKING:
    from citekit.render.engine import RenderedEntry

FORMATS = ("text", "html", "markdown", "latex")

__all__ = ["format_bibliography", "format_citation", "render_document", "RenderedEntry", "render_entries",
           "robust_links", "FORMATS"]


def __getattr__(name: str) -> Any:
    # The engine loads on first use: a run answered from the render cache never needs it.
    if name in ("RenderedEntry", "render_entries"):
        from citekit.render import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'citekit.render' has no attribute {name!r}")


def entry_text(entry: RenderedEntry, fmt: str = "text") -> str:
    """An entry as one line: the label, a space, the body."""
    label, body = entry.rendered(fmt)
    if label:
        return f"{label} {body}" if body else label
    return body


def format_bibliography(items: Sequence[Item], style: str | Path = DEFAULT_STYLE, fmt: str = "text",
                        *, sort: bool = True) -> list[str]:
    """One formatted string per entry (numeric styles: ``[n] entry`` in text output)."""
    from citekit.render.engine import render_entries

    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    return [entry_text(e, fmt) for e in render_entries(list(items), style, sort=sort, fmt=fmt)]


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
            label, body = e.rendered("html")
            if robust_links and e.key in robust_links:
                body = _robust(body, *robust_links[e.key])
            if label:
                rows.append(f'  <div class="csl-entry" id="ref-{_html_id(e.key)}"><div class="csl-left-margin">'
                            f'{label}</div><div class="csl-right-inline">{body}</div></div>')
            else:
                rows.append(f'  <div class="csl-entry" id="ref-{_html_id(e.key)}">{body}</div>')
        return '<div class="csl-bib-body">\n' + "\n".join(rows) + "\n</div>\n"
    if fmt == "latex":
        from citekit.csl.emit import latex_key

        rows = [r"\begin{thebibliography}{" + str(max(len(entries), 1)) + "}"]
        for e in entries:
            label, body = e.rendered("latex")
            label = "[{" + label + "}]" if label else ""
            rows.append(rf"\bibitem{label}{{{latex_key(e.key)}}} {body}")
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

    from citekit.csl.emit import escape_attr

    attrs = (f' data-originalurl="{html.escape(original)}" data-versionurl="{html.escape(version)}"'
             + (f' data-versiondate="{html.escape(date)}"' if date else ""))
    for url in {original, version}:
        anchor = f'<a href="{escape_attr(url)}">'  # as the engine writes its links
        body = body.replace(anchor, anchor[:-1] + attrs + ">")
    return body


def _html_id(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_:." else "_" for c in key)


def format_citation(bibliography: Sequence[Item], cites: Sequence[tuple[str, str | None]],
                    style: str | Path = DEFAULT_STYLE, fmt: str = "text") -> str:
    """The in-text citation of ``cites`` (key, page locator), numbered by the bibliography's order.

    One cluster through the engine's document API: collapsing (``[2-3]``; ``citekit:collapse-min``),
    disambiguation and the ``citekit:locator="after"`` placement (``[5]12``) come from the style.
    """
    from citekit.csl.processor import CiteRef, Cluster
    from citekit.render.engine import processor

    proc = processor(bibliography, style, fmt)
    if proc.style.citation is None:
        raise CitekitError("the style has no <citation>", proc.style.path)
    by_lower = {k.lower(): k for k in proc.items}
    refs = []
    for key, locator in cites:
        found = key if key in proc.items else by_lower.get(key.lower())
        if found is None:
            raise UnknownKeyError(f"unknown citation key {key!r}")
        refs.append(CiteRef(found, locator=locator, label="page" if locator else None))
    proc.register(list(proc.items))  # numbers follow the bibliography's order
    return proc.process([Cluster(refs)])[0]
