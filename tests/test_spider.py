"""The spider's and its middlewares' handling of responses, on frozen responses (no network)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from govcrawl.crawl.items import ErrorItem, PageItem
from govcrawl.crawl.middlewares import MetaRefreshMiddleware, RedirectMiddleware
from govcrawl.crawl.spiders.annual_reports import AnnualReportsSpider
from govcrawl.registry import Portal

from conftest import fixture_response

REPORT = "http://www.example.gov.test/zwgk/xxgknb/202301/t20230115_1.html"
PORTAL = Portal(id="990101-example", province="示范省", city="示范市", district="示范区", code="990101",
                homepage="http://www.example.gov.test/", listing_urls=("http://www.example.gov.test/zwgk/xxgknb/",),
                allowed_domains=("www.example.gov.test",))
DELETED_PAGE = ('<html><head><meta http-equiv="refresh" content="0;url=/"></head>'
                '<body>该页面已删除。</body></html>').encode()


@pytest.fixture()
def crawler():
    crawler = get_crawler(AnnualReportsSpider)
    crawler.spider = AnnualReportsSpider.from_crawler(crawler, portals=[PORTAL])
    return crawler


def redirect(crawler, response):
    return RedirectMiddleware.from_crawler(crawler).process_response(response.request, response)


def meta_refresh(crawler, response):
    return MetaRefreshMiddleware.from_crawler(crawler).process_response(response.request, response)


@pytest.mark.parametrize("home", ["/", "/index.html", "http://www.example.gov.test/index.shtml"])
def test_a_report_sent_to_the_home_page_is_not_followed_but_marked_deleted(crawler, home):
    response = fixture_response(REPORT, status=302, headers={"Location": home},
                                meta={"role": "report", "portal": PORTAL.id})
    result = redirect(crawler, response)
    assert result is response  # the home page itself is not downloaded
    assert result.meta["govcrawl_deleted_to"].startswith("http://www.example.gov.test/")
    assert 302 in result.meta["handle_httpstatus_list"]  # reaches the spider, not HttpError
    (item,) = crawler.spider.parse_report(result)
    assert item == ErrorItem(REPORT, PORTAL.id, "deleted: redirected to the home page", 302, None)


def test_a_meta_refresh_to_the_home_page_is_a_deleted_page_too(crawler):
    response = fixture_response(REPORT, body=DELETED_PAGE, meta={"role": "report", "portal": PORTAL.id})
    result = meta_refresh(crawler, response)
    assert result is response
    (item,) = crawler.spider.parse_report(result)
    assert item.reason == "deleted: redirected to the home page" and item.url == REPORT


def test_a_deleted_attachment_is_recorded_not_stored_as_the_home_page(crawler):
    url = "http://www.example.gov.test/zwgk/xxgknb/202301/P020230115.pdf"
    response = fixture_response(url, status=301, headers={"Location": "/"},
                                meta={"role": "attachment", "portal": PORTAL.id})
    (item,) = crawler.spider.parse_attachment(redirect(crawler, response))
    assert isinstance(item, ErrorItem) and item.url == url


def test_other_redirects_are_followed(crawler):
    moved = fixture_response(REPORT, status=301, headers={"Location": "/art/2023/1/15/art_1_1.html"},
                             meta={"role": "report", "portal": PORTAL.id})
    result = redirect(crawler, moved)
    assert isinstance(result, Request) and result.url == "http://www.example.gov.test/art/2023/1/15/art_1_1.html"
    assert "govcrawl_deleted_to" not in result.meta
    listing = fixture_response(PORTAL.listing_urls[0], status=302, headers={"Location": "/"},
                               meta={"role": "listing", "portal": PORTAL.id})
    assert isinstance(redirect(crawler, listing), Request)  # only report pages and attachments


def test_a_report_page_becomes_a_page_item_with_its_bytes(crawler):
    response = fixture_response(REPORT, "r2021-utf8.html", meta={"role": "report", "portal": PORTAL.id},
                                headers={"ETag": '"abc"'})
    items = list(crawler.spider.parse_report(response))
    page = items[0]
    assert isinstance(page, PageItem)
    assert (page.url, page.portal_id, page.kind, page.status, page.body, page.headers["Etag"]) == (
        REPORT, PORTAL.id, "report", 200, response.body, '"abc"')


def test_attachments_are_requested_once_the_page_is_stored(crawler):
    body = (b'<html><body><h1>x</h1><a href="P020230115.pdf">pdf</a><a href="/other/site.html">no</a>'
            b'<a href="http://elsewhere.test/a.docx">off the portal</a></body></html>')
    response = fixture_response(REPORT, body=body, meta={"role": "report", "portal": PORTAL.id})
    (page,) = crawler.spider.parse_report(response)  # the page alone: no request races it to the archive
    assert page.attachments == ["http://www.example.gov.test/zwgk/xxgknb/202301/P020230115.pdf"]
    scheduled = []

    class Engine:
        def crawl(self, request):
            scheduled.append(request)

    crawler.engine = Engine()
    crawler.spider.follow_attachments(page)
    assert [(r.url, r.meta["role"], r.meta["referer"], r.callback) for r in scheduled] == [
        (page.attachments[0], "attachment", REPORT, crawler.spider.parse_attachment)]


def test_a_wrong_family_hint_does_not_lose_the_pager():
    """A Fujian listing on a portal registered as Guangdong: its pages are still found."""
    from dataclasses import replace

    from govcrawl.crawl.items import ListingItem

    from conftest import ROOT

    portal = replace(PORTAL, cms="gd", allowed_domains=("www.moumou.gov.cn",),
                     listing_urls=("https://www.moumou.gov.cn/zwgk/zfxxgk/zfxxgknb/",))
    crawler = get_crawler(AnnualReportsSpider)
    crawler.spider = AnnualReportsSpider.from_crawler(crawler, portals=[portal])
    body = (ROOT / "tests" / "listings" / "fujian-index.htm").read_bytes()
    response = fixture_response(portal.listing_urls[0], body=body, meta={"role": "listing", "portal": portal.id})
    out = list(crawler.spider.parse_listing(response))
    listings = [r.url for r in out if isinstance(r, Request) and r.meta.get("role") == "listing"]
    assert listings == [portal.listing_urls[0] + "index_1.htm", portal.listing_urls[0] + "index_2.htm"]
    records = [r for r in out if isinstance(r, ListingItem)]
    assert [r.outcome for r in records] == ["limit", "listing"]  # the API-only pages said, then the page
    assert "search API" in records[0].reason
