"""A Wayback Machine emulation on a LoopbackServer, faithful to the documented API shapes.

Backed by one in-memory capture table, so CDX answers and replays agree
(../shared/notes/linkcheck.md §3.2–3.5, §3.12):

* ``/web/<ts>/<url>``: 302 with a *relative* ``Location`` to the nearest capture (either side),
  or the replay itself when the timestamp is exact; replays carry ``Memento-Datetime``, ``Link``,
  ``x-archive-orig-*`` and ``x-ts``, keep the captured status, and a captured redirect redirects
  again; ``/web/<url>`` is the latest capture; 404 when there is none; ``id_`` accepted;
  ``X-Archive-Wayback-Runtime-Error`` on excluded sites.
* ``/cdx/search/cdx``: text or JSON (header row, string values, ``[]`` when empty), ``fl``,
  repeatable ``filter`` with ``!`` (full-match regex), ``from``/``to``, ``limit`` (±),
  ``collapse``, ``closest`` with ``sort=closest``, gzip unless ``gzip=false``; 403 "Blocked Site
  Error" and 429 without Retry-After.
* ``/wayback/available`` (the shape with the top-level echo): citekit must never call it.
* ``/save`` and ``/save/status/<job>``: ``Authorization: LOW`` check, pending ×N then success,
  error-in-200 bodies.
* ``/web/timemap/link/<url>``: an RFC 6690 TimeMap.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import json
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.servers import LoopbackServer, Request, Response, json_response


@dataclass
class Capture:
    original: str
    timestamp: str  # 14 digits
    status: int = 200
    mimetype: str = "text/html"
    body: bytes = b"<html><title>Archived</title><body>archived copy</body></html>"
    location: str | None = None  # for captured redirects


def surt(url: str) -> str:
    """A simplified SURT urlkey: ``gov,nist)/path?query`` (scheme, www. and default port dropped)."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    key = ",".join(reversed(host.split("."))) + port + ")" + (parts.path or "/").lower()
    return key + ("?" + parts.query if parts.query else "")


def http_date(ts: str) -> str:
    when = dt.datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(when, usegmt=True)


def _pad(ts: str, high: bool = False) -> str:
    """A 1–14 digit timestamp to 14 digits (``to`` pads high, ``from`` and targets pad low)."""
    if high:
        return (ts + "99991231235959"[len(ts):])[:14] if len(ts) < 14 else ts[:14]
    return (ts + "00000101000000"[len(ts):])[:14] if len(ts) < 14 else ts[:14]


def _seconds(ts: str) -> float:
    ts = _pad(ts)
    # Wayback tolerates impossible padded dates (month 00): clamp to valid ones.
    y, mo, d = int(ts[:4]), max(1, min(12, int(ts[4:6]))), max(1, min(28, int(ts[6:8])))
    return dt.datetime(y, mo, d, int(ts[8:10]) % 24, int(ts[10:12]) % 60, int(ts[12:14]) % 60,
                       tzinfo=dt.UTC).timestamp()


