"""citekit's CSL processor: CSL 1.0.2 evaluated as citeproc-js does, on XML parsed as citeproc-py parses it.

    from citekit.csl import Processor, Cluster, CiteRef
    proc = Processor("apa.csl", items, fmt="html")
    notes = proc.process([Cluster([CiteRef("doe2020", locator="12")]), Cluster([CiteRef("doe2020")])])
    entries = proc.bibliography()

See docs/engine.md for the modules and what each implements. The names below are imported on
first use, so that importing one module of the engine does not load all of it.
"""

from __future__ import annotations

from typing import Any

_LAZY = {"ItemError": "citekit.csl.items", "CiteRef": "citekit.csl.processor", "Cluster": "citekit.csl.processor",
         "Processor": "citekit.csl.processor", "Style": "citekit.csl.style", "StyleError": "citekit.csl.style",
         "load_style": "citekit.csl.style"}

__all__ = ["CiteRef", "Cluster", "ItemError", "Processor", "Style", "StyleError", "load_style"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'citekit.csl' has no attribute {name!r}")
