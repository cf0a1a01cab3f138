"""Extract: read the page (its record, or why there is none), unless these exact bytes were
already read for this URL.

Extraction runs in worker processes (GOVCRAWL_EXTRACT_WORKERS, default: the machine's
cores less one; 0 runs it in a thread of the crawl process), so that the crawl process
keeps downloading and writing while pages are read.
"""

from __future__ import annotations

from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads

from govcrawl.archive.versions import Reading
from govcrawl.crawl.counters import Count
from govcrawl.crawl.items import PageItem
from govcrawl.extract.page import read_page
from govcrawl.extract.pool import ExtractionPool, default_workers
from pipelines.common import crawler_db, never_loses


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        workers = crawler.settings.get("GOVCRAWL_EXTRACT_WORKERS")
        self.workers = default_workers() if workers in (None, "") else int(workers)
        self.pool: ExtractionPool | None = None

    def open_spider(self, spider=None) -> None:
        if self.workers > 0:
            self.pool = ExtractionPool(self.workers)

    def close_spider(self, spider=None) -> None:
        if self.pool is not None:
            self.pool.close()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @never_loses("extract")
    async def process_item(self, item, spider=None):
        if not isinstance(item, PageItem) or item.status != 200 or item.reading is not None:
            return item  # not a page's bytes, or an earlier stage failed on them (its reason stands)
        db = crawler_db(self.crawler)
        row = db.execute("SELECT extracted_sha256 FROM pages WHERE url = ?", [item.url]).fetchone()
        if row and row[0] == item.sha256:
            return item  # read before: the store only marks it seen
        self.crawler.stats.inc_value(Count.EXTRACTIONS.stat)
        if self.pool is not None:
            record, reason, links = await self.pool.extract(item.body, item.url, item.kind)
        else:  # off the reactor thread at least, so that downloads go on while a page is read
            record, reason, links = await deferred_to_future(
                threads.deferToThread(read_page, item.body, item.url, item.kind))
        item.reading = Reading(record, reason, attachments=links)
        return item
