"""``citekit tidy``: one canonical layout for every entry, touching only entries that differ.

Canonical means: lower-case entry type and field names, the key without surrounding blanks, one
field per line indented by the project's indent, ``name = value,`` with a trailing comma, the
closing brace on its own line, fields in citekit's order, and braces instead of quotes. Values are
never re-encoded: braced values, bare numbers, ``@string`` macros and ``#`` concatenations are
kept byte for byte, so an entry's meaning (its CSL-JSON) cannot change. Text between entries is
never touched, and a second run changes nothing.

Keys are kept unless the project asks for ``rename-keys``: then a key that does not follow Better
BibTeX's formula is renamed to it, and the old key is added to ``ids`` so biblatex documents that
cite it still work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from citekit.bibtex.layout import ScanError, newline_of, scan_entry, splice
from citekit.bibtex.mapping import DATE_FIELDS, NAME_FIELDS, TEXT_FIELDS, entry_to_csl
from citekit.bibtex.reader import bib_files, parse_bib
from citekit.bibtex.writer import check_writable, quote_safe, span_ok
from citekit.care.config import CareConfig
from citekit.care.keys import bbt_key, unique_key
from citekit.errors import CitekitError
from citekit.fileio import atomic_write, file_lock, read_text
from citekit.model import BibFile, Entry
from citekit.perf import paused_gc

# The order a reader scans a reference in: who, what, where it appeared, which part, who
# published it, when, how to find it, and citekit's own bookkeeping last.
ORDER = [
    "author", "editor", "bookauthor", "translator", "holder", "sponsor", "cosponsor", "editora",
    "title", "subtitle", "titleaddon", "shorttitle", "journaltitle", "journal", "shortjournal",
    "journalsubtitle", "booktitle", "booksubtitle", "maintitle", "mainsubtitle", "eventtitle",
    "eventdate", "venue", "edition", "series", "volume", "volumes", "type", "number", "issue",
    "chapter", "pages", "pagetotal", "code", "section", "congress", "chamber", "institution",
    "organization", "school", "publisher", "location", "address", "howpublished", "date", "year",
    "month", "day", "origdate", "version", "isbn", "issn", "doi", "eprint", "eprinttype",
    "eprintclass", "primaryclass", "archiveprefix", "pmid", "pmcid", "url", "urldate", "archiveurl",
    "archivedate", "langid", "language", "origlanguage", "keywords", "abstract", "note", "addendum",
    "annotation", "annote", "pubstate", "ids", "crossref", "xref", "entryset", "options", "file",
]
# Articles read journal, date, then volume and issue (as GB/T and NIST print them).
_ARTICLE_TYPES = {"article", "periodical", "suppperiodical"}
_DATE_GROUP = ["date", "year", "month", "day"]


def _target(name: str) -> str:
    """The CSL variable a field feeds; fields feeding the same one keep their relative order."""
    if name in NAME_FIELDS:
        return "names:" + NAME_FIELDS[name]
    if name in DATE_FIELDS:
        return "date:" + DATE_FIELDS[name]
    if name in ("year", "month", "day"):
        return "date:issued"
    if name in TEXT_FIELDS:
        return "text:" + TEXT_FIELDS[name]
    return "field:" + name


def _ranks(order: list[str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    by_target: dict[str, int] = {}
    for i, name in enumerate(order):
        t = _target(name)
        ranks[name] = by_target.setdefault(t, i)
    return ranks


def field_order(entry_type: str, config: CareConfig) -> dict[str, int]:
    order = list(ORDER)
    if entry_type in _ARTICLE_TYPES:
        for name in _DATE_GROUP:
            order.remove(name)
        at = order.index("shortjournal") + 1
        order[at:at] = _DATE_GROUP
    front = [n for n in config.field_order if n in order]
    order = front + [n for n in order if n not in front] + [n for n in config.field_order if n not in order]
    return _ranks(order)


_ORDER_CACHE: dict[tuple[str, tuple[str, ...]], dict[str, int]] = {}


def _canonical(
    text: str, config: CareConfig, nl: str, new_key: str | None = None, keep_order: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    layout = scan_entry(text)
    at = text.index("@") + 1
    brace = min(i for i in (text.find("{", at), text.find("(", at)) if i != -1)
    entry_type = text[at:brace].strip().lower()
    key_end = layout.head_end - 1 if text[layout.head_end - 1] == "," else layout.close
    key = text[brace + 1:key_end].strip()
    names = [f.name for f in layout.fields]
    if len(set(names)) != len(names):
        raise ScanError("a field is written twice; fix that first", layout.fields[0].name_start)
    cache_key = (entry_type, tuple(config.field_order))
    ranks = _ORDER_CACHE.get(cache_key)
    if ranks is None:
        ranks = _ORDER_CACHE[cache_key] = field_order(entry_type, config)
    unknown = len(ranks) + 1000
    pairs = []
    ordered = layout.fields if keep_order else sorted(layout.fields, key=lambda f: ranks.get(f.name, unknown))
    for f in ordered:
        raw = text[f.value_start:f.value_end]
        # a "#" inside quotes is left alone: readers disagree on whether it concatenates
        if f.enclosing == '"' and not f.concatenated and "#" not in raw and quote_safe(raw[1:-1]):
            raw = "{" + raw[1:-1] + "}"
        pairs.append((f.name, raw))
    if new_key and new_key != key:
        # the old key stays usable: biblatex resolves citations through ids
        ids = [(i, raw) for i, (name, raw) in enumerate(pairs) if name == "ids" and raw.startswith("{")]
        if ids:
            i, raw = ids[0]
            pairs[i] = ("ids", raw[:-1] + (", " if raw[1:-1].strip() else "") + key + "}")
        elif "ids" not in names:
            pairs.append(("ids", "{" + key + "}"))
        key = new_key
    lines = [f"@{entry_type}{{{key},"]
    lines.extend(f"{config.indent}{name} = {raw}," for name, raw in pairs)
    lines.append("}")
    return nl.join(lines), pairs


def tidy_entry_text(text: str, config: CareConfig | None = None, nl: str = "\n") -> str:
    """The canonical form of one entry's text. Raises :class:`ScanError` if it cannot be read."""
    return _canonical(text, config or CareConfig(), nl)[0]


