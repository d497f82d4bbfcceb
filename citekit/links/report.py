"""Render a link-check :class:`~citekit.links.check.Report`: table, JSON, JUnit, SARIF, GitHub, Markdown.

All renderers are pure (report in, text out). ``fail_on`` decides which states are failures in
JUnit/SARIF/annotations, the same set the exit code uses.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import quoteattr

from citekit.links.check import LinkResult, Report
from citekit.links.http import citekit_version

FORMATS = ("table", "json", "junit", "sarif", "github", "markdown")
SCHEMA_VERSION = 1
ANNOTATION_LIMIT = 10  # GitHub keeps 10 error, 10 warning, 10 notice annotations per step
_ORDER = {"dead": 0, "error": 1, "blocked": 2, "redirected": 3, "ok": 4}


def _sorted(results: list[LinkResult]) -> list[LinkResult]:
    return sorted(results, key=lambda r: (_ORDER.get(r.state, 9), r.file, r.line))


def _detail(r: LinkResult) -> str:
    parts = [r.reason]
    if r.archive_url:
        parts.append(f"archived: {r.archive_url}")
    if r.suggestion and r.state != "redirected":
        parts.append(f"suggestion: {r.suggestion}")
    elif r.suggestion:
        parts.append(f"update to: {r.suggestion}")
    return "; ".join(p for p in parts if p)


def render(report: Report, fmt: str, fail_on: set[str] | None = None, allow_archived: bool = False) -> str:
    fail_on = fail_on or {"dead"}
    if fmt == "json":
        return render_json(report)
    if fmt == "junit":
        return render_junit(report, fail_on, allow_archived)
    if fmt == "sarif":
        return render_sarif(report, fail_on, allow_archived)
    if fmt == "github":
        return render_github(report, fail_on, allow_archived)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _failing(r: LinkResult, fail_on: set[str], allow_archived: bool) -> bool:
    return r.state in fail_on and not (allow_archived and r.state == "dead" and r.archive_url)


def render_json(report: Report) -> str:
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "citekit", "version": citekit_version()},
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "summary": report.summary(),
        "links": [r.to_json() for r in report.results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_table(report: Report, show_ok: bool = False) -> str:
    rows = [r for r in _sorted(report.results) if show_ok or r.state != "ok"]
    lines = []
    if rows:
        w_state = max(len("STATE"), *(len(r.state) for r in rows))
        w_key = max(len("KEY"), *(len(r.key) for r in rows))
        lines.append(f"{'STATE':<{w_state}}  {'KEY':<{w_key}}  URL / DETAIL")
        for r in rows:
            lines.append(f"{r.state:<{w_state}}  {r.key:<{w_key}}  {r.url}")
            lines.append(f"{'':<{w_state}}  {'':<{w_key}}    {_detail(r)}")
    s = report.summary()
    lines.append(
        f"{s['total']} links ({s['unique']} unique): {s['ok']} ok, {s['redirected']} redirected, "
        f"{s['dead']} dead, {s['blocked']} blocked, {s['error']} error; {s['archived']} with an archived copy "
        f"({s['duration_s']:.1f} s)")
    return "\n".join(lines) + "\n"


def render_junit(report: Report, fail_on: set[str], allow_archived: bool = False) -> str:
    failures = sum(1 for r in report.results if _failing(r, fail_on, allow_archived))
    skipped = sum(1 for r in report.results if not _failing(r, fail_on, allow_archived)
                  and r.state in ("blocked", "error"))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="citekit links" tests="{len(report.results)}" failures="{failures}" '
           f'skipped="{skipped}" time="{report.duration:.3f}">',
           f'  <testsuite name="citekit check" tests="{len(report.results)}" failures="{failures}" '
           f'skipped="{skipped}" errors="0" time="{report.duration:.3f}" timestamp="{report.started_at}">']
    for r in report.results:
        attrs = (f'classname={quoteattr(r.file or "links")} name={quoteattr(f"{r.key} {r.field} {r.url}")} '
                 f'file={quoteattr(r.file)} line="{r.line}"')
        if _failing(r, fail_on, allow_archived):
            out.append(f"    <testcase {attrs}>")
            out.append(f"      <failure type={quoteattr(r.state)} message={quoteattr(_detail(r))}/>")
            out.append("    </testcase>")
        elif r.state in ("blocked", "error"):
            out.append(f"    <testcase {attrs}>")
            out.append(f"      <skipped message={quoteattr(r.state + ': ' + _detail(r))}/>")
            out.append("    </testcase>")
        elif r.state == "redirected":
            out.append(f"    <testcase {attrs}>")
            out.append(f"      <system-out>{_xml_text(_detail(r))}</system-out>")
            out.append("    </testcase>")
        else:
            out.append(f"    <testcase {attrs}/>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_RULES = {
    "dead": ("CITEKIT-DEAD", "Dead link", "The link answers 404/410, is a soft-404, or the DOI is unknown."),
    "redirected": ("CITEKIT-REDIRECTED", "Permanently redirected link",
                   "The link redirects permanently; update it to the final URL."),
    "blocked": ("CITEKIT-BLOCKED", "Link check blocked",
                "The site refuses automated checks (401/403/429/999 or a bot wall); the link may be fine."),
    "error": ("CITEKIT-ERROR", "Link check error",
              "Timeout, connection or TLS failure, redirect loop, or a persistent 5xx."),
}


def _rel(path: str) -> str:
    if not path:
        return "unknown"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def render_sarif(report: Report, fail_on: set[str], allow_archived: bool = False) -> str:
    rules = [{"id": rid, "name": name.replace(" ", ""), "shortDescription": {"text": name},
              "fullDescription": {"text": desc}, "helpUri": "https://github.com/citekit/citekit#links"}
             for rid, name, desc in _RULES.values()]
    index = {state: i for i, state in enumerate(_RULES)}
    results = []
    for r in report.results:
        if r.state == "ok":
            continue
        level = "error" if _failing(r, fail_on, allow_archived) else (
            "warning" if r.state in ("redirected", "dead") else "note")
        res: dict = {
            "ruleId": _RULES[r.state][0], "ruleIndex": index[r.state], "level": level,
            "message": {"text": f"{r.key}: {r.url}: {_detail(r)}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _rel(r.file)},
                "region": {"startLine": max(1, r.line)}}}],
            "properties": {"state": r.state, "key": r.key, "field": r.field, "url": r.url,
                           "archive_url": r.archive_url, "suggestion": r.suggestion},
        }
        results.append(res)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "citekit", "version": citekit_version(),
                                         "informationUri": "https://github.com/citekit/citekit",
                                         "rules": rules}},
                     "results": results}]}
    return json.dumps(doc, indent=2) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, fail_on: set[str], allow_archived: bool = False) -> str:
    """Workflow commands, most important first, within GitHub's 10-per-kind-per-step limit."""
    counts = {"error": 0, "warning": 0, "notice": 0}
    lines, dropped = [], 0
    for r in _sorted(report.results):
        if r.state == "ok":
            continue
        kind = "error" if _failing(r, fail_on, allow_archived) else (
            "warning" if r.state in ("dead", "redirected") else "notice")
        if counts[kind] >= ANNOTATION_LIMIT:
            dropped += 1
            continue
        counts[kind] += 1
        title = f"{r.state.capitalize()} link ({r.key})"
        props = f"file={_gh_prop(_rel(r.file))},line={max(1, r.line)},title={_gh_prop(title)}"
        lines.append(f"::{kind} {props}::{_gh_data(r.url + ': ' + _detail(r))}")
    if dropped:
        lines.append(f"{dropped} more findings not annotated (GitHub's per-step limit); see the step summary.")
    s = report.summary()
    lines.append(f"citekit: {s['total']} links: {s['ok']} ok, {s['redirected']} redirected, {s['dead']} dead, "
                 f"{s['blocked']} blocked, {s['error']} error")
    return "\n".join(lines) + "\n"


