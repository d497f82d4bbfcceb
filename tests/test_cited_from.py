"""``--cited-from``: each manuscript read in its own grammar (pandoc Markdown, LaTeX, ``.aux``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.citing import Citation, citations_in, latex_citations, markdown_citations_own

CITEKIT = [sys.executable, "-m", "citekit.cli"]
HAS_PANDOC = shutil.which("pandoc") is not None

TRICKY_MD = """\
---
title: "Mail me: someone@example.org, @notakey"
nocite: |
  @nist2020mep
---

Intro [@crs2019mep; see @congress2021nsf, p. 3] and @molnar2025china says so.

```python
x = "@fenced"
```

~~~
@tilde
~~~

    @indented_code

<!-- @commented
     @out -->

Escaped \\@notcited, e-mail someone@example.org, `@inline` and ``a ` @double``.
A link <https://example.org/@user> and [text](https://x.org/@path).

- a list item
    @congress2014revitalize continues the item

Last: [-@sun2021development, chap. 2].
"""

EXPECTED = ["crs2019mep", "congress2021nsf", "molnar2025china", "congress2014revitalize",
            "sun2021development", "nist2020mep"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEKIT, *args], capture_output=True, text=True, timeout=120)


def test_own_markdown_reader_skips_what_is_not_prose() -> None:
    cites = markdown_citations_own(TRICKY_MD)
    assert [c.key for c in cites] == EXPECTED
    assert cites[0] == Citation("crs2019mep", 7) and cites[3].line == 26 and cites[4].line == 28
    assert cites[-1] == Citation("nist2020mep", 4)  # nocite, after the text's citations


@pytest.mark.skipif(not HAS_PANDOC, reason="pandoc is not installed")
def test_pandoc_reader_agrees_and_places_keys_on_their_lines(tmp_path: Path) -> None:
    md = tmp_path / "paper.md"
    md.write_text(TRICKY_MD, encoding="utf-8")
    via_pandoc = citations_in(md)
    assert via_pandoc == markdown_citations_own(TRICKY_MD)
    assert via_pandoc == citations_in(md, use_pandoc=False)


def test_pandoc_key_syntax() -> None:
    text = 'a (@k1) b/@k2 c-@k3 "@k4" x@k5 @k6. @k7: @{k8.x} @k-9- @_k10 [@k11]\n'
    # what pandoc 2.17 and 3.x's reader make of it
    assert [c.key for c in markdown_citations_own(text)] == ["k1", "k2", "k3", "k4", "k6", "k7", "k8.x", "k-9",
                                                             "_k10", "k11"]


def test_latex_skips_comments_and_verbatim() -> None:
    tex = ("\\cite{a} % \\cite{commented}\n"
           "50\\% sure \\citep[p.~3]{b, c}\n"
           "\\begin{verbatim}\n\\cite{verb}\n\\end{verbatim}\n"
           "\\verb|\\cite{inline}| \\textcite{d}\\cites[see][12]{e}[]{f}\n"
           "\\citestyle{numeric}\\DeclareCiteCommand{\\x}{}\\nocite{*}\n")
    assert latex_citations(tex) == [Citation("a", 1), Citation("b", 2), Citation("c", 2), Citation("d", 6),
                                    Citation("e", 6), Citation("f", 6), Citation("*", 7)]


def test_aux_bibtex_biblatex_and_included_files(tmp_path: Path) -> None:
    (tmp_path / "chapter.aux").write_text("\\relax\n\\citation{crs2019mep}\n", encoding="utf-8")
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\abx@aux@refcontext{nty/global//global/global}\n"
                   "\\abx@aux@cite{0}{molnar2025china}\n\\abx@aux@segm{0}{0}{molnar2025china}\n"
                   "\\citation{nist2020mep,molnar2025china}\n\\@input{chapter.aux}\n", encoding="utf-8")
    expected = ["molnar2025china", "nist2020mep", "molnar2025china", "crs2019mep"]
    cites = citations_in(aux)
    assert [c.key for c in cites] == expected
    assert (cites[-1].path, cites[-1].line) == (tmp_path / "chapter.aux", 2)


def test_biblatex_aux_formats_only_what_is_cited(tmp_path: Path) -> None:
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\abx@aux@cite{0}{crs2019mep}\n\\abx@aux@cite{0}{congress2021nsf}\n", encoding="utf-8")
    proc = run("format", "--cited-from", str(aux), "--style", "bulletin-cas")
    assert proc.returncode == 0, proc.stderr
    assert [ln.split(". ")[0] for ln in proc.stdout.splitlines()] == ["1 Congressional Research Service",
                                                                       "2 United States Congress"]


@pytest.mark.parametrize("name", ["paper.md", "paper.tex", "paper.aux"])
def test_no_citations_is_an_error(tmp_path: Path, name: str) -> None:
    doc = tmp_path / name
    doc.write_text("---\ntitle: nothing cited\n---\n\nPlain text, `@code`.\n" if name.endswith(".md")
                   else "\\relax\n% \\cite{x}\n", encoding="utf-8")
    proc = run("format", "--cited-from", str(doc))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == f"citekit: error: {doc}: no citations found"


@pytest.mark.parametrize("use_pandoc", [True, False])
def test_unknown_key_is_reported_at_its_line(tmp_path: Path, use_pandoc: bool, monkeypatch) -> None:
    if use_pandoc and not HAS_PANDOC:
        pytest.skip("pandoc is not installed")
    md = tmp_path / "paper.md"
    md.write_text("---\ntitle: t\n---\n\nSee [@crs2019mep].\n\n```\n@foo\n```\n\nAnd [@foo, p. 2].\n", encoding="utf-8")
    env_path = None if use_pandoc else str(tmp_path)  # no pandoc on PATH: citekit's own reader
    import os

    env = dict(os.environ)
    if env_path is not None:
        env["PATH"] = env_path
    proc = subprocess.run([*CITEKIT, "format", "--cited-from", str(md)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"citekit: error: {md}:11: unknown citation key 'foo'"


def test_unknown_key_in_an_included_aux_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "chapter.aux").write_text("\\relax\n\n\\citation{ghost}\n", encoding="utf-8")
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{crs2019mep}\n\\@input{chapter.aux}\n", encoding="utf-8")
    proc = run("format", "--cited-from", str(aux))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"citekit: error: {tmp_path / 'chapter.aux'}:3: unknown citation key 'ghost'"


def test_unknown_key_in_latex(tmp_path: Path) -> None:
    tex = tmp_path / "paper.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\cite{crs2019mep}\n\\cite{nope,alsonope}\n",
                   encoding="utf-8")
    proc = run("cite", "crs2019mep", "--cited-from", str(tex))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"citekit: error: {tex}:4: unknown citation key 'nope' (also 'alsonope')"


def test_nocite_star_takes_the_library_cited_first(tmp_path: Path) -> None:
    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{sun2021development}\\nocite{*}\n", encoding="utf-8")
    proc = run("format", "--cited-from", str(tex), "--order", "cited")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 14 and lines[0].startswith("[1] 孙毅")


def test_a_pandoc_that_hangs_is_one_error_not_a_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import citekit.citing as citing
    from citekit.errors import CitekitError

    slow = tmp_path / "pandoc"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    paper = tmp_path / "paper.md"
    paper.write_text("See [@a].\n")
    monkeypatch.setattr(citing, "PANDOC_TIMEOUT", 0.5)
    with pytest.raises(CitekitError, match="did not finish reading it"):
        citing.markdown_citations_pandoc(paper, paper.read_text(), str(slow))
