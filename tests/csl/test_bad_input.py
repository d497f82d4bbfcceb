"""Hostile styles and CSL-JSON: a CitekitError naming the file (and line), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.csljson import read_csl_json
from citekit.errors import CitekitError
from citekit.render import format_bibliography, format_citation

NS = 'xmlns="http://purl.org/net/xbiblio/csl"'
GOOD_BIB = '<bibliography><layout><names variable="author"/><text variable="title" prefix=" "/></layout></bibliography>'


def style(body: str, attrs: str = 'class="in-text" version="1.0"') -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<style {NS} {attrs}>\n{body}\n</style>\n'


def layout(inner: str, bib: str = "") -> str:
    return style(f"<citation><layout>{inner}</layout></citation>" + (bib or GOOD_BIB))


BAD_STYLES = {
    "empty": "",
    "not-xml": "this is not a style",
    "truncated": style("<citation><layout>")[:-20],
    "binary": "\x00\x01\x02<style>",
    "root-locale": f"<locale {NS}/>",
    "root-other": "<html><body/></html>",
    "no-namespace": '<style class="in-text"><citation><layout><text value="x"/></layout></citation></style>',
    "missing-macro": layout('<text macro="nope"/>'),
    "self-macro": style('<macro name="a"><text macro="a"/></macro><citation><layout><text macro="a"/></layout></citation>'),
    "mutual-macros": style('<macro name="a"><group><text macro="b"/></group></macro><macro name="b"><text macro="a"/></macro>'
                           '<citation><layout><text macro="a"/></layout></citation>'),
    "macro-no-name": style('<macro><text value="x"/></macro><citation><layout/></citation>'),
    "sort-missing-macro": style('<citation><sort><key macro="nope"/></sort><layout><text value="x"/></layout></citation>'),
    "et-al-min-word": style('<citation et-al-min="many"><layout><text value="x"/></layout></citation>'),
    "et-al-use-first-negative": style('<citation et-al-use-first="-1"><layout><text value="x"/></layout></citation>'),
    "et-al-min-empty": layout('<names variable="author"><name et-al-min=""/></names>'),
    "near-note-word": style('<citation near-note-distance="far"><layout><text value="x"/></layout></citation>'),
    "unknown-element": layout('<textt variable="title"/>'),
    "font-style-bad": layout('<text variable="title" font-style="slanted"/>'),
    "text-case-bad": layout('<text variable="title" text-case="shout"/>'),
    "display-bad": layout('<text variable="title" display="float"/>'),
    "match-bad": layout('<choose><if type="book" match="most"><text value="x"/></if></choose>'),
    "no-layout": style("<citation/>"),
    "doctype-entity": ('<?xml version="1.0"?><!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       + layout('<text value="&x;"/>').split("?>", 1)[1]),
    "deep-groups": layout("<group>" * 300 + '<text value="x"/>' + "</group>" * 300),
    "deep-but-parsable": layout("<group>" * 150 + '<text value="x"/>' + "</group>" * 150),
    "long-macro-chain": style("".join(f'<macro name="m{i}"><text macro="m{i + 1}"/></macro>' for i in range(400))
                              + '<macro name="m400"><text value="x"/></macro><citation><layout><text macro="m0"/></layout></citation>'),
}
# Styles that are odd but valid: they must render (possibly nothing), not fail.
ODD_STYLES = {
    "names-no-variable": layout("<names/>"),
    "date-no-variable": layout("<date/>"),
    "number-no-variable": layout("<number/>"),
    "label-odd-variable": layout('<label variable="nonsense"/>'),
    "date-part-odd": layout('<date variable="issued"><date-part name="century"/></date>'),
    "unknown-term": layout('<text term="no-such-term"/>'),
    "unknown-variable": layout('<text variable="no-such-variable"/>'),
    "empty-group": layout("<group/>"),
    "empty-substitute": layout('<names variable="author"><substitute/></names>'),
    "else-first": layout('<choose><else><text value="e"/></else><if type="book"><text value="b"/></if></choose>'),
    "if-no-test": layout('<choose><if><text value="x"/></if></choose>'),
    "page-range-odd": style(f'<citation><layout><text variable="page"/></layout></citation>{GOOD_BIB}',
                            'class="in-text" version="1.0" page-range-format="weird"'),
    "name-form-odd": layout('<names variable="author"><name form="tiny" initialize-with="?" and="maybe"/></names>'),
    "unknown-locale": style(f'<citation><layout><text term="and"/></layout></citation>{GOOD_BIB}',
                            'class="in-text" version="1.0" default-locale="xx-YY"'),
    "class-odd": style(f'<citation><layout><text value="x"/></layout></citation>{GOOD_BIB}', 'class="weird"'),
    "no-bibliography": style('<citation><layout><text value="x"/></layout></citation>'),
    "duplicate-macros": style('<macro name="a"><text value="1"/></macro><macro name="a"><text value="2"/></macro>'
                              f'<citation><layout><text macro="a"/></layout></citation>{GOOD_BIB}'),
}
ITEMS = [{"id": "a", "type": "book", "title": "T", "author": [{"family": "Doe", "given": "J"}],
          "issued": {"date-parts": [[2020]]}, "page": "1-5"}]


@pytest.mark.parametrize("name", sorted(BAD_STYLES))
def test_bad_style_is_one_error_with_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.csl"
    path.write_text(BAD_STYLES[name], encoding="utf-8", errors="surrogateescape")
    with pytest.raises(CitekitError) as err:
        format_bibliography(ITEMS, path)
    assert str(err.value).startswith(str(path)), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", sorted(ODD_STYLES))
def test_odd_style_renders_or_errors_cleanly(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.csl"
    path.write_text(ODD_STYLES[name], encoding="utf-8")
    try:
        format_bibliography(ITEMS, path)
        format_citation(ITEMS, [("a", "3")], path)
    except CitekitError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)


BAD_JSON = {
    "not-json": "{items",
    "truncated": '[{"id": "a", "title": "T"',
    "deep-brackets": "[" * 100_000 + "]" * 100_000,
    "huge-int": '[{"id": "a", "volume": ' + "9" * 5000 + "}]",
    "scalar": "42",
    "list-of-numbers": "[1, 2]",
    "no-id": '[{"title": "T"}]',
    "author-number": '[{"id": "a", "author": 5}]',
    "author-nested-list": '[{"id": "a", "author": [["Doe"]]}]',
    "author-number-in-list": '[{"id": "a", "author": [7]}]',
    "name-part-list": '[{"id": "a", "author": [{"family": ["Doe"]}]}]',
    "date-float": '[{"id": "a", "issued": 3.5}]',
    "title-list": '[{"id": "a", "title": ["T"]}]',
    "title-object": '[{"id": "a", "title": {"x": 1}}]',
    "volume-object": '[{"id": "a", "volume": {"n": 1}}]',
}
# Odd but usable: these must render.
ODD_JSON = {
    "author-string": '[{"id": "a", "author": "World Health Organization"}]',
    "author-object": '[{"id": "a", "author": {"family": "Doe"}}]',
    "author-nulls": '[{"id": "a", "author": [null, {"family": null, "given": "J"}, {"literal": null}]}]',
    "name-part-number": '[{"id": "a", "author": [{"family": 1984, "given": 2}]}]',
    "date-string": '[{"id": "a", "issued": "2020-05-03"}]',
    "date-garbage-string": '[{"id": "a", "issued": "sometime"}]',
    "date-list": '[{"id": "a", "issued": [[2020, 5]]}]',
    "date-parts-empty": '[{"id": "a", "issued": {"date-parts": []}}]',
    "date-parts-empty-inner": '[{"id": "a", "issued": {"date-parts": [[]]}}]',
    "date-parts-string": '[{"id": "a", "issued": {"date-parts": "2020"}}]',
    "date-parts-words": '[{"id": "a", "issued": {"date-parts": [["x", "y"]]}}]',
    "date-parts-impossible": '[{"id": "a", "issued": {"date-parts": [[2020, 13, 45]]}}]',
    "date-parts-huge": '[{"id": "a", "issued": {"date-parts": [[99999999999999]]}}]',
    "date-raw-number": '[{"id": "a", "issued": {"raw": 2020}}]',
    "date-literal-null": '[{"id": "a", "issued": {"literal": null}}]',
    "date-season-word": '[{"id": "a", "issued": {"date-parts": [[2020]], "season": "monsoon"}}]',
    "null-literal": '[{"id": "a", "title": null, "author": [{"literal": null}]}]',
    "type-unknown": '[{"id": "a", "type": "spaceship", "title": "T"}]',
    "type-number": '[{"id": "a", "type": 3, "title": "T"}]',
    "id-number": '[{"id": 3, "title": "T"}]',
    "title-markup": '[{"id": "a", "title": "<i>x</b> <script>alert(1)</script> & \\"q"}]',
    "page-words": '[{"id": "a", "page": "passim", "volume": "IV-IX", "edition": "2nd"}]',
    "numbers-nan": '[{"id": "a", "volume": NaN, "issue": Infinity, "edition": -1}]',
    "surrogate": '[{"id": "a", "title": "bad \\ud800 surrogate"}]',
    "one-object": '{"id": "a", "title": "T"}',
    "unknown-structured": '[{"id": "a", "title": "T", "citekit-extra": {"x": [1]}}]',
}
JSON_STYLES = ["gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date", "nist", "nist-portal", "bulletin-cas"]


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_bad_csl_json_is_one_error_with_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(BAD_JSON[name], encoding="utf-8")
    with pytest.raises(CitekitError) as err:
        read_csl_json(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


@pytest.mark.parametrize("name", sorted(ODD_JSON))
@pytest.mark.parametrize("style_name", JSON_STYLES)
def test_odd_csl_json_renders(tmp_path: Path, name: str, style_name: str) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(ODD_JSON[name], encoding="utf-8")
    items = read_csl_json(path)
    for fmt in ("text", "html", "latex", "markdown"):
        out = format_bibliography(items, style_name, fmt)
        assert isinstance(out, list)
        format_citation(items, [(str(items[0]["id"]), "4")], style_name, fmt)


@pytest.mark.parametrize("case", ["deep-brackets", "author-number", "not-json"])
def test_cli_prints_one_line_and_exits_2(tmp_path: Path, case: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(BAD_JSON[case], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "citekit.cli", "format", "--input", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert str(path) in proc.stderr


def test_cli_bad_style_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csl"
    bad.write_text(BAD_STYLES["self-macro"], encoding="utf-8")
    good = tmp_path / "in.json"
    good.write_text(json.dumps(ITEMS), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "citekit.cli", "format", "--input", str(good), "--style", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith(f"citekit: {bad}:") or str(bad) in proc.stderr
