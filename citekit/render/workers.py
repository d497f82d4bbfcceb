"""Forked worker processes, each joined to the parent by a pair of pipes.

The bulk renderer needs only what ``multiprocessing`` offers its fork context at the bottom:
fork, two pipes, pickled messages, a wait for whichever worker has spoken. Importing
``multiprocessing`` (with sockets and its reduction machinery) cost a tenth of the serial start
of a 10,000-entry run, which a worker spends rendering instead.
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
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class Worker:
    """A forked process running ``target(*args, pipe)``, and the parent's end of its pipes."""

    def __init__(self, pid: int, pipe: Pipe) -> None:
        self.pid, self.pipe = pid, pipe


def start(target: Callable[..., None], args: tuple[Any, ...], siblings: Iterable[Worker] = ()) -> Worker:
    """Fork a worker. ``siblings``: workers started before, whose pipe ends the child closes, so
    that each worker sees end-of-file as soon as the parent goes."""
    down_r, down_w = os.pipe()  # parent → worker
    up_r, up_w = os.pipe()      # worker → parent
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            os.close(down_w)
            os.close(up_r)
            for sibling in siblings:
                sibling.pipe.close()
            # The parent answers Ctrl-C; a worker just ends when its pipe does.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            target(*args, Pipe(down_r, up_w))
            code = 0
        except BaseException:  # noqa: BLE001, S110 (the parent sees end-of-file and falls back)
            pass
        finally:
            os._exit(code)
    os.close(down_r)
    os.close(up_w)
    return Worker(pid, Pipe(up_r, down_w))


def ready(pipes: Iterable[Pipe]) -> list[Pipe]:
    """The pipes with a message (or end-of-file) to read, waiting until there is one."""
    pipes = list(pipes)
    readable, _, _ = select.select(pipes, [], [])
    return readable


def reap(workers: Iterable[Worker], timeout: float = 5.0) -> None:
    """Close the parent's ends and wait for the workers to exit; kill any still running after ``timeout``."""
    workers = list(workers)
    for w in workers:
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


__all__ = ["Pipe", "Worker", "ready", "reap", "start"]
