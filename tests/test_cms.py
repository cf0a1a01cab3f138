"""CMS families on frozen listing pages: the links they read and the further pages they find."""

from __future__ import annotations

import pytest

from govcrawl.crawl import cms
from govcrawl.crawl.discovery import is_report_title

from conftest import ROOT

LISTINGS = ROOT / "tests" / "listings"


def frozen(name: str) -> str:
    return (LISTINGS / name).read_text(encoding="utf-8")


def reports(listing) -> list[str]:
    return [url for url, title in listing.links if is_report_title(title)]


def read(family: str, url: str, html: str):
    return cms.family(family).read(url, html)


def test_trs_pages_come_from_createpagehtml_on_the_first_page_only():
    page = '<script>createPageHTML(4, 0, "index", "html");</script>'
    assert read("trs", "http://a.gov.test/col/index.html", page).pages == [
        "http://a.gov.test/col/index_1.html", "http://a.gov.test/col/index_2.html",
        "http://a.gov.test/col/index_3.html"]
    assert read("trs", "http://a.gov.test/col/index_2.html", page.replace("4, 0", "4, 2")).pages == []
    six = "<script>createPageHTML('page_div', 3, 0, 'index', 'shtml', 40);</script>"
    assert read("trs", "http://a.gov.test/c/index.shtml", six).pages[-1] == "http://a.gov.test/c/index_2.shtml"


LINKS = ('<a href="index.html?uid=1&pageNum=2">2</a><a href="/col/col99/index.html?uid=1&pageNum=2">x</a>'
         '<a href="http://b.gov.test/next.html">下一页</a><a href="/col/col12/index_3.html">3</a>'
         '<a href="javascript:void(0)">下一页</a><a href="/zwgk/list_2.html">下一页</a>')


@pytest.mark.parametrize("family", sorted(cms.NAMES))
def test_every_family_follows_static_pagers_on_its_own_column_and_host(family):
    """下一页, numbered sibling pages and the listing's own page numbers: the rules every family
    shares (a portal's hint may be wrong about its pager); never another column or host."""
    pages = ["http://a.gov.test/col/col12/index.html?uid=1&pageNum=2", "http://a.gov.test/col/col12/index_3.html",
             "http://a.gov.test/zwgk/list_2.html"]
    assert sorted(read(family, "http://a.gov.test/col/col12/index.html", LINKS).pages) == sorted(pages)


def test_links_that_lead_nowhere_are_not_links():
    """javascript:, mailto: and fragment links are no requests, whatever their text says."""
    html = ('<a href="javascript:openReport(1)">东湖区2023年政府信息公开工作年度报告</a>'
            '<a href="mailto:gk@a.gov.test">2023年政府信息公开工作年度报告</a><a href="#top">顶部</a>'
            '<a href="202401/t20240120_1.html" title="东湖区2023年政府信息公开工作年度报告">东湖区2023年政府...</a>')
    listing = read("generic", "http://a.gov.test/nb/index.html", html)
    # The link's text is cut ('…'): its title attribute has the whole title.
    assert listing.links == [("http://a.gov.test/nb/202401/t20240120_1.html", "东湖区2023年政府信息公开工作年度报告")]


FUJIAN = "https://www.moumou.gov.cn/zwgk/zfxxgk/zfxxgknb/"


@pytest.mark.parametrize("family", ["fujian", "generic"])
def test_fujian_pages_follow_from_the_list_model_and_the_api_only_pages_are_said(family):
    listing = read(family, FUJIAN, frozen("fujian-index.htm"))
    assert listing.pages == [FUJIAN + "index_1.htm", FUJIAN + "index_2.htm"]  # maxStaticIndex 2 of 5 pages
    assert "2 of the column's 5 pages" in listing.unreached and "search API" in listing.unreached
    assert reports(listing) == [FUJIAN + "202501/t20250120_81001.htm", FUJIAN + "202501/t20250115_81002.htm",
                                FUJIAN + "202401/t20240118_80001.htm"]  # not the 工作要点落实情况
    later = read(family, FUJIAN + "index_1.htm", frozen("fujian-index.htm"))
    assert later.pages == [] and later.unreached is None  # the first page names them all, once


def test_fujian_columns_whose_pages_are_all_static_are_complete():
    page = frozen("fujian-index.htm").replace("maxStaticIndex: 2", "maxStaticIndex: 9")
    listing = read("fujian", FUJIAN, page)
    assert len(listing.pages) == 4 and listing.unreached is None


HANWEB = "https://www.moumou.gov.cn/col/col4021/index.html"


