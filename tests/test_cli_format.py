"""The format/cite/styles commands as a user runs them: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CITEKIT = [sys.executable, "-m", "citekit.cli"]
ROOT = Path(__file__).resolve().parent.parent  # inside the clone, the default library is the bundled one


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEKIT, *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)


def test_format_prints_the_library_in_gbt_numeric() -> None:
    proc = run("format")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 14
    assert lines[0].startswith("[1] United States Congress. Revitalize American Manufacturing")
    assert "[A/OL]" in lines[0] and "[R/OL]" in lines[3] and "[EB/OL]" in lines[11]
    assert lines[12].startswith("[13] MOLNAR M, ROGERS K, GAYLE F, et al.")
    assert lines[13].startswith("[14] 孙毅, 罗穆雄. 美国智能制造的发展及启示[J]")


def test_keys_keep_citation_order() -> None:
    proc = run("format", "molnar2025china", "congress2021nsf", "--style", "bulletin-cas")
    assert proc.returncode == 0
    assert [ln.split(" ", 1)[0] for ln in proc.stdout.splitlines()] == ["1", "2"]
    assert "Molnar M" in proc.stdout.splitlines()[0]


@pytest.mark.parametrize(("args", "needle"), [
    (("format", "nosuchkey"), "unknown citation key: nosuchkey"),
    (("format", "--style", "nosuchstyle"), "unknown style 'nosuchstyle'"),
])
def test_errors_are_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_malformed_inputs_name_file_and_line(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('[\n  {"id": "a",\n   "title": }\n]\n')
    proc = run("format", "--input", str(bad_json))
    assert proc.returncode == 2 and f"{bad_json}:3:" in proc.stderr and "Traceback" not in proc.stderr
    bad_csl = tmp_path / "bad.csl"
    bad_csl.write_text('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n<citation>\n</style>\n')
    proc = run("format", "--style", str(bad_csl))
    assert proc.returncode == 2 and f"{bad_csl}:4:" in proc.stderr and "Traceback" not in proc.stderr
    missing = run("format", "--library", str(tmp_path / "nope.bib"))
    assert missing.returncode == 2 and "nope.bib: no such file" in missing.stderr


def test_broken_entry_is_reported_and_the_others_render(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@report{good1, title = {First}, date = {2020}}\n\n"
                   "@report{broken, title = {Unbalanced, date = {2021}\n\n"
                   "@report{good2, title = {Second}, date = {2022}}\n", encoding="utf-8")
    proc = run("format", "--library", str(bib), "--style", "bulletin-cas")
    assert proc.returncode == 0
    assert f"{bib}:3:" in proc.stderr and "warning" in proc.stderr
    assert [ln.split(". ")[0] for ln in proc.stdout.splitlines()] == ["1 First", "2 Second"]


def test_cited_from_markdown_and_latex(tmp_path: Path) -> None:
    md = tmp_path / "paper.md"
    md.write_text("As shown [@crs2019mep; see @congress2021nsf, p. 3], and again [@crs2019mep].\n"
                  "Mail me at someone@example.org. `@notakey` in code.\n")
    proc = run("format", "--cited-from", str(md), "--style", "bulletin-cas")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 2 and "Congressional Research Service" in out[0] and "National Science Foundation" in out[1]
    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{molnar2025china} % \\cite{crs2019mep}\n\\citep[p.~3]{nist2020mep,molnar2025china}\n")
    proc = run("format", "--cited-from", str(tex), "--style", "bulletin-cas")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2
    assert "Molnar" in proc.stdout.splitlines()[0]
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{crs2019mep}\n\\citation{congress2021nsf,crs2019mep}\n\\bibstyle{plain}\n")
    proc = run("format", "--cited-from", str(aux), "--style", "bulletin-cas")
    assert proc.returncode == 0
    assert [ln.split(". ")[0] for ln in proc.stdout.splitlines()] == ["1 Congressional Research Service",
                                                                       "2 United States Congress"]


def test_cite_collapses_and_places_locators() -> None:
    assert run("cite", "crs2019mep", "nist2020mep").stdout.strip() == "[8-9]"
    assert run("cite", "congress2014revitalize", "congress2021innovation", "congress2021nsf", "crs2019mep").stdout.strip() == "[1-3,8]"
    assert run("cite", "nist2020mep@12").stdout.strip() == "[9]12"


@pytest.mark.parametrize("fmt", ["html", "markdown", "latex", "json"])
def test_every_output_format(fmt: str) -> None:
    proc = run("format", "nstc2018strategy", "--to", fmt)
    assert proc.returncode == 0
    out = proc.stdout
    if fmt == "html":
        assert "National Science &#38; Technology Council" in out and 'class="csl-left-margin">[1]</div>' in out
    elif fmt == "latex":
        assert "National Science \\& Technology Council" in out and "\\url{https://trumpwhitehouse" in out
    elif fmt == "markdown":
        assert "\\[1\\]" in out and "<https://trumpwhitehouse" in out
    else:
        assert json.loads(out)[0]["citation-key"] == "nstc2018strategy"


def test_styles_lists_every_builtin() -> None:
    out = run("styles").stdout
    for name in ("gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date", "gb-t-7714-2025-numeric",
                 "gb-t-7714-2025-author-date", "nist", "nist-portal", "bulletin-cas"):
        assert name in out


def test_prefer_archive_prints_the_snapshot_with_robust_links(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@report{gone, author = {{Agency}}, title = {Plan}, date = {2018-10-18},\n"
                   "  url = {https://example.gov/wpcontent/plan.pdf}, urldate = {2021-07-16},\n"
                   "  urlstatus = {dead}, archiveurl = {https://web.archive.org/web/20210716000000/https://example.gov/wpcontent/plan.pdf},\n"
                   "  archivedate = {2021-07-16}}\n", encoding="utf-8")
    plain = run("format", "--library", str(bib), "--style", "bulletin-cas")
    assert "https://example.gov/wpcontent/plan.pdf." in plain.stdout
    text = run("format", "--library", str(bib), "--style", "bulletin-cas", "--prefer-archive")
    assert "https://web.archive.org/web/20210716000000/https://example.gov/wpcontent/plan.pdf." in text.stdout
    html = run("format", "--library", str(bib), "--style", "bulletin-cas", "--prefer-archive", "--to", "html").stdout
    assert 'data-originalurl="https://example.gov/wpcontent/plan.pdf"' in html
    assert 'data-versionurl="https://web.archive.org/web/20210716000000/https://example.gov/wpcontent/plan.pdf"' in html
    assert 'data-versiondate="2021-07-16"' in html


def test_installed_wheel_finds_styles_and_library_under_the_package() -> None:
    # citekit/data/{styles,library} link to the top-level folders that a wheel would not carry.
    from citekit.paths import PACKAGE_DIR

    for name, pattern in (("styles", "*.csl"), ("library", "*.bib")):
        top = sorted(p.name for p in (PACKAGE_DIR.parent / name).glob(pattern))
        packaged = sorted(p.name for p in (PACKAGE_DIR / "data" / name).glob(pattern))
        assert packaged == top and top
