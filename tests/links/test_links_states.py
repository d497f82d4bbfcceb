"""Each behaviour of issue 3 against a real loopback origin: the five states and their reasons."""

from __future__ import annotations

import socket

import pytest

from citekit.links.check import CheckOptions, check_links
from citekit.links.records import LinkRecord
from tests.servers import LoopbackServer, respond


def one(url: str, options: CheckOptions, **kw: object):
    report = check_links([LinkRecord("k", "url", url, **kw)], options)  # type: ignore[arg-type]
    return report.results[0]


@pytest.mark.parametrize(("path", "state", "reason_part"), [
    ("/ok.html", "ok", "HTTP 200"),
    ("/doc.pdf", "ok", "HTTP 200"),
    ("/temp302", "ok", "temporary"),
    ("/temp303", "ok", "temporary"),
    ("/temp307", "ok", "temporary"),
    ("/perm301", "redirected", "permanent"),
    ("/perm308", "redirected", "permanent"),
    ("/chain", "redirected", "permanent"),
    ("/missing", "dead", "HTTP 404"),
    ("/gone", "dead", "HTTP 410"),
    ("/soft404", "dead", "soft-404"),
    ("/soft404-h1", "dead", "soft-404"),
    ("/report.pdf", "dead", "a document link answers with an HTML page that says"),
    ("/deep/report/2018/strategy.pdf", "dead", "home page"),
    ("/deep/temp", "dead", "home page"),
    ("/errpage", "dead", "error page"),
    ("/bot", "blocked", "Cloudflare"),
    ("/cf503", "blocked", "Cloudflare"),
    ("/akamai", "blocked", "Akamai"),
    ("/f5", "blocked", "F5"),
    ("/forbidden", "blocked", "HTTP 403"),
    ("/auth", "blocked", "HTTP 401"),
    ("/linkedin", "blocked", "HTTP 999"),
    ("/rate-forever", "blocked", "429"),
    ("/rate-long", "blocked", "max-retry-wait"),
    ("/flaky", "ok", "HTTP 200"),
    ("/down", "error", "HTTP 503 after 3 attempts"),
    ("/slow", "error", "timed out"),
    ("/reset", "error", "connection reset"),
    ("/loop-a", "error", "redirect loop"),
    ("/many/0", "error", "too many redirects"),
    ("/endless", "ok", "HTTP 200"),
])
def test_states(origin: LoopbackServer, options: CheckOptions, path: str, state: str, reason_part: str) -> None:
    res = one(origin.url(path), options)
    assert res.state == state, res.reason
    assert reason_part in res.reason


def test_redirect_hops_are_recorded(origin: LoopbackServer, options: CheckOptions) -> None:
    res = one(origin.url("/chain"), options)
    assert [h["status"] for h in res.hops] == [301, 307, 302]
    assert res.final_url == origin.url("/ok.html")
    assert res.suggestion == origin.url("/ok.html")  # a permanent move: suggest the new URL
    assert res.http_status == 200


def test_connection_refused_is_error(options: CheckOptions) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = one(f"http://127.0.0.1:{port}/x", options)
    assert res.state == "error" and "refused" in res.reason


def test_not_a_url_is_error(options: CheckOptions) -> None:
    assert one("ftp://example.org/x", options).state == "error"


def test_streamed_get_reads_only_a_few_kb(origin: LoopbackServer, options: CheckOptions) -> None:
    # The endless body is cut after max_bytes: the check returns (bounded) and the server saw one GET.
    res = one(origin.url("/endless"), options)
    assert res.state == "ok"
    assert len(origin.requests("/endless")) == 1


def test_head_only_where_known_to_suffice_with_get_fallback(origin: LoopbackServer, options: CheckOptions) -> None:
    options.head_hosts = {origin.host}
    assert one(origin.url("/headonly-ok"), options).state == "ok"
    assert [e.method for e in origin.requests("/headonly-ok")] == ["HEAD"]
    res = one(origin.url("/head405"), options)
    assert res.state == "ok"
    assert [e.method for e in origin.requests("/head405")] == ["HEAD", "GET"]
    assert one(origin.url("/gone"), options).state == "dead"
    assert [e.method for e in origin.requests("/gone")] == ["HEAD", "GET"]  # 410 confirmed by GET


def test_get_by_default_never_head(origin: LoopbackServer, options: CheckOptions) -> None:
    one(origin.url("/ok.html"), options)
    assert {e.method for e in origin.log} == {"GET"}


def test_user_agent_is_honest(origin: LoopbackServer, options: CheckOptions) -> None:
    import citekit

    one(origin.url("/ok.html"), options)
    assert origin.log[0].headers["user-agent"].startswith(f"citekit/{citekit.__version__}")


def test_retry_after_is_honoured(origin: LoopbackServer, options: CheckOptions) -> None:
    res = one(origin.url("/rate"), options)
    assert res.state == "ok"
    first, second = origin.requests("/rate")
    assert second.start - first.start >= 0.95  # Retry-After: 1


def test_retries_back_off_on_5xx(origin: LoopbackServer, options: CheckOptions) -> None:
    one(origin.url("/down"), options)
    assert len(origin.requests("/down")) == 3  # 1 + --retries 2


def test_404_is_not_retried(origin: LoopbackServer, options: CheckOptions) -> None:
    one(origin.url("/missing"), options)
    assert len(origin.requests("/missing")) == 1


def test_login_redirect_is_blocked(origin: LoopbackServer, options: CheckOptions) -> None:
    from tests.servers import redirect, respond

    origin.route(r"/members/report", redirect("/account/login?next=/members/report"))
    origin.route(r"/account/login", respond(200, "<title>Sign in</title>"))
    res = one(origin.url("/members/report"), options)
    assert res.state == "blocked" and "login" in res.reason


def test_tls_failure_is_error(loopback, options: CheckOptions, tmp_path) -> None:  # noqa: ANN001
    import shutil
    import ssl
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = loopback(tls=ctx)
    srv.route(r"/x", respond(200, "secret"))
    res = one(srv.url("/x"), options)
    assert srv.base_url.startswith("https://")
    assert res.state == "error" and "TLS" in res.reason


def test_http_proxy_from_the_environment(loopback, options: CheckOptions, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    proxy = loopback()  # answers absolute-form requests itself, as a forward proxy would pass them on
    proxy.route(r"/through-proxy", respond(200, "<title>via proxy</title>"))
    monkeypatch.setenv("http_proxy", proxy.base_url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    res = one("http://unresolvable.invalid/through-proxy", options)
    assert res.state == "ok", res.reason
    assert proxy.log[0].target == "http://unresolvable.invalid/through-proxy"


def test_compressed_and_chunked_bodies_are_read(origin: LoopbackServer, options: CheckOptions) -> None:
    from tests.servers import endless

    origin.route(r"/gz-missing", respond(200, "<html><title>Page not found</title></html>", {"X-Test-Gzip": "1"}))
    origin.route(r"/chunked-missing", endless(b"<html><title>Page not found</title></html>" + b" " * 4000))
    res = one(origin.url("/gz-missing"), options)
    assert res.state == "dead" and "not-found title" in res.reason
    assert origin.requests("/gz-missing")[0].headers["accept-encoding"] == "gzip, deflate"
    assert one(origin.url("/chunked-missing"), options).state == "dead"
