"""One generic, registry-driven spider for every portal.

Listing pages are fetched in full every run; report pages and attachments carry the
validators of their last response (If-None-Match / If-Modified-Since), so an unchanged
page costs a 304 and no extraction.  The spider only fetches; the pipelines extract and
store.

Every response ends somewhere: a page (stored by the pipelines), an error with its reason,
or — for a listing page — a :class:`ListingItem` saying what the page was (a listing, an
explicit "no items", unrecognised, blocked by a challenge, an error, or not fetched
because a limit was reached).  Whatever a callback raises becomes such a record.

Gone is proven, not inferred: when every listing page of a portal was read, the sources
the archive still has for it that the run did not reach are asked for before the crawl
ends (the confirmation requests); only those answering 404, 410 or a redirect to the
home page are marked gone (govcrawl.archive.versions.mark_gone).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from govcrawl.clock import now_iso
from govcrawl.crawl import challenge, cms, discovery
from govcrawl.crawl.counters import Count
from govcrawl.crawl.items import ErrorItem, ListingItem, PageItem
from govcrawl.registry import Portal

PAGE_STATUSES = [304, 403, 404, 410, 412, 500, 502, 503]
LIMITS = {  # registry override → Scrapy setting (each recorded as an error when reached)
    "max_listing_pages": "GOVCRAWL_MAX_LISTING_PAGES",  # listing pages of one chain (a 下一页 chain, a column)
    "max_requests": "GOVCRAWL_MAX_REQUESTS_PER_PORTAL",  # requests to one portal in one run
    "max_links": "GOVCRAWL_MAX_LINKS_PER_LISTING",  # report links taken from one listing page
}


def settled(role: str) -> Callable:
    """A callback whose failure becomes a record of this response, never a lost one: the
    requests it yielded before failing stand, and the response ends as an error."""

    def decorate(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        @functools.wraps(method)
        def wrapper(self: AnnualReportsSpider, response: Response) -> Iterator[Any]:
            try:
                yield from method(self, response)
            except Exception as exc:
                reason = f"{method.__name__} failed ({type(exc).__name__}: {exc})"[:500]
                self.logger.warning("%s: %s", response.url, reason)
                yield self._failure(response.request, role, reason, response.status)
        return wrapper
    return decorate


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, portals: list[Portal] | None = None, portal: str | None = None,
                 validators: dict[str, tuple[str | None, str | None]] | None = None,
                 registry: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if portals is None:  # `scrapy crawl annual_reports [-a portal=ID,ID] [-a registry=FILE]`
            from pathlib import Path

            from govcrawl.registry import load_registry, select

            ids = [p for p in (portal or "").split(",") if p]
            portals = select(load_registry(Path(registry) if registry else None), ids)
        self.portals = {p.id: p for p in portals}
        self.allowed_domains = sorted({d for p in portals for d in p.allowed_domains})
        self.validators = validators or {}
        self.known_attachments: dict[str, list[str]] = {}
        self.requests_made: Counter[str] = Counter()
        self.chain_pages: Counter[str] = Counter()
        self.limited: set[tuple[str, str]] = set()
        self.defaults = {name: 0 for name in LIMITS}
        self.confirmed = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # type: ignore[override]
        from scrapy import signals

        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.defaults = {name: crawler.settings.getint(setting) for name, setting in LIMITS.items()}
        spider.redis_url = crawler.settings.get("GOVCRAWL_REDIS_URL")
        if spider.redis_url:  # a worker: the validators come from the writer, over Redis
            from govcrawl.crawl.distributed import frontier as distributed

            spider.redis_keys = distributed.Keys(crawler.settings.get("GOVCRAWL_REDIS_PREFIX",
                                                                      distributed.DEFAULT_PREFIX))
            spider.redis = distributed.connect(spider.redis_url)
            spider.validators, spider.known_attachments = distributed.load_validators(
                spider.redis, spider.redis_keys)
            spider.redis_run = spider.redis.hget(spider.redis_keys.run, "run_id")
            crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        elif crawler.settings.get("GOVCRAWL_DB"):
            from govcrawl.archive.raw import known_attachments, validators
            from pipelines.common import crawler_db

            if not crawler.settings.getint("GOVCRAWL_RUN_ID"):  # `scrapy crawl`: a run of its own
                from govcrawl.crawl import standalone

                standalone.begin(crawler, spider)
            db = crawler_db(crawler)
            if not spider.validators:
                spider.validators = validators(db)
                spider.known_attachments = known_attachments(db)
            crawler.signals.connect(spider.confirm_unlisted, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        # scrapy-redis relies on start_requests(), which Scrapy >= 2.16 no longer calls:
        # this start() yields them in a single-process crawl; in a distributed one the
        # writer has seeded the shared frontier and workers start from it.
        if getattr(self, "redis_url", None):
            return
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Any]:
        for portal in self.portals.values():
            for url in portal.listing_urls:
                yield from self._admit(self._listing(url, portal.id, chain=url))

    # --- the end of a crawl -----------------------------------------------------------------
    def on_idle(self) -> None:
        """A worker stays while the frontier has work anywhere (another worker's listing
        may still add requests, the writer may still add confirmation requests); it leaves
        when nothing waits, nothing is leased and the writer has asked for its
        confirmations — or when the writer has already closed the run it joined."""
        from scrapy.exceptions import DontCloseSpider

        from govcrawl.crawl.distributed import frontier as distributed

        if self.redis.hget(self.redis_keys.run, "run_id") != self.redis_run:
            return
        waiting, leased = distributed.frontier_size(self.redis, self.redis_keys)
        if waiting or leased or not self.redis.hget(self.redis_keys.run, "confirmations"):
            raise DontCloseSpider

    def confirm_unlisted(self) -> None:
        """Once, when the crawl has nothing left to do: ask for the sources of every portal
        read completely that the run has not reached (see the module's docstring)."""
        from scrapy.exceptions import DontCloseSpider

        from govcrawl.archive.runs import portal_verdicts, unlisted_sources
        from pipelines.common import crawler_db

        if self.confirmed:
            return
        self.confirmed = True
        from govcrawl.crawl.standalone import run_id_of

        run_id = run_id_of(self.crawler)
        db = crawler_db(self.crawler)
        verdicts = portal_verdicts(db, run_id, sorted(self.portals))
        asked = 0
        for url, portal_id, kind, referer in unlisted_sources(db, run_id, sorted(p for p, v in verdicts.items()
                                                                                if v.complete)):
            for request in self.confirmation(url, portal_id, kind, referer):
                self.crawler.engine.crawl(request)
                asked += 1
        if asked:
            raise DontCloseSpider

    def confirmation(self, url: str, portal_id: str, kind: str, referer: str | None) -> list[scrapy.Request]:
        """The request that asks whether a source its listing no longer shows is still there."""
        callback = self.parse_attachment if kind == "attachment" else self.parse_report
        return [self._conditional(url, callback, portal_id, role=kind if kind == "attachment" else "report",
                                  referer=referer, confirm=True)]

    # --- requests ----------------------------------------------------------------------
    def limit(self, portal_id: str, name: str) -> int:
        """A limit of the run, or the portal's own (registry overrides)."""
        return int(self.portals[portal_id].overrides.get(name, self.defaults[name]) or 0)

    def _admit(self, request: scrapy.Request) -> Iterator[Any]:
        """The request, while its portal is within its requests for the run; past them, one
        record that the limit was reached (its portal is then not complete)."""
        portal_id = request.meta["portal"]
        self.requests_made[portal_id] += 1
        most = self.limit(portal_id, "max_requests")
        if not most or self.requests_made[portal_id] <= most:
            yield request
        elif (portal_id, "max_requests") not in self.limited:
            self.limited.add((portal_id, "max_requests"))
            yield ListingItem(request.url, portal_id, "limit",
                              reason=f"limit: more than {most} requests to this portal in one run "
                                     "(GOVCRAWL_MAX_REQUESTS_PER_PORTAL, overrides.max_requests); "
                                     "this and later requests not made")

    def _listing(self, url: str, portal_id: str, chain: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              meta={"portal": portal_id, "role": "listing", "chain": chain}, priority=10)

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
    @settled("listing")
    def parse_listing(self, response: Response) -> Iterator[Any]:
        portal_id = response.meta["portal"]
        lease = response.meta.get("govcrawl_lease")
        blocked = challenge.blocked_reason(response.status, response.body)
        if blocked:
            yield ListingItem(response.url, portal_id, "blocked", response.status, blocked, lease=lease)
            return
        family = self.portals[portal_id].cms
        listing = cms.family(family).read(response.url, response.text)
        if family != "generic" and not (listing.pages and listing.recognised):
            # The portal's family finds no further page (or nothing) here: its hint may be
            # wrong, or the column on a newer platform; every family's rules are asked too.
            other = cms.family("generic").read(response.url, response.text)
            if other.pages or (other.recognised and not listing.recognised):
                listing = other
        reports = [(url, title) for url, title in listing.links if discovery.is_report_title(title)]
        notes = []
        most = self.limit(portal_id, "max_links")
        if most and len(reports) > most:
            notes.append(ListingItem(response.url, portal_id, "limit", response.status,
                                     f"limit: {len(reports)} report links on one listing page, the first {most} "
                                     "followed (GOVCRAWL_MAX_LINKS_PER_LISTING, overrides.max_links)"))
            reports = reports[:most]
        for url, title in reports:
            if discovery.is_attachment(url):
                request = self._conditional(url, self.parse_attachment, portal_id, referer=response.url,
                                            role="attachment")
            else:
                request = self._conditional(url, self.parse_report, portal_id, listing_title=title, role="report")
            yield from self._admit(request)
        chain = response.meta.get("chain") or response.url
        most = self.limit(portal_id, "max_listing_pages")
        for url in listing.pages:
            self.chain_pages[chain] += 1
            if most and self.chain_pages[chain] > most:
                if (chain, "max_listing_pages") not in self.limited:
                    self.limited.add((chain, "max_listing_pages"))
                    notes.append(ListingItem(url, portal_id, "limit", reason=(
                        f"limit: more than {most} listing pages from {chain} "
                        "(GOVCRAWL_MAX_LISTING_PAGES, overrides.max_listing_pages); later pages not fetched")))
                continue
            yield from self._admit(self._listing(url, portal_id, chain))
        if listing.unreached:
            notes.append(ListingItem(response.url, portal_id, "limit", response.status,
                                     f"unreached: {listing.unreached}"))
        yield from notes
        if listing.recognised or reports:
            outcome, reason = ("listing", None) if listing.items or listing.pages or reports else ("empty", None)
        else:
            outcome, reason = "unrecognised", "no report, item or pager links, and no 'no items' notice"
        # Last: everything this listing leads to has been yielded (and scheduled) first.
        yield ListingItem(response.url, portal_id, outcome, response.status, reason, len(reports),
                          len(listing.pages), lease)

    @settled("report")
    def parse_report(self, response: Response) -> Iterator[Any]:
        if response.meta.get("govcrawl_deleted_to"):
            yield self._deleted(response)
            return
        blocked = challenge.blocked_reason(response.status, response.body)
        if blocked:
            yield ErrorItem(response.url, response.meta["portal"], blocked, response.status,
                            response.meta.get("govcrawl_lease"))
            return
        item = self._page(response, "report")
        if response.status == 304:
            # The page is unchanged; its attachments are revalidated all the same.
            item.attachments = list(self.known_attachments.get(response.url, []))
        elif response.status == 200:
            item.attachments = discovery.attachment_links(response.body, response.url, set(self.allowed_domains))
        yield item

    def follow_attachments(self, item: PageItem) -> list[ListingItem]:
        """Request a report page's attachments — called by the last pipeline once the page is
        stored (or handed over), so that an attachment never reaches the archive before the
        page it belongs to: its report is the page's, whatever order extraction finishes in.
        Returns the record of a limit reached, for the pipeline to store."""
        notes = []
        for url in item.attachments:
            request = self._conditional(url, self.parse_attachment, item.portal_id, referer=item.url,
                                        role="attachment")
            for admitted in self._admit(request):
                if isinstance(admitted, ListingItem):
                    notes.append(admitted)
                else:
                    self.crawler.engine.crawl(admitted)
        return notes

    @settled("attachment")
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
                        error=response.meta.get("govcrawl_refused"), lease=response.meta.get("govcrawl_lease"))

    def _failure(self, request: scrapy.Request, role: str, reason: str, status: int | None) -> Any:
        """What a failed request becomes: for a listing page, a listing record (its portal is
        then not complete); for any other page, an error."""
        portal_id = request.meta.get("portal")
        lease = request.meta.get("govcrawl_lease")
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL asked for, not where it led
        if role == "listing":
            outcome = "blocked" if reason.startswith("blocked") else "error"
            return ListingItem(url, portal_id or "", outcome, status, reason, lease=lease)
        return ErrorItem(url, portal_id, reason, status, lease)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        refused = request.meta.get("govcrawl_refused")  # a redirect the middleware would not follow
        reason = refused or f"{failure.type.__name__}: {failure.getErrorMessage()}"
        if response is not None:
            reason = challenge.blocked_reason(response.status, response.body or b"") or (
                f"HTTP {response.status}" if failure.type.__name__ == "HttpError" else reason)
            if response.status == 403 and request.meta.get("role") == "listing":
                reason = "blocked: HTTP 403 (the portal refuses the crawler)"
        self.crawler.stats.inc_value(Count.REQUEST_ERRORS.stat)
        yield self._failure(request, request.meta.get("role", "report"), reason, status)
