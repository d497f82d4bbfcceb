"""Polite, bounded HTTP for the link checker (asyncio, over :mod:`citekit.links.transport`).

Every request goes through :func:`fetch`: one deadline for the whole exchange, body capped at a
few KB, redirects followed by hand so each hop is recorded, retries with exponential backoff and
full jitter, ``Retry-After`` honoured up to a cap, and a per-host slot from :class:`HostLimiter`
(semaphore, spacing, pause, circuit breaker). Nothing here prints; callers get a
:class:`FetchResult`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from citekit.links.transport import FetchError, LinkSession, RawResponse, split_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# 429 and these 5xx are worth a second try; 404/410 never are within one run.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def citekit_version() -> str:
    """``citekit.__version__`` when the package defines it, else the installed distribution's."""
    try:
        import citekit

        version = getattr(citekit, "__version__", None)
        if version:
            return str(version)
    except ImportError:  # pragma: no cover - citekit is always importable here
        pass
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        return dist_version("citekit")
    except PackageNotFoundError:
        return "dev"


def user_agent() -> str:
    """An honest User-Agent: sites can see who is checking and where to complain."""
    return f"citekit/{citekit_version()} (+https://github.com/citekit/citekit; link checker)"


def make_session(agent: str | None = None, host_headers: dict[str, dict[str, str]] | None = None) -> LinkSession:
    """A session for one run (connection pools per host; ``host_headers`` sent only to their host)."""
    return LinkSession(agent or "", dict(host_headers or {}))


