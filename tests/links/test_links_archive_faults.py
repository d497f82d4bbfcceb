"""Archive failures never abort a run (issue 11): 500s, no answer, junk; report-level archive_status."""

from __future__ import annotations

import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.cli import app
from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord
from citekit.links.report import FORMATS, render
from tests.servers import LoopbackServer, Response, respond
from tests.servers.wayback import FakeWayback


def dead_records(origin: LoopbackServer, n: int) -> list[LinkRecord]:
    return [LinkRecord(f"k{i}", "url", origin.url(f"/gone?{i}"), accessed="2021-07-16") for i in range(n)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wayback_500s_open_the_breaker_after_three_failures(origin: LoopbackServer, wayback: FakeWayback,
                                                           options: CheckOptions) -> None:
    wayback.server.route(r"/.*", respond(500, "internal error"))
    options.archive, options.concurrency = "failing", 2
    start = time.monotonic()
    report = check_links(dead_records(origin, 8), options)
    assert time.monotonic() - start < 10
    assert all(r.state == "dead" and r.archive_url is None for r in report.results)
    # Three failed look-ups (each with its retries), then nothing more for the rest of the run.
    assert len(wayback.server.log) <= 3 * (options.retries + 1) + options.concurrency
    assert report.archive.state == "unreachable"
    assert report.archive.failures >= 3 and report.archive.skipped > 0 and report.archive.answered == 0
    assert report.archive.open_hosts == {wayback.server.host}


def test_wayback_unreachable_is_reported_not_fatal(origin: LoopbackServer, options: CheckOptions) -> None:
    options.wayback_url, options.archive = f"http://127.0.0.1:{closed_port()}", "failing"
    report = check_links(dead_records(origin, 5), options)
    assert all(r.state == "dead" for r in report.results)
    assert report.archive.state == "unreachable"
    assert "connection-refused" in report.archive.last_error


def test_an_impossible_capture_timestamp_is_junk_not_a_crash(origin: LoopbackServer, wayback: FakeWayback,
                                                             options: CheckOptions) -> None:
    dead = origin.url("/gone")
    wayback.server.route(r"/web/\d+/.*", lambda req, h: Response(
        302, "", {"Location": f"{wayback.base_url}/web/99999999999999/{dead}"}))
    wayback.server.route(r"/cdx/search/cdx", lambda req, h: Response(
        200, json.dumps([["timestamp", "original", "statuscode", "mimetype"],
                         ["99999999999999", dead, "200", "text/html"]]), {"Content-Type": "application/json"}))
    options.archive = "failing"
    report = check_links([LinkRecord("d", "url", dead, accessed="2021-07-16"),
                          LinkRecord("ok", "url", origin.url("/ok.html"))], options)
    d, ok = report.results
    assert d.state == "dead" and d.archive_url is None
    assert ok.state == "ok"
    assert report.archive.state == "unreachable" and "not a date" in report.archive.last_error


def test_some_answers_and_some_failures_is_degraded(origin: LoopbackServer, wayback: FakeWayback,
                                                    options: CheckOptions) -> None:
    good = origin.url("/gone")
    wayback.add(good, "20210101000000")
    wayback.server.route(r"/web/\d+/.*/bad-one", respond(500, "oops"))
    wayback.server.route(r"/cdx/search/cdx", lambda req, h: Response(500, "oops"))
    options.archive, options.concurrency, options.retries = "failing", 1, 0
    report = check_links([LinkRecord("g", "url", good, accessed="2021-07-16"),
                          LinkRecord("b", "url", origin.url("/bad-one"), accessed="2021-07-16")], options)
    assert report.results[0].archive_url
    assert report.archive.state == "degraded"


def test_archive_status_is_in_every_format(origin: LoopbackServer, options: CheckOptions) -> None:
    options.wayback_url, options.archive = f"http://127.0.0.1:{closed_port()}", "failing"
    report = check_links(dead_records(origin, 2), options)
    for fmt in FORMATS:
        text = render(report, fmt)
        assert "unreachable" in text, fmt
    assert json.loads(render(report, "json"))["archive_status"] == "unreachable"
    props = {p.get("name"): p.get("value") for p in ET.fromstring(render(report, "junit")).iter("property")}
    assert props["archive_status"] == "unreachable"
    sarif = json.loads(render(report, "sarif"))
    assert sarif["runs"][0]["properties"]["archive_status"] == "unreachable"


@pytest.fixture
def bib(tmp_path: Path, origin: LoopbackServer) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text("".join(f"@online{{k{i},\n  url = {{{origin.url(f'/gone?{i}')}}},\n}}\n\n" for i in range(3)),
                    encoding="utf-8")
    return path


def test_archive_command_exits_3_when_the_archive_cannot_be_reached(bib: Path) -> None:
    res = CliRunner().invoke(app, ["archive", str(bib), "--no-cache", "-q", "--timeout", "1", "--retries", "0",
                                   "--wayback-url", f"http://127.0.0.1:{closed_port()}", "--format", "json"])
    assert res.exit_code == 3, res.output
    assert json.loads(res.stdout)["archive_status"] == "unreachable"
    assert "the web archive could not be reached" in res.stderr


def test_check_does_not_fail_because_the_archive_is_down(bib: Path) -> None:
    res = CliRunner().invoke(app, ["check", str(bib), "--no-cache", "-q", "--timeout", "1", "--retries", "0",
                                   "--wayback-url", f"http://127.0.0.1:{closed_port()}"])
    assert res.exit_code == 1  # the dead links, nothing worse
    assert "archive: unreachable" in res.stdout
