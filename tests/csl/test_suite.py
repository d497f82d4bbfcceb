"""The golden test: every CSL processor fixture passes, or is listed in expected_failures.txt."""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from citekit.csl.processor import CiteRef, Cluster
from tests.csl import suite

_PATHS = suite.fixture_paths()
_EXPECTED = suite.read_expected_failures()


@pytest.mark.parametrize("path", _PATHS or [None], ids=[p.stem for p in _PATHS] or ["no-fixtures"])
def test_fixture(path: Path | None) -> None:
    if path is None:
        pytest.skip("../shared (the CSL test suite) is not present")
    fx = suite.parse_fixture(path)
    outcome = suite.run_fixture(fx)
    if fx.name in _EXPECTED:
        if outcome.passed:
            pytest.fail(f"{fx.name} now passes: remove it from expected_failures.txt")
        return
    if outcome.error:
        pytest.fail(f"{fx.name} raised {outcome.error}")
    assert outcome.got == outcome.expected


def test_expected_failures_name_real_fixtures() -> None:
    if not _PATHS:
        pytest.skip("../shared (the CSL test suite) is not present")
    names = {p.stem for p in _PATHS}
    assert sorted(set(_EXPECTED) - names) == []


# --- the runner itself, on a fake engine ------------------------------------------------------

_Ref = CiteRef  # the fake engine takes the real engine's cites and clusters
_Cluster = Cluster


@dataclass
class _Processor:
    """Titles joined by "; " (a position other than first shows as "ibid")."""

    style: str
    items: list[dict]
    lang: str | None = None
    fmt: str = "html"
    calls: list = field(default_factory=list)

    def process(self, clusters: list[_Cluster]) -> list[str]:
        by_id = {it["id"]: it for it in self.items}
        seen: set[str] = set()
        out = []
        for cl in clusters:
            parts = []
            for ref in cl.items:
                pos = ref.position or ("subsequent" if ref.id in seen else "first")
                seen.add(ref.id)
                parts.append(by_id[ref.id]["title"] if pos == "first" else "ibid")
            out.append("; ".join(parts))
        return out

    def bibliography(self, ids: list[str] | None = None) -> list[str]:
        by_id = {it["id"]: it for it in self.items}
        return [by_id[i]["title"] for i in (ids or list(by_id))]


_FAKE = types.SimpleNamespace(Processor=_Processor, Cluster=_Cluster, CiteRef=_Ref)

_TEMPLATE = """\ufeff>>===== MODE =====>>
{mode}
<<===== MODE =====<<

>>== RESULT ==>>
{result}
<<== RESULT ==<<

>>===== CSL =====>>
<style/>
<<===== CSL =====<<

>>==== INPUT ====>>
[{{"id": "A", "title": "Alpha"}}, {{"id": 2, "title": "Beta"}}]
<<==== INPUT ====<<
{extra}
"""


def _fixture(tmp_path: Path, mode: str, result: str, extra: str = "") -> suite.Fixture:
    path = tmp_path / "cat_Name.txt"
    path.write_text(_TEMPLATE.format(mode=mode, result=result, extra=extra), encoding="utf-8")
    return suite.parse_fixture(path)


def test_parse_fixture_sections(tmp_path: Path) -> None:
    fx = _fixture(tmp_path, "citation", "Alpha; Beta")
    assert (fx.name, fx.category, fx.mode, fx.result, fx.csl) == ("cat_Name", "cat", "citation", "Alpha; Beta", "<style/>")
    assert fx.input[1]["id"] == 2 and fx.citation_items is None


def test_single_cluster_of_all_items(tmp_path: Path) -> None:
    assert suite.run_fixture(_fixture(tmp_path, "citation", "Alpha; Beta"), _FAKE).passed


