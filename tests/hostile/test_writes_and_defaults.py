"""Writes respect the file (symlinks, modes, read-only, umask, no lock file left), and commands
work on the user's project, never inside the installed package."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.cli import app
from citekit.errors import CitekitError
from citekit.fileio import atomic_write, check_target, lock_dir
from citekit.paths import LIBRARY_DIR, PACKAGE_DIR, default_library

UNTIDY = "@book{k,\n title={T},\n   author = {Doe, Jane}, date={2020}}\n"


def invoke(*args: str, cwd: Path | None = None):  # noqa: ANN201
    old = Path.cwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


def test_tidy_through_a_symlink_edits_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.bib"
    target.write_text(UNTIDY, encoding="utf-8")
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    r = invoke("tidy", str(link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") != UNTIDY


def test_a_read_only_file_is_refused_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "ro.bib"
    path.write_text(UNTIDY, encoding="utf-8")
    path.chmod(0o444)
    r = invoke("tidy", str(path))
    assert r.exit_code == 2 and "read-only" in r.stderr and "--force" in r.stderr
    assert path.read_text(encoding="utf-8") == UNTIDY
    r = invoke("tidy", "--force", str(path))
    assert r.exit_code == 0 and path.read_text(encoding="utf-8") != UNTIDY
    assert stat.S_IMODE(path.stat().st_mode) == 0o444  # the mode is kept


def test_modes_are_kept_and_new_files_honour_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0o640)
    atomic_write(path, "y")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.txt", "z")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    r = invoke("format", "--library", "bundled", "-o", str(tmp_path / "out.txt"))
    assert r.exit_code == 0
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o666 & ~old


def test_no_lock_file_is_left_beside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.bib"
    path.write_text(UNTIDY, encoding="utf-8")
    assert invoke("tidy", str(path)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bib"]
    assert lock_dir().is_dir() and not lock_dir().is_relative_to(tmp_path)


def test_a_missing_or_unwritable_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = invoke("format", "--library", "bundled", "-o", str(tmp_path / "no" / "such" / "x.txt"))
    assert r.exit_code == 2 and "no such folder" in r.stderr and len(r.stderr.splitlines()) == 1
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)  # as a non-root user sees a 0555 folder
    with pytest.raises(CitekitError, match="not writable"):
        check_target(tmp_path / "x.txt")


def test_the_installed_package_is_never_written(tmp_path: Path) -> None:
    with pytest.raises(CitekitError, match="installed citekit package"):
        check_target(PACKAGE_DIR / "data" / "library" / "x.bib" if not (PACKAGE_DIR.parent / "library").is_dir()
                     else PACKAGE_DIR / "x.bib")
    r = invoke("add", "10.1000/x", "--library", "bundled")
    assert r.exit_code == 2 and "read only" in r.stderr
    for args in (["tidy", "bundled"], ["dedupe", "--merge", "bundled"]):
        assert invoke(*args).exit_code == 2


def test_the_library_comes_from_the_project(tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "a.bib").write_text("@book{fromsettings, title = {From settings}, date = {2020}}\n",
                                             encoding="utf-8")
    (tmp_path / "here.bib").write_text("@book{fromfolder, title = {From the folder}, date = {2020}}\n",
                                       encoding="utf-8")
    assert default_library(tmp_path) == [tmp_path / "here.bib"]
    r = invoke("format", cwd=tmp_path)
    assert r.exit_code == 0 and "From the folder" in r.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.citekit]\nlibrary = ["refs"]\n', encoding="utf-8")
    assert default_library(tmp_path) == [tmp_path / "refs"]
    r = invoke("format", cwd=tmp_path)
    assert r.exit_code == 0 and "From settings" in r.stdout and "From the folder" not in r.stdout


def test_outside_a_project_there_is_no_silent_bundled_library(tmp_path: Path) -> None:
    r = invoke("format", cwd=tmp_path)
    assert r.exit_code == 2 and "no library" in r.stderr and "--library bundled" in r.stderr
    r = invoke("format", "--library", "bundled", cwd=tmp_path)
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == len(list(LIBRARY_DIR.glob("*.bib"))) * 14


def test_version_and_completion() -> None:
    from citekit import __version__

    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"citekit {__version__}"
    assert "--install-completion" in invoke("--help").stdout


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "refs.bib"
    lib.write_text(UNTIDY, encoding="utf-8")
    for args in (["format", "--library", str(lib), "-o", str(lib)],
                 ["export", "--to", "bibtex", "--library", str(tmp_path), "-o", str(lib)],
                 ["format", "-o", "refs.bib"]):
        r = invoke(*args, cwd=tmp_path)
        assert r.exit_code == 2 and "is one of the input files" in r.stderr, (args, r.output)
    assert lib.read_text(encoding="utf-8") == UNTIDY
