"""The first bulk-render worker, forked as ``citekit format`` starts, before the command line is read.

A 10,000-entry run spends about a tenth of its time in one process before any worker starts: the
command-line layer (typer), reading the files, then the engine's imports and the style. The first
two need only the parent, the last two only the workers, so one process (the zygote) imports the
engine on the second core while the parent reads the command line. When the parent has the
library in hand it sends the zygote the job; the zygote loads the style, cuts the same pieces,
forks the other workers (inheriting the engine) and works as the first. Every worker talks to the
parent over a pipe pair the parent made before the fork, so the parent dispatches exactly as it
does for workers it forks itself (``citekit.render.bulk``).

On a warm run of the render cache, where only a few blocks of the library changed, the zygote
renders those instead (the other job): it has the engine loaded, which the parent would otherwise
load for them. Anything unusual (a style that sorts or fails to load, a worker that dies) answers
"not here", and the parent renders as it would have without the zygote. A run that sends no job
(a small library, a warm run with nothing new, another command path) kills it. The zygote's
standard streams go to /dev/null, so a caller reading the command's output never waits on it.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citekit.render.workers import Pipe, pipes

NOT_HERE = -1  # the zygote's answer to a job it does not take


@dataclass
class Zygote:
    pid: int
    ends: list[Pipe]  # the parent's end of each worker's pipes; [0] is the zygote's own


_zygote: Zygote | None = None


def start(workers: int) -> None:
    """Fork the zygote, with pipes for ``workers`` workers (call before anything else is loaded)."""
    global _zygote
    if _zygote is not None or workers < 2 or not hasattr(os, "fork"):
        return
    from citekit.render import workers as forked

    others: list[tuple[Pipe, Pipe]] = []  # for the workers the zygote forks: (parent's end, worker's end)
    try:
        others += [pipes() for _ in range(workers - 1)]
        z = forked.start(_main, ([child for _, child in others],), [parent for parent, _ in others])
    except OSError:  # out of processes or descriptors: the parent forks its workers later, or renders alone
        for parent_end, child_end in others:
            parent_end.close()
            child_end.close()
        return
    for _, child_end in others:
        child_end.close()
    assert z.pipe is not None
    _zygote = Zygote(z.pid, [z.pipe, *(parent for parent, _ in others)])


def render_blocks(parsed: dict[int, Any], first: dict[int, int], style_path: Path, fmt: str) -> dict[int, Any] | None:
    """``citekit.render.blocks._render`` in the zygote, which has the engine loaded already (a warm
    run with a few changed entries would otherwise load it here); None: no zygote, or it failed."""
    from citekit.csl import xmlcache

    z = take(len(_zygote.ends)) if _zygote is not None else None
    if z is None:
        return None
    try:
        z.ends[0].send(("blocks", parsed, first, str(style_path), fmt, xmlcache.settings()))
        return z.ends[0].recv()
    except (EOFError, BrokenPipeError):
        return None
    finally:
        release(z)


def take(workers: int) -> Zygote | None:
    """The zygote, if one was started for ``workers`` workers (once: the caller owns it after)."""
    global _zygote
    z, _zygote = _zygote, None
    if z is not None and len(z.ends) != workers:
        release(z)
        return None
    return z


def release(z: Zygote | None = None) -> None:
    """End a zygote that will get no job (by default the one still waiting)."""
    global _zygote
    if z is None:
        z, _zygote = _zygote, None
    if z is None:
        return
    for end in z.ends:
        end.close()
    try:
        os.kill(z.pid, signal.SIGKILL)  # it may be in the middle of its imports: no need to wait them out
        os.waitpid(z.pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _quiet() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _main(others: list[Pipe], own: Pipe) -> None:
    """The zygote: ``own``, its pipes to the parent; ``others``, the ends of the other workers'."""
    _quiet()
    ends = [own, *others]
    from citekit.render import bulk  # the engine: what the workers need, loaded while the parent parses

    bulk.preload()
    job = ends[0].recv()
    if job is None:
        return
    if job[0] == "blocks":
        _render_blocks(own, *job[1:])
        return
    paths, hashes, style_path, fmt, title_case = job[1:]
    answer: Any = NOT_HERE
    try:
        # The files read again rather than sent: through a pipe, their text cost more than the
        # read. The parent's hashes of its texts (this process shares its hash seed) say that
        # both read the same, even if a file changed in between.
        texts = bulk.read_texts(paths)
        if [hash(t) for _, t in texts] == hashes:
            loaded = bulk.load_style(style_path)
            if bulk.bulk_style(loaded):
                pieces = bulk.cut(texts, len(ends))
                answer = min(len(ends), len(pieces))
    except Exception:  # noqa: BLE001 (the parent's own render reports whatever is wrong)
        pass
    if answer == NOT_HERE:
        ends[0].send(answer)
        return
    from citekit.render import workers

    # The others first, each with only its own pipes; then this process is the first worker.
    children = [workers.start(bulk._worker, (pieces, loaded, fmt, title_case),
                              [e for j, e in enumerate(ends) if j != k], ends[k])
                for k in range(1, answer)]
    for end in ends[1:]:
        end.close()
    ends[0].send(answer)
    bulk._worker(pieces, loaded, fmt, title_case, ends[0])
    workers.reap(children)


def _render_blocks(own: Pipe, parsed: dict[int, Any], first: dict[int, int], style_path: str, fmt: str,
                   xml: tuple[Path | None, str]) -> None:
    from citekit.csl import xmlcache
    from citekit.render import blocks, bulk

    xmlcache.configure(*xml)  # the parent's tree cache: the style need not be parsed
    try:
        records = blocks._render(parsed, first, bulk.load_style(style_path), fmt)
    except Exception:  # noqa: BLE001 (the parent renders them itself, and reports what is wrong)
        records = None
    own.send(records)
