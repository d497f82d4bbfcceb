"""Choosing what to format: library files, an input file, keys, and keys cited in a manuscript."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from citekit.bibtex.reader import read_library
from citekit.csljson import read_csl_json
from citekit.errors import UnknownKeyError
from citekit.fileio import read_text
from citekit.model import Item, Problem

# Pandoc: [@key], [see @key, p. 3; @other], @key in text; keys may contain :.#$%&-+?<>~/ inside.
_PANDOC = re.compile(r"(?<![\w@])-?@(\{[^}]+\}|[\w][\w:.#$%&+?<>~/-]*[\w])")
_LATEX = re.compile(r"\\(?:[a-zA-Z]*cite[a-zA-Z]*\*?|nocite|citation)\s*(?:\[[^\]]*\]\s*){0,2}\{([^}]*)\}")


def cited_keys(path: str | Path) -> list[str]:
    """Keys in order of first citation from Markdown (pandoc), LaTeX or a LaTeX ``.aux`` file."""
    path = Path(path)
    text, _ = read_text(path)
    keys: list[str] = []
    if path.suffix in (".tex", ".aux", ".ltx"):
        # Comments first: a commented-out \cite is not a citation.
        text = re.sub(r"(?<!\\)%.*", "", text)
        for m in _LATEX.finditer(text):
            keys.extend(k.strip() for k in m.group(1).split(",") if k.strip() and k.strip() != "*")
    else:
        text = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)  # code is not prose
        for m in _PANDOC.finditer(text):
            keys.append(m.group(1).strip("{}").rstrip(".,;:"))
    seen: dict[str, None] = {}
    for k in keys:
        seen.setdefault(k, None)
    return list(seen)


@dataclass
class Selection:
    items: list[Item]
    problems: list[Problem] = field(default_factory=list)


def select_items(keys: Sequence[str] = (), *, libraries: Sequence[str | Path] = (),
                 input_file: str | Path | None = None, cited_from: str | Path | None = None) -> Selection:
    """The items to format, in the order given (keys, cited-from, or file order)."""
    problems: list[Problem] = []
    if input_file is not None:
        input_path = Path(input_file)
        if input_path.suffix.lower() == ".json":
            pool = read_csl_json(input_path)
        else:
            lib = read_library([input_path])
            problems = lib.problems
            pool = lib.items()
    else:
        lib = read_library(list(libraries) or None)
        problems = lib.problems
        pool = lib.items()
    wanted = list(keys)
    if cited_from is not None:
        wanted += [k for k in cited_keys(cited_from) if k not in wanted]
    if not wanted:
        return Selection(pool, problems)
    index: dict[str, Item] = {}
    for item in pool:
        index.setdefault(str(item.get("id")), item)
    missing = [k for k in wanted if k not in index]
    if missing and cited_from is None:
        raise UnknownKeyError(f"unknown citation key{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    items = [index[k] for k in wanted if k in index]
    for k in missing:
        problems.append(Problem(str(cited_from), 1, f"cited key {k!r} is not in the library",
                                code="unknown-key", key=k))
    return Selection(items, problems)
