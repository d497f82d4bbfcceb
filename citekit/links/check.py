"""Check a list of link records: dedupe, fetch politely in parallel, classify, find archives.

``check_links(records, options)`` is the whole pipeline; the CLI only builds the records and the
options and renders the :class:`Report`. One asyncio event loop runs ``concurrency`` workers over
a round-robin queue of targets (so one big host does not hold every worker); per-host semaphores
and spacing keep every host within its limit. Nothing a single link or archive answer does can
abort the run: each failure becomes that link's ``error``, with the reason.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import gc
import os
import random
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from citekit.links import suggest as suggest_mod
from citekit.links.archive import ArchiveClient, Snapshot, target_timestamp
from citekit.links.cache import LinkCache
from citekit.links.classify import classify, classify_doi
from citekit.links.http import FetchPolicy, FetchResult, HostLimiter, fetch, host_of, make_session
from citekit.links.records import (
    LinkRecord,
    doi_of_url,
    doi_target,
    handle_api_url,
    normalise_doi,
    normalise_url,
)
from citekit.links.results import LinkResult, Report
from citekit.links.schedule import Picker, pool
from citekit.links.settings import LinkRules
from citekit.links.transport import LinkSession
from citekit.perf import paused_gc

DOI_URL = "https://doi.org"
ARCHIVE_MODES = ("failing", "all", "none")




def doi_base(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("CITEKIT_DOI_URL") or DOI_URL).rstrip("/")


@dataclass
class CheckOptions:
    timeout: float = 20.0  # one deadline per request: connect, headers and body
    retries: int = 2
    max_retry_wait: float = 60.0
    backoff_base: float = 1.0
    concurrency: int = 32
    per_host: int = 4
    host_interval: float = 0.05  # seconds between request starts to one host
    breaker_threshold: int = 3
    max_redirects: int = 10
    max_bytes: int = 16384
    archive: str = "failing"  # failing | all | none
    wayback_url: str | None = None
    doi_url: str | None = None
    timegates: list[str] = field(default_factory=list)
    head_hosts: set[str] = field(default_factory=set)  # hosts where HEAD is known to suffice
    cdx_interval: float = 2.5
    archive_interval: float = 0.125
    suggest: bool = True
    user_agent: str | None = None
    seed: int | None = None
    rules: LinkRules = field(default_factory=LinkRules)  # exclude, accept, remap, headers, offline, cache age


@dataclass
class _Outcome:
    state: str
    http_status: int | None
    final_url: str
    reason: str
    hops: list[dict[str, Any]]
    checked_at: float
    cached: bool = False


def _now_iso(ts: float | None = None) -> str:
    return _iso_second(int(time.time() if ts is None else ts))


@functools.lru_cache(maxsize=256)
def _iso_second(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _internal(exc: BaseException) -> str:
    return f"internal error while checking this link: {type(exc).__name__}: {str(exc)[:200]}"


class Checker:
    """Shared state for one run (one event loop): session, limiter, cache, in-memory dedupe."""

    def __init__(self, options: CheckOptions, session: LinkSession | None = None,
                 cache: LinkCache | None = None) -> None:
        self.options = options
        self.rules = options.rules
        self.session = session or make_session(options.user_agent, self.rules.headers)
        for host, headers in self.rules.headers.items():
            self.session.host_headers.setdefault(host, dict(headers))
        self.limiter = HostLimiter(options.per_host, options.host_interval, options.breaker_threshold)
        rng = random.Random(options.seed)
        self.policy = FetchPolicy(timeout=options.timeout, retries=options.retries,
                                  backoff_base=options.backoff_base, max_retry_wait=options.max_retry_wait,
                                  max_redirects=options.max_redirects, max_bytes=options.max_bytes, rng=rng)
        self.cache = cache
        self.doi_base = doi_base(options.doi_url)
        self.archive = ArchiveClient(self.session, self.limiter, self.policy, options.wayback_url,
                                     options.timegates, options.cdx_interval, options.archive_interval)
        self._memo: dict[str, _Outcome] = {}
        self._snap_memo: dict[str, Snapshot | None] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self.requests_made = 0

    # -- one target -----------------------------------------------------------------------------
    async def _fetch(self, url: str) -> FetchResult:
        if host_of(url) in self.options.head_hosts:
            head = await fetch(self.session, url, self.limiter, self.policy, method="HEAD")
            self.requests_made += head.attempts
            if head.error is None and head.status is not None and 200 <= head.status < 300:
                return head
            # HEAD is not trusted for anything but success: confirm every other answer with GET.
        result = await fetch(self.session, url, self.limiter, self.policy, method="GET")
        self.requests_made += result.attempts
        return result

    async def _check_uncached(self, target: str, url: str, written: str) -> _Outcome:
        now = time.time()
        if target.startswith("doi:"):
            api = handle_api_url(url, self.doi_base)  # as written: DOIs are case-insensitive
            host = host_of(api)
            tripped = self.limiter.is_open(host)
            if tripped:
                return _Outcome(tripped[0], None, "", tripped[1], [], now)
            res = await fetch(self.session, api, self.limiter, self.policy, headers={"Accept": "application/json"})
            self.requests_made += res.attempts
            if res.tripped:
                return _Outcome(res.tripped[0], None, "", res.tripped[1], [], now)
            state, reason, registered = classify_doi(normalise_doi(url), res)
            self.limiter.record(host, state in ("blocked", "error"), state, reason)
            return _Outcome(state, res.status, registered, reason, [], time.time())
        host = host_of(url)
        if not host or not url.lower().startswith(("http://", "https://")):
            return _Outcome("error", None, "", "not a valid http(s) URL", [], now)
        tripped = self.limiter.is_open(host)
        if tripped:
            return _Outcome(tripped[0], None, "", tripped[1], [], now)
        res = await self._fetch(url)
        if res.tripped:
            return _Outcome(res.tripped[0], None, "", res.tripped[1], [], now)
        state, reason = classify(url, res, self.rules.accepted(written))
        self.limiter.record(host, state in ("blocked", "error"), state, reason)
        hops = [{"url": h.url, "status": h.status, "location": h.location} for h in res.hops]
        final = res.final_url if (res.hops or state == "redirected") else ""
        return _Outcome(state, res.status, final, reason, hops, time.time())

    def _from_cache(self, target: str) -> _Outcome | None:
        if self.cache is None:
            return None
        # Offline, any cached answer is better than none (unless older than max-cache-age).
        hit = self.cache.get_link(target, fresh_only=not self.rules.offline, max_age=self.rules.max_cache_age)
        if hit is None:
            return None
        return _Outcome(hit.state, hit.http_status, hit.final_url, hit.reason, hit.extra.get("hops", []),
                        hit.checked_at, cached=True)

    def known(self, target: str) -> bool:
        """Whether ``target`` is answered without the network (cache, or offline); remembers it."""
        if target in self._memo:
            return True
        outcome = self._from_cache(target)
        if outcome is None and self.rules.offline:
            outcome = _Outcome("error", None, "", "offline: no cached answer for this link", [], time.time())
        if outcome is not None:
            self._memo[target] = outcome
        return outcome is not None

    def host_key(self, plan: _Plan) -> str:
        """The politeness budget the plan's first request goes through."""
        return host_of(self.doi_base if plan.target.startswith("doi:") else plan.checked)

    async def check_target(self, target: str, url: str, written: str | None = None) -> _Outcome:
        """Check once per run (and per cache age), however many entries cite the link."""
        if target in self._memo or self.known(target):
            return self._memo[target]
        pending = self._inflight.get(target)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = self._inflight[target] = asyncio.get_running_loop().create_future()
        try:
            outcome = await self._check_uncached(target, url, written or url)
            if self.cache is not None and "not requested:" not in outcome.reason:
                self.cache.put_link(target, outcome.state, outcome.http_status, outcome.final_url,
                                    outcome.reason, outcome.checked_at, {"hops": outcome.hops})
        except Exception as exc:  # noqa: BLE001 - one link's failure is that link's error, never the run's
            outcome = _Outcome("error", None, "", _internal(exc), [], time.time())
        self._memo[target] = outcome
        del self._inflight[target]
        pending.set_result(outcome)
        return outcome

    # -- archives and suggestions ------------------------------------------------------------------
    async def snapshot(self, url: str, accessed: str | None) -> Snapshot | None:
        """The capture nearest ``accessed``; looked up once per (URL, date) per run."""
        target_ts = target_timestamp(accessed) or "latest"
        key = normalise_url(url)
        memo_key = f"archive\x00{key}\x00{target_ts}"
        if memo_key in self._snap_memo:
            return self._snap_memo[memo_key]
        pending = self._inflight.get(memo_key)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = self._inflight[memo_key] = asyncio.get_running_loop().create_future()
        snap = None
        try:
            snap = await self._snapshot_uncached(url, key, target_ts, accessed)
        except Exception as exc:  # noqa: BLE001 - an archive answer never aborts the run
            self.archive.status.failed(f"{type(exc).__name__}: {exc}")
        self._snap_memo[memo_key] = snap
        del self._inflight[memo_key]
        pending.set_result(snap)
        return snap

    async def _snapshot_uncached(self, url: str, key: str, target_ts: str,
                                 accessed: str | None) -> Snapshot | None:
        if self.cache is not None:
            hit = self.cache.get_archive(key, target_ts)
            if hit is not None:
                if not hit.archive_url:
                    return None
                return Snapshot(hit.archive_url, hit.archive_timestamp or "", hit.source)
        if self.rules.offline:
            return None
        snap, definitive = await self.archive.nearest(url, accessed)
        if self.cache is not None and definitive:  # a look-up that failed is not "no capture"
            self.cache.put_archive(key, target_ts, snap.archive_url if snap else None,
                                   snap.timestamp if snap else None, snap.source if snap else "")
        return snap

    async def suggestion(self, url: str, accessed: str | None) -> tuple[str, str] | None:
        for cand in suggest_mod.candidates(url, accessed):
            if self.rules.excluded(cand.url):
                continue
            outcome = await self.check_target(normalise_url(cand.url), cand.url)
            if outcome.state in ("ok", "redirected"):
                return cand.url, cand.why
            if not cand.verify and outcome.state in ("blocked", "error"):
                return cand.url, f"{cand.why} (not confirmed: {outcome.reason})"
        return None

    def finish_now(self, rec: LinkRecord, plan: _Plan) -> LinkResult | None:
        """Phase 2 without awaiting, for the common case (an ``ok`` link, nothing to look up)."""
        out = self._memo.get(plan.target)
        if plan.excluded or out is None or out.state != "ok" or self.options.archive == "all":
            return None
        shown = rec.url if rec.field == "url" else f"{self.doi_base}/{rec.url}"
        return _result(rec, shown, out, extra=plan.note)

    async def finish(self, rec: LinkRecord, plan: _Plan) -> LinkResult:
        """Phase 2 for one record: its state, archive copy and suggestion."""
        shown = rec.url if rec.field == "url" else f"{self.doi_base}/{rec.url}"
        if plan.excluded:
            return _result(rec, shown, _Outcome("excluded", None, "", plan.excluded, [], time.time()))
        out = await self.check_target(plan.target, plan.checked, plan.written)
        try:
            return await self._finish(rec, plan, out, shown)
        except Exception as exc:  # noqa: BLE001 - the state stands; what failed is said in the reason
            return _result(rec, shown, out, extra=f"; {_internal(exc)}")

    async def _finish(self, rec: LinkRecord, plan: _Plan, out: _Outcome, shown: str) -> LinkResult:
        opts = self.options
        archive_url = archive_ts = source = None
        if rec.archive_url and opts.archive == "failing" and out.state != "ok":
            # The entry already records a copy (archive --write): report it, ask nobody.
            archive_url, source = rec.archive_url, "entry"
            archive_ts = _timestamp_in(rec.archive_url) or (
                rec.archive_date.replace("-", "")[:8].ljust(8, "0") + "000000" if rec.archive_date else None)
        elif rec.field == "url" and not plan.target.startswith("doi:") and (
                opts.archive == "all" or (opts.archive == "failing" and out.state != "ok")):
            snap = await self.snapshot(plan.checked, rec.accessed)
            if snap:
                archive_url, archive_ts, source = snap.archive_url, snap.timestamp, snap.source
        sugg = sugg_why = None
        if out.state == "redirected" and out.final_url:
            sugg, sugg_why = out.final_url, "the server redirects permanently to this URL"
        elif out.state != "ok" and rec.field == "url" and opts.suggest and not self.rules.offline:
            found = await self.suggestion(plan.checked, rec.accessed)
            if found:
                sugg, sugg_why = found
        res = _result(rec, shown, out, extra=plan.note)
        res.archive_url, res.archive_timestamp, res.archive_source = archive_url, archive_ts, source
        res.suggestion, res.suggestion_reason = sugg, sugg_why
        return res


