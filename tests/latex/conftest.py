"""Helpers for the ``citekit latex`` tests: the real TeX programs, skipped cleanly when absent."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "library" / "us-manufacturing.bib"
CITEKIT_LATEX = [sys.executable, "-m", "citekit.latex"]


def citekit_latex(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEKIT_LATEX, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def need(*programs: str) -> None:
    for program in programs:
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed")


def need_tex_file(name: str) -> None:
    need("kpsewhich")
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, timeout=60).stdout.strip()
    if not found:
        pytest.skip(f"{name} is not installed (kpsewhich)")


def cjk_fonts() -> str:
    """The preamble lines for Chinese under xelatex, or a skip: xeCJK (texlive-lang-chinese) when
    present, else fontspec with AR PL UMing (fonts-arphic-uming), which covers both scripts."""
    need("xelatex", "fc-list")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    if "AR PL UMing CN" not in fonts:
        pytest.skip("the font AR PL UMing (fonts-arphic-uming) is not installed")
    need_tex_file("fontspec.sty")
    xecjk = subprocess.run(["kpsewhich", "xeCJK.sty"], capture_output=True, text=True, timeout=60).stdout.strip()
    return (r"\usepackage{xeCJK}\setCJKmainfont{AR PL UMing CN}" if xecjk
            else r'\usepackage{fontspec}\setmainfont{AR PL UMing CN}\XeTeXlinebreaklocale "zh"')


def tex(engine: str, cwd: Path, name: str = "paper") -> subprocess.CompletedProcess:
    return subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", name], capture_output=True,
                          text=True, errors="replace", cwd=cwd, timeout=600)


def pdf_text(cwd: Path, pdf: str = "paper.pdf") -> str:
    """The PDF's text, whitespace collapsed."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True, cwd=cwd,
                          timeout=120).stdout
    return " ".join(text.split())


def build_sty(tmp_path: Path, source: str, engine: str = "pdflatex", *, files: dict[str, Path] | None = None
              ) -> tuple[str, str]:
    """A citekit.sty document: ``citekit latex --sty``, then ``engine; citekit latex; engine``: one
    LaTeX run after citekit latex is enough. Returns the PDF's text and citekit's stderr."""
    need(engine, "pdftotext")
    (tmp_path / "paper.tex").write_text(source, encoding="utf-8")
    shutil.copy(LIBRARY, tmp_path / "refs.bib")
    for name, path in (files or {}).items():
        shutil.copy(path, tmp_path / name)
    sty = citekit_latex("--sty", "paper", cwd=tmp_path)
    assert sty.returncode == 0 and (tmp_path / "citekit.sty").is_file(), sty.stderr
    first = tex(engine, tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    ck = citekit_latex("paper", cwd=tmp_path)
    assert ck.returncode == 0, ck.stderr
    again = tex(engine, tmp_path)
    assert again.returncode == 0, again.stdout[-2000:]
    log = (tmp_path / "paper.log").read_text(encoding="utf-8", errors="replace")
    assert "There were undefined references" not in log, log[-2000:]  # all defined after one run
    return pdf_text(tmp_path), ck.stderr


def build(tmp_path: Path, source: str, engine: str = "pdflatex", *, expect_rc: int = 0) -> tuple[str, str]:
    """Run the loop ``engine; citekit latex; engine; engine`` on ``source`` with the bundled library
    as ``refs.bib``; return the PDF's text (whitespace collapsed) and citekit's stderr."""
    need(engine, "pdftotext")
    need_tex_file("natbib.sty")
    (tmp_path / "paper.tex").write_text(source, encoding="utf-8")
    shutil.copy(LIBRARY, tmp_path / "refs.bib")
    first = tex(engine, tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    ck = citekit_latex("paper", cwd=tmp_path)
    assert ck.returncode == expect_rc, ck.stderr
    for _ in range(2):
        again = tex(engine, tmp_path)
        assert again.returncode == 0, again.stdout[-2000:]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "paper.pdf", "-"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120).stdout
    return " ".join(text.split()), ck.stderr
