"""Downloader middlewares: a configured HTTP proxy (GOVCRAWL_PROXY); deleted pages' redirects.

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
    """Portals send a deleted page to their home page (a 30x or a meta refresh).  The
    redirect says all there is to learn: the page is handed to the spider marked
    ``govcrawl_deleted_to`` and recorded as deleted, and the home page — often a portal's
    heaviest page — is not downloaded once per deleted page on every crawl.  (Followed,
    the second such redirect would also be dropped by the duplicate filter, and its
    deleted page go unrecorded.)"""

    def process_response(self, request, response, spider=None):
        from urllib.parse import urlsplit

        from scrapy import Request

        result = super().process_response(request, response)  # type: ignore[misc]
        if (isinstance(result, Request) and request.meta.get("role") in ("report", "attachment")
                and urlsplit(result.url).path in HOME_PATHS):
            request.meta["govcrawl_deleted_to"] = result.url
            accepted = request.meta.get("handle_httpstatus_list", [])
            if response.status not in accepted:  # a 30x reaches the spider, not HttpError
                request.meta["handle_httpstatus_list"] = [*accepted, response.status]
            return response
        return result


class RedirectMiddleware(_DeletedPagesMixin, _ScrapyRedirect):
    pass


class MetaRefreshMiddleware(_DeletedPagesMixin, _ScrapyMetaRefresh):
    pass