@dataclass(frozen=True)
class _Plan:
    target: str  # the dedupe key
    checked: str  # the URL requested (after remap)
    written: str  # the URL as written (what exclude and accept patterns see)
    excluded: str | None = None

    @property
    def note(self) -> str:
        """Said after the reason when the URL was remapped."""
        return f" (checked as {self.checked})" if self.checked != self.written else ""


def _result(rec: LinkRecord, shown: str, out: _Outcome, extra: str = "") -> LinkResult:
    return LinkResult(
        key=rec.key, field=rec.field, url=shown, state=out.state, http_status=out.http_status,
        final_url=out.final_url, reason=out.reason + extra, archive_url=None, archive_timestamp=None,
        suggestion=None, checked_at=_now_iso(out.checked_at), file=rec.path, line=rec.line,
        accessed=rec.accessed, hops=out.hops, cached=out.cached)


def _timestamp_in(archive_url: str) -> str | None:
    m = re.search(r"/(\d{14})(?:[a-z]{2}_)?/", archive_url)
    return m.group(1) if m else None


def _plan(record: LinkRecord, rules: LinkRules) -> _Plan:
    if record.field == "doi":
        written = f"{DOI_URL}/{record.url}"  # patterns see the canonical doi.org URL
        return _Plan(doi_target(record.url), record.url, written, rules.excluded(written))
    excluded = rules.excluded(record.url)
    checked = rules.remapped(record.url)
    doi = doi_of_url(checked)
    if doi:
        return _Plan(doi_target(doi), checked, record.url, excluded)
    return _Plan(normalise_url(checked), checked, record.url, excluded)


