"""A small asyncio HTTP/1.1 client for the link checker: one deadline per exchange, pooled keep-alive.

Why not requests: its timeouts bound each socket read, so a server that drips one byte every few
seconds holds a link for as long as it likes, and its per-request overhead kept the checker
CPU-bound (about 1.5 ms a request, under the GIL). Here one ``asyncio.timeout`` covers connect,
TLS, status line, headers and body, and a request costs a few hundred microseconds.

Only what a link checker needs: GET/HEAD/POST, ``Content-Length``, chunked and read-to-close
bodies cut at a cap, gzip/deflate, TLS with the system or ``certifi`` roots, HTTP(S) proxies
from the environment. Nothing here prints; header values (which may be secrets) never appear
in an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import ssl
import urllib.request
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
_NO_BODY = frozenset({204, 304})
_SAFE_TARGET = "/?=&%:@!$'()*+,;~#[]-._"
_HEAD_LIMIT = 65536

# urllib's own cache holds 128 URLs; a run asks about each of its thousands of URLs several times.
split_url = functools.lru_cache(maxsize=8192)(urlsplit)


class FetchError(Exception):
    """A request that got no usable response; ``kind`` is a short stable name (see classify)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes = b""
    complete: bool = True  # the body was read to its end


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclass
class _Progress:
    received: int = 0  # bytes of response seen: tells a slow answer from no answer


