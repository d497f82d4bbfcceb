"""Acceptance 2: the house style reproduces the article's printed list character for character."""

from __future__ import annotations

import re

from citekit.bibtex.reader import read_library
from citekit.render import format_bibliography
from tests.conftest import FIXTURES

# The article's reference list, as printed (also in ../shared/seeds/, which a user's clone lacks).
PRINTED = """\
1 United States Congress. H R 2996-Revitalize American Manufacturing and Innovation Act of 2014. (2014-09-16)[2021-03-10]. https://www.congress.gov/bill/113th-congress/house-bill/2996/text.
2 United States Congress. United States Innovation and Competition Act of 2021. (2021-01-12)[2021-07-16]. https://www.congress.gov/bill/117th-congress/senate-bill/1260.
3 United States Congress. National Science Foundation for the Future Act. (2021-01-12)[2021-07-16]. https://www.congress.gov/bill/117th-congress/house-bill/2225.
4 Executive Office of the President President's Council of Advisors on Science and Technology. Report to the President, Accelerating US Advanced Manufacturing. (2014-10-27)[2021-03-10]. https://www.manufacturingusa.com/sites/prod/files/amp20_report_final.pdf.
5 Rudnitsky R G, Molnar M F, Gayle F W. Manufacturing USA Annual Report, FY 2018. (2019-09-17)[2021-03-10]. https://www.nist.gov/publications/manufacturing-usa-annual-reportfy-2018.
6 Executive Office of the President National Science and Technology Council Advanced Manufacturing National Program Office. National Network for Manufacturing Innovation:A Preliminary Design. (2013-01-15)[2021-03-10]. https://www.manufacturingusa.com/reports/national-network-manufacturing-innovation-preliminary-design.
7 Georgia Tech Enterprise Innovation Institute (EI2). Manufacturing Incubator Feasibility. (2014-07-17)[2021-03-10]. https://www.chicago.gov/content/dam/city/depts/zlup/Planning_and_Policy/Publications/Chicago%20Industrial%20Corridors/Incubatory_Study_2014.pdf.
8 Congressional Research Service. The Manufacturing Extension Partnership Program. (2019-09-09)[2021-07-16]. https://fas.org/sgp/crs/misc/R44308.pdf.
9 NIST. MEP National Network:Meeting the Challenge. (2020-05-01)[2021-03-10]. https://www.nist.gov/system/files/documents/2020/07/08/MEPNN%20Meeting%20the%20Challenge%2052920-WEB.pdf.
10 National Science & Technology Council. Strategy for American Leadership in Advanced Manufacturing. (2018-10-18)[2021-07-16]. https://trumpwhitehouse.archives.gov/wpcontent/uploads/2018/10/Advanced-Manufacturing-Strategic-Plan-2018.pdf.
11 Manufacturing USA. Leading the Digital Revolution Transforming U.S Manufacturing. (2016-04-06)[2021-03-10]. https://www.manufacturingusa.com/sites/prod/files/DMDII_FINAL.pdf.
12 Manufacturing Skills Institute. Manufacturing Technician Level I Skill Standards. (2019-09-23)[2021-03-10]. http://manufacturingskillsinstitute.org/certifications/manufacturing-technician-level-1-skill-standards/mt1-skills-standards/.
"""


def test_as_printed_fixture_reproduces_the_article() -> None:
    items = read_library([FIXTURES / "bulletin-cas-2021-as-printed.bib"]).items()
    assert format_bibliography(items, "bulletin-cas") == PRINTED.splitlines()


def test_printed_list_matches_the_seed(shared) -> None:
    seed = (shared / "seeds" / "bulletin-cas-2021-abstract-and-references.txt").read_text(encoding="utf-8")
    lines = [ln for ln in seed.splitlines() if re.match(r"^\d+ ", ln)]
    assert lines == PRINTED.splitlines()


def test_library_in_house_style_has_no_type_codes() -> None:
    out = format_bibliography(read_library().items(), "bulletin-cas")
    assert len(out) == 14
    assert not any("[R/OL]" in line or "[A/OL]" in line for line in out)
    assert out[13] == "14 孙毅, 罗穆雄. 美国智能制造的发展及启示. 中国科学院院刊, 2021, 36(11)."
