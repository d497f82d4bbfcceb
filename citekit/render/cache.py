"""A persistent cache of rendered bibliography entries, so a second run renders only what changed.

One file per namespace: the style's text, the locale data, the engine's source, the output format
and the kind of key (``item``: a CSL item's content; ``bib``: a ``.bib`` block's text). Inside it,
a digest of one entry's input (content, citation number, disambiguation) maps to what was
rendered for it. Nothing outside the namespace affects an entry, so a hit is the output the engine
would give. A cache that is corrupt or cannot be read or written is ignored with a warning; the
output never depends on it.

``CITEKIT_RENDER_CACHE`` = ``off`` (or ``0``, ``no``, ``false``) turns it off; any other value is the
folder to use instead of the platform cache folder (``platformdirs.user_cache_dir("citekit")/render``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV = "CITEKIT_RENDER_CACHE"
_OFF = {"off", "0", "no", "false"}
_MAGIC = b"citekit-render-cache 1\n"
# Entries kept that this run did not use: enough for a few libraries sharing one style.
KEEP_UNUSED = 100_000
KEEP_FILES = 32  # namespaces (style × format × engine version × kind) kept in the folder

_ENGINE_PACKAGES = ("csl", "render", "bibtex")


def cache_dir() -> Path | None:
    """The cache folder, or None when ``CITEKIT_RENDER_CACHE`` turns the cache off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        return Path(value)
    import platformdirs

    return Path(platformdirs.user_cache_dir("citekit")) / "render"


@lru_cache(maxsize=1)
def engine_version() -> str:
    """citekit's version and a digest of the code that turns input into output (an edited
    engine in a clone invalidates as a new release does)."""
    import citekit

    root = Path(citekit.__file__).resolve().parent
    digest = hashlib.blake2b(citekit.__version__.encode(), digest_size=16)
    for package in _ENGINE_PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in ("model.py", "styles.py"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def _locale_version() -> str:
    """The locale files' identity (citeproc-py's bundled locales): their folder and its mtime,
    found without importing citeproc-py (a warm run never needs it)."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc")
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) / "data" / "locales" if spec else Path()
    try:
        return f"{folder}:{folder.stat().st_mtime_ns}"
    except OSError:
        return str(folder)


def digest(*parts: str | int | bytes) -> bytes:
    """A short digest of strings, bytes and ints (by their repr: marshal's bytes depend on
    reference counts, so equal values could hash apart)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.digest()


class RenderCache:
    """Rendered entries of one namespace: ``get`` and ``put`` by digest, ``save`` once at the end."""

    def __init__(self, path: Path, namespace: str) -> None:
        self.path = path
        self.namespace = namespace
        self._old: dict[bytes, Any] = {}
        self._used: dict[bytes, Any] = {}
        self._changed = False
        self.hits = self.misses = 0
        self._load()

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            _warn(self.path, f"cannot be read ({exc.strerror or exc})")
            return
        try:
            if not raw.startswith(_MAGIC):
                raise ValueError("not a citekit render cache")
            namespace, table = marshal.loads(raw[len(_MAGIC):])
            if namespace != self.namespace or not isinstance(table, dict):
                raise ValueError("written for another style or engine")
        except (ValueError, EOFError, TypeError) as exc:
            _warn(self.path, f"is corrupt ({exc}); it will be rebuilt")
            self._changed = True
            return
        self._old = table
        try:  # in use: keep it young for _prune (at most one touch a day)
            if time.time() - self.path.stat().st_mtime > 86_400:
                os.utime(self.path)
        except OSError:
            pass

    def get(self, key: bytes) -> Any:
        """The value stored for ``key``, or None."""
        value = self._used.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self._used[key] = value
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: bytes, value: Any) -> None:
        self._used[key] = value
        self._changed = True

    def save(self) -> None:
        """Write the cache if anything was added (atomically; a failure is a warning)."""
        if not self._changed:
            return
        table = dict(self._used)
        for key, value in self._old.items():
            if len(table) >= len(self._used) + KEEP_UNUSED:
                break
            table.setdefault(key, value)
        data = _MAGIC + marshal.dumps((self.namespace, table))
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            tmp.write_bytes(data)
            os.replace(tmp, self.path)
            if new:
                _prune(self.path.parent)
        except OSError as exc:
            _warn(self.path, f"cannot be written ({exc.strerror or exc})")
            try:
                tmp.unlink()
            except OSError:
                pass
            return
        self._changed = False


def _prune(folder: Path) -> None:
    """Keep the KEEP_FILES most recently used cache files: every edit of the engine, a style or
    the locales starts a file, and the old ones would never be read again."""
    try:
        files = sorted(folder.glob("*.marshal"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            old.unlink()
    except OSError:
        pass  # another run pruned it first, or the folder is not ours to clean


def open_cache(style_path: str | Path, fmt: str, kind: str) -> RenderCache | None:
    """The cache for entries of the style file ``style_path`` in ``fmt``, or None when it is off.

    ``kind`` says what the digests are made of (``item`` or ``bib``). The style's text decides
    its default locale and layouts, so the namespace reads the file and need not parse it.
    """
    folder = cache_dir()
    if folder is None:
        return None
    try:
        style_text = Path(style_path).read_bytes()
    except OSError:
        return None  # a style given as text, or gone: nothing stable to key on
    namespace = "\n".join([engine_version(), _locale_version(), hashlib.blake2b(style_text).hexdigest(), fmt, kind])
    name = hashlib.blake2b(namespace.encode(), digest_size=12).hexdigest()
    return RenderCache(folder / f"{kind}-{fmt}-{name}.marshal", namespace)


def _warn(path: Path, what: str) -> None:
    import logging

    logging.getLogger("citekit.render.cache").warning(
        "citekit: warning: the render cache %s %s; rendering without it", path, what)
