"""Formatting with citekit's CSL engine (``citekit.csl``): styles by name, input preparation, entries.

The engine does all CSL evaluation; this layer adds what a bibliography of BibTeX entries needs
around it: built-in style names, the entry language that picks a CSL-M layout,
and entries rendered once in the output format the caller asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekit.bibtex.names import is_cjk
from citekit.csl.style import Style
from citekit.csl.style import load_style as load_csl
from citekit.errors import CitekitError
from citekit.model import Item
from citekit.perf import paused_gc
from citekit.render import entry_text  # noqa: F401 (the engine's callers find it here too)
from citekit.styles import DEFAULT_STYLE, resolve_style

if TYPE_CHECKING:
    from citekit.csl.processor import Processor

_CACHE: dict[tuple[str, float], Style] = {}


def load_style(style: str | Path = DEFAULT_STYLE) -> Style:
    """A built-in style name or ``.csl`` path, parsed and checked (cached per file and mtime)."""
    path = resolve_style(style)
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = load_csl(path)
    return _CACHE[key]


def is_numeric(style: Style) -> bool:
    """Whether the style's citations are numbers (``cs:text variable="citation-number"``)."""
    section = style.citation
    if section is None:
        return False
    return style.contains("citation-number", lambda el: el.name == "text" and el.get("variable") == "citation-number")


_EMPTY = (None, "", [])  # built once: a tuple holding a list is not a constant, it would be built per value


def prepare(item: Item) -> dict[str, Any]:
    """A CSL item as citekit hands it to the engine: a language set (the engine reads note lines).

    The language picks the entry's CSL-M layout (GB/T: "等" for Chinese entries, "et al." for
    English ones); an item without one is taken as Chinese when its title or names are.
    """
    out = {k: v for k, v in item.items() if v not in _EMPTY}
    out["id"] = str(item.get("id", ""))
    out.setdefault("type", "document")
    if "language" not in out:
        probe = str(item.get("title", "")) + " ".join(
            str(n.get("literal", "")) + str(n.get("family", "")) for n in item.get("author", []) or []
            if isinstance(n, dict))
        out["language"] = "zh-CN" if is_cjk(probe) else "en-US"
    return out


def processor(items: Sequence[Item], style: str | Path | Style = DEFAULT_STYLE, fmt: str = "text", *,
              prepared: bool = False) -> Processor:
    """An engine over citekit items (``prepared``: already through ``prepare``); URLs and DOIs
    become links in every format."""
    from citekit.csl.processor import Processor

    loaded = style if isinstance(style, Style) else load_style(style)
    return Processor(loaded, list(items) if prepared else [prepare(i) for i in items], fmt=fmt, links=True)


@dataclass(slots=True)
class RenderedEntry:
    """One bibliography entry: the label column (``[1]``) when the style aligns it, and the rest.

    ``nodes`` holds the engine's output tree, rendered on demand per format; entries rendered in
    worker processes carry only the format they were made for, in ``cache``.
    """

    key: str
    nodes: tuple[Any, Any] | None
    locale: Any = None
    cache: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    # An entry from the render cache: how to build its tree should another format be asked for.
    rebuild: Callable[[], tuple[tuple[Any, Any], Any]] | None = None

    def rendered(self, fmt: str = "text") -> tuple[str | None, str]:
        """(label, body) in ``fmt``."""
        if fmt not in self.cache:
            if self.nodes is None and self.rebuild is not None:
                self.nodes, self.locale = self.rebuild()
            if self.nodes is None:
                raise ValueError(f"entry {self.key!r} was rendered for {', '.join(self.cache)} only")
            from citekit.csl.output import render

            label, body = self.nodes
            self.cache[fmt] = (render(label, fmt, self.locale) if label is not None else None,
                               render(body, fmt, self.locale) if body is not None else "")
        return self.cache[fmt]


def render_entries(items: Sequence[Item], style: str | Path = DEFAULT_STYLE, *, sort: bool = True,
                   fmt: str = "text", cache: bool = True) -> list[RenderedEntry]:
    """The bibliography of ``items`` (``sort=False``: in the given order even when the style sorts).

    ``cache``: take entries rendered before from the persistent render cache
    (``citekit.render.cache``) and store the new ones; the output is the same either way.
    """
    items = list(items)
    with paused_gc():
        prepared = [prepare(i) for i in items]
        store = None
        if cache:
            from citekit.render import cached

            store = cached.open_item_cache(style, fmt)
            if store is not None and (hit := cached.all_cached(store, prepared, style, fmt)) is not None:
                return hit
        proc = processor(prepared, style, fmt, prepared=True)
        if proc.style.bibliography is None:
            raise CitekitError("the style has no <bibliography>", proc.style.path)
        ids = [i["id"] for i in prepared]
        if store is not None and cached.cacheable(proc.style):
            return cached.through_cache(proc, prepared, ids, sort, fmt, store)
        workers = _workers(len(ids))
        if workers > 1 and _splittable(proc.style):
            return _render_parallel(proc, ids, workers, fmt)
        return _rendered(proc, proc.bibliography_entries(ids, sort=sort))


def _rendered(proc: Processor, entries: Sequence[Any], fmt: str | None = None) -> list[RenderedEntry]:
    out = [RenderedEntry(e.id, (e.label, e.body), proc.locale) for e in entries]
    if fmt is not None:  # a worker's entries travel as text, not as trees
        for e in out:
            e.rendered(fmt)
            e.nodes = e.locale = None
    return out


def _splittable(style: Style) -> bool:
    """Whether entries can be rendered in slices: no sorting and nothing document-wide."""
    bib, cit = style.bibliography, style.citation
    if bib is None or bib.sort is not None or bib.el.get("subsequent-author-substitute") is not None:
        return False
    return cit is None or not any(k.startswith("disambiguate") for k in cit.el.attrs)


# Rendering is CPU-bound pure Python: large lists are split across forked workers, which inherit
# the parsed style and the registered items copy-on-write, so nothing is pickled but the output.
PARALLEL_THRESHOLD = 1500
_FORK_STATE: tuple[Processor, list[str], str] | None = None


def _workers(n: int) -> int:
    if n < PARALLEL_THRESHOLD or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8, n // 500))


def _render_slice(bounds: tuple[int, int]) -> list[RenderedEntry]:
    proc, ids, fmt = _FORK_STATE  # type: ignore[misc]
    mine = proc.bibliography_plan(ids[bounds[0]:bounds[1]], sort=False, first_number=bounds[0] + 1)
    out: list[RenderedEntry] = []
    for at in range(0, len(mine), 500):  # trees for a slice at a time, then only their text
        out += _rendered(proc, proc.render_bibliography(mine[at:at + 500]), fmt)
    return out


def _render_parallel(proc: Processor, ids: list[str], workers: int, fmt: str) -> list[RenderedEntry]:
    global _FORK_STATE
    n = len(ids)
    step = -(-n // workers)
    bounds = [(i, min(i + step, n)) for i in range(0, n, step)]
    proc.register(ids)
    proc.disambiguate_registered()  # once, before the fork: every worker inherits the result
    _FORK_STATE = (proc, ids, fmt)
    try:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
            chunks = pool.map(_render_slice, bounds)
    finally:
        _FORK_STATE = None
    return [e for chunk in chunks for e in chunk]
