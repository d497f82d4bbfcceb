"""Golden tests for citekit's GB/T 7714 styles (styles/gb-t-7714-*.csl).

Expected strings are the standard's own examples (GB/T 7714-2015, clause and example number in
each test's name) or, for 2025, the same examples rewritten by the 2025 rules in
../shared/notes/gbt7714.md (surnames as written, full-width "，：（）", no access date on reports,
[EB/OL] for bills, [PP] preprints, standards opening with their number).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from lxml import etree

from citekit.render import format_bibliography, format_citation

ROOT = Path(__file__).resolve().parents[1]
STYLES = ["gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date",
          "gb-t-7714-2025-numeric", "gb-t-7714-2025-author-date"]
CSL = "{http://purl.org/net/xbiblio/csl}"


def one(item: dict, style: str) -> str:
    [entry] = format_bibliography([item], style)
    return entry


def date(*parts: int) -> dict:
    return {"date-parts": [list(parts)]}


# --- inputs: the standard's examples as CSL-JSON ------------------------------------------------

BOOK_ZH = {"id": "4.1.2-1", "type": "book", "language": "zh-CN", "author": [{"family": "陈", "given": "登原"}],
           "title": "国史旧闻", "volume": "第 1 卷", "publisher-place": "北京", "publisher": "中华书局",
           "issued": date(2000), "note": "page: 29"}
BOOK_TRANSLATED = {"id": "4.1.2-2", "type": "book", "language": "zh-CN", "author": [{"literal": "哈里森·沃尔德伦"}],
                   "title": "经济数学与金融数学", "translator": [{"family": "谢", "given": "远涛"}],
                   "publisher-place": "北京", "publisher": "中国人民大学出版社", "issued": date(2012),
                   "page": "235-236"}
BOOK_EDITION_EN = {"id": "A.1-14", "type": "book", "language": "en-US", "author": [{"family": "O’Brien", "given": "J A"}],
                   "title": "Introduction to information systems", "edition": "7", "publisher-place": "Burr Ridge, III",
                   "publisher": "Irwin", "issued": date(1994)}
BOOK_EDITION_ZH = {"id": "A.1-10", "type": "book", "language": "zh-CN", "author": [{"literal": "库恩"}],
                   "title": "科学革命的结构: 第 4 版", "translator": [{"family": "金", "given": "吾伦"},
                                                                  {"family": "胡", "given": "新和"}],
                   "edition": "2", "publisher-place": "北京", "publisher": "北京大学出版社", "issued": date(2012)}
CHAPTER_ZH_5_AUTHORS = {
    "id": "4.2.2-3", "type": "chapter", "language": "zh-CN",
    "author": [{"family": f, "given": g} for f, g in
               (("陈", "晋镳"), ("张", "惠民"), ("朱", "士兴"), ("赵", "震"), ("王", "振刚"))],
    "title": "蓟县震旦亚界研究", "editor": [{"literal": "中国地质科学院天津地质矿产研究所"}],
    "container-title": "中国震旦亚界", "publisher-place": "天津", "publisher": "天津科学技术出版社",
    "issued": date(1980), "page": "56-114"}
JOURNAL_ZH = {"id": "A.8-2", "type": "article-journal", "language": "zh-CN", "author": [{"family": "李", "given": "炳穆"}],
              "title": "韩国图书馆法", "container-title": "图书情报工作", "volume": "52", "issue": "6",
              "page": "6-21", "issued": date(2008)}
JOURNAL_NO_VOLUME = {"id": "A.8-1", "type": "article-journal", "language": "zh-CN",
                     "author": [{"family": "杨", "given": "洪升"}], "title": "四库馆私家抄校书考略",
                     "container-title": "文献", "issue": "1", "page": "56-75", "issued": date(2013)}
JOURNAL_EN_4_AUTHORS = {
    "id": "4.4.2-9", "type": "article-journal", "language": "en-US",
    "author": [{"family": "Myburg", "given": "Alexander A."}, {"family": "Grattapaglia", "given": "Dario"},
               {"family": "Tuskan", "given": "Gerald A."}, {"family": "Hellsten", "given": "Uffe"}],
    "title": "The genome of eucalyptus grandis", "container-title": "Nature", "volume": "510",
    "page": "356-362", "issued": date(2014, 6, 19), "accessed": date(2014, 6, 25),
    "URL": "http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf", "DOI": "10.1038/nature13308"}
REPORT_WITH_PUBLISHER = {
    "id": "A.3-4", "type": "report", "language": "en-US",
    "author": [{"literal": "U.S. Department of Transportation Federal Highway Administration"}],
    "title": "Guidelines for handling excavated acid-producing material", "number": "PB 91-194001",
    "publisher-place": "Springfield", "publisher": "U.S. Department of Commerce National Information Service",
    "issued": date(1990)}
REPORT_ONLINE = {"id": "A.3-1", "type": "report", "language": "zh-CN",
                 "author": [{"literal": "中华人民共和国国务院新闻办公室"}], "title": "国防白皮书: 中国武装力量的多样化运用",
                 "issued": date(2013, 4, 16), "accessed": date(2014, 6, 11),
                 "URL": "http://www.mod.gov.cn/affair/2013-04/16/content_4442839.htm"}
REPORT_PRINT_NO_PUBLISHER = {
    "id": "A.3-3", "type": "report", "language": "en-US",
    "author": [{"family": "Calkin", "given": "D"}, {"family": "Ager", "given": "A"}, {"family": "Thompson", "given": "M"}],
    "title": "A comparative risk assessment framework for wildland fire management: "
             "the 2010 cohesive strategy science report",
    "number": "RMRS-GTR-262", "page": "8-9", "issued": date(2011)}
# 4.6.2 [2] gives the pattern for official documents online: "…: 京政办发[2005]37号[A/OL]".
BILL = {"id": "hr2996", "type": "bill", "language": "en-US", "author": [{"literal": "United States Congress"}],
        "title": "Revitalize American Manufacturing and Innovation Act of 2014", "number": "H.R. 2996",
        "issued": date(2014, 9, 16), "accessed": date(2021, 3, 10),
        "URL": "https://www.congress.gov/bill/113th-congress/house-bill/2996/text"}
WEBPAGE = {"id": "4.6.2-3", "type": "webpage", "language": "en-US", "author": [{"family": "Bawden", "given": "D"}],
           "title": "Origins and concepts of digital literacy", "issued": date(2008, 5, 4), "accessed": date(2013, 3, 8),
           "URL": "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf"}
WEBPAGE_CORPORATE = {"id": "4.6.2-4", "type": "webpage", "language": "en-US",
                     "author": [{"literal": "Online Computer Library Center, Inc"}],
                     "title": "About OCLC: History of cooperation", "accessed": date(2012, 3, 27),
                     "URL": "http://www.oclc.org/about/cooperation.en.html"}
PATENT = {"id": "4.5.2-1", "type": "patent", "language": "zh-CN", "author": [{"family": "邓", "given": "一刚"}],
          "title": "全智能节电器", "number": "200610171314.3", "issued": date(2006, 12, 13)}
STANDARD = {"id": "4.1.2-4", "type": "standard", "language": "zh-CN",
            "author": [{"literal": "全国信息与文献标准化技术委员会"}], "title": "信息与文献 都柏林核心元数据元素集",
            "number": "GB/T 25100—2010", "publisher-place": "北京", "publisher": "中国标准出版社",
            "issued": date(2010), "page": "2-3"}
PREPRINT = {"id": "pp", "type": "article", "language": "en-US",
            "author": [{"family": "Jenkins", "given": "Stewart D."}, {"family": "Ruostekoski", "given": "Janne"}],
            "title": "Controlled manipulation of light by cooperative response of atoms in an optical lattice",
            "version": "V2", "publisher": "arXiv", "issued": date(2012, 3, 18), "accessed": date(2020, 6, 24),
            "URL": "https://doi.org/10.48550/arXiv.1112.6136"}


# --- the style files ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", STYLES)
def test_style_file_has_per_language_layouts(name):
    root = etree.parse(str(ROOT / "styles" / f"{name}.csl")).getroot()
    assert root.get("default-locale") == "zh-CN"
    # numeric citations are bare numbers: one layout is enough there
    sections = ("citation", "bibliography") if "author-date" in name else ("bibliography",)
    for section in sections:
        layouts = root.find(CSL + section).findall(CSL + "layout")
        assert [lay.get("locale") for lay in layouts] == ["en", None]
    terms = {t.get("name"): t.text for t in root.iter(CSL + "term")}
    assert terms["citation-range-delimiter"] == "-"
    assert terms["page-range-delimiter"] == "-"


# --- GB/T 7714-2015 numeric -------------------------------------------------------------------------

N15 = "gb-t-7714-2015-numeric"


def test_2015_book_M_with_volume_and_page_from_note():  # 4.1.2 [1]
    assert one(BOOK_ZH, N15) == "[1] 陈登原. 国史旧闻: 第 1 卷[M]. 北京: 中华书局, 2000: 29."


def test_2015_translator():  # 4.1.2 [2]
    assert one(BOOK_TRANSLATED, N15) == ("[1] 哈里森·沃尔德伦. 经济数学与金融数学[M]. 谢远涛, 译. "
                                         "北京: 中国人民大学出版社, 2012: 235-236.")


def test_2015_editions_english_ordinal_and_chinese_ban():  # A.1 [14], A.1 [10]
    assert one(BOOK_EDITION_EN, N15) == ("[1] O’BRIEN J A. Introduction to information systems[M]. 7th ed. "
                                         "Burr Ridge, III: Irwin, 1994.")
    assert one(BOOK_EDITION_ZH, N15) == ("[1] 库恩. 科学革命的结构: 第 4 版[M]. 金吾伦, 胡新和, 译. 2 版. "
                                         "北京: 北京大学出版社, 2012.")


def test_2015_chinese_more_than_three_authors_deng_and_part_of_book():  # 4.2.2 [3]
    assert one(CHAPTER_ZH_5_AUTHORS, N15) == (
        "[1] 陈晋镳, 张惠民, 朱士兴, 等. 蓟县震旦亚界研究[M]//中国地质科学院天津地质矿产研究所. 中国震旦亚界. "
        "天津: 天津科学技术出版社, 1980: 56-114.")


def test_2015_journal_J_without_url():  # A.8 [2], A.8 [1]
    assert one(JOURNAL_ZH, N15) == "[1] 李炳穆. 韩国图书馆法[J]. 图书情报工作, 2008, 52(6): 6-21."
    assert one(JOURNAL_NO_VOLUME, N15) == "[1] 杨洪升. 四库馆私家抄校书考略[J]. 文献, 2013(1): 56-75."


def test_2015_english_more_than_three_authors_et_al_online_journal():  # 4.4.2 [9]
    assert one(JOURNAL_EN_4_AUTHORS, N15) == (
        "[1] MYBURG A A, GRATTAPAGLIA D, TUSKAN G A, et al. The genome of eucalyptus grandis[J/OL]. "
        "Nature, 2014, 510: 356-362[2014-06-25]. http://www.nature.com/nature/journal/v510/n7505/pdf/"
        "nature13308.pdf. DOI:10.1038/nature13308.")


def test_2015_report_with_publisher_number_as_other_title_info_corporate_not_uppercased():  # A.3 [4]
    assert one(REPORT_WITH_PUBLISHER, N15) == (
        "[1] U.S. Department of Transportation Federal Highway Administration. Guidelines for handling "
        "excavated acid-producing material: PB 91-194001[R]. Springfield: U.S. Department of Commerce "
        "National Information Service, 1990.")


def test_2015_online_report_without_publisher():  # A.3 [1]
    assert one(REPORT_ONLINE, N15) == (
        "[1] 中华人民共和国国务院新闻办公室. 国防白皮书: 中国武装力量的多样化运用[R/OL]. (2013-04-16)[2014-06-11]. "
        "http://www.mod.gov.cn/affair/2013-04/16/content_4442839.htm.")


def test_2015_print_report_without_place_or_publisher():  # A.3 [3]
    assert one(REPORT_PRINT_NO_PUBLISHER, N15) == (
        "[1] CALKIN D, AGER A, THOMPSON M. A comparative risk assessment framework for wildland fire "
        "management: the 2010 cohesive strategy science report: RMRS-GTR-262[R]. [S.l.: S.n.], 2011: 8-9.")


def test_2015_bill_is_A_OL_with_bill_number():  # pattern of 4.6.2 [2]
    assert one(BILL, N15) == (
        "[1] United States Congress. Revitalize American Manufacturing and Innovation Act of 2014: "
        "H.R. 2996[A/OL]. (2014-09-16)[2021-03-10]. https://www.congress.gov/bill/113th-congress/house-bill/2996/text.")


def test_2015_webpages_EB_OL():  # 4.6.2 [3], [4]
    assert one(WEBPAGE, N15) == (
        "[1] BAWDEN D. Origins and concepts of digital literacy[EB/OL]. (2008-05-04)[2013-03-08]. "
        "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf.")
    assert one(WEBPAGE_CORPORATE, N15) == (
        "[1] Online Computer Library Center, Inc. About OCLC: History of cooperation[EB/OL]. [2012-03-27]. "
        "http://www.oclc.org/about/cooperation.en.html.")


def test_2015_webpage_ignores_the_website_name():  # 4.6: no host slot for web pages
    page = dict(WEBPAGE, **{"container-title": "City University London"})
    assert one(page, N15) == one(WEBPAGE, N15)
    assert one(page, N25) == one(WEBPAGE, N25)


def test_2015_patent_and_standard():  # 4.5.2 [1], 4.1.2 [4]
    assert one(PATENT, N15) == "[1] 邓一刚. 全智能节电器: 200610171314.3[P]. 2006-12-13."
    assert one(STANDARD, N15) == ("[1] 全国信息与文献标准化技术委员会. 信息与文献 都柏林核心元数据元素集: "
                                  "GB/T 25100—2010[S]. 北京: 中国标准出版社, 2010: 2-3.")


def test_2015_numbers_follow_input_order():
    entries = format_bibliography([BOOK_ZH, WEBPAGE, PATENT], N15)
    assert [e.split(" ", 1)[0] for e in entries] == ["[1]", "[2]", "[3]"]


def test_2015_numeric_citations_join_even_two_consecutive_numbers():  # 10.1.2
    items = [BOOK_ZH, BOOK_TRANSLATED, CHAPTER_ZH_5_AUTHORS, JOURNAL_ZH, PATENT]
    keys = [i["id"] for i in items]
    assert format_citation(items, [(keys[0], None), (keys[1], None)], N15) == "[1-2]"
    assert format_citation(items, [(k, None) for k in (keys[0], keys[1], keys[2], keys[4])], N15) == "[1-3,5]"
    assert format_citation(items, [(keys[1], "260")], N15) == "[2]260"


# --- GB/T 7714-2015 author-date ---------------------------------------------------------------------

A15 = "gb-t-7714-2015-author-date"
KENNEDY_A = {"id": "10.2.3-2a", "type": "article-journal", "language": "en-US",
             "author": [{"family": "Kennedy", "given": "W L"}, {"family": "Garrison", "given": "R E"}],
             "title": "Morphology and genesis of nodular chalks and hardgrounds in the Upper Cretaceous of southern England",
             "container-title": "Sedimentology", "volume": "22", "page": "311", "issued": date(1975)}
KENNEDY_B = {"id": "10.2.3-2b", "type": "article-journal", "language": "en-US",
             "author": [{"family": "Kennedy", "given": "W L"}, {"family": "Garrison", "given": "R E"}],
             "title": "Morphology and genesis of nodular phosphates in the cenomanian of South-east England",
             "container-title": "Lethaia", "volume": "8", "page": "339", "issued": date(1975)}
CRANE = {"id": "10.2.1-1", "type": "book", "language": "en-US", "author": [{"family": "Crane", "given": "Diana"}],
         "title": "Invisible college", "publisher-place": "Chicago", "publisher": "Univ. of Chicago Press",
         "issued": date(1972)}
WANG_BING = {"id": "9.1-4", "type": "book", "language": "zh-CN", "author": [{"family": "汪", "given": "冰"}],
             "title": "电子图书馆理论与实践研究", "publisher-place": "北京", "publisher": "北京图书馆出版社",
             "issued": date(1997), "note": "page: 16"}
ANON = {"id": "8.1-3", "type": "article-journal", "language": "en-US", "title": "Coffee drinking and cancer of the pancreas",
        "container-title": "British medical journal", "volume": "283", "issue": "6292", "page": "628",
        "issued": date(1981)}


def test_2015_author_date_entries():  # 9.2, 10.2.3
    entries = format_bibliography([KENNEDY_B, CRANE, ANON, KENNEDY_A, WANG_BING], A15)
    assert entries == [
        "汪冰, 1997. 电子图书馆理论与实践研究[M]. 北京: 北京图书馆出版社: 16.",
        "Anon, 1981. Coffee drinking and cancer of the pancreas[J]. British medical journal, 283(6292): 628.",
        "CRANE D, 1972. Invisible college[M]. Chicago: Univ. of Chicago Press.",
        "KENNEDY W L, GARRISON R E, 1975a. Morphology and genesis of nodular chalks and hardgrounds in the "
        "Upper Cretaceous of southern England[J]. Sedimentology, 22: 311.",
        "KENNEDY W L, GARRISON R E, 1975b. Morphology and genesis of nodular phosphates in the cenomanian of "
        "South-east England[J]. Lethaia, 8: 339.",
    ]


def test_2015_author_date_anonymous_and_chapter():  # 8.1.3, 10.2.2
    assert one(ANON, A15) == ("Anon, 1981. Coffee drinking and cancer of the pancreas[J]. "
                              "British medical journal, 283(6292): 628.")
    assert one(CHAPTER_ZH_5_AUTHORS, A15) == (
        "陈晋镳, 张惠民, 朱士兴, 等, 1980. 蓟县震旦亚界研究[M]//中国地质科学院天津地质矿产研究所. 中国震旦亚界. "
        "天津: 天津科学技术出版社: 56-114.")


def test_2015_author_date_citations():  # 10.2.1, 10.2.2
    assert format_citation([CRANE], [(CRANE["id"], None)], A15) == "(CRANE, 1972)"
    assert format_citation([CHAPTER_ZH_5_AUTHORS], [(CHAPTER_ZH_5_AUTHORS["id"], None)], A15) == "(陈晋镳 等, 1980)"


def test_2015_author_date_citation_english_et_al():  # 10.2.2
    assert format_citation([JOURNAL_EN_4_AUTHORS], [(JOURNAL_EN_4_AUTHORS["id"], None)], A15) == "(MYBURG et al., 2014)"


# --- GB/T 7714-2025 ---------------------------------------------------------------------------------

N25 = "gb-t-7714-2025-numeric"
A25 = "gb-t-7714-2025-author-date"


def test_2025_book_full_width_punctuation():
    assert one(BOOK_ZH, N25) == "[1] 陈登原. 国史旧闻：第 1 卷[M]. 北京：中华书局，2000：29."
    assert one(CHAPTER_ZH_5_AUTHORS, N25) == (
        "[1] 陈晋镳，张惠民，朱士兴，等. 蓟县震旦亚界研究[M]//中国地质科学院天津地质矿产研究所. 中国震旦亚界. "
        "天津：天津科学技术出版社，1980：56-114.")


def test_2025_surnames_not_uppercased_and_no_access_date_on_articles():
    assert one(JOURNAL_EN_4_AUTHORS, N25) == (
        "[1] Myburg A A，Grattapaglia D，Tuskan G A，et al. The genome of eucalyptus grandis[J/OL]. "
        "Nature，2014，510：356-362. http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf. "
        "DOI:10.1038/nature13308.")
    assert one(JOURNAL_ZH, N25) == "[1] 李炳穆. 韩国图书馆法[J]. 图书情报工作，2008，52（6）：6-21."


def test_2025_reports_without_access_date():
    assert one(REPORT_ONLINE, N25) == (
        "[1] 中华人民共和国国务院新闻办公室. 国防白皮书: 中国武装力量的多样化运用[R/OL]. 2013-04-16. "
        "http://www.mod.gov.cn/affair/2013-04/16/content_4442839.htm.")
    assert one(REPORT_WITH_PUBLISHER, N25) == (
        "[1] U.S. Department of Transportation Federal Highway Administration. Guidelines for handling "
        "excavated acid-producing material：PB 91-194001[R]. Springfield：U.S. Department of Commerce "
        "National Information Service，1990.")


def test_2025_bill_is_EB_OL():
    assert one(BILL, N25) == (
        "[1] United States Congress. Revitalize American Manufacturing and Innovation Act of 2014："
        "H.R. 2996[EB/OL]. （2014-09-16）[2021-03-10]. "
        "https://www.congress.gov/bill/113th-congress/house-bill/2996/text.")


def test_2025_webpage_keeps_update_and_access_dates():
    assert one(WEBPAGE, N25) == (
        "[1] Bawden D. Origins and concepts of digital literacy[EB/OL]. （2008-05-04）[2013-03-08]. "
        "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf.")


def test_2025_standard_opens_with_its_number_and_patent():
    assert one(STANDARD, N25) == "[1] GB/T 25100—2010 信息与文献 都柏林核心元数据元素集[S]."
    assert one(PATENT, N25) == "[1] 邓一刚. 全智能节电器：200610171314.3[P]. 2006-12-13."


def test_preprint_is_PP_in_2025_only():
    assert one(PREPRINT, N25) == (
        "[1] Jenkins S D，Ruostekoski J. Controlled manipulation of light by cooperative response of atoms "
        "in an optical lattice[PP/OL]. V2. arXiv（2012-03-18）[2020-06-24]. https://doi.org/10.48550/arXiv.1112.6136.")
    assert "[EB/OL]" in one(PREPRINT, N15)


def test_2025_author_date():
    assert one(WANG_BING, A25) == "汪冰，1997. 电子图书馆理论与实践研究[M]. 北京：北京图书馆出版社：16."
    assert format_citation([CRANE], [(CRANE["id"], None)], A25) == "（Crane，1972）"


# --- the standard's 117 numeric and 19 author-date examples (../shared) -----------------------------

def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_gbt7714_oracles",
                                                  ROOT / "benchmarks" / "bench_gbt7714_oracles.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    oracle = module.DEFAULT_SHARED / module.ORACLE_DIR
    if not (oracle / "standard-numeric.txt").is_file():
        pytest.skip("../shared/gbt7714 oracles not available")
    return module, oracle


def test_oracle_numeric_does_not_regress():
    bench, oracle = _benchmark()
    result = bench.run(oracle, "numeric", N15)
    assert result.total == 117
    assert result.exact >= 103, bench.report(result)


def test_oracle_author_date_does_not_regress():
    bench, oracle = _benchmark()
    result = bench.run(oracle, "author-date", A15)
    assert result.total == 19
    assert result.unordered >= 18, bench.report(result)
    assert result.exact >= 18, bench.report(result)
    assert result.citations is not None and result.citations[0] >= 9, bench.report(result)


# --- the BibTeX path: gbt7714-bibtex-style's examples and recorded output (../shared) -----------

@pytest.mark.parametrize(("edition", "total", "at_least"), [("2015", 139, 130), ("2025", 257, 239)])
def test_bibtex_examples_against_gbt7714_bibtex_style(edition: str, total: int, at_least: int):
    bench, _ = _benchmark()
    root = bench.DEFAULT_SHARED / bench.BIBTEX_DIR
    setting = next(s for s in bench.BIB_SETS if s[0] == edition)
    if not (root / setting[2]).is_file():
        pytest.skip("gbt7714-bibtex-style examples not available")
    result = bench.run_bib(root, *setting)
    assert result.total == total
    assert result.exact >= at_least, bench.report_bib(result)
    assert result.exact >= 0.9 * total


def test_tlg_text_resolves_latex():
    bench, _ = _benchmark()
    text = bench.tlg_text(r"Foo\allowbreak[J].\newblock \url{http://x.org/~a--b}. {AI} and---``the''~\&")
    assert " ".join(text.split()) == "Foo [J]. http://x.org/~a--b. AI and\u2014\u201cthe\u201d &"
    assert bench.fold("1984，1（1）—. X") == "1984,1(1)—.X"
