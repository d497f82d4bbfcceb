"""The ``.bbl`` text: natbib's conventions, escaping, keys, and the range adjustment for GB/T."""

from __future__ import annotations

from pathlib import Path

import pytest

import citekit
from citekit.latex import bad_key_reason, read_aux, write_bbl
from citekit.latex.bbl import natbib_range_patch, range_dash
from citekit.render.engine import load_style


@pytest.fixture(scope="module")
def pool() -> list[dict]:
    return citekit.read_library().items()


def aux_of(tmp_path: Path, text: str):
    (tmp_path / "p.aux").write_text(text, encoding="utf-8")
    return read_aux(tmp_path / "p.aux")


def test_numeric_entries_in_citation_order(tmp_path: Path, pool: list[dict]) -> None:
    aux = aux_of(tmp_path, "\\citation{molnar2025china}\n\\citation{crs2019mep,molnar2025china}\n")
    bbl = write_bbl(aux, pool, "gb-t-7714-2015-numeric")
    assert bbl.keys == ["molnar2025china", "crs2019mep"]
    assert "\\bibitem{molnar2025china}\nMOLNAR M, ROGERS K, GAYLE F, et al." in bbl.text
    assert "[1]" not in bbl.text.split("\\begin{thebibliography}")[1]  # natbib numbers the list
    assert "\\url{https://tsapps.nist.gov/publication/get_pdf.cfm?pub_id=959925}" in bbl.text
    assert "\\begin{thebibliography}{2}" in bbl.text and bbl.text.rstrip().endswith("\\end{thebibliography}")
    assert "\\def@NAT@last@yr" in bbl.text  # GB/T: pairs compress


def test_a_plain_numeric_style_leaves_natbib_alone(tmp_path: Path, pool: list[dict]) -> None:
    bbl = write_bbl(aux_of(tmp_path, "\\citation{crs2019mep}\n"), pool, "nist")
    assert "NAT@" not in bbl.text and "bibnumfmt" not in bbl.text


def test_label_form_other_than_brackets(tmp_path: Path, pool: list[dict]) -> None:
    bbl = write_bbl(aux_of(tmp_path, "\\citation{crs2019mep}\n"), pool, "bulletin-cas")
    assert "\\renewcommand{\\bibnumfmt}[1]{#1}" in bbl.text  # bulletin-cas prints "1", not "[1]"


def test_author_date_labels(tmp_path: Path, pool: list[dict]) -> None:
    aux = aux_of(tmp_path, "\\citation{congress2021nsf,congress2021innovation,gatech2014incubator,"
                 "nstc2018strategy,sun2021development}\n")
    bbl = write_bbl(aux, pool, "gb-t-7714-2015-author-date")
    assert "\\bibitem[{United States Congress}({2021a})]{congress2021nsf}" in bbl.text
    assert "\\bibitem[{United States Congress}({2021b})]{congress2021innovation}" in bbl.text
    assert "\\bibitem[{Georgia Tech Enterprise Innovation Institute (EI2)}({2014})]{gatech2014incubator}" in bbl.text
    assert "\\bibitem[{National Science \\& Technology Council}({2018})]{nstc2018strategy}" in bbl.text
    assert "\\bibitem[{孙毅 等}({2021})]{sun2021development}" in bbl.text


def test_special_characters_are_escaped_and_urls_kept(tmp_path: Path) -> None:
    items = [{"id": "x", "type": "report", "title": "100% & #1: a_b ~ x^2 \\ {b} $5",
              "author": [{"literal": "R&D"}], "issued": {"date-parts": [[2020]]},
              "URL": "https://example.com/a_b%20c#frag~x&y=1"}]
    bbl = write_bbl(aux_of(tmp_path, "\\citation{x}\n"), items, "nist")
    body = bbl.text.split("\\bibitem{x}\n")[1]
    assert ("100\\% \\& \\#1: a\\_b \\textasciitilde{} x\\textasciicircum{}2 \\textbackslash{} \\{b\\} \\$5"
            in body)
    assert "R\\&D" in body
    assert "\\url{https://example.com/a_b%20c#frag~x&y=1}" in body


@pytest.mark.parametrize("key", ["b}\\end{thebibliography}\\input{/etc/passwd}%", "a%b", "a#b", "a\\b", "a{b",
                                 "a b", "a,b"])
def test_keys_that_cannot_be_written_are_refused(tmp_path: Path, key: str) -> None:
    assert bad_key_reason(key)
    items = [{"id": key, "type": "book", "title": "T"}, {"id": "ok", "type": "book", "title": "U"}]
    bbl = write_bbl(aux_of(tmp_path, "\\citation{*}\n"), items, "nist")
    assert bbl.keys == ["ok"]
    assert "/etc/passwd" not in bbl.text and "{a" not in bbl.text.split("thebibliography")[1]
    assert len(bbl.errors) == 1 and "cannot be a \\bibitem key" in bbl.errors[0]


@pytest.mark.parametrize("key", ["ok_key&1", "a:b-c.d", "key$^"])
def test_keys_with_other_specials_are_written_as_cited(key: str) -> None:
    assert bad_key_reason(key) is None  # a csname holds them; \cite wrote them the same way


def test_unknown_keys_case_and_nocite_all(tmp_path: Path, pool: list[dict]) -> None:
    aux = aux_of(tmp_path, "\\relax\n\\citation{CRS2019mep}\n\\citation{nope}\n\\citation{*}\n"
                 "\\citation{sun2021development}\n")
    bbl = write_bbl(aux, pool, "gb-t-7714-2015-numeric")
    assert bbl.keys[0] == "CRS2019mep"  # matched case-insensitively, written as cited
    assert len(bbl.keys) == 14 and bbl.keys.count("sun2021development") == 1
    assert bbl.keys[1] == "congress2014revitalize"  # then the database in its order
    assert bbl.warnings == [f'{tmp_path / "p.aux"}:3: I didn\'t find a database entry for "nope"']


def test_range_dash_and_patch() -> None:
    assert range_dash(load_style("gb-t-7714-2015-numeric")) == ("-", True)
    assert range_dash(load_style("nist")) == ("\u2013", False)
    patch = "\n".join(natbib_range_patch("-", True))
    assert "#" not in patch  # written to the .aux, where \write would double it
    assert patch.count("\\begingroup") == patch.count("\\endgroup")
