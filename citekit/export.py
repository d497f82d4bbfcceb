"""``citekit export``: the library's items in the formats Zotero and LaTeX users need.

Every format is produced from CSL-JSON items (the model in the middle): CSL-JSON itself,
Zotero's Web API item JSON and, from that, RIS and Zotero RDF; BibLaTeX/BibTeX through the core
mapping (``csl_to_bibtex``) in Better BibTeX's conventions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from citekit.errors import CitekitError
from citekit.model import Item
from citekit.zotero.mapping import csl_to_zotero, normalize_date
from citekit.zotero.rdf import items_to_rdf
from citekit.zotero.ris import items_to_ris

FORMATS = ("csljson", "ris", "biblatex", "bibtex", "zotero-json", "zotero-rdf")
_DATE_VARS = ("issued", "accessed", "original-date", "event-date", "submitted")


def key_in_extra(extra: object, key: str) -> str:
    """``extra`` (Zotero's Extra, CSL's note) with a ``Citation Key: key`` line, Better BibTeX's way.

    Zotero versions whose CSL-JSON and RDF importers drop ``citation-key`` still read this line.
    """
    text = str(extra or "").strip("\n")
    if any(line.strip().lower() == f"citation key: {key}".lower() for line in text.splitlines()):
        return text
    return f"{text}\nCitation Key: {key}" if text else f"Citation Key: {key}"


def to_csl_json_item(item: Item) -> Item:
    """A CSL item as exported: dates with both ``date-parts`` and ``raw``; ``citation-key`` set."""
    out = dict(item)
    key = out.get("citation-key") or out.get("id")
    if key:
        out["citation-key"] = str(key)
        out.setdefault("id", str(key))
        out["note"] = key_in_extra(out.get("note"), str(key))
    for var in _DATE_VARS:
        if out.get(var):
            out[var] = normalize_date(out[var])
    return out


def export_csljson(items: Iterable[Item]) -> str:
    return json.dumps([to_csl_json_item(i) for i in items], ensure_ascii=False, indent=2) + "\n"


def export_zotero_json(items: Iterable[Item]) -> str:
    return json.dumps([csl_to_zotero(i) for i in items], ensure_ascii=False, indent=2) + "\n"


def export_ris(items: Iterable[Item]) -> str:
    return items_to_ris(csl_to_zotero(i) for i in items)


def _with_key_in_extra(z: dict) -> dict:
    if z.get("citationKey"):
        z["extra"] = key_in_extra(z.get("extra"), str(z["citationKey"]))
    return z


def export_rdf(items: Iterable[Item]) -> str:
    return items_to_rdf(_with_key_in_extra(csl_to_zotero(i)) for i in items)


def bibtex_entry(item: Item, dialect: str = "biblatex") -> str:
    """One entry's text via the core mapping and the core writer's canonical layout."""
    from citekit.bibtex.mapping import csl_to_bibtex
    from citekit.bibtex.writer import format_entry

    entry_type, key, fields = csl_to_bibtex(item, dialect)
    return format_entry(entry_type, key, fields)


def export_bibtex(items: Iterable[Item], dialect: str = "biblatex") -> str:
    return "\n\n".join(bibtex_entry(i, dialect) for i in items) + "\n"


EXPORTERS: dict[str, Callable[[Iterable[Item]], str]] = {
    "csljson": export_csljson,
    "ris": export_ris,
    "biblatex": lambda items: export_bibtex(items, "biblatex"),
    "bibtex": lambda items: export_bibtex(items, "bibtex"),
    "zotero-json": export_zotero_json,
    "zotero-rdf": export_rdf,
}


def export(items: Iterable[Item], fmt: str) -> str:
    """``items`` written in format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise CitekitError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return exporter(list(items))
