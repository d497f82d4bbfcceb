"""Acceptance 3 and 5: the verbatim NIST cases of the style notes, with ``nist`` and ``nist-portal``.

Inputs follow the styles' documented conventions (whole series string in ``number`` for ``nist``;
the portal's series label in ``collection-title`` for ``nist-portal``).
"""

from __future__ import annotations

import pytest

from citekit.bibtex.reader import read_library
from citekit.render import format_bibliography

NIST = {"publisher": "National Institute of Standards and Technology", "publisher-place": "Gaithersburg, MD"}


def names(*pairs: str) -> list[dict]:
    out = []
    for p in pairs:
        family, _, given = p.partition(" ")
        if given.isupper() and given.isalpha():  # the notes write initials run together: "DA" = D. A.
            given = " ".join(f"{c}." for c in given)
        out.append({"family": family, "given": given})
    return out


def year(y: int, m: int | None = None, d: int | None = None) -> dict:
    return {"date-parts": [[x for x in (y, m, d) if x is not None]]}


def render(item: dict, style: str) -> str:
    item = {"id": "x", **item}
    line = format_bibliography([item], style)[0]
    return line.split("] ", 1)[1] if style.startswith("nist") and style != "nist-portal" else line


TECH_SERIES = [
    ("T-01", {"type": "report", "author": names("Ross R", "McEvilley M", "Oren J"), "issued": year(2016),
              "title": "Systems Security Engineering: Considerations for a Multidisciplinary Approach in the Engineering of Trustworthy Secure Systems",
              **NIST, "number": "NIST Special Publication (SP) 800-160, Volume 1",
              "note": "Includes updates as of March 21, 2018", "DOI": "10.6028/NIST.SP.800-160v1"},
     "Ross R, McEvilley M, Oren J (2016) Systems Security Engineering: Considerations for a Multidisciplinary Approach in the Engineering of Trustworthy Secure Systems. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Special Publication (SP) 800-160, Volume 1. Includes updates as of March 21, 2018. https://doi.org/10.6028/NIST.SP.800-160v1"),
    ("T-02", {"type": "report", "author": [{"literal": "Joint Task Force"}], "issued": year(2020),
              "title": "Security and Privacy Controls for Information Systems and Organizations", **NIST,
              "number": "NIST Special Publication (SP) 800-53, Rev. 5",
              "note": "Includes updates as of December 10, 2020", "DOI": "10.6028/NIST.SP.800-53r5"},
     "Joint Task Force (2020) Security and Privacy Controls for Information Systems and Organizations. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Special Publication (SP) 800-53, Rev. 5. Includes updates as of December 10, 2020. https://doi.org/10.6028/NIST.SP.800-53r5"),
    ("T-03", {"type": "report", "author": names("Waltermire DA", "Scarfone KA", "Casipe M"), "issued": year(2011),
              "title": "Specification for the Open Checklist Interactive Language (OCIL) Version 2.0", **NIST,
              "number": "NIST Interagency or Internal Report (IR) 7692", "DOI": "10.6028/NIST.IR.7692"},
     "Waltermire DA, Scarfone KA, Casipe M (2011) Specification for the Open Checklist Interactive Language (OCIL) Version 2.0. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Interagency or Internal Report (IR) 7692. https://doi.org/10.6028/NIST.IR.7692"),
    ("T-04", {"type": "report", "author": names("LeMay E", "Scarfone KA", "Mell PM"), "issued": year(2012),
              "title": "The Common Misuse Scoring System (CMSS): Metrics for Software Feature Misuse Vulnerabilities", **NIST,
              "number": "NIST Interagency or Internal Report (IR) 7864", "DOI": "10.6028/NIST.IR.7864"},
     "LeMay E, Scarfone KA, Mell PM (2012) The Common Misuse Scoring System (CMSS): Metrics for Software Feature Misuse Vulnerabilities. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Interagency or Internal Report (IR) 7864. https://doi.org/10.6028/NIST.IR.7864"),
    ("T-05", {"type": "report", "author": names("Black P", "Guttman B", "Okun V"), "issued": year(2021),
              "title": "Guidelines on Minimum Standards for Developer Verification of Software", **NIST,
              "number": "NIST Interagency or Internal Report (IR) 8397", "DOI": "10.6028/NIST.IR.8397"},
     "Black P, Guttman B, Okun V (2021) Guidelines on Minimum Standards for Developer Verification of Software. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Interagency or Internal Report (IR) 8397. https://doi.org/10.6028/NIST.IR.8397"),
    ("T-06", {"type": "report", "author": [{"literal": "National Institute of Standards and Technology"}], "issued": year(2018),
              "title": "Framework for Improving Critical Infrastructure Cybersecurity, Version 1.1", **NIST,
              "DOI": "10.6028/NIST.CSWP.04162018"},
     "National Institute of Standards and Technology (2018) Framework for Improving Critical Infrastructure Cybersecurity, Version 1.1. (National Institute of Standards and Technology, Gaithersburg, MD). https://doi.org/10.6028/NIST.CSWP.04162018"),
    ("T-07", {"type": "webpage", "author": names("Ogata M", "Haney J", "Merkel W", "Phelps A"), "issued": year(2022),
              "title": "Recommended Criteria for Cybersecurity Labeling of Consumer Software", **NIST,
              "URL": "https://www.nist.gov/itl/executive-order-improving-nations-cybersecurity"},
     "Ogata M, Haney J, Merkel W, Phelps A (2022) Recommended Criteria for Cybersecurity Labeling of Consumer Software. (National Institute of Standards and Technology, Gaithersburg, MD). Available at https://www.nist.gov/itl/executive-order-improving-nations-cybersecurity"),
    ("T-08", {"type": "webpage", "author": [{"literal": "Microsoft"}], "issued": year(2021),
              "title": "Security Development Lifecycle", "URL": "https://www.microsoft.com/en-us/securityengineering/sdl/"},
     "Microsoft (2021) Security Development Lifecycle. Available at https://www.microsoft.com/en-us/securityengineering/sdl/"),
    ("T-09", {"type": "regulation", "genre": "Executive Order 14028", "title": "Improving the Nation’s Cybersecurity",
              "publisher": "The White House", "publisher-place": "Washington, DC", "number": "DCPD-202100401",
              "issued": year(2021, 5, 12), "URL": "https://www.govinfo.gov/app/details/DCPD-202100401"},
     "Executive Order 14028 (2021) Improving the Nation’s Cybersecurity. (The White House, Washington, DC), DCPD-202100401, May 12, 2021. https://www.govinfo.gov/app/details/DCPD-202100401"),
    ("T-10", {"type": "legislation", "title": "Federal Information Security Modernization Act", "number": "P.L. 113-283",
              "issued": year(2014, 12), "URL": "https://www.govinfo.gov/app/details/PLAW-113publ283"},
     "Federal Information Security Modernization Act (P.L. 113-283), December 2014. Available at https://www.govinfo.gov/app/details/PLAW-113publ283"),
    ("T-11", {"type": "standard", "author": [{"literal": "International Electrotechnical Commission (IEC)"}],
              "title": "Security for industrial automation and control systems – Part 4-1: Secure product development lifecycle requirements",
              "number": "IEC 62443-4-1", "issued": year(2018), "URL": "https://webstore.iec.ch/publication/33615"},
     "International Electrotechnical Commission (IEC), Security for industrial automation and control systems – Part 4-1: Secure product development lifecycle requirements, IEC 62443-4-1, 2018. Available at https://webstore.iec.ch/publication/33615"),
    ("T-12", {"type": "report", "author": [{"literal": "National Institute of Standards and Technology"}], "issued": year(2001),
              "title": "Advanced Encryption Standard (AES)", "publisher": "U.S. Department of Commerce",
              "publisher-place": "Washington, D.C.", "number": "Federal Information Processing Standards Publication (FIPS) 197",
              "DOI": "10.6028/NIST.FIPS.197"},
     "National Institute of Standards and Technology (2001) Advanced Encryption Standard (AES). (U.S. Department of Commerce, Washington, D.C.), Federal Information Processing Standards Publication (FIPS) 197. https://doi.org/10.6028/NIST.FIPS.197"),
    ("SP 800-57pt1r6 ipd", {"type": "report", "author": names("Barker E", "Barker W"), "issued": year(2025),
                            "title": "Recommendation for Key Management: Part 1 — General", **NIST,
                            "number": "NIST Special Publication (SP) NIST SP 800-57pt1r6 ipd",
                            "DOI": "10.6028/NIST.SP.800-57pt1r6.ipd"},
     "Barker E, Barker W (2025) Recommendation for Key Management: Part 1 — General. (National Institute of Standards and Technology, Gaithersburg, MD), NIST Special Publication (SP) NIST SP 800-57pt1r6 ipd. https://doi.org/10.6028/NIST.SP.800-57pt1r6.ipd"),
    ("T-14", {"type": "article-journal", "author": names("Langlois A", "Stehlé D"), "issued": year(2015),
              "title": "Worst-case to average-case reductions for module lattices", "container-title": "Designs, Codes and Cryptography",
              "volume": "75", "issue": "3", "page": "565-599", "DOI": "10.1007/s10623-014-9938-4"},
     "Langlois A, Stehlé D (2015) Worst-case to average-case reductions for module lattices. Designs, Codes and Cryptography 75(3):565–599. https://doi.org/10.1007/s10623-014-9938-4"),
    ("T-15", {"type": "article-journal", "author": names("Bruinderink LG", "Pessl P"), "issued": year(2018),
              "title": "Differential fault attacks on deterministic lattice signatures",
              "container-title": "IACR Transactions on Cryptographic Hardware and Embedded Systems", "issue": "3",
              "page": "21-43", "DOI": "10.13154/tches.v2018.i3.21-43"},
     "Bruinderink LG, Pessl P (2018) Differential fault attacks on deterministic lattice signatures. IACR Transactions on Cryptographic Hardware and Embedded Systems (3):21–43. https://doi.org/10.13154/tches.v2018.i3.21-43"),
]


