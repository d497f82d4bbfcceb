"""Acceptance 3 and 5: the verbatim NIST cases of the style notes, with ``nist``, ``nist-fips`` and ``nist-portal``.

Inputs follow the styles' documented conventions (the comment at the top of ``styles/nist.csl``):

- ``report``: the whole series string in ``number`` ("NIST Special Publication (SP) 800-53, Rev. 5"); the portal's
  series label in ``collection-title`` for ``nist-portal``.
- ``legislation``/``bill`` cited by public-law (or bill) number: ``title``, ``number`` ("P.L. 113-283"), ``issued``
  (year-month), ``URL``.
- ``legislation``, a code section: ``title`` (heading), ``container-title`` ("U.S. Code"), ``volume`` (the code's
  title, "44"), ``section``, ``issued`` (edition year), ``URL``; chosen when there is no ``number``.
- ``regulation``, an executive order: ``genre`` ("Executive Order 14028"), ``title``, ``publisher``,
  ``publisher-place``, ``number`` (DCPD number), ``issued`` (full date), ``URL``.
- ``regulation``, a Federal Register document: ``title``, ``container-title`` ("Federal Register"), ``volume``,
  ``page`` (range), ``issued`` (full date), ``URL``.
- ``paper-conference``: ``container-title``, ``collection-title`` (series), ``volume`` or else ``collection-number``
  (printed "Vol. N" after the publisher), ``editor``, ``publisher``, ``publisher-place``, ``page``, ``DOI``.
- ``dataset``: ``author``, ``issued``, ``title``, ``publisher``, ``publisher-place``, ``DOI``/``URL``.

Case ids: a note's id (T-nn, P-nn) or a plain name is a verbatim NIST string quoted in the notes (an oracle);
an id starting ``C:`` is constructed from the notes' rules (or, where marked, from a form NIST prints in
SP 800-53r5) and checks the style against those rules only.
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


GOV = "https://www.govinfo.gov/app/details/"
LNCS = "Lecture Notes in Computer Science"

# Laws, codes and the Federal Register (notes 2.B.14; T-09 and T-10 above are the verbatim oracles).
LEGAL = [
    ("C: bill, the P.L. form (2.B.14) by analogy",
     {"type": "bill", "title": "Internet of Things Cybersecurity Improvement Act of 2019", "number": "H.R. 1668",
      "issued": year(2019, 3), "URL": "https://www.congress.gov/bill/116th-congress/house-bill/1668"},
     "Internet of Things Cybersecurity Improvement Act of 2019 (H.R. 1668), March 2019. Available at https://www.congress.gov/bill/116th-congress/house-bill/1668"),
    ("C: public law without URL (2.B.14)",
     {"type": "legislation", "title": "USA Patriot Act", "number": "P.L. 107-56", "issued": year(2001, 10)},
     "USA Patriot Act (P.L. 107-56), October 2001"),
    ("C: U.S. Code section, SP 800-53r5 form with the 2.B.16 link",
     {"type": "legislation", "title": "Definitions", "container-title": "U.S. Code", "volume": "44", "section": "3502",
      "issued": year(2011), "URL": GOV + "USCODE-2011-title44/USCODE-2011-title44-chap35-subchapI-sec3502"},
     "“Definitions,” Title 44 U.S. Code, Sec. 3502. 2011 ed. Available at " + GOV + "USCODE-2011-title44/USCODE-2011-title44-chap35-subchapI-sec3502"),
    ("C: U.S. Code section without heading or URL",
     {"type": "legislation", "container-title": "U.S. Code", "volume": "40", "section": "11101", "issued": year(2018)},
     "Title 40 U.S. Code, Sec. 11101. 2018 ed."),
    ("C: Federal Register, SP 800-53r5 form with en dash (2.B.8) and the 2.B.16 link",
     {"type": "regulation", "title": "Federal Acquisition Supply Chain Security Act; Rule",
      "container-title": "Federal Register", "volume": "85", "page": "54263-54271", "issued": year(2020, 9, 1),
      "URL": "https://www.federalregister.gov/d/2020-18939"},
     "“Federal Acquisition Supply Chain Security Act; Rule,” 85 Federal Register 54263 (September 1, 2020), pp 54263–54271. Available at https://www.federalregister.gov/d/2020-18939"),
    ("C: executive order with a DOI-less govinfo URL printed bare (T-09 pattern)",
     {"type": "regulation", "genre": "Executive Order 13526", "title": "Classified National Security Information",
      "publisher": "The White House", "publisher-place": "Washington, DC", "number": "DCPD-200901022",
      "issued": year(2009, 12, 29), "URL": GOV + "DCPD-200901022"},
     "Executive Order 13526 (2009) Classified National Security Information. (The White House, Washington, DC), DCPD-200901022, December 29, 2009. " + GOV + "DCPD-200901022"),
]

# Conference papers (notes 2.B.11: "Title. Container, ed(s) Editors (Publisher, Place), pp a–b. link"); the
# series follows the container, the volume follows the publisher as in NIST's own CSL.
PROCEEDINGS = [
    ("C: paper, series and volume, one editor (2.B.11)",
     {"type": "paper-conference", "author": names("Lyubashevsky V"), "issued": year(2009),
      "title": "Fiat-Shamir with aborts: Applications to lattice and factoring-based signatures",
      "container-title": "Advances in cryptology – ASIACRYPT 2009", "collection-title": LNCS, "volume": "5912",
      "editor": names("Matsui M"), "publisher": "Springer", "publisher-place": "Berlin, Heidelberg",
      "page": "598-616", "DOI": "10.1007/978-3-642-10366-7_35"},
     "Lyubashevsky V (2009) Fiat-Shamir with aborts: Applications to lattice and factoring-based signatures. Advances in Cryptology – ASIACRYPT 2009, Lecture Notes in Computer Science, ed Matsui M (Springer, Berlin, Heidelberg), Vol. 5912, pp 598–616. https://doi.org/10.1007/978-3-642-10366-7_35"),
    ("C: paper, series number as the volume, two editors (2.B.5, 2.B.11)",
     {"type": "paper-conference", "author": names("Kiltz E", "Lyubashevsky V", "Schaffner C"), "issued": year(2018),
      "title": "A concrete treatment of Fiat-Shamir signatures in the quantum random-oracle model",
      "container-title": "Advances in Cryptology – EUROCRYPT 2018", "collection-title": LNCS,
      "collection-number": "10822", "editor": names("Nielsen JB", "Rijmen V"), "publisher": "Springer",
      "publisher-place": "Cham", "page": "552-586", "DOI": "10.1007/978-3-319-78372-7_18"},
     "Kiltz E, Lyubashevsky V, Schaffner C (2018) A concrete treatment of Fiat-Shamir signatures in the quantum random-oracle model. Advances in Cryptology – EUROCRYPT 2018, Lecture Notes in Computer Science, eds Nielsen JB, Rijmen V (Springer, Cham), Vol. 10822, pp 552–586. https://doi.org/10.1007/978-3-319-78372-7_18"),
    ("C: paper, series number and volume both given",
     {"type": "paper-conference", "author": names("Doe J"), "issued": year(2020), "title": "A paper",
      "container-title": "Proceedings of a Meeting", "collection-title": "A Series", "collection-number": "12",
      "volume": "3", "publisher": "A Press", "publisher-place": "Boulder, CO", "page": "1-9"},
     "Doe J (2020) A paper. Proceedings of a Meeting, A Series 12 (A Press, Boulder, CO), Vol. 3, pp 1–9"),
    ("C: paper without editors or publisher, URL link (2.B.11, 2.B.16)",
     {"type": "paper-conference", "author": names("Doe J"), "issued": year(2021), "title": "A paper",
      "container-title": "Proceedings of a Meeting", "page": "10-12", "URL": "https://example.org/p"},
     "Doe J (2021) A paper. Proceedings of a Meeting, pp 10–12. Available at https://example.org/p"),
]

# Datasets: the publisher's parenthesis with no period after it (notes 2.D).
NIST_METADATA = {"type": "dataset", "author": [{"literal": "NIST Research Library"}], "issued": year(2024),
                 "title": "NIST Technical Series Publication Metadata", **NIST, "DOI": "10.18434/M32192"}
DATASETS = [
    ("NIST-Tech-Pubs metadata (notes 1, Evidence)", NIST_METADATA,
     "NIST Research Library (2024) NIST Technical Series Publication Metadata. (National Institute of Standards and Technology, Gaithersburg, MD) https://doi.org/10.18434/M32192"),
    ("C: dataset with a URL (2.D, 2.B.16)",
     {**{k: v for k, v in NIST_METADATA.items() if k != "DOI"}, "URL": "https://github.com/usnistgov/NIST-Tech-Pubs"},
     "NIST Research Library (2024) NIST Technical Series Publication Metadata. (National Institute of Standards and Technology, Gaithersburg, MD) Available at https://github.com/usnistgov/NIST-Tech-Pubs"),
    ("C: dataset without publisher (2.B.16)",
     {"type": "dataset", "author": names("Doe J"), "issued": year(2022), "title": "Some data", "DOI": "10.1/d"},
     "Doe J (2022) Some data. https://doi.org/10.1/d"),
]

NEW_FORMS = LEGAL + PROCEEDINGS + DATASETS


@pytest.mark.parametrize(("case", "item", "expected"), NEW_FORMS, ids=[c[0] for c in NEW_FORMS])
def test_laws_proceedings_datasets(case: str, item: dict, expected: str) -> None:
    assert render(item, "nist") == expected


# nist-fips differs from nist only in a report's punctuation and the final period (notes 2.B.17).
NOT_REPORTS = [c for c in TECH_SERIES + NEW_FORMS if c[1]["type"] != "report"]


@pytest.mark.parametrize(("case", "item", "expected"), NOT_REPORTS, ids=["C: fips. " + c[0] for c in NOT_REPORTS])
def test_fips_variant_adds_the_final_period(case: str, item: dict, expected: str) -> None:
    assert render(item, "nist-fips") == expected + ("" if expected.endswith(".") else ".")


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


def test_proceedings_title_is_italic_in_html() -> None:
    line = format_bibliography([{"id": "x", **PROCEEDINGS[0][1]}], "nist", "html")[0]
    assert "<i>Advances in Cryptology – ASIACRYPT 2009</i>, Lecture Notes in Computer Science, ed Matsui M" in line