@dataclass
class LinkSession:
    """Connection pools and default headers for one run; hand one to ``check_links`` to share it.

    ``host_headers`` maps a host name to extra headers sent only to that host (tokens for an
    intranet, say). They are kept out of ``repr`` because their values may be secrets.
    """

    agent: str = ""
    host_headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    verify: bool | str = True
    max_idle_per_host: int = 8
    _idle: dict[tuple[str, str, int], list[_Conn]] = field(default_factory=dict, repr=False)
    _pools: dict[str, set[tuple[str, str, int]]] = field(default_factory=dict, repr=False)  # host -> keys
    _ssl: ssl.SSLContext | None = field(default=None, repr=False)
    _proxies: dict[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.agent:
            from citekit.links.http import user_agent

            self.agent = user_agent()
        self.host_headers = {h.lower(): dict(v) for h, v in self.host_headers.items()}

    # -- public ---------------------------------------------------------------------------------
    async def request(self, method: str, url: str, *, timeout: float, max_bytes: int,
                      headers: dict[str, str] | None = None, body: bytes | None = None) -> RawResponse:
        """One exchange, all of it (connect to last body byte) within ``timeout`` seconds."""
        try:
            parts = split_url(url)
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            raise FetchError("invalid-url", f"{url[:200]}: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not host:
            raise FetchError("invalid-url", url[:200])
        port = port or (443 if scheme == "https" else 80)
        progress = _Progress()
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(method, scheme, host, port, parts, headers, body, max_bytes, progress)
        except TimeoutError:
            raise FetchError("slow" if progress.received else "timeout") from None
        except ssl.SSLError as exc:
            raise FetchError("tls", _short(exc)) from None
        except socket.gaierror as exc:
            raise FetchError("dns", _short(exc)) from None
        except ConnectionRefusedError as exc:
            raise FetchError("connection-refused", _short(exc)) from None
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise FetchError("connection-reset", _short(exc)) from None

    def close_idle(self, host: str) -> None:
        """Close the pooled connections to ``host`` (any scheme or port): it will not be asked again."""
        for key in self._pools.pop(host.lower(), ()):
            for conn in self._idle.pop(key, ()):
                conn.close()

    async def aclose(self) -> None:
        """Close pooled connections (a pool belongs to the event loop it was opened in)."""
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        self._pools.clear()

    # -- internals -------------------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            if self.verify is False:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            else:
                bundle = self.verify if isinstance(self.verify, str) else (
                    os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                    or os.environ.get("SSL_CERT_FILE") or _certifi())
                ctx = ssl.create_default_context(cafile=bundle or None)
            self._ssl = ctx
        return self._ssl

    def _proxy_for(self, scheme: str, host: str) -> str | None:
        if self._proxies is None:
            self._proxies = urllib.request.getproxies()
        proxy = self._proxies.get(scheme)
        if not proxy or urllib.request.proxy_bypass(host):
            return None
        return proxy

    async def _connect(self, scheme: str, host: str, port: int, proxy: str | None) -> _Conn:
        tls = self._ssl_context() if scheme == "https" else None
        if proxy is None:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=tls, server_hostname=host if tls else None, limit=_HEAD_LIMIT)
            return _Conn(reader, writer)
        pp = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        reader, writer = await asyncio.open_connection(pp.hostname, pp.port or 80, limit=_HEAD_LIMIT)
        conn = _Conn(reader, writer)
        if tls is not None:  # a tunnel: CONNECT, then TLS with the origin inside it
            writer.write(f"CONNECT {_authority(host, port)} HTTP/1.1\r\nHost: {_authority(host, port)}\r\n\r\n"
                         .encode("ascii"))
            status, _headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            if status != 200:
                conn.close()
                raise FetchError("connection-refused", f"proxy answered {status} to CONNECT")
            await writer.start_tls(tls, server_hostname=host)
        return conn

    def _take(self, key: tuple[str, str, int]) -> _Conn | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.close()
        return None

    def _give(self, key: tuple[str, str, int], conn: _Conn) -> None:
        idle = self._idle.get(key)
        if idle is None:
            idle = self._idle[key] = []
            self._pools.setdefault(key[1], set()).add(key)
        if len(idle) < self.max_idle_per_host and conn.usable():
            idle.append(conn)
        else:
            conn.close()

    def _head_bytes(self, method: str, scheme: str, host: str, port: int, parts, headers: dict[str, str] | None,
                    body: bytes | None, proxy: str | None) -> bytes:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        if not target.isascii() or any(c <= " " for c in target):
            target = quote(target, safe=_SAFE_TARGET)
        default_port = 443 if scheme == "https" else 80
        authority = _authority(host, port if port != default_port else None)
        if proxy is not None and scheme == "http":
            target = f"http://{authority}{target}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {authority}", f"User-Agent: {self.agent}",
                 f"Accept: {ACCEPT}", "Accept-Language: en", "Accept-Encoding: gzip, deflate"]
        merged: dict[str, str] = {}
        for extra in (self.host_headers.get(host.lower()), headers):
            for name, value in (extra or {}).items():
                merged[name.lower()] = f"{name}: {value}"
        if merged:
            lines = [ln for ln in lines if ln.split(":", 1)[0].lower() not in merged]
            lines += merged.values()
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        if any("\r" in line or "\n" in line for line in lines):
            raise FetchError("invalid-url", "a header or the URL contains a line break")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    async def _exchange(self, method: str, scheme: str, host: str, port: int, parts,
                        headers: dict[str, str] | None, body: bytes | None, max_bytes: int,
                        progress: _Progress) -> RawResponse:
        proxy = self._proxy_for(scheme, host)
        key = (scheme, host.lower(), port)
        head = self._head_bytes(method, scheme, host, port, parts, headers, body, proxy)
        for attempt in (0, 1):
            conn = self._take(key) if attempt == 0 else None
            reused = conn is not None
            if conn is None:
                conn = await self._connect(scheme, host, port, proxy)
            try:
                conn.writer.write(head + (body or b""))
                status, resp_headers = await self._read_head(conn.reader, progress)
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                if reused and not progress.received:
                    continue  # the server had closed the idle connection: once more on a new one
                raise exc from None
            except BaseException:
                conn.close()
                raise
            try:
                data, complete = await _read_body(conn.reader, method, status, resp_headers, max_bytes, progress)
            except BaseException:
                conn.close()
                raise
            keep = complete and resp_headers.get("connection", "").lower() != "close" and \
                ("content-length" in resp_headers or "chunked" in resp_headers.get("transfer-encoding", "")
                 or method == "HEAD" or status in _NO_BODY)
            if keep:
                self._give(key, conn)
            else:
                conn.close()
            return RawResponse(status, resp_headers, _decode(data, resp_headers, max_bytes), complete)
        raise FetchError("connection-reset", "the connection closed before an answer")  # pragma: no cover

    @staticmethod
    async def _read_head(reader: asyncio.StreamReader, progress: _Progress) -> tuple[int, dict[str, str]]:
        while True:
            first = await reader.readexactly(1)  # the first byte tells "slow" from "nothing"
            progress.received += 1
            raw = first + await reader.readuntil(b"\r\n\r\n")
            progress.received += len(raw)
            status, headers = _parse_head(raw)
            if status >= 200 or status == 101:
                return status, headers
            # 1xx (100 Continue, 103 Early Hints): the real answer follows.


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise FetchError("connection-reset", f"not an HTTP answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return int(parts[1]), headers


async def _read_body(reader: asyncio.StreamReader, method: str, status: int, headers: dict[str, str],
                     cap: int, progress: _Progress) -> tuple[bytes, bool]:
    """(body up to ``cap`` bytes, whether it was read to its end)."""
    if method == "HEAD" or status in _NO_BODY or status < 200:
        return b"", True
    if 300 <= status < 400:
        cap = min(cap, 2048)  # a redirect's body is never looked at
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # trailers are not supported beyond an empty line
                return b"".join(chunks), True
            if total + size > cap:
                if cap > total:
                    chunks.append(await reader.readexactly(cap - total))
                return b"".join(chunks), False
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
            total += size
            progress.received += size
    length = headers.get("content-length")
    if length is not None and length.strip().isdigit():
        n = int(length)
        data = await reader.readexactly(min(n, cap))
        progress.received += len(data)
        return data, n <= cap
    data = b""
    while len(data) < cap:  # read to close
        more = await reader.read(cap - len(data))
        if not more:
            return data, True
        progress.received += len(more)
        data += more
    return data, False


def _decode(data: bytes, headers: dict[str, str], cap: int) -> bytes:
    coding = headers.get("content-encoding", "").lower().strip()
    if not data or coding not in ("gzip", "x-gzip", "deflate"):
        return data
    for wbits in ((16 + zlib.MAX_WBITS,) if "gzip" in coding else (zlib.MAX_WBITS, -zlib.MAX_WBITS)):
        try:
            return zlib.decompressobj(wbits).decompress(data, cap)
        except zlib.error:
            continue
    return b""  # undecodable: no text to inspect, the status still counts


def _authority(host: str, port: int | None) -> str:
    name = f"[{host}]" if ":" in host else host
    return f"{name}:{port}" if port else name


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:300]


def _certifi() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests brings certifi; the system roots then
        return None
    return certifi.where()
