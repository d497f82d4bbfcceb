"""citekit.sty's clusters in the .aux → each citation's text in the .bbl (no TeX needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import citekit
from citekit.csl.locale import load_locale
from citekit.latex import read_aux, write_bbl
from citekit.latex.fragments import Raw, split_postnote, to_rich
from citekit.pandoc.locator import author_locator_terms
from citekit.render.engine import load_style

HERE = Path(__file__).resolve().parent
NOTE = str(HERE / "note.csl")


@pytest.fixture(scope="module")
def pool() -> list[dict]:
    return citekit.read_library().items()


def cite(n: int, keys: str, post: str = "", *, mode: str = "p", where: str = "t", notes: int = 0,
         pre: str = "") -> str:
    """An .aux line as citekit.sty writes it (with the \\citation line before it)."""
    return f"\\citation{{{keys}}}\n\\citekit@cite{{{n}}}{{{mode}}}{{{where}}}{{{notes}}}{{{keys}}}{{{pre}}}{{{post}}}\n"


def clusters(tmp_path: Path, pool: list[dict], style: str, *lines: str) -> dict[int, tuple[str, str]]:
    """Cluster number → (text in place, footnote text) from the .bbl written for ``lines``."""
    (tmp_path / "p.aux").write_text("\\relax\n\\providecommand\\citekit@cite[7]{}\n" + "".join(lines),
                                    encoding="utf-8")
    bbl = write_bbl(read_aux(tmp_path / "p.aux"), pool, style)
    assert not bbl.errors, bbl.errors
    out = {}
    for m in re.finditer(r"^\\citekitcluster\{(\d+)\}\{[^}]*\}\{(.*)\}\{(.*)\}%$", bbl.text, re.M):
        out[int(m.group(1))] = (m.group(2), m.group(3))
    return out


# --- TeX notes → the engine's text ------------------------------------------------------------


@pytest.mark.parametrize(("tex", "rich"), [
    ("p.~12", "p.\u00a012"),
    ("12--15", "12\u201315"),
    ("\\emph {passim}", "<i>passim</i>"),
    ("\\S 3", "\u00a73"),
    ("``so''", "\u201cso\u201d"),
    ("100\\% \\& more", "100% & more"),
])
def test_tex_to_rich_text(tex: str, rich: str) -> None:
    assert to_rich(tex, Raw()) == rich


def test_other_tex_is_held_and_put_back() -> None:
    raw = Raw()
    rich = to_rich("see $x^2$ and \\mymacro {arg} \\\\ end", raw)
    assert "$" not in rich and "\\" not in rich
    assert raw.restore(rich) == "see $x^2$ and \\mymacro{arg} \\\\ end"


@pytest.mark.parametrize(("tex", "locator", "label", "suffix"), [
    ("12", "12", "page", None),
    ("p.~12", "12", "page", None),
    ("pp. 3--5", "3\u20135", "page", None),
    ("chap.~3", "3", "chapter", None),
    ("12, \\emph {passim}", "12", "page", ", <i>passim</i>"),
    ("passim", None, None, ", passim"),
])
def test_postnote_locators_as_pandoc_reads_them(tex: str, locator: str | None, label: str | None,
                                                suffix: str | None) -> None:
    style = load_style("gb-t-7714-2015-numeric")
    terms = author_locator_terms(style, load_locale(style, "zh-CN"))
    note = split_postnote(to_rich(tex, Raw()), terms)
    assert (note.locator, note.label, note.suffix) == (locator, label, suffix)


# --- numeric, author-date ---------------------------------------------------------------------


def test_gbt_numeric_ranges_pairs_and_locator_after_the_bracket(tmp_path: Path, pool: list[dict]) -> None:
    got = clusters(tmp_path, pool, "gb-t-7714-2015-numeric",
                   cite(1, "congress2014revitalize,congress2021innovation,congress2021nsf"),
                   cite(2, "congress2021innovation,congress2021nsf"),
                   cite(3, "nist2020mep", "12"),
                   cite(4, "congress2021nsf", "pp.~3--5"),
                   cite(5, "congress2014revitalize,nist2020mep"),
                   cite(6, "nist2020mep", where="n", notes=1),  # in the author's footnote: as in the text
                   cite(7, "crs2019mep", mode="f"))  # \footcite: a footnote in any style
    assert got[1] == ("[1-3]", "")
    assert got[2] == ("[2-3]", "")  # GB/T 7714 10.1.2: two consecutive numbers are a range
    assert got[3] == ("[4]\\textsuperscript{12}", "")  # 10.1.3: [4]12, the page superscript
    assert got[4] == ("[3]\\textsuperscript{3\u20135}", "")
    assert got[5] == ("[1,4]", "")  # the style's delimiter (the standard's example: [570,8])
    assert got[6] == ("[4]", "")
    assert got[7] == ("", "[5]")


def test_nist_keeps_pairs_and_en_dash(tmp_path: Path, pool: list[dict]) -> None:
    got = clusters(tmp_path, pool, "nist", cite(1, "congress2014revitalize,congress2021innovation,congress2021nsf"),
                   cite(2, "congress2021innovation,congress2021nsf"))
    assert got == {1: ("[1\u20133]", ""), 2: ("[2, 3]", "")}


def test_author_date_textual_and_parenthetical(tmp_path: Path, pool: list[dict]) -> None:
    got = clusters(tmp_path, pool, "gb-t-7714-2015-author-date",
                   cite(1, "congress2021nsf", mode="t"),
                   cite(2, "rudnitsky2019manufacturing", mode="t"),
                   cite(3, "molnar2025china", "p.~12"),
                   cite(4, "congress2021nsf,gatech2014incubator", mode="t"),
                   cite(5, "nist2020mep", "chap.~3", pre="see"),
                   cite(6, "nist2020mep", mode="a"),
                   cite(7, "nist2020mep", mode="y"),
                   cite(8, "congress2021innovation"))
    assert got[1] == ("United States Congress (2021a)", "")
    assert got[2] == ("RUDNITSKY et al. (2019)", "")
    assert got[3] == ("(MOLNAR et al., 2025)\\textsuperscript{12}", "")  # 10.2.4: page after the parenthesis
    assert got[4] == ("United States Congress (2021a); Georgia Tech Enterprise Innovation Institute (EI2) (2014)", "")
    assert got[5][0].startswith("(see National Institute of Standards and Technology, 2020)")
    assert got[6] == ("National Institute of Standards and Technology", "")
    assert got[7] == ("(2020)", "")
    assert got[8] == ("(United States Congress, 2021b)", "")


# --- a note style -----------------------------------------------------------------------------


def test_note_style_footnotes_positions_and_notes_inside_footnotes(tmp_path: Path, pool: list[dict]) -> None:
    got = clusters(tmp_path, pool, NOTE,
                   cite(1, "nist2020mep", "p.~3"),
                   cite(2, "nist2020mep", "p.~5"),
                   cite(3, "nist2020mep", "p.~5"),
                   cite(4, "crs2019mep"),
                   cite(5, "nist2020mep"),
                   cite(6, "crs2019mep", mode="t"),
                   # the author's own footnote (number 7): citations in it are not nested
                   cite(7, "nist2020mep", where="s", notes=1, mode="t"),
                   cite(8, "crs2019mep", "chap.~2", where="n", notes=1, pre="see also"),
                   cite(9, "congress2021nsf", "12--15", pre="see"),
                   cite(10, "gatech2014incubator", where="s", notes=2))
    nist = "National Institute of Standards and Technology"
    assert got[1] == ("", f"{nist}, \\textit{{MEP National Network: Meeting the Challenge}}, (2020), p. 3.")
    assert got[2] == ("", "Ibid., p. 5.")  # ibid-with-locator
    assert got[3] == ("", "Ibid.")
    assert got[4][1].startswith("Congressional Research Service, \\textit{The Manufacturing Extension")
    # subsequent: the short form (no year; the item has no short title)
    assert got[5] == ("", f"{nist}, \\textit{{MEP National Network: Meeting the Challenge}}.")
    assert got[6] == ("Congressional Research Service", "\\textit{The Manufacturing Extension Partnership Program}.")
    assert got[7] == (f"{nist}, \\textit{{MEP National Network: Meeting the Challenge}}", "")
    assert got[8] == ("(see also Congressional Research Service, \\textit{The Manufacturing Extension Partnership "
                      "Program}, chap. 2)", "")
    assert got[9] == ("", "See United States Congress, \\textit{National Science Foundation for the Future Act}, "
                      "(2021), pp. 12\u201315.")  # capitalised as the note's first word
    # first in the author's footnote: kept whole; a period after it in the text is not doubled
    assert got[10][0].endswith("(2014)\\citekitperiod") and got[10][1] == ""


def test_note_numbers_count_the_authors_footnotes(tmp_path: Path, pool: list[dict]) -> None:
    """An ibid needs the previous note: a footnote of the author's between two citations of the
    same work is a note in between, so the second citation is not "Ibid." but the short form."""
    nist = "National Institute of Standards and Technology, \\textit{MEP National Network: Meeting the Challenge}."
    got = clusters(tmp_path, pool, NOTE, cite(1, "nist2020mep"), cite(2, "nist2020mep"))
    assert got[2] == ("", "Ibid.")
    got = clusters(tmp_path, pool, NOTE, cite(1, "nist2020mep"), cite(2, "crs2019mep", where="n", notes=1),
                   cite(3, "nist2020mep", notes=1))
    assert got[3] == ("", nist)


def test_unknown_and_unwritable_keys(tmp_path: Path, pool: list[dict]) -> None:
    (tmp_path / "p.aux").write_text(cite(1, "nist2020mep,nosuch") + cite(2, "a#b"), encoding="utf-8")
    bbl = write_bbl(read_aux(tmp_path / "p.aux"), pool, "gb-t-7714-2015-numeric")
    assert "\\citekitcluster{1}{nist2020mep,nosuch}{[1] \\textbf{???}}{}%" in bbl.text
    assert "\\citekitcluster{2}" not in bbl.text
    assert any("key 'a#b' cannot be written" in e for e in bbl.errors)
    assert any('I didn\'t find a database entry for "nosuch"' in w for w in bbl.warnings)


def test_prefix_and_suffix_keep_the_authors_tex(tmp_path: Path, pool: list[dict]) -> None:
    got = clusters(tmp_path, pool, "gb-t-7714-2015-author-date",
                   cite(1, "nist2020mep", "\\emph {passim} and $x_1$", pre="cf.~\\mymacro {x}"))
    assert got[1][0] == ("(cf.\u00a0\\mymacro{x} National Institute of Standards and Technology, 2020, "
                         "\\textit{passim} and $x_1$)")


def test_the_list_has_the_styles_labels_or_a_hanging_indent(tmp_path: Path, pool: list[dict]) -> None:
    (tmp_path / "p.aux").write_text(cite(1, "nist2020mep,crs2019mep"), encoding="utf-8")
    numeric = write_bbl(read_aux(tmp_path / "p.aux"), pool, "gb-t-7714-2015-numeric").text
    assert numeric.startswith("\\csname citekitbbl\\endcsname\n")
    assert "\\item[{[2]}] Congressional Research Service." in numeric and "\\bibitem" not in numeric
    notes = write_bbl(read_aux(tmp_path / "p.aux"), pool, NOTE).text
    assert "\\csname citekithanging\\endcsname" in notes
    assert notes.index("\\item[] Congressional") < notes.index("\\item[] National")  # sorted by author
