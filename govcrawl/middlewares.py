"""Downloader middleware: route requests through a configured HTTP proxy (GOVCRAWL_PROXY).

The demo network is served on one 127.0.0.1 port acting as a proxy for every portal
host; networked crawls may need a proxy too.
"""

from __future__ import annotations

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
