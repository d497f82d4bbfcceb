"""Hostile servers (issue 11): dripping bytes in each phase, bad redirects, long Retry-After, junk DOIs.

Each test asserts from the outcome and the clock: a slow server may cost a link at most its
deadline (timeout + 1 s per attempt), never the run.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord
from tests.servers import LoopbackServer, Response, drip, next_loopback_host, redirect, respond
from tests.servers.doi import FakeDoi


def one(url: str, options: CheckOptions, field: str = "url"):  # noqa: ANN201
    return check_links([LinkRecord("k", field, url)], options).results[0]


@pytest.mark.parametrize("phase", ["status", "headers", "body"])
def test_a_slow_drip_in_any_phase_is_cut_at_the_deadline(loopback: Callable[..., LoopbackServer],
                                                         options: CheckOptions, phase: str) -> None:
    srv = loopback()
    srv.route(r"/drip", drip(phase, every=0.1))  # every read answers within 0.1 s
    options.timeout, options.retries = 1.0, 0
    start = time.monotonic()
    res = one(srv.url("/drip"), options)
    elapsed = time.monotonic() - start
    assert res.state == "error" and "timed out (slow response)" in res.reason, res.reason
    assert elapsed < options.timeout + 1


def test_each_attempt_has_its_own_deadline(loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    srv = loopback()
    srv.route(r"/drip", drip("body", every=0.1))
    options.timeout, options.retries = 1.0, 1
    start = time.monotonic()
    res = one(srv.url("/drip"), options)
    assert time.monotonic() - start < 2 * (options.timeout + 1)
    assert res.state == "error" and res.reason == "timed out (slow response) after 2 attempts"
    assert len(srv.requests("/drip")) == 2


@pytest.fixture
def full_backlog() -> Iterator[str]:
    """A listening socket that never accepts, its queue full: a connect that never completes."""
    host = next_loopback_host()
    srv = socket.socket()
    srv.bind((host, 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    held = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex((host, port))
        held.append(c)
    time.sleep(0.05)
    yield f"http://{host}:{port}/x"
    for c in held:
        c.close()
    srv.close()


def test_a_connect_that_never_completes_is_cut_at_the_deadline(full_backlog: str, options: CheckOptions) -> None:
    options.timeout, options.retries = 1.0, 0
    start = time.monotonic()
    res = one(full_backlog, options)
    assert time.monotonic() - start < options.timeout + 1
    assert res.state == "error" and "timed out" in res.reason


def test_redirect_to_a_broken_ipv6_url_is_that_links_error(origin: LoopbackServer, options: CheckOptions) -> None:
    origin.route(r"/to-bad-ipv6", redirect("http://[::1/x"))
    origin.route(r"/to-javascript", redirect("javascript:alert(1)"))
    report = check_links([LinkRecord("bad", "url", origin.url("/to-bad-ipv6")),
                          LinkRecord("js", "url", origin.url("/to-javascript")),
                          LinkRecord("fine", "url", origin.url("/ok.html"))], options)
    bad, js, fine = report.results
    assert bad.state == "error" and "redirect to an invalid URL: http://[::1/x" in bad.reason
    assert js.state == "error" and "not http(s)" in js.reason
    assert fine.state == "ok"


def test_an_exception_inside_one_check_is_that_links_error(origin: LoopbackServer, options: CheckOptions,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import citekit.links.check as check_mod

    real = check_mod.classify

    def exploding(url: str, *args: object):  # noqa: ANN202
        if "explode" in url:
            raise ValueError("something nobody foresaw")
        return real(url, *args)

    monkeypatch.setattr(check_mod, "classify", exploding)
    origin.route(r"/explode", respond(200, "<title>x</title>"))
    report = check_links([LinkRecord("a", "url", origin.url("/explode")),
                          LinkRecord("b", "url", origin.url("/ok.html"))], options)
    a, b = report.results
    assert a.state == "error" and "ValueError: something nobody foresaw" in a.reason
    assert b.state == "ok"


def test_503_asking_for_a_very_long_wait_is_blocked_without_stalling_the_host(
        loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    srv = loopback()
    srv.route(r"/busy", respond(503, "come back later", {"Retry-After": "999999"}))
    srv.route(r"/p/\d", respond(200, "<title>fine</title>"))
    options.per_host, options.max_retry_wait = 1, 60.0
    records = [LinkRecord("busy", "url", srv.url("/busy"))] + [
        LinkRecord(f"p{i}", "url", srv.url(f"/p/{i}")) for i in range(3)]
    start = time.monotonic()
    report = check_links(records, options)
    assert time.monotonic() - start < 5  # not a 60 s pause of the host
    busy = report.results[0]
    assert busy.state == "blocked" and "asks to come back in 999999 s" in busy.reason
    assert len(srv.requests("/busy")) == 1  # not retried either
    assert all(r.state == "ok" for r in report.results[1:])


def test_a_doi_registered_to_javascript_is_dead(doi: FakeDoi, options: CheckOptions) -> None:
    doi.register("10.1234/js", "javascript:alert(document.cookie)")
    doi.register("10.1234/ok", "https://example.org/paper")
    res = one("10.1234/js", options, field="doi")
    assert res.state == "dead" and "not http(s)" in res.reason and "javascript:" in res.reason
    assert one("10.1234/ok", options, field="doi").state == "ok"


def test_junk_handle_answers_are_errors_not_crashes(doi: FakeDoi, options: CheckOptions) -> None:
    doi.server.route(r"/api/handles/10\.1234/junk", lambda req, h: Response(
        200, b'{"responseCode": 1, "values": [{"type": "URL", "data": "not a dict"}, 7]}',
        {"Content-Type": "application/json"}))
    doi.server.route(r"/api/handles/10\.1234/notjson", respond(200, "<html>hello</html>"))
    assert one("10.1234/junk", options, field="doi").state == "ok"  # registered, no usable URL value
    assert one("10.1234/notjson", options, field="doi").state == "error"


@pytest.mark.parametrize("ext", ["pdf", "docx", "xlsx", "pptx", "zip"])
def test_a_document_answered_by_a_not_found_page_is_dead(origin: LoopbackServer, options: CheckOptions,
                                                         ext: str) -> None:
    page = ("<html><head><title>Agency</title><script>var x = 'not found';</script></head><body>"
            "<nav>Home | About</nav><p>Sorry, the document you requested does not exist on this server.</p>"
            "</body></html>")
    origin.route(rf"/files/plan\.{ext}", respond(200, page))
    res = one(origin.url(f"/files/plan.{ext}"), options)
    assert res.state == "dead", res.reason
    assert "a document link answers with an HTML page that says" in res.reason
    assert "does not exist" in res.reason


def test_body_wording_counts_only_for_document_links(origin: LoopbackServer, options: CheckOptions) -> None:
    page = "<html><head><title>Search</title></head><body><p>Page not found? Try the search.</p></body></html>"
    origin.route(r"/help", respond(200, page))
    origin.route(r"/files/landing\.pdf", respond(200, "<html><title>Report landing page</title>"
                                                     "<body><a href='/x.pdf'>Download</a></body></html>"))
    assert one(origin.url("/help"), options).state == "ok"
    assert one(origin.url("/files/landing.pdf"), options).state == "ok"
