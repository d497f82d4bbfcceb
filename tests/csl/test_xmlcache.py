"""Parsed CSL XML kept between runs: the same tree as a parse, and never trusted when stale or damaged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citekit.csl import xmlcache
from citekit.csl.style import El, parse_xml

STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>T</title></info>
  <citation><layout prefix="[" suffix="]"><text variable="citation-number"/></layout></citation>
  <bibliography><layout><group delimiter=". "><text variable="title" font-style="italic"/>
    <text value="x &amp; y"/></group></layout></bibliography>
</style>
"""


def shape(el: El) -> tuple:
    return (el.name, el.attrs, [shape(c) for c in el.children], el.line, el.text)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    xmlcache.configure(tmp_path / "xml", "ns")
    yield tmp_path / "xml"
    xmlcache.configure(None)


def counting(calls: list[Path]):
    def parse(path: Path) -> El:
        calls.append(path)
        return parse_xml(path)
    return parse


def test_a_second_read_is_the_same_tree_without_a_parse(tmp_path: Path, folder: Path) -> None:
    style = tmp_path / "s.csl"
    style.write_text(STYLE, encoding="utf-8")
    calls: list[Path] = []
    first = xmlcache.tree(style, counting(calls))
    second = xmlcache.tree(style, counting(calls))
    assert len(calls) == 1 and shape(second) == shape(first) == shape(parse_xml(style))


def test_an_edited_file_is_parsed_again(tmp_path: Path, folder: Path) -> None:
    style = tmp_path / "s.csl"
    style.write_text(STYLE, encoding="utf-8")
    calls: list[Path] = []
    xmlcache.tree(style, counting(calls))
    style.write_text(STYLE.replace("italic", "normal"), encoding="utf-8")
    os.utime(style, ns=(1, 1))  # even with an old mtime, the size or mtime differs from the stored key
    got = xmlcache.tree(style, counting(calls))
    assert len(calls) == 2 and "normal" in repr(shape(got))


def test_another_namespace_does_not_share_trees(tmp_path: Path, folder: Path) -> None:
    style = tmp_path / "s.csl"
    style.write_text(STYLE, encoding="utf-8")
    calls: list[Path] = []
    xmlcache.tree(style, counting(calls))
    xmlcache.configure(folder, "another engine")
    xmlcache.tree(style, counting(calls))
    assert len(calls) == 2


@pytest.mark.parametrize("damage", [b"", b"citekit-xml 1\n\x00\x01", b"citekit-xml 1\n" + b"\xe9" * 5, b"other"])
def test_a_damaged_tree_is_parsed_afresh(tmp_path: Path, folder: Path, damage: bytes) -> None:
    style = tmp_path / "s.csl"
    style.write_text(STYLE, encoding="utf-8")
    calls: list[Path] = []
    expected = shape(xmlcache.tree(style, counting(calls)))
    for stored in folder.glob("*.xml.marshal"):
        stored.write_bytes(damage)
    assert shape(xmlcache.tree(style, counting(calls))) == expected and len(calls) == 2


def test_off_parses_every_time(tmp_path: Path) -> None:
    style = tmp_path / "s.csl"
    style.write_text(STYLE, encoding="utf-8")
    xmlcache.configure(None)
    calls: list[Path] = []
    xmlcache.tree(style, counting(calls))
    xmlcache.tree(style, counting(calls))
    assert len(calls) == 2


def test_old_trees_are_pruned(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlcache, "KEEP", 2)
    for i in range(4):
        style = tmp_path / f"s{i}.csl"
        style.write_text(STYLE, encoding="utf-8")
        xmlcache.tree(style, parse_xml)
    assert len(list(folder.glob("*.xml.marshal"))) == 2


def test_an_unwritable_folder_still_parses(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    xmlcache.configure(blocker / "xml", "ns")
    try:
        style = tmp_path / "s.csl"
        style.write_text(STYLE, encoding="utf-8")
        assert xmlcache.tree(style, parse_xml).name == "style"
    finally:
        xmlcache.configure(None)
