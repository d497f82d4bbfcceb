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


def test_a_cached_substitution_still_suppresses_the_substituted_title(monkeypatch: pytest.MonkeyPatch) -> None:
    # No author: the editor stands in; no editor either: the title does, and is not printed twice.
    items = [{"id": f"k{i}", "type": "book", "title": "Same Title", "issued": {"date-parts": [[2000]]}}
             for i in range(3)]
    monkeypatch.setattr(memo, "ENABLED", False)
    plain = format_bibliography(items, "nist")
    monkeypatch.setattr(memo, "ENABLED", True)
    assert format_bibliography(items, "nist") == plain
    assert all(line.count("Same Title") == 1 for line in plain)
