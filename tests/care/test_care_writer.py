"""The writer: canonical formatting, surgical field edits, whole-entry replace/append/delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.bibtex.reader import parse_bib
from citekit.bibtex.writer import (
    append_entries,
    edit_entry_text,
    format_entry,
    replace_entries,
    scan_entry,
    update_entries,
)
from citekit.errors import CitekitError

SAMPLE = """% A hand-kept library: comments, strings and odd layouts must survive edits.
@string{nist = {National Institute of Standards and Technology}}

@Report{rose_zero_2020,
  author      = {Rose, Scott and Borchert, Oliver},
  title       = {Zero Trust Architecture},
  institution = nist,
  year        = 2020,
  url         = {https://doi.org/10.6028/NIST.SP.800-207}
}

Free text between entries is a comment.

@misc(quoted,
    title="Quoted {"}Value",
    year = "2019",
)
@online{tabbed,
\ttitle={Tabbed},
\turl={https://example.gov/a_b%20c},
}
"""


def write(tmp_path: Path, text: str = SAMPLE, name: str = "lib.bib") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def test_format_entry_canonical() -> None:
    assert format_entry("report", "k", [("title", "T {NIST}"), ("year", "2020"), ("number", "800-53")]) == (
        "@report{k,\n  title = {T {NIST}},\n  year = 2020,\n  number = {800-53},\n}"
    )
    assert format_entry("misc", "k", {"note": "x"}, indent="\t") == "@misc{k,\n\tnote = {x},\n}"


def test_scan_entry_finds_fields() -> None:
    text = '@misc{k, a = {x}, b = "y" # z, c = 12}'
    layout = scan_entry(text)
    assert [f.name for f in layout.fields] == ["a", "b", "c"]
    b = layout.fields[1]
    assert text[b.value_start:b.value_end] == '"y" # z'
    assert layout.fields[2].comma_end is None
    with pytest.raises(ValueError):
        scan_entry("@misc{k, a = {x} b = {y}}")


def test_update_is_surgical(tmp_path: Path) -> None:
    p = write(tmp_path)
    changed = update_entries(p, {"rose_zero_2020": {"urldate": "2024-05-01", "year": "2021"}})
    assert changed == ["rose_zero_2020"]
    new = p.read_text()
    start, end = SAMPLE.index("@Report"), SAMPLE.index("Free text")
    # everything outside the entry is byte-identical
    assert new.startswith(SAMPLE[:start]) and new.endswith(SAMPLE[end:])
    assert (
        "  year        = 2021,\n"
        "  url         = {https://doi.org/10.6028/NIST.SP.800-207},\n"
        "  urldate     = {2024-05-01}\n}" in new
    )
    assert "institution = nist," in new  # the macro reference is kept


def test_update_remove_and_quote_style(tmp_path: Path) -> None:
    p = write(tmp_path)
    update_entries(p, {"quoted": {"year": None, "note": "n"}, "tabbed": {"url": None, "title": "T2"}})
    new = p.read_text()
    assert '@misc(quoted,\n    title="Quoted {"}Value",\n    note="n",\n)' in new
    assert "@online{tabbed,\n\ttitle={T2},\n}" in new


def test_remove_last_field_without_comma() -> None:
    text = "@misc{k,\n  title = {A},\n  year = {2000}\n}"
    assert edit_entry_text(text, {"year": None}) == "@misc{k,\n  title = {A}\n}"
    assert edit_entry_text(text, {"year": None, "note": "x"}) == "@misc{k,\n  title = {A},\n  note = {x}\n}"
    assert edit_entry_text(text, {"title": None, "year": None}) == "@misc{k,\n}"


def test_no_change_leaves_file_untouched(tmp_path: Path) -> None:
    p = write(tmp_path)
    before = p.stat().st_mtime_ns
    assert update_entries(p, {"tabbed": {"title": "Tabbed"}}) == []
    assert p.read_bytes() == SAMPLE.encode() and p.stat().st_mtime_ns == before


def test_crlf_and_bom_kept(tmp_path: Path) -> None:
    text = "\ufeff" + SAMPLE.replace("\n", "\r\n")
    p = write(tmp_path, text)
    update_entries(p, {"rose_zero_2020": {"note": "x"}})
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"  note        = {x}\r\n}" in raw


def test_replace_delete_append(tmp_path: Path) -> None:
    p = write(tmp_path)
    replace_entries(p, {"quoted": None, "tabbed": format_entry("online", "tabbed", {"title": "New"})})
    new = p.read_text()
    assert "quoted" not in new and "@online{tabbed,\n  title = {New},\n}\n" in new
    assert new.startswith(SAMPLE[: SAMPLE.index("@misc(")])
    keys = append_entries(p, [format_entry("misc", "added", {"title": "A"})])
    assert keys == ["added"]
    assert p.read_text().endswith("}\n\n@misc{added,\n  title = {A},\n}\n")
    with pytest.raises(CitekitError, match="already"):
        append_entries(p, [format_entry("misc", "added", {"title": "B"})])
    with pytest.raises(CitekitError, match="not one clean entry"):
        replace_entries(p, {"added": "@misc{added, title = {unbalanced}"})


def test_append_creates_file(tmp_path: Path) -> None:
    p = tmp_path / "new.bib"
    append_entries(p, [format_entry("misc", "a", {"title": "A"}), format_entry("misc", "b", {"title": "B"})])
    assert p.read_text() == "@misc{a,\n  title = {A},\n}\n\n@misc{b,\n  title = {B},\n}\n"


def test_refuses_failed_parse_unless_forced(tmp_path: Path) -> None:
    broken = SAMPLE + "\n@misc{broken, title = {no end\n\n@misc{after, title = {ok}}\n"
    p = write(tmp_path, broken)
    assert not parse_bib(broken, str(p)).parsed_cleanly
    with pytest.raises(CitekitError, match="did not parse cleanly"):
        update_entries(p, {"tabbed": {"note": "x"}})
    assert p.read_text() == broken
    update_entries(p, {"tabbed": {"note": "x"}}, force=True)
    assert "@misc{broken, title = {no end\n" in p.read_text()


def test_unknown_key(tmp_path: Path) -> None:
    p = write(tmp_path)
    with pytest.raises(CitekitError, match="no entry"):
        update_entries(p, {"nope": {"note": "x"}})
