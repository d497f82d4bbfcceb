"""Where the bundled library and styles live, and which library a command works on by default.

In a clone (and an editable install) they are the top-level ``library/`` and ``styles/``; an
installed wheel carries them as ``citekit/data/`` (links to the same folders in the repository).

A command given no library works on the user's project: ``[tool.citekit] library = [...]`` (in
``pyproject.toml`` or ``citekit.toml``), else the ``.bib`` files in the working folder. The
bundled library is used only when asked for (``bundled``) or when working inside the clone.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

BUNDLED = "bundled"  # the --library value that names the bundled library


def _bundled(name: str) -> Path:
    top = PROJECT_DIR / name
    return top if top.is_dir() else PACKAGE_DIR / "data" / name


LIBRARY_DIR = _bundled("library")
STYLES_DIR = _bundled("styles")


def in_clone(folder: str | Path | None = None) -> bool:
    """Whether ``folder`` (default: the working folder) is inside citekit's own source tree."""
    if not (PROJECT_DIR / "pyproject.toml").is_file() or not (PROJECT_DIR / "library").is_dir():
        return False  # an installed package: PROJECT_DIR is site-packages
    return Path(folder or Path.cwd()).resolve().is_relative_to(PROJECT_DIR)


def _settings_library(start: Path) -> list[Path] | None:
    from citekit.config import project_settings
    from citekit.errors import CitekitError

    settings = project_settings(start)
    value = settings.data.get("library")
    if value is None or settings.root is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise CitekitError("library must be a path or a list of paths (.bib files or folders)", settings.path)
    return [LIBRARY_DIR if v == BUNDLED else settings.root / v for v in value]


def default_library(folder: str | Path | None = None) -> list[Path]:
    """The library a command works on when given none (see the module docstring)."""
    from citekit.errors import CitekitError

    here = Path(folder or Path.cwd())
    configured = _settings_library(here)
    if configured is not None:
        return configured
    local = sorted(p for p in here.glob("*.bib") if p.is_file())
    if local:
        return local
    if in_clone(here):
        return [LIBRARY_DIR]
    raise CitekitError(
        f"no library: no .bib files in {str(here.resolve())!r} and no [tool.citekit] library = [...] "
        "in pyproject.toml or citekit.toml; name files or folders, or use --library bundled for the examples")


def library_paths(paths: Iterable[str | Path] | None) -> list[Path]:
    """The given paths with ``bundled`` expanded, or :func:`default_library` when there are none."""
    if paths is None:
        return default_library()
    return [LIBRARY_DIR if str(p) == BUNDLED else Path(p) for p in paths]
