"""Real documents through pdflatex/xelatex with ``citekit latex`` in bibtex's place, read back with pdftotext."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.latex.conftest import LIBRARY, build, cjk_fonts, need, need_tex_file

NUMERIC = r"""\documentclass{article}
\usepackage[numbers,sort&compress,square]{natbib}
\usepackage{url}
\begin{document}
Three \cite{congress2014revitalize,congress2021innovation,congress2021nsf}.
Two \cite{congress2021innovation,congress2021nsf}.
Pair \cite{pcast2014accelerating,rudnitsky2019manufacturing}.
Apart \cite{congress2014revitalize,pcast2014accelerating}.
Again \cite{rudnitsky2019manufacturing}.
\bibliographystyle{STYLE}
\bibliography{refs}
\end{document}
"""


def test_gbt_numeric_compresses_runs_and_pairs(tmp_path: Path) -> None:
    text, _ = build(tmp_path, NUMERIC.replace("STYLE", "gb-t-7714-2015-numeric"))
    assert "Three [1-3]." in text
    assert "Two [2-3]." in text  # GB/T 7714 10.1.2: two consecutive numbers are a range
    assert "Pair [4-5]." in text
    assert "Apart [1, 4]." in text
    assert "Again [5]." in text  # numbers follow first citation
    assert "[1] United States Congress. Revitalize American Manufacturing" in text
    assert "[5] RUDNITSKY R G, MOLNAR M F, GAYLE F W." in text
    assert "https://www.congress.gov/bill/113th-congress/house-bill/2996/text" in text.replace("https: //", "https://")


def test_plain_numeric_style_keeps_natbib_rules(tmp_path: Path) -> None:
    """A style without citekit:collapse-min: natbib's own en dash, and a pair stays a pair."""
    text, _ = build(tmp_path, NUMERIC.replace("STYLE", "nist"))
    assert "Three [1\u20133]." in text
    assert "Two [2, 3]." in text
    assert "[1] Revitalize American Manufacturing and Innovation Act of 2014" in text


AUTHOR_DATE = r"""\documentclass{article}
\usepackage[authoryear,round]{natbib}
\usepackage{url}
\begin{document}
Textual \citet{congress2021nsf} and \citet{rudnitsky2019manufacturing}.
Paren \citep{gatech2014incubator}. Page \citep[p.~12]{molnar2025china}.
Both \citep{congress2021innovation,congress2021nsf}.
\bibliographystyle{gb-t-7714-2015-author-date}
\bibliography{refs}
\end{document}
"""


def test_author_date_citet_citep(tmp_path: Path) -> None:
    text, _ = build(tmp_path, AUTHOR_DATE)
    assert "Textual United States Congress (2021a) and RUDNITSKY et al. (2019)." in text
    # a "(" in a corporate name does not end natbib's author part
    assert "Paren (Georgia Tech Enterprise Innovation Institute (EI2), 2014)." in text
    assert "Page (MOLNAR et al., 2025, p. 12)." in text
    assert "Both (United States Congress, 2021b,a)." in text or "Both (United States Congress, 2021b, a)." in text
    assert "Georgia Tech Enterprise Innovation Institute (EI2), 2014. Manufacturing" in text


def test_unknown_key_and_special_characters(tmp_path: Path) -> None:
    """bibtex's warning for an unknown key, with the .aux line; TeX specials in fields print as text."""
    source = r"""\documentclass{article}
\usepackage[numbers,sort&compress,square]{natbib}
\begin{document}
Cite \cite{nstc2018strategy}. Missing \cite{nosuchkey}.
\bibliographystyle{gb-t-7714-2015-numeric}
\bibliography{refs}
\end{document}
"""
    text, stderr = build(tmp_path, source)  # no url package: the .bbl's fallback \url
    assert "Cite [1]. Missing [?]." in text.replace("[? ]", "[?]")
    assert "National Science & Technology Council." in text
    assert "https://trumpwhitehouse.archives.gov/wpcontent/uploads/2018/10/Advanced-Manufacturing-" in text
    assert "paper.aux:3: I didn't find a database entry for \"nosuchkey\"" in stderr


