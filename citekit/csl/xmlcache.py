"""CSL XML read before, kept between runs as element trees.

A run that renders only a handful of entries (a warm run of the render cache) would otherwise spend
more on importing lxml, to read a style and its locales, than on everything else.
The render layer turns this on by naming a folder (``configure``); without one, every file is
parsed. Trees are stored with marshal, as plain data, so nothing in the folder can run code. A tree
is keyed by the file's path, size and modification time and by a namespace the caller gives (the
code that builds trees); anything unreadable is parsed afresh, and a failed write only costs the
next run a parse.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citekit.csl.style import El
from citekit.perf import blake2b

KEEP = 64  # trees kept in the folder (styles and locales); the oldest go first
_MAGIC = b"citekit-xml 1\n"
_folder: Path | None = None
_namespace = ""


def configure(folder: Path | None, namespace: str = "") -> None:
    """Keep trees in ``folder`` (None: parse every time); ``namespace`` names the code that builds them."""
    global _folder, _namespace
    _folder, _namespace = folder, namespace


def settings() -> tuple[Path | None, str]:
    """The folder and namespace ``configure`` set (for a process forked before it was called)."""
    return _folder, _namespace


def tree(path: Path, parse: Callable[[Path], El]) -> El:
    """The element tree of the XML file ``path``: from the folder, or ``parse(path)`` (then stored)."""
    if _folder is None:
        return parse(path)
    try:
        st = path.stat()
    except OSError:
        return parse(path)  # let the parser report it
    key = blake2b(f"{_namespace}\0{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode(
        "utf-8", "surrogatepass"), digest_size=16).hexdigest()
    stored = _folder / f"{key}.xml.marshal"
    try:
        raw = stored.read_bytes()
        if raw.startswith(_MAGIC):
            return _el(marshal.loads(raw[len(_MAGIC):]))
    except (OSError, ValueError, EOFError, TypeError, IndexError, RecursionError):
        pass
    el = parse(path)
    _store(stored, el)
    return el


def _data(el: El) -> tuple[Any, ...]:
    return (el.name, el.attrs, [_data(c) for c in el.children], el.line, el.text)


def _el(data: Any) -> El:
    name, attrs, children, line, text = data
    if not (isinstance(name, str) and isinstance(attrs, dict) and isinstance(children, list)):
        raise TypeError("not an element")
    return El(name, attrs, [_el(c) for c in children], line, text)


def _store(stored: Path, el: El) -> None:
    tmp = stored.with_name(f".{stored.name}.{os.getpid()}.tmp")
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_MAGIC + marshal.dumps(_data(el)))
        os.replace(tmp, stored)
        trees = sorted(stored.parent.glob("*.xml.marshal"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in trees[KEEP:]:
            old.unlink()
    except (OSError, ValueError):
        try:
            tmp.unlink()
        except OSError:
            pass
