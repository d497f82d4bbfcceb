"""BibTeX ⇄ CSL-JSON: names, LaTeX, dates, types and fields, and the CSL-JSON reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citekit.bibtex import latex, names
from citekit.bibtex.dates import DateError, format_date, parse_date
from citekit.bibtex.mapping import csl_to_bibtex, entry_to_csl
from citekit.bibtex.reader import parse_bib, read_library
from citekit.csljson import apply_note_fields, read_csl_json
from citekit.errors import CitekitError


def one(text: str) -> dict:
    bib = parse_bib(text, "t.bib")
    assert not bib.problems, bib.problems
    return entry_to_csl(bib.entries[0], bib.strings)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Ludwig van Beethoven", {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}),
    ("van der Waals, Johannes Diderik", {"family": "Waals", "given": "Johannes Diderik", "non-dropping-particle": "van der"}),
    ("Simon, Jr, Carl G.", {"family": "Simon", "given": "Carl G.", "suffix": "Jr"}),
    ("{National Institute of Standards and Technology}", {"literal": "National Institute of Standards and Technology"}),
    ("M{\\\"u}ller, J{\\\"o}rg", {"family": "Müller", "given": "Jörg"}),
    ("孙毅", {"literal": "孙毅"}),
    ("张, 三", {"family": "张", "given": "三"}),
    ("{\\'E}mile Zola", {"family": "Zola", "given": "Émile"}),
])
def test_names(raw: str, expected: dict) -> None:
    assert names.parse_name(raw) == expected


def test_name_list_splits_only_at_top_level_and() -> None:
    got = names.parse_names("{Bread and Roses Inc.} and Doe, Jane and others")
    assert got == [{"literal": "Bread and Roses Inc."}, {"family": "Doe", "given": "Jane"}]
    assert names.format_names(got) == "{Bread and Roses Inc.} and Doe, Jane"


def test_latex_decoding_keeps_urls_and_protected_capitals() -> None:
    assert latex.decode("The {DNA} of {\\'E}cole -- na\\\"ive \\& 100\\%") == (
        'The <span class="nocase">DNA</span> of École – naïve & 100%')
    assert latex.decode("see \\url{https://x.org/a_b%20c#d}", markup=False) == "see https://x.org/a_b%20c#d"
    assert latex.decode("\\emph{Nature}") == "<i>Nature</i>"
    item = one("@online{k, title = {A}, url = {https://ex.org/a%20b_c}, doi = {10.1000/a_b%}}")
    assert item["URL"] == "https://ex.org/a%20b_c" and item["DOI"] == "10.1000/a_b%"


@pytest.mark.parametrize(("text", "parts"), [
    ("2014-09-16", {"date-parts": [[2014, 9, 16]]}),
    ("2014-09", {"date-parts": [[2014, 9]]}),
    ("2014", {"date-parts": [[2014]]}),
    ("2014/2016", {"date-parts": [[2014], [2016]]}),
    ("2014-09-16/2014-10-01", {"date-parts": [[2014, 9, 16], [2014, 10, 1]]}),
    ("2014?", {"date-parts": [[2014]], "circa": True}),
])
def test_dates(text: str, parts: dict) -> None:
    assert parse_date(text) == parts
    assert format_date(parts) == text.replace("?", "~")


def test_bad_dates_raise() -> None:
    for bad in ("2014-13-01", "yesterday", "", "/2014"):
        with pytest.raises(DateError):
            parse_date(bad)


def test_year_month_fields_macros_and_concatenation() -> None:
    item = one('@string{nist = "National Institute of Standards and Technology"}\n'
               '@techreport{k, title = {T}, institution = nist, year = 2019, month = sep, '
               'address = "Gaithersburg, " # "MD", number = {NIST AMS 600-5}, type = {Annual report}}')
    assert item["type"] == "report" and item["publisher"] == "National Institute of Standards and Technology"
    assert item["issued"] == {"date-parts": [[2019, 9]]} and item["publisher-place"] == "Gaithersburg, MD"
    assert item["number"] == "NIST AMS 600-5" and item["genre"] == "Annual report"


def test_types_and_legislation() -> None:
    lib = read_library()
    items = {i["id"]: i for i in lib.items()}
    bill = items["congress2014revitalize"]
    assert bill["type"] == "bill" and bill["number"] == "H.R. 2996"
    assert bill["chapter-number"] == "113th Congress" and bill["authority"] == "House"
    assert bill["accessed"] == {"date-parts": [[2021, 3, 10]]} and bill["language"] == "en"
    assert items["msi2019technician"]["type"] == "webpage"
    assert items["sun2021development"]["type"] == "article-journal"
    assert items["sun2021development"]["issue"] == "11" and items["sun2021development"]["language"] == "zh-CN"
    report = items["molnar2025china"]
    assert report["collection-title"] == "Advanced Manufacturing Series (NIST AMS)"
    assert len(report["author"]) == 9 and report["DOI"] == "10.6028/NIST.AMS.600-17"
    assert one("@legislation{k, title = {Act}, number = {Pub. L. 117-167}}")["type"] == "legislation"
    assert one("@misc{k, title = {x}}")["type"] == "document"
    assert one("@phdthesis{k, title = {x}, school = {MIT}}")["genre"] == "PhD thesis"


@pytest.mark.parametrize("dialect", ["biblatex", "bibtex"])
def test_csl_to_bibtex_round_trip_keeps_meaning(dialect: str) -> None:
    from citekit.bibtex.writer import format_entry

    for item in read_library().items():
        etype, key, fields = csl_to_bibtex(item, dialect)
        again = one(format_entry(etype, key, fields))
        for var in ("title", "author", "URL", "DOI", "number", "publisher", "accessed"):
            assert again.get(var) == item.get(var), (key, var)
        if dialect == "biblatex":
            assert again["type"] == item["type"] and again.get("issued") == item.get("issued")


def test_note_cheater_lines() -> None:
    item = apply_note_fields({"id": "a", "type": "book", "title": "T",
                              "note": "type: standard\nDOI: 10.1/x\noriginal-date: 1865\nA real note."})
    assert item["type"] == "standard" and item["DOI"] == "10.1/x"
    assert item["original-date"] == {"date-parts": [[1865]]} and item["note"] == "A real note."


def test_csl_json_reader(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([{"id": "x", "type": "report", "title": "T", "note": "Citation Key: xkey"}]))
    assert read_csl_json(path)[0]["citation-key"] == "xkey"
    path.write_text('[{"id": "x"},\n 42]')
    with pytest.raises(CitekitError, match=r"refs.json:2: item 2"):
        read_csl_json(path)


def test_reader_reports_failures_with_lines_and_keeps_going() -> None:
    bib = parse_bib("@misc{a, title={x}}\n@misc{b, title={x}\n@misc{a, title={y}}\n@misc{c, title={z}}\n", "t.bib")
    assert [e.key for e in bib.entries] == ["a", "c"]
    assert {(p.line, p.code) for p in bib.problems} == {(2, "parse-error"), (3, "duplicate-key")}
    assert not bib.parsed_cleanly


def test_spans_cover_each_entry_exactly() -> None:
    text = "% head\n@misc{a,\n  title = {x},\n}\n\n  @report{b, title = {y}}\ntrailing\n"
    bib = parse_bib(text, "t.bib")
    assert [text[e.start:e.end] for e in bib.entries] == ["@misc{a,\n  title = {x},\n}", "@report{b, title = {y}}"]
    assert [e.line for e in bib.entries] == [2, 6]


def test_crossref_inheritance() -> None:
    bib = parse_bib("@incollection{ch, author = {Doe, Jane}, title = {Chapter}, pages = {1--10}, crossref = {bk}}\n"
                    "@book{bk, editor = {Roe, Rick}, title = {The Book}, publisher = {Pub}, date = {2020}}\n", "t.bib")
    from citekit.model import Library

    ch = Library(files=[bib]).items(["ch"])[0]
    assert ch["container-title"] == "The Book" and ch["title"] == "Chapter"
    assert ch["publisher"] == "Pub" and ch["issued"] == {"date-parts": [[2020]]}
    assert ch["editor"] == [{"family": "Roe", "given": "Rick"}] and ch["page"] == "1-10"


def test_crossref_parent_title_wins_over_its_booktitle() -> None:
    from citekit.model import Library

    bib = parse_bib("@inproceedings{p, title = {Paper}, crossref = {proc}}\n"
                    "@proceedings{proc, booktitle = {Series Volume}, title = {Proceedings Title}, year = 1982}\n", "t.bib")
    assert Library(files=[bib]).items(["p"])[0]["container-title"] == "Proceedings Title"


def test_enclosing_is_one_whole_group() -> None:
    item = one('@misc{k, title = {A} # {B}, note = "50 \\# off", howpublished = {x}}')
    assert item["title"] == "AB"
    assert item["note"] == "50 # off"


def test_lines_come_from_spans_not_bibtexparser() -> None:
    # bibtexparser counts a line ending in a backslash as no line break: it says b is on line 5
    text = "@misc{a, title = {line one \\\n line two},\n  note = {x}}\n\n\n@misc{b, title = {t}}\n"
    bib = parse_bib(text, "t.bib")
    assert [e.line for e in bib.entries] == [1, 6]
    assert [text[e.start:e.end][:8] for e in bib.entries] == ["@misc{a,", "@misc{b,"]


# --- GB/T 7714 from BibTeX (issue 13) and two crash classes (issue 10) ------------------------------

def test_blank_doi_and_huge_congress_do_not_crash():
    item = one("@misc{k, title = {T}, doi = { }}")
    assert "DOI" not in item
    digits = "7" * 5000
    bill = one("@legislation{k, title = {T}, type = {bill}, congress = {" + digits + "}}")
    assert bill["chapter-number"] == digits + "th Congress"
    assert one("@legislation{k, title = {T}, type = {bill}, congress = {112}}")["chapter-number"] == "112th Congress"
    assert one("@misc{k, title = {T}, year = {2020}, month = {" + digits + "}}")["issued"] == {"date-parts": [[2020]]}
    assert one("@misc{k, title = {T}, year = {2020}, month = {3}, day = {" + digits + "}}")["issued"] == {
        "date-parts": [[2020, 3]]}


@pytest.mark.parametrize(("entry", "expected"), [
    ("@newspaper{k, title = {T}}", {"type": "article-newspaper"}),
    ("@article{k, title = {T}, entrysubtype = {newspaper}}", {"type": "article-newspaper"}),
    ("@archive{k, title = {T}}", {"type": "collection"}),
    ("@proceedings{k, title = {T}}", {"type": "book", "event-title": "T"}),
    ("@proceedings{k, title = {T}, eventtitle = {E}}", {"type": "book", "event-title": "E"}),
    ("@periodical{k, title = {T}, volume = {1984, 1(1)-}, year = {1984-}}",
     {"volume": "1", "issue": "1", "issued": {"date-parts": [[1984]]}}),
    ("@periodical{k, title = {T}, volume = {1957(1)-1990(4)}}", {"volume": "1957(1)-1990(4)"}),
    ("@book{k, title = {T}, edition = {Second}}", {"edition": "2"}),
    ("@book{k, title = {T}, edition = {Rev. ed.}}", {"edition": "Rev. ed."}),
    ("@map{k, title = {T}, scale = {1:25000}, dimensions = {128cm×84cm}}", {"scale": "1:25000", "dimensions": "128cm×84cm"}),
    ("@article{k, title = {T}, volume = {267}, eid = {147370}}", {"page": "147370"}),
    ("@preprint{k, title = {T}, archiveprefix = {bioRxiv}}", {"type": "article", "publisher": "bioRxiv"}),
    ("@thesis{k, title = {T}, url = {http://x.org/a}, cstr = {35001.37}}", {"CSTR": "35001.37"}),
])
def test_gbt_fields(entry: str, expected: dict):
    item = one(entry)
    assert {k: item.get(k) for k in expected} == expected


def test_cstr_in_the_url_is_not_repeated():
    assert "CSTR" not in one("@dataset{k, title = {T}, url = {http://x.org/CSTR:1.2}, cstr = {1.2}}")


def test_patent_holder_leads():
    item = one("@patent{k, title = {T}, author = {Shi, Shunxiang and Xu, Haiping}, holder = {{Xidian University}}}")
    assert item["author"] == [{"literal": "Xidian University"}]
    assert [n["family"] for n in item["contributor"]] == ["Shi", "Xu"]
    same = one("@patent{k, title = {T}, author = {Deng, Yigang}, holder = {Deng, Yigang}}")
    assert len(same["author"]) == 1 and "contributor" not in same


def test_newspaper_round_trip():
    item = one("@article{k, title = {T}, journal = {J}, entrysubtype = {newspaper}}")
    etype, _, fields = csl_to_bibtex(item)
    assert (etype, fields["entrysubtype"]) == ("article", "newspaper")