async def check_links_async(records: list[LinkRecord], options: CheckOptions | None = None, *,
                            session: LinkSession | None = None, cache: LinkCache | None = None,
                            progress: Callable[[int, int], None] | None = None) -> Report:
    """:func:`check_links` for a caller that is already in an event loop."""
    options = options or CheckOptions()
    if options.archive not in ARCHIVE_MODES:
        raise ValueError(f"archive mode must be one of {', '.join(ARCHIVE_MODES)}")
    # The run allocates many short-lived objects freed by reference counting; full collections of
    # the heap found nothing and stalled the start by 50 ms or more (see the README, "Benchmark").
    with paused_gc():
        return await _check(records, options, session, cache, progress)


async def _check(records: list[LinkRecord], options: CheckOptions, session: LinkSession | None,
                 cache: LinkCache | None, progress: Callable[[int, int], None] | None) -> Report:
    started = time.time()
    checker = Checker(options, session, cache)
    plans: list[_Plan] = []
    targets: dict[str, _Plan] = {}
    waiting: dict[str, list[int]] = {}  # target -> records to finish once it is checked
    results: list[LinkResult | None] = [None] * len(records)
    picker = Picker(checker.host_key, checker.limiter)
    workers = max(1, options.concurrency)
    done = 0

    async def feed() -> None:
        """Plan the records while the first requests are out: planning a big library takes a while."""
        nonlocal done
        for i, rec in enumerate(records):
            plan = _plan(rec, options.rules)
            plans.append(plan)
            if plan.excluded:
                pass
            elif plan.target in waiting:
                waiting[plan.target].append(i)
            elif plan.target in targets or checker.known(plan.target):
                results[i] = checker.finish_now(rec, plan)
                if plan.target not in targets:
                    targets[plan.target] = plan
                    done += 1
            else:
                targets[plan.target] = plan
                waiting[plan.target] = [i]
                picker.add(plan)
                if len(targets) <= workers:
                    # One new request per turn of the loop at first: opening a connection costs
                    # a few turns, and with every worker starting in one turn the first request
                    # went out only after all of them had begun (15 ms in, for 64 workers).
                    picker.notify()
                    await asyncio.sleep(0)
                    continue
            if i % 128 == 127:
                picker.notify(everyone=True)
                await asyncio.sleep(0)
        picker.closed = True
        picker.notify(everyone=True)

    async def worker() -> None:
        nonlocal done
        while not picker.finished:
            plan, ready = picker.take()
            if plan is None:
                await picker.wait(ready)
                continue
            if picker.finished:
                # The last request goes out now. The collector, paused for the run, would scan
                # the run's survivors as soon as it is back on (2-3 ms for 2,000 links): do that
                # next turn, while the last answers are awaited, instead of after them.
                asyncio.get_running_loop().call_soon(gc.collect, 0)
            await checker.check_target(plan.target, plan.checked, plan.written)
            picker.notify(everyone=picker.finished)
            if picker.done(plan):
                # Closing a connection costs a few turns of the loop: spend them now, while other
                # hosts are still answering, and not all at the end of the run.
                checker.session.close_idle(checker.host_key(plan))
            # The common case (ok, nothing to look up) is finished now, while others wait on the network.
            for i in waiting.pop(plan.target, ()):
                results[i] = checker.finish_now(records[i], plans[i])
            done += 1
            if progress is not None:
                progress(done, len(targets))

    try:
        await asyncio.gather(feed(), *(worker() for _ in range(workers)))
        # Phase 2, per record: archives for failing links (or all), suggestions for dead ones.
        rest = [i for i, r in enumerate(results) if r is None]
        for i, res in zip(rest, await pool(rest, lambda i: checker.finish(records[i], plans[i]), options.concurrency),
                          strict=True):
            results[i] = res
    finally:
        await checker.session.aclose()
    finished = time.time()
    return Report(results, _now_iso(started), _now_iso(finished), finished - started, len(targets),
                  checker.requests_made, checker.archive.status)


