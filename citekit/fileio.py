"""Safe writes: a lock per file, temp file + fsync + rename, so a crash never leaves half a file."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class LockTimeout(OSError):
    pass


@contextlib.contextmanager
def file_lock(path: str | Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``<path>.lock`` for the duration of the block.

    A separate lock file is used because the target itself is replaced by rename, and a lock
    on a replaced inode protects nothing.
    """
    lock_path = Path(str(path) + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{path}: another citekit process holds the lock") from exc
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        # The lock file is left in place: unlinking it would race with a waiting process.


def atomic_write(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` atomically (same directory temp file, fsync, rename).

    The original file's permission bits are kept.
    """
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


_BOM = "\ufeff"


def read_text(path: str | Path) -> tuple[str, str]:
    """A UTF-8 text file's contents (newlines untouched) and its byte-order mark (``""`` if none).

    Errors are :class:`~citekit.errors.CitekitError` naming the file, and the line for bad UTF-8.
    """
    from citekit.errors import CitekitError

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CitekitError("no such file", path) from None
    except IsADirectoryError:
        raise CitekitError("is a directory, not a file", path) from None
    except OSError as exc:
        raise CitekitError(f"cannot read: {exc.strerror}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CitekitError("not valid UTF-8", path, data[: exc.start].count(b"\n") + 1) from None
    if text.startswith(_BOM):
        return text[1:], _BOM
    return text, ""
