"""Store: the raw fetch and its derived rows, in transactions (a kill leaves no half-write).

Pages are committed in small batches (64 items or one second): a killed crawl loses at
most the last batch, whose pages the next run simply fetches again.  ``govcrawl ingest``
writes what distributed workers hand over with the same :func:`store_page`.

A page whose rows cannot be written (a bug in a stage, bytes the archive refuses) leaves
an error row with the reason instead; an archive that cannot be written at all (disk
full, read-only, corrupt) stops the crawl with that reason — there is no going on
without a place to write.
"""

from __future__ import annotations

import sqlite3
import time

import sqlite_utils
from scrapy.exceptions import DropItem

from govcrawl.archive.raw import Fetch, add_error, record_fetch
from govcrawl.archive.versions import Reading, apply_fetch
from govcrawl.crawl.counters import Count
from govcrawl.crawl.items import ErrorItem, ListingItem, PageItem
from govcrawl.crawl.standalone import run_id_of
from pipelines.common import crawler_db

Stored = PageItem | ErrorItem | ListingItem


def archive_failed(exc: BaseException) -> bool:
    """Is this the archive failing (full, read-only, corrupt, unreachable), not one page?"""
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError, sqlite3.InternalError)


def store_page(db: sqlite_utils.Database, item: Stored, run_id: int | None) -> list[Count]:
    """Write one crawled page, listing record or error; returns what it counts for.

    Runs inside the caller's transaction, in a savepoint of its own: a page that fails
    to store leaves no half-write, and its error row instead.
    """
    if isinstance(item, ErrorItem):
        add_error(db, run_id, item.url, item.portal_id, item.status, item.reason)
        return [Count.ERRORS]
    if isinstance(item, ListingItem):
        db.execute("INSERT INTO listings (run_id, url, portal_id, status, outcome, reason, reports, pages, at) "
                   "VALUES (?,?,?,?,?,?,?,?,?)", [run_id, item.url, item.portal_id, item.status, item.outcome,
                                                  item.reason, item.reports, item.pages, item.at])
        return [Count.LISTING_PAGES] if item.outcome in ("listing", "empty") else [Count.LISTING_FAILURES]
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
            add_error(db, run_id, item.url, item.portal_id, item.status, item.error or f"HTTP {item.status}",
                      item.fetched_at)
            counts.append(Count.ERRORS)
    except Exception as exc:
        if archive_failed(exc):
            raise
        db.execute("ROLLBACK TO page")  # this page only; the batch stays good
        db.execute("RELEASE page")
        add_error(db, run_id, item.url, item.portal_id, item.status,
                  f"store failed ({type(exc).__name__}: {exc})"[:500], item.fetched_at)
        return [Count.ERRORS]
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
        self.run_id = run_id_of(crawler)
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
        if not isinstance(item, Stored):
            return item
        try:
            db = crawler_db(self.crawler)
            if not db.conn.in_transaction:
                db.execute("BEGIN")  # the batch; store_page's savepoint is this page
            counts = store_page(db, item, self.run_id)
            if isinstance(item, PageItem) and item.attachments:
                for note in self.crawler.spider.follow_attachments(item):
                    counts += store_page(db, note, self.run_id)
            self._written(db)
        except Exception as exc:
            if not archive_failed(exc):
                raise
            self._stop(exc)
            raise DropItem(f"archive error: {exc}") from None
        for count in counts:
            self.crawler.stats.inc_value(count.stat)
        if isinstance(item, PageItem):
            item.body = b""  # the bytes are archived; do not keep them in memory
        return item

    def _stop(self, exc: BaseException) -> None:
        """The archive cannot be written: the crawl stops, its reason the archive's error."""
        if not self.crawler.stats.get_value("govcrawl/archive_error"):
            self.crawler.stats.set_value("govcrawl/archive_error", f"{type(exc).__name__}: {exc}")
            reason = f"archive error ({exc})"
            engine = self.crawler.engine
            if hasattr(engine, "close_spider_async"):  # Scrapy ≥ 2.19
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(engine.close_spider_async(reason=reason))
            else:
                engine.close_spider(self.crawler.spider, reason)
