"""Where the bundled library and styles live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
LIBRARY_DIR = PROJECT_DIR / "library"
STYLES_DIR = PROJECT_DIR / "styles"
