"""lint: the seeded file reports each defect once at its line; the bundled library is clean."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.bibtex.reader import read_library
from citekit.care.config import CareConfig, load_config
from citekit.care.lint import format_diagnostics, has_errors, lint_library, lint_paths
from citekit.cli import app
from citekit.errors import CitekitError

SEEDED = Path(__file__).parent / "fixtures" / "seeded.bib"
TODAY = dt.date(2026, 1, 1)

# code → (a unique piece of the line the diagnostic must point at)
EXPECTED = [
    ("duplicate-key", "@report{clean2020,", 2),  # the second of two identical lines
    ("duplicate-work", "@report{samedoi2021,", 1),
    ("duplicate-work", "@online{sameurl2021,", 1),
    ("duplicate-work", "@article{smith2019second,", 1),
    ("missing-field", "@online{nourldate2020,", 1),
    ("misspelt-field", "urldata = ", 1),
    ("invalid-date", "date = {May 2020}", 1),
    ("invalid-date", "urldate = {2999-01-01}", 1),
    ("invalid-date", "urldate = {2019-12-31}", 1),
    ("malformed-url", "no scheme", 1),
    ("malformed-doi", "too-short-prefix", 1),
    ("doi-in-url", "url = {https://doi.org/10.2172/1234567}", 1),
    ("undefined-macro", "institution = doe,", 1),
    ("concatenation", "institution = nist # { Boulder}", 1),
    ("non-nfc", "Cafe\u0301 Society", 1),
    ("parse-error", "title = {A Missing Comma}", 1),
    ("duplicate-field", "date = {2021}", 1),
    ("parse-error", "title = {An Unbalanced {Brace},", 1),
]


def line_of(text: str, needle: str, occurrence: int) -> int:
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def test_seeded_file_reports_each_defect_once_with_its_line() -> None:
    text = SEEDED.read_text(encoding="utf-8")
    diags = lint_paths([SEEDED], CareConfig(), TODAY)
    got = sorted((d.code, d.line) for d in diags)
    want = sorted((code, line_of(text, needle, n)) for code, needle, n in EXPECTED)
    assert got == want, "\n".join(str(d) for d in diags)
    assert all(d.column >= 1 for d in diags)
    assert has_errors(diags)


def test_parse_errors_have_precise_columns() -> None:
    diags = {(d.code, d.line): d for d in lint_paths([SEEDED], CareConfig(), TODAY)}
    text = SEEDED.read_text(encoding="utf-8").splitlines()
    unbalanced = next(d for (c, _), d in diags.items() if c == "parse-error" and "never closed" in d.message)
    assert text[unbalanced.line - 1][unbalanced.column - 1:].startswith("{An Unbalanced")
    comma = next(d for (c, _), d in diags.items() if c == "parse-error" and "missing comma" in d.message)
    assert text[comma.line - 1][:comma.column - 1].endswith("{A Missing Comma}")


def test_bundled_library_is_clean() -> None:
    assert lint_library(read_library(["bundled"])) == []


def test_formats() -> None:
    diags = lint_paths([SEEDED], CareConfig(), TODAY)
    data = json.loads(format_diagnostics(diags, "json"))
    assert data["errors"] + data["warnings"] == len(diags) == len(data["diagnostics"])
    gh = format_diagnostics(diags, "github").splitlines()
    assert gh[0].startswith("::error file=") and ",line=" in gh[0] and "::" in gh[0][2:]
    assert any(line.startswith("::warning ") for line in gh)
    assert format_diagnostics(diags, "text").splitlines()[-1].endswith("warning(s)")


def test_config_switches_rules_off(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.citekit.lint]\ndisable = ["duplicate-work", "non-nfc"]\nwarn = ["missing-field"]\n'
    )
    cfg = load_config(tmp_path)
    diags = lint_paths([SEEDED], cfg, TODAY)
    codes = {d.code for d in diags}
    assert "duplicate-work" not in codes and "non-nfc" not in codes
    assert all(d.severity == "warning" for d in diags if d.code == "missing-field")
    (tmp_path / "citekit.toml").write_text('[lint]\ndisable = ["all"]\n')
    assert lint_paths([SEEDED], load_config(tmp_path), TODAY) == []
    (tmp_path / "citekit.toml").write_text("[lint]\ndisable = 3\n")
    with pytest.raises(CitekitError):
        load_config(tmp_path)


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["lint", str(SEEDED), "--format", "github"])
    assert r.exit_code == 1 and "::error" in r.output
    clean = tmp_path / "ok.bib"
    clean.write_text("@misc{ok,\n  title = {Fine},\n}\n")
    r = runner.invoke(app, ["lint", str(clean)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["lint", str(tmp_path / "missing.bib")])
    assert r.exit_code == 2


def test_locations_come_from_the_text(tmp_path: Path) -> None:
    # bibtexparser miscounts lines after values with backslash line ends; lint must not
    p = tmp_path / "drift.bib"
    p.write_text("@misc{a,\n  title = {One \\\n two \\\n three},\n}\n\n@misc{b,\n  title = {B},\n"
                 "  urldata = {2020-01-01},\n}\n\n@misc{b,\n  title = {Again},\n}\n")
    got = {(d.code, d.line, d.column) for d in lint_paths([p], CareConfig(), TODAY)}
    assert ("misspelt-field", 9, 3) in got and ("duplicate-key", 12, 1) in got