def check_links(records: list[LinkRecord], options: CheckOptions | None = None, *,
                session: LinkSession | None = None, cache: LinkCache | None = None,
                progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every record; one result per record, in input order."""
    box: list[Report] = []

    async def run() -> None:
        # The report is handed out through ``box``, not as the main task's result: on exit
        # asyncio.run formats its SIGINT handler, and with it the task's result, with repr().
        box.append(await check_links_async(records, options, session=session, cache=cache, progress=progress))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run())
    else:
        with ThreadPoolExecutor(1) as pool:  # called from inside a loop (a notebook): run beside it
            pool.submit(asyncio.run, run()).result()
    return box[0]


# -- exit policy ----------------------------------------------------------------------------------
def actionable(report: Report, fail_on: set[str], allow_archived: bool = False) -> list[LinkResult]:
    """The results that should fail CI under ``fail_on`` (default ``{"dead"}``)."""
    out = []
    for r in report.results:
        if r.state not in fail_on:
            continue
        if allow_archived and r.state == "dead" and r.archive_url:
            continue
        out.append(r)
    return out


def network_down(report: Report) -> bool:
    """Every checked link ended in a connection-level error: the checker could not really run (exit 3)."""
    checked = [r for r in report.results if r.state != "excluded"]
    if len(checked) < 3:
        return False
    kinds = ("timed out", "connection refused", "host name does not resolve", "connection reset", "TLS")
    return all(r.state == "error" and any(k in r.reason for k in kinds) for r in checked)
