"""Reading and writing a .bib with no change gives the same bytes; the public API works as documented."""

from __future__ import annotations

from pathlib import Path

import citekit
from citekit.bibtex.reader import read_bib
from citekit.bibtex.writer import splice_entries, update_entries
from citekit.paths import LIBRARY_DIR
from tests.conftest import FIXTURES

FILES = sorted(LIBRARY_DIR.glob("*.bib")) + sorted(FIXTURES.glob("*.bib"))


def test_unchanged_write_is_byte_identical(tmp_path: Path) -> None:
    for path in FILES:
        bib = read_bib(path)
        assert splice_entries(bib.text, bib, {}) == bib.text
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        update_entries(copy, {})
        assert copy.read_bytes() == path.read_bytes()


def test_one_field_changed_touches_only_that_entry(tmp_path: Path) -> None:
    src = LIBRARY_DIR / "us-manufacturing.bib"
    copy = tmp_path / "lib.bib"
    copy.write_bytes(src.read_bytes())
    update_entries(copy, {"crs2019mep": {"urldate": "2021-07-17"}})
    before, after = src.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
    assert before.replace("urldate = {2021-07-16},\n  langid = {english},\n  keywords = {manufacturing extension",
                          "urldate = {2021-07-17},\n  langid = {english},\n  keywords = {manufacturing extension", 1) == after


def test_public_api() -> None:
    items = citekit.read_library().items(["molnar2025china"])
    line = citekit.format_bibliography(items, style="gb-t-7714-2015-numeric", fmt="text")[0]
    assert line.startswith("[1] MOLNAR M, ROGERS K, GAYLE F, et al. China’s Manufacturing Innovation Centers")
    assert citekit.format_citation(items, [("molnar2025china", None)]) == "[1]"
