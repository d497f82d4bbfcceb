"""The whole-library parallel path prints exactly what the serial path prints."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citekit.bibtex.reader import read_library
from citekit.render import bulk, render_document, render_entries

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_library import library  # noqa: E402


@pytest.fixture
def always_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MIN_BYTES", 0)


def serial(paths: list[Path], style: str) -> tuple[str, list]:
    lib = read_library(paths)
    return render_document(render_entries(lib.items(), style, sort=False)), lib.problems


def test_bulk_html_keeps_robust_links(tmp_path: Path, always_bulk: None) -> None:
    text = library(200) + ("\n@report{gone, title = {Plan}, date = {2018}, url = {https://example.gov/a.pdf},"
                           " urldate = {2021-07-16}, archiveurl = {https://web.archive.org/web/2021/https://example.gov/a.pdf},"
                           " archivedate = {2021-07-16}}\n")
    path = tmp_path / "big.bib"
    path.write_text(text, encoding="utf-8")
    entries, _, robust = bulk.render_files([path], "gb-t-7714-2015-numeric", workers=2, fmt="html")
    html = render_document(entries, "html", robust_links=robust)
    lib = read_library([path])
    from citekit.render import robust_links

    assert html == render_document(render_entries(lib.items(), "gb-t-7714-2015-numeric", sort=False), "html",
                                   robust_links=robust_links(lib.items()))
    assert 'data-versionurl="https://web.archive.org/web/2021/https://example.gov/a.pdf"' in html


@pytest.mark.parametrize("style", ["gb-t-7714-2015-numeric", "nist", "bulletin-cas"])
def test_bulk_equals_serial(tmp_path: Path, always_bulk: None, style: str) -> None:
    text = '@string{ nist = "National Institute of Standards and Technology" }\n' + library(300)
    text += "\n@report{late, title = {Uses a macro}, institution = nist, date = {2020}}\n"
    text += "@misc{broken, title = {unbalanced\n\n@misc{after, title = {After}, date = {2021}}\n"
    path = tmp_path / "big.bib"
    path.write_text(text, encoding="utf-8")
    result = bulk.render_files([path], style, workers=3)
    assert result is not None
    entries, problems, _ = result
    expected_doc, expected_problems = serial([path], style)
    assert render_document(entries) == expected_doc
    assert [(p.line, p.code) for p in problems] == [(p.line, p.code) for p in expected_problems]


def test_many_small_pieces_over_several_files_equal_serial(tmp_path: Path, always_bulk: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces go to whichever worker asks first, so workers own scattered pieces: numbers, order,
    problems and each entry's file and line still come out as the serial path gives them. The
    broken block holds no entry though its start promises one: the pieces after it are numbered
    anew (counted from the parent, through the estimate the workers were given)."""
    monkeypatch.setattr(bulk, "PIECE_BYTES", 3000)
    promised: list[int] = []
    estimate = bulk._estimate
    monkeypatch.setattr(bulk, "_estimate", lambda text: promised.append(estimate(text)) or promised[-1])
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text(library(150) + "@misc{broken, title = {unbalanced\n\n", encoding="utf-8")
    second.write_text(library(120, seed=3).replace("{k", "{b"), encoding="utf-8")
    starts: list = []
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in (first, second)]
    from citekit.render.engine import load_style
    from citekit.styles import resolve_style

    result = bulk.render_forked(texts, load_style(resolve_style("gb-t-7714-2015-numeric")), "text", 3, starts)
    assert result is not None
    entries, problems, _ = result
    expected_doc, expected_problems = serial([first, second], "gb-t-7714-2015-numeric")
    assert render_document(entries) == expected_doc
    assert [(p.path, p.line, p.code) for p in problems] == [(p.path, p.line, p.code) for p in expected_problems]
    lib = read_library([first, second])
    assert starts == [(e.path, e.line, e.key) for e in lib.entries]
    assert len(promised) > 10 and sum(promised) == len(lib.entries) + 1  # the broken block's promise


def test_bulk_steps_aside(tmp_path: Path, always_bulk: None) -> None:
    path = tmp_path / "dup.bib"
    path.write_text(library(50) + "\n" + library(50), encoding="utf-8")  # the same keys twice
    assert bulk.render_files([path], "gb-t-7714-2015-numeric", workers=2) is None
    assert bulk.render_files([path], "gb-t-7714-2015-author-date", workers=2) is None  # sorts


