"""A persistent cache of rendered bibliography entries, so a second run renders only what changed.

One file per namespace: the style's text, the locale data, the engine's source, the output format
and the kind of key (``item``: a CSL item's content; ``bib``: a ``.bib`` block's text). Inside it,
a digest of one entry's input (content, citation number, disambiguation) maps to what was
rendered for it. Nothing outside the namespace affects an entry, so a hit is the output the engine
would give. A cache that is corrupt or cannot be read or written is ignored with a warning; the
output never depends on it.

A run that adds a few entries to a large table appends them to a journal beside the file (one
checksummed chunk per run) rather than rewriting megabytes; a later run folds the journal back
into the file once it holds more than a tenth of it. A torn or damaged chunk, as a crash mid-write
leaves, ends the journal there: what came before it is kept, and the file is rewritten without it.

``CITEKIT_RENDER_CACHE`` = ``off`` (or ``0``, ``no``, ``false``) turns it off; any other value is the
folder to use instead of the platform cache folder (``platformdirs.user_cache_dir("citekit")/render``).
"""

from __future__ import annotations

import marshal
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from citekit.perf import blake2b

ENV = "CITEKIT_RENDER_CACHE"
_OFF = {"off", "0", "no", "false"}
_MAGIC = b"citekit-render-cache 1\n"
# Entries kept that this run did not use: enough for a few libraries sharing one style.
KEEP_UNUSED = 100_000
KEEP_FILES = 32  # namespaces (style × format × engine version × kind) kept in the folder
_CHUNK = b"CKJ1"  # a journal chunk: this, the payload's length (8 bytes) and blake2b (16), the payload
_JOURNAL_MIN = 1_000  # entries a journal may hold before it is folded in, at least

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
    digest = blake2b(citekit.__version__.encode(), digest_size=16)
    for package in _ENGINE_PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in ("model.py", "styles.py"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def _locale_version() -> str:
    """The locale files' identity (citeproc-py's bundled locales): their folder and its mtime."""
    from citekit.csl.locale import locales_dir

    folder = locales_dir()
    try:
        return f"{folder}:{folder.stat().st_mtime_ns}"
    except OSError:
        return str(folder)


def digest(*parts: str | int | bytes) -> bytes:
    """A short digest of strings, bytes and ints (by their repr: marshal's bytes depend on
    reference counts, so equal values could hash apart)."""
    h = blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.digest()


class RenderCache:
    """Rendered entries of one namespace: ``get`` and ``put`` by digest, ``save`` once at the end."""

    def __init__(self, path: Path, namespace: str) -> None:
        self.path = path
        self.journal = path.with_name(path.name + ".journal")
        self.namespace = namespace
        self._old: dict[bytes, Any] = {}
        self._used: dict[bytes, Any] = {}
        self._new: dict[bytes, Any] = {}
        self._changed = False
        self._loaded = False  # the file was read whole and is this namespace's
        self._journaled = 0  # entries in the journal
        self._fold = False  # the journal is damaged: the next save rewrites the file without it
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
        self._loaded = True
        self._read_journal()
        try:  # in use: keep it young for _prune (at most one touch a day)
            if time.time() - self.path.stat().st_mtime > 86_400:
                os.utime(self.path)
        except OSError:
            pass

    def _read_journal(self) -> None:
        try:
            raw = self.journal.read_bytes()
        except OSError:
            return
        at, count = 0, 0
        while at < len(raw):
            head = raw[at:at + 28]
            size = int.from_bytes(head[4:12], "big") if len(head) == 28 else -1
            payload = raw[at + 28:at + 28 + size] if size >= 0 else b""
            if (not head.startswith(_CHUNK) or len(payload) != size
                    or blake2b(payload, digest_size=16).digest() != head[12:28]):
                self._changed = self._fold = True  # a torn chunk: fold what came before it into the file
                return
            try:
                table = marshal.loads(payload)
            except (ValueError, EOFError, TypeError):
                self._changed = self._fold = True
                return
            if isinstance(table, dict):
                self._old.update(table)
                count += len(table)
            at += 28 + size
        self._journaled = count

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
        self._new[key] = value
        self._changed = True

    def save(self) -> None:
        """Write what was added (atomically, or as one journal chunk; a failure is a warning)."""
        if not self._changed:
            return
        room = max(_JOURNAL_MIN, len(self._old) // 10)
        if self._loaded and not self._fold and self._journaled + len(self._new) <= room and self._append():
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
            self.journal.unlink(missing_ok=True)  # folded in
            if new:
                _prune(self.path.parent)
        except OSError as exc:
            _warn(self.path, f"cannot be written ({exc.strerror or exc})")
            try:
                tmp.unlink()
            except OSError:
                pass
            return
        self._old, self._new, self._journaled, self._loaded, self._fold = table, {}, 0, True, False
        self._changed = False

    def _append(self) -> bool:
        """This run's new entries as one chunk at the journal's end; False: write the file instead."""
        payload = marshal.dumps(self._new)
        chunk = _CHUNK + len(payload).to_bytes(8, "big") + blake2b(payload, digest_size=16).digest() + payload
        try:
            # One write with O_APPEND: runs that save at the same time add whole chunks, in turn.
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                written = os.write(fd, chunk)
            finally:
                os.close(fd)
        except OSError:
            return False
        if written != len(chunk):
            return False  # the torn chunk ends the journal for the next reader; the rewrite drops it
        self._journaled += len(self._new)
        self._new = {}
        self._changed = False
        return True


def _prune(folder: Path) -> None:
    """Keep the KEEP_FILES most recently used cache files: every edit of the engine, a style or
    the locales starts a file, and the old ones would never be read again."""
    try:
        files = sorted(folder.glob("*.marshal"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            old.unlink()
        for journal in folder.glob("*.marshal.journal"):
            if not journal.with_name(journal.name[: -len(".journal")]).exists():
                journal.unlink()
    except OSError:
        pass  # another run pruned it first, or the folder is not ours to clean


def open_cache(style_path: str | Path, fmt: str, kind: str) -> RenderCache | None:
    """The cache for entries of the style file ``style_path`` in ``fmt``, or None when it is off.

    ``kind`` says what the digests are made of (``item`` or ``bib``). The style's text decides
    its default locale and layouts, so the namespace reads the file and need not parse it.
    """
    from citekit.csl import xmlcache

    folder = cache_dir()
    if folder is None:
        xmlcache.configure(None)
        return None  # off: no digest of the engine's sources (4 ms of a cold run)
    # The style and locale files' trees go beside the entries: a warm run then need not parse XML.
    xmlcache.configure(folder / "xml", engine_version())
    try:
        style_text = Path(style_path).read_bytes()
    except OSError:
        return None  # a style given as text, or gone: nothing stable to key on
    namespace = "\n".join([engine_version(), _locale_version(), blake2b(style_text).hexdigest(), fmt, kind])
    name = blake2b(namespace.encode(), digest_size=12).hexdigest()
    return RenderCache(folder / f"{kind}-{fmt}-{name}.marshal", namespace)


def _warn(path: Path, what: str) -> None:
    import logging

    logging.getLogger("citekit.render.cache").warning(
        "citekit: warning: the render cache %s %s; rendering without it", path, what)
