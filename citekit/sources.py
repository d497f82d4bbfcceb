"""Choosing what to format: library files, an input file, keys, and keys cited in a manuscript
(read by :mod:`citekit.citing`, imported only when there is one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from citekit.bibtex.reader import read_library
from citekit.csljson import read_csl_json
from citekit.errors import CitekitError, UnknownKeyError
from citekit.model import Item, Problem

if TYPE_CHECKING:
    from citekit.citing import Citation


@dataclass
class Selection:
    items: list[Item]
    problems: list[Problem] = field(default_factory=list)


def select_items(keys: Sequence[str] = (), *, libraries: Sequence[str | Path] = (),
                 input_file: str | Path | None = None, cited_from: str | Path | None = None) -> Selection:
    """The items to format, in the order given (keys, cited-from, or file order).

    ``cited_from``: a manuscript with no citations, or citing a key the library lacks, is an
    error naming the file and the line of the (first) citation.
    """
    problems: list[Problem] = []
    citations: list[Citation] = []
    if cited_from is not None:
        from citekit.citing import ALL, citations_in

        citations = citations_in(cited_from)
        if not citations:
            raise CitekitError("no citations found", cited_from)
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
    index: dict[str, Item] = {}
    for item in pool:
        index.setdefault(str(item.get("id")), item)
    wanted = list(dict.fromkeys(keys))
    first: dict[str, Citation | None] = {}
    for c in citations:
        first.setdefault(c.key, c)
    if citations and ALL in first:  # \nocite{*}: everything, cited entries first
        del first[ALL]
        first.update({k: None for k in index if k not in first})
    wanted += [k for k in first if k not in wanted]
    if not wanted:
        return Selection(pool, problems)
    missing = [k for k in wanted if k not in index]
    if missing and cited_from is not None and first.get(missing[0]) is not None:
        where = first[missing[0]]
        more = missing[1:]
        also = f" (also {', '.join(repr(k) for k in more[:5])}{', …' if len(more) > 5 else ''})" if more else ""
        raise UnknownKeyError(f"unknown citation key {missing[0]!r}{also}", where.path or cited_from, where.line)
    if missing:
        raise UnknownKeyError(f"unknown citation key{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    return Selection([index[k] for k in wanted], problems)
