"""Store: the raw fetch and its derived rows, in transactions (a kill leaves no half-write).

Pages are committed in small batches (64 items or one second): a killed crawl loses at
most the last batch, whose pages the next run simply fetches again.  ``govcrawl ingest``
writes what distributed workers hand over with the same :func:`store_page`.
"""

from __future__ import annotations

import time

import sqlite_utils

from govcrawl.archive.raw import Fetch, add_error, record_fetch
from govcrawl.archive.versions import Reading, apply_fetch
from govcrawl.crawl.counters import Count
from govcrawl.crawl.items import ErrorItem, PageItem
from pipelines.common import crawler_db


def store_page(db: sqlite_utils.Database, item: PageItem | ErrorItem, run_id: int | None) -> list[Count]:
    """Write one crawled page or error; returns what it counts for.

    Runs inside the caller's transaction, in a savepoint of its own: a page that fails
    to store leaves no half-write.
    """
    if isinstance(item, ErrorItem):
        add_error(db, run_id, item.url, item.portal_id, item.status, item.reason)
        return [Count.ERRORS]
    headers = {k.lower(): v for k, v in item.headers.items()}
    fetch = Fetch(url=item.url, portal_id=item.portal_id, kind=item.kind, status=item.status,
                  fetched_at=item.fetched_at, run_id=run_id, etag=headers.get("etag"),
                  last_modified=headers.get("last-modified"), headers=headers,
                  referer=item.referer, listing_title=item.listing_title,
                  media_type=item.media_type, body=item.body if item.status == 200 else None)
    counts = []
    db.execute("SAVEPOINT page")
    try:
        record_fetch(db, fetch)
        outcome = apply_fetch(db, fetch, lambda: _reading_of(item))
        if item.status not in (200, 304):
            add_error(db, run_id, item.url, item.portal_id, item.status, f"HTTP {item.status}", item.fetched_at)
            counts.append(Count.ERRORS)
    except Exception:
        db.execute("ROLLBACK TO page")  # this page only; the batch stays good
        db.execute("RELEASE page")
        raise
    db.execute("RELEASE page")
    counts.append(Count.REPORT_FETCHES if item.kind == "report" else Count.ATTACHMENT_FETCHES)
    for flag, count in ((outcome.new_report, Count.NEW_REPORTS), (outcome.new_version, Count.NEW_VERSIONS),
                        (outcome.unchanged, Count.UNCHANGED), (outcome.not_report, Count.NOT_REPORTS),
                        (item.status == 304, Count.NOT_MODIFIED)):
        if flag:
            counts.append(count)
    return counts


def _reading_of(item: PageItem) -> Reading:
    if item.reading is None:  # the extract stage skipped bytes the archive had not read
        raise ValueError(f"{item.url}: new bytes reached the store unread")
    return item.reading


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
            db.execute("BEGIN")  # the batch; store_page's savepoint is this page
        counts = store_page(db, item, self.run_id)
        self._written(db)
        if isinstance(item, PageItem) and item.attachments:
            self.crawler.spider.follow_attachments(item)
        for count in counts:
            self.crawler.stats.inc_value(count.stat)
        if isinstance(item, PageItem):
            item.body = b""  # the bytes are archived; do not keep them in memory
        return item
