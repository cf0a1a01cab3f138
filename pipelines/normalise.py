"""Normalise: sha256 and media type of the raw bytes (from the bytes, then the headers)."""

from __future__ import annotations

import hashlib

from govcrawl.crawl.items import PageItem
from govcrawl.extract.decode import sniff_media_type
from pipelines.common import never_loses


class NormalisePipeline:
    @never_loses("normalise")
    def process_item(self, item, spider=None):
        if isinstance(item, PageItem) and item.status == 200:
            item.sha256 = hashlib.sha256(item.body).hexdigest()
            item.media_type = sniff_media_type(item.body, item.url)
        return item
