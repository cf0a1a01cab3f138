"""Extract: the report record, unless these exact bytes were already extracted for this URL."""

from __future__ import annotations

from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads

from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.record import extract_bytes
from govcrawl.items import PageItem
from pipelines.common import crawler_db


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

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
        # Off the reactor thread, so that downloads go on while a page is being read.
        item.record, item.not_report = await deferred_to_future(
            threads.deferToThread(_extract, item.body, item.url,
                                  item.media_type if item.kind == "report" else None))
        if item.not_report:
            self.crawler.stats.inc_value("govcrawl/extract/not_report_count")
        return item


def _extract(body: bytes, url: str, media_type: str | None):
    try:
        return extract_bytes(body, url, media_type), None
    except ExtractionError as exc:
        return None, exc.reason
