"""Extract: the report record, unless these exact bytes were already extracted for this URL.

Extraction runs in worker processes (GOVCRAWL_EXTRACT_WORKERS, default: the machine's
cores less one; 0 runs it in a thread of the crawl process), so that the crawl process
keeps downloading and writing while pages are read.
"""

from __future__ import annotations

from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads

from govcrawl.crawl.items import PageItem
from govcrawl.extract.pool import ExtractionPool, default_workers, extract_or_reason
from pipelines.common import crawler_db


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

    async def process_item(self, item, spider=None):
        if not isinstance(item, PageItem) or item.status != 200:
            return item
        db = crawler_db(self.crawler)
        row = db.execute("SELECT extracted_sha256 FROM pages WHERE url = ?", [item.url]).fetchone()
        if row and row[0] == item.sha256:
            item.unchanged = True
            return item
        self.crawler.stats.inc_value("govcrawl/extract/extractions_count")
        media_type = item.media_type if item.kind == "report" else None
        if self.pool is not None:
            item.record, item.not_report = await self.pool.extract(item.body, item.url, media_type)
        else:  # off the reactor thread at least, so that downloads go on while a page is read
            item.record, item.not_report = await deferred_to_future(
                threads.deferToThread(extract_or_reason, item.body, item.url, media_type))
        if item.not_report:
            self.crawler.stats.inc_value("govcrawl/extract/not_report_count")
        return item

