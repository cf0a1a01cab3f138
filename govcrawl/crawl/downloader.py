"""Scrapy's downloader, holding every portal to its concurrency (CONCURRENT_REQUESTS_PER_DOMAIN).

Under the asyncio reactor, Scrapy 2.19's downloader starts each download in a task that
marks its request as "transferring" only when the task first runs.  The loop that starts
downloads checks the slot's free places in between, finds them all free, and starts every
queued request of the portal at once: with no download delay (`--no-delay`) a crawl at
"2 per domain" sent 10–13 requests at a time to one portal.  Here a request counts as
transferring from the moment its download is started.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from scrapy.core.downloader import Downloader as _ScrapyDownloader


class _StartingQueue(deque):
    """A slot's queue whose popleft (a download being started) takes a transfer place."""

    def __init__(self, slot: Any, items: Any = ()) -> None:
        super().__init__(items)
        self.slot = slot

    def popleft(self):
        request, deferred = super().popleft()
        self.slot.transferring.add(request)  # released by the download itself when it ends
        return request, deferred


class Downloader(_ScrapyDownloader):
    def _get_slot(self, request, spider=None):
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, _StartingQueue):
            slot.queue = _StartingQueue(slot, slot.queue)
        return key, slot
