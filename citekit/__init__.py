"""citekit: reference lists, link checks and Zotero export for a curated BibTeX library.

The public API; the ``citekit`` command is a thin layer over these functions. Rendering pulls in
citeproc-py and lxml, so those names are imported on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from citekit.bibtex.mapping import csl_to_bibtex, entry_to_csl
from citekit.bibtex.reader import parse_bib, read_library
from citekit.csljson import read_csl_json
from citekit.errors import CitekitError
from citekit.model import Entry, Item, Library, Problem

_LAZY = {"format_bibliography": "citekit.render", "format_citation": "citekit.render",
         "render_document": "citekit.render", "render_entries": "citekit.render"}

__all__ = [
    "__version__", "CitekitError", "Entry", "Item", "Library", "Problem", "csl_to_bibtex", "entry_to_csl",
    "parse_bib", "read_csl_json", "read_library", *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'citekit' has no attribute {name!r}")
