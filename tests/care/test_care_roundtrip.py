"""Real-world round trips: no-change writes are byte-identical, edits touch only their entry.

Large real files come from TeX Live's ``texlive-bibtex-extra`` (biblatex-examples.bib, Nelson
Beebe's bibliographies) when installed, or from ``CITEKIT_REAL_BIB_DIR``; otherwise those tests
skip. A synthetic 2,000-entry library in four layouts always runs.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from citekit.bibtex.reader import parse_bib, read_library
from citekit.bibtex.writer import splice_entries, update_entries
from citekit.care.tidy import tidy_file
from tests.care.care_synth import generate

_CANDIDATES = [
    os.environ.get("CITEKIT_REAL_BIB_DIR", ""),
    "/usr/share/texlive/texmf-dist/bibtex/bib",
    "/usr/share/texmf/bibtex/bib",
]
REAL_DIR = next((Path(p) for p in _CANDIDATES if p and Path(p).is_dir()), None)


def real_files(limit_bytes: int = 0) -> list[Path]:
    if REAL_DIR is None:
        return []
    out = []
    for p in sorted(REAL_DIR.rglob("*.bib")):
        try:
            p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # a Latin-1 file: citekit reads UTF-8 only
        if not limit_bytes or p.stat().st_size <= limit_bytes:
            out.append(p)
    return out


def probe_round_trip(path: Path, every: int) -> int:
    """Add then remove a field in every ``every``-th entry: the file must come back byte for byte,
    and after the add only that entry's bytes may differ."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    bib = parse_bib(text, str(path))
    counts = Counter(e.key for e in bib.entries)
    # the spans are exact: each starts at its "@", and splicing every entry back in changes nothing
    assert all(text[e.start] == "@" for e in bib.entries)
    assert splice_entries(text, bib, {e.key: text[e.start:e.end] for e in bib.entries if counts[e.key] == 1}) == text
    probed = 0
    for e in bib.entries[::every]:
        if "citekitprobe" in e.fields or counts[e.key] > 1:
            continue
        try:
            changed = update_entries(path, {e.key: {"citekitprobe": "x"}}, force=True)
        except Exception as exc:  # an entry citekit's scanner cannot edit is reported, not written
            assert "cannot edit entry" in str(exc) or "not one clean entry" in str(exc), exc
            assert path.read_bytes() == original
            continue
        assert changed == [e.key]
        edited = path.read_bytes().decode("utf-8")
        after = parse_bib(edited, str(path)).entries
        mine = next(x for x in after if x.key == e.key)
        assert edited[:mine.start] == text[:e.start]
        assert edited[mine.end:] == text[e.end:]
        assert mine.fields["citekitprobe"].value == "x"
        update_entries(path, {e.key: {"citekitprobe": None}}, force=True)
        assert path.read_bytes() == original, f"{path}: {e.key} did not come back byte for byte"
        probed += 1
    return probed


def test_synthetic_library_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "synth.bib"
    p.write_text(generate(2000, seed=11, messy=True))
    assert probe_round_trip(p, every=150) >= 12


@pytest.mark.skipif(REAL_DIR is None, reason="texlive-bibtex-extra not installed (set CITEKIT_REAL_BIB_DIR)")
def test_real_files_round_trip(tmp_path: Path) -> None:
    files = real_files()
    assert files
    probed = 0
    for src in files:
        p = tmp_path / src.name
        p.write_bytes(src.read_bytes())
        n = len(parse_bib(src.read_text(encoding="utf-8"), str(src)).entries)
        # one probe per ordinary file, a dozen in the biblatex examples; the big files keep
        # the test quick by probing few entries, but every file gets the exact-span check
        probes = 12 if src.name == "biblatex-examples.bib" else (1 if src.stat().st_size < 400_000 else 0)
        if probes == 0:
            probe_round_trip(p, every=max(n, 1) + 1)
            continue
        probed += probe_round_trip(p, every=max(1, n // probes))
    assert probed > 20


@pytest.mark.skipif(REAL_DIR is None, reason="texlive-bibtex-extra not installed (set CITEKIT_REAL_BIB_DIR)")
def test_real_files_tidy_idempotent_and_meaning_preserving(tmp_path: Path) -> None:
    names = {"biblatex-examples.bib", "tugboat.bib", "texbook3.bib"}
    files = [p for p in real_files() if p.name in names]
    if not files:
        pytest.skip("none of the sample files is present")
    for src in files:
        p = tmp_path / src.name
        p.write_bytes(src.read_bytes())
        before = read_library([p]).items()
        tidy_file(p, force=True)
        assert read_library([p]).items() == before, src.name
        assert tidy_file(p, force=True).changed == [], src.name
