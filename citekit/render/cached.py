"""CSL items through the render cache (``citekit.render.cache``): an entry is taken from it when
its item, citation number and disambiguation are those it was rendered with.

When a style's entries stand alone (no sorting, nothing document-wide) and every entry is in the
cache, the entries come back without a processor: the style is not even parsed. A style with
``subsequent-author-substitute`` is not cached (an entry's names depend on the entry before it).
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekit.csl.style import Style
from citekit.render.cache import RenderCache, digest, open_cache
from citekit.render.engine import RenderedEntry, _render_parallel, _rendered, _splittable, _workers
from citekit.styles import resolve_style

if TYPE_CHECKING:
    from citekit.csl.processor import Processor

_ALONE = b"style: entries stand alone"
# An entry's key names its disambiguation, or "" when none applies: then a run that finds every
# entry in the cache need not import the engine's context module to spell the default.
_NO_DISAMBIGUATION = ""


def open_item_cache(style: str | Path | Style, fmt: str) -> RenderCache | None:
    return open_cache(style.path if isinstance(style, Style) else resolve_style(style), fmt, "item")


def cacheable(style: Style) -> bool:
    bib = style.bibliography
    return bib is not None and bib.el.get("subsequent-author-substitute") is None


def _content(prepared: list[dict[str, Any]]) -> dict[str, str]:
    content: dict[str, str] = {}
    for item in prepared:
        content.setdefault(item["id"], json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))
    return content


def all_cached(store: RenderCache, prepared: list[dict[str, Any]], style: str | Path | Style,
               fmt: str) -> list[RenderedEntry] | None:
    """Every entry from the cache, numbered by position, or None (a miss, or a style whose
    entries depend on each other)."""
    if not store.get(_ALONE):
        return None
    content = _content(prepared)
    if len(content) != len(prepared):
        return None  # a repeated id: the processor decides which item wins
    values = [store.get(digest(content[item["id"]], n + 1, _NO_DISAMBIGUATION)) for n, item in enumerate(prepared)]
    if any(v is None for v in values):
        return None
    lazy = _Later(prepared, style, fmt)
    return [RenderedEntry(item["id"], None, cache={fmt: tuple(v)}, rebuild=partial(lazy.tree, item["id"]))
            for item, v in zip(prepared, values, strict=True) if v]


class _Later:
    """A processor made only if a cached entry is asked for in another format."""

    def __init__(self, prepared: list[dict[str, Any]], style: str | Path | Style, fmt: str) -> None:
        self.args = (prepared, style, fmt)
        self.proc: Processor | None = None

    def tree(self, item_id: str) -> tuple[tuple[Any, Any], Any]:
        if self.proc is None:
            from citekit.render.engine import processor

            prepared, style, fmt = self.args
            self.proc = processor(prepared, style, fmt, prepared=True)
            self.proc.bibliography_plan([i["id"] for i in prepared], sort=False)
        return _tree(self.proc, item_id)


def _tree(proc: Processor, item_id: str) -> tuple[tuple[Any, Any], Any]:
    entry = proc.render_bibliography([item_id])[0]
    return (entry.label, entry.body), proc.locale


def through_cache(proc: Processor, prepared: list[dict[str, Any]], ids: list[str], sort: bool, fmt: str,
                  store: RenderCache) -> list[RenderedEntry]:
    """The bibliography, rendering only the entries the cache does not hold."""
    if store.get(_ALONE) is None:
        store.put(_ALONE, _splittable(proc.style))
    from citekit.csl.context import Disamb  # loaded with the processor already

    content = _content(prepared)
    order = proc.bibliography_plan(ids, sort=sort)
    plain = Disamb()
    keys = {i: digest(content[i], proc.citation_number(i),
                      _NO_DISAMBIGUATION if (d := proc.bib_disamb(i)) == plain else repr(d)) for i in order}
    found = {i: v for i in order if (v := store.get(keys[i])) is not None}
    missing = [i for i in order if i not in found]
    if len(missing) == len(order) and not sort and _workers(len(order)) > 1 and _splittable(proc.style):
        fresh = {e.key: e for e in _render_parallel(proc, order, _workers(len(order)), fmt)}
    else:
        fresh = {e.key: e for e in _rendered(proc, proc.render_bibliography(missing))}
    out = []
    for i in order:
        if i in found:
            if found[i]:  # () is an entry the style prints nothing for
                out.append(RenderedEntry(i, None, cache={fmt: tuple(found[i])}, rebuild=partial(_tree, proc, i)))
            continue
        entry = fresh.get(i)
        store.put(keys[i], entry.rendered(fmt) if entry is not None else ())
        if entry is not None:
            out.append(entry)
    store.save()
    return out
