"""Dedupe: the report's stable id (agency + year) and its version fingerprint, computed
once here and used by the store (the same report on two portals is one report; the same
text again is the same version)."""

from __future__ import annotations

from govcrawl.crawl.items import PageItem
from pipelines.common import never_loses


class DedupePipeline:
    @never_loses("dedupe")
    def process_item(self, item, spider=None):
        if isinstance(item, PageItem) and item.reading is not None:
            item.reading.identify(item.url)
        return item