class FakeWayback:
    FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")

    def __init__(self, server: LoopbackServer, spn_keys: tuple[str, str] = ("ak", "sk"),
                 spn_pending_polls: int = 1) -> None:
        self.server = server
        self.captures: list[Capture] = []
        self.blocked: set[str] = set()  # urlkeys excluded from the archive
        self.cdx_rate_limited = 0  # answer the next N CDX calls with 429
        self.web_unavailable = 0  # answer the next N /web/ calls with 503
        self.spn_keys = spn_keys
        self.spn_pending_polls = spn_pending_polls
        self.spn_errors: dict[str, str] = {}  # original url -> status_ext answered in a 200
        self._jobs: dict[str, dict] = {}
        self._job_ids = itertools.count(1)
        self._lock = threading.Lock()
        server.route(r"/cdx/search/cdx", self._cdx)
        server.route(r"/wayback/available", self._available)
        server.route(r"/save", self._save, methods=("POST",))
        server.route(r"/save/status/(.+)", self._save_status)
        server.route(r"/web/timemap/link/.+", self._timemap)
        server.route(r"/web/.+", self._web)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def add(self, original: str, timestamp: str, status: int = 200, **kw: object) -> Capture:
        cap = Capture(original, timestamp, status, **kw)  # type: ignore[arg-type]
        with self._lock:
            self.captures.append(cap)
            self.captures.sort(key=lambda c: (surt(c.original), c.timestamp))
        return cap

    def _for(self, url: str) -> list[Capture]:
        key = surt(url)
        with self._lock:
            return [c for c in self.captures if surt(c.original) == key]

    # -- CDX ---------------------------------------------------------------------------------------
    def _row(self, c: Capture) -> dict[str, str]:
        return {"urlkey": surt(c.original), "timestamp": c.timestamp, "original": c.original,
                "mimetype": c.mimetype if c.status != 0 else "warc/revisit",
                "statuscode": str(c.status) if c.status else "-",
                "digest": "SHA1" + str(abs(hash(c.body)) % 10**12).rjust(28, "A"), "length": str(len(c.body))}

    def _cdx(self, req: Request, h: object) -> Response:
        if self.cdx_rate_limited > 0:
            self.cdx_rate_limited -= 1
            return Response(429, "Too Many Requests", {"Content-Type": "text/plain"})
        url = req.arg("url")
        if not url:
            return Response(400, "Missing url parameter", {"Content-Type": "text/plain"})
        if surt(url) in self.blocked:
            return Response(403, "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
                                 "AdministrativeAccessControlException: Blocked Site Error\n",
                            {"Content-Type": "text/plain"})
        rows = [self._row(c) for c in self._for(url)]
        frm, to = req.arg("from"), req.arg("to")
        if frm:
            rows = [r for r in rows if r["timestamp"] >= _pad(frm)]
        if to:
            rows = [r for r in rows if r["timestamp"] <= _pad(to, high=True)]
        for flt in req.query.get("filter", []):
            neg = flt.startswith("!")
            name, _, regex = flt.lstrip("!").partition(":")
            pat = re.compile(regex)
            rows = [r for r in rows if bool(pat.fullmatch(r.get(name, ""))) != neg]
        collapse = req.arg("collapse")
        if collapse:
            name, _, n = collapse.partition(":")
            out, last = [], None
            for r in rows:
                v = r.get(name, "")[: int(n)] if n else r.get(name, "")
                if v != last:
                    out.append(r)
                last = v
            rows = out
        if req.arg("sort") == "closest" and req.arg("closest"):
            target = _seconds(req.arg("closest") or "")
            rows.sort(key=lambda r: abs(_seconds(r["timestamp"]) - target))
        elif req.arg("sort") == "reverse":
            rows.reverse()
        offset = int(req.arg("offset") or 0)
        rows = rows[offset:]
        limit = req.arg("limit")
        if limit:
            n = int(limit)
            rows = rows[:n] if n >= 0 else rows[n:]
        fl = (req.arg("fl") or ",".join(self.FIELDS)).split(",")
        headers = {"X-Test-Gzip": "1"} if req.arg("gzip", "true") != "false" else {}
        if req.arg("output") == "json":
            data = [fl] + [[r.get(f, "") for f in fl] for r in rows] if rows else []
            return Response(200, json.dumps(data), {"Content-Type": "application/json", **headers})
        text = "".join(" ".join(r.get(f, "") for f in fl) + "\n" for r in rows)
        return Response(200, text, {"Content-Type": "text/plain", **headers})

    # -- replay ------------------------------------------------------------------------------------
    _WEB = re.compile(r"/web/(?:(\d{1,14})([a-z]{2}_)?/)?(.+)", re.S)

    def _web(self, req: Request, h: object) -> Response:
        if self.web_unavailable > 0:
            self.web_unavailable -= 1
            return Response(503, "Service Unavailable", {"Content-Type": "text/plain"})
        m = self._WEB.fullmatch(req.target)
        if not m:
            return Response(400, "bad request")
        ts, modifier, url = m.group(1), m.group(2) or "", m.group(3)
        if surt(url) in self.blocked:
            return Response(403, "<p>This URL has been excluded from the Wayback Machine.</p>",
                            {"X-Archive-Wayback-Runtime-Error": "AdministrativeAccessControlException"})
        caps = self._for(url)
        if not caps:
            return Response(404, "<title>Wayback Machine</title><p>Hrm. The Wayback Machine has not archived "
                                 "that URL.</p>")
        if ts is None:
            best = caps[-1]
        else:
            target = _seconds(ts)
            best = min(caps, key=lambda c: abs(_seconds(c.timestamp) - target))
            if len(ts) == 14 and best.timestamp == ts:
                return self._replay(best, caps, modifier)
        return Response(302, "", {"Location": f"/web/{best.timestamp}{modifier}/{best.original}"})

    def _replay(self, cap: Capture, caps: list[Capture], modifier: str) -> Response:
        base = self.base_url
        i = caps.index(cap)
        links = [f'<{cap.original}>; rel="original"',
                 f'<{base}/web/timemap/link/{cap.original}>; rel="timemap"; type="application/link-format"',
                 f'<{base}/web/{cap.original}>; rel="timegate"']

        def memento(c: Capture, rel: str) -> str:
            return f'<{base}/web/{c.timestamp}/{c.original}>; rel="{rel}"; datetime="{http_date(c.timestamp)}"'
        links.append(memento(caps[0], "first memento"))
        if i > 0:
            links.append(memento(caps[i - 1], "prev memento"))
        links.append(memento(cap, "memento"))
        if i + 1 < len(caps):
            links.append(memento(caps[i + 1], "next memento"))
        links.append(memento(caps[-1], "last memento"))
        headers = {"Memento-Datetime": http_date(cap.timestamp), "Link": ", ".join(links),
                   "x-archive-orig-date": http_date(cap.timestamp), "x-ts": str(cap.status),
                   "Content-Type": cap.mimetype}
        if cap.location:  # a captured redirect replays as a redirect to its target's capture
            headers["Location"] = f"/web/{cap.timestamp}{modifier}/{cap.location}"
        return Response(cap.status, cap.body, headers)

    def _timemap(self, req: Request, h: object) -> Response:
        url = req.target.split("/web/timemap/link/", 1)[1]
        caps = self._for(url)
        if not caps:
            return Response(404, "")
        lines = [f'<{url}>; rel="original"',
                 f'<{self.base_url}/web/timemap/link/{url}>; rel="self"; type="application/link-format"']
        lines += [f'<{self.base_url}/web/{c.timestamp}/{c.original}>; rel="memento"; '
                  f'datetime="{http_date(c.timestamp)}"' for c in caps]
        return Response(200, ",\n".join(lines) + "\n", {"Content-Type": "application/link-format"})

    def _available(self, req: Request, h: object) -> Response:
        url = req.arg("url") or ""
        caps = [c for c in self._for(url) if c.status == 200]
        body: dict = {"url": url, "archived_snapshots": {}}
        if caps and not url.endswith("/"):
            c = caps[-1]
            body["archived_snapshots"] = {"closest": {"available": True, "status": "200", "timestamp": c.timestamp,
                                                      "url": f"{self.base_url}/web/{c.timestamp}/{c.original}"}}
        return json_response(body)

    # -- Save Page Now 2 -------------------------------------------------------------------------------
    def _authorised(self, req: Request) -> bool:
        return req.headers.get("authorization") == f"LOW {self.spn_keys[0]}:{self.spn_keys[1]}"

    def _save(self, req: Request, h: object) -> Response:
        if not self._authorised(req):
            return json_response({"status": "error", "status_ext": "error:unauthorized",
                                  "message": "You need to be logged in to use Save Page Now."}, 401)
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
        url = form.get("url", "")
        if url in self.spn_errors:
            return json_response({"status": "error", "status_ext": self.spn_errors[url],
                                  "message": "This URL has been already captured 5 times today."})
        job = f"spn2-{next(self._job_ids):04d}"
        self._jobs[job] = {"url": url, "polls": 0}
        return json_response({"url": url, "job_id": job})

    def _save_status(self, req: Request, h: object) -> Response:
        job_id = req.path.rsplit("/", 1)[1]
        job = self._jobs.get(job_id)
        if job is None:
            return json_response({"status": "error", "status_ext": "error:not-found", "job_id": job_id})
        job["polls"] += 1
        if job["polls"] <= self.spn_pending_polls:
            return json_response({"status": "pending", "job_id": job_id, "resources": []})
        ts = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        if not any(c.timestamp == ts for c in self._for(job["url"])):
            self.add(job["url"], ts)
        return json_response({"status": "success", "job_id": job_id, "original_url": job["url"],
                              "timestamp": ts, "duration_sec": 0.1, "resources": [job["url"]]})


