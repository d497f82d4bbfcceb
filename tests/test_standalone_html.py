"""``citekit format --to html --standalone``: a whole page, readable in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.htmlpage import page_language, standalone_page

CITEKIT = [sys.executable, "-m", "citekit.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CITEKIT, *args], capture_output=True, text=True, timeout=120)


def test_fragment_stays_the_default() -> None:
    out = run("format", "--to", "html").stdout
    assert out.startswith('<div class="csl-bib-body">') and "<html" not in out


@pytest.mark.parametrize(("style", "lang", "title"), [("gb-t-7714-2015-numeric", "zh-CN", "参考文献"),
                                                       ("nist", "en-US", "References")])
def test_page_is_whole_and_self_contained(style: str, lang: str, title: str) -> None:
    proc = run("format", "--to", "html", "--standalone", "--style", style)
    assert proc.returncode == 0, proc.stderr
    page = proc.stdout
    assert page.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{lang}">' in page and '<meta charset="utf-8">' in page
    assert f"<title>{title}</title>" in page and "<style>" in page and "overflow-wrap: anywhere" in page
    # No external assets: no stylesheet links, scripts, images or fonts from elsewhere.
    assert not re.search(r"<link|<script|<img|@import|url\(", page)
    assert '<a href="https://doi.org/10.6028/NIST.AMS.600-17">' in run(
        "format", "--to", "html", "--standalone", "--style", "nist").stdout
    assert page.count('class="csl-entry"') == 14


def test_entries_in_another_language_carry_their_own_lang() -> None:
    page = run("format", "crs2019mep", "sun2021development", "--to", "html", "--standalone").stdout
    assert '<html lang="zh-CN">' in page
    assert 'id="ref-crs2019mep" lang="en"' in page and 'id="ref-sun2021development">' in page


def test_standalone_needs_html() -> None:
    proc = run("format", "--standalone")
    assert proc.returncode == 2 and "--standalone needs --to html" in proc.stderr


def test_page_language_falls_back_to_the_entries() -> None:
    assert page_language(None, ["en-US", "zh-CN", "zh-CN"]) == "zh-CN"
    assert page_language(None, []) == "en"
    assert page_language("en_US", ["zh-CN"]) == "en-US"
    page = standalone_page('<div class="csl-bib-body">\n  <div class="csl-entry" id="ref-a">A.</div>\n</div>\n')
    assert "text-indent: -2em" in page and "csl-left-margin {" not in page  # no labels: a hanging indent


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Runs in the page after layout: every text fragment's boxes must lie inside the viewport, the page
# must not scroll sideways, entries must not overlap each other, and a label must not overlap its text.
_MEASURE = """
<script>
window.addEventListener("load", () => {
  const vw = document.documentElement.clientWidth, problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let texts = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || node.parentElement.closest("script")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      texts++;
      if (r.left < -0.5 || r.right > vw + 0.5) problems.push("outside: " + node.textContent.slice(0, 60));
    }
  }
  if (document.documentElement.scrollWidth > vw + 1) problems.push("scrolls sideways");
  const entries = [...document.querySelectorAll(".csl-entry")].map(e => e.getBoundingClientRect());
  for (let i = 1; i < entries.length; i++)
    if (entries[i].top < entries[i - 1].bottom - 0.5) problems.push("entries overlap: " + i);
  for (const e of document.querySelectorAll(".csl-entry")) {
    const label = e.querySelector(".csl-left-margin"), body = e.querySelector(".csl-right-inline");
    if (label && body && label.getBoundingClientRect().right > body.getBoundingClientRect().left + 0.5)
      problems.push("label overlaps text: " + e.id);
  }
  const out = document.createElement("pre");
  out.id = "citekit-measure";
  out.textContent = JSON.stringify({texts: texts, entries: entries.length, problems: problems});
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.parametrize("style", ["gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date", "nist"])
@pytest.mark.parametrize("width", [360, 1000])
def test_page_lays_out_in_headless_chromium(tmp_path: Path, style: str, width: int) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed")
    page = run("format", "--to", "html", "--standalone", "--style", style).stdout
    html_file = tmp_path / "refs.html"
    html_file.write_text(page.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},900", "--virtual-time-budget=10000",
         "--dump-dom", html_file.as_uri()],
        capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="citekit-measure">(.*?)</pre>', proc.stdout, re.S)
    if found is None:
        pytest.skip(f"chromium did not run the page: {proc.stderr.strip()[-300:]}")
    import html

    result = json.loads(html.unescape(found.group(1)))
    assert result["entries"] == 14 and result["texts"] > 14
    assert result["problems"] == []
