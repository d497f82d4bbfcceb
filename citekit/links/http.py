"""Polite, bounded HTTP for the link checker.

Every request goes through :func:`fetch`: streamed, body capped at a few KB, redirects followed by
hand so each hop is recorded, retries with exponential backoff and full jitter, ``Retry-After``
honoured up to a cap, and a per-host slot from :class:`HostLimiter` (semaphore, spacing, pause,
circuit breaker). Nothing here prints; callers get a :class:`FetchResult`.
"""

from __future__ import annotations

import contextlib
import email.utils
import os
import random
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# 429 and these 5xx are worth a second try; 404/410 never are within one run.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"


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


def make_session(agent: str | None = None, pool_hosts: int = 256, per_host: int = 4) -> requests.Session:
    """A session whose pools keep one keep-alive pool per host (requests' default evicts after 10)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_hosts, pool_maxsize=max(per_host, 2), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {"User-Agent": agent or user_agent(), "Accept": ACCEPT, "Accept-Language": "en"}
    )
    if not urllib.request.getproxies():
        # requests re-reads the environment (proxies, CA bundle, ~/.netrc) on every request: a
        # quarter of the checker's CPU time. With no proxy configured, read what matters once.
        session.trust_env = False
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    return session


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
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
    error: str | None = None  # timeout, connection-refused, connection-reset, tls, dns, redirect-loop, ...
    detail: str = ""
    attempts: int = 0
    retry_after_exceeded: float | None = None  # the server asked us to wait longer than the cap

    @property
    def permanent_redirect(self) -> bool:
        return any(h.status in PERMANENT_REDIRECTS for h in self.hops)


@dataclass
class FetchPolicy:
    timeout: float = 20.0
    connect_timeout: float | None = None  # default: min(timeout, 10)
    retries: int = 2
    backoff_base: float = 1.0
    max_backoff: float = 30.0
    max_retry_wait: float = 60.0
    max_redirects: int = 10
    max_bytes: int = 16384
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep


class _HostState:
    __slots__ = ("sem", "next_start", "paused_until", "failures", "open_reason", "open_state")

    def __init__(self, limit: int) -> None:
        self.sem = threading.BoundedSemaphore(limit)
        self.next_start = 0.0
        self.paused_until = 0.0
        self.failures = 0
        self.open_reason: str | None = None
        self.open_state: str | None = None


class HostLimiter:
    """Per-host politeness shared by all worker threads.

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
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        with self._lock:
            st = self._hosts.get(host)
            if st is None:
                limit = self.overrides.get(host, (self.per_host, self.interval))[0]
                st = self._hosts[host] = _HostState(limit)
            return st

    def _interval(self, host: str) -> float:
        return self.overrides.get(host, (self.per_host, self.interval))[1]

    @contextlib.contextmanager
    def slot(self, host: str, sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
        st = self._state(host)
        st.sem.acquire()
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, st.next_start, st.paused_until)
                st.next_start = start + self._interval(host)
            if start > now:
                sleep(start - now)
            yield
        finally:
            st.sem.release()

    def pause(self, host: str, seconds: float) -> None:
        """Hold every new request to ``host`` for ``seconds`` (a Retry-After applies to the host)."""
        st = self._state(host)
        with self._lock:
            st.paused_until = max(st.paused_until, time.monotonic() + seconds)

    def record(self, host: str, failed: bool, state: str = "error", reason: str = "") -> None:
        st = self._state(host)
        with self._lock:
            if not failed:
                st.failures = 0
                return
            st.failures += 1
            if self.breaker_threshold and st.failures >= self.breaker_threshold and st.open_reason is None:
                st.open_state = state
                st.open_reason = (
                    f"not requested: {host} failed {st.failures} links in a row (last: {reason})"
                )

    def is_open(self, host: str) -> tuple[str, str] | None:
        st = self._state(host)
        with self._lock:
            if st.open_reason is None:
                return None
            return st.open_state or "error", st.open_reason


