"""lychee-like configuration (issue 11): each setting in pyproject.toml, citekit.toml and as a flag.

What the origin server saw is the evidence: an excluded URL is never requested, a remapped one is
requested at its new address, a header goes only to its host.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.cli import app
from citekit.links.cache import LinkCache
from citekit.links.settings import load_rules, parse_codes, parse_duration
from tests.servers import LoopbackServer, Response, respond


def bib_for(tmp_path: Path, urls: dict[str, str], name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"@online{{{key},\n  title = {{T}},\n  url = {{{url}}},\n}}\n\n"
                            for key, url in urls.items()), encoding="utf-8")
    return path


def check(*args: str) -> tuple[int, dict, str]:
    res = CliRunner().invoke(app, ["check", *args, "--no-cache", "-q", "--timeout", "2", "--retries", "0",
                                   "--archive", "none", "--format", "json"])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    doc = json.loads(res.stdout) if res.stdout.strip().startswith("{") else {}
    return res.exit_code, doc, res.stderr


def states(doc: dict) -> dict[str, tuple[str, str]]:
    return {x["key"]: (x["state"], x["reason"]) for x in doc["links"]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_settings(project: Path, kind: str, body: str) -> None:
    if kind == "pyproject":
        (project / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.citekit.check]\n" + body)
    else:
        (project / "citekit.toml").write_text("[check]\n" + body)


@pytest.mark.parametrize("kind", ["pyproject", "citekit.toml"])
def test_exclude_in_the_settings_file_is_never_requested(project: Path, origin: LoopbackServer, kind: str) -> None:
    write_settings(project, kind, "exclude = ['/private/']\n")
    bib = bib_for(project, {"a": origin.url("/private/report"), "b": origin.url("/ok.html")})
    code, doc, _ = check(str(bib))
    assert code == 0
    assert states(doc)["a"][0] == "excluded" and "'/private/'" in states(doc)["a"][1]
    assert states(doc)["b"][0] == "ok"
    assert not origin.requests("/private/.*")
    assert doc["summary"]["excluded"] == 1


def test_exclude_flag_and_citekitignore(project: Path, origin: LoopbackServer) -> None:
    (project / ".citekitignore").write_text("# internal links\n\n/intranet/\n")
    bib = bib_for(project, {"a": origin.url("/intranet/x"), "b": origin.url("/drafts/y"), "c": origin.url("/ok.html")})
    code, doc, _ = check(str(bib), "--exclude", "/drafts/")
    s = states(doc)
    assert s["a"][0] == "excluded" and ".citekitignore" in s["a"][1]
    assert s["b"][0] == "excluded" and "--exclude" in s["b"][1]
    assert s["c"][0] == "ok" and code == 0
    assert {e.target for e in origin.log} == {"/ok.html"}


def test_include_wins_over_exclude(project: Path, origin: LoopbackServer) -> None:
    write_settings(project, "pyproject", f"exclude = ['{origin.host}']\n")
    bib = bib_for(project, {"a": origin.url("/ok.html"), "b": origin.url("/gone")})
    _, doc, _ = check(str(bib), "--include", r"/ok\.html$")
    assert states(doc)["a"][0] == "ok" and states(doc)["b"][0] == "excluded"


def test_exclude_path_skips_files(project: Path, origin: LoopbackServer) -> None:
    write_settings(project, "citekit.toml", "exclude-path = ['drafts/*']\n")
    bib_for(project, {"a": origin.url("/ok.html")}, "main.bib")
    bib_for(project, {"b": origin.url("/gone")}, "drafts/old.bib")
    (project / "scratch.bib").write_text("@online{broken, title = {unbalanced\n")
    code, doc, _ = check(str(project), "--exclude-path", "scratch.bib")
    assert code == 0 and set(states(doc)) == {"a"}
    assert not origin.requests("/gone")


@pytest.mark.parametrize("kind", ["pyproject", "citekit.toml", "flag"])
def test_accept_status_codes_per_pattern(project: Path, origin: LoopbackServer, kind: str) -> None:
    if kind == "flag":
        extra = ["--accept", r"/forbidden$ 403", "--accept", "999"]
    else:
        table = "[tool.citekit.check.accept]\n" if kind == "pyproject" else "[check.accept]\n"
        (project / kind.replace("pyproject", "pyproject.toml")).write_text(table + "'/forbidden$' = '403'\n'.' = [999]\n")
        extra = []
    bib = bib_for(project, {"f": origin.url("/forbidden"), "a": origin.url("/auth"), "l": origin.url("/linkedin")})
    _, doc, _ = check(str(bib), "--fail-on", "blocked", *extra)
    s = states(doc)
    assert s["f"] == ("ok", "HTTP 403 (accepted by the configuration)")
    assert s["l"][0] == "ok"  # 999 accepted everywhere
    assert s["a"][0] == "blocked"  # 401 was not accepted


@pytest.mark.parametrize("kind", ["pyproject", "flag"])
def test_remap_checks_the_new_address(project: Path, origin: LoopbackServer, kind: str) -> None:
    rule = r"^(https?://[^/]+)/old/(?P<page>\w+)\.htm$ $1/${page}.html"
    extra = ["--remap", rule] if kind == "flag" else []
    if kind == "pyproject":
        write_settings(project, kind, f"remap = [{json.dumps(rule)}]\n")
    bib = bib_for(project, {"r": origin.url("/old/ok.htm")})
    _, doc, _ = check(str(bib), *extra)
    state, reason = states(doc)["r"]
    assert state == "ok" and f"(checked as {origin.url('/ok.html')})" in reason
    assert [e.target for e in origin.log] == ["/ok.html"]
    assert doc["links"][0]["url"] == origin.url("/old/ok.htm")  # the report names the URL as written


def test_headers_go_only_to_their_host_and_are_never_printed(project: Path, loopback, origin: LoopbackServer,  # noqa: ANN001
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    other = loopback()
    other.route(r"/x", respond(200, "<title>x</title>"))
    monkeypatch.setenv("INTRANET_TOKEN", "s3cret-token-value")
    write_settings(project, "pyproject", f'[tool.citekit.check.headers."{origin.host}"]\n'
                                         'Authorization = "$INTRANET_TOKEN"\n')
    origin.route(r"/elsewhere", lambda req, h: Response(302, "", {"Location": other.url("/x?via-redirect")}))
    bib = bib_for(project, {"a": origin.url("/ok.html"), "b": other.url("/x"), "c": origin.url("/elsewhere")})
    res = CliRunner().invoke(app, ["check", str(bib), "--no-cache", "-q", "--archive", "none",
                                   "--header", f"{other.host}=X-Api-Key: plain-key-value"])
    assert res.exit_code == 0
    assert origin.log[0].headers["authorization"] == "s3cret-token-value"
    assert "x-api-key" not in origin.log[0].headers
    assert other.log[0].headers["x-api-key"] == "plain-key-value"
    assert all("authorization" not in e.headers for e in other.log)  # not even after a redirect
    assert len(other.log) == 2
    assert "s3cret" not in res.output and "plain-key-value" not in res.output


def test_a_header_naming_an_unset_variable_is_one_line_without_the_value(project: Path,
                                                                        origin: LoopbackServer) -> None:
    write_settings(project, "pyproject", '[tool.citekit.check.headers."example.org"]\nAuthorization = "$NOPE_X"\n')
    code, _, err = check(str(bib_for(project, {"a": origin.url("/ok.html")})))
    assert code == 2 and "NOPE_X" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_max_cache_age_and_offline(project: Path, origin: LoopbackServer, tmp_path: Path) -> None:
    cache_path = tmp_path / "cache.sqlite3"
    ok, gone = origin.url("/ok.html"), origin.url("/gone")
    bib = bib_for(project, {"a": ok, "b": gone, "c": origin.url("/never-checked")})
    with LinkCache(cache_path) as cache:
        cache.put_link(f"{ok}", "ok", 200, "", "HTTP 200", time.time() - 7200)
        cache.put_link(f"{gone}", "dead", 404, "", "HTTP 404", time.time() - 60)

    def run(*args: str) -> dict:
        res = CliRunner().invoke(app, ["check", str(bib), "--cache", str(cache_path), "-q", "--archive", "none",
                                       "--format", "json", *args])
        return json.loads(res.stdout)

    origin.log.clear()
    doc = run("--offline")
    s = {x["key"]: x for x in doc["links"]}
    assert not origin.log  # offline: nothing requested
    assert s["a"]["state"] == "ok" and s["a"]["cached"]
    assert s["b"]["state"] == "dead" and s["b"]["cached"]  # failures are served too when offline
    assert s["c"]["state"] == "error" and "offline" in s["c"]["reason"]
    run("--max-cache-age", "1h")  # the 2-hour-old ok is stale now
    assert [e.target for e in origin.log if e.target == "/ok.html"] == ["/ok.html"]
    origin.log.clear()
    run("--max-cache-age", "1d")
    assert not origin.requests(r"/ok\.html")


def test_offline_and_max_cache_age_from_the_settings_file(project: Path) -> None:
    write_settings(project, "citekit.toml", "offline = true\nmax-cache-age = '12h'\n")
    rules = load_rules(project)
    assert rules.offline and rules.max_cache_age == 12 * 3600
    assert not load_rules(project, offline=False).offline  # the flag wins


@pytest.mark.parametrize(("body", "message"), [
    ("exclued = ['x']\n", "unknown key"),
    ("exclude = ['(unclosed']\n", "bad regular expression"),
    ("accept = ['2xx']\n", "not a status code"),
    ("remap = ['only-a-pattern']\n", "PATTERN REPLACEMENT"),
    ("max-cache-age = 'soon'\n", "not a duration"),
])
def test_bad_settings_are_one_line_exit_2(project: Path, origin: LoopbackServer, body: str, message: str) -> None:
    write_settings(project, "pyproject", body)
    code, _, err = check(str(bib_for(project, {"a": origin.url("/ok.html")})))
    assert code == 2 and message in err and "pyproject.toml" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_code_and_duration_syntax() -> None:
    assert parse_codes("200..=202, 404") == {200, 201, 202, 404}
    assert parse_codes("500..503") == {500, 501, 502}
    assert parse_codes([403, "429"]) == {403, 429}
    assert parse_duration("1d12h") == 36 * 3600 and parse_duration("90") == 90.0
