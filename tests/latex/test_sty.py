"""citekit.sty documents through pdflatex/xelatex and ``citekit latex``, read back with pdftotext.

A paper citing the bundled library in GB/T 7714, NIST, an author-date style and note styles:
citations in the text, combined and ranged ones, locators in each style's own form, footnotes
with ibid and the short subsequent form.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import citekit
from tests.latex.conftest import LIBRARY, ROOT, build_sty, citekit_latex, cjk_fonts, need, need_tex_file, pdf_text, tex
from tests.latex.test_compile import AUTHOR_DATE

HERE = Path(__file__).resolve().parent
SHARED = ROOT.parent / "shared"

PAPER = r"""\documentclass{article}
\usepackage{citekit}
\begin{document}
The act \cite{congress2014revitalize} created the network \cite{eop2013network,gatech2014incubator,crs2019mep}.
MEP \cite[12]{nist2020mep} and \cite[pp.~3--5]{crs2019mep} describe it; see also \cite{nist2020mep,nstc2018strategy}
and \cite{rudnitsky2019manufacturing}.
\bibliographystyle{STYLE}
\bibliography{refs}
\end{document}
"""
PAPER_KEYS = ["congress2014revitalize", "eop2013network", "gatech2014incubator", "crs2019mep", "nist2020mep",
              "nstc2018strategy", "rudnitsky2019manufacturing"]


def _squeezed(text: str) -> str:
    """Text without white space (pdftotext breaks long URLs and lines anywhere), hyphens (it takes
    a "-" at a line end for a hyphenation) or typographic apostrophes (pdflatex prints ' as ’)."""
    return re.sub(r"[\s-]", "", text).replace("\u2019", "'")


def _entries_as_citekit_formats_them(text: str, style: str) -> None:
    items = citekit.read_library([ROOT / "library"]).items(PAPER_KEYS)
    body = _squeezed(text.split("References", 1)[1])
    for entry in citekit.format_bibliography(items, style, "text"):
        assert _squeezed(entry) in body, entry


@pytest.mark.parametrize(("style", "sentence"), [
    # GB/T 7714-2015 10.1: numbers in order of first citation, two or more consecutive ones a range,
    # the cited page superscript after the bracket (10.1.3: [5]12)
    ("gb-t-7714-2015-numeric", "The act [1] created the network [2-4]. MEP [5]12 and [4]3\u20135 describe it; "
                               "see also [5-6] and [7]."),
    # NIST Technical Series: [1], [5, 6], ranges [2–4]; the style prints no locator
    ("nist", "The act [1] created the network [2\u20134]. MEP [5] and [4] describe it; see also [5, 6] and [7]."),
])
def test_numeric_paper(tmp_path: Path, style: str, sentence: str) -> None:
    text, _ = build_sty(tmp_path, PAPER.replace("STYLE", style))
    assert text.startswith(sentence)
    _entries_as_citekit_formats_them(text, style)


def test_nist_portal_entry_reads_as_the_nist_page(tmp_path: Path) -> None:
    """The bundled AMS 600-17 entry as the nist.gov "Cite this" box prints it (nist-style.md, P-01)."""
    notes = SHARED / "notes" / "nist-style.md"
    if not notes.is_file():
        pytest.skip("../shared/notes/nist-style.md is not here")
    row = next(line for line in notes.read_text(encoding="utf-8").splitlines() if line.startswith("| P-01 |"))
    expected = row.split(" | ")[3].strip("`")
    source = PAPER.replace("STYLE", "nist-portal").replace(r"\cite{congress2014revitalize}", r"\cite{molnar2025china}")
    text, _ = build_sty(tmp_path, source)
    assert _squeezed(expected) in _squeezed(text)


def test_author_date_citet_and_citep(tmp_path: Path) -> None:
    source = AUTHOR_DATE.replace("\\usepackage[authoryear,round]{natbib}\n\\usepackage{url}", "\\usepackage{citekit}")
    source = source.replace("\\bibliographystyle", "Two \\citet{congress2021nsf,gatech2014incubator}.\n"
                            "Author \\citeauthor{nist2020mep}, year \\citeyearpar{nist2020mep}, "
                            "\\citep[see][]{nist2020mep}.\n\\bibliographystyle")
    text, _ = build_sty(tmp_path, source)
    assert "Textual United States Congress (2021a) and RUDNITSKY et al. (2019)." in text
    assert "Paren (Georgia Tech Enterprise Innovation Institute (EI2), 2014)." in text
    assert "Page (MOLNAR et al., 2025)12" in text  # GB/T 10.2.4: the page after the parenthesis
    assert "Both (United States Congress, 2021b; United States Congress, 2021a)." in text
    assert "Two United States Congress (2021a); Georgia Tech Enterprise Innovation Institute (EI2) (2014)." in text
    assert ("Author National Institute of Standards and Technology, year (2020), (see National Institute of "
            "Standards and Technology, 2020).") in text
    assert "Georgia Tech Enterprise Innovation Institute (EI2), 2014. Manufacturing" in text


NOTES = r"""\documentclass{article}
\usepackage{citekit}
\usepackage{hyperref}
\begin{document}
First \cite[p.~3]{nist2020mep}. Again \cite[p.~5]{nist2020mep}. Same \cite[p.~5]{nist2020mep}, and other
\cite{crs2019mep}.

Back to \cite{nist2020mep}, then \citet{crs2019mep} says so.\footnote{As \citet{nist2020mep} argues, see also
\cite[chap.~2]{crs2019mep}.} Last \cite[see][12--15]{congress2021nsf}.\footnote{\cite{gatech2014incubator}.}
\bibliographystyle{STYLE}
\bibliography{refs}
\end{document}
"""


def test_note_style_footnotes_ibid_and_short_forms(tmp_path: Path) -> None:
    text, _ = build_sty(tmp_path, NOTES.replace("STYLE", "note.csl"), files={"note.csl": HERE / "note.csl"})
    # citations become footnotes, the punctuation before the mark; the author's footnotes count
    assert text.startswith("First.1 Again.2 Same,3 and other.4 Back to,5 then Congressional Research Service6 "
                           "says so.7 Last.89 References")
    nist = "National Institute of Standards and Technology, MEP National Network: Meeting the Challenge"
    assert f"1 {nist}, (2020), p. 3. 2 Ibid., p. 5. 3 Ibid. 4 Congressional Research Service," in text
    assert f"5 {nist}. 6 The Manufacturing Extension Partnership Program." in text  # subsequent: short
    # in the author's footnote: the author in the text, the second citation in parentheses
    assert (f"7 As {nist} argues, see also (Congressional Research Service, The Manufacturing Extension "
            "Partnership Program, chap. 2).") in text
    assert "8 See United States Congress, National Science Foundation for the Future Act, (2021), pp. 12\u201315." \
        in text
    assert "9 Georgia Tech Enterprise Innovation Institute (EI2), Manufacturing Incubator Feasibility, (2014). " \
        in text  # one period, not two
    refs = text.split("References", 1)[1]
    assert refs.index("Congressional Research Service. The Manufacturing") < refs.index("National Institute")


def test_chicago_notes_bibliography(tmp_path: Path) -> None:
    style = SHARED / "csl" / "styles" / "chicago-notes-bibliography.csl"
    if not style.is_file():
        pytest.skip("../shared/csl/styles/chicago-notes-bibliography.csl is not here")
    text, _ = build_sty(tmp_path, NOTES.replace("STYLE", "chicago.csl"), files={"chicago.csl": style})
    assert text.startswith("First.1 Again.2 Same,3 and other.4")
    nist = "National Institute of Standards and Technology, MEP National Network: Meeting the Challenge"
    assert f"1 {nist} (2020), 3, https://www.nist.gov/" in text  # the full first note
    assert f"2 {nist}, 5." in text  # Chicago 18 writes the short form rather than ibid.
    assert f"5 {nist}." in text


def test_cjk_under_xelatex(tmp_path: Path) -> None:
    fonts_tex = cjk_fonts()
    source = r"""\documentclass{article}
FONTS
\usepackage{citekit}
\begin{document}
中文引用\cite{sun2021development,molnar2025china}。页码\cite[5]{sun2021development}。
\bibliographystyle{gb-t-7714-2015-numeric}
\bibliography{refs}
\end{document}
"""
    text, _ = build_sty(tmp_path, source.replace("FONTS", fonts_tex), engine="xelatex")
    assert text.startswith("中文引用[1-2]。页码[1]5 。") or text.startswith("中文引用[1-2]。页码[1]5。")
    assert "[1] 孙毅, 罗穆雄. 美国智能制造的发展及启示[J]. 中国科学院院刊, 2021, 36(11)." in text


def test_latexmk_needs_one_latex_run_after_citekit(tmp_path: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    (tmp_path / "paper.tex").write_text(PAPER.replace("STYLE", "gb-t-7714-2015-numeric"), encoding="utf-8")
    shutil.copy(LIBRARY, tmp_path / "refs.bib")
    assert citekit_latex("--sty", "paper", cwd=tmp_path).returncode == 0
    python = sys.executable.replace("'", "")
    (tmp_path / "latexmkrc").write_text(
        "$pdf_mode = 1;\n"
        f"$bibtex = '{python} -m citekit.latex %O %B';\n"
        "$bibtex_silent_switch = '--quiet';\n", encoding="utf-8")
    proc = subprocess.run(["latexmk", "-outdir=build", "paper"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert "Run number 2 of rule 'pdflatex'" in log and "Run number 3 of rule 'pdflatex'" not in log
    assert pdf_text(tmp_path, "build/paper.pdf").startswith("The act [1] created the network [2-4]. MEP [5]12")
    again = subprocess.run(["latexmk", "-outdir=build", "paper"], capture_output=True, text=True, cwd=tmp_path,
                           timeout=900)
    assert "Nothing to do" in again.stdout + again.stderr  # the .aux is the same from run to run


def test_natbib_and_citekit_sty_together_is_an_error(tmp_path: Path) -> None:
    need("pdflatex")
    need_tex_file("natbib.sty")
    assert citekit_latex("--sty", "paper", cwd=tmp_path).returncode == 0
    (tmp_path / "paper.tex").write_text("\\documentclass{article}\\usepackage{natbib}\\usepackage{citekit}\n"
                                        "\\begin{document}x\\end{document}\n", encoding="utf-8")
    run = tex("pdflatex", tmp_path)
    assert run.returncode != 0 and "natbib is loaded: citekit.sty replaces it" in run.stdout


def test_stale_text_is_not_shown(tmp_path: Path) -> None:
    """A citation added before the others: numbers shift, so each old text is checked against its
    keys, and the citations print "?" (LaTeX's warning) until citekit latex runs again."""
    source = PAPER.replace("STYLE", "gb-t-7714-2015-numeric")
    build_sty(tmp_path, source)
    (tmp_path / "paper.tex").write_text(source.replace("The act", r"Intro \cite{pcast2014accelerating}. The act"),
                                        encoding="utf-8")
    run = tex("pdflatex", tmp_path)
    assert run.returncode == 0
    assert pdf_text(tmp_path).startswith("Intro ?. The act ? created the network ?.")
    assert "Citation `pcast2014accelerating' on page 1 undefined" in (tmp_path / "paper.log").read_text(
        encoding="utf-8", errors="replace")
    assert citekit_latex("paper", cwd=tmp_path).returncode == 0
    assert tex("pdflatex", tmp_path).returncode == 0
    assert pdf_text(tmp_path).startswith("Intro [1]. The act [2] created the network [3-5].")


def test_include_and_includeonly_keep_the_numbers(tmp_path: Path) -> None:
    """Chapters in their own .aux files: citations and footnotes keep their numbers when only one
    chapter is compiled again."""
    (tmp_path / "ch1.tex").write_text("A \\cite{nist2020mep}. B \\cite[5]{nist2020mep}.\n", encoding="utf-8")
    (tmp_path / "ch2.tex").write_text("C \\cite[5]{nist2020mep}. D \\cite{crs2019mep}.\n", encoding="utf-8")
    source = ("\\documentclass{article}\n\\usepackage{citekit}\nONLY\n\\begin{document}\n\\include{ch1}\n"
              "\\include{ch2}\n\\bibliographystyle{note.csl}\n\\bibliography{refs}\n\\end{document}\n")
    text, _ = build_sty(tmp_path, source.replace("ONLY", ""), files={"note.csl": HERE / "note.csl"})
    assert text.startswith("A.1 B.2 ") and "C.3 D.4" in text and "2 Ibid., p. 5. " in text
    assert "3 Ibid. 4 Congressional Research Service, The Manufacturing" in text  # the same page: ibid
    (tmp_path / "paper.tex").write_text(source.replace("ONLY", "\\includeonly{ch2}"), encoding="utf-8")
    assert tex("pdflatex", tmp_path).returncode == 0
    assert pdf_text(tmp_path).startswith("C.3 D.4 3 Ibid. 4 Congressional")
