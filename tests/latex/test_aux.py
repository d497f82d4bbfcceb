"""Reading ``.aux`` files as LaTeX, natbib and biblatex write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.errors import CitekitError
from citekit.latex import cited_keys, read_aux


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bibtex_aux(tmp_path: Path) -> None:
    write(tmp_path / "paper.aux", "\\relax \n\\citation{b,a}\n\\citation{ c , b }\n\\bibstyle{nist}\n"
          "\\bibdata{refs,more/other.bib}\n\\bibcite{a}{{1}{}{{}}{{}}}\n")
    aux = read_aux(tmp_path / "paper")  # the extension is optional, as for bibtex
    assert [(r.value, r.line) for r in aux.keys()] == [("b", 2), ("a", 2), ("c", 3)]
    assert aux.bibstyle is not None and aux.bibstyle.value == "nist" and aux.bibstyle.line == 4
    assert [r.value for r in aux.bibdata] == ["refs", "more/other.bib"]
    assert aux.biblatex is None and aux.nocite_all is None


def test_include_files_are_read_where_they_stand(tmp_path: Path) -> None:
    write(tmp_path / "paper.aux", "\\relax\n\\citation{first}\n\\@input{ch1.aux}\n\\@input{missing.aux}\n"
          "\\citation{last}\n\\@input{paper.aux}\n")
    write(tmp_path / "ch1.aux", "\\relax\n\\citation{inner,first}\n")
    aux = read_aux(tmp_path / "paper.aux")
    assert [r.value for r in aux.keys()] == ["first", "inner", "last"]
    assert aux.keys()[1].path == tmp_path / "ch1.aux" and aux.keys()[1].line == 2
    assert aux.problems == [f"{tmp_path / 'paper.aux'}:4: I couldn't open auxiliary file missing.aux"]


def test_nocite_all(tmp_path: Path) -> None:
    write(tmp_path / "p.aux", "\\citation{a}\n\\citation{*}\n\\citation{b}\n")
    aux = read_aux(tmp_path / "p.aux")
    assert aux.nocite_all is not None and aux.nocite_all.line == 2
    assert aux.cited_before_all == 1
    assert [r.value for r in aux.keys()] == ["a", "b"]


@pytest.mark.parametrize("line", ["\\abx@aux@cite{0}{smith}", "\\abx@aux@cite{smith}"])
def test_biblatex_aux(tmp_path: Path, line: str) -> None:
    """biblatex ≥ 3.3 writes {refsection}{key}, older versions {key}."""
    write(tmp_path / "p.aux", f"\\relax\n\\abx@aux@refcontext{{nty/global//global/global}}\n{line}\n"
          "\\abx@aux@segm{0}{0}{smith}\n\\abx@aux@cite{0}{jones}\n")
    aux = read_aux(tmp_path / "p.aux")
    assert [(r.value, r.line) for r in aux.keys()] == [("smith", 3), ("jones", 5)]
    assert aux.biblatex is not None and aux.biblatex.line == 2
    assert [r.value for r in cited_keys(tmp_path / "p.aux")] == ["smith", "jones"]


def test_biblatex_with_bibtex_backend(tmp_path: Path) -> None:
    write(tmp_path / "p.aux", "\\citation{biblatex-control}\n\\abx@aux@cite{x}\n\\citation{x}\n"
          "\\bibdata{p-blx,refs}\n\\bibstyle{biblatex}\n")
    aux = read_aux(tmp_path / "p.aux")
    assert [r.value for r in aux.keys()] == ["x"]
    assert aux.biblatex is not None


def test_braces_in_an_argument_are_balanced(tmp_path: Path) -> None:
    write(tmp_path / "p.aux", "\\citation{a{b}c}\\citation{d}\n\\citation\n")
    assert [r.value for r in read_aux(tmp_path / "p.aux").keys()] == ["a{b}c", "d"]


def test_missing_aux_is_one_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CitekitError) as err:
        read_aux(tmp_path / "nothere")
    assert str(err.value) == f"{tmp_path / 'nothere.aux'}: no such file"
