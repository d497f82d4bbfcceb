"""Formatting whole large libraries on every core: parse, map and render in forked workers.

The serial path parses and maps every entry in one process before rendering; for a 10,000-entry
library that is a third of the time. Here each worker takes a run of consecutive entries (split at
lines starting with a block start, ``@type{``, where bibtexparser itself starts a new block), parses and maps them,
reports how many it will render, receives its first citation number, and renders. The output is
identical to the serial path; anything unusual (duplicate keys across runs, a style that sorts)
returns None so the caller uses the serial path.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citekit.bibtex.reader import bib_files, parse_bib
from citekit.csl.style import Style
from citekit.fileio import read_text
from citekit.model import BibFile, Problem
from citekit.render import robust_links
from citekit.render.engine import RenderedEntry, _rendered, _splittable, is_numeric, load_style, processor
from citekit.styles import resolve_style

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

MIN_BYTES = 400_000  # below this (≈ 1,500 entries) forking costs more than it saves
SLICE = 500  # entries whose output trees a worker holds at once
PIECE_BYTES = 250_000  # .bib text a worker parses at once
# Where bibtexparser always starts a block, in the whole file as in a piece: "@type{" or
# "@type(" at a line start ("@" alone there may be text inside a value).
_BLOCK_START = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.M)
_STRING_START = re.compile(r"^[ \t]*@string\s*[{(]", re.M | re.I)
_ANY_STRING = re.compile(r"@[sS][tT][rR][iI][nN][gG]")


@dataclasses.dataclass
class _Piece:
    path: str
    text: str
    line_offset: int  # lines before the piece in its file
    char_offset: int
    strings: dict[str, str]


def _split(path: str, text: str, parts: int, strings: dict[str, str]) -> list[_Piece]:
    cuts = [0]
    for k in range(1, parts):
        m = _BLOCK_START.search(text, len(text) * k // parts)
        if m and m.start() > cuts[-1]:
            cuts.append(m.start())
    cuts.append(len(text))
    pieces, line, at = [], 0, 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a < b:
            line += text.count("\n", at, a)
            at = a
            pieces.append(_Piece(path, text[a:b], line, a, strings))
    return pieces


def _file_strings(text: str) -> dict[str, str]:
    """@string macros of a whole file, so that every piece can resolve them."""
    if not _ANY_STRING.search(text):  # lower() of a whole library costs more than this scan
        return {}
    blocks = []
    for m in _STRING_START.finditer(text):
        end = text.find("\n@", m.end())
        blocks.append(text[m.start(): end if end != -1 else len(text)])
    return parse_bib("\n".join(blocks)).strings if blocks else {}


def _shift(bib: BibFile, piece: _Piece) -> BibFile:
    for e in bib.entries:
        e.line += piece.line_offset
        e.start += piece.char_offset
        e.end += piece.char_offset
        for f in e.fields.values():
            f.line += piece.line_offset
    bib.problems = [dataclasses.replace(p, line=p.line + piece.line_offset) for p in bib.problems]
    return bib


def _worker(pieces: list[_Piece], style: Style, fmt: str, conn: Connection) -> None:
    from citekit.bibtex.mapping import entry_to_csl
    from citekit.bibtex.titlecase import default_title_case

    gc.disable()  # a short-lived process that frees by reference counting (see citekit.perf)
    try:
        items, problems, starts = [], [], []
        title_case = default_title_case()  # looked up once, not once per entry
        for piece in pieces:
            bib = _shift(parse_bib(piece.text, piece.path), piece)
            strings = {**piece.strings, **bib.strings}
            mapped = [entry_to_csl(e, strings, title_case=title_case) for e in bib.entries]
            items += mapped
            starts += [(e.path, e.line, str(i["id"])) for e, i in zip(bib.entries, mapped, strict=True)]
            problems += bib.problems
        conn.send(([str(i["id"]).lower() for i in items], problems, starts))
        offset = conn.recv()
        if offset is None:
            return
        proc = processor(items, style, fmt)
        ids = proc.bibliography_plan([str(i["id"]) for i in items], sort=False, first_number=offset + 1)
        # Entries travel as (key, label, body): pickling thousands of RenderedEntry objects costs
        # several times as much, on both sides of the pipe.
        rendered: list[tuple[str, str | None, str]] = []
        for at in range(0, len(ids), SLICE):  # trees for a slice at a time, then only their text
            rendered += [(e.key, *e.cache[fmt])
                         for e in _rendered(proc, proc.render_bibliography(ids[at:at + SLICE]), fmt)]
        conn.send((rendered, robust_links(items)))
    finally:
        conn.close()


Rendered = tuple[list[RenderedEntry], list[Problem], dict[str, tuple[str, str, str]]]


def render_files(paths: Sequence[str | Path] | None, style: str | Path, workers: int | None = None,
                 fmt: str = "text", cache: bool = True) -> Rendered | None:
    """Every entry of the files, rendered in file order with ``workers`` processes; None: not applicable.

    Returns the entries, the parse problems, and the Robust Links data (see ``robust_links``).
    ``cache``: entries whose ``.bib`` text and number are unchanged since a run with the same
    style come from the render cache (``citekit.render.blocks``), unparsed.
    """
    if not hasattr(os, "fork"):
        return None
    style_path = resolve_style(style)
    if cache:
        texts = _texts(paths)
        if sum(len(t) for _, t in texts) < MIN_BYTES:
            return None
        from citekit.render.blocks import render_cached

        done = render_cached(texts, style_path, fmt, workers or _cores())
        if done is not False:
            return done
    loaded = load_style(style_path)
    if not bulk_style(loaded):
        return None
    texts = _texts(paths) if not cache else texts
    workers = workers or _cores()
    if sum(len(t) for _, t in texts) < MIN_BYTES or workers < 2:
        return None
    return render_forked(texts, loaded, fmt, workers)


def bulk_style(style: Style) -> bool:
    """Whether a style's entries can be rendered in slices and numbered by position."""
    return _splittable(style) and is_numeric(style)


