"""Safe writes: a lock per file, temp file + fsync + rename, so a crash never leaves half a file.

Writes follow symlinks (the link stays, its target is edited), keep the file's mode, give new
files the umask's mode, refuse read-only files unless forced, and never write into the
installed package. Locks live in a per-user runtime folder, never beside the user's files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from citekit.errors import CitekitError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]


class LockTimeout(CitekitError, OSError):
    """Another process held the file's lock for longer than the timeout."""


def real_target(path: str | Path) -> Path:
    """The file a write to ``path`` changes: symlinks followed, relative to the working directory."""
    return Path(os.path.realpath(path))


def lock_dir() -> Path:
    """A private per-user folder for lock files (the runtime dir, else the temp dir)."""
    import tempfile  # here, as in atomic_write: a run that writes nothing never needs it

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and os.path.isdir(runtime) else Path(tempfile.gettempdir())
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    folder = base / f"citekit-locks-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def lock_path_for(path: str | Path) -> Path:
    """The lock file for ``path``: named by a hash of the real target, so every link to it shares one."""
    import hashlib  # OpenSSL's start-up cost, paid only by a run that writes

    digest = hashlib.sha256(os.fsencode(real_target(path))).hexdigest()[:32]
    return lock_dir() / f"{digest}.lock"


def _try_lock(fd: int, lock_path: Path) -> bool:
    """One non-blocking attempt at an exclusive lock on ``fd`` (the open ``lock_path``)."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:  # neither: a marker file created exclusively, removed on release
            os.close(os.open(_held(lock_path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        raise


def _held(lock_path: Path) -> Path:
    return lock_path.with_suffix(".held")


def _unlock(fd: int, lock_path: Path) -> None:
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        elif msvcrt is not None:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            os.unlink(_held(lock_path))


@contextlib.contextmanager
def file_lock(path: str | Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive advisory lock for ``path`` for the duration of the block.

    The lock is on a file in :func:`lock_dir`, not on the target: the target is replaced by
    rename, and a lock on a replaced inode protects nothing. The lock file stays (unlinking it
    would race with a waiting process), but out of the user's folders.
    """
    lock_path = lock_path_for(path)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    locked = False
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd, lock_path):
            if time.monotonic() > deadline:
                raise LockTimeout(f"another citekit process holds the lock ({lock_path})", path)
            time.sleep(0.05)
        locked = True
        yield
    finally:
        if locked:
            _unlock(fd, lock_path)
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _read_only(target: Path) -> bool:
    # The mode bits, not os.access: root may write anything, but a 0444 file says "leave me".
    return not target.stat().st_mode & 0o222 or not os.access(target, os.W_OK)


def check_target(path: str | Path, *, force: bool = False) -> Path:
    """The real file a write to ``path`` would change, or a one-line error saying why not.

    Refused: anything inside the installed citekit package, a read-only file (unless
    ``force``), a directory, and a missing or unwritable folder.
    """
    from citekit.paths import PACKAGE_DIR

    target = real_target(path)
    if target.is_relative_to(PACKAGE_DIR.resolve()):
        raise CitekitError("refusing to write inside the installed citekit package "
                           "(copy the file into your project first)", path)
    if target.is_dir():
        raise CitekitError("is a directory, not a file", path)
    folder = target.parent
    if not folder.is_dir():
        raise CitekitError(f"cannot write: no such folder {str(folder)!r}", path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CitekitError(f"cannot write: the folder {str(folder)!r} is not writable", path)
    if target.exists() and not force and _read_only(target):
        raise CitekitError("the file is read-only; not rewriting it (use --force to replace it)", path)
    return target


def atomic_write(path: str | Path, data: str | bytes, encoding: str = "utf-8", *, force: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (same directory temp file, fsync, rename).

    A symlink keeps pointing where it did and its target gets the new text; the file's mode is
    kept, and a new file gets ``0666 & ~umask``. Failures are one-line :class:`CitekitError`s.
    """
    target = check_target(path, force=force)
    try:
        raw = data.encode(encoding) if isinstance(data, str) else data
    except UnicodeEncodeError as exc:
        bad = ord(exc.object[exc.start])
        raise CitekitError(f"cannot write: U+{bad:04X} cannot be written as {encoding} (an unpaired surrogate?)",
                           path) from None
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise CitekitError(f"cannot write: {exc.strerror}", path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CitekitError(f"cannot write: {exc.strerror or exc}", path) from None
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


_BOM = "\ufeff"


def read_text(path: str | Path) -> tuple[str, str]:
    """A UTF-8 text file's contents (newlines untouched) and its byte-order mark (``""`` if none).

    Errors are :class:`~citekit.errors.CitekitError` naming the file, and the line for bad UTF-8.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CitekitError("no such file", path) from None
    except IsADirectoryError:
        raise CitekitError("is a directory, not a file", path) from None
    except PermissionError:
        raise CitekitError("cannot read: permission denied", path) from None
    except OSError as exc:
        raise CitekitError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CitekitError("not valid UTF-8", path, data[: exc.start].count(b"\n") + 1) from None
    if text.startswith(_BOM):
        return text[1:], _BOM
    return text, ""
