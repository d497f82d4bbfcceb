"""Rendering CSL-JSON items with citeproc-py plus citekit's compatibility layer.

citeproc-py does the CSL evaluation; citekit owns what it lacks: per-entry layouts by language
(CSL-M ``<layout locale="…">``), the label column (``second-field-align``), year suffixes,
input preparation (CJK names, Zotero note lines, rich text) and safe output formats.
"""

from __future__ import annotations

import multiprocessing
import os
import string
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import citeproc
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source import VariableError
from citeproc.source.json import CiteProcJSON
from lxml import etree

from citekit.bibtex.names import is_cjk
from citekit.csljson import apply_note_fields
from citekit.errors import CitekitError
from citekit.model import Item
from citekit.perf import paused_gc
from citekit.render import formats, patches
from citekit.styles import DEFAULT_STYLE, resolve_style

patches.apply()

_NS = {"cs": "http://purl.org/net/xbiblio/csl"}
_SUPPORTED = {v.replace("_", "-") for v in citeproc.VARIABLES} | {"id", "type"}
_NAME_VARIABLES = {v.replace("_", "-") for v in citeproc.NAMES}
_SUPPORTED |= {"DOI", "URL", "ISBN", "ISSN", "PMID", "PMCID"}


@dataclass
class LoadedStyle:
    """A parsed style and what citekit reads from it once."""

    path: Path
    style: CitationStylesStyle
    bib_layouts: list[tuple[list[str], Any]] = field(default_factory=list)  # (locales, layout)
    cit_layouts: list[tuple[list[str], Any]] = field(default_factory=list)
    locale_lists: dict[str, list] = field(default_factory=dict)
    second_field_align: bool = False
    numeric: bool = False
    has_sort: bool = False
    default_locale: str = "en-US"
    keepalive: list = field(default_factory=list)  # element proxies, so per-element caches persist
    omit_doi_in_url: bool = False  # citekit:omit-doi-in-url: GB/T 7714 8.7 drops a DOI the URL already holds

    def layout_for(self, layouts: list[tuple[list[str], Any]], language: str | None) -> tuple[str | None, Any]:
        lang = (language or "").lower()
        fallback = None
        for locales, layout in layouts:
            if not locales:
                fallback = fallback or layout
                continue
            for loc in locales:
                if lang and (lang == loc.lower() or lang.split("-")[0] == loc.lower().split("-")[0]):
                    return loc, layout
        return None, fallback if fallback is not None else layouts[0][1]

    def locales_for(self, locale: str | None) -> list | None:
        if locale is None:
            return None
        if locale not in self.locale_lists:
            root = self.style.root
            saved = root.locales
            root.set_locale_list(locale, validate=False)
            self.locale_lists[locale] = root.locales
            root.locales = saved
        return self.locale_lists[locale]


_CACHE: dict[tuple[str, float], LoadedStyle] = {}


def load_style(style: str | Path = DEFAULT_STYLE) -> LoadedStyle:
    """Parse a built-in style name or ``.csl`` path (cached per file and modification time)."""
    path = resolve_style(style)
    key = (str(path.resolve()), path.stat().st_mtime)
    if key in _CACHE:
        return _CACHE[key]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = CitationStylesStyle(str(path), validate=False)
    except etree.XMLSyntaxError as exc:
        raise CitekitError(f"malformed CSL: {exc.msg}", path, exc.lineno) from None
    except (ValueError, OSError) as exc:
        raise CitekitError(f"cannot load style: {exc}", path) from None
    root = parsed.root
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        raise CitekitError("not a CSL style (root element is not <style>)", path, 1)
    loaded = LoadedStyle(path=path, style=parsed, default_locale=root.get("default-locale", "en-US"),
                         omit_doi_in_url=root.get(f"{{{patches.CITEKIT_NS}}}omit-doi-in-url") == "true")
    bib = root.find("cs:bibliography", _NS)
    cit = root.find("cs:citation", _NS)
    if cit is None:
        raise CitekitError("the style has no <citation> element", path)
    for parent, target in ((bib, loaded.bib_layouts), (cit, loaded.cit_layouts)):
        if parent is None:
            continue
        for layout in parent.findall("cs:layout", _NS):
            target.append(((layout.get("locale") or "").split(), layout))
    if bib is not None:
        loaded.second_field_align = bib.get("second-field-align") in ("flush", "margin")
        loaded.has_sort = bib.find("cs:sort", _NS) is not None
    loaded.numeric = bool(cit.xpath(".//cs:text[@variable='citation-number']", namespaces=_NS))
    root.locales_default = root.locales
    loaded.keepalive = list(root.iter())
    _CACHE[key] = loaded
    return loaded