def _texts(paths: Sequence[str | Path] | None) -> list[tuple[str, str]]:
    return [(str(p), read_text(p)[0]) for p in bib_files(paths)]


def _cores() -> int:
    return min(os.cpu_count() or 1, 8)


def render_forked(texts: list[tuple[str, str]], loaded: Style, fmt: str, workers: int,
                  starts: list[tuple[str, int, str]] | None = None) -> Rendered | None:
    """``render_files`` in ``workers`` forked processes; ``starts`` receives each item's file,
    line and id, in order."""
    import multiprocessing

    # Loaded once here rather than in every worker (the workers inherit them).
    import citekit.bibtex.mapping  # noqa: F401
    import citekit.csl.evaluate  # noqa: F401
    import citekit.csl.processor  # noqa: F401

    size = sum(len(t) for _, t in texts)
    pieces: list[_Piece] = []
    for path, text in texts:
        # Pieces of about PIECE_BYTES: a worker parses one at a time, so the parser's objects for
        # one piece are freed before the next (peak memory), and the workers' shares stay even.
        parts = max(1, round(workers * len(text) / size), len(text) // PIECE_BYTES)
        pieces += _split(path, text, parts, _file_strings(text))
    groups: list[list[_Piece]] = [[] for _ in range(workers)]
    target, acc = size / workers, 0
    for piece in pieces:
        groups[min(int(acc // target), workers - 1)].append(piece)
        acc += len(piece.text)
    groups = [g for g in groups if g]
    ctx = multiprocessing.get_context("fork")
    conns, procs = [], []
    for group in groups:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(group, loaded, fmt, child), daemon=True)
        proc.start()
        child.close()
        conns.append(parent)
        procs.append(proc)
    try:
        reports = [c.recv() for c in conns]
        keys = [k for ks, _, _ in reports for k in ks]
        if len(set(keys)) != len(keys):  # a duplicate across pieces: the serial path reports it properly
            for c in conns:
                c.send(None)
            return None
        offset = 0
        for c, (ks, _, _) in zip(conns, reports, strict=True):
            c.send(offset)
            offset += len(ks)
        results = [c.recv() for c in conns]
        entries = [RenderedEntry(key, None, cache={fmt: (label, body)})
                   for rendered, _ in results for key, label, body in rendered]
        robust = {k: v for _, links in results for k, v in links.items()}
    except EOFError:  # a worker died: let the caller render serially
        return None
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
    if starts is not None:
        starts += [s for _, _, ss in reports for s in ss]
    return entries, [p for _, probs, _ in reports for p in probs], robust
