"""A loopback emulation of the identifier services ``citekit add`` talks to (self-contained).

* DOI resolver content negotiation (doi.org): ``GET /<doi>`` with
  ``Accept: application/vnd.citationstyles.csl+json`` answers **302** to the registration
  agency's transform URL (as doi.org does for Crossref), which serves the CSL-JSON; an unknown
  DOI is a 404 HTML page, an Accept type it cannot produce a 406, and without an Accept header
  it redirects to the landing page (``/landing/<doi>``).
* Congress.gov API v3: ``GET /v3/bill/<congress>/<type>/<number>?api_key=…&format=json``.
* Plain HTML pages registered by the test (``pages``), for URL metadata.

Each server binds its own 127.0.0.x address on a free port, in a daemon thread.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CSL_JSON = "application/vnd.citationstyles.csl+json"
_HOSTS = itertools.count(40)
_LOCK = threading.Lock()


@dataclass
class IdentifierServices:
    works: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower-case DOI → CSL-JSON
    bills: dict[tuple[int, str, int], dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, tuple[int, str]] = field(default_factory=dict)  # path → (status, html)
    api_key: str = "test-key"
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, accept)
    base: str = ""


def _handler(services: IdentifierServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def send(self, status: int, body: str | bytes, ctype: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            accept = self.headers.get("Accept", "")
            services.log.append(("GET", self.path, accept))
            if path in services.pages:
                status, html = services.pages[path]
                return self.send(status, html)
            if path.startswith("/transform/"):
                work = services.works.get(path[len("/transform/"):].lower())
                if work is None:
                    return self.send(404, "Resource not found.", "text/plain")
                return self.send(200, json.dumps(work), CSL_JSON)
            if path.startswith("/v3/bill/"):
                return self.bill(path, parse_qs(parts.query))
            if path.startswith("/10."):
                doi = path[1:]
                if doi.lower() not in services.works:
                    return self.send(404, "<html><title>DOI Not Found</title></html>")
                if not accept or accept.startswith("text/html") or accept == "*/*":
                    return self.send(302, "", headers={"Location": f"{services.base}/landing/{doi}",
                                                       "Vary": "Accept"})
                if CSL_JSON not in accept:
                    return self.send(406, "Not acceptable", "text/plain")
                return self.send(302, "", headers={"Location": f"{services.base}/transform/{doi}",
                                                   "Vary": "Accept"})
            return self.send(404, "<html><title>Not found</title></html>")

        def bill(self, path: str, query: dict[str, list[str]]) -> None:
            if query.get("api_key", [""])[0] != services.api_key:
                return self.send(403, json.dumps({"error": {"code": "API_KEY_INVALID"}}), "application/json")
            try:
                _, _, _, congress, btype, number = path.split("/")
                bill = services.bills[(int(congress), btype, int(number))]
            except (ValueError, KeyError):
                return self.send(404, json.dumps({"error": "Unknown resource"}), "application/json")
            return self.send(200, json.dumps({"bill": bill}), "application/json")

    return Handler


@contextmanager
def identifier_services(services: IdentifierServices | None = None) -> Iterator[IdentifierServices]:
    """Run the emulation on a fresh 127.0.0.x address; ``services.base`` is its root URL."""
    services = services or IdentifierServices()
    with _LOCK:
        host = f"127.0.0.{next(_HOSTS) % 200 + 40}"
    server = ThreadingHTTPServer((host, 0), _handler(services))
    server.daemon_threads = True
    services.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()