# --- input preparation -----------------------------------------------------------------------

def _prepare(item: Item) -> dict[str, Any]:
    """A CSL item → what citeproc-py can read, with citekit's input fixes applied."""
    item = apply_note_fields(item)
    out: dict[str, Any] = {}
    for k, v in item.items():
        if k not in _SUPPORTED or v in (None, "", []):
            continue
        if isinstance(v, str):
            v = formats.rich_text_to_sentinels(v)
        elif k in _NAME_VARIABLES:
            v = [_prepare_name(n) for n in v if isinstance(n, dict)]
        elif isinstance(v, dict) and "raw" in v and "date-parts" not in v:
            v = _raw_date(v)
        elif isinstance(v, (int, float)):
            v = str(v)
        out[k] = v
    out["id"] = str(item.get("id", ""))
    out.setdefault("type", "document")
    if "language" not in out:
        probe = str(item.get("title", "")) + " ".join(
            n.get("literal", "") + n.get("family", "") for n in item.get("author", []) if isinstance(n, dict))
        out["language"] = "zh-CN" if is_cjk(probe) else "en-US"
    return out


def _prepare_name(name: dict[str, Any]) -> dict[str, Any]:
    name = {k: v for k, v in name.items() if k in
            ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")}
    family, given = name.get("family", ""), name.get("given", "")
    # CJK personal names are written family+given with no space (citeproc-py inserts one).
    if family and given and is_cjk(family + given):
        return {"family": family + given}
    if not family and not given and "literal" not in name:
        return {"literal": "Anon"}
    return name


def _raw_date(value: dict[str, Any]) -> dict[str, Any]:
    from citekit.bibtex.dates import DateError, parse_date

    try:
        return parse_date(str(value["raw"]))
    except DateError:
        return {"literal": str(value["raw"])}


# --- rendering -------------------------------------------------------------------------------

@dataclass
class RenderedEntry:
    key: str
    label: str | None  # the citation-number column when the style aligns it separately
    body: str


def _year_suffixes(bib: CitationStylesBibliography, source: CiteProcJSON) -> None:
    """Author-date styles: same first author(s) and year get a, b, c … in bibliography order."""
    groups: dict[tuple, list[str]] = {}
    for key in bib.keys:
        ref = source[key]
        try:
            names = tuple(tuple(sorted(n.items())) for n in ref.get("author", [])[:3])
            year = ref["issued"].get("year") if hasattr(ref.get("issued"), "get") else None
        except (VariableError, AttributeError):
            continue
        if names and year:
            groups.setdefault((names, year), []).append(key)
    for keys in groups.values():
        if len(keys) > 1:
            for n, key in enumerate(keys):
                source[key]["year_suffix"] = string.ascii_lowercase[n % 26]


def _render_with(loaded: LoadedStyle, layouts, item, render) -> str | None:
    root = loaded.style.root
    locale, layout = loaded.layout_for(layouts, item.reference.get("language"))
    swapped = loaded.locales_for(locale)
    if swapped is not None:
        root.locales = swapped
    try:
        layout.repressed = {}
        return render(layout)
    finally:
        root.locales = root.locales_default


def _entry(loaded: LoadedStyle, item) -> RenderedEntry:
    def render(layout) -> RenderedEntry:
        children = list(layout.iterchildren())
        label = None
        if loaded.second_field_align and children:
            try:
                label = children[0].render(item)
            except VariableError:
                label = None
            children = children[1:]
        parts = []
        for child in children:
            try:
                text = child.render(item)
            except VariableError:
                continue
            if text is not None:
                parts.append(text)
        body = layout.join(parts) if parts else ""
        body = layout.format(layout.wrap(body)) if body else ""
        return RenderedEntry(item.key, str(label) if label else None, str(body))

    return _render_with(loaded, loaded.bib_layouts, item, render)


def _bibliography(items: list[Item], loaded: LoadedStyle, sort: bool):
    if not loaded.bib_layouts:
        raise CitekitError("the style has no <bibliography>", loaded.path)
    prepared = [_prepare(i) for i in items]
    if loaded.omit_doi_in_url:
        for p in prepared:
            if "DOI" in p and "URL" in p and str(p["DOI"]).lower() in str(p["URL"]).lower():
                del p["DOI"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(prepared)
    bib = CitationStylesBibliography(loaded.style, source, formats.sentinel)
    keys = [p["id"].lower() for p in prepared]
    citation = Citation([CitationItem(k) for k in keys])
    bib.register(citation)
    if sort and loaded.has_sort:
        bib.sort()
    if not loaded.numeric:
        _year_suffixes(bib, source)
    return bib, source


def render_entries(items: list[Item], style: str | Path = DEFAULT_STYLE, *, sort: bool = True) -> list[RenderedEntry]:
    """Render a bibliography as entries with sentinel markup (see :mod:`citekit.render.formats`).

    ``sort=False`` keeps the given order even when the style sorts (``--order cited``).
    """
    loaded = load_style(style)
    originals = {str(i.get("id", "")).lower(): str(i.get("id", "")) for i in items}
    workers = _workers(len(items))
    with paused_gc():
        if workers > 1 and not (sort and loaded.has_sort):
            # Nothing to sort across the list: each worker prepares, registers and renders a slice.
            out = _render_parallel(loaded, items, workers)
        else:
            bib, _ = _bibliography(items, loaded, sort)
            out = [_entry(loaded, ci) for ci in bib.items]
    for entry in out:
        entry.key = originals.get(entry.key, entry.key)
    return out


# Rendering is CPU-bound pure Python; large lists are split across forked workers, which inherit
# the parsed style and registered bibliography copy-on-write, so nothing is pickled but the output.
PARALLEL_THRESHOLD = 1500
_FORK_STATE: tuple | None = None


def _workers(n: int) -> int:
    if n < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8, n // 500))


def _render_slice(bounds: tuple[int, int]) -> list[tuple[str, str | None, str]]:
    loaded, items = _FORK_STATE  # type: ignore[misc]
    bib, _ = _bibliography(items[bounds[0]:bounds[1]], loaded, sort=False)
    bib.__dict__["_number_offset"] = bounds[0]
    return [(e.key, e.label, e.body) for e in (_entry(loaded, ci) for ci in bib.items)]


def _render_parallel(loaded: LoadedStyle, items: list[Item], workers: int) -> list[RenderedEntry]:
    global _FORK_STATE
    n = len(items)
    step = -(-n // workers)
    bounds = [(i, min(i + step, n)) for i in range(0, n, step)]
    _FORK_STATE = (loaded, items)
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
            chunks = pool.map(_render_slice, bounds)
    finally:
        _FORK_STATE = None
    return [RenderedEntry(k, label, body) for chunk in chunks for k, label, body in chunk]


def entry_text(entry: RenderedEntry, fmt: str = "text") -> str:
    body = formats.finish(entry.body, fmt)
    if entry.label:
        label = formats.finish(entry.label, fmt)
        return f"{label} {body}" if body else label
    return body


def style_citation_options(loaded: LoadedStyle) -> dict[str, Any]:
    """Affixes, delimiter and vertical alignment of the style's (default) citation layout."""
    layout = next((lay for locs, lay in loaded.cit_layouts if not locs), loaded.cit_layouts[0][1])
    number = layout.find(".//cs:text[@variable='citation-number']", _NS)
    root = loaded.style.root
    range_term = None
    for loc in root.locales:
        try:
            term = loc.get_term("citation-range-delimiter")
        except (IndexError, AttributeError):
            continue
        if term is not None:
            single = term.find("cs:single", _NS)
            range_term = (single.text if single is not None else term.text) or ""
            break
    return {
        "prefix": (layout.get("prefix") or "") + (number.get("prefix", "") if number is not None else ""),
        "suffix": (number.get("suffix", "") if number is not None else "") + (layout.get("suffix") or ""),
        "delimiter": layout.get("delimiter", ", "),
        "sup": layout.get("vertical-align") == "sup" or (number is not None and number.get("vertical-align") == "sup"),
        "range_delimiter": range_term if range_term is not None else "\u2013",
        "collapse": layout.getparent().get("collapse") == "citation-number",
        # citekit:collapse-min: the shortest run joined into a range (CSL: 3; GB/T 7714: 2)
        "collapse_min": int(layout.getparent().get(f"{{{patches.CITEKIT_NS}}}collapse-min", "3")),
    }