def _error_kind(exc: BaseException) -> str:
    """Map a requests/urllib3 exception to a short, stable kind."""
    text = repr(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "invalid-url"
    if "NameResolutionError" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "dns"
    if "ConnectionRefused" in text or "Connection refused" in text:
        return "connection-refused"
    if "timed out" in text:
        return "timeout"
    return "connection-reset"


RETRYABLE_ERRORS = frozenset({"timeout", "connection-reset"})


def _read_capped(resp: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Read at most ``max_bytes`` (plus one chunk) before ``deadline``, then close.

    A body read to its end returns the connection to the pool; one cut short (an endless body, a
    big PDF) closes it, which is what keeps memory and time bounded.
    """
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in resp.iter_content(chunk_size=4096):
            chunks.append(chunk)
            total += len(chunk)
            if total >= max_bytes or time.monotonic() > deadline:
                break
    finally:
        resp.close()
    return b"".join(chunks)[:max_bytes]


def _one_request(session: requests.Session, method: str, url: str, policy: FetchPolicy,
                 headers: dict[str, str] | None) -> tuple[requests.Response | None, bytes, str | None, str]:
    connect = policy.connect_timeout if policy.connect_timeout is not None else min(policy.timeout, 10.0)
    try:
        resp = session.request(method, url, stream=True, allow_redirects=False,
                               timeout=(connect, policy.timeout), headers=headers)
    except requests.exceptions.RequestException as exc:
        return None, b"", _error_kind(exc), str(exc)[:300]
    if method == "HEAD" or resp.status_code in REDIRECT_STATUSES:
        body_cap = 0 if method == "HEAD" else 2048
    else:
        body_cap = policy.max_bytes
    try:
        body = _read_capped(resp, body_cap, time.monotonic() + policy.timeout) if body_cap else b""
        if not body_cap:
            resp.close()
    except requests.exceptions.RequestException as exc:
        return None, b"", _error_kind(exc), str(exc)[:300]
    return resp, body, None, ""


def request_with_retries(session: requests.Session, method: str, url: str, limiter: HostLimiter,
                         policy: FetchPolicy, headers: dict[str, str] | None = None,
                         ) -> tuple[requests.Response | None, bytes, str | None, str, int, float | None]:
    """One hop: retried on timeouts, resets, 408/429/5xx. Returns (resp, body, error, detail, attempts,
    retry_after_exceeded)."""
    host = host_of(url)
    attempts = 0
    while True:
        attempts += 1
        with limiter.slot(host, policy.sleep):
            resp, body, error, detail = _one_request(session, method, url, policy, headers)
            if resp is not None and resp.status_code in (429, 503):
                # Pause the host before the slot is released, so no other worker slips in.
                asked = parse_retry_after(resp.headers.get("Retry-After"))
                if asked is not None:
                    limiter.pause(host, min(asked, policy.max_retry_wait))
        retryable = (error in RETRYABLE_ERRORS) or (
            resp is not None and resp.status_code in RETRY_STATUSES
            and "cf-mitigated" not in resp.headers  # a challenge does not go away by asking again
        )
        if not retryable:
            return resp, body, error, detail, attempts, None
        wait = None
        if resp is not None:
            wait = parse_retry_after(resp.headers.get("Retry-After"))
        if wait is not None and wait > policy.max_retry_wait:
            return resp, body, error, detail, attempts, wait
        if attempts > policy.retries:
            return resp, body, error, detail, attempts, None
        if wait is None:
            ceiling = min(policy.max_backoff, policy.backoff_base * (2 ** (attempts - 1)))
            wait = policy.rng.uniform(0, ceiling)  # full jitter: workers do not retry in lockstep
            policy.sleep(wait)
        # With a Retry-After the host pause already holds this retry (and everyone else's) back.


def fetch(session: requests.Session, url: str, limiter: HostLimiter, policy: FetchPolicy,
          method: str = "GET", headers: dict[str, str] | None = None) -> FetchResult:
    """Fetch ``url`` following redirects by hand (each hop recorded, loops and overlong chains caught)."""
    result = FetchResult(url=url, method=method, final_url=url)
    current = url
    seen = {url}
    while True:
        resp, body, error, detail, attempts, exceeded = request_with_retries(
            session, method, current, limiter, policy, headers)
        result.attempts += attempts
        result.final_url = current
        if exceeded is not None:
            result.retry_after_exceeded = exceeded
        if resp is None:
            result.error, result.detail = error, detail
            result.status = None  # no final response (an earlier hop's status is in hops)
            return result
        result.status = resp.status_code
        result.headers = {k.lower(): v for k, v in resp.headers.items()}
        result.body = body
        location = resp.headers.get("Location")
        if resp.status_code not in REDIRECT_STATUSES or not location:
            return result
        nxt = urljoin(current, location.strip())
        result.hops.append(Hop(current, resp.status_code, nxt))
        if nxt in seen:
            result.error, result.detail = "redirect-loop", f"redirect loop back to {nxt}"
            return result
        if len(result.hops) > policy.max_redirects:
            result.error, result.detail = "too-many-redirects", f"more than {policy.max_redirects} redirects"
            return result
        seen.add(nxt)
        current = nxt
        if resp.status_code == 303:
            method = "GET"
