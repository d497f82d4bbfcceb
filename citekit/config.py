"""The project's settings file: the nearest ``citekit.toml``, or ``pyproject.toml`` with ``[tool.citekit]``.

Each feature reads its own table (``lint``, ``tidy``, ``format``, ``check`` ...) from the one
file found here, so every command agrees on which file configures the project. citekit.toml
holds the tables without the ``tool.citekit.`` prefix. Walking up from the starting directory,
the nearest file wins; citekit.toml before pyproject.toml in the same directory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.errors import CitekitError


@dataclass(frozen=True)
class ProjectSettings:
    """The ``[tool.citekit]`` table of one file (empty, with no path, when there is none)."""

    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path | None:
        """The project folder: where the settings file is."""
        return self.path.parent if self.path else None

    def table(self, name: str) -> dict[str, Any]:
        """The sub-table ``[tool.citekit.NAME]`` (``[NAME]`` in citekit.toml), or ``{}``."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise CitekitError(f"[{name}] must be a table", self.path)
        return value


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CitekitError(f"invalid TOML: {exc}", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CitekitError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path) from None


def _find(here: Path) -> ProjectSettings:
    for directory in (here, *here.parents):
        own = directory / "citekit.toml"
        if own.is_file():
            return ProjectSettings(own, _load(own))
        project = directory / "pyproject.toml"
        if project.is_file():
            tool = _load(project).get("tool", {}).get("citekit")
            if isinstance(tool, dict):
                return ProjectSettings(project, tool)
    return ProjectSettings()


def project_settings(start: str | Path | None = None) -> ProjectSettings:
    """The settings that apply at ``start`` (a file or folder; default the working directory)."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    return _find(here)
