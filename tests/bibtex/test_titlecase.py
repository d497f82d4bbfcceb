"""Sentence case for English BibTeX titles, the title-case setting, and the lint warning."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from citekit.bibtex import titlecase
from citekit.bibtex.mapping import entry_to_csl
from citekit.bibtex.reader import parse_bib
from citekit.bibtex.titlecase import is_english, sentence_case, suspicious_words
from citekit.care.rules import check_entry
from citekit.errors import CitekitError


@pytest.mark.parametrize(("raw", "expected"), [
    # examples of GB/T 7714 as gbt7714-bibtex-style prints them
    ("Shaking without Quaking", "Shaking without quaking"),
    ("{AI} and the Future of Banking", "{AI} and the future of banking"),
    ("About {OCLC}: History of Cooperation", "About {OCLC}: history of cooperation"),
    ("Next-Generation Sequencing: From Understanding Biology", "Next-generation sequencing: from understanding biology"),
    ("Information and Documentation---The {Dublin Core} Metadata", "Information and documentation---the {Dublin Core} metadata"),
    ("[{Zotero} Download]", "[{Zotero} download]"),
    ("The Genome of {{\\em Eucalyptus grandis}}", "The genome of {{\\em Eucalyptus grandis}}"),
    # protected by shape: capitals, an inner capital, "I", digits with a capital
    ("UNIMARC and Metadata", "UNIMARC and metadata"),
    ("Visiting McGraw and O'Brien", "Visiting McGraw and O'Brien"),
    ("What I Saw in 3D Images", "What I saw in 3D images"),
    ("The Research University's Dilemma", "The research university's dilemma"),
    # commands and math are never touched
    ("Water Quality \\& Treatment $\\Delta T$ \\LaTeX Tools", "Water quality \\& treatment $\\Delta T$ \\LaTeX tools"),
])
def test_sentence_case(raw: str, expected: str):
    assert sentence_case(raw) == expected


def test_subtitle_starts_lower():
    assert sentence_case("Mechanisms of Disease", keep_first=False) == "mechanisms of disease"


def test_only_english():
    assert is_english("american", "X") and is_english(None, "Plain Latin")
    assert not is_english("french", "Atmosphères") and not is_english(None, "数据集") and not is_english(None, "Молибден")


def _item(text: str, mode: str | None) -> dict:
    bib = parse_bib(text, "t.bib")
    return entry_to_csl(bib.entries[0], bib.strings, title_case=mode)


BOOK = """@book{k, title = {Geoecology and Computers}, subtitle = {Proceedings of the {Third Conference}},
  booktitle = {Coastal Erosion in {Asia}}, journal = {Journal of Library Administration}, langid = {english}}"""


def test_mapping_keyword():
    item = _item(BOOK, "sentence")
    assert item["title"] == 'Geoecology and computers: proceedings of the <span class="nocase">Third Conference</span>'
    assert item["container-title"] == 'Coastal erosion in <span class="nocase">Asia</span>'
    assert _item(BOOK, "as-is")["title"].startswith("Geoecology and Computers: Proceedings")
    french = _item(BOOK.replace("english", "french"), "sentence")
    assert french["title"].startswith("Geoecology and Computers")


def test_project_setting_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "citekit.toml").write_text('[format]\ntitle-case = "sentence"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert titlecase.project_title_case() == "sentence"
    assert _item(BOOK, None)["title"].startswith("Geoecology and computers")
    titlecase.use_title_case("as-is")
    try:
        assert _item(BOOK, None)["title"].startswith("Geoecology and Computers")
    finally:
        titlecase.use_title_case(None)
    with pytest.raises(CitekitError, match="--title-case"):
        titlecase.use_title_case("title")


def test_library_items_follow_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Library.items(), which the pandoc filter and citekit latex use, reads the project's choice."""
    from citekit.bibtex.reader import read_library

    lib = tmp_path / "a.bib"
    lib.write_text(BOOK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert read_library([lib]).items()[0]["title"].startswith("Geoecology and Computers")
    project = tmp_path / "paper"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.citekit.format]\ntitle-case = "sentence"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    assert read_library([lib]).items()[0]["title"].startswith("Geoecology and computers")


def test_bad_project_setting_names_the_file(tmp_path: Path):
    (tmp_path / "citekit.toml").write_text('[format]\ntitle-case = "upper"\n', encoding="utf-8")
    with pytest.raises(CitekitError, match="citekit.toml.*title-case"):
        titlecase.project_title_case(tmp_path)


def test_suspicious_words():
    assert suspicious_words("Cataloging Internet Resources") == ["Internet"]
    assert suspicious_words("Coastal erosion and mitigation in east and southeast Asia") == ["Asia"]
    assert suspicious_words("{AI} and the Future of Banking") == []  # "banking" is the standard's own output
    assert suspicious_words("History of {China} and the {Internet}") == []


def test_lint_warns_only_with_sentence_case():
    bib = parse_bib("@article{k, title = {Trade with China and the Internet}, langid = {english}}", "t.bib")
    entry, today = bib.entries[0], dt.date(2026, 1, 1)
    found = [f for f in check_entry(entry, {}, today, title_case="sentence") if f.code == "unbraced-proper-noun"]
    assert [f.message.split("'")[1] for f in found] == ["China", "Internet"]
    assert "{China}" in found[0].message and found[0].field == "title"
    assert not [f for f in check_entry(entry, {}, today, title_case="as-is") if f.code == "unbraced-proper-noun"]


def test_cli_flag(tmp_path: Path):
    import subprocess
    import sys

    lib = tmp_path / "a.bib"
    lib.write_text("@book{k, author = {Kanamori, H.}, title = {Shaking without Quaking}, publisher = {P},"
                   " address = {X}, year = {1998}, langid = {english}}\n", encoding="utf-8")
    run = [sys.executable, "-m", "citekit.cli", "format", "--library", str(lib)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([*run, "--title-case", "sentence"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "Shaking without quaking[M]" in out.stdout, out.stderr
    out = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "Shaking without Quaking[M]" in out.stdout, out.stderr
    out = subprocess.run([*run, "--title-case", "nope"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 2 and "--title-case" in out.stderr and "Traceback" not in out.stderr
