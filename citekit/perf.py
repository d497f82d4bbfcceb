"""Performance helpers shared by the parsing and rendering paths."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Iterator

try:  # hashlib's own blake2b, without loading OpenSSL: that was milliseconds of every start-up
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

__all__ = ["blake2b", "compiled_later", "paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cyclic garbage collector for a burst of allocation.

    Parsing and rendering allocate hundreds of thousands of small objects and free almost all of
    them by reference counting; the collector's repeated full scans of the growing heap cost a
    quarter of the run time at 10,000 entries and find next to nothing. Nesting is safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compiled_later(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A regular expression compiled on its first use.

    A class of wide Unicode ranges takes ``re`` milliseconds to compile (one was 6 ms, a twentieth
    of ``citekit format``'s start-up); a run whose text never needs it should not pay for it.
    """
    return functools.cache(lambda: re.compile(pattern, flags))
