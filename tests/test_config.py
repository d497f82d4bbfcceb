"""Which settings file applies, and that a pyproject.toml with nothing for citekit is not parsed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citekit.config import project_settings
from citekit.errors import CitekitError


@pytest.mark.parametrize("text", [
    '[tool.citekit.format]\ntitle-case = "sentence"\n',
    '[ tool . "citekit" . format ]\ntitle-case = "sentence"\n',
    'tool.citekit.format.title-case = "sentence"\n',
    '[tool]\ncitekit = { format = { title-case = "sentence" } }\n',
    'tool = { citekit = { format = { title-case = "sentence" } } }\n',
])
def test_every_form_of_the_table_is_found(tmp_path: Path, text: str) -> None:
    # Top-level keys first: after a [project] header they would belong to it.
    body = text + "[project]\nname = 'paper'\n" if text.startswith("tool") else "[project]\nname = 'paper'\n" + text
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    settings = project_settings(tmp_path)
    assert settings.path == tmp_path / "pyproject.toml"
    assert settings.table("format") == {"title-case": "sentence"}


def test_a_pyproject_with_nothing_for_citekit_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "citekit.toml").write_text('[format]\ntitle-case = "sentence"\n', encoding="utf-8")
    inner = tmp_path / "paper"
    inner.mkdir()
    # Not even valid TOML: it is someone else's file, and says nothing to citekit.
    (inner / "pyproject.toml").write_text("[project\nname = 'citekit-user'\n[tool.ruff]\n", encoding="utf-8")
    assert project_settings(inner).path == tmp_path / "citekit.toml"


def test_a_broken_table_for_citekit_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.citekit\nx = 1\n", encoding="utf-8")
    with pytest.raises(CitekitError, match="invalid TOML"):
        project_settings(tmp_path)


def test_no_toml_parser_for_a_pyproject_without_citekit(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.ruff]\nline-length = 99\n",
                                             encoding="utf-8")
    probe = ("import sys; from citekit.config import project_settings; "
             "s = project_settings(); print(s.path, 'tomllib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split()[-1] == "False"
