"""Suggestions for known government moves, and the SQLite cache (TTL per state, two processes)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from citekit.links.cache import LinkCache
from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord
from citekit.links.suggest import candidates
from tests.servers import LoopbackServer


def test_wpcontent_typo_suggests_the_sibling_when_it_resolves(origin: LoopbackServer, options: CheckOptions) -> None:
    """Acceptance 2 on loopback: item 10's 'wpcontent' URL is dead, its 'wp-content' sibling suggested."""
    url = origin.url("/wpcontent/uploads/2018/10/plan.pdf")
    res = check_links([LinkRecord("nstc2018", "url", url, accessed="2021-07-16")], options).results[0]
    assert res.state == "dead"
    assert res.suggestion == origin.url("/wp-content/uploads/2018/10/plan.pdf")
    assert "wp-content" in (res.suggestion_reason or "")


def test_no_suggestion_when_the_sibling_is_dead_too(loopback, options: CheckOptions) -> None:  # noqa: ANN001
    srv = loopback()  # every path 404s
    res = check_links([LinkRecord("k", "url", srv.url("/wpcontent/x.pdf"))], options).results[0]
    assert res.state == "dead" and res.suggestion is None


def test_crs_and_whitehouse_rules() -> None:
    crs = candidates("https://fas.org/sgp/crs/misc/R44308.pdf")
    assert crs[0].url == "https://crsreports.congress.gov/product/details?prodcode=R44308"
    assert crs[1].url == "https://sgp.fas.org/crs/misc/R44308.pdf"
    wh = candidates("https://www.whitehouse.gov/wp-content/uploads/2018/10/plan.pdf", "2019-05-01")
    assert wh[0].url == "https://trumpwhitehouse.archives.gov/wp-content/uploads/2018/10/plan.pdf"
    obama = candidates("https://www.whitehouse.gov/the-press-office/2014/10/27/x", "2015-01-01")
    assert obama[0].url.startswith("https://obamawhitehouse.archives.gov/")
    assert candidates("https://www.whitehouse.gov/", "2015-01-01") == []  # the home page did not move
    item10 = candidates("https://trumpwhitehouse.archives.gov/wpcontent/uploads/2018/10/"
                        "Advanced-Manufacturing-Strategic-Plan-2018.pdf")
    assert item10[0].url == ("https://trumpwhitehouse.archives.gov/wp-content/uploads/2018/10/"
                             "Advanced-Manufacturing-Strategic-Plan-2018.pdf")


def test_cache_serves_ok_and_rechecks_dead(origin: LoopbackServer, options: CheckOptions, tmp_path: Path) -> None:
    records = [LinkRecord("a", "url", origin.url("/ok.html")), LinkRecord("b", "url", origin.url("/gone"))]
    with LinkCache(tmp_path / "c.sqlite3") as cache:
        check_links(records, options, cache=cache)
        second = check_links(records, options, cache=cache)
    assert len(origin.requests("/ok.html")) == 1  # ok: served from the cache
    assert len(origin.requests("/gone")) == 2  # dead: re-checked every run
    assert [r.cached for r in second.results] == [True, False]
    assert second.results[0].state == "ok"


def test_cache_ttl_per_state(tmp_path: Path) -> None:
    with LinkCache(tmp_path / "c.sqlite3") as cache:
        now = time.time()
        cache.put_link("http://a/", "ok", 200, "", "", checked_at=now - 6 * 86400)
        cache.put_link("http://b/", "ok", 200, "", "", checked_at=now - 8 * 86400)
        cache.put_link("http://c/", "blocked", 403, "", "", checked_at=now - 2 * 86400)
        cache.put_link("doi:10.1/x", "ok", 200, "", "", checked_at=now - 20 * 86400)
        cache.put_archive("http://a/", "20210716235959", None, None, "", looked_up_at=now - 2 * 86400)
        cache.put_archive("http://b/", "20210716235959", "http://wb/web/2020/http://b/", "20200101000000",
                          "wayback", looked_up_at=now - 900 * 86400)
        assert cache.get_link("http://a/") is not None
        assert cache.get_link("http://b/") is None
        assert cache.get_link("http://c/") is None
        assert cache.get_link("doi:10.1/x") is not None
        assert cache.get_link("http://b/", fresh_only=False) is not None  # kept for --prefer-archive
        assert cache.get_archive("http://a/", "20210716235959") is None  # "no capture" expires
        assert cache.get_archive("http://b/", "20210716235959") is not None  # captures are forever


def _writer(path: str, worker: int, n: int) -> None:
    with LinkCache(path, busy_timeout=30) as cache:
        for i in range(n):
            cache.put_link(f"http://h/{worker}/{i}", "ok", 200, "", "")
            cache.get_link(f"http://h/{(worker + 1) % 2}/{i}")


def test_two_processes_share_the_cache(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    LinkCache(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 150)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with LinkCache(path) as cache:
        assert all(cache.get_link(f"http://h/{w}/{i}") for w in range(2) for i in range(150))