@pytest.mark.parametrize(("case", "item", "expected"), TECH_SERIES, ids=[c[0] for c in TECH_SERIES])
def test_tech_series_verbatim(case: str, item: dict, expected: str) -> None:
    assert render(item, "nist") == expected


# FIPS 204's reference list: a comma after a report's title and a final period (style nist-fips).
FIPS_204 = [
    ("T-13", {"type": "report", "author": [{"literal": "National Institute of Standards and Technology"}], "issued": year(2023),
              "title": "Digital signature standard (DSS)", "publisher": "U.S. Department of Commerce",
              "publisher-place": "Washington, DC", "number": "Federal Information Processing Standards Publication (FIPS) 186-5",
              "DOI": "10.6028/NIST.FIPS.186-5"},
     "National Institute of Standards and Technology (2023) Digital signature standard (DSS), (U.S. Department of Commerce, Washington, DC), Federal Information Processing Standards Publication (FIPS) 186-5. https://doi.org/10.6028/NIST.FIPS.186-5."),
    ("T-14", TECH_SERIES[-2][1], TECH_SERIES[-2][2] + "."),
    ("T-15", TECH_SERIES[-1][1], TECH_SERIES[-1][2] + "."),
]


@pytest.mark.parametrize(("case", "item", "expected"), FIPS_204, ids=[c[0] for c in FIPS_204])
def test_fips_204_variant_verbatim(case: str, item: dict, expected: str) -> None:
    assert render(item, "nist-fips") == expected