_CLEAN = "".join(f"@misc{{k{i}, title = {{T{i}}}}}\n" for i in range(40))
_AWKWARD = {
    "at-alone-in-a-value": _CLEAN + "@misc{at, note = {a\n@ b}}\n" + _CLEAN.replace("k", "j"),
    "unclosed": _CLEAN + "@misc{open, title = {never closed\n" + _CLEAN.replace("k", "j"),
    "indented-start": _CLEAN + "@misc{in, note = {a\n  @misc{x, t = {y}}}\n" + _CLEAN.replace("k", "j"),
}


@pytest.mark.parametrize("finer", [1, 3])
@pytest.mark.parametrize("name", list(_AWKWARD))
def test_pieces_parse_as_the_whole_file(name: str, finer: int) -> None:
    # Each worker parses its pieces alone: a cut must be where the whole file starts a block too,
    # also where a piece is cut finer (the last pieces are).
    from citekit.bibtex.reader import parse_bib

    text = _AWKWARD[name]
    whole = parse_bib(text, "t.bib")
    for parts in range(2, 12):
        entries, problems = [], []
        for piece in bulk._split("t.bib", text, parts, bulk._file_strings(text)):
            for part in bulk._finer(piece, finer) if finer > 1 else [piece]:
                got = bulk._shift(parse_bib(part.text, part.path), part)
                entries += got.entries
                problems += got.problems
        assert (entries, problems) == (whole.entries, whole.problems), parts


@pytest.mark.parametrize("name", list(_AWKWARD))
def test_cache_blocks_parse_as_the_whole_file(name: str) -> None:
    from citekit.bibtex.reader import parse_bib
    from citekit.render.blocks import _blocks, _number_lines

    text = _AWKWARD[name]
    data = text.encode("utf-8")
    whole = parse_bib(text, "t.bib")
    keys, messages = [], []
    blocks = _blocks("t.bib", data, {})
    _number_lines(blocks, {"t.bib": data})
    for block in blocks:
        got = parse_bib(block.text({"t.bib": data}), "t.bib")
        keys += [e.key for e in got.entries]
        messages += [(p.line + block.line - 1, p.message) for p in got.problems]
    assert keys == [e.key for e in whole.entries]
    assert messages == [(p.line, p.message) for p in whole.problems]


def test_hostile_blocks_between_entries_equal_serial(tmp_path: Path, always_bulk: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hostile .bib of the corpus, between runs of ordinary entries and cut into small pieces:
    whatever a block start promises, numbers and problems come out as the serial path gives them."""
    import re

    from tests.hostile.corpus import CORPUS

    monkeypatch.setattr(bulk, "PIECE_BYTES", 2500)
    parts = []
    for n, (suffix, text) in enumerate(CORPUS.values()):
        if suffix == ".bib":
            parts.append(library(6, seed=n).replace("{k", f"{{c{n}k"))
            parts.append(re.sub(r"\{(k\d?),", lambda m, n=n: f"{{h{n}{m.group(1)},", text))
    parts.append(library(30, seed=99).replace("{k", "{tail"))
    path = tmp_path / "hostile.bib"
    path.write_text("\n".join(parts), encoding="utf-8")
    result = bulk.render_files([path], "gb-t-7714-2015-numeric", workers=3)
    assert result is not None
    entries, problems, _ = result
    expected_doc, expected_problems = serial([path], "gb-t-7714-2015-numeric")
    assert render_document(entries) == expected_doc
    assert [(p.line, p.code) for p in problems] == [(p.line, p.code) for p in expected_problems]


# What _estimate counts, said plainly: the reference it must agree with (it counts faster).
_ENTRY_START = re.compile(r"^@(\w+)[ \t]*[{(]", re.M)


def _entry_starts(text: str) -> int:
    return sum(1 for m in _ENTRY_START.finditer(text) if m.group(1).lower() not in {"string", "comment", "preamble"})


@given(st.lists(st.sampled_from(["@", "\n", "\r\n", " ", "\t", "{", "(", "}", "a", "é", "_1", "String", "comment",
                                 "PREAMBLE", "misc", "stringx", "x" * 70]), max_size=24).map("".join))
def test_estimate_counts_entry_starts(text: str) -> None:
    assert bulk._estimate(text) == _entry_starts(text)


def test_estimate_on_a_library() -> None:
    text = '@string{ a = "b" }\n@Comment{x}\n' + library(400) + "\n@preamble{p}\n  @misc{indented, t = {x}}\n"
    assert bulk._estimate(text) == _entry_starts(text) == 400
