"""Archive look-ups against the Wayback emulation: nearest the access date, at-or-before, status 200."""

from __future__ import annotations

import asyncio

import pytest

from citekit.links.archive import ArchiveClient, Snapshot, save_page_now, target_timestamp
from citekit.links.check import CheckOptions, check_links
from citekit.links.http import FetchPolicy, HostLimiter, make_session
from citekit.links.records import LinkRecord
from tests.servers import LoopbackServer
from tests.servers.wayback import FakeTimeGate, FakeWayback


def client(wayback: FakeWayback, timegates: list[str] | None = None) -> ArchiveClient:
    return ArchiveClient(make_session(), HostLimiter(4, 0.0), FetchPolicy(timeout=1, retries=1, backoff_base=0.01),
                         wayback.base_url, timegates, cdx_interval=0.0, web_interval=0.0)


def nearest(archive: ArchiveClient, url: str, accessed: str | None) -> Snapshot | None:
    async def run() -> Snapshot | None:
        try:
            return (await archive.nearest(url, accessed))[0]
        finally:
            await archive.session.aclose()
    return asyncio.run(run())


def save(*args: object, **kw: object):  # noqa: ANN201
    async def run():  # noqa: ANN202
        session = make_session()
        try:
            return await save_page_now(session, *args, **kw)  # type: ignore[arg-type]
        finally:
            await session.aclose()
    return asyncio.run(run())


URL = "https://www.nist.gov/system/files/documents/2020/07/08/MEPNN.pdf"


def test_target_timestamp() -> None:
    assert target_timestamp("2021-07-16") == "20210716235959"
    assert target_timestamp("2021-02") == "20210228235959"
    assert target_timestamp("2020") == "20201231235959"
    assert target_timestamp(None) is None and target_timestamp("soon") is None


def test_prefers_at_or_before_with_status_200(wayback: FakeWayback) -> None:
    wayback.add(URL, "20190301120000")
    wayback.add(URL, "20210710080000", status=404)  # nearest, but a captured error page
    wayback.add(URL, "20210801000000")  # nearer than 2019, but after the access date
    snap = nearest(client(wayback), URL, "2021-07-16")
    assert snap is not None and snap.timestamp == "20190301120000"
    assert snap.archive_url == f"{wayback.base_url}/web/20190301120000/{URL}"
    # /web/ named the 404 capture; its replay status sent us to the CDX API with a status filter.
    cdx = wayback.server.requests("/cdx/search/cdx")
    assert cdx and "filter=statuscode" in cdx[0].target and "to=20210716235959" in cdx[0].target
    assert not wayback.server.requests("/wayback/available")  # never the availability API


def test_capture_on_the_access_day_counts_as_before(wayback: FakeWayback) -> None:
    wayback.add(URL, "20210716183000")
    wayback.add(URL, "20210720000100")
    snap = nearest(client(wayback), URL, "2021-07-16")
    assert snap and snap.timestamp == "20210716183000"
    assert not wayback.server.requests("/cdx/search/cdx")  # /web/ was enough: one cheap redirect


def test_falls_back_to_after_when_nothing_before(wayback: FakeWayback) -> None:
    wayback.add(URL, "20220101000000")
    wayback.add(URL, "20230101000000")
    snap = nearest(client(wayback), URL, "2021-07-16")
    assert snap and snap.timestamp == "20220101000000"


def test_no_capture(wayback: FakeWayback) -> None:
    assert nearest(client(wayback), URL, "2021-07-16") is None


def test_without_urldate_the_newest_good_capture(wayback: FakeWayback) -> None:
    wayback.add(URL, "20190101000000")
    wayback.add(URL, "20240101000000")
    snap = nearest(client(wayback), URL, None)
    assert snap and snap.timestamp == "20240101000000"
    assert wayback.server.requests(f"/web/{URL}".replace("?", r"\?").replace(".", r"\."))


def test_captured_redirect_is_not_accepted(wayback: FakeWayback) -> None:
    wayback.add(URL, "20210715000000", status=301, location="https://www.nist.gov/")
    wayback.add(URL, "20200101000000")
    snap = nearest(client(wayback), URL, "2021-07-16")
    assert snap and snap.timestamp == "20200101000000"


def test_web_unavailable_uses_cdx(wayback: FakeWayback) -> None:
    wayback.add(URL, "20200101000000")
    wayback.web_unavailable = 10
    snap = nearest(client(wayback), URL, "2021-07-16")
    assert snap and snap.timestamp == "20200101000000" and snap.source == "wayback-cdx"


def test_archive_down_is_not_fatal(wayback: FakeWayback) -> None:
    wayback.add(URL, "20200101000000")
    wayback.web_unavailable = 10
    wayback.cdx_rate_limited = 10
    assert nearest(client(wayback), URL, "2021-07-16") is None


