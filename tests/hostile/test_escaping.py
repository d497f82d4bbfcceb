"""Output escaping: LaTeX keys and text, URLs byte-exact in \\url, Markdown entities and markup."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.cli import app
from citekit.csl.emit import Emitter, latex_key, latex_url

QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019")
HOSTILE_KEY = "b}\\end{thebibliography}\\input{/etc/passwd}%"
URLS = ["https://example.gov/a_b%20c#frag~x&y=1", "https://example.gov/{x}", "https://example.gov/x}y",
        "https://example.gov/a\\b$c^d"]


def test_a_hostile_key_cannot_leave_its_argument() -> None:
    safe = latex_key(HOSTILE_KEY)
    assert not set(safe) & set("{}\\%#~^&$ ")
    assert latex_key("smith2020:a-b_c.d/e") == "smith2020:a-b_c.d/e"  # ordinary keys are unchanged
    assert latex_key(HOSTILE_KEY) != latex_key(HOSTILE_KEY.replace("%", "#"))


@pytest.mark.parametrize("url", URLS)
def test_urls_are_byte_exact_in_url(url: str) -> None:
    out = latex_url(url)
    assert out.startswith("\\url")
    inner = out[5:-1]
    assert inner == url and out[4] in "{|!+=;:@'\"*^`"


def test_latex_text_escapes_every_special_and_drops_controls() -> None:
    e = Emitter("latex", QUOTES)
    assert e.escape("100% & #1 a_b ~ x^2 \\ {b} $5") == (
        "100\\% \\& \\#1 a\\_b \\textasciitilde{} x\\textasciicircum{}2 \\textbackslash{} \\{b\\} \\$5")
    assert e.escape("a\x00b\x1bc") == "abc"


def test_markdown_escapes_entities_and_markup() -> None:
    e = Emitter("markdown", QUOTES)
    assert e.escape("Tom & Jerry") == "Tom & Jerry"
    assert e.escape("A &amp; B &#38; C") == "A \\&amp; B \\&\\#38; C"
    assert e.escape("*x* _y_ [z](u) <b> `c` ~s~ ^t^ a|b $m$ @key") == (
        "\\*x\\* \\_y\\_ \\[z\\](u) \\<b\\> \\`c\\` \\~s\\~ \\^t\\^ a\\|b \\$m\\$ \\@key")


def test_markdown_output_of_a_hostile_title(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"id": "k", "type": "book", "title": "A &amp; B *bold* [x](javascript:y)",
                                 "issued": {"date-parts": [[2020]]}}]), encoding="utf-8")
    r = CliRunner().invoke(app, ["format", "--to", "markdown", "--input", str(path)])
    assert r.exit_code == 0, r.output
    assert "\\&amp;" in r.stdout and "\\*bold\\*" in r.stdout and "\\[x\\]" in r.stdout


@pytest.mark.skipif(not (shutil.which("pdflatex") and shutil.which("pdftotext")), reason="pdflatex/pdftotext absent")
def test_pdflatex_prints_the_urls_and_text_as_written(tmp_path: Path) -> None:
    e = Emitter("latex", QUOTES)
    body = "\n".join(f"\\item {e.escape('T&x_%#~')} {latex_url(u)}" for u in URLS)
    doc = ("\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{url}\\urlstyle{rm}\\begin{document}"
           f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}"
           f"\\label{{{latex_key(HOSTILE_KEY)}}}ok\\end{{document}}\n")
    (tmp_path / "d.tex").write_text(doc, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    text = subprocess.run(["pdftotext", "-layout", "d.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60).stdout
    flat = "".join(text.split())
    for url in URLS:
        assert "".join(url.split()) in flat, (url, text)
    assert "T&x_%#~" in flat and "ok" in flat


def test_format_to_latex_escapes_a_hostile_key(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text(json.dumps([{"id": HOSTILE_KEY, "type": "book", "title": "T", "issued": {"date-parts": [[2020]]}}]),
                    encoding="utf-8")
    r = CliRunner().invoke(app, ["format", "--to", "latex", "--input", str(path)])
    assert r.exit_code == 0
    assert "\\input{/etc/passwd}" not in r.stdout and r.stdout.count("\\end{thebibliography}") == 1
