"""Downloader middlewares: a configured HTTP proxy (GOVCRAWL_PROXY); redirects of deleted pages.

The demo network is served on one 127.0.0.1 port acting as a proxy for every portal
host; networked crawls may need a proxy too.
"""

from __future__ import annotations

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


# --- redirects to the home page: every deleted page is recorded -----------------------------

HOME_PATHS = ("/", "/index.html", "/index.htm", "/index.shtml")


class _DeletedPagesMixin:
    """Portals send deleted pages to their home page (a 30x or a meta refresh).  Scrapy's
    duplicate filter would drop the second such redirect, and the second deleted page
    would go unrecorded (and, in a distributed crawl, its lease unsettled): redirects of
    report pages to the home page are exempt from the filter."""

    def _redirect(self, redirected, request, reason):
        redirected = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        from urllib.parse import urlsplit

        if request.meta.get("role") in ("report", "attachment") and urlsplit(redirected.url).path in HOME_PATHS:
            redirected.dont_filter = True
        return redirected


class RedirectMiddleware(_DeletedPagesMixin, _ScrapyRedirect):
    pass


class MetaRefreshMiddleware(_DeletedPagesMixin, _ScrapyMetaRefresh):
    pass
