"""``citekit dedupe``: list duplicate works and merge them.

A merge keeps the first entry of each group (library order) under its key, fills in every field
it lacks from the others, takes the richer (longer) value where both have one, and records the
dropped keys in ``ids`` so biblatex still resolves citations that use them. Identifier-like
fields (url, doi, urldate, number, …) are never overwritten: two different URLs are a question
for a human, not a merge. The dropped entries are then deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from citekit.bibtex.mapping import resolve_macros
from citekit.bibtex.reader import read_library
from citekit.bibtex.writer import edit_entries, edit_entry_text
from citekit.care.duplicates import DuplicateGroup, find_duplicates
from citekit.model import Entry, Library

KEEP_FIRST = {"url", "doi", "urldate", "number", "type", "langid", "language", "eprint", "isbn", "issn"}


@dataclass
class MergePlan:
    keep: Entry
    drop: list[Entry]
    changes: dict[str, str | None]  # field changes on the kept entry
    reasons: list[str]


def find_groups(library: Library) -> list[DuplicateGroup]:
    return find_duplicates(library.entries, {f.path: f.strings for f in library.files})


def _value(library: Library, entry: Entry, name: str) -> str:
    f = entry.fields[name]
    if f.enclosing:
        return f.value
    return resolve_macros(f.value, library.file_of(entry).strings)


def plan_merge(library: Library, group: DuplicateGroup) -> MergePlan:
    keep, drop = group.entries[0], group.entries[1:]
    changes: dict[str, str | None] = {}
    current = {name: _value(library, keep, name) for name in keep.fields}
    for other in drop:
        for name in other.fields:
            if name == "ids":
                continue
            value = _value(library, other, name)
            if not value.strip():
                continue
            mine = current.get(name)
            if mine is None or not mine.strip():
                changes[name] = current[name] = value
            elif name not in KEEP_FIRST and len(value.strip()) > len(mine.strip()):
                changes[name] = current[name] = value
    ids = [k.strip() for k in current.get("ids", "").split(",") if k.strip()]
    for other in drop:
        for k in [other.key, *(x.strip() for x in (other.get("ids") or "").split(","))]:
            if k and k not in ids and k != keep.key:
                ids.append(k)
    changes["ids"] = ", ".join(ids)
    return MergePlan(keep, drop, changes, group.reasons[1:])


def merge(paths: Iterable[str | Path] | None = None, *, force: bool = False) -> list[MergePlan]:
    """Merge every duplicate group in the library; returns what was done."""
    library = read_library(list(paths) if paths is not None else None)
    plans = [plan_merge(library, g) for g in find_groups(library)]
    # one write per file: the kept entries' new text and the deletions together
    per_file: dict[str, dict[str, Callable[[str], str | None]]] = defaultdict(dict)
    for plan in plans:
        per_file[plan.keep.path][plan.keep.key] = lambda old, c=plan.changes: edit_entry_text(old, c)
        for e in plan.drop:
            per_file[e.path][e.key] = lambda _old: None
    # files holding kept entries first: a crash in between leaves a duplicate, never a loss
    keepers = {plan.keep.path for plan in plans}
    for path in sorted(per_file, key=lambda p: (p not in keepers, p)):
        edit_entries(path, per_file[path], force=force)
    return plans
