"""``citekit latex`` as latexmk runs it: exit status like bibtex's, one line per error, a .blg."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.latex.conftest import LIBRARY, citekit_latex


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    shutil.copy(LIBRARY, tmp_path / "refs.bib")
    (tmp_path / "paper.aux").write_text("\\relax\n\\citation{crs2019mep,nist2020mep}\n\\citation{nope}\n"
                                        "\\bibstyle{gb-t-7714-2015-numeric}\n\\bibdata{refs}\n", encoding="utf-8")
    return tmp_path


def test_fine_run_with_a_warning(paper: Path) -> None:
    proc = citekit_latex("paper", cwd=paper)
    assert proc.returncode == 0, proc.stderr  # bibtex too exits 0 after warnings
    assert 'citekit: warning: paper.aux:3: I didn\'t find a database entry for "nope"' in proc.stderr
    assert "\\bibitem{crs2019mep}" in (paper / "paper.bbl").read_text(encoding="utf-8")
    blg = (paper / "paper.blg").read_text(encoding="utf-8")
    assert 'Warning--paper.aux:3: I didn\'t find a database entry for "nope"' in blg
    assert "Database file #1: " in blg and "(There was 1 warning)" in blg


def test_aux_in_another_directory_finds_bib_beside_it(paper: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("cwd")
    proc = citekit_latex(str(paper / "paper.aux"), "--quiet", cwd=elsewhere)
    assert proc.returncode == 0 and proc.stderr.count("\n") == 1  # only the warning
    assert (paper / "paper.bbl").is_file()


def test_bibinputs_is_searched(paper: Path, tmp_path_factory, monkeypatch) -> None:
    libdir = tmp_path_factory.mktemp("lib")
    (paper / "refs.bib").rename(libdir / "refs.bib")
    monkeypatch.setenv("BIBINPUTS", f"{libdir}:")
    assert citekit_latex("paper", cwd=paper).returncode == 0


@pytest.mark.parametrize(("change", "message"), [
    (("\\bibdata{refs}", "\\bibdata{refs,gone}"), "paper.aux:5: I couldn't open database file gone.bib"),
    (("\\bibdata{refs}\n", ""), "paper.aux: I found no \\bibdata command"),
    (("gb-t-7714-2015-numeric", "plainnat"), "paper.aux:4: \\bibstyle{plainnat} is neither a citekit style"),
    (("gb-t-7714-2015-numeric", "my.csl"), "paper.aux:4: I couldn't find the style file my.csl"),
    (("\\relax", "\\relax\n\\abx@aux@cite{0}{x}"), "paper.aux:2: this document uses biblatex"),
    (("\\citation{nope}", "\\citation{bad%key}"), "key 'bad%key' cannot be a \\bibitem key"),
])
def test_bad_input_exits_2_with_one_line(paper: Path, change: tuple[str, str], message: str) -> None:
    aux = paper / "paper.aux"
    aux.write_text(aux.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    if "bad%key" in change[1]:
        (paper / "refs.bib").write_text((paper / "refs.bib").read_text(encoding="utf-8")
                                        + "\n@misc{bad%key, title={T}}\n", encoding="utf-8")
    proc = citekit_latex("paper", cwd=paper)
    assert proc.returncode == 2
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("citekit: error:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert "error message" in (paper / "paper.blg").read_text(encoding="utf-8")


def test_missing_aux(tmp_path: Path) -> None:
    proc = citekit_latex("paper", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "citekit: error: paper.aux: no such file"


def test_style_option_overrides_bibstyle(paper: Path) -> None:
    aux = paper / "paper.aux"
    aux.write_text(aux.read_text(encoding="utf-8").replace("gb-t-7714-2015-numeric", "plainnat"), encoding="utf-8")
    proc = citekit_latex("paper", "--style", "gb-t-7714-2015-author-date", cwd=paper)
    assert proc.returncode == 0, proc.stderr
    assert "\\bibitem[{Congressional Research Service}({2019})]{crs2019mep}" in (paper / "paper.bbl").read_text(
        encoding="utf-8")


# --- citekit.sty --------------------------------------------------------------------------------


def test_sty_is_written_before_the_first_latex_run(tmp_path: Path) -> None:
    from citekit.latex.sty import sty_text

    proc = citekit_latex("--sty", "paper.tex", cwd=tmp_path)
    assert proc.returncode == 0 and not (tmp_path / "paper.bbl").exists(), proc.stderr
    sty = tmp_path / "citekit.sty"
    assert sty.read_text(encoding="utf-8") == sty_text()
    sty.chmod(0o640)
    before = sty.stat().st_mtime_ns
    again = citekit_latex("--sty", "paper", cwd=tmp_path)
    assert again.returncode == 0 and "up to date" in again.stderr
    assert sty.stat().st_mtime_ns == before  # the same file is not rewritten


def test_a_different_sty_is_kept_unless_forced(tmp_path: Path) -> None:
    sty = tmp_path / "citekit.sty"
    sty.write_text("% my own changes\n", encoding="utf-8")
    proc = citekit_latex("--sty", "paper", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "a different citekit.sty is already there" in proc.stderr and "--force" in proc.stderr
    assert sty.read_text(encoding="utf-8") == "% my own changes\n"
    assert citekit_latex("--sty", "--force", "paper", cwd=tmp_path).returncode == 0
    assert sty.read_text(encoding="utf-8").startswith("% citekit.sty")


def test_sty_then_the_aux(paper: Path) -> None:
    aux = paper / "paper.aux"
    aux.write_text(aux.read_text(encoding="utf-8") + "\\citekit@cite{1}{p}{t}{0}{crs2019mep}{}{12}\n",
                   encoding="utf-8")
    proc = citekit_latex("--sty", "paper", cwd=paper)
    assert proc.returncode == 0, proc.stderr
    bbl = (paper / "paper.bbl").read_text(encoding="utf-8")
    assert "\\citekitcluster{1}{crs2019mep}{[1]\\textsuperscript{12}}{}%" in bbl


def test_a_broken_cluster_line_is_reported_not_fatal(paper: Path) -> None:
    aux = paper / "paper.aux"
    aux.write_text(aux.read_text(encoding="utf-8") + "\\citekit@cite{x}{p}{t}{0}{crs2019mep}{}{}\n"
                   "\\citekit@cite{2}{p}{t}{0}{crs2019mep}\n", encoding="utf-8")
    proc = citekit_latex("paper", cwd=paper)
    assert proc.returncode == 0
    assert "paper.aux:6: a \\citekit@cite line that citekit.sty did not write; ignored" in proc.stderr
    assert "paper.aux:7: a \\citekit@cite line without its seven arguments; ignored" in proc.stderr
