"""Store: the raw fetch and its derived rows, in transactions (a kill leaves no half-write).

Pages are committed in small batches (64 items or one second): a killed crawl loses at
most the last batch, whose pages the next run simply fetches again.
"""

from __future__ import annotations

import time

from govcrawl.archive import Fetch, apply_fetch, now_iso, record_fetch
from govcrawl.items import ErrorItem, PageItem
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
        stats = self.crawler.stats
        if isinstance(item, ErrorItem):
            db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) "
                       "VALUES (?,?,?,?,?,?)",
                       [self.run_id, item.url, item.portal_id, item.status, item.reason, now_iso()])
            self._written(db)
            stats.inc_value("govcrawl/store/errors_count")
            return item
        if not isinstance(item, PageItem):
            return item
        headers = {k.lower(): v for k, v in item.headers.items()}
        fetch = Fetch(url=item.url, portal_id=item.portal_id, kind=item.kind, status=item.status,
                      fetched_at=item.fetched_at, run_id=self.run_id, etag=headers.get("etag"),
                      last_modified=headers.get("last-modified"), headers=headers,
                      referer=item.referer, listing_title=item.listing_title,
                      media_type=item.media_type, body=item.body if item.status == 200 else None)
        if not db.conn.in_transaction:
            db.execute("BEGIN")  # the batch; the savepoint below is this page
        db.execute("SAVEPOINT page")
        try:
            record_fetch(db, fetch)
            outcome = apply_fetch(db, fetch, item.body or None, record=item.record,
                                  not_report=item.not_report)
            if item.status not in (200, 304):
                db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) "
                           "VALUES (?,?,?,?,?,?)",
                           [self.run_id, item.url, item.portal_id, item.status,
                            f"HTTP {item.status}", item.fetched_at])
                stats.inc_value("govcrawl/store/errors_count")
        except Exception:
            db.execute("ROLLBACK TO page")  # this page only; the batch stays good
            db.execute("RELEASE page")
            raise
        db.execute("RELEASE page")
        self._written(db)
        stats.inc_value(f"govcrawl/store/{item.kind}_fetches_count")
        for name in ("new_report", "new_version", "unchanged", "not_report"):
            if getattr(outcome, name):
                stats.inc_value(f"govcrawl/store/{name}_count")
        if item.status == 304:
            stats.inc_value("govcrawl/store/not_modified_count")
        item.body = b""  # the bytes are archived; do not keep them in memory
        return item
