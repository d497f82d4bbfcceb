"""Link records from a Library: the bundled library's url/doi fields, with urldate and lines."""

from __future__ import annotations

from citekit.bibtex.reader import parse_bib, read_library
from citekit.links.records import clean_url, normalise_url, records_from_library
from citekit.links.suggest import candidates


def test_bundled_library_records() -> None:
    records = records_from_library(read_library())
    by_key = {(r.key, r.field): r for r in records}
    item10 = by_key[("nstc2018strategy", "url")]
    assert "/wpcontent/" in item10.url and item10.accessed == "2021-07-16"
    assert item10.path.endswith("us-manufacturing.bib") and item10.line > 1
    text = open(item10.path, encoding="utf-8").read().splitlines()
    assert "wpcontent" in text[item10.line - 1]  # the line of the url field itself
    # Acceptance 2's suggestion logic on the real URL (the sibling is then checked live).
    assert candidates(item10.url, item10.accessed)[0].url.replace("/wp-content/", "/wpcontent/") == item10.url
    crs = by_key[("crs2019mep", "url")]
    assert candidates(crs.url)[0].url.endswith("prodcode=R44308")


def test_records_keep_archive_fields_and_unescape() -> None:
    bib = parse_bib("@online{k,\n  url = {\\url{https://x.gov/a\\_b\\%20c}},\n  archiveurl = {https://web.archive.org/"
                    "web/2020/https://x.gov/a_b}, archivedate = {2020-01-01},\n  urlstatus = {Dead},\n  doi = {doi:10.1/X},\n}\n",
                    "t.bib")
    from citekit.model import Library

    recs = records_from_library(Library(files=[bib]))
    doi, url = recs
    assert doi.field == "doi" and doi.url == "10.1/X"
    assert url.url == "https://x.gov/a_b%20c" and url.archive_date == "2020-01-01"
    assert url.archive_url and url.extra["urlstatus"] == "dead" and url.line == 2


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://WWW.Nist.GOV:443/a#frag") == "https://www.nist.gov/a"
    assert normalise_url("http://h:8080") == "http://h:8080/"
    assert clean_url(" https://x.gov/a \n b ") == "https://x.gov/ab"
