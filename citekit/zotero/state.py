"""Sync state: which Zotero item each citation key became, and at which version.

Stored as JSON in ``.citekit-zotero.json`` next to the library (the directory of the first
``.bib`` path, ``library/`` by default), one section per Zotero library::

    {"format": 1,
     "libraries": {"users/1234": {
         "libraryVersion": 5021,        # last Last-Modified-Version seen (push or pull)
         "pulledVersion": 5021,         # ``since`` for the next incremental pull
         "collections": {"citekit": "ABCD2345"},
         "items": {"congress2014revitalize": {"key": "X7K2M9QP", "version": 5003, "hash": "…"}}}}}

``hash`` is a digest of the item JSON last written, so an unchanged entry costs no request. The
file holds no secret (the API key never leaves the environment). It is written atomically under a
lock after every batch, so an interrupted push loses nothing it had already done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.errors import CitekitError
from citekit.fileio import atomic_write, file_lock

STATE_NAME = ".citekit-zotero.json"


@dataclass
class ItemState:
    key: str
    version: int
    hash: str = ""


@dataclass
class LibraryState:
    library_version: int = 0
    pulled_version: int = 0
    collections: dict[str, str] = field(default_factory=dict)
    items: dict[str, ItemState] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "libraryVersion": self.library_version,
            "pulledVersion": self.pulled_version,
            "collections": dict(sorted(self.collections.items())),
            "items": {k: {"key": s.key, "version": s.version, "hash": s.hash} for k, s in sorted(self.items.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LibraryState:
        return cls(
            library_version=int(data.get("libraryVersion", 0)),
            pulled_version=int(data.get("pulledVersion", 0)),
            collections=dict(data.get("collections", {})),
            items={k: ItemState(v["key"], int(v["version"]), v.get("hash", "")) for k, v in
                   data.get("items", {}).items()},
        )


class SyncState:
    """The state file; ``library(prefix)`` gives the section of one Zotero library."""

    def __init__(self, path: str | Path, libraries: dict[str, LibraryState] | None = None) -> None:
        self.path = Path(path)
        self.libraries = libraries or {}

    @classmethod
    def load(cls, path: str | Path) -> SyncState:
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            libs = {k: LibraryState.from_json(v) for k, v in data.get("libraries", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CitekitError(f"unreadable Zotero sync state ({exc}); move it aside to start afresh", path) from None
        return cls(path, libs)

    def library(self, prefix: str) -> LibraryState:
        return self.libraries.setdefault(prefix.strip("/"), LibraryState())

    def save(self) -> None:
        with file_lock(self.path):
            atomic_write(self.path, self.dumps())

    def dumps(self) -> str:
        """JSON with one line per item: readable, diffable, and fast (the C encoder does each line)."""

        def one(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

        out = ['{"format": 1, "libraries": {']
        libs = sorted(self.libraries.items())
        for i, (name, lib) in enumerate(libs):
            data = lib.to_json()
            items = data.pop("items")
            out.append(f" {one(name)}: {{")
            out.extend(f"  {one(k)}: {one(v)}," for k, v in data.items())
            out.append('  "items": {')
            lines = [f"   {one(k)}: {one(v)}" for k, v in items.items()]
            out.append(",\n".join(lines))
            out.append("  }}" + ("," if i < len(libs) - 1 else ""))
        out.append("}}")
        return "\n".join(line for line in out if line) + "\n"


def state_path_for(bib_paths: list[Path] | None, default_dir: Path) -> Path:
    """``.citekit-zotero.json`` in the directory of the first library path (or ``default_dir``)."""
    if bib_paths:
        first = Path(bib_paths[0])
        return (first if first.is_dir() else first.parent) / STATE_NAME
    return default_dir / STATE_NAME
