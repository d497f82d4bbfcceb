"""dedupe: listing and merging duplicate works, keeping richer fields and the dropped keys in ids."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from citekit.bibtex.reader import read_library
from citekit.care.dedupe import find_groups, merge
from citekit.care.duplicates import normalise_url
from citekit.cli import app

LIB = """% two copies of one report, and a bill that only looks similar
@report{rose2020zero,
  author = {Rose, Scott},
  title = {Zero Trust Architecture},
  date = {2020},
  doi = {10.6028/NIST.SP.800-207},
}

@misc{unrelated,
  title = {Something Else Entirely},
}

@report{nist2020zta,
  author = {Rose, Scott and Borchert, Oliver and Mitchell, Stu and Connelly, Sean},
  title = {Zero Trust Architecture},
  institution = {National Institute of Standards and Technology},
  date = {2020-08},
  doi = {https://doi.org/10.6028/nist.sp.800-207},
  url = {https://csrc.nist.gov/pubs/sp/800/207/final},
  urldate = {2021-03-10},
  ids = {zta},
}

@legislation{hr1,
  title = {CHIPS Act of 2022},
  number = {H.R. 4346},
  date = {2022},
}

@legislation{s1,
  title = {CHIPS Act of 2022},
  number = {S. 1260},
  date = {2022},
}
"""


def test_normalise_url() -> None:
    assert normalise_url("HTTP://www.NIST.gov:80/a/?utm_source=x&b=2#frag") == normalise_url("https://nist.gov/a?b=2")
    assert normalise_url("https://nist.gov/a") != normalise_url("https://nist.gov/b")


def test_groups(tmp_path: Path) -> None:
    p = tmp_path / "lib.bib"
    p.write_text(LIB)
    groups = find_groups(read_library([p]))
    assert [[e.key for e in g.entries] for g in groups] == [["rose2020zero", "nist2020zta"]]
    assert groups[0].reasons == ["", "same DOI as 'rose2020zero'"]


def test_merge_keeps_richer_fields_and_records_ids(tmp_path: Path) -> None:
    p = tmp_path / "lib.bib"
    p.write_text(LIB)
    plans = merge([p])
    assert [(pl.keep.key, [d.key for d in pl.drop]) for pl in plans] == [("rose2020zero", ["nist2020zta"])]
    text = p.read_text()
    assert "nist2020zta," not in text.replace("ids = {nist2020zta", "")
    lib = read_library([p])
    kept = lib.find("rose2020zero")
    assert kept is not None
    assert kept.get("author", "").count(" and ") == 3  # the longer author list
    assert kept.get("date") == "2020-08" and kept.get("institution")
    assert kept.get("doi") == "10.6028/NIST.SP.800-207"  # identifiers are never overwritten
    assert kept.get("url") == "https://csrc.nist.gov/pubs/sp/800/207/final"  # but missing ones are filled
    assert kept.get("ids") == "nist2020zta, zta"
    # everything outside the two entries is unchanged
    assert text.startswith("% two copies of one report, and a bill that only looks similar\n@report{rose2020zero,")
    assert "@misc{unrelated,\n  title = {Something Else Entirely},\n}\n\n@legislation{hr1," in text
    assert find_groups(lib) == []
    assert merge([p]) == []


def test_merge_across_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text("@misc{one,\n  title = {Same Thing Here},\n  url = {https://example.gov/x},\n}\n")
    b.write_text("@misc{two,\n  title = {Same Thing Here},\n  url = {https://example.gov/x/},\n  note = {n},\n}\n")
    merge([tmp_path])
    assert b.read_text() == ""
    assert "note = {n}" in a.read_text() and "ids = {two}" in a.read_text()


def test_cli(tmp_path: Path) -> None:
    p = tmp_path / "lib.bib"
    p.write_text(LIB)
    runner = CliRunner()
    r = runner.invoke(app, ["dedupe", str(p)])
    assert r.exit_code == 0 and "nist2020zta" in r.output and "same DOI" in r.output
    assert p.read_text() == LIB
    r = runner.invoke(app, ["dedupe", "--merge", str(p)])
    assert r.exit_code == 0 and "merged nist2020zta into rose2020zero" in r.output