def _md(s: str | None) -> str:
    return (s or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, limit: int = 500) -> str:
    """A summary for ``$GITHUB_STEP_SUMMARY`` (kept well under its 1 MiB per step)."""
    s = report.summary()
    out = ["## citekit link check", "",
           "| ok | redirected | dead | blocked | error | archived | total |",
           "| --: | --: | --: | --: | --: | --: | --: |",
           f"| {s['ok']} | {s['redirected']} | {s['dead']} | {s['blocked']} | {s['error']} | {s['archived']} "
           f"| {s['total']} |", ""]
    rows = [r for r in _sorted(report.results) if r.state != "ok"]
    if rows:
        out += ["| state | key | link | detail | archived copy | suggestion |",
                "| --- | --- | --- | --- | --- | --- |"]
        for r in rows[:limit]:
            where = f"{_rel(r.file)}:{r.line}" if r.file else ""
            out.append(f"| {r.state} | `{_md(r.key)}` {_md(where)} | {_md(r.url)} | {_md(r.reason)} | "
                       f"{_md(r.archive_url)} | {_md(r.suggestion)} |")
        if len(rows) > limit:
            out.append(f"\n{len(rows) - limit} more not shown.")
    else:
        out.append("All links answered.")
    return "\n".join(out) + "\n"
