"""The render cache: the same bytes with it on or off, only changed entries re-rendered, and
every way it can go stale or bad."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from citekit.bibtex.reader import read_library
from citekit.csl.processor import Processor
from citekit.render import blocks, bulk, cache, render_document, render_entries

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_library import library  # noqa: E402

GBT = "gb-t-7714-2015-numeric"
BROKEN = "\n@article{broken, title = {Unclosed\n\n@book{twice, title = {A}, title = {B}, date = {2001}}\n"


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "lib.bib"
    path.write_text(library(60) + BROKEN, encoding="utf-8")
    return path


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The block path for a small library (and the forked path when most of it is new)."""
    monkeypatch.setattr(bulk, "MIN_BYTES", 4000)


def files(path: Path, fmt: str, use_cache: bool = True) -> tuple[str, list[str]]:
    done = bulk.render_files([path], GBT, workers=2, fmt=fmt, cache=use_cache)
    assert done is not None
    entries, problems, robust = done
    return render_document(entries, fmt, robust_links=robust), [str(p) for p in problems]


def items_doc(path: Path, fmt: str, use_cache: bool = True, style: str | Path = GBT, sort: bool = False) -> str:
    return render_document(render_entries(read_library([path]).items(), style, sort=sort, fmt=fmt,
                                          cache=use_cache), fmt)


def change_one(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    at = text.index("title = {", text.index("@", 2000))
    path.write_text(text[:at] + "title = {Changed " + text[at + len("title = {"):], encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "html", "latex"])
def test_bib_blocks_byte_identical_with_and_without_cache(bib: Path, small_bulk: None, fmt: str) -> None:
    off = files(bib, fmt, use_cache=False)
    assert off[1], "the library has parse problems, so that their lines are compared too"
    assert files(bib, fmt) == off  # cold: everything rendered, then stored
    assert files(bib, fmt) == off  # warm: everything read back
    change_one(bib)
    changed = files(bib, fmt, use_cache=False)
    assert changed != off
    assert files(bib, fmt) == changed


