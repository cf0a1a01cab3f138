"""Extract: the report record, unless these exact bytes were already extracted for this URL."""

from __future__ import annotations

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

    def process_item(self, item, spider=None):
        if not isinstance(item, PageItem) or item.kind != "report" or item.status != 200:
            return item
        db = crawler_db(self.crawler)
        row = db.execute("SELECT extracted_sha256 FROM pages WHERE url = ?", [item.url]).fetchone()
        if row and row[0] == item.sha256:
            item.unchanged = True
            return item
        self.crawler.stats.inc_value("govcrawl/extract/extractions_count")
        try:
            item.record = extract_bytes(item.body, item.url, item.media_type)
        except ExtractionError as exc:
            item.not_report = exc.reason
            self.crawler.stats.inc_value("govcrawl/extract/not_report_count")
        return item
