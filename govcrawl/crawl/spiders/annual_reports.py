"""One generic, registry-driven spider for every portal.

Listing pages are fetched in full every run; report pages and attachments carry the
validators of their last response (If-None-Match / If-Modified-Since), so an unchanged
page costs a 304 and no extraction.  The spider only fetches; the pipelines extract and
store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from govcrawl.clock import now_iso
from govcrawl.crawl import cms, discovery
from govcrawl.crawl.counters import Count
from govcrawl.crawl.items import ErrorItem, ListingDone, PageItem
from govcrawl.registry import Portal

PAGE_STATUSES = [304, 403, 404, 410, 412, 500, 502, 503]


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, portals: list[Portal] | None = None, portal: str | None = None,
                 validators: dict[str, tuple[str | None, str | None]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if portals is None:  # `scrapy crawl annual_reports [-a portal=ID,ID]`
            from govcrawl.registry import load_registry, select

            ids = [p for p in (portal or "").split(",") if p]
            portals = select(load_registry(), ids)
        self.portals = {p.id: p for p in portals}
        self.allowed_domains = sorted({d for p in portals for d in p.allowed_domains})
        self.validators = validators or {}
        self.known_attachments: dict[str, list[str]] = {}
        self.listings_ok: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # type: ignore[override]
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.redis_url = crawler.settings.get("GOVCRAWL_REDIS_URL")
        if spider.redis_url:  # a worker: the validators come from the writer, over Redis
            from scrapy import signals

            from govcrawl.crawl.distributed import frontier as distributed

            spider.redis_keys = distributed.Keys(crawler.settings.get("GOVCRAWL_REDIS_PREFIX",
                                                                      distributed.DEFAULT_PREFIX))
            spider.redis = distributed.connect(spider.redis_url)
            spider.validators, spider.known_attachments = distributed.load_validators(
                spider.redis, spider.redis_keys)
            spider.redis_run = spider.redis.hget(spider.redis_keys.run, "run_id")
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        elif not spider.validators and crawler.settings.get("GOVCRAWL_DB"):
            from govcrawl.archive.raw import known_attachments, validators
            from govcrawl.archive.schema import open_db

            db = open_db(crawler.settings["GOVCRAWL_DB"])
            spider.validators = validators(db)
            spider.known_attachments = known_attachments(db)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # scrapy-redis relies on start_requests(), which Scrapy >= 2.16 no longer calls:
        # this start() yields them in a single-process crawl; in a distributed one the
        # writer has seeded the shared frontier and workers start from it.
        if getattr(self, "redis_url", None):
            return
        for request in self.start_requests():
            yield request

    def on_idle(self) -> None:
        """A worker stays while the frontier has work anywhere (another worker's listing
        may still add requests); it leaves when nothing waits and nothing is leased, or
        when the writer has already closed the run it joined (and cleared its state)."""
        from scrapy.exceptions import DontCloseSpider

        from govcrawl.crawl.distributed import frontier as distributed

        if self.redis.hget(self.redis_keys.run, "run_id") != self.redis_run:
            return
        waiting, leased = distributed.frontier_size(self.redis, self.redis_keys)
        if waiting or leased:
            raise DontCloseSpider

    def start_requests(self) -> Iterator[scrapy.Request]:
        for portal in self.portals.values():
            for url in portal.listing_urls:
                yield self._listing(url, portal.id)

    # --- requests ----------------------------------------------------------------------
    def _listing(self, url: str, portal_id: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              meta={"portal": portal_id, "role": "listing"}, priority=10)

    def _conditional(self, url: str, callback, portal_id: str, **meta: Any) -> scrapy.Request:
        headers = {}
        etag, modified = self.validators.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return scrapy.Request(url, callback=callback, errback=self.on_error, headers=headers,
                              meta={"portal": portal_id, "handle_httpstatus_list": PAGE_STATUSES,
                                    **meta})

    # --- callbacks -----------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Any]:
        portal_id = response.meta["portal"]
        self.listings_ok.add(portal_id)
        self.crawler.stats.inc_value(Count.LISTING_PAGES.stat)
        listing = cms.family(self.portals[portal_id].cms).read(response.url, response.text)
        for url, title in listing.links:
            if not discovery.is_report_title(title):
                continue
            if discovery.is_attachment(url):
                yield self._conditional(url, self.parse_attachment, portal_id, referer=response.url,
                                        role="attachment")
            else:
                yield self._conditional(url, self.parse_report, portal_id, listing_title=title,
                                        role="report")
        for url in listing.pages:
            yield self._listing(url, portal_id)
        # Last: everything this listing leads to has been yielded (and scheduled) first.
        yield ListingDone(response.url, portal_id, response.meta.get("govcrawl_lease"))

    def parse_report(self, response: Response) -> Iterator[Any]:
        if response.meta.get("govcrawl_deleted_to"):
            yield self._deleted(response)
            return
        item = self._page(response, "report")
        if response.status == 304:
            # The page is unchanged; its attachments are revalidated all the same.
            item.attachments = list(self.known_attachments.get(response.url, []))
        elif response.status == 200:
            item.attachments = discovery.attachment_links(response.body, response.url, set(self.allowed_domains))
        yield item

    def follow_attachments(self, item: PageItem) -> None:
        """Request a report page's attachments — called by the last pipeline once the page is
        stored (or handed over), so that an attachment never reaches the archive before the
        page it belongs to: its report is the page's, whatever order extraction finishes in."""
        for url in item.attachments:
            self.crawler.engine.crawl(self._conditional(url, self.parse_attachment, item.portal_id,
                                                        referer=item.url, role="attachment"))

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        if response.meta.get("govcrawl_deleted_to"):
            yield self._deleted(response)
            return
        yield self._page(response, "attachment", referer=response.meta.get("referer"))

    def _deleted(self, response: Response) -> ErrorItem:
        """A page its portal sends to the home page (meta refresh or 30x): deleted.  The
        redirect was not followed (govcrawl.crawl.middlewares)."""
        self.crawler.stats.inc_value(Count.DELETED_PAGES.stat)
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        return ErrorItem(original, response.meta["portal"], "deleted: redirected to the home page",
                         response.status, response.meta.get("govcrawl_lease"))

    def _page(self, response: Response, kind: str, referer: str | None = None) -> PageItem:
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        return PageItem(url=response.url, portal_id=response.meta["portal"], kind=kind,
                        status=response.status, body=response.body if response.status == 200 else b"",
                        headers=headers, fetched_at=now_iso(), referer=referer,
                        listing_title=response.meta.get("listing_title"),
                        lease=response.meta.get("govcrawl_lease"))

    def on_error(self, failure: Failure) -> Iterator[ErrorItem]:
        request = failure.request
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        status = getattr(getattr(failure.value, "response", None), "status", None)
        self.crawler.stats.inc_value(Count.REQUEST_ERRORS.stat)
        yield ErrorItem(request.url, request.meta.get("portal"), reason, status,
                        request.meta.get("govcrawl_lease"))
