"""The project's settings file: the nearest ``citekit.toml``, or ``pyproject.toml`` with ``[tool.citekit]``.

Each feature reads its own table (``lint``, ``tidy``, ``format``, ``check`` ...) from the one
file found here, so every command agrees on which file configures the project. citekit.toml
holds the tables without the ``tool.citekit.`` prefix. Walking up from the starting directory,
the nearest file wins; citekit.toml before pyproject.toml in the same directory.
"""

from __future__ import annotations

import re
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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CitekitError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    import tomllib  # 25 ms of start-up: only for a file that is parsed at all

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CitekitError(f"invalid TOML: {exc}", path) from None


# Whatever form a pyproject.toml gives citekit's table ([tool.citekit.check], tool.citekit.x = ...,
# tool = { citekit = ... }, or citekit = ... under [tool]), the file says "tool", then only
# punctuation, then "citekit", or has a [tool] header. Most pyproject.toml files do neither and
# are not parsed.
_MAY_CONFIGURE_US = re.compile(r"tool\W*citekit|^\s*\[\s*tool\s*\]", re.M)


def _find(here: Path) -> ProjectSettings:
    for directory in (here, *here.parents):
        own = directory / "citekit.toml"
        if own.is_file():
            return ProjectSettings(own, _parse(_read(own), own))
        project = directory / "pyproject.toml"
        if project.is_file():
            text = _read(project)
            if not _MAY_CONFIGURE_US.search(text):
                continue
            tool = _parse(text, project).get("tool", {}).get("citekit")
            if isinstance(tool, dict):
                return ProjectSettings(project, tool)
    return ProjectSettings()


def project_settings(start: str | Path | None = None) -> ProjectSettings:
    """The settings that apply at ``start`` (a file or folder; default the working directory)."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    return _find(here)
