"""Where the bundled library and styles live.

In a clone (and an editable install) they are the top-level ``library/`` and ``styles/``; an
installed wheel carries them as ``citekit/data/`` (links to the same folders in the repository).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    top = PROJECT_DIR / name
    return top if top.is_dir() else PACKAGE_DIR / "data" / name


LIBRARY_DIR = _bundled("library")
STYLES_DIR = _bundled("styles")
