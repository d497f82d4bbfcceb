"""Render a link-check :class:`~citekit.links.check.Report`: table, JSON, JUnit, SARIF, GitHub, Markdown.

All renderers are pure (report in, text out). ``fail_on`` decides which states are failures in
JUnit/SARIF/annotations, the same set the exit code uses.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import quoteattr

from citekit.links.http import citekit_version
from citekit.links.results import LinkResult, Report

FORMATS = ("table", "json", "junit", "sarif", "github", "markdown")
SCHEMA_VERSION = 1
ANNOTATION_LIMIT = 10  # GitHub keeps 10 error, 10 warning, 10 notice annotations per step
_ORDER = {"dead": 0, "error": 1, "blocked": 2, "redirected": 3, "excluded": 4, "ok": 5}


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


def summary_line(report: Report) -> str:
    """The one-line count every human-readable format ends with."""
    s = report.summary()
    excluded = f", {s['excluded']} excluded" if s["excluded"] else ""
    inputs = f"; {s['input_errors']} input error(s)" if s["input_errors"] else ""
    return (f"{s['total']} links ({s['unique']} unique): {s['ok']} ok, {s['redirected']} redirected, "
            f"{s['dead']} dead, {s['blocked']} blocked, {s['error']} error{excluded}; {s['archived']} with an "
            f"archived copy{inputs} ({s['duration_s']:.1f} s)")


def archive_line(report: Report) -> str:
    """``archive: ok|degraded|unreachable (counts)``: whether the archive look-ups could be trusted."""
    a = report.archive
    text = (f"archive: {a.state} ({a.lookups} look-ups, {a.answered} answered, {a.failures} failed, "
            f"{a.skipped} skipped)")
    if a.open_hosts:
        text += f"; gave up on {', '.join(sorted(a.open_hosts))} after {a.threshold} failures in a row"
    if a.last_error and a.state != "ok":
        text += f"; last: {a.last_error}"
    return text


def problem_lines(report: Report) -> list[str]:
    return [f"input error: {p.file}:{p.line}: {p.message}" for p in report.problems]


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
        "archive_status": report.archive.state,
        "input_errors": [{"file": p.file, "line": p.line, "message": p.message} for p in report.problems],
        "links": [r.to_json() for r in report.results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_table(report: Report, show_ok: bool = False) -> str:
    rows = [r for r in _sorted(report.results) if show_ok or r.state != "ok"]
    lines = problem_lines(report)
    if rows:
        w_state = max(len("STATE"), *(len(r.state) for r in rows))
        w_key = max(len("KEY"), *(len(r.key) for r in rows))
        lines.append(f"{'STATE':<{w_state}}  {'KEY':<{w_key}}  URL / DETAIL")
        for r in rows:
            lines.append(f"{r.state:<{w_state}}  {r.key:<{w_key}}  {r.url}")
            lines.append(f"{'':<{w_state}}  {'':<{w_key}}    {_detail(r)}")
    lines += [summary_line(report), archive_line(report)]
    return "\n".join(lines) + "\n"


def render_junit(report: Report, fail_on: set[str], allow_archived: bool = False) -> str:
    failures = sum(1 for r in report.results if _failing(r, fail_on, allow_archived))
    skipped = sum(1 for r in report.results if not _failing(r, fail_on, allow_archived)
                  and r.state in ("blocked", "error", "excluded"))
    tests = len(report.results) + len(report.problems)
    errors = len(report.problems)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="citekit links" tests="{tests}" failures="{failures}" errors="{errors}" '
           f'skipped="{skipped}" time="{report.duration:.3f}">',
           f'  <testsuite name="citekit check" tests="{tests}" failures="{failures}" '
           f'skipped="{skipped}" errors="{errors}" time="{report.duration:.3f}" timestamp="{report.started_at}">',
           "    <properties>",
           f'      <property name="archive_status" value={quoteattr(report.archive.state)}/>',
           f'      <property name="archive" value={quoteattr(archive_line(report))}/>',
           "    </properties>"]
    for p in report.problems:
        out.append(f'    <testcase classname={quoteattr(p.file)} name={quoteattr(f"input {p.file}:{p.line}")} '
                   f'file={quoteattr(p.file)} line="{p.line}">')
        out.append(f'      <error type="input-error" message={quoteattr(p.message)}/>')
        out.append("    </testcase>")
    for r in report.results:
        attrs = (f'classname={quoteattr(r.file or "links")} name={quoteattr(f"{r.key} {r.field} {r.url}")} '
                 f'file={quoteattr(r.file)} line="{r.line}"')
        if _failing(r, fail_on, allow_archived):
            out.append(f"    <testcase {attrs}>")
            out.append(f"      <failure type={quoteattr(r.state)} message={quoteattr(_detail(r))}/>")
            out.append("    </testcase>")
        elif r.state in ("blocked", "error", "excluded"):
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
    "input": ("CITEKIT-INPUT", "Input file error",
              "A .bib file (or a block of one) could not be parsed; the rest was still checked."),
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
    results: list[dict] = [
        {"ruleId": _RULES["input"][0], "ruleIndex": index["input"], "level": "error",
         "message": {"text": f"{p.file}:{p.line}: {p.message}"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": _rel(p.file)},
                                             "region": {"startLine": max(1, p.line)}}}]}
        for p in report.problems]
    for r in report.results:
        if r.state in ("ok", "excluded"):
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
                     "results": results,
                     "properties": {"archive_status": report.archive.state, "archive": report.archive.counts()}}]}
    return json.dumps(doc, indent=2) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, fail_on: set[str], allow_archived: bool = False) -> str:
    """Workflow commands, most important first, within GitHub's 10-per-kind-per-step limit."""
    counts = {"error": 0, "warning": 0, "notice": 0}
    lines, dropped = [], 0
    for p in report.problems:
        lines.append(f"::error file={_gh_prop(_rel(p.file))},line={max(1, p.line)},title=Input error::"
                     f"{_gh_data(p.message)}")
    for r in _sorted(report.results):
        if r.state in ("ok", "excluded"):
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
    if report.archive.state != "ok":
        lines.append(f"::warning title=Web archive {report.archive.state}::{_gh_data(archive_line(report))}")
    lines.append(f"citekit: {summary_line(report)}")
    lines.append(f"citekit: {archive_line(report)}")
    return "\n".join(lines) + "\n"


def _md(s: str | None) -> str:
    return (s or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, limit: int = 500) -> str:
    """A summary for ``$GITHUB_STEP_SUMMARY`` (kept well under its 1 MiB per step)."""
    s = report.summary()
    out = ["## citekit link check", "",
           "| ok | redirected | dead | blocked | error | excluded | archived | total |",
           "| --: | --: | --: | --: | --: | --: | --: | --: |",
           f"| {s['ok']} | {s['redirected']} | {s['dead']} | {s['blocked']} | {s['error']} | {s['excluded']} "
           f"| {s['archived']} | {s['total']} |", "", f"{_md(archive_line(report))}", ""]
    if report.problems:
        out += ["**Input errors** (these files were checked only in part):", ""]
        out += [f"* `{_md(_rel(p.file))}:{p.line}`: {_md(p.message)}" for p in report.problems]
        out.append("")
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