@functools.lru_cache(maxsize=8192)
def host_of(url: str) -> str:
    """The lower-cased host of ``url`` ("" when there is none). Cached: every request asks several times."""
    try:
        return (split_url(url).hostname or "").lower()
    except ValueError:
        return ""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds, an HTTP-date, or ``30s``/``1m30s``.

    The last form is not standard but local-government CMSs send it (linkinator #713).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    m = re.fullmatch(r"(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s)?", value)
    if m and any(m.groups()):
        h, mi, s = m.groups()
        return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass
class Hop:
    url: str
    status: int
    location: str


@dataclass
class FetchResult:
    """What one logical fetch (all hops, all retries) saw."""

    url: str
    method: str = "GET"
    status: int | None = None
    final_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    hops: list[Hop] = field(default_factory=list)
    error: str | None = None  # timeout, slow, connection-refused, connection-reset, tls, dns, redirect-loop, ...
    detail: str = ""
    attempts: int = 0
    retry_after_exceeded: float | None = None  # the server asked us to wait longer than the cap
    tripped: tuple[str, str] | None = None  # (state, reason) when a host's breaker stopped the fetch

    @property
    def permanent_redirect(self) -> bool:
        return any(h.status in PERMANENT_REDIRECTS for h in self.hops)


@dataclass
class FetchPolicy:
    timeout: float = 20.0  # one deadline per request: connect, headers and body
    retries: int = 2
    backoff_base: float = 1.0
    max_backoff: float = 30.0
    max_retry_wait: float = 60.0
    max_redirects: int = 10
    max_bytes: int = 16384
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class _HostState:
    __slots__ = ("sem", "next_start", "paused_until", "failures", "open_reason", "open_state")

    def __init__(self, limit: int) -> None:
        self.sem = asyncio.Semaphore(limit)
        self.next_start = 0.0  # the earliest start of the next request (spacing)
        self.paused_until = 0.0
        self.failures = 0
        self.open_reason: str | None = None
        self.open_state: str | None = None


class HostLimiter:
    """Per-host politeness for one event loop.

    ``per_host`` requests in flight at most, starts spaced by ``interval`` seconds, a host-wide
    pause after Retry-After, and a circuit breaker that opens after ``breaker_threshold``
    consecutive failed links (bot walls, timeouts, refused connections) on that host.
    """

    def __init__(self, per_host: int = 4, interval: float = 0.05, breaker_threshold: int = 3,
                 overrides: dict[str, tuple[int, float]] | None = None) -> None:
        self.per_host = max(1, per_host)
        self.interval = max(0.0, interval)
        self.breaker_threshold = breaker_threshold
        self.overrides = overrides or {}
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        st = self._hosts.get(host)
        if st is None:
            limit = self.overrides.get(host, (self.per_host, self.interval))[0]
            st = self._hosts[host] = _HostState(limit)
        return st

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        st = self._state(host)
        async with st.sem:
            now = time.monotonic()
            start = max(now, st.next_start, st.paused_until)
            st.next_start = start + self._interval(host)
            await _sleep_until(start, st)
            yield

    def _interval(self, host: str) -> float:
        return self.overrides.get(host, (self.per_host, self.interval))[1]

    def ready_at(self, host: str) -> float:
        """When a new request to ``host`` could start without waiting (now or earlier: at once)."""
        st = self._state(host)
        return float("inf") if st.sem.locked() else max(st.next_start, st.paused_until)

    def pause(self, host: str, seconds: float) -> None:
        """Hold every new request to ``host`` for ``seconds`` (a Retry-After applies to the host)."""
        st = self._state(host)
        st.paused_until = max(st.paused_until, time.monotonic() + seconds)

    def record(self, host: str, failed: bool, state: str = "error", reason: str = "") -> None:
        st = self._state(host)
        if not failed:
            st.failures = 0
            return
        st.failures += 1
        if self.breaker_threshold and st.failures >= self.breaker_threshold and st.open_reason is None:
            st.open_state = state
            st.open_reason = f"not requested: {host} failed {st.failures} links in a row (last: {reason})"

    def trip(self, host: str, state: str, reason: str) -> None:
        """Open ``host``'s breaker now, for the rest of the run."""
        st = self._state(host)
        if st.open_reason is None:
            st.open_state, st.open_reason = state, f"not requested: {reason}"

    def is_open(self, host: str) -> tuple[str, str] | None:
        st = self._state(host)
        if st.open_reason is None:
            return None
        return st.open_state or "error", st.open_reason


async def _sleep_until(when: float, st: _HostState) -> None:
    now = time.monotonic()
    when = max(when, st.paused_until)
    while when > now:
        await asyncio.sleep(when - now)
        now = time.monotonic()
        when = max(when, st.paused_until)  # a Retry-After that arrived meanwhile holds us too


RETRYABLE_ERRORS = frozenset({"timeout", "slow", "connection-reset"})


@dataclass
class Answer:
    """One hop after its retries."""

    response: RawResponse | None
    error: str | None = None
    detail: str = ""
    attempts: int = 0
    retry_after_exceeded: float | None = None
    tripped: tuple[str, str] | None = None  # (state, reason): the host's breaker was open, nothing sent


async def request_with_retries(session: LinkSession, method: str, url: str, limiter: HostLimiter,
                               policy: FetchPolicy, headers: dict[str, str] | None = None,
                               body: bytes | None = None, slot_key: str | None = None,
                               observe: Callable[[RawResponse | None, str | None], None] | None = None) -> Answer:
    """One hop: retried on timeouts, resets, 408/429/5xx. ``slot_key`` names the politeness budget;
    ``observe`` sees every attempt while its slot is still held (the archive's breaker counts them)."""
    host = slot_key or host_of(url)
    attempts = 0
    while True:
        attempts += 1
        resp, error, detail, asked = None, None, "", None
        async with limiter.slot(host):
            # Checked in the slot: links queued behind the one that opened the breaker are not sent.
            tripped = limiter.is_open(host)
            if tripped:
                return Answer(None, "not-requested", tripped[1], attempts - 1, tripped=tripped)
            try:
                resp = await session.request(method, url, timeout=policy.timeout, max_bytes=policy.max_bytes,
                                             headers=headers, body=body)
            except FetchError as exc:
                error, detail = exc.kind, exc.detail
            if observe is not None:
                observe(resp, error)
            if resp is not None and resp.status in (429, 503):
                asked = parse_retry_after(resp.headers.get("retry-after"))
                if asked is not None and asked <= policy.max_retry_wait:
                    # Pause the host before the slot is released, so no other request slips in.
                    limiter.pause(host, asked)
        if asked is not None and asked > policy.max_retry_wait:
            # Waiting that long would stall the host's other links: give up on this one now.
            return Answer(resp, error, detail, attempts, asked)
        retryable = (error in RETRYABLE_ERRORS) or (
            resp is not None and resp.status in RETRY_STATUSES
            and "cf-mitigated" not in resp.headers  # a challenge does not go away by asking again
        )
        if not retryable or attempts > policy.retries:
            return Answer(resp, error, detail, attempts)
        if asked is None:
            ceiling = min(policy.max_backoff, policy.backoff_base * (2 ** (attempts - 1)))
            await policy.sleep(policy.rng.uniform(0, ceiling))  # full jitter: no retries in lockstep
        # With a Retry-After the host pause already holds this retry (and everyone else's) back.


async def fetch(session: LinkSession, url: str, limiter: HostLimiter, policy: FetchPolicy,
                method: str = "GET", headers: dict[str, str] | None = None) -> FetchResult:
    """Fetch ``url`` following redirects by hand (each hop recorded, loops and overlong chains caught)."""
    result = FetchResult(url=url, method=method, final_url=url)
    current = url
    seen = {url}
    while True:
        answer = await request_with_retries(session, method, current, limiter, policy, headers)
        result.attempts += answer.attempts
        result.final_url = current
        if answer.retry_after_exceeded is not None:
            result.retry_after_exceeded = answer.retry_after_exceeded
        resp = answer.response
        if resp is None:
            result.error, result.detail, result.tripped = answer.error, answer.detail, answer.tripped
            result.status = None  # no final response (an earlier hop's status is in hops)
            return result
        result.status = resp.status
        result.headers = resp.headers
        result.body = resp.body
        location = resp.headers.get("location")
        if resp.status not in REDIRECT_STATUSES or not location:
            return result
        try:
            nxt = urljoin(current, location.strip())
            urlsplit(nxt).port  # noqa: B018 - raises ValueError for a bad port or IPv6 literal
        except ValueError:
            result.hops.append(Hop(current, resp.status, location.strip()))
            result.error, result.detail = "invalid-redirect", f"redirect to an invalid URL: {location.strip()[:200]}"
            return result
        result.hops.append(Hop(current, resp.status, nxt))
        if nxt in seen:
            result.error, result.detail = "redirect-loop", f"redirect loop back to {nxt}"
            return result
        if len(result.hops) > policy.max_redirects:
            result.error, result.detail = "too-many-redirects", f"more than {policy.max_redirects} redirects"
            return result
        if not nxt.lower().startswith(("http://", "https://")):
            result.error, result.detail = "invalid-redirect", f"redirect to a URL that is not http(s): {nxt[:200]}"
            return result
        seen.add(nxt)
        current = nxt
        if resp.status == 303:
            method = "GET"
