"""CMS families on frozen listing pages: the links they read and the further pages they find."""

from __future__ import annotations

import pytest

from govcrawl.crawl import cms


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


@pytest.mark.parametrize(("family", "pages"), [
    ("hanweb", ["http://a.gov.test/col/col12/index.html?uid=1&pageNum=2", "http://a.gov.test/zwgk/list_2.html"]),
    ("gd", ["http://a.gov.test/col/col12/index_3.html", "http://a.gov.test/zwgk/list_2.html"]),
    ("trs", ["http://a.gov.test/zwgk/list_2.html"]),
    ("generic", ["http://a.gov.test/zwgk/list_2.html", "http://a.gov.test/col/col12/index.html?uid=1&pageNum=2",
                 "http://a.gov.test/col/col12/index_3.html"]),
])
def test_each_family_follows_its_own_pager_on_its_own_column_and_host(family, pages):
    assert sorted(read(family, "http://a.gov.test/col/col12/index.html", LINKS).pages) == sorted(pages)


def test_links_that_lead_nowhere_are_not_links():
    """javascript:, mailto: and fragment links are no requests, whatever their text says."""
    html = ('<a href="javascript:openReport(1)">东湖区2023年政府信息公开工作年度报告</a>'
            '<a href="mailto:gk@a.gov.test">2023年政府信息公开工作年度报告</a><a href="#top">顶部</a>'
            '<a href="202401/t20240120_1.html" title="东湖区2023年政府信息公开工作年度报告">东湖区2023年政府...</a>')
    listing = read("generic", "http://a.gov.test/nb/index.html", html)
    assert listing.links == [("http://a.gov.test/nb/202401/t20240120_1.html", "东湖区2023年政府...")]
