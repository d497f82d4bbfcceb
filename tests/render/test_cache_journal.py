"""The render cache's journal: a few new entries are appended, not a rewrite of the whole table;
a torn or damaged journal costs only its damaged part; it is folded back in when it grows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citekit.render import cache
from citekit.render.cache import RenderCache


def table(path: Path, n: int) -> RenderCache:
    store = RenderCache(path, "ns")
    for i in range(n):
        store.put(b"k%d" % i, ("entry", i))
    store.save()
    return store


def test_a_small_addition_goes_to_the_journal_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "c.marshal"
    table(path, 200)
    before = path.read_bytes()
    store = RenderCache(path, "ns")
    store.put(b"new", "value")
    store.save()
    assert path.read_bytes() == before
    assert store.journal.exists()
    again = RenderCache(path, "ns")
    assert again.get(b"new") == "value" and again.get(b"k7") == ("entry", 7)


def test_a_torn_chunk_keeps_the_chunks_before_it_and_is_folded_in(tmp_path: Path) -> None:
    path = tmp_path / "c.marshal"
    table(path, 50)
    for name in (b"first", b"second"):
        store = RenderCache(path, "ns")
        store.put(name, name.decode())
        store.save()
    journal = path.with_name(path.name + ".journal")
    journal.write_bytes(journal.read_bytes()[:-3])  # a crash in the middle of the second write
    store = RenderCache(path, "ns")
    assert store.get(b"first") == "first" and store.get(b"second") is None
    store.save()  # nothing new, but the damaged journal is folded into the file
    assert not journal.exists()
    assert RenderCache(path, "ns").get(b"first") == "first"


@pytest.mark.parametrize("damage", [b"garbage", b"CKJ1" + (5).to_bytes(8, "big") + bytes(16) + b"12345"])
def test_a_damaged_journal_is_never_trusted(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "c.marshal"
    table(path, 20)
    path.with_name(path.name + ".journal").write_bytes(damage)
    store = RenderCache(path, "ns")
    assert store.get(b"k3") == ("entry", 3) and store.misses == 0


def test_the_journal_is_folded_in_when_it_outgrows_its_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_JOURNAL_MIN", 3)
    path = tmp_path / "c.marshal"
    table(path, 10)
    journal = path.with_name(path.name + ".journal")
    for i in range(4):
        store = RenderCache(path, "ns")
        store.put(b"n%d" % i, i)
        store.save()
        assert journal.exists() == (i < 3)
    store = RenderCache(path, "ns")
    assert [store.get(b"n%d" % i) for i in range(4)] == [0, 1, 2, 3]


def test_a_journal_without_its_file_is_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP_FILES", 1)
    old = tmp_path / "a.marshal"
    table(old, 20)
    store = RenderCache(old, "ns")
    store.put(b"x", 1)
    store.save()
    table(tmp_path / "b.marshal", 5)  # a new namespace: the older file is pruned, and its journal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.marshal"]


def test_a_warm_run_after_an_edit_imports_neither_lxml_nor_citeproc(tmp_path: Path) -> None:
    """The point of the journal and of the XML trees: an edit in a large library costs a handful of
    entries, not a parse of the style and its locales (nor a rewrite of the cache)."""
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from gen_library import library

    bib = tmp_path / "lib.bib"
    bib.write_text(library(1500), encoding="utf-8")  # above the size where the block cache applies

    def run(*flags: str, cache: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **({"CITEKIT_RENDER_CACHE": cache} if cache else {})}
        return subprocess.run([sys.executable, *flags, "-m", "citekit.cli", "format", "--library", str(bib)],
                              capture_output=True, text=True, check=True, cwd=tmp_path, env=env)

    run()
    text = bib.read_text(encoding="utf-8")
    at = text.index("title = {", len(text) // 2)
    bib.write_text(text[:at] + "title = {Edited " + text[at + 9:], encoding="utf-8")
    warm = run("-X", "importtime")
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if "|" in line}
    assert "citekit.csl.processor" in imported  # the edited entry was rendered
    assert not {"lxml", "lxml.etree", "citeproc"} & imported
    assert "Edited" in warm.stdout
    assert warm.stdout == run(cache="off").stdout


def test_a_run_with_nothing_new_still_folds_a_damaged_journal(tmp_path: Path, render_cache_dir: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from citekit.render import bulk

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from gen_library import library

    monkeypatch.setattr(bulk, "MIN_BYTES", 4000)
    bib = tmp_path / "lib.bib"
    bib.write_text(library(60), encoding="utf-8")
    first = bulk.render_files([bib], "gb-t-7714-2015-numeric", workers=2)
    text = bib.read_text(encoding="utf-8")
    at = text.index("title = {", len(text) // 2)
    bib.write_text(text[:at] + "title = {Edited " + text[at + 9:], encoding="utf-8")
    bulk.render_files([bib], "gb-t-7714-2015-numeric", workers=2)
    (journal,) = render_cache_dir.glob("*.marshal.journal")
    journal.write_bytes(journal.read_bytes() + b"CKJ1 torn")  # a crash in a later append
    again = bulk.render_files([bib], "gb-t-7714-2015-numeric", workers=2)
    assert not journal.exists()
    assert again is not None and first is not None and len(again[0]) == len(first[0])
