"""Per-project settings for lint and tidy (the file is found by :mod:`citekit.config`).

pyproject.toml::

    [tool.citekit.lint]
    disable = ["non-nfc", "concatenation"]   # rule codes switched off
    warn = ["duplicate-work"]                # demoted to warnings (exit 0)
    error = ["doi-in-url"]                   # promoted to errors

    [tool.citekit.tidy]
    indent = "  "
    field-order = ["author", "title"]        # these first, then citekit's canonical order
    rename-keys = false                      # true: keys follow Better BibTeX's formula

citekit.toml holds the same tables without the ``tool.citekit.`` prefix (``[lint]``, ``[tidy]``).
The nearest file found walking up from the starting directory wins; citekit.toml before
pyproject.toml in the same directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.config import project_settings
from citekit.errors import CitekitError


@dataclass
class CareConfig:
    disabled: set[str] = field(default_factory=set)
    warn: set[str] = field(default_factory=set)
    error: set[str] = field(default_factory=set)
    indent: str = "  "
    field_order: list[str] = field(default_factory=list)
    rename_keys: bool = False  # tidy renames keys to Better BibTeX's formula (old key kept in ids)
    source: str | None = None  # the file the settings came from

    def enabled(self, code: str) -> bool:
        return code not in self.disabled and "all" not in self.disabled


def _string_list(table: dict[str, Any], name: str, path: Path) -> list[str]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CitekitError(f"{name} must be a list of strings", path)
    return value


def _from_tables(lint: dict[str, Any], tidy: dict[str, Any], path: Path) -> CareConfig:
    for name, table in (("lint", lint), ("tidy", tidy)):
        if not isinstance(table, dict):
            raise CitekitError(f"[{name}] must be a table", path)
    cfg = CareConfig(source=str(path))
    cfg.disabled = set(_string_list(lint, "disable", path))
    cfg.warn = set(_string_list(lint, "warn", path))
    cfg.error = set(_string_list(lint, "error", path))
    indent = tidy.get("indent", "  ")
    if not isinstance(indent, str) or indent.strip():
        raise CitekitError("tidy indent must be spaces or tabs", path)
    cfg.indent = indent
    cfg.field_order = [f.lower() for f in _string_list(tidy, "field-order", path)]
    rename = tidy.get("rename-keys", False)
    if not isinstance(rename, bool):
        raise CitekitError("tidy rename-keys must be true or false", path)
    cfg.rename_keys = rename
    return cfg


def load_config(start: str | Path | None = None) -> CareConfig:
    """Settings from the nearest citekit.toml or pyproject.toml (with ``[tool.citekit]``)."""
    settings = project_settings(start)
    if settings.path is None:
        return CareConfig()
    return _from_tables(settings.data.get("lint", {}), settings.data.get("tidy", {}), settings.path)
