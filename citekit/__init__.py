"""citekit: reference lists, link checks and Zotero export for a curated BibTeX library.

The public API; the ``citekit`` command is a thin layer over these functions.
"""

from __future__ import annotations

__version__ = "0.1.0"

from citekit.bibtex.mapping import csl_to_bibtex, entry_to_csl
from citekit.bibtex.reader import parse_bib, read_library
from citekit.errors import CitekitError
from citekit.model import Entry, Item, Library, Problem

__all__ = [
    "__version__", "CitekitError", "Entry", "Item", "Library", "Problem",
    "csl_to_bibtex", "entry_to_csl", "parse_bib", "read_library",
]