def portal(series: str, people: list[str], y: int, title: str, doi: str | None, accessed: tuple | None = None,
           url: str | None = None) -> dict:
    item = {"type": "report", "author": names(*people), "issued": year(y), "title": title,
            "collection-title": series, **NIST}
    if doi:
        item["DOI"] = doi
    if url:
        item["URL"] = url
    if accessed:
        item["accessed"] = year(*accessed)
    return item


PORTAL = [
    ("P-02", portal("NIST Interagency/Internal Report (NISTIR)", ["Grother Patrick", "Ngan Mei", "Hanaoka Kayee"], 2019,
                    "Face Recognition Vendor Test Part 3: Demographic Effects", "10.6028/NIST.IR.8280", (2025, 10, 2)),
     "Grother, P. , Ngan, M. and Hanaoka, K. (2019), Face Recognition Vendor Test Part 3: Demographic Effects, NIST Interagency/Internal Report (NISTIR), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.IR.8280 (Accessed October 2, 2025)"),
    ("P-03", portal("Grant/Contract Reports (NISTGCR)", ["McGinnis L."], 2019,
                    "Formalizing ISA-95 Level 3 Control with Smart Manufacturing System Models", "10.6028/NIST.GCR.19-022", (2026, 1, 1)),
     "McGinnis, L. (2019), Formalizing ISA-95 Level 3 Control with Smart Manufacturing System Models, Grant/Contract Reports (NISTGCR), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.GCR.19-022 (Accessed January 1, 2026)"),
    ("P-04", portal("Special Publication (NIST SP)", ["Schwartz R.", "Vassilev A.", "Greene K.", "Perine L.", "Burt A.", "Hall P."], 2022,
                    "Towards a Standard for Identifying and Managing Bias in Artificial Intelligence", "10.6028/NIST.SP.1270"),
     "Schwartz, R. , Vassilev, A. , Greene, K. , Perine, L. , Burt, A. and Hall, P. (2022), Towards a Standard for Identifying and Managing Bias in Artificial Intelligence, Special Publication (NIST SP), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.SP.1270"),
    ("P-05", portal("Technical Note (NIST TN)", ["Burgess Donald R.", "Hamins A."], 2023,
                    "Heats of Combustion and Related Properties of Pure Substances", "10.6028/NIST.TN.2126"),
     "Burgess, D. and Hamins, A. (2023), Heats of Combustion and Related Properties of Pure Substances, Technical Note (NIST TN), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.TN.2126"),
    ("P-06", portal("Federal Inf. Process. Stds. (NIST FIPS)", ["Dang Q."], 2015, "Secure Hash Standard",
                    "10.6028/NIST.FIPS.180-4", (2021, 4, 23)),
     "Dang, Q. (2015), Secure Hash Standard, Federal Inf. Process. Stds. (NIST FIPS), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.FIPS.180-4 (Accessed April 23, 2021)"),
    ("P-08", portal("NIST Interagency/Internal Report (NISTIR)", ["Black P."], 2020,
                    "DADS: The On-Line Dictionary of Algorithms and Data Structures", "10.6028/NIST.IR.8318", (2025, 12, 16)),
     "Black, P. (2020), DADS: The On-Line Dictionary of Algorithms and Data Structures, NIST Interagency/Internal Report (NISTIR), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.IR.8318 (Accessed December 16, 2025)"),
    ("P-09", portal("Special Publication (NIST SP)", ["Bassham L.", "Rukhin A.", "Soto J.", "Nechvatal J.", "Smid M.", "Leigh S.",
                                                     "Levenson M.", "Vangel M.", "Heckert N.", "Banks D."], 2010,
                    "A Statistical Test Suite for Random and Pseudorandom Number Generators for Cryptographic Applications", None,
                    url="https://tsapps.nist.gov/publication/get_pdf.cfm?pub_id=906762"),
     "Bassham, L. , Rukhin, A. , Soto, J. , Nechvatal, J. , Smid, M. , Leigh, S. , Levenson, M. , Vangel, M. , Heckert, N. and Banks, D. (2010), A Statistical Test Suite for Random and Pseudorandom Number Generators for Cryptographic Applications, Special Publication (NIST SP), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://tsapps.nist.gov/publication/get_pdf.cfm?pub_id=906762"),
]


