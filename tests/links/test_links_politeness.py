"""Politeness, asserted from what the servers saw: per-host limits, dedupe, circuit breaker."""

from __future__ import annotations

from collections.abc import Callable

from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord
from tests.servers import LoopbackServer, respond


def test_per_host_limit_never_exceeded(loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    hosts = [loopback(delay=0.05) for _ in range(3)]
    for srv in hosts:
        srv.route(r"/p/\d+", respond(200, "<title>x</title>"))
    records = [LinkRecord(f"k{i}-{j}", "url", srv.url(f"/p/{j}")) for i, srv in enumerate(hosts) for j in range(24)]
    options.concurrency, options.per_host = 16, 3
    report = check_links(records, options)
    assert all(r.state == "ok" for r in report.results)
    for srv in hosts:
        assert len(srv.log) == 24
        assert srv.max_concurrency() <= 3
    # The global pool is bounded too: never more than 16 in flight across all hosts.
    events = sorted([(e.start, 1) for s in hosts for e in s.log] + [(e.end, -1) for s in hosts for e in s.log],
                    key=lambda ev: (ev[0], ev[1]))
    peak = cur = 0
    for _, d in events:
        cur += d
        peak = max(peak, cur)
    assert peak <= 16


def test_requests_to_one_host_are_spaced(loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    srv = loopback()
    srv.route(r"/s/\d+", respond(200, "ok"))
    options.host_interval = 0.05
    check_links([LinkRecord(f"k{j}", "url", srv.url(f"/s/{j}")) for j in range(6)], options)
    starts = sorted(e.start for e in srv.log)
    # Five 50 ms gaps; arrival jitter (a new connection vs a reused one) is allowed for.
    assert starts[-1] - starts[0] >= 0.2


def test_retry_after_pauses_the_whole_host(loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    from tests.servers import sequence

    srv = loopback()
    srv.route(r"/r", sequence(respond(429, "", {"Retry-After": "1"}), respond(200, "ok")))
    srv.route(r"/other/\d", respond(200, "ok"))
    options.per_host, options.concurrency = 1, 4
    records = [LinkRecord("r", "url", srv.url("/r"))] + [LinkRecord(f"o{i}", "url", srv.url(f"/other/{i}"))
                                                         for i in range(3)]
    check_links(records, options)
    rate = srv.requests("/r")
    assert len(rate) == 2 and rate[1].start - rate[0].start >= 0.95
    # Nothing was sent to the host while it had asked us to wait (one at a time: none was in flight).
    paused_from, paused_to = rate[0].end, rate[0].end + 0.95
    assert not [e for e in srv.log if paused_from < e.start < paused_to]


def test_same_url_cited_twice_is_fetched_once(origin: LoopbackServer, options: CheckOptions) -> None:
    url = origin.url("/cited-twice")
    records = [LinkRecord("a", "url", url), LinkRecord("b", "url", url + "#section"),
               LinkRecord("c", "url", url.replace("http://", "HTTP://"))]
    report = check_links(records, options)
    assert [r.key for r in report.results] == ["a", "b", "c"]
    assert {r.state for r in report.results} == {"ok"}
    assert len(origin.requests("/cited-twice")) == 1
    assert report.unique_targets == 1 and report.summary()["link_requests"] == 1


def test_circuit_breaker_opens_after_repeated_walls(origin: LoopbackServer, options: CheckOptions) -> None:
    options.concurrency, options.breaker_threshold = 1, 3
    records = [LinkRecord(f"k{i}", "url", origin.url(f"/bot?i={i}")) for i in range(6)]
    report = check_links(records, options)
    assert len(origin.requests("/bot")) == 3
    assert all(r.state == "blocked" for r in report.results)
    assert sum("not requested" in r.reason for r in report.results) == 3


def test_breaker_is_reset_by_a_success(origin: LoopbackServer, options: CheckOptions) -> None:
    options.concurrency, options.breaker_threshold = 1, 3
    paths = ["/bot?a", "/bot?b", "/ok.html", "/bot?c", "/bot?d"]
    report = check_links([LinkRecord(f"k{i}", "url", origin.url(p)) for i, p in enumerate(paths)], options)
    assert not any("not requested" in r.reason for r in report.results)


def test_first_request_goes_out_before_every_worker_has_opened_a_connection(
        loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    """Workers start one per turn of the loop: the first connection is made and used while
    later workers are still opening theirs, not after all of them have begun."""
    from citekit.links.transport import LinkSession

    events: list[str] = []

    class Recording(LinkSession):
        async def _connect(self, scheme, host, port, proxy):  # type: ignore[no-untyped-def]
            events.append("open")
            conn = await super()._connect(scheme, host, port, proxy)
            events.append("opened")
            return conn

    hosts = [loopback() for _ in range(12)]
    for srv in hosts:
        srv.route(r"/p/\d+", respond(200, "<title>x</title>"))
    records = [LinkRecord(f"k{i}", "url", srv.url("/p/1")) for i, srv in enumerate(hosts)]
    options.concurrency = 12
    report = check_links(records, options, session=Recording())
    assert all(r.state == "ok" for r in report.results)
    assert events.count("open") == 12
    first_opened = events.index("opened")
    last_open = len(events) - 1 - events[::-1].index("open")
    assert first_opened < last_open, events


def test_a_finished_hosts_connections_are_closed_during_the_run(
        loopback: Callable[..., LoopbackServer], options: CheckOptions) -> None:
    """A host with nothing left to ask gives its pooled connections back before the run ends."""
    from citekit.links.transport import LinkSession

    events: list[tuple[str, str]] = []

    class Recording(LinkSession):
        async def request(self, method, url, **kw):  # type: ignore[no-untyped-def]
            response = await super().request(method, url, **kw)
            events.append(("answer", url.split("/")[2].split(":")[0]))
            return response

        def close_idle(self, host: str) -> None:
            super().close_idle(host)
            assert not [k for k in self._idle if k[1] == host]
            events.append(("closed", host))

    quick, slow = loopback(), loopback(delay=0.3)
    quick.route(r"/q/\d", respond(200, "ok"))
    slow.route(r"/s", respond(200, "ok"))
    records = [LinkRecord("s", "url", slow.url("/s"))] + [LinkRecord(f"q{i}", "url", quick.url(f"/q/{i}"))
                                                         for i in range(3)]
    options.concurrency, options.host_interval = 2, 0.0
    report = check_links(records, options, session=Recording())
    assert [r.state for r in report.results] == ["ok"] * 4
    assert events.index(("closed", quick.host)) < events.index(("answer", slow.host)), events


def test_picker_says_when_a_host_is_finished() -> None:
    from citekit.links.http import HostLimiter
    from citekit.links.schedule import Picker

    picker: Picker[tuple[str, int]] = Picker(lambda plan: plan[0], HostLimiter(per_host=4, interval=0.0))
    for plan in (("a", 1), ("a", 2), ("b", 1)):
        picker.add(plan)
    first, _ = picker.take()
    second, _ = picker.take()
    third, _ = picker.take()
    assert [first, second, third] == [("a", 1), ("b", 1), ("a", 2)]
    assert not picker.done(("b", 1))  # more plans may still be added for b
    picker.closed = True
    assert not picker.done(("a", 1))  # a's second plan is still out
    assert picker.done(("a", 2))
    picker.add(("c", 1))
    picker.take()
    assert picker.done(("c", 1)) and picker.finished


def test_close_idle_closes_only_that_hosts_pools() -> None:
    from citekit.links.transport import LinkSession

    class Conn:
        def __init__(self) -> None:
            self.closed = False

        def usable(self) -> bool:
            return not self.closed

        def close(self) -> None:
            self.closed = True

    session = LinkSession(agent="t")
    conns = {key: Conn() for key in (("http", "a.example", 80), ("https", "a.example", 443), ("http", "b.example", 80))}
    for key, conn in conns.items():
        session._give(key, conn)  # type: ignore[arg-type]
    session.close_idle("A.example")
    assert [k for k, c in conns.items() if c.closed] == [("http", "a.example", 80), ("https", "a.example", 443)]
    assert session._take(("http", "b.example", 80)) is conns[("http", "b.example", 80)]
    session.close_idle("a.example")  # nothing left for it: a no-op
