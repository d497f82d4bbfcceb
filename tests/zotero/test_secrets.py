"""The API key stays with the API: cross-host redirects, echoed keys, and answers of the wrong shape."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from typer.testing import CliRunner

from citekit.cli import app
from citekit.secrets import redact, secret_values
from citekit.zotero.state import LibraryState
from citekit.zotero.webapi import ZoteroAPIError, ZoteroClient, pull

SECRET = "sk-citekit-secret-0123456789"


class _Server:
    """A loopback HTTP server whose answers the test sets per path; it records every request."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _answer(self):  # noqa: ANN202
                outer.seen.append((self.path, dict(self.headers)))
                status, headers, body = outer.routes.get(self.path.split("?")[0], (404, {}, b"not here"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

        try:
            self.httpd = ThreadingHTTPServer((host, 0), Handler)
        except OSError:
            pytest.skip(f"cannot listen on {host}")
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    api, other = _Server("127.0.0.1"), _Server("127.0.0.2")
    yield api, other
    api.close()
    other.close()


def _json(data) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json", "Last-Modified-Version": "7", "Total-Results": "0"}, \
        json.dumps(data).encode()


def test_a_cross_host_redirect_never_carries_the_key(servers):
    api, other = servers
    api.routes["/users/1/items"] = (302, {"Location": other.url + "/elsewhere"}, b"")
    other.routes["/elsewhere"] = _json([])
    api.routes["/users/1/deleted"] = _json({"items": []})
    notices: list[str] = []
    client = ZoteroClient(requests.Session(), "user:1", SECRET, base_url=api.url, notify=notices.append)
    pull(client, LibraryState())
    assert api.seen[0][1].get("Zotero-API-Key") == SECRET
    assert other.seen and all("Zotero-API-Key" not in h and "Authorization" not in h for _, h in other.seen)
    assert notices and "another host (127.0.0.2)" in notices[0] and "without the API key" in notices[0]


def test_a_same_host_redirect_keeps_the_key(servers):
    api, _ = servers
    api.routes["/users/1/items"] = (301, {"Location": "/users/1/items2"}, b"")
    api.routes["/users/1/items2"] = _json([])
    api.routes["/users/1/deleted"] = _json({"items": []})
    notices: list[str] = []
    client = ZoteroClient(requests.Session(), "user:1", SECRET, base_url=api.url, notify=notices.append)
    pull(client, LibraryState())
    assert [h.get("Zotero-API-Key") for p, h in api.seen if p.startswith("/users/1/items2")] == [SECRET]
    assert notices == []


@pytest.mark.parametrize(("items", "deleted"), [({"not": "a list"}, {"items": []}), ([], ["a", "list"]),
                                                 (["no data"], {"items": []}), ([], {"items": "x"})])
def test_answers_of_the_wrong_shape_are_one_line_errors(servers, items, deleted):
    api, _ = servers
    api.routes["/users/1/items"] = _json(items)
    api.routes["/users/1/deleted"] = _json(deleted)
    client = ZoteroClient(requests.Session(), "user:1", SECRET, base_url=api.url)
    with pytest.raises(ZoteroAPIError) as err:
        pull(client, LibraryState())
    assert "\n" not in str(err.value)


def test_an_echoed_key_is_redacted_everywhere(servers, tmp_path):
    api, _ = servers
    api.routes["/users/1/items"] = (500, {}, f"internal error for key {SECRET}".encode())
    out = tmp_path / "out.bib"
    r = CliRunner().invoke(app, ["zotero", "pull", "--zotero-library", "user:1", "-o", str(out), "--state",
                                 str(tmp_path / "state.json"), "--api-url", api.url],
                           env={"ZOTERO_API_KEY": SECRET})
    assert r.exit_code == 2
    assert "HTTP 500" in r.stderr and "[redacted]" in r.stderr
    assert SECRET not in r.output and SECRET not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_redact_masks_every_configured_secret(monkeypatch):
    monkeypatch.setenv("CITEKIT_IA_SECRET_KEY", "ia-secret-value")
    monkeypatch.setenv("ZOTERO_API_KEY", SECRET)
    assert set(secret_values()) >= {SECRET, "ia-secret-value"}
    assert redact(f"a {SECRET} b ia-secret-value c") == "a [redacted] b [redacted] c"
