"""Fixtures for the link checker: an origin server with a route per behaviour, Wayback and DOI fakes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citekit.links.check import CheckOptions
from tests import servers
from tests.servers import (
    LoopbackServer,
    Request,
    Response,
    endless,
    redirect,
    reset_connection,
    respond,
    sequence,
    slow,
)
from tests.servers.doi import FakeDoi
from tests.servers.wayback import FakeTimeGate, FakeWayback

loopback = servers.loopback  # the shared server-factory fixture

HTML = "<html><head><title>Strategy for American Leadership</title></head><body><h1>Report</h1></body></html>"
PDF = b"%PDF-1.7\n" + b"0" * 3000
HOME = "<html><head><title>Home | Agency</title></head><body>Welcome</body></html>"


def build_origin(srv: LoopbackServer) -> LoopbackServer:
    """One route per behaviour of issue 3."""
    r = srv.route
    r(r"/", respond(200, HOME))
    r(r"/ok\.html", respond(200, HTML))
    r(r"/doc\.pdf", respond(200, PDF, content_type="application/pdf"))
    r(r"/perm301", redirect("/ok.html", 301))
    r(r"/perm308", redirect("/ok.html", 308))
    r(r"/temp302", redirect("/ok.html", 302))
    r(r"/temp307", redirect("/temp302", 307))
    r(r"/temp303", redirect("/ok.html", 303))
    r(r"/chain", redirect("/temp307", 301))  # 301 -> 307 -> 302 -> 200
    r(r"/loop-a", redirect("/loop-b"))
    r(r"/loop-b", redirect("/loop-a"))

    def too_many(req: Request, h: object) -> Response:
        n = int(req.path.rsplit("/", 1)[1])
        return Response(302, "", {"Location": f"/many/{n + 1}"})
    r(r"/many/\d+", too_many)
    r(r"/gone", respond(410, "<title>Gone</title>"))
    r(r"/soft404", respond(200, "<html><head><title>Page Not Found | Agency</title></head><body>x</body></html>"))
    r(r"/soft404-h1", respond(200, "<html><head><title>Agency</title></head><body><h1>Sorry, the page you "
                                   "requested does not exist</h1></body></html>"))
    r(r"/report\.pdf", respond(200, "<html><title>404 - File not found</title></html>"))
    r(r"/deep/report/2018/strategy\.pdf", redirect("/", 301))
    r(r"/deep/temp", redirect("/", 302))
    r(r"/errpage", redirect("/errors/404.html", 302))
    r(r"/errors/404\.html", respond(200, "<title>Oops</title>"))
    r(r"/bot", respond(403, "<html><title>Just a moment...</title></html>", {"cf-mitigated": "challenge",
                                                                               "Server": "cloudflare"}))
    r(r"/cf503", respond(503, "<html><head><title>Just a moment...</title></head>"
                              "<script src='/cdn-cgi/challenge-platform/x'></script></html>",
                         {"Server": "cloudflare"}))
    r(r"/akamai", respond(403, "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>You don't have permission."
                               "<P>Reference&#32;#18.5c3b1602.1700000000.1a2b3c</BODY></HTML>",
                          {"Server": "AkamaiGHost"}))
    r(r"/f5", respond(200, "<html><head><title>Request Rejected</title></head><body>The requested URL was "
                           "rejected. Please consult with your administrator.<br>Your support ID is: 1234</body>"))
    r(r"/forbidden", respond(403, "<title>Forbidden</title>"))
    r(r"/auth", respond(401, "<title>Unauthorized</title>"))
    r(r"/linkedin", respond(999, "Request denied"))
    r(r"/head405", respond(405, "", {"Allow": "GET"}), methods=("HEAD",))
    r(r"/head405", respond(200, HTML), methods=("GET",))
    r(r"/headonly-ok", respond(200, HTML))
    r(r"/rate", sequence(respond(429, "slow down", {"Retry-After": "1"}), respond(200, HTML)))
    r(r"/rate-forever", respond(429, "slow down", {"Retry-After": "0"}))
    r(r"/rate-long", respond(429, "slow down", {"Retry-After": "3600"}))
    r(r"/flaky", sequence(respond(503, "busy"), respond(200, HTML)))
    r(r"/down", respond(503, "busy"))
    r(r"/slow", slow(3.0))
    r(r"/reset", reset_connection())
    r(r"/endless", endless())
    r(r"/wpcontent/uploads/2018/10/plan\.pdf", respond(404, "<title>Not Found</title>"))
    r(r"/wp-content/uploads/2018/10/plan\.pdf", respond(200, PDF, content_type="application/pdf"))
    r(r"/cited-twice", respond(200, HTML))
    return srv


@pytest.fixture
def origin(loopback: Callable[..., LoopbackServer]) -> LoopbackServer:
    return build_origin(loopback())


@pytest.fixture
def wayback(loopback: Callable[..., LoopbackServer]) -> FakeWayback:
    return FakeWayback(loopback())


@pytest.fixture
def timegate(loopback: Callable[..., LoopbackServer]) -> FakeTimeGate:
    return FakeTimeGate(loopback())


@pytest.fixture
def doi(loopback: Callable[..., LoopbackServer]) -> FakeDoi:
    return FakeDoi(loopback())


@pytest.fixture
def options(wayback: FakeWayback, doi: FakeDoi) -> CheckOptions:
    """Fast, offline options: short timeouts, tiny backoff, archive pointed at the fake."""
    return CheckOptions(timeout=1.0, retries=2, backoff_base=0.01, max_retry_wait=2.0, concurrency=8,
                        per_host=4, host_interval=0.0, cdx_interval=0.0, archive_interval=0.0,
                        wayback_url=wayback.base_url, doi_url=doi.base_url, archive="none", seed=1)