def test_excluded_site(wayback: FakeWayback) -> None:
    from tests.servers.wayback import surt

    wayback.add(URL, "20200101000000")
    wayback.blocked.add(surt(URL))
    assert nearest(client(wayback), URL, "2021-07-16") is None


def test_timegate_memento(wayback: FakeWayback, timegate: FakeTimeGate) -> None:
    wayback.add(URL, "20190101000000")
    timegate.add(URL, "20210601000000")  # nearer, and before: wins
    snap = nearest(client(wayback, [timegate.gate]), URL, "2021-07-16")
    assert snap and snap.timestamp == "20210601000000" and snap.source.startswith("timegate:")
    sent = timegate.server.requests("/timegate/.*")[0].headers["accept-datetime"]
    assert sent == "Fri, 16 Jul 2021 23:59:59 GMT"


def test_check_reports_archive_for_failing_links_only(origin: LoopbackServer, wayback: FakeWayback,
                                                       options: CheckOptions) -> None:
    dead, live = origin.url("/gone"), origin.url("/ok.html")
    wayback.add(dead, "20210101000000")
    wayback.add(live, "20210101000000")
    options.archive = "failing"
    report = check_links([LinkRecord("d", "url", dead, accessed="2021-07-16"),
                          LinkRecord("l", "url", live, accessed="2021-07-16")], options)
    d, l_ = report.results
    assert d.state == "dead" and d.archive_url == f"{wayback.base_url}/web/20210101000000/{dead}"
    assert d.archive_timestamp == "20210101000000"
    assert l_.archive_url is None
    options.archive = "all"
    assert check_links([LinkRecord("l", "url", live, accessed="2021-07-16")], options).results[0].archive_url


def test_wayback_env_base(monkeypatch: pytest.MonkeyPatch, origin: LoopbackServer, wayback: FakeWayback,
                          options: CheckOptions) -> None:
    dead = origin.url("/gone")
    wayback.add(dead, "20210101000000")
    options.wayback_url, options.archive = None, "failing"
    monkeypatch.setenv("CITEKIT_WAYBACK_URL", wayback.base_url)
    assert check_links([LinkRecord("d", "url", dead)], options).results[0].archive_url


def test_save_page_now(wayback: FakeWayback) -> None:
    res = save(URL, wayback.base_url, keys=("ak", "sk"), poll_interval=0)
    assert res.status == "saved" and res.snapshot and res.snapshot.archive_url.startswith(wayback.base_url)
    assert wayback.server.requests("/save")[0].headers["authorization"] == "LOW ak:sk"
    assert len(wayback.server.requests("/save/status/.*")) == 2  # pending once, then success
    assert nearest(client(wayback), URL, None) is not None


def test_save_page_now_errors_never_show_keys(wayback: FakeWayback, monkeypatch: pytest.MonkeyPatch) -> None:
    res = save(URL, wayback.base_url, keys=("wrong", "secret-xyz"), poll_interval=0)
    assert res.status == "error" and "secret-xyz" not in res.message and "401" in res.message
    wayback.spn_errors[URL] = "error:too-many-daily-captures"
    res = save(URL, wayback.base_url, keys=("ak", "sk"), poll_interval=0)
    assert res.status == "already-archived"
    monkeypatch.delenv("CITEKIT_IA_ACCESS_KEY", raising=False)
    assert save(URL, wayback.base_url).status == "no-keys"


def test_cdx_emulation_shapes(wayback: FakeWayback) -> None:
    """The fake answers like the documented API (header row, strings, [] when empty, text output)."""
    import requests

    wayback.add("http://www.archive.org/", "19970126045828")
    wayback.add("http://www.archive.org/", "19971011050034", status=404)
    base = f"{wayback.base_url}/cdx/search/cdx"
    rows = requests.get(base, params={"url": "archive.org", "output": "json"}, timeout=5).json()
    assert rows[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    assert rows[1][:5] == ["org,archive)/", "19970126045828", "http://www.archive.org/", "text/html", "200"]
    assert requests.get(base, params={"url": "nothing.example", "output": "json"}, timeout=5).json() == []
    text = requests.get(base, params={"url": "archive.org", "filter": "!statuscode:200", "fl": "timestamp"},
                        timeout=5).text
    assert text == "19971011050034\n"
    last = requests.get(base, params={"url": "archive.org", "limit": "-1", "fl": "timestamp",
                                      "gzip": "false"}, timeout=5)
    assert last.text == "19971011050034\n" and "Content-Encoding" not in last.headers


def test_unreachable_archive_is_given_up_quickly(origin: LoopbackServer, options: CheckOptions) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options.wayback_url, options.archive, options.concurrency = f"http://127.0.0.1:{port}", "failing", 1
    records = [LinkRecord(f"k{i}", "url", origin.url(f"/gone?{i}")) for i in range(6)]
    report = check_links(records, options)
    assert all(r.state == "dead" and r.archive_url is None for r in report.results)
