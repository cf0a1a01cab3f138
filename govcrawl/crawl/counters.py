"""What a crawl counts: one table of names for the pipelines, the spider, ``run_crawl`` and
``govcrawl ingest`` alike.  Each is a Scrapy stat ``govcrawl/<name>`` during the crawl
and a key of the run's ``counts`` in the archive (crawl_runs.counts)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Count(StrEnum):
    PORTALS = "portals"
    LISTING_PAGES = "listing_pages"  # read as listings (or 'no items')
    LISTING_FAILURES = "listing_failures"  # listing pages not read: errors, challenges, limits
    REPORT_FETCHES = "report_fetches"
    ATTACHMENT_FETCHES = "attachment_fetches"
    NOT_MODIFIED = "not_modified"
    UNCHANGED = "unchanged"
    EXTRACTIONS = "extractions"
    NOT_REPORTS = "not_reports"
    NEW_REPORTS = "new_reports"
    NEW_VERSIONS = "new_versions"
    DELETED_PAGES = "deleted_pages"
    REQUEST_ERRORS = "request_errors"
    ERRORS = "errors"
    GONE = "gone"
    BYTES_DOWNLOADED = "bytes_downloaded"
    REQUESTS = "requests"
    # a distributed crawl's worker: what it handed over to the writer
    HANDED_PAGES = "handed_pages"
    HANDED_LISTINGS = "handed_listings"
    HANDED_ERRORS = "handed_errors"

    @property
    def stat(self) -> str:
        """The Scrapy stat this count is kept in during a crawl."""
        return _SCRAPY_STATS.get(self, f"govcrawl/{self.value}")


# Counts Scrapy keeps itself.
_SCRAPY_STATS = {Count.BYTES_DOWNLOADED: "downloader/response_bytes", Count.REQUESTS: "downloader/request_count"}

RUN_COUNTS = (Count.PORTALS, Count.LISTING_PAGES, Count.LISTING_FAILURES, Count.REPORT_FETCHES,
              Count.ATTACHMENT_FETCHES, Count.NOT_MODIFIED, Count.EXTRACTIONS, Count.NOT_REPORTS,
              Count.NEW_REPORTS, Count.NEW_VERSIONS, Count.ERRORS, Count.GONE, Count.BYTES_DOWNLOADED,
              Count.REQUESTS)
WORKER_COUNTS = (Count.HANDED_PAGES, Count.HANDED_LISTINGS, Count.HANDED_ERRORS, Count.BYTES_DOWNLOADED,
                 Count.REQUESTS)


def from_stats(stats: Mapping[str, Any], names: tuple[Count, ...]) -> dict[str, int]:
    """The named counts out of a crawler's stats (0 where nothing was counted)."""
    return {name.value: int(stats.get(name.stat, 0) or 0) for name in names}
