"""Partial input (issue 11): a file that fails to parse is a finding; the other files are still checked."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.cli import app
from tests.servers import LoopbackServer
from tests.servers.wayback import FakeWayback


@pytest.fixture
def folder(tmp_path: Path, origin: LoopbackServer) -> Path:
    (tmp_path / "good.bib").write_text(f"@online{{good,\n  url = {{{origin.url('/ok.html')}}},\n}}\n")
    (tmp_path / "dead.bib").write_text(f"@online{{gone,\n  url = {{{origin.url('/gone')}}},\n}}\n")
    # One parseable entry, then a block that is not: the entry is still checked.
    (tmp_path / "broken.bib").write_text(f"@online{{half,\n  url = {{{origin.url('/ok.html?half')}}},\n}}\n\n"
                                         "@online{broken,\n  title = {unbalanced\n")
    (tmp_path / "latin1.bib").write_bytes(b"@online{x,\n  title = {Caf\xe9},\n}\n")
    return tmp_path


def run(command: str, folder: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [command, str(folder), "--no-cache", "-q", "--timeout", "2", "--retries", "0",
                                   *args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


def test_the_rest_is_checked_and_the_run_exits_2(folder: Path) -> None:
    code, out, err = run("check", folder, "--archive", "none", "--format", "json")
    assert code == 2  # input errors beat the dead link's 1
    doc = json.loads(out)
    assert {x["key"]: x["state"] for x in doc["links"]} == {"good": "ok", "gone": "dead", "half": "ok"}
    problems = {Path(p["file"]).name: p for p in doc["input_errors"]}
    assert set(problems) == {"broken.bib", "latin1.bib"}
    assert problems["broken.bib"]["line"] == 5 and problems["latin1.bib"]["message"] == "not valid UTF-8"
    assert doc["summary"]["input_errors"] == 2
    assert "broken.bib:5" in err and "Traceback" not in err


def test_input_errors_in_every_format(folder: Path) -> None:
    outputs = {}
    for fmt in ("table", "json", "junit", "sarif", "github", "markdown"):
        code, out, _ = run("check", folder, "--archive", "none", "--format", fmt)
        assert code == 2, fmt
        assert "broken.bib" in out and "latin1.bib" in out, fmt
        outputs[fmt] = out
    junit = ET.fromstring(outputs["junit"])
    assert junit.get("errors") == "2" and len(list(junit.iter("error"))) == 2
    sarif = json.loads(outputs["sarif"])
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]].count("CITEKIT-INPUT") == 2
    assert outputs["github"].count("title=Input error") == 2


def test_archive_write_never_rewrites_a_file_that_failed_to_parse(folder: Path, origin: LoopbackServer,
                                                                  wayback: FakeWayback) -> None:
    for path in ("/ok.html", "/ok.html?half", "/gone"):
        wayback.add(origin.url(path), "20200101000000")
    before = (folder / "broken.bib").read_bytes()
    code, _, _ = run("archive", folder, "--write", "--wayback-url", wayback.base_url)
    assert code == 2
    assert (folder / "broken.bib").read_bytes() == before
    assert "archiveurl" in (folder / "good.bib").read_text()
