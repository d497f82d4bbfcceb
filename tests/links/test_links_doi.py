"""DOIs are checked at the handle layer (``/api/handles/<doi>``), never on publisher pages."""

from __future__ import annotations

from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord, doi_of_url, normalise_doi
from tests.servers import LoopbackServer
from tests.servers.doi import FakeDoi


def test_registered_and_unknown_dois(doi: FakeDoi, origin: LoopbackServer, options: CheckOptions) -> None:
    doi.register("10.6028/NIST.AMS.600-17", origin.url("/forbidden"))  # the publisher page walls robots
    report = check_links([LinkRecord("nist", "doi", "10.6028/nist.ams.600-17"),
                          LinkRecord("nope", "doi", "https://doi.org/10.6028/NIST.NOPE.1")], options)
    ok, dead = report.results
    assert ok.state == "ok" and ok.field == "doi" and ok.final_url == origin.url("/forbidden")
    assert ok.url == f"{doi.base_url}/10.6028/nist.ams.600-17"
    assert dead.state == "dead" and "not registered" in dead.reason
    assert sorted(e.target for e in doi.server.log) == ["/api/handles/10.6028/NIST.NOPE.1",
                                                        "/api/handles/10.6028/nist.ams.600-17"]
    assert origin.log == []  # the publisher was never asked


def test_doi_org_url_goes_through_the_handle_api(doi: FakeDoi, options: CheckOptions) -> None:
    doi.register("10.1000/182", "https://www.doi.org/hb.html")
    report = check_links([LinkRecord("k", "url", "https://doi.org/10.1000/182")], options)
    assert report.results[0].state == "ok"
    assert doi.server.requests("/api/handles/.*")


def test_doi_api_blocked_or_down(loopback, options: CheckOptions) -> None:  # noqa: ANN001
    from tests.servers import respond

    srv = loopback()
    srv.route(r"/api/handles/10\.1/blocked", respond(403, "<title>Just a moment...</title>", {"cf-mitigated": "x"}))
    srv.route(r"/api/handles/10\.1/down", respond(500, "oops"))
    options.doi_url = srv.base_url
    report = check_links([LinkRecord("a", "doi", "10.1/blocked"), LinkRecord("b", "doi", "10.1/down")], options)
    assert [r.state for r in report.results] == ["blocked", "error"]


def test_doi_env_base(monkeypatch, doi: FakeDoi, options: CheckOptions) -> None:  # noqa: ANN001
    doi.register("10.1/x", "https://example.org/")
    options.doi_url = None
    monkeypatch.setenv("CITEKIT_DOI_URL", doi.base_url)
    assert check_links([LinkRecord("a", "doi", "10.1/x")], options).results[0].state == "ok"


def test_doi_normalisation() -> None:
    assert normalise_doi("doi:10.1/ABC") == "10.1/ABC"
    assert normalise_doi("https://dx.doi.org/10.1/a%2Fb") == "10.1/a/b"
    assert doi_of_url("https://doi.org/10.6028/NIST.AMS.600-17") == "10.6028/NIST.AMS.600-17"
    assert doi_of_url("https://example.org/10.1/x") is None
