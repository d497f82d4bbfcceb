"""citekit-pandoc's parts without pandoc: locators, the engine's HTML as inlines, AST versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citekit.csl.locale import load_locale
from citekit.pandoc import ast
from citekit.pandoc.filter import process_document
from citekit.pandoc.inlines import from_html, to_rich
from citekit.pandoc.locator import locator_map, parse_locator
from citekit.render.engine import load_style

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def terms() -> dict[str, str]:
    return locator_map(load_locale(load_style("nist"), "en-US"))


def words(text: str) -> list[dict[str, Any]]:
    """A suffix as pandoc's Markdown reader gives it (no-break space after an abbreviation)."""
    return ast.text_inlines(text)


@pytest.mark.parametrize(("suffix", "label", "locator", "rest"), [
    (", p.\u00a033", "page", "33", ""),
    (", p. 33", "page", "33", ""),
    (", chap. 2", "chapter", "2", ""),
    (", pp. 3-5", "page", "3-5", ""),
    (", pp. 3-5, 7, emphasis added", "page", "3-5, 7", ", emphasis added"),
    (", 33", "page", "33", ""),
    (", sec. 2.3", "section", "2.3", ""),
    (", fig. 4(a)", "figure", "4(a)", ""),
    (", p. xiv", "page", "xiv", ""),
    (", vol. 3, p. 7", "volume", "3", ", p. 7"),
    ("{ii, A, D-Z}", "page", "ii, A, D-Z", ""),
    ("{chap. the end}", "chapter", "the end", ""),
    (", emphasis added", None, None, ", emphasis added"),
    (" foo", None, None, " foo"),
    ("foo", None, None, ", foo"),
])
def test_locator(terms: dict[str, str], suffix: str, label: str | None, locator: str | None, rest: str) -> None:
    parsed = parse_locator(words(suffix), terms)
    assert (parsed.label, parsed.locator) == (label, locator)
    assert ast.stringify(parsed.suffix) == rest


def test_locator_keeps_formatting_in_the_rest(terms: dict[str, str]) -> None:
    parsed = parse_locator([*words(", p. 3, "), ast.el("Emph", [ast.str_("passim")])], terms)
    assert parsed.locator == "3"
    assert to_rich(parsed.suffix) == ", <i>passim</i>"


def test_html_to_inlines() -> None:
    got = from_html('<i>Title &#38; more</i>, <span style="font-variant:small-caps;">sc</span> '
                    '<a href="https://doi.org/10.1/x">10.1/x</a><sup>33</sup>')
    assert got == [
        ast.el("Emph", [ast.str_("Title"), ast.space(), ast.str_("&"), ast.space(), ast.str_("more")]),
        ast.str_(","), ast.space(), ast.el("SmallCaps", [ast.str_("sc")]), ast.space(),
        ast.link([ast.str_("10.1/x")], "https://doi.org/10.1/x"), ast.el("Superscript", [ast.str_("33")]),
    ]
    block = from_html('\n    <div class="csl-left-margin">[1]</div><div class="csl-right-inline">Body</div>\n  ')
    assert block == [ast.span([ast.str_("[1]")], ["csl-left-margin"]), ast.span([ast.str_("Body")], ["csl-right-inline"])]


def _doc(version: list[int], blocks: list[Any]) -> dict[str, Any]:
    meta = {"bibliography": {"t": "MetaInlines", "c": [ast.str_("refs.bib")]},
            "csl": {"t": "MetaInlines", "c": [ast.str_("gb-t-7714-2015-numeric")]}}
    return {"pandoc-api-version": version, "meta": meta, "blocks": blocks}


def _cite(key: str, suffix: list[Any] | None = None) -> dict[str, Any]:
    citation = {"citationId": key, "citationPrefix": [], "citationSuffix": suffix or [],
                "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1, "citationHash": 0}
    return ast.el("Cite", [[citation], [ast.str_(f"[@{key}]")]])


@pytest.mark.parametrize("version", [[1, 22, 2, 1], [1, 23, 1]])
def test_api_versions(version: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    blocks: list[Any] = [ast.para([ast.str_("See"), ast.space(), _cite("doe2020", words(", p. 4"))])]
    if version[1] >= 23:  # 1.23's Figure block: the walk finds a Cite in its caption and body
        caption = [None, [ast.el("Plain", [_cite("ross2016")])]]
        blocks.append(ast.el("Figure", [ast.attr("fig"), caption, [ast.para([_cite("doe2020")])]]))
    doc = process_document(_doc(version, blocks), lambda message: pytest.fail(message))
    assert doc["pandoc-api-version"] == version
    cites = []
    ast.walk_cites(doc["blocks"], lambda c, _n: cites.append(ast.stringify(c["c"][1])))
    assert cites[0] == "[1]4"
    if version[1] >= 23:
        assert cites[1:] == ["[2]", "[1]"]
    assert doc["blocks"][-1]["c"][0][0] == "refs"


def test_old_api_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported pandoc API version 1.20"):
        process_document(_doc([1, 20], []), print)


def test_input_files_from_pandoc_command_lines() -> None:
    from citekit.pandoc.source import input_files

    argv = ["pandoc", "-o", "out.html", "a.md", "--filter", "citekit-pandoc", "-Mlang=de", "--csl=x.csl",
            "-s", "b.md", "-M", "k=v", "--bibliography", "r.bib", "-t", "html", "--", "-c.md"]
    assert input_files(argv) == (["a.md", "b.md", "-c.md"], None)
    assert input_files(["pandoc", "-f", "markdown+smart", "paper.txt"]) == (["paper.txt"], "markdown+smart")
    assert input_files(["pandoc", "--from=latex", "-"]) == (["-"], "latex")


def test_source_lines_follow_footnote_definitions(tmp_path: Path) -> None:
    from citekit.pandoc.source import document_sources

    paper = tmp_path / "p.md"
    paper.write_text("---\ntitle: t\nnocite: '@a'\n---\n\nSee @a.[^1] And @a.\n\n[^1]: In a note, @a\n"
                     "    and @b, indented.\n\n```\n@a in code\n```\n", encoding="utf-8")
    lines = document_sources(["pandoc", str(paper), "-o", "x.html"])
    assert lines is not None
    # document order: the text's @a, the note's @a and @b (pandoc puts the note at its mark), then the text's
    assert [str(lines.take("a", False)), str(lines.take("a", True)), str(lines.take("b", True))] == [
        f"{paper}:6", f"{paper}:8", f"{paper}:9"]
    assert str(lines.take("a", False)) == f"{paper}:6"
    assert document_sources(["pandoc", "-f", "latex", str(paper)]) is None
    assert document_sources(["pandoc", "-"]) is None
