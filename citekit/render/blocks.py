"""Whole ``.bib`` files through the render cache, one block at a time.

A file is cut where bibtexparser starts a block (a line starting with ``@type{``). A block's digest
covers its text, its file's path, the file's ``@string`` blocks and the title-case setting (all
a block's items depend on); its record holds the first citation number it was rendered with, its items' keys, its
rendered entries, Robust Links data and parse problems (lines relative to the block). A second
run parses and renders only the blocks that are new or whose number moved; the rest is read
back as it was written.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Any

from citekit.bibtex.reader import parse_bib
from citekit.csl.style import Style
from citekit.model import Problem
from citekit.perf import blake2b, paused_gc
from citekit.render import bulk, robust_links
from citekit.render.bulk import Rendered, _file_strings, bulk_style, render_forked
from citekit.render.cache import RenderCache, digest, open_cache
from citekit.render.engine import RenderedEntry, _rendered, load_style, processor

_STYLE_FITS = b"style: block by block"
# A record: (first number, keys (lower case), [(key, label, body)], [(key, original, archived,
# date)], [(line in block, column, message, code, key)]).
Record = tuple[int, list[str], list[tuple[str, Any, str]], list[tuple[str, str, str, str]],
               list[tuple[int, Any, str, str, Any]]]


class _Block:
    """One block of a file: its byte range, and its digest as the cache's key."""

    __slots__ = ("path", "start", "end", "key", "line")

    def __init__(self, path: str, start: int, end: int, key: bytes) -> None:
        self.path, self.start, self.end, self.key = path, start, end, key
        self.line = 0  # 1-based line of its first character, once _number_lines has run

    def text(self, files: dict[str, bytes]) -> str:
        return files[self.path][self.start:self.end].decode("utf-8", "surrogatepass")


def _number_lines(blocks: list[_Block], files: dict[str, bytes]) -> None:
    """Give every block its first line, in one pass per file (a warm run with no parse problems
    never needs them)."""
    at: dict[str, tuple[int, int]] = {}  # path -> (offset, line) of the last block numbered
    for b in blocks:
        offset, line = at.get(b.path, (0, 1))
        b.line = line + files[b.path].count(b"\n", offset, b.start)
        at[b.path] = (b.start, b.line)


# A block start at a line start: bibtexparser begins a block there whatever came before (an "@"
# alone may be text inside a value; an indented one stays inside its block, which may then hold
# more than one entry).
_CUT = re.compile(rb"\n(?=@\w*[ \t]*[{(])")


def _blocks(path: str, data: bytes, strings: dict[str, str]) -> list[_Block]:
    """The file (as UTF-8) cut before every line that starts a block (``@type{``)."""
    from citekit.bibtex.titlecase import default_title_case

    # Besides its text, a block's items depend on its file's macros and the title-case setting:
    # their digest is the key of every block's hash (blake2b's key: no concatenation per block).
    context = digest(path, repr(sorted(strings.items())), default_title_case())
    blake = blake2b
    cuts = [0, *(m.end() for m in _CUT.finditer(data)), len(data)]
    return [_Block(path, start, end, blake(data[start:end], digest_size=16, key=context).digest())
            for start, end in zip(cuts, cuts[1:], strict=False)]


def render_cached(texts: list[tuple[str, str]], style_path: Path, fmt: str, workers: int) -> Rendered | None | bool:
    """The files rendered through the cache; None: the serial path must run (duplicate keys, or
    a style that sorts or numbers otherwise); False: the cache is off.

    A run where nothing changed reads only the cache: not even the style is parsed (whether it
    can be rendered block by block is kept in the cache too).
    """
    with paused_gc():  # the cache file is some 100,000 objects, all kept: nothing to collect
        store = open_cache(style_path, fmt, "bib")
    if store is None:
        return False
    if store.get(_STYLE_FITS) is None:
        store.put(_STYLE_FITS, bulk_style(load_style(style_path)))
    if not store.get(_STYLE_FITS):
        store.save()
        return None
    with paused_gc():
        strings = {path: _file_strings(text) for path, text in texts}
        files = {path: text.encode("utf-8", "surrogatepass") for path, text in texts}
        if len(files) != len(texts):
            return None  # a file named twice: the serial path reports its keys as duplicates
        blocks = [b for path, data in files.items() for b in _blocks(path, data, strings[path])]
        records: list[Record | None] = [store.get(b.key) for b in blocks]
        todo = [k for k, r in enumerate(records) if r is None]
        if sum(blocks[k].end - blocks[k].start for k in todo) >= bulk.MIN_BYTES:
            return _all_fresh(texts, files, blocks, style_path, fmt, workers, store)
        parsed = {k: _parse(blocks[k], files, strings) for k in todo}
        first, number = [], 1
        for k, record in enumerate(records):
            first.append(number)
            number += len(record[1]) if record is not None else len(parsed[k][0])
        moved = [k for k, r in enumerate(records) if r is not None and r[0] != first[k]]
        if sum(blocks[k].end - blocks[k].start for k in moved) >= bulk.MIN_BYTES:
            return _all_fresh(texts, files, blocks, style_path, fmt, workers, store)
        parsed.update((k, _parse(blocks[k], files, strings)) for k in moved)
        keys = [key for k, r in enumerate(records) for key in (r[1] if r is not None and k not in parsed
                                                                   else [str(i["id"]).lower() for i in parsed[k][0]])]
        if len(set(keys)) != len(keys):
            return None
        if parsed:  # nothing new: neither the style nor the engine is loaded
            from citekit.render import prefork

            numbers = {k: first[k] for k in parsed}
            done = prefork.render_blocks(parsed, numbers, style_path, fmt)  # where the engine is loaded
            if done is None:
                done = _render(parsed, numbers, load_style(style_path), fmt)
            for k, record in done.items():
                records[k] = record
                store.put(blocks[k].key, record)
        store.save()  # a no-op unless something was added (or a damaged journal is to be folded in)
        return _assemble(files, blocks, records, fmt)  # type: ignore[arg-type]


