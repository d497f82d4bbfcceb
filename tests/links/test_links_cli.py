"""``citekit check`` / ``citekit archive`` end to end: .bib in, reports and exit codes out, write-back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.bibtex.reader import parse_bib
from citekit.cli import app
from tests.servers import LoopbackServer
from tests.servers.doi import FakeDoi
from tests.servers.wayback import FakeWayback
from tests.stall import STALL_IN_ATOMIC_WRITE

ROOT = Path(__file__).resolve().parents[2]

BIB = """% a comment that must survive
@online{alive,
  title = {Alive},
  url = {{ORIGIN}/ok.html},
  urldate = {2021-03-10},
}

@report{nstc2018,
  title   = "Strategy for American Leadership in Advanced Manufacturing",
  url     = {{ORIGIN}/wpcontent/uploads/2018/10/plan.pdf},
  urldate = {2021-07-16},
}

@online{walled,
  title = {Walled},
  url = {{ORIGIN}/bot},
}

@report{nist,
  title = {NIST AMS 600-17},
  doi = {10.6028/NIST.AMS.600-17},
}
"""


@pytest.fixture
def bib(tmp_path: Path, origin: LoopbackServer, doi: FakeDoi, wayback: FakeWayback) -> Path:
    doi.register("10.6028/NIST.AMS.600-17", "https://nvlpubs.nist.gov/x.pdf")
    wayback.add(origin.url("/wpcontent/uploads/2018/10/plan.pdf"), "20190512000000")
    path = tmp_path / "refs.bib"
    path.write_text(BIB.replace("{ORIGIN}", origin.base_url), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


def base_args(wayback: FakeWayback, doi: FakeDoi) -> list[str]:
    return ["--no-cache", "--timeout", "2", "--retries", "0", "--wayback-url", wayback.base_url,
            "--doi-url", doi.base_url, "-q"]


def test_check_json_schema_and_exit_1(bib: Path, wayback: FakeWayback, doi: FakeDoi) -> None:
    code, out, _ = run("check", str(bib), "--format", "json", *base_args(wayback, doi))
    assert code == 1  # a dead link
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "citekit"
    assert doc["summary"]["dead"] == 1 and doc["summary"]["blocked"] == 1 and doc["summary"]["ok"] == 2
    links = {(x["key"], x["field"]): x for x in doc["links"]}
    required = {"key", "field", "url", "state", "http_status", "final_url", "reason", "archive_url",
                "archive_timestamp", "suggestion", "checked_at"}
    assert all(required <= set(x) for x in doc["links"])
    dead = links[("nstc2018", "url")]
    assert dead["state"] == "dead" and dead["http_status"] == 404
    assert dead["archive_timestamp"] == "20190512000000" and dead["archive_url"].endswith("/plan.pdf")
    assert dead["suggestion"].endswith("/wp-content/uploads/2018/10/plan.pdf")
    assert dead["line"] == 10 and dead["file"] == str(bib)
    assert links[("nist", "doi")]["state"] == "ok"
    assert links[("walled", "url")]["state"] == "blocked"


def test_exit_codes_fail_on_and_allow_archived(bib: Path, wayback: FakeWayback, doi: FakeDoi) -> None:
    args = base_args(wayback, doi)
    assert run("check", str(bib), "--allow-archived", "--format", "json", *args)[0] == 0  # the dead one is archived
    assert run("check", str(bib), "--allow-archived", "--fail-on", "dead,blocked", "--format", "json", *args)[0] == 1
    assert run("check", str(bib), "--fail-on", "bogus", *args)[0] == 2
    assert run("check", str(bib.parent / "missing.bib"), *args)[0] == 2


def test_unparseable_bib_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bib"
    bad.write_text("@online{x,\n  title = {unbalanced,\n")
    code, _, err = run("check", str(bad), "--no-cache", "-q")
    assert code == 2 and "error" in err


def test_unreachable_network_is_exit_3(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    entries = "".join(f"@online{{k{i},\n  url = {{http://127.0.0.1:{port}/{i}}},\n}}\n\n" for i in range(3))
    (tmp_path / "x.bib").write_text(entries)
    code, _, err = run("check", str(tmp_path / "x.bib"), "--no-cache", "-q", "--archive", "none", "--retries", "0")
    assert code == 3 and "network" in err


def test_other_formats(bib: Path, wayback: FakeWayback, doi: FakeDoi, tmp_path: Path) -> None:
    args = base_args(wayback, doi)
    code, out, _ = run("check", str(bib), "--format", "junit", *args)
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "1"
    assert suite.get("skipped") == "1"
    case = [c for c in suite if c.find("failure") is not None][0]
    assert case.get("line") == "10" and case.find("failure").get("type") == "dead"  # type: ignore[union-attr]
    sarif = json.loads(run("check", str(bib), "--format", "sarif", *args)[1])
    assert sarif["version"] == "2.1.0"
    res = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in res} == {"CITEKIT-DEAD", "CITEKIT-BLOCKED"}
    dead = [r for r in res if r["ruleId"] == "CITEKIT-DEAD"][0]
    assert dead["level"] == "error" and dead["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    gh = run("check", str(bib), "--format", "github", *args)[1].splitlines()
    assert gh[0].startswith("::error file=") and ",line=10,title=Dead link (nstc2018)::" in gh[0]
    assert any(line.startswith("::notice ") and "Blocked link (walled)" in line for line in gh)
    summary = tmp_path / "summary.md"
    report = tmp_path / "out.json"
    code, out, _ = run("check", str(bib), "--output", str(report), "--step-summary", str(summary), *args)
    assert code == 1 and out == "" and json.loads(report.read_text())["links"]  # format from the suffix
    also = tmp_path / "also.json"
    code, out, _ = run("check", str(bib), "--format", "github", "--json-report", str(also), *args)
    assert out.startswith("::error") and json.loads(also.read_text())["summary"]["dead"] == 1
    md = summary.read_text()
    assert md.startswith("## citekit link check") and "| dead |" in md and "nstc2018" in md


def test_plain_table_when_not_a_terminal(bib: Path, wayback: FakeWayback, doi: FakeDoi) -> None:
    code, out, _ = run("check", str(bib), *base_args(wayback, doi))
    assert "dead" in out and "nstc2018" in out and "suggestion:" in out and "\x1b[" not in out


def test_archive_write_changes_only_the_entries(bib: Path, wayback: FakeWayback, doi: FakeDoi,
                                                origin: LoopbackServer) -> None:
    wayback.add(origin.url("/ok.html"), "20210301000000")
    original = bib.read_text()
    code, _, err = run("archive", str(bib), "--write", *base_args(wayback, doi))
    assert code == 0, err
    text = bib.read_text()
    parsed = parse_bib(text, str(bib))
    assert parsed.parsed_cleanly
    e = {x.key: x for x in parsed.entries}
    assert e["nstc2018"].get("archiveurl") == f"{wayback.base_url}/web/20190512000000/" + \
        origin.url("/wpcontent/uploads/2018/10/plan.pdf")
    assert e["nstc2018"].get("archivedate") == "2019-05-12" and e["nstc2018"].get("urlstatus") == "dead"
    assert e["alive"].get("urlstatus") == "live" and e["alive"].get("archivedate") == "2021-03-01"
    assert "archiveurl" not in e["walled"] and "archiveurl" not in e["nist"]
    # Outside the two changed entries, every byte is as it was.
    old = parse_bib(original, str(bib))
    o = {x.key: x for x in old.entries}
    assert text[: e["alive"].start] == original[: o["alive"].start]
    assert text[e["alive"].end: e["nstc2018"].start] == original[o["alive"].end: o["nstc2018"].start]
    assert text[e["nstc2018"].end:] == original[o["nstc2018"].end:]
    # A second run finds nothing to change.
    run("archive", str(bib), "--write", *base_args(wayback, doi))
    assert bib.read_text() == text


def test_prefer_archive_after_write(bib: Path, wayback: FakeWayback, doi: FakeDoi, origin: LoopbackServer,
                                    tmp_path: Path) -> None:
    from citekit.bibtex.reader import read_library
    from citekit.links.archive import preferred_urls, robust_link_attributes

    cache = tmp_path / "cache.sqlite3"
    args = [a for a in base_args(wayback, doi) if a != "--no-cache"] + ["--cache", str(cache)]
    run("check", str(bib), *args)
    items = read_library([bib]).items()
    out = {i["id"]: i for i in preferred_urls(items, cache_path=cache)}
    dead = out["nstc2018"]
    assert dead["URL"].startswith(wayback.base_url + "/web/20190512000000/")
    assert dead["citekit-original-url"].endswith("/wpcontent/uploads/2018/10/plan.pdf")
    assert out["alive"]["URL"] == origin.url("/ok.html")  # live links keep their URL
    attrs = robust_link_attributes(dead)
    assert attrs["data-versionurl"] == dead["URL"] and attrs["data-versiondate"] == "2019-05-12"
    # Without any cache, the library's own fields say so after archive --write.
    run("archive", str(bib), "--write", *base_args(wayback, doi))
    items = read_library([bib]).items()
    out = {i["id"]: i for i in preferred_urls(items, cache_path=tmp_path / "none.sqlite3",
                                              archive_fields={"nstc2018": {"urlstatus": "dead"}})}
    assert out["nstc2018"]["URL"].startswith(wayback.base_url)


def test_archive_save_page_now(bib: Path, wayback: FakeWayback, doi: FakeDoi, monkeypatch: pytest.MonkeyPatch,
                               origin: LoopbackServer) -> None:
    monkeypatch.setenv("CITEKIT_IA_ACCESS_KEY", "ak")
    monkeypatch.setenv("CITEKIT_IA_SECRET_KEY", "sk")
    wayback.spn_pending_polls = 0
    code, out, err = run("archive", str(bib), "--save", "--save-poll-interval", "0", "--format", "json",
                         *base_args(wayback, doi))
    assert code == 0, err
    assert "sk" not in err.replace("task", "") and "ak:" not in err
    saved = [e for e in wayback.server.requests("/save")]
    assert len(saved) == 1  # only the live link without a snapshot (the walled one is not live)
    doc = json.loads(out)
    alive = [x for x in doc["links"] if x["key"] == "alive"][0]
    assert alive["archive_url"] and alive["archive_source"] == "wayback-spn"


def test_save_without_keys_is_usage_error(bib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITEKIT_IA_ACCESS_KEY", raising=False)
    assert run("archive", str(bib), "--save", "--no-cache")[0] == 2


STALL_CHILD = STALL_IN_ATOMIC_WRITE + """
from citekit.cli import app
app(["archive", sys.argv[1], "--write", "--no-cache", "-q", "--retries", "0", "--timeout", "2",
     "--wayback-url", sys.argv[3], "--doi-url", sys.argv[4]])