@dataclass
class TidyResult:
    path: str
    changed: list[str] = field(default_factory=list)  # keys whose layout was (or would be) changed
    renamed: dict[str, str] = field(default_factory=dict)  # old key → new key (rename-keys)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (key, line, why)
    written: bool = False


def _bbt_key(bib: BibFile, e: Entry, taken: set[str]) -> str | None:
    """The Better BibTeX key for ``e`` if its key does not follow the formula (None if it does)."""
    base = bbt_key(entry_to_csl(e, bib.strings))
    if base.startswith("anon") or re.fullmatch(re.escape(base) + "[a-z]*", e.key):
        return None  # already follows the formula, or nothing to build a better key from
    key = unique_key(base, taken)
    taken.add(key)
    return key


def _tidy_text(bib: BibFile, text: str, config: CareConfig, result: TidyResult) -> str:
    nl = newline_of(text)
    edits = []
    taken = {e.key for e in bib.entries}
    # entries other entries inherit from (crossref, xdata): what a child inherits can depend on
    # the parent's field order, so their order is kept and only their layout is normalised
    parents = {k.strip() for e in bib.entries for n in ("crossref", "xdata") for k in (e.get(n) or "").split(",")}
    for e in bib.entries:
        old = text[e.start:e.end]
        if not span_ok(text, e):
            result.skipped.append((e.key, e.line, "cannot locate the entry exactly"))
            continue
        try:
            new_key = _bbt_key(bib, e, taken) if config.rename_keys and e.key not in parents else None
            new, pairs = _canonical(old, config, nl, new_key, keep_order=e.key in parents)
        except ScanError as exc:
            result.skipped.append((e.key, e.line, str(exc)))
            continue
        if new == old:
            continue
        # belt and braces: the new text must read back as exactly the intended fields
        check = scan_entry(new)
        if [(f.name, new[f.value_start:f.value_end]) for f in check.fields] != pairs:
            raise CitekitError(f"internal error: tidy would change the values of {e.key!r}", bib.path, e.line)
        edits.append((e.start, e.end, new))
        result.changed.append(e.key)
        if new_key:
            result.renamed[e.key] = new_key
    return splice(text, edits) if edits else text


def tidy_file(path: str | Path, config: CareConfig | None = None, *, check: bool = False,
              force: bool = False) -> TidyResult:
    """Tidy one file in place (``check``: only report what would change)."""
    config = config or CareConfig()
    path = Path(path)
    result = TidyResult(str(path))
    if check:
        text, _ = read_text(path)
        with paused_gc():
            _tidy_text(parse_bib(text, str(path)), text, config, result)
        return result
    with file_lock(path):
        text, bom = read_text(path)
        with paused_gc():
            bib = parse_bib(text, str(path))
            check_writable(bib, force)
            new = _tidy_text(bib, text, config, result)
        if new != text:
            atomic_write(path, bom + new, force=force)
            result.written = True
    return result


def tidy_paths(paths: Iterable[str | Path] | None, config: CareConfig | None = None, *, check: bool = False,
               force: bool = False) -> list[TidyResult]:
    return [tidy_file(p, config, check=check, force=force) for p in bib_files(paths)]