def test_a_key_that_would_break_out_is_rejected(tmp_path: Path) -> None:
    """A CSL-JSON id can hold anything; \\nocite{*} would write it: it is refused, never injected."""
    need("pdflatex", "pdftotext")
    need_tex_file("natbib.sty")
    evil = "b}\\end{thebibliography}\\input{/etc/hostname}%"
    items = [{"id": evil, "type": "webpage", "title": "Evil"},
             {"id": "fine", "type": "report", "title": "100% & #1 of a_b", "URL": "https://example.com/a_b%20c#f"}]
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    source = r"""\documentclass{article}
\usepackage[numbers]{natbib}
\usepackage{url}
\begin{document}
All\nocite{*} \cite{fine}.
\bibliographystyle{nist}
\bibliography{refs.json}
\end{document}
"""
    (tmp_path / "paper.tex").write_text(source, encoding="utf-8")
    from tests.latex.conftest import citekit_latex, tex

    assert tex("pdflatex", tmp_path).returncode == 0
    ck = citekit_latex("paper", cwd=tmp_path)
    assert ck.returncode == 2
    assert "cannot be a \\bibitem key (it contains '}')" in ck.stderr
    bbl = (tmp_path / "paper.bbl").read_text(encoding="utf-8")
    assert "/etc/hostname" not in bbl and "\\bibitem{fine}" in bbl
    assert "100\\% \\& \\#1 of a\\_b" in bbl and "\\url{https://example.com/a_b%20c#f}" in bbl
    for _ in range(2):
        assert tex("pdflatex", tmp_path).returncode == 0
    text = subprocess.run(["pdftotext", "paper.pdf", "-"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120).stdout
    assert "https://example.com/a_b%20c#f" in text


def test_cjk_under_xelatex(tmp_path: Path) -> None:
    fonts_tex = cjk_fonts()
    source = rf"""\documentclass{{article}}
{fonts_tex}
\usepackage[numbers,sort&compress,square]{{natbib}}
\usepackage{{url}}
\begin{{document}}
中文引用\cite{{sun2021development,molnar2025china}}。
\bibliographystyle{{gb-t-7714-2015-numeric}}
\bibliography{{refs}}
\end{{document}}
"""
    text, _ = build(tmp_path, source, engine="xelatex")
    assert "中文引用[1-2]。" in text
    assert "[1] 孙毅, 罗穆雄. 美国智能制造的发展及启示[J]. 中国科学院院刊, 2021, 36(11)." in text
    assert "[2] MOLNAR M, ROGERS K, GAYLE F, et al. China’s Manufacturing Innovation Centers" in text


def test_latexmk_runs_citekit_in_an_output_directory(tmp_path: Path) -> None:
    need("latexmk", "pdflatex", "pdftotext")
    need_tex_file("natbib.sty")
    (tmp_path / "paper.tex").write_text(NUMERIC.replace("STYLE", "gb-t-7714-2015-numeric"), encoding="utf-8")
    shutil.copy(LIBRARY, tmp_path / "refs.bib")
    python = sys.executable.replace("'", "")
    (tmp_path / "latexmkrc").write_text(
        "$pdf_mode = 1;\n"
        f"$bibtex = '{python} -m citekit.latex %O %B';\n"
        "$bibtex_silent_switch = '--quiet';\n", encoding="utf-8")
    proc = subprocess.run(["latexmk", "-silent", "-outdir=build", "paper"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (tmp_path / "build" / "paper.bbl").is_file() and (tmp_path / "build" / "paper.blg").is_file()
    text = subprocess.run(["pdftotext", "build/paper.pdf", "-"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120).stdout
    assert "Three [1-3]. Two [2-3]." in " ".join(text.split())