def test_bibliography_wrapping_and_whitespace(tmp_path: Path) -> None:
    result = '<div class="csl-bib-body">\n  <div class="csl-entry">Alpha</div>\n  <div class="csl-entry">Beta</div>\n</div>'
    outcome = suite.run_fixture(_fixture(tmp_path, "bibliography", result), _FAKE)
    assert outcome.passed, outcome
    assert suite.normalise('<div a>\n  <div b>x </div>\n</div>', "bibliography") == "<div a><div b>x</div></div>"
    assert suite.normalise(" x  y \r\n", "citation") == "x  y"


def test_citation_items_get_explicit_positions(tmp_path: Path) -> None:
    extra = """>>===== CITATION-ITEMS =====>>
[[{"id": "A"}], [{"id": "A"}], [{"id": "A", "position": 2}]]
<<===== CITATION-ITEMS =====<<"""
    assert suite.run_fixture(_fixture(tmp_path, "citation", "Alpha\nAlpha\nibid", extra), _FAKE).passed


def test_citations_markers(tmp_path: Path) -> None:
    # The second step inserts a citation before the first: the first one's text changes too.
    extra = """>>===== CITATIONS =====>>
[
 [{"citationID": "C1", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 1}}, [], []],
 [{"citationID": "C2", "citationItems": [{"id": "2"}], "properties": {"noteIndex": 1}}, [], [["C1", 2]]],
 [{"citationID": "C3", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 0}}, [], [["C2", 1], ["C1", 2]]]
]
<<===== CITATIONS =====<<"""
    outcome = suite.run_fixture(_fixture(tmp_path, "citation", ">>[0] Alpha\n..[1] Beta\n>>[2] ibid", extra), _FAKE)
    assert outcome.passed, outcome


def test_engine_exception_and_timeout(tmp_path: Path) -> None:
    class Broken(_Processor):
        def process(self, clusters: list[_Cluster]) -> list[str]:
            raise KeyError("x")

    class Slow(_Processor):
        def process(self, clusters: list[_Cluster]) -> list[str]:
            while True:
                pass

    fx = _fixture(tmp_path, "citation", "Alpha; Beta")
    broken = suite.run_fixture(fx, types.SimpleNamespace(Processor=Broken, Cluster=_Cluster, CiteRef=_Ref))
    assert not broken.passed and broken.error.startswith("KeyError")
    slow = suite.run_fixture(fx, types.SimpleNamespace(Processor=Slow, Cluster=_Cluster, CiteRef=_Ref), limit=0.2)
    assert not slow.passed and slow.error.startswith("FixtureTimeout")


def test_expected_failures_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "expected.txt"
    suite.write_expected_failures({"b_X": "b: why", "a_Y": "a: not implemented yet"}, path)
    assert path.read_text().splitlines()[0].startswith("a_Y")
    assert suite.read_expected_failures(path) == {"a_Y": "a: not implemented yet", "b_X": "b: why"}


def test_all_fixtures_parse() -> None:
    if not _PATHS:
        pytest.skip("../shared (the CSL test suite) is not present")
    fixtures = [suite.parse_fixture(p) for p in _PATHS]
    modes = [fx.base_mode for fx in fixtures]
    assert (len(fixtures), modes.count("citation"), modes.count("bibliography")) == (845, 646, 199)


def test_citations_markers_follow_citeproc_js_updates(tmp_path: Path) -> None:
    # Re-processing a citation reports it even when its text stays the same.
    extra = """>>===== CITATIONS =====>>
[
 [{"citationID": "C1", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 1}}, [], []],
 [{"citationID": "C2", "citationItems": [{"id": "2"}], "properties": {"noteIndex": 2}}, [["C1", 1]], []],
 [{"citationID": "C1", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 1}}, [], [["C2", 2]]]
]
<<===== CITATIONS =====<<"""
    outcome = suite.run_fixture(_fixture(tmp_path, "citation", ">>[0] Alpha\n..[1] Beta", extra), _FAKE)
    assert outcome.passed, outcome
