"""tidy: canonical layout, idempotent, minimal diff, --check, and never a change of meaning."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit.bibtex.reader import parse_bib, read_library
from citekit.care.config import CareConfig
from citekit.care.tidy import tidy_entry_text, tidy_file
from citekit.cli import app
from citekit.errors import CitekitError
from citekit.paths import LIBRARY_DIR
from tests.care.care_synth import generate

MESSY = """% header kept as is
@string{nist = {National Institute of Standards and Technology}}

@Report{ rose2020 ,
\tURL={https://doi.org/10.6028/NIST.SP.800-207},
\tYear = 2020,
\tTitle = "Zero Trust {"}Architecture{"}",
\tInstitution = nist,
\tAuthor = {Rose, Scott},
}

Free text stays.

@article(a2019, title = {T}, volume = {36}, date = {2019}, journaltitle = {J} # " Res.", author = {A, B})
@misc{fine,
  title = {Already Canonical},
  year = 2020,
}
"""

CANONICAL_ROSE = """@report{rose2020,
  author = {Rose, Scott},
  title = {Zero Trust {"}Architecture{"}},
  institution = nist,
  year = 2020,
  url = {https://doi.org/10.6028/NIST.SP.800-207},
}"""


def test_canonical_entry() -> None:
    bib = parse_bib(MESSY, "m.bib")
    rose = bib.entries[0]
    assert tidy_entry_text(MESSY[rose.start:rose.end]) == CANONICAL_ROSE
    art = bib.entries[1]
    assert tidy_entry_text(MESSY[art.start:art.end]) == (
        '@article{a2019,\n  author = {A, B},\n  title = {T},\n  journaltitle = {J} # " Res.",\n'
        "  date = {2019},\n  volume = {36},\n}"
    )


def test_tidy_file_minimal_and_idempotent(tmp_path: Path) -> None:
    p = tmp_path / "m.bib"
    p.write_text(MESSY)
    r = tidy_file(p)
    assert r.changed == ["rose2020", "a2019"] and r.written
    new = p.read_text()
    assert new.startswith("% header kept as is\n@string{nist")
    assert "\n\nFree text stays.\n\n" in new
    assert new.endswith("@misc{fine,\n  title = {Already Canonical},\n  year = 2020,\n}\n")
    assert CANONICAL_ROSE in new
    before = p.stat().st_mtime_ns
    r2 = tidy_file(p)
    assert r2.changed == [] and not r2.written and p.stat().st_mtime_ns == before


def test_tidy_keeps_meaning(tmp_path: Path) -> None:
    p = tmp_path / "m.bib"
    p.write_text(MESSY)
    before = read_library([p]).items()
    tidy_file(p)
    assert read_library([p]).items() == before


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    p = tmp_path / "m.bib"
    p.write_text(MESSY)
    r = tidy_file(p, check=True)
    assert r.changed == ["rose2020", "a2019"] and not r.written
    assert p.read_text() == MESSY
    runner = CliRunner()
    res = runner.invoke(app, ["tidy", "--check", str(p)])
    assert res.exit_code == 1 and "would reformat" in res.output
    assert p.read_text() == MESSY
    assert runner.invoke(app, ["tidy", str(p)]).exit_code == 0
    assert runner.invoke(app, ["tidy", "--check", str(p)]).exit_code == 0


def test_bundled_library_is_already_tidy() -> None:
    for path in LIBRARY_DIR.glob("*.bib"):
        assert tidy_file(path, check=True).changed == []


def test_skips_broken_entries_and_refuses_failed_files(tmp_path: Path) -> None:
    p = tmp_path / "b.bib"
    text = "@misc{ok, title = {A}}\n@misc{nocomma,\n  title = {A}\n  year = 2000,\n}\n"
    p.write_text(text)
    r = tidy_file(p)
    assert r.changed == ["ok"] and r.skipped[0][0] == "nocomma"
    assert p.read_text().endswith("@misc{nocomma,\n  title = {A}\n  year = 2000,\n}\n")
    broken = tmp_path / "c.bib"
    broken.write_text("@misc{x, title = {A}\n\n@misc{y, title={B}}\n")
    with pytest.raises(CitekitError, match="did not parse cleanly"):
        tidy_file(broken)
    tidy_file(broken, force=True)
    assert "@misc{x, title = {A}\n" in broken.read_text()


def test_config_indent_and_order(tmp_path: Path) -> None:
    cfg = CareConfig(indent="\t", field_order=["year", "title"])
    assert tidy_entry_text("@misc{k, author={A}, title={T}, year=1}", cfg) == (
        "@misc{k,\n\tyear = 1,\n\ttitle = {T},\n\tauthor = {A},\n}"
    )


def test_synthetic_library_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "s.bib"
    p.write_text(generate(400, seed=3, messy=True))
    before = read_library([p]).items()
    r = tidy_file(p)
    assert r.changed and not r.skipped
    assert read_library([p]).items() == before
    assert tidy_file(p).changed == []


def test_rename_keys_opt_in(tmp_path: Path) -> None:
    p = tmp_path / "k.bib"
    p.write_text(
        "@report{old,\n  author = {Rose, Scott},\n  title = {Zero Trust Architecture},\n  date = {2020},\n}\n\n"
        "@report{roseZeroTrustArchitecture2020,\n  author = {Rose, Scott},\n  title = {Zero Trust Architecture},\n"
        "  number = {2},\n  date = {2020},\n}\n\n"
        "@article{zh,\n  author = {孙毅},\n  title = {美国智能制造},\n  date = {2021},\n}\n"
    )
    assert tidy_file(p).changed == []  # keys are kept by default
    cfg = CareConfig(rename_keys=True)
    r = tidy_file(p, cfg)
    assert r.renamed == {"old": "roseZeroTrustArchitecture2020a"}
    text = p.read_text()
    assert "@report{roseZeroTrustArchitecture2020a,\n" in text and "  ids = {old},\n}" in text
    assert tidy_file(p, cfg).changed == []