def test_bib_blocks_only_changed_block_is_parsed(bib: Path, small_bulk: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files(bib, "text")
    parsed: list[str] = []
    real = blocks._parse
    monkeypatch.setattr(blocks, "_parse", lambda block, files, strings: parsed.append(block.text(files))
                        or real(block, files, strings))
    files(bib, "text")
    assert parsed == []
    change_one(bib)
    files(bib, "text")
    assert len(parsed) == 1 and "Changed" in parsed[0]


def test_bib_blocks_numbers_move_with_an_inserted_entry(bib: Path, small_bulk: None) -> None:
    files(bib, "text")
    text = bib.read_text(encoding="utf-8")
    at = text.index("@", 3000)
    bib.write_text(text[:at] + "@book{inserted, title = {New}, date = {2020}}\n\n" + text[at:], encoding="utf-8")
    assert files(bib, "text") == files(bib, "text", use_cache=False)


def test_items_byte_identical_and_only_changed_rendered(bib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for fmt in ("text", "html"):
        off = items_doc(bib, fmt, use_cache=False)
        assert items_doc(bib, fmt) == off
        assert items_doc(bib, fmt) == off
    rendered: list[str] = []
    real = Processor.render_bibliography
    monkeypatch.setattr(Processor, "render_bibliography",
                        lambda self, order: rendered.extend(order) or real(self, order))
    assert items_doc(bib, "text") == items_doc(bib, "text", use_cache=False)
    rendered.clear()
    change_one(bib)
    assert items_doc(bib, "text") == items_doc(bib, "text", use_cache=False)
    assert len(rendered) == 1 + 61  # the changed entry, and every entry of the uncached run


def test_items_cache_with_a_sorting_style(bib: Path) -> None:
    off = items_doc(bib, "text", use_cache=False, style="gb-t-7714-2015-author-date", sort=True)
    assert items_doc(bib, "text", style="gb-t-7714-2015-author-date", sort=True) == off
    assert items_doc(bib, "text", style="gb-t-7714-2015-author-date", sort=True) == off


def test_entry_from_cache_renders_in_another_format(bib: Path) -> None:
    items_doc(bib, "text")
    entries = render_entries(read_library([bib]).items(), GBT, sort=False, fmt="text")
    assert render_document(entries, "html") == items_doc(bib, "html", use_cache=False)


def _rendered_after(change, bib: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many entries a second run renders after ``change``."""
    items_doc(bib, "text")
    change(monkeypatch)
    rendered: list[str] = []
    real = Processor.render_bibliography
    monkeypatch.setattr(Processor, "render_bibliography",
                        lambda self, order: rendered.extend(order) or real(self, order))
    assert items_doc(bib, "text") == items_doc(bib, "text", use_cache=False)
    return len(rendered) - 61  # less the uncached run's


def test_engine_version_change_invalidates(bib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _rendered_after(lambda mp: None, bib, monkeypatch) == 0
    assert _rendered_after(lambda mp: mp.setattr(cache, "engine_version", lambda: "next"), bib, monkeypatch) == 61


def test_locale_change_invalidates(bib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _rendered_after(lambda mp: mp.setattr(cache, "_locale_version", lambda: "other"), bib, monkeypatch) == 61


def test_style_change_invalidates(bib: Path, tmp_path: Path) -> None:
    from citekit.styles import resolve_style

    style = tmp_path / "mine.csl"
    style.write_text(resolve_style(GBT).read_text(encoding="utf-8"), encoding="utf-8")
    first = items_doc(bib, "text", style=style)
    style.write_text(style.read_text(encoding="utf-8").replace('default-locale="zh-CN"', 'default-locale="en-US"'),
                     encoding="utf-8")
    second = items_doc(bib, "text", style=style)
    assert second == items_doc(bib, "text", use_cache=False, style=style)
    assert first != second


def test_corrupt_cache_is_ignored_with_a_warning(bib: Path, small_bulk: None, render_cache_dir: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    expected = files(bib, "text", use_cache=False)
    files(bib, "text")
    items_doc(bib, "text")
    written = sorted(render_cache_dir.iterdir())
    assert len(written) == 2
    for path in written:
        path.write_bytes(path.read_bytes()[:200])
    with caplog.at_level(logging.WARNING, logger="citekit.render.cache"):
        assert files(bib, "text") == expected
        assert items_doc(bib, "text") == items_doc(bib, "text", use_cache=False)
    assert sum("is corrupt" in r.getMessage() for r in caplog.records) == 2
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="citekit.render.cache"):
        assert files(bib, "text") == expected  # rebuilt by the run that found it corrupt
    assert not caplog.records


def test_unwritable_cache_is_ignored_with_a_warning(bib: Path, small_bulk: None, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CITEKIT_RENDER_CACHE", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING, logger="citekit.render.cache"):
        assert files(bib, "text") == files(bib, "text", use_cache=False)
    assert any("cannot be written" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value", ["off", "0", "no", "FALSE"])
def test_environment_turns_the_cache_off(bib: Path, small_bulk: None, render_cache_dir: Path,
                                         monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CITEKIT_RENDER_CACHE", value)
    assert cache.cache_dir() is None
    files(bib, "text")
    items_doc(bib, "text")
    assert not any(render_cache_dir.iterdir())


def test_old_namespaces_are_pruned(bib: Path, render_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP_FILES", 2)
    for version in ("a", "b", "c"):
        monkeypatch.setattr(cache, "engine_version", lambda v=version: v)
        items_doc(bib, "text")
    assert len(list(render_cache_dir.glob("*.marshal"))) == 2


def test_title_case_setting_is_part_of_a_block_key(tmp_path: Path, small_bulk: None) -> None:
    from citekit.bibtex.titlecase import use_title_case

    path = tmp_path / "lib.bib"
    path.write_text(library(40) + "\n@book{tc, title = {The Theory of Everything Else}, date = {2001},"
                    " langid = {english}}\n", encoding="utf-8")
    try:
        for choice in ("as-is", "sentence", "as-is"):
            use_title_case(choice)
            assert files(path, "text") == files(path, "text", use_cache=False)
        use_title_case("sentence")
        assert "The theory of everything else" in files(path, "text")[0]
    finally:
        use_title_case(None)


def test_no_cache_flag_writes_no_cache(render_cache_dir: Path) -> None:
    # the flag sets CITEKIT_RENDER_CACHE=off for the process; the fixture's monkeypatch restores it
    from typer.testing import CliRunner

    from citekit.cli import app

    before = sorted(render_cache_dir.rglob("*"))
    r = CliRunner().invoke(app, ["format", "--library", "bundled", "--no-cache"])
    assert r.exit_code == 0, r.output
    assert sorted(render_cache_dir.rglob("*")) == before