"""


def test_crash_mid_write_leaves_the_original(bib: Path, wayback: FakeWayback, doi: FakeDoi, tmp_path: Path) -> None:
    original = bib.read_bytes()
    marker = tmp_path / "marker"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", STALL_CHILD, str(bib), str(marker), wayback.base_url,
                              doi.base_url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline and child.poll() is None, "child never reached the write"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert bib.read_bytes() == original


def test_corrupt_cache_is_exit_3(bib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "broken.sqlite3"
    cache.write_bytes(b"this is not a database" * 100)
    code, _, err = run("check", str(bib), "--cache", str(cache), "-q")
    assert code == 3 and "cache" in err


def test_check_uses_the_entry_archive_fields(tmp_path: Path, origin: LoopbackServer, wayback: FakeWayback,
                                             doi: FakeDoi) -> None:
    path = tmp_path / "a.bib"
    path.write_text("@online{k,\n  url = {" + origin.url("/gone") + "},\n  archiveurl = {https://web.archive.org/web/"
                    "20200102030405/x},\n  archivedate = {2020-01-02},\n}\n")
    code, out, _ = run("check", str(path), "--format", "json", "--allow-archived", *base_args(wayback, doi))
    link = json.loads(out)["links"][0]
    assert code == 0 and link["state"] == "dead" and link["archive_source"] == "entry"
    assert link["archive_timestamp"] == "20200102030405"
    assert not wayback.server.log  # nothing asked of the archive


def test_cli_timegate_archive_all_and_head_host(bib: Path, wayback: FakeWayback, doi: FakeDoi,
                                                 origin: LoopbackServer, loopback) -> None:  # noqa: ANN001
    from tests.servers.wayback import FakeTimeGate

    gate = FakeTimeGate(loopback())
    gate.add(origin.url("/ok.html"), "20210305000000")
    code, out, err = run("check", str(bib), "--format", "json", "--archive", "all", "--timegate", gate.gate,
                         "--head-host", origin.host, "--fail-on", "redirected", *base_args(wayback, doi))
    assert code == 0, err  # nothing redirected
    alive = [x for x in json.loads(out)["links"] if x["key"] == "alive"][0]
    assert alive["state"] == "ok" and alive["archive_source"].startswith("timegate:")
    assert alive["archive_timestamp"] == "20210305000000"
    assert [e.method for e in origin.requests("/ok.html")] == ["HEAD"]


def test_format_prefer_archive_end_to_end(bib: Path, wayback: FakeWayback, doi: FakeDoi, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """check fills the default cache; format --prefer-archive then prints the capture for the dead link."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    args = [a for a in base_args(wayback, doi) if a != "--no-cache"]
    assert run("check", str(bib), *args)[0] == 1
    code, out, err = run("format", "--library", str(bib), "--prefer-archive", "nstc2018", "alive")
    if code != 0:
        pytest.skip(f"format is not available here: {err.strip()[:200]}")
    assert f"{wayback.base_url}/web/20190512000000/" in out
    assert "/ok.html" in out  # the live link is printed as it is
