"""Web-archive look-ups: the capture nearest the date a link was accessed.

The Wayback Machine is asked through ``/web/<ts>/<url>`` (redirects off: the ``Location`` names
the nearest capture, whose status is then checked) and, when that capture is after the access
date or not a 200, through the CDX API (``filter=statuscode``, ``to``/``from``, ``limit=±N``).
The availability API is never used (rate-limited, often empty: lychee #2167). Any RFC 7089
TimeGate can be added. Captures at or before the access date win over later ones; among those,
the nearest. Save Page Now 2 is here too (opt-in, keys from the environment, never echoed).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from citekit.links.http import FetchPolicy, HostLimiter, host_of, request_with_retries
from citekit.links.transport import FetchError, LinkSession, RawResponse

WAYBACK_URL = "https://web.archive.org"
GOOD_CAPTURE_STATUSES = ("200", "203", "206")
_WEB_PATH = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$")


@dataclass(frozen=True)
class Snapshot:
    archive_url: str
    timestamp: str  # YYYYMMDDhhmmss
    source: str  # "wayback", "wayback-cdx" or "timegate:<host>"


def wayback_base(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("CITEKIT_WAYBACK_URL") or WAYBACK_URL).rstrip("/")


def target_timestamp(accessed: str | None) -> str | None:
    """``urldate`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD…``) to the end of that period, 14 digits.

    The end, so that a capture made on the access day counts as "at or before" it.
    """
    if not accessed:
        return None
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", accessed)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = dt.date(year, int(month), int(day))
        elif month:
            nxt = dt.date(year + (int(month) == 12), int(month) % 12 + 1, 1)
            d = nxt - dt.timedelta(days=1)
        else:
            d = dt.date(year, 12, 31)
    except ValueError:
        return None
    return d.strftime("%Y%m%d") + "235959"


def ts_to_datetime(ts: str) -> dt.datetime:
    ts = (ts + "00000101000000"[len(ts):])[:14] if len(ts) < 14 else ts[:14]
    # Truncated timestamps pad with the earliest valid value (month/day 01).
    return dt.datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


def http_date_to_ts(value: str | None) -> str | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


def _rank(ts: str, target: str | None) -> tuple[int, float]:
    """Sort key: at-or-before the target first, then nearest; with no target, newest first."""
    when = ts_to_datetime(ts)
    if target is None:
        return (0, -when.timestamp())
    t = ts_to_datetime(target)
    delta = (when - t).total_seconds()
    return (0 if delta <= 0 else 1, abs(delta))


def pick(candidates: list[Snapshot], target: str | None) -> Snapshot | None:
    return min(candidates, key=lambda s: _rank(s.timestamp, target)) if candidates else None


@dataclass
class ArchiveStatus:
    """How the archives answered during one run: ``ok``, ``degraded`` or ``unreachable``, with counts.

    Counted per request (each retry too). A failure is a request with no answer, a 5xx or 429,
    or an answer that makes no sense (unparseable CDX rows, an impossible capture timestamp).
    Three in a row open the breaker for that archive host for the rest of the run.
    """

    lookups: int = 0  # links looked up
    answered: int = 0  # archive requests that got a usable answer
    failures: int = 0  # archive requests that failed
    skipped: int = 0  # requests not made because the breaker was open
    last_error: str = ""
    threshold: int = 3
    open_hosts: set[str] = field(default_factory=set)
    _in_a_row: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def state(self) -> str:
        if not self.failures and not self.skipped:
            return "ok"
        return "unreachable" if not self.answered else "degraded"

    def counts(self) -> dict[str, Any]:
        return {"lookups": self.lookups, "answered": self.answered, "failures": self.failures,
                "skipped": self.skipped, "breaker_open": sorted(self.open_hosts), "last_error": self.last_error}

    def junk(self, reason: str, host: str) -> None:
        """An answer that could not be used: a failure, not an answer."""
        self.answered -= 1
        self.failed(reason, host)

    def succeeded(self, host: str) -> None:
        self.answered += 1
        self._in_a_row[host] = 0

    def failed(self, reason: str, host: str = "") -> None:
        self.failures += 1
        self.last_error = reason[:200]
        n = self._in_a_row[host] = self._in_a_row.get(host, 0) + 1
        if host and n >= self.threshold:
            self.open_hosts.add(host)


def valid_timestamp(ts: str) -> bool:
    """A capture timestamp that names a real moment (``99999999999999`` does not)."""
    if not ts.isdigit() or len(ts) > 14:
        return False
    try:
        ts_to_datetime(ts)
    except ValueError:
        return False
    return True


class ArchiveClient:
    """Archive look-ups sharing the checker's session, limiter and retry policy."""

    def __init__(self, session: LinkSession, limiter: HostLimiter, policy: FetchPolicy,
                 wayback_url: str | None = None, timegates: list[str] | None = None,
                 cdx_interval: float = 2.5, web_interval: float = 0.125) -> None:
        self.session = session
        self.limiter = limiter
        self.policy = policy
        self.base = wayback_base(wayback_url)
        self.timegates = list(timegates or [])
        self.status = ArchiveStatus()
        # The CDX API's hard limit is about 30/min (EDGI wayback #208): keep well under it.
        # /web/ replays: about 8 per second at most (EDGI's "80% of the hard limits").
        wb_host = host_of(self.base)
        limiter.overrides.setdefault(f"cdx:{wb_host}", (1, cdx_interval))
        limiter.overrides.setdefault(wb_host, (2, web_interval))

    # -- Wayback --------------------------------------------------------------------------------
    async def _get(self, url: str, budget: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[RawResponse | None, str]:
        """(answer, host); None when the archive failed or its breaker is open."""
        host = host_of(url)
        # A CDX call is limited under its own budget so /web/ look-ups are not held behind it.
        def observe(resp: RawResponse | None, error: str | None) -> None:
            if resp is None or resp.status >= 500 or resp.status == 429:
                self._failed(host, error or f"HTTP {resp.status if resp else '?'}")
            else:
                self.status.succeeded(host)

        answer = await request_with_retries(self.session, "GET", url, self.limiter, self.policy, headers,
                                            slot_key=f"{budget}:{host}" if budget else None, observe=observe)
        resp = answer.response
        if answer.tripped:
            self.status.skipped += 1
            return None, host
        if resp is None or resp.status >= 500 or resp.status == 429:
            return None, host
        return resp, host

    def _failed(self, host: str, what: str, junk: bool = False) -> None:
        (self.status.junk if junk else self.status.failed)(f"{host}: {what}", host)
        if host in self.status.open_hosts:
            # Open the limiter's breaker for every budget of this host: requests already queued
            # for a slot are dropped there, not sent.
            reason = f"the archive failed {self.status.threshold} times in a row (last: {what})"
            for key in (host, f"cdx:{host}"):
                self.limiter.trip(key, "error", reason)

    def _junk(self, host: str, what: str) -> None:
        self._failed(host, what, junk=True)

    async def _web_lookup(self, url: str, target: str | None) -> tuple[Snapshot | None, bool]:
        """(capture, definitive). definitive=False means ask the CDX API."""
        # Without a date, /web/<url> (no timestamp) redirects to the newest capture.
        query = f"{self.base}/web/{target}/{url}" if target else f"{self.base}/web/{url}"
        resp, host = await self._get(query)
        if resp is None:
            return None, False
        if resp.status == 404:
            return None, True
        if resp.status == 200:
            mts = http_date_to_ts(resp.headers.get("memento-datetime"))
            if mts:
                snap = Snapshot(f"{self.base}/web/{mts}/{url}", mts, "wayback")
                return snap, target is None or mts <= target
            return None, False
        location = resp.headers.get("location")
        if resp.status not in (301, 302, 303, 307, 308) or not location:
            return None, False
        try:
            loc = urlsplit(urljoin(query, location))
        except ValueError:
            self._junk(host, f"unusable Location {location[:80]!r}")
            return None, False
        m = _WEB_PATH.search(loc.path + ("?" + loc.query if loc.query else ""))
        if not m:
            return None, False
        cap_ts = m.group(1).ljust(14, "0")[:14]
        if not valid_timestamp(cap_ts):
            self._junk(host, f"capture timestamp {m.group(1)!r} is not a date")
            return None, False
        # The nearest capture may be a captured redirect or error page: check its own status.
        cap, _host = await self._get(urljoin(query, location))
        if cap is None or cap.status != 200 or cap.headers.get("x-archive-wayback-runtime-error"):
            return None, False
        cap_ts = http_date_to_ts(cap.headers.get("memento-datetime")) or cap_ts
        snap = Snapshot(f"{self.base}/web/{cap_ts}/{m.group(2)}", cap_ts, "wayback")
        return snap, target is None or cap_ts <= target

    async def _cdx(self, url: str, extra: dict[str, str]) -> list[list[str]] | None:
        params = {"url": url, "output": "json", "fl": "timestamp,original,statuscode,mimetype",
                  "filter": "statuscode:(200|203|206)", **extra}
        query = "&".join(f"{k}={quote(v, safe=':(|)!,')}" for k, v in params.items())
        resp, host = await self._get(f"{self.base}/cdx/search/cdx?{query}", budget="cdx")
        if resp is None or resp.status != 200:
            return None
        try:
            rows = json.loads(resp.body.decode("utf-8", "replace") or "[]")
        except ValueError:
            self._junk(host, "CDX answer is not JSON")
            return None
        if not isinstance(rows, list) or len(rows) < 2:
            return []
        header = rows[0]
        idx = {name: i for i, name in enumerate(header)} if isinstance(header, list) else {}
        if not {"timestamp", "original", "statuscode"} <= idx.keys():
            self._junk(host, "CDX answer has no timestamp/original/statuscode columns")
            return None
        out, bad = [], 0
        for row in rows[1:]:
            if not isinstance(row, list) or len(row) < len(header):
                bad += 1
                continue
            ts, original = str(row[idx["timestamp"]]), str(row[idx["original"]])
            if not valid_timestamp(ts):
                bad += 1
            elif str(row[idx["statuscode"]]) in GOOD_CAPTURE_STATUSES:
                out.append([ts, original])
        if bad:
            self._junk(host, f"{bad} CDX row(s) with no usable capture timestamp (not a date)")
        return out

    async def _cdx_lookup(self, url: str, target: str | None) -> list[Snapshot]:
        found: list[Snapshot] = []
        if target is None:
            rows = await self._cdx(url, {"limit": "-1"}) or []
        else:
            rows = await self._cdx(url, {"to": target, "limit": "-3"})
            if rows == [] or rows is None:
                rows = (rows or []) + (await self._cdx(url, {"from": target, "limit": "3"}) or [])
        for ts, original in rows:
            found.append(Snapshot(f"{self.base}/web/{ts}/{original}", ts, "wayback-cdx"))
        return found

    async def wayback(self, url: str, target: str | None) -> Snapshot | None:
        snap, definitive = await self._web_lookup(url, target)
        if definitive:
            return snap
        candidates = await self._cdx_lookup(url, target)
        if snap:
            candidates.append(snap)
        return pick(candidates, target)

    # -- Memento TimeGates (RFC 7089) -------------------------------------------------------------
    async def timegate(self, gate: str, url: str, target: str | None) -> Snapshot | None:
        headers = {}
        if target:
            headers["Accept-Datetime"] = email.utils.format_datetime(ts_to_datetime(target), usegmt=True)
        resp, _host = await self._get(gate + url, headers=headers)
        if resp is None:
            return None
        name = f"timegate:{host_of(gate)}"
        if resp.status == 200 and resp.headers.get("memento-datetime"):  # pattern 2.3 / 1.x
            ts = http_date_to_ts(resp.headers["memento-datetime"])
            loc = urljoin(gate + url, resp.headers.get("content-location", gate + url))
            return Snapshot(loc, ts, name) if ts else None
        if resp.status not in (302, 303, 307) or not resp.headers.get("location"):
            return None
        memento = urljoin(gate + url, resp.headers["location"])
        cap, _host = await self._get(memento)
        if cap is None or cap.status != 200:
            return None
        ts = http_date_to_ts(cap.headers.get("memento-datetime"))
        return Snapshot(memento, ts, name) if ts else None

    async def nearest(self, url: str, accessed: str | None) -> tuple[Snapshot | None, bool]:
        """(capture nearest ``accessed``, definitive): not definitive when an archive failed meanwhile."""
        target = target_timestamp(accessed)
        self.status.lookups += 1
        before = self.status.failures + self.status.skipped
        candidates = []
        wb = await self.wayback(url, target)
        if wb:
            candidates.append(wb)
        for gate in self.timegates:
            snap = await self.timegate(gate, url, target)
            if snap:
                candidates.append(snap)
        return pick(candidates, target), self.status.failures + self.status.skipped == before


# -- Save Page Now 2 --------------------------------------------------------------------------------
@dataclass
class SaveResult:
    url: str
    status: str  # "saved", "already-archived", "error", "no-keys"
    snapshot: Snapshot | None = None
    message: str = ""


RETRYABLE_SPN = {"error:user-session-limit", "error:soft-time-limit-exceeded", "error:proxy-error",
                 "error:browsing-timeout", "error:no-browsers-available", "error:redis-error",
                 "error:capture-location-error", "error:celery"}


def spn_keys() -> tuple[str, str] | None:
    access, secret = os.environ.get("CITEKIT_IA_ACCESS_KEY"), os.environ.get("CITEKIT_IA_SECRET_KEY")
    return (access, secret) if access and secret else None


async def save_page_now(session: LinkSession, url: str, wayback_url: str | None = None,
                        keys: tuple[str, str] | None = None, poll_interval: float = 5.0, max_polls: int = 24,
                        timeout: float = 30.0,
                        sleep: Callable[[float], Awaitable[None]] | None = None) -> SaveResult:
    """Ask SPN2 to capture ``url`` and wait for the job. Messages never contain the keys."""
    import asyncio
    from urllib.parse import urlencode

    keys = keys or spn_keys()
    if keys is None:
        return SaveResult(url, "no-keys", message="set CITEKIT_IA_ACCESS_KEY and CITEKIT_IA_SECRET_KEY")
    base = wayback_base(wayback_url)
    headers = {"Authorization": f"LOW {keys[0]}:{keys[1]}", "Accept": "application/json"}
    form = urlencode({"url": url, "if_not_archived_within": "30d", "skip_first_archive": "1"}).encode()
    try:
        resp = await session.request("POST", f"{base}/save", timeout=timeout, max_bytes=65536, body=form,
                                     headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    except FetchError as exc:
        return SaveResult(url, "error", message=f"Save Page Now unreachable: {exc.kind}")
    if resp.status != 200:
        return SaveResult(url, "error", message=f"Save Page Now answered HTTP {resp.status}")
    body = _json(resp)
    if body.get("status") == "error":  # errors come as 200 with a JSON body
        ext = str(body.get("status_ext", ""))
        if ext == "error:too-many-daily-captures":
            return SaveResult(url, "already-archived", message="captured several times today already")
        return SaveResult(url, "error", message=f"Save Page Now: {ext or body.get('message', 'error')}")
    job = body.get("job_id")
    if not job:
        return SaveResult(url, "error", message="Save Page Now gave no job id")
    for _ in range(max_polls):
        await (sleep or asyncio.sleep)(poll_interval)
        try:
            st = await session.request("GET", f"{base}/save/status/{quote(str(job), safe='')}", timeout=timeout,
                                       max_bytes=65536, headers=headers)
        except FetchError as exc:
            return SaveResult(url, "error", message=f"status poll failed: {exc.kind}")
        info = _json(st)
        status = info.get("status")
        if status == "success":
            ts = str(info.get("timestamp", ""))
            original = str(info.get("original_url") or url)
            if not valid_timestamp(ts):
                return SaveResult(url, "error", message=f"Save Page Now gave an impossible timestamp {ts[:20]!r}")
            return SaveResult(url, "saved", Snapshot(f"{base}/web/{ts}/{original}", ts, "wayback-spn"),
                              str(body.get("message", "")))
        if status == "error":
            ext = str(info.get("status_ext", ""))
            if ext not in RETRYABLE_SPN:
                return SaveResult(url, "error", message=f"Save Page Now: {ext or info.get('message', '')}")
    return SaveResult(url, "error", message=f"Save Page Now job still pending after {max_polls} polls")


def _json(resp: RawResponse) -> dict[str, Any]:
    try:
        data = json.loads(resp.body.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- Prefer archived URLs when formatting --------------------------------------------------------------
def preferred_urls(items: list[dict[str, Any]], cache_path: str | Path | None = None,
                   archive_fields: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """CSL items with ``URL`` replaced by the archived copy for links known to be dead.

    Known dead: the entry's ``urlstatus = {dead}`` with an ``archiveurl`` (fields given through
    ``archive_fields`` keyed by item id, or on the item itself or in its ``custom`` dict as
    ``archive-url``/``archive-date``/``url-status``),
    or the cache's last check said ``dead`` and it holds a capture. The original URL stays
    available for Robust Links as ``citekit-original-url``; the capture date as
    ``citekit-archive-date`` (YYYY-MM-DD). Items are copied, never changed in place.
    """
    from citekit.links.cache import LinkCache, default_cache_path
    from citekit.links.records import normalise_url

    cache = None
    path = Path(cache_path) if cache_path else default_cache_path()
    if path.exists():
        try:
            cache = LinkCache(path)
        except Exception:  # noqa: BLE001 - a broken cache must not stop formatting
            cache = None
    out = []
    try:
        for item in items:
            new = dict(item)
            url = item.get("URL")
            fields = dict((archive_fields or {}).get(str(item.get("id")), {}))
            # citekit.bibtex.mapping puts archiveurl/archivedate (and url-status) in item["custom"].
            custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
            for name, value in [*item.items(), *custom.items()]:
                norm = str(name).replace("_", "").replace("-", "").lower()
                if norm in ("archiveurl", "archivedate", "urlstatus") and value and norm not in fields:
                    fields[norm] = str(value)
            archived, date = fields.get("archiveurl"), fields.get("archivedate")
            dead = fields.get("urlstatus", "").lower() == "dead"
            if url and cache is not None and not (dead and archived):
                hit = cache.get_link(normalise_url(url), fresh_only=False)
                if hit is not None and hit.state == "dead":
                    dead = True
                    if not archived:
                        snap = cache.latest_archive(normalise_url(url))
                        if snap and snap.archive_url:
                            archived = snap.archive_url
                            date = _ts_date(snap.archive_timestamp or "")
            if url and dead and archived:
                new["URL"] = archived
                new["citekit-original-url"] = url
                if date:
                    new["citekit-archive-date"] = date
            out.append(new)
    finally:
        if cache is not None:
            cache.close()
    return out


def _ts_date(ts: str) -> str:
    return f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}" if len(ts) >= 8 else ""


def robust_link_attributes(item: dict[str, Any], accessed: str | None = None) -> dict[str, str]:
    """Robust Links ``data-*`` attributes for an item returned by :func:`preferred_urls`."""
    original = item.get("citekit-original-url") or item.get("URL")
    attrs = {"data-originalurl": str(original)} if original else {}
    if item.get("citekit-original-url"):
        attrs["data-versionurl"] = str(item["URL"])
    date = item.get("citekit-archive-date") or accessed
    if date:
        attrs["data-versiondate"] = str(date)
    return attrs
