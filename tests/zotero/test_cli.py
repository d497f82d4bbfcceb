"""``citekit export`` and ``citekit zotero push|pull`` end to end, against the loopback emulation."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from citekit.bibtex.mapping import entry_to_csl
from citekit.bibtex.reader import read_bib, read_library
from citekit.cli import app
from tests.zotero.conftest import ROOT

SECRET = "sk-citekit-test-0123456789abcdef"


@pytest.fixture
def bib_dir(tmp_path):
    d = tmp_path / "library"
    shutil.copytree(ROOT / "library", d)
    return d


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(app, list(args), env=env or {})
    return result


def _norm(item: dict) -> dict:
    return {k: ({"date-parts": v["date-parts"]} if isinstance(v, dict) and "date-parts" in v else v)
            for k, v in item.items()}


@pytest.mark.parametrize("fmt", ["csljson", "ris", "biblatex", "bibtex", "zotero-json", "zotero-rdf"])
def test_export_every_format(fmt, tmp_path, bib_dir):
    out = tmp_path / f"out.{fmt}"
    r = run("export", "--to", fmt, "--library", str(bib_dir), "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "congress2014revitalize" in text and "H.R. 2996" in text


def test_export_selected_keys_to_stdout(bib_dir):
    r = run("export", "--to", "zotero-json", "crs2019mep", "--library", str(bib_dir))
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [z["citationKey"] for z in data] == ["crs2019mep"] and data[0]["reportNumber"] == "R44308"


def test_export_errors_are_one_line(bib_dir):
    r = run("export", "--to", "endnote", "--library", str(bib_dir))
    assert r.exit_code == 2 and "unknown format" in r.output
    r = run("export", "--to", "ris", "nosuchkey", "--library", str(bib_dir))
    assert r.exit_code == 2 and "nosuchkey" in r.output


def test_push_dry_run_lists_and_writes_nothing(emu, bib_dir):
    env = {"ZOTERO_API_KEY": SECRET}
    r = run("zotero", "push", "--zotero-library", "user:1234", "--library", str(bib_dir), "--dry-run",
            "--api-url", emu.url, env=env)
    assert r.exit_code == 0, r.output
    assert "create    congress2014revitalize  (bill)" in r.stdout
    assert "14 to create, 0 to update, 0 unchanged" in r.stdout
    assert emu.log == [] and not (bib_dir / ".citekit-zotero.json").exists()


def test_push_pull_round_trip_and_secret_never_leaks(emu, bib_dir, tmp_path):
    emu.api_key = SECRET
    env = {"ZOTERO_API_KEY": SECRET}
    r = run("zotero", "push", "--zotero-library", "user:1234", "--library", str(bib_dir), "--collection", "citekit",
            "--api-url", emu.url, env=env)
    assert r.exit_code == 0, r.output
    assert "14 created, 0 updated, 0 unchanged, 0 failed" in r.stdout
    state_file = bib_dir / ".citekit-zotero.json"
    assert state_file.exists()
    # an edit, then dry run and a second push
    bib = bib_dir / "us-manufacturing.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("MEP National Network: Meeting the Challenge",
                                                          "MEP National Network: Meeting the Challenges"))
    r = run("zotero", "push", "--zotero-library", "user:1234", "--library", str(bib_dir), "--collection", "citekit",
            "--dry-run", env=env)
    assert "update    nist2020mep" in r.stdout and "0 to create, 1 to update, 13 unchanged" in r.stdout
    r = run("zotero", "push", "--zotero-library", "user:1234", "--library", str(bib_dir), "--collection", "citekit",
            "--api-url", emu.url, env=env)
    assert "0 created, 1 updated, 13 unchanged" in r.stdout
    # pull into a new file: the same entries come back
    out = tmp_path / "pulled.bib"
    r = run("zotero", "pull", "--zotero-library", "user:1234", "--library", str(bib_dir), "-o", str(out),
            "--full", "--api-url", emu.url, env=env)
    assert r.exit_code == 0, r.output
    pulled = {e.key: e for e in read_bib(out).entries}
    original = read_library([bib_dir])
    assert sorted(pulled) == sorted(original.keys())
    for e in original.entries:
        p = pulled[e.key]
        assert p.entry_type == e.entry_type
        assert set(p.fields) == set(e.fields), e.key
        assert _norm(entry_to_csl(p)) == _norm(entry_to_csl(e, original.file_of(e).strings))
    # merge: pulling again into the same file replaces in place, adds nothing
    before = out.read_text(encoding="utf-8")
    r = run("zotero", "pull", "--zotero-library", "user:1234", "--library", str(bib_dir), "-o", str(out), "--full",
            "--api-url", emu.url, env=env)
    assert r.exit_code == 0 and out.read_text(encoding="utf-8") == before
    # the key is in no output and no file
    for text in (r.output, state_file.read_text(), before, bib.read_text()):
        assert SECRET not in text


def test_push_without_key_or_library(bib_dir):
    r = run("zotero", "push", "--zotero-library", "user:1", "--library", str(bib_dir), env={"ZOTERO_API_KEY": ""})
    assert r.exit_code == 2 and "ZOTERO_API_KEY is not set" in r.output
    r = run("zotero", "push", "--library", str(bib_dir), env={"ZOTERO_API_KEY": SECRET})
    assert r.exit_code == 2 and "--zotero-library" in r.output


def test_old_option_spellings_still_work_with_a_warning(emu, bib_dir):
    r = run("zotero", "push", "--library", "user:1234", "--bib", str(bib_dir), "--dry-run",
            env={"ZOTERO_API_KEY": SECRET})
    assert r.exit_code == 0, r.output
    assert "14 to create" in r.stdout
    assert "--bib is now --library" in r.stderr and "--library user:ID is now --zotero-library" in r.stderr


def test_bad_key_message(emu, bib_dir):
    r = run("zotero", "push", "--zotero-library", "user:1234", "--library", str(bib_dir), "--api-url", emu.url,
            env={"ZOTERO_API_KEY": "wrong-key"})
    assert r.exit_code == 2 and "refused the key" in r.output and "wrong-key" not in r.output


class _Connector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        body = b"Zotero is running"
        self.send_response(200 if self.path == "/connector/ping" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(raw)
        body = json.dumps([{"itemType": "bill"}] * raw.count(b"<z:itemType>")).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_push_local_through_the_connector(bib_dir):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Connector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        r = run("zotero", "push", "--local", "--library", str(bib_dir), "--connector-url", url)
        assert r.exit_code == 0, r.output
        assert "imported 14 items" in r.stdout
        body = _Connector.received[-1].decode()
        assert body.startswith("<rdf:RDF") and "<z:citationKey>congress2014revitalize</z:citationKey>" in body
    finally:
        server.shutdown()
        server.server_close()


def test_push_local_when_zotero_is_not_running(bib_dir):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Connector)
    port = server.server_address[1]
    server.server_close()  # a port nobody listens on
    r = run("zotero", "push", "--local", "--library", str(bib_dir), "--connector-url", f"http://127.0.0.1:{port}")
    assert r.exit_code == 2 and "Zotero is not running" in r.output