@pytest.mark.parametrize(("case", "item", "expected"), PORTAL, ids=[c[0] for c in PORTAL])
def test_portal_verbatim(case: str, item: dict, expected: str) -> None:
    assert render(item, "nist-portal") == expected


# Acceptance 3: the NIST page's own citation of NIST AMS 600-17 from the bundled library entry.
AMS_600_17 = "Molnar, M. , Rogers, K. , Gayle, F. , Ipri-Brown, S. , Tran, M. , Long, J. , Ray, C. , Shih, A. and Thomas, D. (2025), China's Manufacturing Innovation Centers: A Benchmarking Report for the Manufacturing USA Network, Advanced Manufacturing Series (NIST AMS), National Institute of Standards and Technology, Gaithersburg, MD, [online], https://doi.org/10.6028/NIST.AMS.600-17, https://tsapps.nist.gov/publication/get_pdf.cfm?pub_id=959925 (Accessed May 7, 2025)"


def test_portal_reproduces_the_nist_page_from_the_library() -> None:
    items = read_library().items(["molnar2025china"])
    assert format_bibliography(items, "nist-portal") == [AMS_600_17]


def test_portal_citation_matches_the_seed_page(shared) -> None:
    page = (shared / "seeds" / "nist-ams-600-17-publication-page.txt").read_text(encoding="utf-8")
    assert AMS_600_17 in page


def test_first_initial_only_extension() -> None:
    item = portal("Special Publication (NIST SP)", ["Lemmon Eric W."], 2018, "T", "10.1/x")
    assert render(item, "nist-portal").startswith("Lemmon, E. (2018), T,")
