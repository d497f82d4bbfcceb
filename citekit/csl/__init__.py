"""citekit's CSL processor: CSL 1.0.2 evaluated as citeproc-js does, with citeproc-py as the XML parser.

    from citekit.csl import Processor, Cluster, CiteRef
    proc = Processor("apa.csl", items, fmt="html")
    notes = proc.process([Cluster([CiteRef("doe2020", locator="12")]), Cluster([CiteRef("doe2020")])])
    entries = proc.bibliography()

See docs/engine.md for the modules and what each implements.
"""

from citekit.csl.items import ItemError
from citekit.csl.processor import CiteRef, Cluster, Processor
from citekit.csl.style import Style, StyleError, load_style

__all__ = ["CiteRef", "Cluster", "ItemError", "Processor", "Style", "StyleError", "load_style"]
