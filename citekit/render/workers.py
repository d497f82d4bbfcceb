"""Forked worker processes, each joined to the parent by a pair of pipes.

The bulk renderer needs only what ``multiprocessing`` offers its fork context at the bottom:
fork, two pipes, pickled messages, a wait for whichever worker has spoken. Importing
``multiprocessing`` (with sockets and its reduction machinery) cost about 10 ms of the serial
start of every bulk run, before any worker could begin.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

_HEADER = struct.Struct("<Q")


def cores() -> int:
    """How many workers to fork: one per core, at most 8."""
    return min(os.cpu_count() or 1, 8)


class Pipe:
    """One end of a worker's pair of pipes: pickled messages, each preceded by its length."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    def fileno(self) -> int:
        return self.read_fd

    def send(self, obj: Any) -> None:
        data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(self.write_fd, view):]

    def recv(self) -> Any:
        """The next message; EOFError when the other side has closed its end."""
        (size,) = _HEADER.unpack(self._exactly(_HEADER.size))
        return pickle.loads(self._exactly(size))

    def _exactly(self, size: int) -> bytes:
        # Unbuffered reads: a buffer could hold a message that select() no longer reports.
        chunks, left = [], size
        while left:
            chunk = os.read(self.read_fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Close both descriptors (again is a no-op: their numbers may since belong to other files)."""
        fds, self.read_fd, self.write_fd = (self.read_fd, self.write_fd), -1, -1
        for fd in fds:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass


def pipes() -> tuple[Pipe, Pipe]:
    """A new pair of pipes between a parent and a worker: (the parent's end, the worker's end)."""
    down_r, down_w = os.pipe()  # parent → worker
    up_r, up_w = os.pipe()      # worker → parent
    return Pipe(up_r, down_w), Pipe(down_r, up_w)


class Worker:
    """A forked process running ``target(*args, pipe)``, and the parent's end of its pipes (None
    when they belong to another process: see ``citekit.render.prefork``)."""

    def __init__(self, pid: int, pipe: Pipe | None) -> None:
        self.pid, self.pipe = pid, pipe


def start(target: Callable[..., None], args: tuple[Any, ...], siblings: Iterable[Pipe] = (),
          child_end: Pipe | None = None) -> Worker:
    """Fork a worker, on new pipes or on ``child_end``, the worker's end of pipes made before.

    ``siblings``: pipe ends held here that belong to other workers; the child closes them, so that
    each worker sees end-of-file as soon as the parent goes."""
    parent_end, child = pipes() if child_end is None else (None, child_end)
    try:
        pid = os.fork()
    except OSError:
        if parent_end is not None:  # the pipes made here; the caller's stay the caller's
            parent_end.close()
            child.close()
        raise
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            if parent_end is not None:
                parent_end.close()
            for sibling in siblings:
                sibling.close()
            # The parent answers Ctrl-C; a worker just ends when its pipe does.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            target(*args, child)
            code = 0
        except BaseException:  # noqa: BLE001, S110 (the parent sees end-of-file and falls back)
            pass
        finally:
            os._exit(code)
    child.close()
    return Worker(pid, parent_end)


def ready(pipes: Iterable[Pipe]) -> list[Pipe]:
    """The pipes with a message (or end-of-file) to read, waiting until there is one."""
    pipes = list(pipes)
    readable, _, _ = select.select(pipes, [], [])
    return readable


def reap(workers: Iterable[Worker], timeout: float = 5.0) -> None:
    """Close the parent's ends and wait for the workers to exit; kill any still running after ``timeout``."""
    workers = list(workers)
    for w in workers:
        if w.pipe is not None:
            w.pipe.close()
    deadline = time.monotonic() + timeout
    for w in workers:
        while True:
            try:
                done, _ = os.waitpid(w.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(w.pid, signal.SIGKILL)
                os.waitpid(w.pid, 0)
                break
            time.sleep(0.001)


__all__ = ["Pipe", "Worker", "cores", "pipes", "ready", "reap", "start"]
