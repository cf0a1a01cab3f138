"""Store: the raw fetch and its derived rows, in transactions (a kill leaves no half-write).

Pages are committed in small batches (64 items or one second): a killed crawl loses at
most the last batch, whose pages the next run simply fetches again.
"""

from __future__ import annotations

import time

from govcrawl.archive import store_item
from govcrawl.crawl.items import ErrorItem, PageItem
from pipelines.common import crawler_db


class ArchivePipeline:
    BATCH_ITEMS = 64
    BATCH_SECONDS = 1.0

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.run_id = crawler.settings.getint("GOVCRAWL_RUN_ID") or None
        self.pending = 0
        self.since = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close_spider(self, spider=None) -> None:
        crawler_db(self.crawler).conn.commit()

    def _written(self, db) -> None:
        """Commit when the batch is full or old enough."""
        self.pending += 1
        if self.pending >= self.BATCH_ITEMS or time.monotonic() - self.since > self.BATCH_SECONDS:
            db.conn.commit()
            self.pending = 0
            self.since = time.monotonic()

    def process_item(self, item, spider=None):
        db = crawler_db(self.crawler)
        if not isinstance(item, PageItem | ErrorItem):
            return item
        if not db.conn.in_transaction:
            db.execute("BEGIN")  # the batch; store_item's savepoint is this page
        counters = store_item(db, item, self.run_id)
        self._written(db)
        if isinstance(item, PageItem) and item.attachments:
            self.crawler.spider.follow_attachments(item)
        for name in counters:
            self.crawler.stats.inc_value(f"govcrawl/store/{name}_count")
        if isinstance(item, PageItem):
            item.body = b""  # the bytes are archived; do not keep them in memory
        return item
