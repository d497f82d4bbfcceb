"""The built-in styles (``styles/*.csl``) and user style files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from citekit.errors import UnknownStyleError
from citekit.paths import STYLES_DIR

DEFAULT_STYLE = "gb-t-7714-2015-numeric"


@dataclass(frozen=True)
class StyleInfo:
    name: str
    path: Path
    title: str
    summary: str


def _info(path: Path) -> StyleInfo:
    head = path.read_text(encoding="utf-8")[:4000]
    title = re.search(r"<title>(.*?)</title>", head, re.S)
    summary = re.search(r"<summary>(.*?)</summary>", head, re.S)
    return StyleInfo(path.stem, path, title.group(1).strip() if title else path.stem,
                     " ".join(summary.group(1).split()) if summary else "")


def builtin_styles() -> list[StyleInfo]:
    return [_info(p) for p in sorted(STYLES_DIR.glob("*.csl"))]


def resolve_style(style: str | Path) -> Path:
    """A built-in style name or a path to a ``.csl`` file → the file's path."""
    candidate = Path(style)
    if candidate.suffix == ".csl" or candidate.exists():
        if not candidate.is_file():
            raise UnknownStyleError("no such style file", candidate)
        return candidate
    builtin = STYLES_DIR / f"{style}.csl"
    if builtin.is_file():
        return builtin
    names = ", ".join(s.name for s in builtin_styles())
    raise UnknownStyleError(f"unknown style {str(style)!r} (built-in styles: {names})")