@pytest.mark.parametrize("family", ["hanweb", "generic"])
def test_hanweb_records_come_from_the_data_island_and_groups_from_the_data_proxy(family):
    listing = read(family, HANWEB, frozen("hanweb-col.html"))
    base = "https://www.moumou.gov.cn/art/2025/1/"
    assert reports(listing) == [base + "22/art_4021_3501001.html", base + "16/art_4021_3501002.html"]
    assert [title for url, title in listing.links if url == base + "16/art_4021_3501002.html"] == [
        "某某县自然资源局2024年政府信息公开工作年度报告"]  # the cut text's whole title
    assert listing.pages == ["https://www.moumou.gov.cn/module/web/jpage/dataproxy.jsp?page=1&webid=61&path=http://"
                             "www.moumou.gov.cn/&columnid=4021&unitid=6081234&webname=%E6%9F%90%E6%9F%90%E5%8E%BF"
                             "&permissiontype=0"]
    group = read(family, listing.pages[0], frozen("hanweb-dataproxy-1.xml"))
    assert len(reports(group)) == 2  # the cover letter of a report is followed too
    assert group.pages[0].startswith("https://www.moumou.gov.cn/module/web/jpage/dataproxy.jsp?page=2&")
    assert group.recognised


def test_hanweb_groups_follow_from_the_totals_when_none_is_named():
    xml = frozen("hanweb-dataproxy-1.xml").replace("<nextgroup>", "<totalpage>4</totalpage><x>").replace(
        "</nextgroup>", "</x>")
    page = f"<html><body><script>var url = '/module/web/jpage/dataproxy.jsp?page=1&columnid=4021&unitid=9';" \
           f"</script><script type='text/xml'>{xml.split('?>', 1)[1]}</script></body></html>"
    listing = read("hanweb", HANWEB, page)
    assert [p.split("?")[1] for p in listing.pages] == [f"page={n}&columnid=4021&unitid=9" for n in (2, 3, 4)]


GKMLPT = "https://www.moumou.gov.cn/gkmlpt/api/all/2961?page=1&sid=757001"


@pytest.mark.parametrize("family", ["gkmlpt", "generic"])
def test_gkmlpt_reads_the_json_api_and_pages_by_its_total(family):
    listing = read(family, GKMLPT, frozen("gkmlpt-api-1.json"))
    assert reports(listing) == ["https://www.moumou.gov.cn/gkmlpt/content/8/8040/post_8040242.html",
                                "https://www.moumou.gov.cn/gkmlpt/content/8/8031/post_8031111.html"]
    assert listing.pages == [GKMLPT.replace("page=1", "page=2"), GKMLPT.replace("page=1", "page=3")]
    assert listing.items == 3 and listing.recognised
    assert read(family, GKMLPT.replace("page=1", "page=2"), frozen("gkmlpt-api-1.json")).pages == []


def test_gkmlpt_app_page_leads_to_its_api():
    listing = read("gkmlpt", "https://www.moumou.gov.cn/gkmlpt/index#2961", frozen("gkmlpt-index.html"))
    assert listing.pages == [GKMLPT]


def test_guangdong_static_pages_are_followed_and_notices_left():
    url = "https://www.moumou.gov.cn/zwgk/zfxxgk/zfxxgknb/bm/index_2.html"
    listing = read("gd", url, frozen("gd-index_2.html"))
    assert reports(listing) == ["https://www.moumou.gov.cn/zwgk/zfxxgk/zfxxgknb/bm/content/post_9529455.html"]
    assert set(listing.pages) == {url.replace("_2", "_1"), url.replace("_2", "_3"), url.replace("_2", "_9")}


@pytest.mark.parametrize("family", sorted(cms.NAMES))
def test_a_real_trs_listing_from_the_shared_corpus_yields_its_four_reports_and_not_its_column(family):
    from conftest import shared_path

    html = shared_path("corpus", "listings", "ordos-engebei-xxgknb.html").read_text(encoding="utf-8")
    listing = read(family, "https://www.ordos.gov.cn/xxgk/xxgknb/", html)
    assert reports(listing) == [
        "https://www.ordos.gov.cn/xxgk/xxgknb/202009/t20200903_2748784.html",
        "https://www.ordos.gov.cn/xxgk/xxgknb/202003/t20200311_2593126.html",
        "https://www.ordos.gov.cn/xxgk/xxgknb/201905/t20190530_2380968.html",
        "https://www.ordos.gov.cn/xxgk/xxgknb/201905/t20190530_2380967.html"]
    assert listing.pages == []  # one page: the column names no other
