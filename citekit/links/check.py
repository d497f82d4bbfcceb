"""Check a list of link records: dedupe, fetch politely in parallel, classify, find archives.

``check_links(records, options)`` is the whole pipeline; the CLI only builds the records and the
options and renders the :class:`Report`. Threads (a pool of ``concurrency`` workers) with per-host
semaphores keep every host within its limit; URLs are queued round-robin across hosts so one big
host does not hold every worker.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

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

DOI_URL = "https://doi.org"
ARCHIVE_MODES = ("failing", "all", "none")


def doi_base(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("CITEKIT_DOI_URL") or DOI_URL).rstrip("/")


@dataclass
class CheckOptions:
    timeout: float = 20.0
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


@dataclass
class LinkResult:
    key: str
    field: str
    url: str
    state: str
    http_status: int | None
    final_url: str
    reason: str
    archive_url: str | None
    archive_timestamp: str | None
    suggestion: str | None
    checked_at: str
    file: str = ""
    line: int = 0
    accessed: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    cached: bool = False
    suggestion_reason: str | None = None
    archive_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    results: list[LinkResult]
    started_at: str
    finished_at: str
    duration: float
    unique_targets: int
    requests_made: int = 0

    def summary(self) -> dict[str, Any]:
        counts = {s: 0 for s in ("ok", "redirected", "dead", "blocked", "error")}
        for r in self.results:
            counts[r.state] = counts.get(r.state, 0) + 1
        return {"total": len(self.results), "unique": self.unique_targets, **counts,
                "archived": sum(1 for r in self.results if r.archive_url),
                "link_requests": self.requests_made,
                "duration_s": round(self.duration, 3)}


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
    return dt.datetime.fromtimestamp(time.time() if ts is None else ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Checker:
    """Shared state for one run: session, limiter, cache, in-memory dedupe."""

    def __init__(self, options: CheckOptions, session: requests.Session | None = None,
                 cache: LinkCache | None = None) -> None:
        self.options = options
        self.session = session or make_session(options.user_agent, per_host=options.per_host)
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
        self._memo_lock = threading.Lock()
        self._inflight: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self.requests_made = 0

    def _count(self, n: int) -> None:
        with self._memo_lock:
            self.requests_made += n

    # -- one target -----------------------------------------------------------------------------
    def _fetch(self, url: str) -> FetchResult:
        host = host_of(url)
        if host in self.options.head_hosts:
            head = fetch(self.session, url, self.limiter, self.policy, method="HEAD")
            self._count(head.attempts)
            if head.error is None and head.status is not None and 200 <= head.status < 300:
                return head
            # HEAD is not trusted for anything but success: confirm every other answer with GET.
        result = fetch(self.session, url, self.limiter, self.policy, method="GET")
        self._count(result.attempts)
        return result

    def _check_uncached(self, target: str, url: str) -> _Outcome:
        now = time.time()
        if target.startswith("doi:"):
            api = handle_api_url(url, self.doi_base)  # as written: DOIs are case-insensitive
            host = host_of(api)
            tripped = self.limiter.is_open(host)
            if tripped:
                return _Outcome(tripped[0], None, "", tripped[1], [], now)
            res = fetch(self.session, api, self.limiter, self.policy, headers={"Accept": "application/json"})
            self._count(res.attempts)
            state, reason, registered = classify_doi(normalise_doi(url), res)
            self.limiter.record(host, state in ("blocked", "error"), state, reason)
            return _Outcome(state, res.status, registered, reason, [], time.time())
        host = host_of(url)
        if not host or not url.lower().startswith(("http://", "https://")):
            return _Outcome("error", None, "", "not a valid http(s) URL", [], now)
        tripped = self.limiter.is_open(host)
        if tripped:
            return _Outcome(tripped[0], None, "", tripped[1], [], now)
        res = self._fetch(url)
        state, reason = classify(url, res)
        self.limiter.record(host, state in ("blocked", "error"), state, reason)
        hops = [{"url": h.url, "status": h.status, "location": h.location} for h in res.hops]
        final = res.final_url if (res.hops or state == "redirected") else ""
        return _Outcome(state, res.status, final, reason, hops, time.time())

    def check_target(self, target: str, url: str) -> _Outcome:
        """Check once per run (and per cache TTL), however many entries cite the link."""
        with self._memo_lock:
            if target in self._memo:
                return self._memo[target]
            lock = self._inflight[target]
        with lock:
            with self._memo_lock:
                if target in self._memo:
                    return self._memo[target]
            outcome = None
            if self.cache is not None:
                hit = self.cache.get_link(target)
                if hit is not None:
                    outcome = _Outcome(hit.state, hit.http_status, hit.final_url, hit.reason,
                                       hit.extra.get("hops", []), hit.checked_at, cached=True)
            if outcome is None:
                outcome = self._check_uncached(target, url)
                if self.cache is not None and "not requested:" not in outcome.reason:
                    self.cache.put_link(target, outcome.state, outcome.http_status, outcome.final_url,
                                        outcome.reason, outcome.checked_at, {"hops": outcome.hops})
            with self._memo_lock:
                self._memo[target] = outcome
            return outcome

    # -- archives and suggestions ------------------------------------------------------------------
    def snapshot(self, url: str, accessed: str | None) -> Snapshot | None:
        """The capture nearest ``accessed``; looked up once per (URL, date) per run."""
        target_ts = target_timestamp(accessed) or "latest"
        key = normalise_url(url)
        memo_key = f"archive\x00{key}\x00{target_ts}"
        with self._memo_lock:
            lock = self._inflight[memo_key]
        with lock:
            with self._memo_lock:
                if memo_key in self._snap_memo:
                    return self._snap_memo[memo_key]
            snap = self._snapshot_uncached(url, key, target_ts, accessed)
            with self._memo_lock:
                self._snap_memo[memo_key] = snap
            return snap

    def _snapshot_uncached(self, url: str, key: str, target_ts: str, accessed: str | None) -> Snapshot | None:
        if self.cache is not None:
            hit = self.cache.get_archive(key, target_ts)
            if hit is not None:
                if not hit.archive_url:
                    return None
                return Snapshot(hit.archive_url, hit.archive_timestamp or "", hit.source)
        snap = self.archive.nearest(url, accessed)
        if self.cache is not None:
            self.cache.put_archive(key, target_ts, snap.archive_url if snap else None,
                                   snap.timestamp if snap else None, snap.source if snap else "")
        return snap

    def suggestion(self, url: str, accessed: str | None) -> tuple[str, str] | None:
        for cand in suggest_mod.candidates(url, accessed):
            outcome = self.check_target(normalise_url(cand.url), cand.url)
            if outcome.state in ("ok", "redirected"):
                return cand.url, cand.why
            if not cand.verify and outcome.state in ("blocked", "error"):
                return cand.url, f"{cand.why} (not confirmed: {outcome.reason})"
        return None


def _timestamp_in(archive_url: str) -> str | None:
    m = re.search(r"/(\d{14})(?:[a-z]{2}_)?/", archive_url)
    return m.group(1) if m else None


def _target_for(record: LinkRecord) -> tuple[str, str]:
    if record.field == "doi":
        return doi_target(record.url), record.url
    doi = doi_of_url(record.url)
    if doi:
        return doi_target(doi), record.url
    return normalise_url(record.url), record.url


def _round_robin(targets: dict[str, str]) -> list[tuple[str, str]]:
    """Interleave targets by host so the worker pool spreads over hosts from the start."""
    by_host: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
    for target, url in targets.items():
        by_host.setdefault("doi" if target.startswith("doi:") else host_of(url), []).append((target, url))
    out: list[tuple[str, str]] = []
    queues = list(by_host.values())
    i = 0
    while queues:
        q = queues[i % len(queues)]
        out.append(q.pop(0))
        if not q:
            queues.remove(q)
        else:
            i += 1
        if queues:
            i %= len(queues)
    return out


def check_links(records: list[LinkRecord], options: CheckOptions | None = None, *,
                session: requests.Session | None = None, cache: LinkCache | None = None,
                progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every record; one result per record, in input order."""
    options = options or CheckOptions()
    if options.archive not in ARCHIVE_MODES:
        raise ValueError(f"archive mode must be one of {', '.join(ARCHIVE_MODES)}")
    started = time.time()
    checker = Checker(options, session, cache)
    targets: dict[str, str] = {}
    for rec in records:
        target, url = _target_for(rec)
        targets.setdefault(target, url)
    order = _round_robin(targets)
    total = len(order)
    done = 0
    done_lock = threading.Lock()

    def run(item: tuple[str, str]) -> None:
        nonlocal done
        checker.check_target(*item)
        if progress is not None:
            with done_lock:
                done += 1
                progress(done, total)

    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        list(pool.map(run, order))

        # Phase 2, per record: archives for failing links (or all), suggestions for dead ones.
        def finish(rec: LinkRecord) -> LinkResult:
            target, url = _target_for(rec)
            out = checker.check_target(target, url)
            archive_url = archive_ts = source = None
            if rec.archive_url and options.archive == "failing" and out.state != "ok":
                # The entry already records a copy (archive --write): report it, ask nobody.
                archive_url, source = rec.archive_url, "entry"
                archive_ts = _timestamp_in(rec.archive_url) or (
                    rec.archive_date.replace("-", "")[:8].ljust(8, "0") + "000000" if rec.archive_date else None)
            elif rec.field == "url" and not target.startswith("doi:") and (
                    options.archive == "all" or (options.archive == "failing" and out.state != "ok")):
                snap = checker.snapshot(url, rec.accessed)
                if snap:
                    archive_url, archive_ts, source = snap.archive_url, snap.timestamp, snap.source
            sugg = sugg_why = None
            if out.state == "redirected" and out.final_url:
                sugg, sugg_why = out.final_url, "the server redirects permanently to this URL"
            elif out.state != "ok" and rec.field == "url" and options.suggest:
                found = checker.suggestion(url, rec.accessed)
                if found:
                    sugg, sugg_why = found
            shown = url if rec.field == "url" else f"{checker.doi_base}/{rec.url}"
            return LinkResult(
                key=rec.key, field=rec.field, url=shown, state=out.state, http_status=out.http_status,
                final_url=out.final_url, reason=out.reason, archive_url=archive_url,
                archive_timestamp=archive_ts, suggestion=sugg, checked_at=_now_iso(out.checked_at),
                file=rec.path, line=rec.line, accessed=rec.accessed, hops=out.hops, cached=out.cached,
                suggestion_reason=sugg_why, archive_source=source)

        results = list(pool.map(finish, records))
    finished = time.time()
    return Report(results, _now_iso(started), _now_iso(finished), finished - started, total,
                  checker.requests_made)


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
    """Every link ended in a connection-level error: the checker could not really run (exit 3)."""
    if len(report.results) < 3:
        return False
    kinds = ("timed out", "connection refused", "host name does not resolve", "connection reset", "TLS")
    return all(r.state == "error" and any(k in r.reason for k in kinds) for r in report.results)
