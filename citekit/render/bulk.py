"""Formatting whole large libraries on every core: parse, map and render in forked workers.

The serial path parses and maps every entry in one process before rendering; for a 10,000-entry
library that is a third of the time. Here the files are cut into pieces of consecutive entries
(at lines starting with a block start, ``@type{``, where bibtexparser itself starts a new block),
and each worker asks for a piece, parses and maps it and reports its keys, until none is left.
Then each learns the first citation number of each of its pieces and renders them. The output is
identical to the serial path; anything unusual (duplicate keys across pieces, a style that sorts)
returns None so the caller uses the serial path.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citekit.bibtex.reader import bib_files, parse_bib
from citekit.csl.style import Style
from citekit.fileio import read_text
from citekit.model import BibFile, Problem
from citekit.render import robust_links
from citekit.render.engine import RenderedEntry, _rendered, _splittable, is_numeric, load_style, processor
from citekit.render.workers import cores
from citekit.styles import resolve_style

if TYPE_CHECKING:
    from citekit.bibtex.titlecase import TitleCase
    from citekit.render.workers import Pipe, Worker

MIN_BYTES = 400_000  # below this (≈ 1,500 entries) forking costs more than it saves
SLICE = 500  # entries whose output trees a worker holds at once
# .bib text a worker parses at once: small enough that a worker on a slower core (the two cores of
# a shared machine differ by a third at times) takes fewer pieces and the workers finish together.
PIECE_BYTES = 100_000
TAIL_PARTS = 4  # each of the last pieces (one per worker) is cut into this many
# Where bibtexparser always starts a block, in the whole file as in a piece: "@type{" or
# "@type(" at a line start ("@" alone there may be text inside a value).
_BLOCK_START = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.M)
_STRING_START = re.compile(r"^[ \t]*@string\s*[{(]", re.M | re.I)
_ANY_STRING = re.compile(r"@[sS][tT][rR][iI][nN][gG]")
# A line start "@" that is not an entry's start as the parser sees one (``@type{`` at a line
# start, not indented, type not string, comment or preamble): see _estimate. The literal "\n@"
# in front lets the regex engine skip to candidates at C speed.
_NOT_AN_ENTRY_BODY = r"@(?:(?i:string|comment|preamble)[ \t]*[{(]|(?!\w+[ \t]*[{(]))"
_NOT_AN_ENTRY = re.compile("\n" + _NOT_AN_ENTRY_BODY)
_NOT_AN_ENTRY_FIRST = re.compile(_NOT_AN_ENTRY_BODY)  # matched at the text's start


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


def _finer(piece: _Piece, parts: int) -> list[_Piece]:
    return [dataclasses.replace(part, line_offset=piece.line_offset + part.line_offset,
                                char_offset=piece.char_offset + part.char_offset)
            for part in _split(piece.path, piece.text, parts, piece.strings)]


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


def _estimate(text: str) -> int:
    """The entries a piece holds if the parser finds what the block starts promise (it does in a
    well-formed file): a piece is numbered from this before it is parsed.

    That is the lines that start ``@type{`` (or ``@type(``) with a type other than string, comment
    or preamble: every line start ``@`` (counted in C), less those that are not such a start."""
    first = text.startswith("@") and _NOT_AN_ENTRY_FIRST.match(text) is None
    return text.count("\n@") - len(_NOT_AN_ENTRY.findall(text)) + first


def _worker(pieces: list[_Piece], style: Style, fmt: str, title_case: TitleCase, conn: Pipe) -> None:
    from citekit.bibtex.mapping import entry_to_csl

    gc.disable()  # a short-lived process that frees by reference counting (see citekit.perf)
    try:
        parsed: dict[int, list] = {}
        # Pieces come one at a time, to whichever worker asks first, each with its first citation
        # number as the pieces before it promise: a worker parses and renders a piece in one go,
        # and the workers finish together even when one core is slower than the other.
        task = conn.recv()
        while task is not None:
            index, offset, expected = task
            piece = pieces[index]
            bib = _shift(parse_bib(piece.text, piece.path), piece)
            strings = {**piece.strings, **bib.strings}
            mapped = parsed[index] = [entry_to_csl(e, strings, title_case=title_case) for e in bib.entries]
            done = _render_piece(mapped, style, fmt, offset) if len(mapped) == expected else None
            conn.send((index, [str(i["id"]).lower() for i in mapped], bib.problems,
                       [(e.path, e.line, str(i["id"])) for e, i in zip(bib.entries, mapped, strict=True)], done))
            task = conn.recv()
        # Pieces numbered wrongly (a piece before them held other than it promised), afresh.
        for index, offset in (conn.recv() or {}).items():
            conn.send((index, _render_piece(parsed[index], style, fmt, offset)))
    finally:
        conn.close()


_Done = tuple[list[tuple[str, "str | None", str]], dict[str, tuple[str, str, str]]]


def _render_piece(items: list, style: Style, fmt: str, offset: int) -> _Done:
    """A piece's entries as (key, label, body), numbered from ``offset + 1``, and its Robust Links.

    Entries travel as tuples: pickling thousands of RenderedEntry objects costs several times as
    much, on both sides of the pipe."""
    proc = processor(items, style, fmt)
    ids = proc.bibliography_plan([str(i["id"]) for i in items], sort=False, first_number=offset + 1)
    rendered: list[tuple[str, str | None, str]] = []
    for at in range(0, len(ids), SLICE):  # trees for a slice at a time, then only their text
        rendered += [(e.key, *e.cache[fmt]) for e in _rendered(proc, proc.render_bibliography(ids[at:at + SLICE]), fmt)]
    return rendered, robust_links(items)


Rendered = tuple[list[RenderedEntry], list[Problem], dict[str, tuple[str, str, str]]]


def render_files(paths: Sequence[str | Path] | None, style: str | Path, workers: int | None = None,
                 fmt: str = "text", cache: bool = True) -> Rendered | None:
    """Every entry of the files, rendered in file order with ``workers`` processes; None: not applicable.

    Returns the entries, the parse problems, and the Robust Links data (see ``robust_links``).
    ``cache``: entries whose ``.bib`` text and number are unchanged since a run with the same
    style come from the render cache (``citekit.render.blocks``), unparsed.
    """
    from citekit.render import prefork

    try:
        if not hasattr(os, "fork"):
            return None
        style_path = resolve_style(style)
        texts = read_texts(bib_files(paths))
        if sum(len(t) for _, t in texts) < MIN_BYTES:
            return None
        workers = workers or cores()
        if cache:
            from citekit.render.blocks import render_cached

            done = render_cached(texts, style_path, fmt, workers)
            if done is not False:
                return done
        if workers < 2:
            return None
        return render_forked(texts, None, fmt, workers, style_path=style_path)
    finally:
        prefork.release()  # a zygote no job went to (a no-op once one did)


def bulk_style(style: Style) -> bool:
    """Whether a style's entries can be rendered in slices and numbered by position."""
    return _splittable(style) and is_numeric(style)


def read_texts(paths: Sequence[str | Path]) -> list[tuple[str, str]]:
    """Each file's path and text."""
    return [(str(p), read_text(p)[0]) for p in paths]


def preload() -> None:
    """Import what the workers need, so that the ones forked after inherit it."""
    from lxml import etree  # noqa: F401 (the style's parser)

    import citekit.bibtex.mapping  # noqa: F401
    import citekit.csl.disambiguate  # noqa: F401
    import citekit.csl.evaluate  # noqa: F401
    import citekit.csl.processor  # noqa: F401


def cut(texts: list[tuple[str, str]], workers: int) -> list[_Piece]:
    """The pieces the workers take one at a time (the zygote and the parent cut the same)."""
    size = sum(len(t) for _, t in texts)
    pieces: list[_Piece] = []
    for path, text in texts:
        # Pieces of about PIECE_BYTES: a worker parses one at a time, so the parser's objects for
        # one piece are freed before the next (peak memory).
        parts = max(1, round(workers * len(text) / size), len(text) // PIECE_BYTES)
        pieces += _split(path, text, parts, _file_strings(text))
    # The last pieces are cut finer, so that the workers run out of work within a small piece of
    # each other: with whole pieces to the end, one waited half a piece (50 ms) for the other.
    pieces[-workers:] = [part for piece in pieces[-workers:] for part in _finer(piece, TAIL_PARTS)]
    return pieces


def render_forked(texts: list[tuple[str, str]], loaded: Style | None, fmt: str, workers: int,
                  starts: list[tuple[str, int, str]] | None = None,
                  style_path: Path | None = None) -> Rendered | None:
    """``render_files`` in ``workers`` forked processes; ``starts`` receives each item's file,
    line and id, in order. The style: ``loaded``, else read from ``style_path`` (by the zygote
    that ``citekit format`` started, if there is one: ``citekit.render.prefork``)."""
    from citekit.render import workers as forked

    started = _start(texts, loaded, fmt, workers, style_path)
    if started is None:
        return None
    pieces, conns, procs = started
    try:
        expected: list[int] = []  # what each piece promises, and so its first number, counted
        guess: list[int] = []     # as it goes out: the rest are counted while the workers work
        reports: dict[int, tuple[list[str], list[Problem], list[tuple[str, int, str]]]] = {}
        results: dict[int, _Done | None] = {}
        owner: dict[int, Pipe] = {}
        queue = iter(range(len(pieces)))

        def task() -> tuple[int, int, int] | None:
            index = next(queue, None)
            if index is None:
                return None
            guess.append(guess[-1] + expected[-1] if guess else 0)
            expected.append(_estimate(pieces[index].text))
            return index, guess[index], expected[index]

        for c in conns:
            c.send(task())
        busy = set(conns)
        while busy:
            for c in forked.ready(busy):
                index, keys, problems, piece_starts, done = c.recv()
                reports[index], results[index], owner[index] = (keys, problems, piece_starts), done, c
                following = task()
                c.send(following)
                if following is None:
                    busy.discard(c)
        keys = [k for i in range(len(pieces)) for k in reports[i][0]]
        if len(set(keys)) != len(keys):  # a duplicate across pieces: the serial path reports it properly
            for c in conns:
                c.send(None)
            return None
        offsets = list(itertools.accumulate([0, *(len(reports[i][0]) for i in range(len(pieces) - 1))]))
        again = {i: offsets[i] for i in range(len(pieces)) if results[i] is None or offsets[i] != guess[i]}
        for c in conns:
            c.send({i: off for i, off in again.items() if owner[i] is c})
        left = Counter(owner[i] for i in again)
        while left:  # as they come: a worker waiting on a full pipe would wait for the others
            for c in forked.ready(left):
                index, done = c.recv()
                results[index] = done
                left[c] -= 1
                if not left[c]:
                    del left[c]
        entries = [RenderedEntry(key, None, cache={fmt: (label, body)})
                   for i in range(len(pieces)) for key, label, body in results[i][0]]  # type: ignore[index]
        robust = {k: v for i in range(len(pieces)) for k, v in results[i][1].items()}  # type: ignore[index]
    except (EOFError, BrokenPipeError):  # a worker died: let the caller render serially
        return None
    finally:
        for c in conns:
            c.close()
        forked.reap(procs)
    if starts is not None:
        starts += [s for i in range(len(pieces)) for s in reports[i][2]]
    return entries, [p for i in range(len(pieces)) for p in reports[i][1]], robust


def _start(texts: list[tuple[str, str]], loaded: Style | None, fmt: str, workers: int,
           style_path: Path | None) -> tuple[list[_Piece], list[Pipe], list[Worker]] | None:
    """The pieces, the parent's ends of the pipes of the workers that take them, and the processes
    to reap: the zygote's workers if it takes the job, else workers forked here. None: the style
    does not suit (or does not load), or a worker could not be started."""
    from citekit.bibtex.titlecase import default_title_case
    from citekit.render import prefork
    from citekit.render import workers as forked

    title_case = default_title_case()  # the project's setting: finding it may mean parsing a file
    zygote = prefork.take(workers) if loaded is None and style_path is not None else None
    if zygote is not None:
        try:
            zygote.ends[0].send(("bulk", [p for p, _ in texts], [hash(t) for _, t in texts], str(style_path), fmt,
                                 title_case))
            pieces = cut(texts, workers)  # while the zygote loads the style and cuts the same
            taken = zygote.ends[0].recv()
        except (EOFError, BrokenPipeError):  # it died
            taken = prefork.NOT_HERE
        if taken == prefork.NOT_HERE:  # the serial path reports whatever is wrong
            prefork.release(zygote)
            return None
        for end in zygote.ends[taken:]:
            end.close()
        return pieces, zygote.ends[:taken], [forked.Worker(zygote.pid, None)]  # it reaps its own workers
    if loaded is None:
        assert style_path is not None
        loaded = load_style(style_path)
    if not bulk_style(loaded):
        return None
    preload()  # once here rather than in every worker: they inherit it
    pieces = cut(texts, workers)
    procs: list[Worker] = []
    try:
        for _ in range(min(workers, len(pieces))):
            procs.append(forked.start(_worker, (pieces, loaded, fmt, title_case), [p.pipe for p in procs]))
    except OSError:  # no more processes or descriptors
        forked.reap(procs)
        return None
    return pieces, [p.pipe for p in procs if p.pipe is not None], procs