def _parse(block: _Block, files: dict[str, bytes],
           strings: dict[str, dict[str, str]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """A block's items and its problems (lines relative to the block, from 1)."""
    from citekit.bibtex.mapping import entry_to_csl

    bib = parse_bib(block.text(files), block.path)
    macros = {**strings[block.path], **bib.strings}
    return [entry_to_csl(e, macros) for e in bib.entries], bib.problems


def _render(parsed: dict[int, tuple[list[dict[str, Any]], list[Problem]]], first: dict[int, int], style: Style,
            fmt: str) -> dict[int, Record]:
    """Records for the blocks parsed in this run, rendered with their citation numbers (``first``:
    each block's first)."""
    items = [i for k in sorted(parsed) for i in parsed[k][0]]
    numbers = {str(i["id"]): first[k] + n for k in parsed for n, i in enumerate(parsed[k][0])}
    proc = processor(items, style, fmt)
    ids = [str(i["id"]) for i in items]
    proc.bibliography_plan(ids, sort=False)
    proc.number_as(numbers)
    entries = {e.key: e.rendered(fmt) for e in _rendered(proc, proc.render_bibliography(ids), fmt)}
    out: dict[int, Record] = {}
    for k, (block_items, problems) in parsed.items():
        block_ids = [str(i["id"]) for i in block_items]
        out[k] = (first[k], [i.lower() for i in block_ids],
                  [(i, *entries[i]) for i in block_ids if i in entries],
                  [(i, *v) for i, v in robust_links(block_items).items()],
                  [(p.line - 1, p.column, p.message, p.code, p.key) for p in problems])
    return out


def _all_fresh(texts: list[tuple[str, str]], files: dict[str, bytes], blocks: list[_Block], style_path: Path,
               fmt: str, workers: int, store: RenderCache) -> Rendered | None:
    """Everything rendered by the forked workers, then recorded block by block."""
    starts: list[tuple[str, int, str]] = []
    done = render_forked(texts, None, fmt, workers, starts, style_path=style_path)
    if done is None:
        return None
    entries, problems, robust = done
    _number_lines(blocks, files)
    by_path: dict[str, list[int]] = {}
    for k, b in enumerate(blocks):
        by_path.setdefault(b.path, []).append(k)
    lines = {path: [blocks[k].line for k in ks] for path, ks in by_path.items()}

    def block_of(path: str, find: list[int], at: int) -> int:
        return by_path[path][max(bisect.bisect_right(find, at) - 1, 0)]

    ids: list[list[str]] = [[] for _ in blocks]
    for path, line, entry_id in starts:
        ids[block_of(path, lines[path], line)].append(entry_id)
    rendered = {e.key: e.rendered(fmt) for e in entries}
    probs: list[list[tuple[int, Any, str, str, Any]]] = [[] for _ in blocks]
    for p in problems:
        k = block_of(p.path, lines[p.path], p.line)
        probs[k].append((p.line - blocks[k].line, p.column, p.message, p.code, p.key))
    number = 1
    for k, b in enumerate(blocks):
        record = (number, [i.lower() for i in ids[k]], [(i, *rendered[i]) for i in ids[k] if i in rendered],
                  [(i, *robust[i]) for i in ids[k] if i in robust], probs[k])
        store.put(b.key, record)
        number += len(ids[k])
    store.save()
    return done


def _assemble(files: dict[str, bytes], blocks: list[_Block], records: list[Record], fmt: str) -> Rendered:
    entries: list[RenderedEntry] = []
    problems: list[Problem] = []
    robust: dict[str, tuple[str, str, str]] = {}
    if any(r[4] for r in records):
        _number_lines(blocks, files)
    add = entries.append
    # Most blocks hold one entry and no links or problems: no comprehension per block.
    for b, (_, _, rendered, links, probs) in zip(blocks, records, strict=True):
        for key, label, body in rendered:
            add(RenderedEntry(key, None, cache={fmt: (label, body)}))
        if links:
            robust.update((key, (original, archived, date)) for key, original, archived, date in links)
        if probs:
            problems += [Problem(b.path, b.line + line, message, column, code, key)
                         for line, column, message, code, key in probs]
    return entries, problems, robust
