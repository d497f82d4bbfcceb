"""Real HTTP servers on loopback for offline tests: a generic threaded server with routes and a log.

``LoopbackServer`` binds a fresh 127.0.0.x address (so each server is its own "host" for
per-host politeness), dispatches requests to regex routes, and logs every request with its
arrival/finish time and the number of requests in flight, so tests can assert politeness from
what the server saw. Service emulations (Wayback, DOI handles, Zotero, …) live in sibling modules
and only add routes.

Use the ``loopback`` fixture (a factory) from a conftest::

    from tests.servers import loopback  # noqa: F401  (pytest fixture)

    def test_x(loopback):
        srv = loopback()
        srv.route("/a", respond(200, "hello"))
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

_HOSTS = itertools.count(2)
_HOSTS_LOCK = threading.Lock()


def next_loopback_host() -> str:
    """127.0.0.2, 127.0.0.3, … (Linux routes all of 127/8 to loopback). Falls back to 127.0.0.1."""
    with _HOSTS_LOCK:
        n = next(_HOSTS)
    host = f"127.0.{(n // 250) % 250}.{n % 250 + 2}"
    try:
        with socket.socket() as s:
            s.bind((host, 0))
    except OSError:
        return "127.0.0.1"
    return host


@dataclass
class Request:
    method: str
    target: str  # the raw request target: path and query
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LogEntry:
    method: str
    target: str
    headers: dict[str, str]
    start: float  # time.monotonic()
    end: float = 0.0
    in_flight: int = 0  # requests being served on this server when this one arrived (itself included)
    status: int = 0


# A handler returns a Response, or None when it wrote to the raw handler itself.
Handler = Callable[[Request, BaseHTTPRequestHandler], "Response | None"]


def respond(status: int = 200, body: bytes | str = b"", headers: dict[str, str] | None = None,
            content_type: str = "text/html; charset=utf-8") -> Handler:
    hdrs = {"Content-Type": content_type, **(headers or {})}
    return lambda req, h: Response(status, body, dict(hdrs))


def redirect(location: str, status: int = 302) -> Handler:
    return lambda req, h: Response(status, b"", {"Location": location})


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})


def slow(seconds: float, then: Handler | None = None) -> Handler:
    """Answer only after ``seconds`` (longer than the client's timeout → a timeout)."""
    def handler(req: Request, h: BaseHTTPRequestHandler) -> Response | None:
        time.sleep(seconds)
        return (then or respond(200, "late"))(req, h)
    return handler


def reset_connection(partial: bytes = b"<html><body>par") -> Handler:
    """Send headers promising more, a little body, then a TCP RST (SO_LINGER 0)."""
    def handler(req: Request, h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n" + partial)
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.close()
    return handler


def endless(chunk: bytes = b"<p>" + b"x" * 4093, max_seconds: float = 10.0,
            content_type: str = "text/html") -> Handler:
    """A body that never ends (no Content-Length, chunked): the client must stop reading."""
    def handler(req: Request, h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
                      .encode())
        deadline = time.monotonic() + max_seconds
        try:
            while time.monotonic() < deadline:
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                h.wfile.flush()
                time.sleep(0.001)
        except OSError:
            pass
        h.close_connection = True
    return handler


def drip(phase: str, every: float = 0.2, max_seconds: float = 15.0) -> Handler:
    """A hostile server: one byte every ``every`` s in ``phase`` (``status``, ``headers`` or ``body``).

    Each read succeeds quickly, so only a deadline on the whole exchange stops the client. The
    bytes before the dripping phase are sent at once.
    """
    status = b"HTTP/1.1 200 OK\r\n"
    headers = b"Content-Type: text/html\r\nContent-Length: 2000\r\nX-Padding: " + b"p" * 200 + b"\r\n\r\n"
    body = b"<html><title>ok</title>" + b"x" * 1977
    parts = {"status": (b"", status + headers + body), "headers": (status, headers + body),
             "body": (status + headers, body)}[phase]

    def handler(req: Request, h: BaseHTTPRequestHandler) -> None:
        deadline = time.monotonic() + max_seconds
        try:
            h.wfile.write(parts[0])
            h.wfile.flush()
            for i in range(len(parts[1])):
                if time.monotonic() > deadline:
                    break
                h.wfile.write(parts[1][i:i + 1])
                h.wfile.flush()
                time.sleep(every)
        except OSError:
            pass  # the client gave up: what the test wants
        h.close_connection = True
    return handler


def sequence(*handlers: Handler) -> Handler:
    """Each call uses the next handler; the last one repeats (e.g. 503, 503, then 200)."""
    lock = threading.Lock()
    calls = itertools.count()

    def handler(req: Request, h: BaseHTTPRequestHandler) -> Response | None:
        with lock:
            i = next(calls)
        return handlers[min(i, len(handlers) - 1)](req, h)
    return handler


class LoopbackServer:
    """A threaded HTTP/1.1 server on its own 127.0.0.x address with regex routes and a request log."""

    def __init__(self, host: str | None = None, port: int = 0, delay: float = 0.0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.host = host or next_loopback_host()
        self.delay = delay  # added before every answer
        self.routes: list[tuple[re.Pattern[str], frozenset[str] | None, Handler]] = []
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

            def _dispatch(self) -> None:
                server._serve(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

        self._httpd = ThreadingHTTPServer((self.host, port), _Handler)
        if tls is not None:  # HTTPS: the handshake happens per connection in the handler thread
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.scheme = "https" if tls is not None else "http"
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- routes -----------------------------------------------------------------------------------
    def route(self, pattern: str, handler: Handler, methods: tuple[str, ...] | None = None) -> LoopbackServer:
        """``pattern`` is a regex matched in full against the path (without the query)."""
        self.routes.insert(0, (re.compile(pattern), frozenset(methods) if methods else None, handler))
        return self

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- log queries -------------------------------------------------------------------------------
    def requests(self, path_regex: str = ".*", method: str | None = None) -> list[LogEntry]:
        pat = re.compile(path_regex)
        with self._lock:
            return [e for e in self.log if pat.fullmatch(urlsplit(e.target).path)
                    and (method is None or e.method == method)]

    def max_concurrency(self) -> int:
        """Most requests ever in flight at once, computed from the log's intervals."""
        events = []
        with self._lock:
            for e in self.log:
                events.append((e.start, 1))
                events.append((e.end or float("inf"), -1))
        events.sort(key=lambda ev: (ev[0], ev[1]))
        peak = cur = 0
        for _, d in events:
            cur += d
            peak = max(peak, cur)
        return max(peak, self.max_in_flight)

    # -- serving -------------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        req = Request(h.command, h.path, parts.path, parse_qs(parts.query, keep_blank_values=True),
                      {k.lower(): v for k, v in h.headers.items()}, body)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            entry = LogEntry(h.command, h.path, req.headers, time.monotonic(), in_flight=self._in_flight)
            self.log.append(entry)
        try:
            if self.delay:
                time.sleep(self.delay)
            handler = self._find(req)
            resp = handler(req, h) if handler else Response(404, b"<title>404 Not Found</title>")
            if resp is not None:
                entry.status = resp.status
                self._write(h, req, resp)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
        finally:
            with self._lock:
                self._in_flight -= 1
                entry.end = time.monotonic()

    def _find(self, req: Request) -> Handler | None:
        for pattern, methods, handler in self.routes:
            if pattern.fullmatch(req.path) and (methods is None or req.method in methods):
                return handler
        return None

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, req: Request, resp: Response) -> None:
        body = resp.body.encode() if isinstance(resp.body, str) else resp.body
        headers = dict(resp.headers)
        if headers.pop("X-Test-Gzip", None) and "gzip" in req.headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        h.send_response(resp.status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if req.method != "HEAD":
            h.wfile.write(body)


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """Factory fixture: ``loopback(delay=0.0)`` starts a server, stopped at teardown."""
    servers: list[LoopbackServer] = []

    def make(**kwargs: Any) -> LoopbackServer:
        srv = LoopbackServer(**kwargs).start()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()
