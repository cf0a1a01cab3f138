"""Dedupe: the report's stable id (agency + year) and its version fingerprint."""

from __future__ import annotations

from govcrawl.archive import fingerprint, report_id_for
from govcrawl.crawl.items import PageItem


class DedupePipeline:
    def process_item(self, item, spider=None):
        if isinstance(item, PageItem) and item.record is not None:
            item.record["_report_id"] = report_id_for(item.record, item.url)
            item.record["_fingerprint"] = fingerprint(item.record)
        return item
