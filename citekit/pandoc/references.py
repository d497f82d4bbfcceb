"""Inline ``references:`` in a pandoc document's metadata, as CSL items.

pandoc's ``--citeproc`` reads CSL YAML items from the metadata as well as the ``bibliography``
files, and an inline item wins over a file's item with the same id. The YAML reaches a filter
already parsed as Markdown: every scalar is inlines (``title: A *Book*`` is ``A``, ``Emph``),
so text variables keep their formatting as citeproc-js's micro-HTML (``A <i>Book</i>``), which
the engine reads in any field; identifiers, names and dates are plain text.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citekit.errors import CitekitError
from citekit.pandoc import ast
from citekit.pandoc.inlines import to_rich

# Values that are identifiers or codes, not prose: no markup, whatever Markdown made of them.
_PLAIN = frozenset({"id", "type", "language", "DOI", "doi", "URL", "url", "ISBN", "isbn", "ISSN", "issn", "PMID",
                    "PMCID", "citation-key", "citation-label", "license", "jurisdiction"})
_INT = re.compile(r"^-?\d+$")


def _text(value: Any, rich: bool) -> str:
    tag, c = value.get("t"), value.get("c")
    if tag == "MetaString":
        return c if isinstance(c, str) else ""
    if tag == "MetaInlines":
        return (to_rich(c) if rich else ast.stringify(c)).strip()
    if tag == "MetaBlocks":  # a value spanning paragraphs (``abstract: |``): one line of text
        parts = [b.get("c") for b in c if isinstance(b, dict) and b.get("t") in ("Para", "Plain")]
        if len(parts) == len(c):
            return " ".join((to_rich(p) if rich else ast.stringify(p)).strip() for p in parts)
        return ast.stringify(c).strip()
    return ast.stringify(value).strip()


def _convert(value: Any, key: str, in_structure: bool) -> Any:
    """A metadata value as JSON: maps and lists kept, booleans kept, inlines as text."""
    if not isinstance(value, dict):
        return None
    tag, c = value.get("t"), value.get("c")
    if tag == "MetaMap":
        # inside a name or a date every part is plain text (no markup in "family" or "date-parts")
        plain = in_structure or key in NAME_OR_DATE
        return {k: _convert(v, k, plain) for k, v in (c or {}).items()}
    if tag == "MetaList":
        return [_convert(v, key, in_structure or key in NAME_OR_DATE) for v in (c or [])]
    if tag == "MetaBool":
        return bool(c)
    text = _text(value, rich=not in_structure and key not in _PLAIN and key not in NAME_OR_DATE)
    if key in ("date-parts", "year", "month", "day") and _INT.match(text):
        return int(text)  # citeproc-js takes date parts as numbers
    return text


def _names_and_dates() -> frozenset[str]:
    from citekit.csl.items import DATE_VARIABLES, NAME_VARIABLES

    return NAME_VARIABLES | DATE_VARIABLES


NAME_OR_DATE = _names_and_dates()


def inline_references(meta: dict[str, Any], warn: Callable[[str], None],
                      where: str | Path = "metadata") -> list[dict[str, Any]]:
    """The CSL items of the metadata's ``references`` list (one map is taken as a list of one).

    An item the engine cannot use is an error naming it (the filter exits 2); an item without an
    ``id`` cannot be cited and is left out with a warning. ``where``: the file, for messages.
    """
    value = ast.meta_value(meta, "references")
    if value is None:
        return []
    entries = value.get("c") if value.get("t") == "MetaList" else [value]
    items: list[dict[str, Any]] = []
    from citekit.csl.items import ItemError, normalize_item
    from citekit.csljson import apply_note_fields

    for n, entry in enumerate(entries or [], 1):
        raw = _convert(entry, "", False)
        if not isinstance(raw, dict):
            raise CitekitError(f"references item {n} is not a map of CSL variables", where)
        if not str(raw.get("id") or "").strip():
            in_file = f"{where}: " if where != "metadata" else ""
            warn(f"[WARNING] citekit-pandoc: {in_file}references item {n} has no id; it is left out")
            continue
        raw["id"] = str(raw["id"]).strip()
        try:
            normalize_item(raw, n - 1)  # the engine's checks, reported with the item's place
        except ItemError as exc:
            raise CitekitError(f"references item {n}: {exc.message}", where) from None
        item = apply_note_fields(raw)
        item.setdefault("type", "document")
        item.setdefault("citation-key", item["id"])
        items.append(item)
    return items


def read_yaml_bibliography(path: Path, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    """A CSL YAML bibliography file (``references:`` and a list of items), read as pandoc reads it:
    by pandoc's own YAML reader, Markdown in the values included (the pandoc running the filter)."""
    from citekit.fileio import read_text
    from citekit.pandoc.source import pandoc_binary

    pandoc = pandoc_binary()
    if pandoc is None:
        raise CitekitError("a CSL YAML bibliography needs pandoc to read it", path)
    text, _ = read_text(path)
    if not text.lstrip().startswith("---"):
        text = f"---\n{text}\n...\n"
    proc = subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=text, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise CitekitError(f"pandoc cannot read it as YAML: {detail[-1] if detail else proc.returncode}", path)
    meta = json.loads(proc.stdout).get("meta", {})
    if ast.meta_value(meta, "references") is None:
        raise CitekitError("no 'references' list (a CSL YAML bibliography starts with 'references:')", path)
    return inline_references(meta, warn, path)


def merge(inline: list[dict[str, Any]], files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files' items whose id no inline item has, then the inline items: pandoc's order (which
    ``nocite: '@*'`` numbers uncited items in) and its rules for an id given twice: an inline item
    wins, and among the files the later one's item (in the earlier one's place)."""
    by_id: dict[str, dict[str, Any]] = {}
    for item in files:
        by_id[str(item.get("id"))] = item
    ids = {str(i["id"]) for i in inline}
    return [*(i for key, i in by_id.items() if key not in ids), *inline]
