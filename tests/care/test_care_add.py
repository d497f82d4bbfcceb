"""add: DOI content negotiation, NIST series ids, bills and URLs against loopback emulations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from citekit.bibtex.reader import parse_bib, read_library
from citekit.care.add import fetch_doi, new_entries, resolve
from citekit.care.identifiers import parse_identifier
from citekit.care.keys import bbt_key, unique_key
from citekit.care.lint import lint_library
from citekit.cli import app
from citekit.errors import CitekitError
from tests.servers.doi_negotiation import CSL_JSON, IdentifierServices, identifier_services

TODAY = dt.date(2026, 1, 15)

AMS = {
    "type": "report", "DOI": "10.6028/NIST.AMS.600-17", "URL": "https://doi.org/10.6028/NIST.AMS.600-17",
    "title": "China's Manufacturing Innovation Centers: A Benchmarking Report for the Manufacturing USA Network",
    "author": [{"family": "Molnar", "given": "Michael"}, {"family": "Rogers", "given": "Kelley"}],
    "publisher": "National Institute of Standards and Technology",
    "issued": {"date-parts": [[2025]]}, "reference": [{"key": "ref1"}], "license": [{"URL": "x"}],
}
ARTICLE = {
    "type": "article-journal", "DOI": "10.1000/XYZ.1", "title": ["Zero Trust & You"],
    "author": [{"family": "Rose", "given": "Scott"}], "container-title": "Journal of Research of NIST",
    "volume": "125", "page": "1-20", "issued": {"date-parts": [[2020, 8, 11]]},
}
PAGE = """<html><head><title>Ignored | Site</title>
<meta name="citation_title" content="National Strategy for Advanced Manufacturing">
<meta name="citation_publication_date" content="2022/10/07">
<meta property="og:site_name" content="The White House">
<link rel="canonical" href="https://www.whitehouse.gov/ostp/strategy/">
</head><body>x</body></html>"""
BILL_PAGE = """<html><head><title>H.R.2996 - 113th Congress (2013-2014): Revitalize American Manufacturing
and Innovation Act of 2014 | Congress.gov | Library of Congress</title></head></html>"""


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch):
    svc = IdentifierServices(works={"10.6028/nist.ams.600-17": AMS, "10.1000/xyz.1": ARTICLE})
    with identifier_services(svc) as s:
        monkeypatch.setenv("CITEKIT_DOI_URL", s.base)
        monkeypatch.delenv("CITEKIT_CONGRESS_API_KEY", raising=False)
        yield s


def test_doi_content_negotiation(services: IdentifierServices) -> None:
    with requests.Session() as session:
        item = fetch_doi("10.1000/XYZ.1", session)
        assert item["title"] == "Zero Trust & You" and item["DOI"] == "10.1000/XYZ.1"
        # the resolver was asked for CSL-JSON and redirected to the agency's transform
        assert services.log[0][2] == CSL_JSON and services.log[1][1].startswith("/transform/")
        with pytest.raises(CitekitError, match="not registered"):
            fetch_doi("10.1000/unknown", session)
    bad = requests.Session()
    with pytest.raises(CitekitError, match="not reachable"):
        fetch_doi("10.1000/XYZ.1", bad, base="http://127.0.0.1:9")


def test_nist_series_id_becomes_report(services: IdentifierServices, tmp_path: Path) -> None:
    with requests.Session() as session:
        item, notes = resolve("NIST AMS 600-17", session, today=TODAY)
        (entry,) = new_entries(["NIST AMS 600-17"], session, set())
    assert notes == [] and item["number"] == "NIST AMS 600-17"
    assert services.log[0][1] == "/10.6028/NIST.AMS.600-17"
    assert entry.key == "molnarChinasManufacturingInnovation2025"
    bib = parse_bib(entry.text, "x.bib")
    e = bib.entries[0]
    assert e.entry_type == "report" and e.get("institution") == "National Institute of Standards and Technology"
    assert e.get("doi") == "10.6028/NIST.AMS.600-17" and "url" not in e.fields  # no DOI repeated in url
    assert "reference" not in entry.text and "license" not in entry.text
    assert entry.text.splitlines()[1].startswith("  author = {Molnar, Michael and Rogers, Kelley}")


def test_doi_entry_lints_clean_and_escapes(services: IdentifierServices, tmp_path: Path) -> None:
    with requests.Session() as session:
        (entry,) = new_entries(["https://doi.org/10.1000/XYZ.1"], session, set())
    assert "Zero Trust \\& You" in entry.text and entry.key == "roseZeroTrustYou2020"
    p = tmp_path / "lib.bib"
    p.write_text(entry.text + "\n")
    assert lint_library(read_library([p])) == []


def test_bill_identifiers() -> None:
    for text in ("H.R. 2996 (113th)", "hr2996/113", "https://www.congress.gov/bill/113th-congress/house-bill/2996/text"):
        ident = parse_identifier(text)
        assert ident.kind == "bill" and ident.value == "https://www.congress.gov/bill/113th-congress/house-bill/2996"
        assert ident.label == "H.R. 2996"
    s = parse_identifier("S.1260/117")
    assert s.value.endswith("/117th-congress/senate-bill/1260") and s.label == "S. 1260"
    with pytest.raises(CitekitError, match="cannot tell"):
        parse_identifier("not an identifier")


def test_bill_from_congress_api(services: IdentifierServices, monkeypatch: pytest.MonkeyPatch) -> None:
    services.bills[(117, "s", 1260)] = {"title": "United States Innovation and Competition Act of 2021",
                                        "introducedDate": "2021-04-20"}
    monkeypatch.setenv("CITEKIT_CONGRESS_API_KEY", services.api_key)
    monkeypatch.setenv("CITEKIT_CONGRESS_API_URL", services.base + "/v3")
    with requests.Session() as session:
        (entry,) = new_entries(["S.1260/117"], session, set(), today=TODAY)
    e = parse_bib(entry.text, "x.bib").entries[0]
    assert e.entry_type == "legislation"
    assert {n: e.get(n) for n in ("number", "congress", "chamber", "date", "type", "url")} == {
        "number": "S. 1260", "congress": "117", "chamber": "Senate", "date": "2021-04-20", "type": "bill",
        "url": "https://www.congress.gov/bill/117th-congress/senate-bill/1260",
    }
    assert e.get("author") == "{United States Congress}" and e.get("urldate")


def test_bill_from_page_metadata(services: IdentifierServices) -> None:
    # no API key: the canonical congress.gov page is read (here: through a session that maps it to loopback)
    services.pages["/bill/113th-congress/house-bill/2996"] = (200, BILL_PAGE)
    with _redirecting_session(services.base) as session:
        item, notes = resolve("H.R. 2996 (113th)", session, today=TODAY)
    assert item["title"] == "Revitalize American Manufacturing and Innovation Act of 2014"
    assert item["URL"] == "https://www.congress.gov/bill/113th-congress/house-bill/2996"
    assert notes == ["introduction date not found: add a date field"]


def test_url_metadata(services: IdentifierServices) -> None:
    services.pages["/strategy"] = (200, PAGE)
    with requests.Session() as session:
        item, _ = resolve(services.base + "/strategy", session, today=TODAY)
        (entry,) = new_entries([services.base + "/strategy"], session, set(), today=TODAY)
    assert item["title"] == "National Strategy for Advanced Manufacturing"
    assert item["issued"] == {"date-parts": [[2022, 10, 7]]}
    assert item["URL"] == "https://www.whitehouse.gov/ostp/strategy/"
    e = parse_bib(entry.text, "x.bib").entries[0]
    assert e.entry_type == "online" and e.get("urldate") == "2026-01-15"
    assert e.get("organization") == "The White House" and entry.key == "whitehouseNationalStrategyAdvanced2022"
    with requests.Session() as session, pytest.raises(CitekitError, match="HTTP 404"):
        resolve(services.base + "/missing", session)


def test_keys() -> None:
    item = {"author": [{"literal": "National Institute of Standards and Technology"}],
            "title": "The Zero Trust Architecture", "issued": {"date-parts": [[2020]]}}
    assert bbt_key(item) == "nistZeroTrustArchitecture2020"
    assert unique_key("k2020", {"k2020", "k2020a"}) == "k2020b"


def test_cli_add_dry_run_and_append(services: IdentifierServices, tmp_path: Path) -> None:
    lib = tmp_path / "lib.bib"
    lib.write_text("% my library\n@misc{roseZeroTrustYou2020,\n  title = {Taken},\n}\n")
    runner = CliRunner()
    r = runner.invoke(app, ["add", "10.1000/XYZ.1", "--to", str(lib), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "@article{roseZeroTrustYou2020a," in r.output and "Taken" in lib.read_text()
    assert "roseZeroTrustYou2020a" not in lib.read_text()
    r = runner.invoke(app, ["add", "10.1000/XYZ.1", "NIST AMS 600-17", "--to", str(lib)])
    assert r.exit_code == 0, r.output
    text = lib.read_text()
    assert text.startswith("% my library\n@misc{roseZeroTrustYou2020,\n  title = {Taken},\n}\n\n@article{")
    assert [e.key for e in read_library([lib]).entries] == [
        "roseZeroTrustYou2020", "roseZeroTrustYou2020a", "molnarChinasManufacturingInnovation2025"]
    r = runner.invoke(app, ["add", "10.1000/unknown", "--to", str(lib)])
    assert r.exit_code == 2 and "not registered" in r.output


class _redirecting_session(requests.Session):  # noqa: N801 (used like a function)
    """A real session whose requests to www.congress.gov go to the loopback server instead."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        url = url.replace("https://www.congress.gov", self.base)
        return super().request(method, url, *args, **kwargs)


@pytest.mark.parametrize("record", [[AMS], {"title": {"not": "text"}}, {"title": [["nested"]]}, "just text", 5])
def test_a_doi_record_of_the_wrong_shape_is_one_error(monkeypatch: pytest.MonkeyPatch, record) -> None:  # noqa: ANN001
    svc = IdentifierServices(works={"10.1000/odd": record})
    with identifier_services(svc) as s:
        monkeypatch.setenv("CITEKIT_DOI_URL", s.base)
        with requests.Session() as session, pytest.raises(CitekitError, match="10.1000/odd"):
            fetch_doi("10.1000/odd", session)
