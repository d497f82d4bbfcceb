"""The distribution name (citekit on the package index is another project) and the release tags,
as the README, action.yml and the pre-commit hooks use them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]


def test_the_distribution_is_not_the_unrelated_citekit() -> None:
    assert NAME == "citekit-bib"


def test_readme_action_and_hooks_use_the_name_and_the_tags() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    action = (ROOT / "action.yml").read_text(encoding="utf-8")
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f'"{NAME} @ git+https://' in readme and f"{NAME} @ file://" in action
    assert NAME in hooks and re.search(r"rev: v\d+\.\d+\.\d+", hooks)
    assert "git tag -a v" in readme  # the release process makes the tags the action and hooks pin
    assert not re.search(r"^\s*(?:\$ )?pip install citekit\s*$", readme.split("## Dead links")[0], re.M)
