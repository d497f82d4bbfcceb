"""citekit-pandoc end to end: real pandoc runs the filter on the documents in this folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
WRAPPER = HERE / "citekit-pandoc.sh"


def pandoc(doc: str, to: str, *args: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
    """pandoc DOC --filter citekit-pandoc -t TO, in this folder (bibliography paths are relative);
    DOC "-" reads ``text``."""
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed")
    env = {**os.environ, "CITEKIT_PYTHON": sys.executable}
    return subprocess.run(["pandoc", doc, "--filter", str(WRAPPER), "-t", to, "--wrap=none", *args],
                          cwd=HERE, env=env, input=text, capture_output=True, text=True, timeout=120)


def ok(doc: str, to: str, *args: str, text: str | None = None) -> tuple[str, str]:
    result = pandoc(doc, to, *args, text=text)
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


# --- numeric: GB/T 7714-2015 -------------------------------------------------------------------


def test_numeric_combined_ranged_and_locator() -> None:
    out, err = ok("numeric.md", "plain")
    assert "Combined [1-3]." in out
    assert "Two consecutive [2-3]." in out  # GB/T 10.1.2: two numbers already form a range
    assert "Again [1]." in out
    assert err == ""
    html, _ = ok("numeric.md", "html")
    # GB/T's "[1]33": the pages after the brackets, superscript
    assert 'role="doc-biblioref">1</a>]<sup>33</sup></span>.' in html
    assert 'role="doc-biblioref">4</a>]<sup>3-5</sup></span> agrees' in html


def test_numeric_bibliography_under_its_title() -> None:
    out, _ = ok("numeric.md", "plain")
    body, refs = out.split("参考文献")
    assert "[1] ROSS R, MCEVILLEY M, OREN J C. Systems Security Engineering" in refs
    assert "[3] 孙毅, 罗穆雄. 美国智能制造的发展及启示[J]. 中国科学院院刊, 2021, 36(11): 1316-1325." in refs
    assert "[4] National Institute of Standards and Technology. Manufacturing Extension Partnership[EB/OL]" in refs
    assert "DOE" not in body


def test_numeric_links_to_entries() -> None:
    html, _ = ok("numeric.md", "html")
    assert '<h1 class="unnumbered" id="bibliography">参考文献</h1>' in html
    assert 'id="ref-ross2016" class="csl-entry"' in html
    assert '[<a href="#ref-ross2016" role="doc-biblioref">1</a>-<a href="#ref-sun2021"' in html
    assert '<a href="https://doi.org/10.6028/NIST.SP.800-160">' in html  # DOIs are links
    assert '<div class="csl-left-margin">[1] </div>' in html


def test_numeric_latex() -> None:
    tex, _ = ok("numeric.md", "latex")
    assert r"\protect\hyperlink{ref-ross2016}{1}{]}\textsuperscript{33}" in tex


def test_in_text_cite_in_a_numeric_style_is_the_number() -> None:
    out, _ = ok("numeric.md", "plain")
    assert "As [2] shows" in out  # as pandoc's citeproc: a numeric style prints no author


# --- author-date: GB/T 7714-2015 著者-出版年制 ---------------------------------------------------


def test_author_date_in_text_and_suppress_author() -> None:
    out, err = ok("author-date.md", "plain")
    html, _ = ok("author-date.md", "html")
    assert 'data-cites="doe2020">DOE (2020)<sup>12</sup></span> shows it' in html  # @doe2020 [p. 12]
    assert "and (2020)." in out  # [-@doe2020]
    assert "(SMITH, 2019b; SMITH, 2019a)" in out  # year suffixes across a CSL-JSON file
    assert "(see 孙毅 等, 2021, emphasis added)" in out


def test_author_date_refs_div_nocite_and_unknown_key() -> None:
    result = pandoc("author-date.md", "plain")
    assert result.returncode == 0
    out = result.stdout
    # the bibliography fills the #refs Div, before the appendix
    assert out.index("DOE J, 2020. A Book about Manufacturing[M]") < out.index("Appendix")
    assert "National Institute of Standards and Technology, 2024." in out  # nocite
    assert "(ROSS et al., 2016) ???" in out
    warnings = result.stderr.strip().splitlines()
    assert warnings == ["[WARNING] citekit-pandoc: citation missing not found "
                        "(citation 5, '[@missing; @ross2016]', in section 'Introduction')"]


def test_suppress_bibliography() -> None:
    out, _ = ok("author-date.md", "plain", "-M", "suppress-bibliography=true")
    assert "A Book about Manufacturing" not in out
    assert "DOE (2020)" in out


def test_nocite_everything() -> None:
    doc = "---\nbibliography: [refs.bib, refs.json]\nnocite: '@*'\n---\n\nOnly [@sun2021].\n"
    out, _ = ok("-", "plain", text=doc)
    assert out.startswith("Only [1].")  # cited items are numbered first
    refs = out.split("\n\n")[1:]
    assert [r[:3] for r in refs] == ["[1]", "[2]", "[3]", "[4]", "[5]", "[6]"]
    assert "SMITH A. Counting Machines" in out


# --- a note style: footnotes, ibid ------------------------------------------------------------


def test_note_style_footnotes_and_ibid() -> None:
    out, _ = ok("note.md", "plain")
    assert out.startswith("First.[1] Again.[2] Same,[3] and other.[4]")
    assert "[1] John Doe, A Book about Manufacturing, (Example Press 2020), p. 3." in out
    assert "[2] Ibid., p. 5." in out
    assert "[3] Ibid." in out
    assert "[5] Doe, A Book about Manufacturing." in out  # subsequent: the short form


def test_note_style_citations_inside_footnotes() -> None:
    out, _ = ok("note.md", "plain")
    # the author's own footnote keeps its number; its citations are not nested notes
    assert "[7] As John Doe, A Book about Manufacturing argues, see also (Ross, McEvilley, and Oren, " \
           "Systems Security Engineering, chap. 2)." in out
    md, _ = ok("note.md", "markdown-citations")
    assert "then Ron Ross, Michael McEvilley, and Janet Carrier Oren[^6] says so.[^7]" in md
    assert "[^2]: Ibid., p. 5." in md


# --- errors -----------------------------------------------------------------------------------


def _one_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("citekit-pandoc:")]
    assert len(ours) == 1 and text in ours[0], result.stderr
    assert "Traceback" not in result.stderr


def test_missing_bibliography_stops_pandoc() -> None:
    _one_error(pandoc("numeric.md", "plain", "-M", "bibliography=nosuch.bib"),
               "citekit-pandoc: nosuch.bib: bibliography file not found")


def test_bad_style_stops_pandoc(tmp_path: Path) -> None:
    _one_error(pandoc("numeric.md", "plain", "-M", "csl=no-such-style"), "unknown style 'no-such-style'")
    bad = tmp_path / "bad.csl"
    bad.write_text('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text">\n'
                   '<citation><layout><text macro="nope"/></layout></citation></style>\n', encoding="utf-8")
    _one_error(pandoc("numeric.md", "plain", "-M", f"csl={bad}"), f"{bad}:2:")


def test_not_json_is_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "citekit.pandoc", "html"], input="not json",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("citekit-pandoc: <stdin>: ")


# --- a paper citing the bundled library -------------------------------------------------------

PAPER_KEYS = ["congress2014revitalize", "eop2013network", "gatech2014incubator", "crs2019mep", "nist2020mep",
              "nstc2018strategy", "sun2021development"]


@pytest.mark.parametrize(("style", "text"), [
    ("gb-t-7714-2015-numeric", "The act [1] created the network [2-4]. MEP [5]¹² and [4]³⁻⁵ describe it; "
                               "see also [5-6] and [7]."),
    ("nist", "The act [1] created the network [2–4]. MEP [5] and [4] describe it; see also [5, 6] and [7]."),
])
def test_paper_entries_match_citekit_format(style: str, text: str) -> None:
    from citekit import format_bibliography, read_library

    out, err = ok("paper.md", "plain", "-M", f"csl={style}")
    assert err == ""
    body, refs = out.split("\n参考文献\n")
    assert body.strip() == text
    items = read_library([HERE.parent.parent / "library"]).items(PAPER_KEYS)
    assert refs.strip().split("\n\n") == format_bibliography(items, style, "text")
