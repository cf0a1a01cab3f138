"""Handoff (distributed crawls): the page, with its record, goes to the writer over Redis.

Replaces the store pipeline on workers, which never open the archive.  The item is
pushed before the frontier lease is released, so a worker killed in between costs a
re-fetch, never a lost page (the writer ignores nothing it has not already written).
"""

from __future__ import annotations

from govcrawl import distributed
from govcrawl.items import ErrorItem, ListingDone, PageItem


class HandoffPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.keys = distributed.Keys(crawler.settings.get("GOVCRAWL_REDIS_PREFIX", distributed.DEFAULT_PREFIX))
        self.server = distributed.connect(crawler.settings["GOVCRAWL_REDIS_URL"])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        if not isinstance(item, PageItem | ErrorItem | ListingDone):
            return item
        self.server.rpush(self.keys.items, distributed.encode_item(item))
        distributed.ack(self.server, self.keys, item.lease)
        self.crawler.stats.inc_value(f"govcrawl/handoff/{type(item).__name__}_count")
        if isinstance(item, PageItem):
            item.body = b""
        return item
