"""``citekit-pandoc``: citations in pandoc documents with citekit's CSL engine and styles.

    pandoc paper.md --filter citekit-pandoc -o paper.html

See ``citekit.pandoc.filter``.
"""

from citekit.pandoc.filter import main, process_document

__all__ = ["main", "process_document"]
