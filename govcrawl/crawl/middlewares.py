"""Downloader middlewares: a configured HTTP proxy (GOVCRAWL_PROXY); deleted pages' redirects.

The demo network is served on one 127.0.0.1 port acting as a proxy for every portal
host; networked crawls may need a proxy too.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import ipaddress
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as _ScrapyMetaRefresh
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as _ScrapyRedirect
from scrapy.exceptions import NotConfigured


class ProxyMiddleware:
    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        proxy = crawler.settings.get("GOVCRAWL_PROXY")
        if not proxy:
            raise NotConfigured
        return cls(proxy)

    def process_request(self, request, spider=None):
        request.meta.setdefault("proxy", self.proxy)
        return None


# --- redirects: a deleted page is recorded; a redirect off the portal is refused, recorded ------

HOME_PATHS = ("/", "/index.html", "/index.htm", "/index.shtml")


def refused_redirect(request, target: str, allowed: list[str]) -> str | None:
    """Why a redirect is not followed (None: it is): off the registered domains, to an
    address no portal has (loopback, link-local, private), or back to where it came from."""
    host = urlsplit(target).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_private or address.is_loopback or address.is_link_local
                                or address.is_reserved or address.is_multicast):
        return f"redirect refused: to {target} (a private or link-local address)"
    if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
        return f"redirect refused: to {target} (off the portal's domains)"
    if target in (request.meta.get("redirect_urls") or []) or target == request.url:
        return f"redirect refused: to {target} (a redirect loop)"
    return None


class _DeletedPagesMixin:
    """Portals send a deleted page to their home page (a 30x or a meta refresh).  The
    redirect says all there is to learn: the page is handed to the spider marked
    ``govcrawl_deleted_to`` and recorded as deleted, and the home page — often a portal's
    heaviest page — is not downloaded once per deleted page on every crawl.  (Followed,
    the second such redirect would also be dropped by the duplicate filter, and its
    deleted page go unrecorded.)

    A redirect the crawl will not follow — off the portal's domains, to a private or
    link-local address, in a loop — ends the request with that reason, which the spider
    records as the URL's error."""

    def process_response(self, request, response, spider=None):
        from scrapy import Request
        from scrapy.exceptions import IgnoreRequest

        result = super().process_response(request, response)  # type: ignore[misc]
        if not isinstance(result, Request):
            return result
        if request.meta.get("role") in ("report", "attachment") and urlsplit(result.url).path in HOME_PATHS \
                and urlsplit(result.url).netloc == urlsplit(request.url).netloc:
            request.meta["govcrawl_deleted_to"] = result.url
            accepted = request.meta.get("handle_httpstatus_list", [])
            if response.status not in accepted:  # a 30x reaches the spider, not HttpError
                request.meta["handle_httpstatus_list"] = [*accepted, response.status]
            return response
        spider = getattr(self, "crawler", None) and self.crawler.spider
        refused = refused_redirect(request, result.url, list(getattr(spider, "allowed_domains", None) or []))
        if refused:
            request.meta["govcrawl_refused"] = refused
            raise IgnoreRequest(refused)
        return result


class RedirectMiddleware(_DeletedPagesMixin, _ScrapyRedirect):
    pass


class MetaRefreshMiddleware(_DeletedPagesMixin, _ScrapyMetaRefresh):
    pass


# --- Retry-After: a portal that asks for a pause gets it -----------------------------------------

class RetryAfterMiddleware:
    """A 429 or 503 with ``Retry-After`` is retried after the pause the portal asks for, up to
    GOVCRAWL_RETRY_AFTER_MAX seconds; a longer pause is not waited for, and the response's
    error says so.  Retries count against RETRY_TIMES, as Scrapy's own do."""

    STATUSES = (429, 503)

    def __init__(self, cap: float, retries: int) -> None:
        self.cap = cap
        self.retries = retries

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler.settings.getfloat("GOVCRAWL_RETRY_AFTER_MAX"), crawler.settings.getint("RETRY_TIMES"))

    async def process_request(self, request, spider=None):
        wait = request.meta.pop("govcrawl_retry_after", None)
        if wait:
            await asyncio.sleep(wait)
        return None

    def process_response(self, request, response, spider=None):
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        wait = retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return response  # Scrapy's RetryMiddleware retries it as it retries any 503
        tries = request.meta.get("retry_times", 0) + 1
        if wait > self.cap or tries > self.retries:
            why = (f"Retry-After {wait:.0f} s is more than the {self.cap:.0f} s waited for (GOVCRAWL_RETRY_AFTER_MAX)"
                   if wait > self.cap else f"still {response.status} after {self.retries} retries")
            request.meta["dont_retry"] = True
            request.meta["govcrawl_refused"] = f"HTTP {response.status}: {why}"
            return response
        retry = request.replace(dont_filter=True)
        retry.meta["retry_times"] = tries
        retry.meta["govcrawl_retry_after"] = wait
        return retry


def retry_after(value: bytes | None) -> float | None:
    """Seconds from a Retry-After header (seconds, or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())
