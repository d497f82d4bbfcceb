"""Memoised macro calls never change output: whole libraries rendered with and without the cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from citekit.bibtex.reader import parse_bib
from citekit.model import Library
from citekit.render import format_bibliography, memo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_library import library  # noqa: E402

STYLES = ["gb-t-7714-2015-numeric", "gb-t-7714-2025-numeric", "gb-t-7714-2015-author-date", "nist",
          "nist-portal", "bulletin-cas"]


@pytest.mark.parametrize("style", STYLES)
def test_cache_on_and_off_render_the_same(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    items = Library(files=[parse_bib(library(400, seed=11))]).items()
    monkeypatch.setattr(memo, "ENABLED", True)
    cached = format_bibliography(items, style)
    monkeypatch.setattr(memo, "ENABLED", False)
    assert format_bibliography(items, style) == cached


def test_substituting_macros_are_not_cached() -> None:
    from citekit.render.engine import load_style

    loaded = load_style("gb-t-7714-2015-author-date")
    root = loaded.style.root
    ns = {"cs": "http://purl.org/net/xbiblio/csl"}
    for text in root.iterfind(".//cs:text[@macro]", ns):
        macro = text.get_macro(text.get("macro"))
        if macro.find(".//cs:substitute", ns) is not None:
            assert memo.plan_for(text) is None
