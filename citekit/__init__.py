"""citekit: reference lists, link checks and Zotero export for a curated BibTeX library.

The public API; the ``citekit`` command is a thin layer over these functions. Every name is
imported on first use, so that ``import citekit`` (and the command's start-up) stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "csl_to_bibtex": "citekit.bibtex.mapping", "entry_to_csl": "citekit.bibtex.mapping",
    "parse_bib": "citekit.bibtex.reader", "read_library": "citekit.bibtex.reader",
    "read_csl_json": "citekit.csljson", "CitekitError": "citekit.errors",
    "Entry": "citekit.model", "Item": "citekit.model", "Library": "citekit.model", "Problem": "citekit.model",
    "format_bibliography": "citekit.render", "format_citation": "citekit.render",
    "render_document": "citekit.render", "render_entries": "citekit.render",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'citekit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
