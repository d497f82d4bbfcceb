"""citekit-pandoc end to end: real pandoc runs the filter on the documents in this folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
WRAPPER = HERE / "citekit-pandoc.sh"

SHARED = HERE.parents[2] / "shared"  # reference material next to the repository (may be absent)
PANDOC3_CACHE = Path.home() / ".cache" / "citekit-bench" / "pandoc3" / "pandoc"


def _version(binary: str) -> tuple[int, int] | None:
    """(major, minor) from ``BINARY --version``; None when it does not run."""
    try:
        first = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"pandoc(?:\.exe)? (\d+)\.(\d+)", first)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _candidates() -> list[Any]:
    """Every pandoc to run the tests with: the system one, and a pandoc 3.x from ``$CITEKIT_PANDOC3`` or
    ``~/.cache/citekit-bench/pandoc3/pandoc`` (benchmarks/get_pandoc3.py puts one there). Issue 9 asks
    for both JSON API 1.22 (pandoc 2.17, Debian 12) and 1.23 (pandoc 3.x); a missing one skips."""
    params = []
    seen: set[str] = set()
    pandoc3 = os.environ.get("CITEKIT_PANDOC3") or (str(PANDOC3_CACHE) if PANDOC3_CACHE.exists() else None)
    for label, binary in (("system", shutil.which("pandoc")), ("pandoc-3.x", pandoc3)):
        found = _version(binary) if binary else None
        if binary is None or found is None:
            why = ("pandoc is not installed" if label == "system" else
                   "no pandoc 3.x (set CITEKIT_PANDOC3, or run benchmarks/get_pandoc3.py)")
            if binary is not None:
                why = f"{binary} does not run"
            missing = "pandoc-missing" if label == "system" else "pandoc-3.x-missing"
            params.append(pytest.param(None, id=missing, marks=pytest.mark.skip(reason=why)))
            continue
        real = os.path.realpath(binary)
        major, minor = found
        if label != "system" and (major < 3 or real in seen):
            why = f"{binary} is pandoc {major}.{minor}" + (", the system one" if real in seen else ", not 3.x")
            params.append(pytest.param(None, id="pandoc-3.x-missing", marks=pytest.mark.skip(reason=why)))
            continue
        seen.add(real)
        params.append(pytest.param((binary, found), id=f"pandoc-{major}.{minor}" if major < 3 else f"pandoc-{major}.x"))
    return params


class Pandoc:
    """One pandoc binary running the filter, in this folder (bibliography paths are relative)."""

    def __init__(self, binary: str, version: tuple[int, int]) -> None:
        self.binary = binary
        self.version = version

    def run(self, doc: str, to: str, *args: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
        """pandoc DOC --filter citekit-pandoc -t TO; DOC "-" reads ``text``."""
        env = {**os.environ, "CITEKIT_PYTHON": sys.executable}
        return subprocess.run([self.binary, doc, "--filter", str(WRAPPER), "-t", to, "--wrap=none", *args],
                              cwd=HERE, env=env, input=text, capture_output=True, text=True, timeout=120)

    def ok(self, doc: str, to: str, *args: str, text: str | None = None) -> tuple[str, str]:
        """As ``run``, asserting success: (stdout, stderr)."""
        result = self.run(doc, to, *args, text=text)
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr


@pytest.fixture(params=_candidates(), scope="module")
def pd(request: pytest.FixtureRequest) -> Pandoc:
    """Each available pandoc in turn (ids from ``pandoc --version``: pandoc-2.17, pandoc-3.x)."""
    return Pandoc(*request.param)


# --- numeric: GB/T 7714-2015 -------------------------------------------------------------------


def test_numeric_combined_ranged_and_locator(pd: Pandoc) -> None:
    out, err = pd.ok("numeric.md", "plain")
    assert "Combined [1-3]." in out
    assert "Two consecutive [2-3]." in out  # GB/T 10.1.2: two numbers already form a range
    assert "Again [1]." in out
    assert err == ""
    html, _ = pd.ok("numeric.md", "html")
    # GB/T's "[1]33": the pages after the brackets, superscript
    assert 'role="doc-biblioref">1</a>]<sup>33</sup></span>.' in html
    assert 'role="doc-biblioref">4</a>]<sup>3-5</sup></span> agrees' in html


def test_numeric_bibliography_under_its_title(pd: Pandoc) -> None:
    out, _ = pd.ok("numeric.md", "plain")
    body, refs = out.split("参考文献")
    assert "[1] ROSS R, MCEVILLEY M, OREN J C. Systems Security Engineering" in refs
    assert "[3] 孙毅, 罗穆雄. 美国智能制造的发展及启示[J]. 中国科学院院刊, 2021, 36(11): 1316-1325." in refs
    assert "[4] National Institute of Standards and Technology. Manufacturing Extension Partnership[EB/OL]" in refs
    assert "DOE" not in body


def test_numeric_links_to_entries(pd: Pandoc) -> None:
    html, _ = pd.ok("numeric.md", "html")
    assert '<h1 class="unnumbered" id="bibliography">参考文献</h1>' in html
    assert 'id="ref-ross2016" class="csl-entry"' in html
    assert '[<a href="#ref-ross2016" role="doc-biblioref">1</a>-<a href="#ref-sun2021"' in html
    assert '<a href="https://doi.org/10.6028/NIST.SP.800-160">' in html  # DOIs are links
    assert '<div class="csl-left-margin">[1] </div>' in html


def test_numeric_latex(pd: Pandoc) -> None:
    tex, _ = pd.ok("numeric.md", "latex")
    # the filter writes the same Link to #ref-KEY for both; pandoc 3's LaTeX writer turns it into its own
    # \citeproc macro (defined by its template, resolved over two LaTeX runs), as it does for --citeproc
    link = r"\citeproc{ref-ross2016}{1}" if pd.version >= (3, 0) else r"\protect\hyperlink{ref-ross2016}{1}"
    assert link + r"{]}\textsuperscript{33}" in tex


def test_figure_caption_is_cited_once(pd: Pandoc) -> None:
    # API 1.23 (pandoc 3) has a Figure block whose caption repeats in the image's alt text; 1.22 has only
    # the alt of an Image titled "fig:". Either way the citation is one cite, numbered once.
    doc = "---\nbibliography: refs.bib\ncsl: nist\n---\n\n![Setup, after [@ross2016]](x.png)\n\nSee [@doe2020].\n"
    html, err = pd.ok("-", "html", text=doc)
    assert err == ""
    assert '<img src="x.png" alt="Setup, after [1]" />' in html
    assert 'Setup, after <span class="citation" data-cites="ross2016">[1]</span></figcaption>' in html
    assert '<p>See <span class="citation" data-cites="doe2020">[2]</span>.</p>' in html
    assert "@ross2016" not in html


def test_in_text_cite_in_a_numeric_style_is_the_number(pd: Pandoc) -> None:
    out, _ = pd.ok("numeric.md", "plain")
    assert "As [2] shows" in out  # as pandoc's citeproc: a numeric style prints no author


# --- author-date: GB/T 7714-2015 著者-出版年制 ---------------------------------------------------


def test_author_date_in_text_and_suppress_author(pd: Pandoc) -> None:
    out, err = pd.ok("author-date.md", "plain")
    html, _ = pd.ok("author-date.md", "html")
    assert 'data-cites="doe2020">DOE (2020)<sup>12</sup></span> shows it' in html  # @doe2020 [p. 12]
    assert "and (2020)." in out  # [-@doe2020]
    assert "(SMITH, 2019b; SMITH, 2019a)" in out  # year suffixes across a CSL-JSON file
    assert "(see 孙毅 等, 2021, emphasis added)" in out


def test_author_date_refs_div_nocite_and_unknown_key(pd: Pandoc) -> None:
    result = pd.run("author-date.md", "plain")
    assert result.returncode == 0
    out = result.stdout
    # the bibliography fills the #refs Div, before the appendix
    assert out.index("DOE J, 2020. A Book about Manufacturing[M]") < out.index("Appendix")
    assert "National Institute of Standards and Technology, 2024." in out  # nocite
    assert "(ROSS et al., 2016) ???" in out
    warnings = result.stderr.strip().splitlines()
    assert warnings == ["[WARNING] citekit-pandoc: author-date.md:10: citation missing not found "
                        "(citation 5, '[@missing; @ross2016]', in section 'Introduction')"]


def test_unknown_keys_at_their_lines(pd: Pandoc) -> None:
    result = pd.run("unknown.md", "plain")
    assert result.returncode == 0
    assert result.stdout.startswith("Text cites ??? here.[1] And [1].\n\nLater ???.")
    # the footnote's cite comes second in the document, but is written last (line 10)
    assert result.stderr.strip().splitlines() == [
        "[WARNING] citekit-pandoc: unknown.md:6: citation nokey not found (citation 1, '@nokey')",
        "[WARNING] citekit-pandoc: unknown.md:10: citation nokey not found (citation 2, '[@nokey, p. 3]')",
        "[WARNING] citekit-pandoc: unknown.md:8: citation nokey not found (citation 4, '[@nokey]')"]


def test_unknown_key_from_stdin_has_no_line(pd: Pandoc) -> None:
    text = (HERE / "unknown.md").read_text(encoding="utf-8")
    result = pd.run("-", "plain", text=text)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == \
        "[WARNING] citekit-pandoc: citation nokey not found (citation 1, '@nokey')"


def test_suppress_bibliography(pd: Pandoc) -> None:
    out, _ = pd.ok("author-date.md", "plain", "-M", "suppress-bibliography=true")
    assert "A Book about Manufacturing" not in out
    assert "DOE (2020)" in out


def test_nocite_everything(pd: Pandoc) -> None:
    doc = "---\nbibliography: [refs.bib, refs.json]\nnocite: '@*'\n---\n\nOnly [@sun2021].\n"
    out, _ = pd.ok("-", "plain", text=doc)
    assert out.startswith("Only [1].")  # cited items are numbered first
    refs = out.split("\n\n")[1:]
    assert [r[:3] for r in refs] == ["[1]", "[2]", "[3]", "[4]", "[5]", "[6]"]
    assert "SMITH A. Counting Machines" in out


# --- inline references (CSL YAML in the metadata) -------------------------------------------------


def _nist() -> str:
    from citekit.styles import resolve_style

    return str(resolve_style("nist"))  # plain CSL 1.0.2: pandoc's citeproc runs it as it is


def test_inline_references_as_pandoc_citeproc_reads_them(pd: Pandoc) -> None:
    # pandoc's own --citeproc is the oracle: the same document, the same style, the same text
    ours, err = pd.ok("inline-refs.md", "plain", "-M", f"csl={_nist()}")
    theirs = subprocess.run([pd.binary, "inline-refs.md", "--citeproc", "-M", f"csl={_nist()}", "-t", "plain",
                             "--wrap=none"], cwd=HERE, capture_output=True, text=True, timeout=120, check=True)
    assert err == ""
    assert ours == theirs.stdout
    # an inline item wins over the bibliography file's item with the same id
    assert "[2] Doe J (2019) The Inline Version. (Inline Press)" in ours
    html, _ = pd.ok("inline-refs.md", "html", "-M", f"csl={_nist()}")
    assert "A <em>Study</em> of “Quotes” and H<sub>2</sub>O. <em>Journal of Things</em> 12:3–9." in html


def test_inline_references_without_a_bibliography_and_nocite_all(pd: Pandoc) -> None:
    doc = ("---\nnocite: '@*'\nbibliography: refs.json\ncsl: nist\nreferences:\n- id: inl\n  type: book\n"
           "  title: Inline Only\n  issued: 2001\n- title: No id\n...\n\nSee [@inl].\n")
    out, err = pd.ok("-", "plain", text=doc)
    assert err == "[WARNING] citekit-pandoc: references item 2 has no id; it is left out\n"
    # pandoc's order for '@*': the files' items, then the inline ones (numbered after the cited one)
    assert [p[:24] for p in out.split("\n\n")] == [
        "See [1].", "[1] Inline Only (2001)", "[2] Smith A (2019) Measu", "[3] Smith A (2019) Count"]
    alone, err = pd.ok("-", "plain", text=doc.replace("bibliography: refs.json\n", ""))
    assert alone.startswith("See [1].\n\n[1] Inline Only (2001)")


def test_csl_yaml_bibliography_and_the_later_file_wins(pd: Pandoc) -> None:
    doc = "---\nbibliography: refs.yaml\n---\n\nSee [@lee2022] and [@doe2020].\n"
    ours, err = pd.ok("-", "plain", "-M", f"csl={_nist()}", text=doc)
    theirs = subprocess.run([pd.binary, "--citeproc", "-M", f"csl={_nist()}", "-t", "plain", "--wrap=none"],
                            input=doc, cwd=HERE, capture_output=True, text=True, timeout=120, check=True).stdout
    assert err == "" and ours == theirs
    assert "[1] Lee M (2022) Measuring Small Factories. (Example Institute, Boston), TR-7" in ours
    html, _ = pd.ok("-", "html", "-M", f"csl={_nist()}", text=doc)
    assert "Measuring <em>Small</em> Factories" in html  # Markdown in a YAML value, as pandoc reads it
    # an id in two files: pandoc takes the later file's item
    both, _ = pd.ok("-", "plain", "-M", f"csl={_nist()}", text=doc.replace("refs.yaml", "[refs.yaml, refs.bib]"))
    assert "[2] Doe J (2020) A Book about Manufacturing." in both
    back, _ = pd.ok("-", "plain", "-M", f"csl={_nist()}", text=doc.replace("refs.yaml", "[refs.bib, refs.yaml]"))
    assert "[2] Doe J (2018) A Book from the YAML File" in back


def test_a_reference_the_engine_cannot_use_stops_pandoc(pd: Pandoc) -> None:
    doc = "---\nreferences:\n- id: bad\n  title: [one, two]\n...\n\nSee [@bad].\n"
    _one_error(pd.run("-", "plain", text=doc), "citekit-pandoc: metadata: references item 1: item 'bad': title")


# --- a note style: footnotes, ibid ------------------------------------------------------------


def test_note_style_footnotes_and_ibid(pd: Pandoc) -> None:
    out, _ = pd.ok("note.md", "plain")
    assert out.startswith("First.[1] Again.[2] Same,[3] and other.[4]")
    assert "[1] John Doe, A Book about Manufacturing, (Example Press 2020), p. 3." in out
    assert "[2] Ibid., p. 5." in out
    assert "[3] Ibid." in out
    assert "[5] Doe, A Book about Manufacturing." in out  # subsequent: the short form


def test_note_style_citations_inside_footnotes(pd: Pandoc) -> None:
    out, _ = pd.ok("note.md", "plain")
    # the author's own footnote keeps its number; its citations are not nested notes
    assert "[7] As John Doe, A Book about Manufacturing argues, see also (Ross, McEvilley, and Oren, " \
           "Systems Security Engineering, chap. 2)." in out
    md, _ = pd.ok("note.md", "markdown-citations")
    assert "then Ron Ross, Michael McEvilley, and Janet Carrier Oren[^6] says so.[^7]" in md
    assert "[^2]: Ibid., p. 5." in md


def test_lang_picks_the_locale(pd: Pandoc) -> None:
    # as pandoc's citeproc: the document's lang over the style's default locale (terms, "and", labels)
    out, _ = pd.ok("note.md", "plain", "-M", "lang=de-DE")
    theirs = subprocess.run([pd.binary, "note.md", "--citeproc", "-M", "lang=de-DE", "-t", "plain", "--wrap=none"],
                            cwd=HERE, capture_output=True, text=True, timeout=120, check=True).stdout
    for text in ("[2] Ebd., ", "McEvilley, und Janet Carrier Oren"):
        assert text in out and text in theirs
    # German authors write "S. 5"; English "p. 5" and "chap. 2" are understood too (pandoc's citeproc reads
    # only the document language's labels, and leaves ", p. 5" as a suffix)
    assert "[2] Ebd., S. 5." in out and "Kap. 2)." in out


# --- errors -----------------------------------------------------------------------------------


def _one_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("citekit-pandoc:")]
    assert len(ours) == 1 and text in ours[0], result.stderr
    assert "Traceback" not in result.stderr


def test_missing_bibliography_stops_pandoc(pd: Pandoc) -> None:
    _one_error(pd.run("numeric.md", "plain", "-M", "bibliography=nosuch.bib"),
               "citekit-pandoc: nosuch.bib: bibliography file not found")


def test_bad_style_stops_pandoc(pd: Pandoc, tmp_path: Path) -> None:
    _one_error(pd.run("numeric.md", "plain", "-M", "csl=no-such-style"), "unknown style 'no-such-style'")
    bad = tmp_path / "bad.csl"
    bad.write_text('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text">\n'
                   '<citation><layout><text macro="nope"/></layout></citation></style>\n', encoding="utf-8")
    _one_error(pd.run("numeric.md", "plain", "-M", f"csl={bad}"), f"{bad}:2:")


def test_the_console_script_as_the_issue_runs_it(pd: Pandoc) -> None:
    # pandoc paper.md --filter citekit-pandoc: the installed script, found on PATH
    script = Path(sys.executable).parent / "citekit-pandoc"
    if not script.is_file():
        pytest.skip("citekit-pandoc is not installed next to this Python (pip install -e .)")
    env = {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([pd.binary, "numeric.md", "--filter", "citekit-pandoc", "-t", "plain"], cwd=HERE, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Combined [1-3]." in result.stdout


def test_not_json_is_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "citekit.pandoc", "html"], input="not json",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("citekit-pandoc: <stdin>: ")


# --- a paper citing the bundled library -------------------------------------------------------
#
# paper.md cites library/*.bib in the text (``@key [pp. 3-5]``), combined and ranged ([2-4]; two consecutive
# numbers, [5-6]), with locators. What each style must print comes from the standards, not from today's
# output: GB/T 7714-2015 10.1.2 (numbers in brackets, consecutive numbers joined with "-", two of them
# included: "[255-256]"), 10.1.3 and 10.2.4 (the cited page superscript after the bracket or parenthesis:
# "[2]260", "(…, 1996)¹¹⁹⁴"), 10.2.2 ("(CRANE, 1972)", "(陈晋镳 等, 1980)", "(MYBURG et al., 2014)"; names
# of organisations are not capitalised, "American Association for the Advancement of Science"), and the
# NIST format (/work/shared/notes/nist-style.md 2.C.1: "[1]", "[1, 2]", ranges "[1–3]"; no locators).
# The entries must be what ``citekit format`` prints for the same style.

PAPER_KEYS = ["congress2014revitalize", "eop2013network", "gatech2014incubator", "crs2019mep", "nist2020mep",
              "nstc2018strategy", "sun2021development", "molnar2025china"]
PAPER_TEXT = {
    "gb-t-7714-2015-numeric": "The act [1] created the network [2-4]. MEP [5]¹² and [4]³⁻⁵ describe it; see also [5-6] "
                              "and [7]. China benchmarks its own centres [8].",
    "nist": "The act [1] created the network [2–4]. MEP [5] and [4] describe it; see also [5, 6] and [7]. "
            "China benchmarks its own centres [8].",
    "gb-t-7714-2015-author-date": (
        "The act (United States Congress, 2014) created the network (Executive Office of the President. National "
        "Science and Technology Council. Advanced Manufacturing National Program Office, 2013; Georgia Tech "
        "Enterprise Innovation Institute (EI2), 2014; Congressional Research Service, 2019). MEP (National "
        "Institute of Standards and Technology, 2020)¹² and Congressional Research Service (2019)³⁻⁵ describe it; "
        "see also (National Institute of Standards and Technology, 2020; National Science & Technology Council, "
        "2018) and (孙毅 等, 2021). China benchmarks its own centres (MOLNAR et al., 2025)."),
    "gb-t-7714-2025-author-date": (
        "The act （United States Congress，2014） created the network （Executive Office of the President. "
        "National Science and Technology Council. Advanced Manufacturing National Program Office，2013；Georgia "
        "Tech Enterprise Innovation Institute (EI2)，2014；Congressional Research Service，2019）. MEP （National "
        "Institute of Standards and Technology，2020）¹² and Congressional Research Service （2019）³⁻⁵ describe "
        "it; see also （National Institute of Standards and Technology，2020；National Science & Technology "
        "Council，2018） and （孙毅等，2021）. China benchmarks its own centres （Molnar et al.，2025）."),
}
PDF_FONT = "AR PL UMing CN"  # fonts-arphic-uming: Latin and CJK in one font, for xelatex


def _squash(text: str) -> str:
    """Text without what page layout changes: white space, hyphens (added at line breaks, and those of
    ranges), superscript forms (a PDF's superscript is plain digits)."""
    text = text.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
    return re.sub(r"[\s\-\u2010\u00ad]", "", text)


def _html_text(html: str) -> str:
    import html as html_module

    body = html.split("<body>", 1)[-1]
    body = re.sub(r"<(?:script|style)[^>]*>.*?</(?:script|style)>", "", body, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", body))


def _paper(pd: Pandoc, style: str, fmt: str, tmp_path: Path) -> str:
    """paper.md through the filter in ``fmt``, as text: plain as pandoc writes it; HTML without its tags;
    docx read back by pandoc; PDF (xelatex) read by pdftotext."""
    args = ["-M", f"csl={style}"]
    if fmt in ("plain", "html"):
        return pd.ok("paper.md", fmt, *args)[0]
    out = tmp_path / f"paper.{fmt}"
    if fmt == "pdf":
        for tool in ("xelatex", "pdftotext", "fc-list"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} is not installed")
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
        if PDF_FONT not in fonts:
            pytest.skip(f"the font {PDF_FONT} (fonts-arphic-uming) is not installed")
        args += ["--pdf-engine=xelatex", "-V", f"mainfont={PDF_FONT}"]
    if fmt == "pdf":
        # TeX writes logs (missfont.log) where it runs: there, not in this folder
        library = HERE.parent.parent / "library" / "us-manufacturing.bib"
        env = {**os.environ, "CITEKIT_PYTHON": sys.executable}
        result = subprocess.run([pd.binary, str(HERE / "paper.md"), "--filter", str(WRAPPER), "-M",
                                 f"bibliography={library}", *args, "-o", str(out)], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=300)
    else:
        result = pd.run("paper.md", fmt, *args, "-o", str(out))
    if fmt == "pdf" and result.returncode != 0:
        # pandoc's LaTeX template needs more of TeX Live than a minimal install has (lmodern, the
        # fonts hyperref uses under xelatex: texlive-fonts-recommended)
        missing = re.search(r"File `([^']+)' not found|Font \\?\S+=(\S+) .*not loadable", result.stderr)
        if missing:
            pytest.skip(f"TeX lacks {missing.group(1) or missing.group(2)} for pandoc's LaTeX template")
    assert result.returncode == 0, result.stderr
    assert "[WARNING]" not in result.stderr
    if fmt == "docx":
        return subprocess.run([pd.binary, str(out), "-t", "plain", "--wrap=none"], capture_output=True, text=True,
                              timeout=120, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, timeout=120,
                          check=True).stdout
    return re.sub(r"^\s*\d+\s*$", "", text.replace("\f", "\n"), flags=re.M)  # page numbers


@pytest.mark.parametrize("fmt", ["plain", "html", "docx", "pdf"])
@pytest.mark.parametrize("style", ["gb-t-7714-2015-numeric", "nist", "gb-t-7714-2015-author-date",
                                   "gb-t-7714-2025-author-date"])
def test_paper_reads_as_the_standard(pd: Pandoc, style: str, fmt: str, tmp_path: Path) -> None:
    from citekit import format_bibliography, read_library

    if (style, fmt) in (("gb-t-7714-2025-author-date", "docx"), ("gb-t-7714-2025-author-date", "pdf"),
                        ("gb-t-7714-2015-author-date", "pdf")):
        pytest.skip("the same writer is tested with the other styles (a PDF takes seconds)")
    items = read_library([HERE.parent.parent / "library"]).items(PAPER_KEYS)
    entries = format_bibliography(items, style, "text")
    out = _paper(pd, style, fmt, tmp_path)
    if fmt == "plain":
        body, refs = out.split("\n参考文献\n")
        assert body.strip() == PAPER_TEXT[style]
        assert refs.strip().split("\n\n") == entries
        return
    text = _squash(_html_text(out) if fmt == "html" else out)
    assert _squash(PAPER_TEXT[style]) in text
    assert "参考文献" in text
    # every entry, in citekit's order, after the text
    at = text.index(_squash(PAPER_TEXT[style]))
    for entry in entries:
        found = text.find(_squash(entry), at)
        assert found > at, entry
        at = found
    if fmt == "html":
        assert '<a href="#ref-congress2014revitalize" role="doc-biblioref">' in out  # link-citations
        assert 'href="https://doi.org/10.6028/NIST.AMS.600-17"' in out or "DOI" not in "".join(entries)


def _official_note_style() -> Path:
    csl = SHARED / "gbt7714" / "csl-official" / "china-national-standard-gb-t-7714-2015-note.csl"
    if not csl.is_file():
        pytest.skip(f"{csl} is not there (reference material outside the repository)")
    return csl


def test_paper_in_a_note_style_as_pandoc_citeproc_prints_it(pd: Pandoc, tmp_path: Path) -> None:
    """GB/T 7714-2015's note style (the official CSL): footnotes, 同上 (ibid), 同N (subsequent), an author in
    the text and a citation inside the author's own footnote, all as pandoc's --citeproc prints them from
    the same items (given to it as CSL-JSON, which its BibTeX reader would read otherwise)."""
    import json

    from citekit import read_library
    from citekit.render.engine import prepare

    csl = _official_note_style()
    data = tmp_path / "library.json"
    data.write_text(json.dumps([prepare(i) for i in read_library([HERE.parent.parent / "library"]).items()],
                               ensure_ascii=False), encoding="utf-8")
    ours, err = pd.ok("paper-note.md", "plain", "-M", f"csl={csl}")
    assert err == ""
    theirs = subprocess.run([pd.binary, "paper-note.md", "--citeproc", "-M", f"csl={csl}", "-M",
                             f"bibliography={data}", "-t", "plain", "--wrap=none"], cwd=HERE, capture_output=True,
                            text=True, timeout=120, check=True).stdout
    assert ours == theirs
    parts = ours.split("\n参考文献\n")[1].strip().split("\n\n")
    notes = parts[max(i for i, p in enumerate(parts) if p.startswith("[1] ")):]  # after the bibliography
    assert notes[2:5] == ["[3] 同上.", "[4] 同上: 14.", "[5] 同2."]  # ibid, ibid with locator, subsequent
    assert notes[-1] == "[8] 同1: 7."
    assert ours.startswith("The network was designed in 2013.[1] MEP describes it.[2] Again,[3] and further on,[4] "
                           "then in general.[5] CONGRESSIONAL RESEARCH SERVICE[6] agrees.[7] Back to the design.[8]")
    assert notes[6].startswith("[7] As 孙毅, 罗穆雄, 美国智能制造的发展及启示[J]. 中国科学院院刊, 2021, 36(11) shows, "
                               "see also (UNITED STATES CONGRESS. Revitalize American")
    # the footnotes survive a Word document
    docx = tmp_path / "paper-note.docx"
    pd.ok("paper-note.md", "docx", "-M", f"csl={csl}", "-o", str(docx))
    back = subprocess.run([pd.binary, str(docx), "-t", "plain", "--wrap=none"], capture_output=True, text=True,
                          timeout=120, check=True).stdout
    assert "[3] 同上." in back and "[8] 同1: 7." in back and "agrees.[7]" in back
