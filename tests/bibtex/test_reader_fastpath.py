"""The compiled scanner of ``parse_bib`` against bibtexparser: the same BibFile, byte for byte.

Lint, tidy (which rewrites files by the entries' spans) and every problem's line depend on the
two paths agreeing, so they are compared on every ``.bib`` in the repository, the benchmark's
synthetic library, the hostile corpus, TeX Live's bibliographies (or ``CITEKIT_REAL_BIB_DIR``)
and generated tricky entries.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.bibtex.reader import parse_bib
from tests.hostile.corpus import CORPUS

ROOT = Path(__file__).resolve().parents[2]
_REAL = [os.environ.get("CITEKIT_REAL_BIB_DIR", ""), "/usr/share/texlive/texmf-dist/bibtex/bib",
         "/usr/share/texmf/bibtex/bib"]


def assert_same(text: str, path: str = "t.bib") -> None:
    fast, slow = parse_bib(text, path), parse_bib(text, path, fast=False)
    assert fast.entries == slow.entries
    assert fast.strings == slow.strings
    assert fast.problems == slow.problems


def _repo_bibs() -> list[Path]:
    skip = {".venv", ".git", "build", "node_modules"}
    return sorted(p for p in ROOT.rglob("*.bib") if not skip & set(p.relative_to(ROOT).parts))


@pytest.mark.parametrize("path", _repo_bibs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_bibs(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"), str(path))


def test_synthetic_library() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from gen_library import library
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert_same(library(600))


@pytest.mark.parametrize("name", [n for n, (suffix, _) in CORPUS.items() if suffix == ".bib"])
def test_hostile_corpus(name: str) -> None:
    assert_same(CORPUS[name][1])


def test_real_bibliographies() -> None:
    folder = next((Path(p) for p in _REAL if p and Path(p).is_dir()), None)
    if folder is None:
        pytest.skip("no TeX Live bibliographies (set CITEKIT_REAL_BIB_DIR)")
    seen = 0
    for path in sorted(folder.rglob("*.bib")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert_same(text, str(path))
        seen += 1
    assert seen


# Each case is a known way for a scanner to read a block differently from bibtexparser.
CASES = {
    "plain": "@article{a,\n  title = {T},\n  year = 2020\n}\n",
    "trailing-comma": "@book{b, title = {T},\n}\n",
    "no-fields": "@misc{c}\n@misc{d,}\n",
    "quoted-braces": '@misc{e, title = "a {b} c}", note = "x,y"}\n',
    "quote-in-braces": '@misc{f, title = {a " b}, note = "{"}"}\n',
    "escapes": "@misc{g, title = {a \\} b}, note = {c\\\\}, x = \"d\\\" e\"}\n@misc{h, t = {ok}}\n",
    "backslash-newline": "@misc{i, title = {a\\\n b},\n  note = {c}}\n",
    "concatenation": "@string{pub = {P}}\n@misc{j, publisher = pub # { and } # \"Q\", month = jan}\n",
    "at-in-value": "@misc{k, email = {a@b.org}, url = {https://x.org/@y}}\n",
    "at-at-line-start": "@misc{l, note = {a\n@misc{m, title = {T}}\n",
    "indented-at": "@misc{n, note = {a\n  @misc{o, title = {T}}\n",
    "two-on-a-line": "@misc{p, t = {a}} @misc{q, t = {b}}\n",
    "duplicate-key": "@misc{r, t = {a}}\n@misc{r, t = {b}}\n@misc{R, t = {c}}\n",
    "duplicate-field": "@misc{s, t = {a}, t = {b}}\n@misc{s, t = {c}}\n@misc{s, u = {d}}\n",
    "duplicate-string": "@string{x = {1}}\n@string{x = {2}}\n@STRING{X = {3}}\n",
    "parens": "@misc(t, title = {a)b})\n@misc{u, t = {v}}\n",
    "comment-preamble": "@comment{hi {there}}\n@preamble{\"\\x\"}\n@misc{v, t = {w}}\n",
    "missing-comma": "@misc{w,\n  title = {T}\n  author = {A}\n}\n",
    "deep": "@misc{x, t = {" + "{" * 9 + "d" + "}" * 9 + "}}\n",
    "unclosed-last": "@misc{y, t = {a}}\n@misc{z, t = {b}\n",
    "junk-between": "@misc{aa, t = {a}} junk } {\n\n@misc{ab, t = {b}}\n",
    "spaces-in-type": "@misc \t{ac, t = {a}}\n@ misc{ad, t = {b}}\n",
    "dangling-key": "@misc{ae, t = {a}, junk}\n@misc{af, t = {b}}\n",
    "crlf": "@misc{ag,\r\n  t = {a},\r\n  u = {b}\r\n}\r\n",
    "string-then-entry": "@string{s1 = \"a,b\"}\n@string{s2 = {c} # s1}\n@misc{ah, t = s2}\n",
    "empty-key-area": "@misc{ai, = {a}, t = {b}}\n",
    "leading-text": "Some text with an @ sign\n@misc{aj, t = {a}}\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_tricky_cases(name: str) -> None:
    assert_same(CASES[name])


_PIECES = st.sampled_from([
    "@misc{", "@article{", "@string{", "@comment{", "@misc(", "k1", "k2", ",", " ", "\n", "\\", "=", "{", "}",
    '"', "#", "@", "title", " = ", "{T}", '"Q"', "2020", "jan", "\\{", "\\}", '\\"', "\r\n", "\t", "%", "ä", "中",
    "}\n", ",\n  ", "{\"}", ")", "(",
])


@settings(derandomize=True, max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=40))
def test_generated(pieces: list[str]) -> None:
    assert_same("".join(pieces))


_FIELD = st.builds(lambda k, v, end: f"  {k} = {v}{end}",
                   st.sampled_from(["title", "author", "Title", "note", "year"]),
                   st.sampled_from(["{a}", "{a {b} c}", '"a"', '"a {b" # c', "2020", "jan # { x}", "{a\\}b}",
                                    "{a\\\\}", "{a\n b}", "{x@y}", "{}", '""', "{{{{x}}}}"]),
                   st.sampled_from([",\n", ",", "\n", ", "]))
_ENTRY = st.builds(lambda t, k, fs, close, tail: f"@{t}{{{k},\n{''.join(fs)}{close}{tail}",
                   st.sampled_from(["article", "misc", "Book", "string", "comment"]),
                   st.sampled_from(["a", "b", "a", "c d", ""]), st.lists(_FIELD, max_size=5),
                   st.sampled_from(["}\n", "}", "\n", "},\n"]), st.sampled_from(["", "\n", " % c\n", "x @ y\n"]))


@settings(derandomize=True, max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_ENTRY, max_size=6))
def test_generated_entries(entries: list[str]) -> None:
    assert_same("".join(entries))


def test_plain_libraries_take_the_fast_path() -> None:
    from citekit.bibtex.reader import _segments

    text = "\n".join(CASES[n] for n in ("plain", "trailing-comma", "quoted-braces", "concatenation", "crlf"))
    assert not [s for s in _segments(text) if len(s) == 3]
