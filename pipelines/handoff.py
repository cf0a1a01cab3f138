"""Handoff (distributed crawls): the page with its reading, a listing record or an error goes
to the writer over Redis.

Replaces the store pipeline on workers, which never open the archive.  The item is
pushed before the frontier lease is released, so a worker killed in between costs a
re-fetch, never a lost page (the writer ignores nothing it has not already written).
With each item go the bytes and requests this worker downloaded since the last one, so
that the writer's run counts what all workers downloaded.
"""

from __future__ import annotations

from govcrawl.crawl.counters import Count
from govcrawl.crawl.distributed import frontier as distributed
from govcrawl.crawl.items import ErrorItem, ListingItem, PageItem

_HANDED = {PageItem: Count.HANDED_PAGES, ListingItem: Count.HANDED_LISTINGS, ErrorItem: Count.HANDED_ERRORS}


class HandoffPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.keys = distributed.Keys(crawler.settings.get("GOVCRAWL_REDIS_PREFIX", distributed.DEFAULT_PREFIX))
        self.server = distributed.connect(crawler.settings["GOVCRAWL_REDIS_URL"])
        self.reported = {Count.BYTES_DOWNLOADED: 0, Count.REQUESTS: 0}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        if not isinstance(item, PageItem | ErrorItem | ListingItem):
            return item
        pipe = self.server.pipeline()
        pipe.rpush(self.keys.items, distributed.encode_item(item))
        self._report_downloads(pipe)
        pipe.execute()
        if isinstance(item, PageItem) and item.attachments:
            # Before the ack: the frontier never looks empty while the page still has work.
            notes = self.crawler.spider.follow_attachments(item)
            if notes:
                self.server.rpush(self.keys.items, *(distributed.encode_item(note) for note in notes))
        distributed.ack(self.server, self.keys, item.lease)
        self.crawler.stats.inc_value(_HANDED[type(item)].stat)
        if isinstance(item, PageItem):
            item.body = b""
        return item

    def close_spider(self, spider=None) -> None:
        pipe = self.server.pipeline()
        self._report_downloads(pipe)
        pipe.execute()

    def _report_downloads(self, pipe) -> None:
        stats = self.crawler.stats
        for count in (Count.BYTES_DOWNLOADED, Count.REQUESTS):
            total = stats.get_value(count.stat, 0)
            if total > self.reported[count]:
                pipe.hincrby(self.keys.run, count.value, total - self.reported[count])
                self.reported[count] = total
