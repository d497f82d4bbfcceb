"""The render cache's journal: a few new entries are appended, not a rewrite of the whole table;
a torn or damaged journal costs only its damaged part; it is folded back in when it grows."""

from __future__ import annotations

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
