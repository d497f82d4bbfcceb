"""Report renderers on a hand-built report: escaping, limits, levels."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from citekit.links.check import actionable
from citekit.links.report import render
from citekit.links.results import LinkResult, Report


def result(key: str, state: str, url: str = "https://example.gov/a", **kw: object) -> LinkResult:
    base = dict(key=key, field="url", url=url, state=state, http_status=404 if state == "dead" else 200,
                final_url="", reason=f"reason for {state}", archive_url=None, archive_timestamp=None,
                suggestion=None, checked_at="2026-01-01T00:00:00Z", file="refs.bib", line=3)
    base.update(kw)
    return LinkResult(**base)  # type: ignore[arg-type]


def report(*results: LinkResult) -> Report:
    return Report(list(results), "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1.0, len(results))


def test_github_escaping_and_limits() -> None:
    weird = result("a,b:c", "dead", url="https://x.gov/100%25\nnext", reason="line1\r\nline2")
    many = [result(f"d{i}", "dead") for i in range(12)]
    out = render(report(weird, *many), "github").splitlines()
    first = out[0]
    assert first.startswith("::error file=refs.bib,line=3,title=Dead link (a%2Cb%3Ac)::")
    assert "100%2525%0Anext" in first and "line1%0D%0Aline2" in first
    assert sum(line.startswith("::error") for line in out) == 10
    assert any("3 more findings not annotated" in line for line in out)


def test_fail_on_and_allow_archived_change_levels() -> None:
    rep = report(result("d", "dead", archive_url="https://web.archive.org/web/2020/x"), result("b", "blocked"),
                 result("r", "redirected", suggestion="https://new"))
    assert [r.key for r in actionable(rep, {"dead"})] == ["d"]
    assert actionable(rep, {"dead"}, allow_archived=True) == []
    assert [r.key for r in actionable(rep, {"dead", "blocked", "redirected"})] == ["d", "b", "r"]
    sarif = json.loads(render(rep, "sarif", {"dead"}, allow_archived=True))
    levels = {r["properties"]["key"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"d": "warning", "b": "note", "r": "warning"}
    junit = ET.fromstring(render(rep, "junit", {"blocked"}))
    assert junit.get("failures") == "1" and junit.get("tests") == "3"


def test_markdown_escapes_pipes() -> None:
    md = render(report(result("k", "dead", url="https://x.gov/a|b")), "markdown")
    assert "https://x.gov/a\\|b" in md and md.startswith("## citekit link check")


def test_json_is_complete() -> None:
    doc = json.loads(render(report(result("k", "ok")), "json"))
    assert doc["summary"]["ok"] == 1 and doc["links"][0]["state"] == "ok"