class FakeTimeGate:
    """An RFC 7089 archive: ``/timegate/<url>`` (302, ``Vary: accept-datetime``) and ``/memento/<ts>/<url>``."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.mementos: dict[str, list[str]] = {}  # surt -> timestamps
        server.route(r"/timegate/.+", self._timegate)
        server.route(r"/memento/\d{14}/.+", self._memento)

    @property
    def gate(self) -> str:
        return f"{self.server.base_url}/timegate/"

    def add(self, original: str, timestamp: str) -> None:
        self.mementos.setdefault(surt(original), []).append(timestamp)
        self.mementos[surt(original)].sort()

    def _timegate(self, req: Request, h: object) -> Response:
        url = req.target.split("/timegate/", 1)[1]
        stamps = self.mementos.get(surt(url), [])
        accept = req.headers.get("accept-datetime")
        if accept:
            try:
                when = email.utils.parsedate_to_datetime(accept)
            except (TypeError, ValueError):
                return Response(400, "bad Accept-Datetime")
            if when is None:
                return Response(400, "bad Accept-Datetime")
            target = when.timestamp()
        else:
            target = float("inf")
        if not stamps:
            return Response(404, "no mementos", {"Vary": "accept-datetime"})
        best = min(stamps, key=lambda s: abs(_seconds(s) - target)) if accept else stamps[-1]
        return Response(302, "", {
            "Vary": "accept-datetime",
            "Location": f"/memento/{best}/{url}",
            "Link": f'<{url}>; rel="original", <{self.server.base_url}/timemap/{url}>; rel="timemap"; '
                    f'type="application/link-format"'})

    def _memento(self, req: Request, h: object) -> Response:
        m = re.fullmatch(r"/memento/(\d{14})/(.+)", req.target, re.S)
        assert m
        return Response(200, "<title>memento</title>", {
            "Memento-Datetime": http_date(m.group(1)),
            "Link": f'<{m.group(2)}>; rel="original", <{self.gate}{m.group(2)}>; rel="timegate"',
            "Content-Type": "text/html"})
